// Package sip holds the SIP knowledge the runtime needs, as functions over byte slices that
// return spans and do not allocate: the parts of a URI or name-addr that the SMC macros select,
// header parameters, reason phrases, ASCII case folding and the integers of the comparison
// operators (which the compiler also uses, number.go).
package sip

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// Part names what a Macro selects (SMC-SPEC §3). The values follow compile.Macro.
type Part uint8

const (
	DisplayName Part = iota + 1 // a name-addr's display name, without its quotes
	URI                         // user@host, without port and parameters
	User                        // the user part, without a password; a tel URI's number
	Host                        // an IPv6 reference keeps its brackets
	Port                        // the port after the host, digits only
	Params                      // the URI's own parameters, without the leading ';'
)

// Parts are the spans of every Part of one header value or URI, found together: the scans that
// find one part find the others on the way, and the runtime keeps a line's Parts so that the
// macros of later rules on that line read no byte again. The zero value has no part.
type Parts struct {
	span  [Params + 1]struct{ start, end int32 } // by Part
	found uint8                                  // bit p: part p is present
}

// Part returns the span of part p, or ok false when it is absent.
func (ps *Parts) Part(p Part) (start, end int, ok bool) {
	if ps.found&(1<<p) == 0 {
		return 0, 0, false
	}
	return int(ps.span[p].start), int(ps.span[p].end), true
}

func (ps *Parts) set(p Part, start, end int, ok bool) {
	if ok {
		ps.span[p].start, ps.span[p].end = int32(start), int32(end)
		ps.found |= 1 << p
	}
}

// PartInHeader finds a part in a header value that holds a name-addr (`"Bob" <sip:b@h>;tag=1`)
// or an addr-spec (`sip:b@h;tag=1`). In the addr-spec form the URI ends at the first ';', since
// what follows is header parameters (RFC 3261 §20.10). ok is false when the part is absent.
func PartInHeader(value []byte, p Part) (start, end int, ok bool) {
	ps := HeaderParts(value)
	return ps.Part(p)
}

// HeaderParts finds every part of a header value, as PartInHeader does one.
func HeaderParts(value []byte) (ps Parts) {
	ps.ReadHeader(value, 0)
	return ps
}

// ReadHeader sets ps to the parts of a header value, with spans counted from base: the value's
// offset in the line that holds it.
func (ps *Parts) ReadHeader(value []byte, base int) {
	*ps = Parts{}
	lt, gt := angleBrackets(value)
	if lt < 0 {
		s := skipWS(value, 0)
		e := s
		for e < len(value) && value[e] != ';' && value[e] != ',' && !isWS(value[e]) {
			e++
		}
		ps.readURI(value[s:e], base+s)
		return
	}
	ps.readURI(value[lt+1:gt], base+lt+1)
	if ds, de, ok := displayName(value[:lt]); ok {
		ps.set(DisplayName, base+ds, base+de, true)
	}
}

// angleBrackets returns the positions of the '<' and '>' around the URI of a name-addr, skipping
// a quoted display name (which may itself contain '<'), or -1 when there are none. Bytes that
// are none of '"', '\\' and '<' are passed over with one table look-up each.
func angleBrackets(v []byte) (lt, gt int) {
	inQuote := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !nameAddrSpecial[c] {
			continue
		}
		switch {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case !inQuote && c == '<':
			if j := bytes.IndexByte(v[i+1:], '>'); j >= 0 {
				return i, i + 1 + j
			}
			return -1, -1
		}
	}
	return -1, -1
}

var nameAddrSpecial = [256]bool{'"': true, '\\': true, '<': true}

// displayName returns the display name before '<': the text inside the quotes of a quoted one,
// or the trimmed tokens of an unquoted one.
func displayName(v []byte) (int, int, bool) {
	s := skipWS(v, 0)
	e := len(v)
	for e > s && isWS(v[e-1]) {
		e--
	}
	if e-s >= 2 && v[s] == '"' && v[e-1] == '"' {
		s, e = s+1, e-1
	}
	if s >= e {
		return 0, 0, false
	}
	return s, e, true
}

