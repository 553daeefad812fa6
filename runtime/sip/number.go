package sip

import "bytes"

// ParseInt reads a decimal integer as the comparison operators define it (SMC-SPEC §5): an
// optional sign and decimal digits, nothing else, within 64 bits. It does not allocate, because
// the runtime calls it per message.
//
// It lives here, with the other readers of message text, rather than in compile or runtime,
// because both read integers with it: the runtime per message (GT, GE, LT, LE, BETWEEN), the
// compiler once, to refuse a constant RightOperand the runtime would not read as an integer. One
// definition keeps the two from disagreeing, and this package imports nothing of the project, so
// the compiler takes on no more than these functions.
func ParseInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg, b = b[0] == '-', b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (1<<63)/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case neg && n <= 1<<63:
		return -int64(n), true
	case !neg && n < 1<<63:
		return int64(n), true
	}
	return 0, false
}

// ParseRange reads BETWEEN's "LOW,HIGH", allowing spaces around either number. Like ParseInt,
// the runtime reads a range with it per message and the compiler checks a constant one.
func ParseRange(b []byte) (lo, hi int64, ok bool) {
	comma := bytes.IndexByte(b, ',')
	if comma < 0 {
		return 0, 0, false
	}
	lo, ok1 := ParseInt(bytes.TrimSpace(b[:comma]))
	hi, ok2 := ParseInt(bytes.TrimSpace(b[comma+1:]))
	return lo, hi, ok1 && ok2
}
