package datafile

import (
	"bytes"
	"strconv"
)

// Addr is an IPv4 or IPv6 address. It is a comparable value without pointers, so a lookup can
// parse one on the stack and an index can hold them in flat arrays.
//
// The 128 bits are kept as two uint64 halves, an IPv4 address in its IPv4-mapped form
// (::ffff:a.b.c.d) with a family tag, so that Unmap only changes the tag. The zero Addr is invalid.
type Addr struct {
	hi, lo uint64
	z      uint8 // 0: invalid, 4: IPv4, 6: IPv6
}

const mapped4 = 0xffff << 32 // the lo half of ::ffff:0.0.0.0

// AddrFrom4 returns the IPv4 address with the given bytes, in network order.
func AddrFrom4(b [4]byte) Addr {
	return Addr{lo: mapped4 | uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3]), z: 4}
}

// AddrFrom16 returns the IPv6 address with the given bytes, in network order. An IPv4-mapped
// address stays IPv6; Networks.Lookup unmaps it.
func AddrFrom16(b [16]byte) Addr {
	var hi, lo uint64
	for i := 0; i < 8; i++ {
		hi = hi<<8 | uint64(b[i])
		lo = lo<<8 | uint64(b[8+i])
	}
	return Addr{hi: hi, lo: lo, z: 6}
}

// IsValid reports whether a is an address, not the zero Addr.
func (a Addr) IsValid() bool { return a.z != 0 }

// Is4 reports whether a is an IPv4 address. An IPv4-mapped IPv6 address is not; see Unmap.
func (a Addr) Is4() bool { return a.z == 4 }

// Is6 reports whether a is an IPv6 address, IPv4-mapped ones included.
func (a Addr) Is6() bool { return a.z == 6 }

// Is4In6 reports whether a is an IPv4-mapped IPv6 address (::ffff:a.b.c.d).
func (a Addr) Is4In6() bool { return a.z == 6 && a.hi == 0 && a.lo>>32 == 0xffff }

// Unmap returns a with an IPv4-mapped IPv6 address turned into the IPv4 address it carries, so
// that ::ffff:192.0.2.1 and 192.0.2.1 look up alike; any other address is returned unchanged.
func (a Addr) Unmap() Addr {
	if a.Is4In6() {
		a.z = 4
	}
	return a
}

// v4 returns the IPv4 address of an Addr for which Is4 holds.
func (a Addr) v4() uint32 { return uint32(a.lo) }

// ParseAddr parses b as an IPv4 address in dotted-quad form or an IPv6 address in any text form
// of RFC 4291 §2.2 (hex digits in either case, "::", a dotted-quad tail). It accepts no zone, no
// brackets and no surrounding space, and no leading zero in an IPv4 octet (010 is octal to some
// tools and decimal to others, so it is refused rather than guessed). It does not allocate.
func ParseAddr(b []byte) (Addr, bool) {
	if bytes.IndexByte(b, ':') >= 0 {
		hi, lo, ok := parse6(b)
		if !ok {
			return Addr{}, false
		}
		return Addr{hi: hi, lo: lo, z: 6}, true
	}
	v, ok := parse4(b)
	if !ok {
		return Addr{}, false
	}
	return Addr{lo: mapped4 | uint64(v), z: 4}, true
}

// parse4 parses exactly four decimal octets separated by dots.
func parse4(b []byte) (uint32, bool) {
	var v uint32
	i := 0
	for n := 0; n < 4; n++ {
		if n > 0 {
			if i >= len(b) || b[i] != '.' {
				return 0, false
			}
			i++
		}
		start, o := i, uint32(0)
		for i < len(b) && '0' <= b[i] && b[i] <= '9' && i-start < 3 {
			o = o*10 + uint32(b[i]-'0')
			i++
		}
		if i == start || o > 255 || (b[start] == '0' && i-start > 1) {
			return 0, false
		}
		v = v<<8 | o
	}
	return v, i == len(b)
}