// PartInURI finds a part in a bare URI, as in a Request-URI, where every ';' parameter belongs to
// the URI. sip, sips and tel are understood fully; another scheme is read as
// scheme:[//][user[:password]@]host[:port][/path][;params][?query]. ok is false, and the span
// empty, when the part is absent.
func PartInURI(uri []byte, p Part) (start, end int, ok bool) {
	ps := URIParts(uri)
	return ps.Part(p)
}

// URIParts finds every part of a bare URI, as PartInURI does one. A URI has no display name.
func URIParts(uri []byte) (ps Parts) {
	ps.readURI(uri, 0)
	return ps
}

// readURI adds the parts of uri, which starts at base, to ps.
func (ps *Parts) readURI(uri []byte, base int) {
	colon := schemeEnd(uri)
	if colon < 0 {
		return
	}
	if EqualFold(uri[:colon], "tel") {
		ps.telParts(uri, colon+1, base)
		return
	}
	sip := EqualFold(uri[:colon], "sip") || EqualFold(uri[:colon], "sips")
	rest := colon + 1
	if !sip && bytes.HasPrefix(uri[rest:], []byte("//")) {
		rest += 2
	}
	a := scanAddress(uri, rest, sip)
	if s, e, ok := params(uri, a.end); ok {
		ps.set(Params, base+s, base+e, true)
	}
	ps.addressParts(uri, rest, a, base)
}

// address is what one scan of [user[:password]@]host[:port] finds: where it ends, its last '@',
// its first ':', and the first ':' after the last '@' (or from the start, without one); -1 for
// none.
type address struct {
	end, lastAt, firstColon, colonAfterAt int
}

// Bytes that end an address or mark its parts.
const (
	addrPlain uint8 = iota
	addrEnd         // ';' '?'
	addrSlash       // '/': the end of the address in a URI of another scheme than sip
	addrAt
	addrColon
)

var addressBytes = [256]uint8{';': addrEnd, '?': addrEnd, '/': addrSlash, '@': addrAt, ':': addrColon}

// scanAddress reads the address of uri from from, up to the first ';' or '?', or in a URI of
// another scheme than sip also '/', or the end of uri. It passes over ordinary bytes eight at a
// time (addressMarks) and looks at the marked ones: a byte loop took a third of a macro's time.
func scanAddress(uri []byte, from int, sip bool) address {
	a := address{end: len(uri), lastAt: -1, firstColon: -1, colonAfterAt: -1}
	for i := from; i < len(uri); i++ {
		if i+8 <= len(uri) {
			marks := addressMarks(binary.LittleEndian.Uint64(uri[i:]))
			if marks == 0 {
				i += 7
				continue
			}
			i += bits.TrailingZeros64(marks) >> 3
		}
		switch addressBytes[uri[i]] {
		case addrEnd:
			a.end = i
			return a
		case addrSlash:
			if !sip {
				a.end = i
				return a
			}
		case addrAt:
			a.lastAt, a.colonAfterAt = i, -1
		case addrColon:
			if a.firstColon < 0 {
				a.firstColon = i
			}
			if a.colonAfterAt < 0 {
				a.colonAfterAt = i
			}
		}
	}
	return a
}

// addressMarks sets the high bit of the bytes of w that may be ';', '?', '/', '@' or ':'. The
// lowest one set is always such a byte (a byte above one can be marked by the borrow), which is
// all scanAddress needs: it looks at that byte and tests the rest again.
func addressMarks(w uint64) uint64 {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	zero := func(x uint64) uint64 { return (x - ones) &^ x }
	m := zero(w^(';'*ones)) | zero(w^('?'*ones)) | zero(w^('/'*ones)) | zero(w^('@'*ones)) | zero(w^(':'*ones))
	return m & high
}

// addressParts adds User, Host, Port and URI of uri[from:a.end] =
// [user[:password]@]host[:port], with uri at base.
func (ps *Parts) addressParts(uri []byte, from int, a address, base int) {
	to := a.end
	userStart, userEnd, hostStart := from, from, from
	if a.lastAt >= 0 {
		userEnd, hostStart = a.lastAt, a.lastAt+1
		if a.firstColon >= 0 && a.firstColon < a.lastAt {
			userEnd = a.firstColon
		}
	}
	hostEnd := to
	if hostStart < to && uri[hostStart] == '[' {
		if j := bytes.IndexByte(uri[hostStart:to], ']'); j >= 0 {
			hostEnd = hostStart + j + 1
		}
	} else if a.colonAfterAt >= 0 {
		hostEnd = a.colonAfterAt
	}
	ps.set(User, base+userStart, base+userEnd, a.lastAt >= 0)
	ps.set(Host, base+hostStart, base+hostEnd, hostEnd > hostStart)
	ps.set(Port, base+hostEnd+1, base+to, hostEnd < to && uri[hostEnd] == ':' && hostEnd+1 < to)
	ps.set(URI, base+userStart, base+hostEnd, hostEnd > hostStart)
}

