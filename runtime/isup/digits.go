package isup

// Address signals are BCD, two to an octet, the first in the low nibble (Q.763 §3.9, T1.113.3).
// Codes 0 to 9 are digits, 11 and 12 are the codes SMC-SPEC §4 writes as `*` and `#`, 15 (ST) ends
// the number and is dropped, and 10, 13, 14 are spare: an address holding one, or a digit after an
// ST, is not a number the decoder can write, and Decode refuses the IAM (ErrDigits) rather than
// make up a value for it.

// stopCode is the ST (end of pulsing) signal, and the filler of an odd jurisdiction count.
const stopCode = 0xF

// digitChars maps an address signal code to its character; 0 marks a spare code.
var digitChars = [16]byte{'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 0, '*', '#', 0, 0, 0}

// A Number is a called or calling party number parameter: an odd/even indicator and nature of
// address octet, an octet of numbering plan and (for a calling number) presentation and screening
// indicators, then the address signals. It is a span of the decoded message.
type Number struct {
	v       []byte
	present bool
}

// Present reports whether the IAM carried the parameter.
func (n Number) Present() bool { return n.present }

// Value returns the parameter's value octets as they are in the message.
func (n Number) Value() []byte { return n.v }

// Odd reports whether the number has an odd count of address signals; the last octet's high
// nibble is then filler.
func (n Number) Odd() bool { return len(n.v) > 0 && n.v[0]&0x80 != 0 }

// NAI is the nature of address indicator (1 subscriber, 3 national, 4 international, ...).
func (n Number) NAI() byte {
	if len(n.v) == 0 {
		return 0
	}
	return n.v[0] & 0x7f
}

// Indicators is the number's second octet: INN or NI indicator (bit 8), numbering plan (bits
// 7-5), and for a calling number address presentation (bits 4-3) and screening (bits 2-1).
func (n Number) Indicators() byte {
	if len(n.v) < 2 {
		return 0
	}
	return n.v[1]
}

// count is the number of address signals, filler excluded; -1 for an odd count with no octet to
// hold it.
func (n Number) count() int {
	if len(n.v) < 2 {
		return 0
	}
	c := 2 * (len(n.v) - 2)
	if n.Odd() {
		c--
	}
	return c
}

// AppendDigits appends the address signals: {$ISUP.CPN}, {$ISUP.CdPN}.
func (n Number) AppendDigits(dst []byte) []byte {
	if len(n.v) < 2 {
		return dst
	}
	return appendSignals(dst, n.v[2:], n.count())
}

func (n Number) valid() bool {
	c := n.count()
	return len(n.v) >= 2 && c >= 0 && validSignals(n.v[2:], c)
}

// Digits is a parameter made of address signals only, with no indicator octets: the jurisdiction
// information of T1.113, six digits of an NPA-NXX. An ST or filler code as the last signal is
// dropped.
type Digits struct {
	v       []byte
	present bool
}

// Present reports whether the IAM carried the parameter.
func (d Digits) Present() bool { return d.present }

// Value returns the parameter's value octets as they are in the message.
func (d Digits) Value() []byte { return d.v }

// AppendDigits appends the digits: {$ISUP.ParamJIP}.
func (d Digits) AppendDigits(dst []byte) []byte { return appendSignals(dst, d.v, 2*len(d.v)) }

func (d Digits) valid() bool { return validSignals(d.v, 2*len(d.v)) }

// signal returns the i-th address signal of octets.
func signal(octets []byte, i int) byte {
	b := octets[i/2]
	if i%2 == 1 {
		return b >> 4
	}
	return b & 15
}

// validSignals reports whether the first count signals of octets are digits, `*` or `#`, with
// at most a last ST.
func validSignals(octets []byte, count int) bool {
	if count > 2*len(octets) {
		return false
	}
	for i := 0; i < count; i++ {
		c := signal(octets, i)
		if digitChars[c] == 0 && (c != stopCode || i != count-1) {
			return false
		}
	}
	return true
}

// appendSignals appends the first count signals of octets, which validSignals accepted.
func appendSignals(dst, octets []byte, count int) []byte {
	for i := 0; i < count; i++ {
		if ch := digitChars[signal(octets, i)]; ch != 0 {
			dst = append(dst, ch)
		}
	}
	return dst
}