// parse6 parses the text forms of RFC 4291 §2.2.
func parse6(b []byte) (hi, lo uint64, ok bool) {
	var g [8]uint16
	n := 0         // groups parsed
	ellipsis := -1 // index in g where "::" stands, or -1
	i := 0
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		ellipsis, i = 0, 2
	}
	for i < len(b) {
		j, v := i, uint32(0)
		for j < len(b) && j-i < 5 && isHex(b[j]) {
			v = v<<4 | uint32(unhex(b[j]))
			j++
		}
		if j < len(b) && b[j] == '.' {
			// A dotted-quad tail fills the last two groups.
			v4, ok := parse4(b[i:])
			if !ok || n > 6 {
				return 0, 0, false
			}
			g[n], g[n+1] = uint16(v4>>16), uint16(v4)
			n += 2
			break
		}
		if j == i || j-i > 4 || n == 8 {
			return 0, 0, false
		}
		g[n] = uint16(v)
		n++
		if j == len(b) {
			break
		}
		if b[j] != ':' || j+1 == len(b) {
			return 0, 0, false // a stray character, or a single colon at the end
		}
		i = j + 1
		if b[i] == ':' {
			if ellipsis >= 0 {
				return 0, 0, false
			}
			ellipsis = n
			i++
		}
	}
	switch {
	case ellipsis < 0 && n != 8, ellipsis >= 0 && n == 8:
		return 0, 0, false
	case ellipsis >= 0:
		// Move the groups after "::" to the end; the zeros it stands for fill the gap.
		k := 8 - n
		copy(g[ellipsis+k:], g[ellipsis:n])
		clear(g[ellipsis : ellipsis+k])
	}
	for k := 0; k < 4; k++ {
		hi = hi<<16 | uint64(g[k])
		lo = lo<<16 | uint64(g[4+k])
	}
	return hi, lo, true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// AddrFromText reads the address an IP_LOOKUP condition looks up from the selected text l
// (SMC-SPEC §5): l itself when it is an address; otherwise the last space-separated token of l,
// so that the SDP value "IN IP4 192.0.2.10" gives 192.0.2.10. From that token a trailing port is
// removed: "192.0.2.1:5060" and "[2001:db8::1]:5060" give the address, and "[2001:db8::1]" loses
// its brackets. Only IPv6 goes in brackets, and an IPv6 address with a port must be in them,
// since "2001:db8::1:5060" is itself an address. It does not allocate.
func AddrFromText(l []byte) (Addr, bool) {
	if a, ok := ParseAddr(l); ok {
		return a, true
	}
	tok := lastToken(l)
	if a, ok := ParseAddr(tok); ok {
		return a, true
	}
	if len(tok) > 0 && tok[0] == '[' {
		end := bytes.IndexByte(tok, ']')
		if end < 0 {
			return Addr{}, false
		}
		a, ok := ParseAddr(tok[1:end])
		rest := tok[end+1:]
		if !ok || !a.Is6() || len(rest) > 0 && (rest[0] != ':' || !isPort(rest[1:])) {
			return Addr{}, false
		}
		return a, true
	}
	colon := bytes.LastIndexByte(tok, ':')
	if colon < 0 {
		return Addr{}, false
	}
	a, ok := ParseAddr(tok[:colon])
	if !ok || !a.Is4() || !isPort(tok[colon+1:]) {
		return Addr{}, false
	}
	return a, true
}

// lastToken returns the last run of non-blank bytes of l.
func lastToken(l []byte) []byte {
	end := len(l)
	for end > 0 && isBlank(l[end-1]) {
		end--
	}
	start := end
	for start > 0 && !isBlank(l[start-1]) {
		start--
	}
	return l[start:end]
}

// isPort reports whether b is a decimal port number, 0..65535.
func isPort(b []byte) bool {
	if len(b) == 0 || len(b) > 5 {
		return false
	}
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
		v = v*10 + int(c-'0')
	}
	return v <= 65535
}

// String returns a in its canonical text form: dotted quad for IPv4, RFC 5952 for IPv6
// (lowercase, the longest run of two or more zero groups as "::", ::ffff:a.b.c.d for mapped
// IPv4), and "invalid" for the zero Addr.
func (a Addr) String() string {
	switch a.z {
	case 4:
		return string(appendV4(nil, a.v4()))
	case 6:
		return string(a.append6(nil))
	}
	return "invalid"
}

func appendV4(b []byte, v uint32) []byte {
	for i := 3; i >= 0; i-- {
		b = strconv.AppendUint(b, uint64(v>>(8*i)&0xff), 10)
		if i > 0 {
			b = append(b, '.')
		}
	}
	return b
}

func (a Addr) append6(b []byte) []byte {
	if a.Is4In6() {
		return appendV4(append(b, "::ffff:"...), a.v4())
	}
	var g [8]uint16
	for k := 0; k < 4; k++ {
		g[k] = uint16(a.hi >> (48 - 16*k))
		g[4+k] = uint16(a.lo >> (48 - 16*k))
	}
	// The longest run of zero groups, the first on a tie; a lone zero group is not a run
	// (RFC 5952 §4.2.2).
	zs, zn := -1, 1
	for i := 0; i < 8; {
		j := i
		for j < 8 && g[j] == 0 {
			j++
		}
		if j-i > zn {
			zs, zn = i, j-i
		}
		i = j + 1
	}
	for i := 0; i < 8; i++ {
		if i == zs {
			b = append(b, "::"...)
			i += zn - 1
			continue
		}
		if i > 0 && i != zs+zn {
			b = append(b, ':')
		}
		b = strconv.AppendUint(b, uint64(g[i]), 16)
	}
	return b
}