// params returns the parameters after the ';' at uri[from], up to a '?' that starts the headers.
func params(uri []byte, from int) (int, int, bool) {
	if from >= len(uri) || uri[from] != ';' {
		return 0, 0, false
	}
	end := len(uri)
	if q := bytes.IndexByte(uri[from+1:], '?'); q >= 0 {
		end = from + 1 + q
	}
	return from + 1, end, true
}

// telParts adds the parts of tel:NUMBER;params (RFC 3966), with uri at base: the number is the
// user and the whole URI.
func (ps *Parts) telParts(uri []byte, from, base int) {
	end := len(uri)
	if i := bytes.IndexByte(uri[from:], ';'); i >= 0 {
		end = from + i
	}
	ps.set(User, base+from, base+end, end > from)
	ps.set(URI, base+from, base+end, end > from)
	if s, e, ok := params(uri, end); ok {
		ps.set(Params, base+s, base+e, true)
	}
}

// schemeEnd returns the index of the ':' after a URI scheme (ALPHA *(ALPHA / DIGIT / + / - / .)),
// or -1.
func schemeEnd(uri []byte) int {
	for i, c := range uri {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return i
		default:
			return -1
		}
	}
	return -1
}

// ReadRequestURI sets ps to the parts of the Request-URI of a request start line, with spans in the
// start line; to none when the line has no Request-URI.
func (ps *Parts) ReadRequestURI(startLine []byte) {
	*ps = Parts{}
	if us, ue, ok := RequestURI(startLine); ok {
		ps.readURI(startLine[us:ue], us)
	}
}

// RequestURI returns the span of the Request-URI in a request start line.
func RequestURI(startLine []byte) (start, end int, ok bool) {
	sp1 := bytes.IndexByte(startLine, ' ')
	sp2 := bytes.LastIndexByte(startLine, ' ')
	if sp1 < 0 || sp2 <= sp1+1 {
		return 0, 0, false
	}
	return sp1 + 1, sp2, true
}

// HeaderParam finds a header parameter by case-insensitive name (";tag=" of From and To) and
// returns its value's span; a parameter without a value has an empty span.
func HeaderParam(value []byte, name string) (start, end int, ok bool) {
	i := 0
	if _, gt := angleBrackets(value); gt >= 0 {
		i = gt + 1
	} else if j := bytes.IndexByte(value, ';'); j >= 0 {
		i = j
	} else {
		return 0, 0, false
	}
	for i < len(value) {
		semi := bytes.IndexByte(value[i:], ';')
		if semi < 0 {
			return 0, 0, false
		}
		ps := skipWS(value, i+semi+1)
		pe := ps
		for pe < len(value) && value[pe] != ';' && value[pe] != ',' {
			pe++
		}
		if s, e, found := paramValue(value, ps, pe, name); found {
			return s, e, true
		}
		i = pe
	}
	return 0, 0, false
}

func paramValue(v []byte, s, e int, name string) (int, int, bool) {
	eq := bytes.IndexByte(v[s:e], '=')
	nameEnd := e
	if eq >= 0 {
		nameEnd = s + eq
	}
	ne := nameEnd
	for ne > s && isWS(v[ne-1]) {
		ne--
	}
	if !EqualFold(v[s:ne], name) {
		return 0, 0, false
	}
	if eq < 0 {
		return e, e, true
	}
	vs := skipWS(v, nameEnd+1)
	ve := e
	for ve > vs && isWS(v[ve-1]) {
		ve--
	}
	return vs, ve, true
}

func skipWS(b []byte, i int) int {
	for i < len(b) && isWS(b[i]) {
		i++
	}
	return i
}

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
