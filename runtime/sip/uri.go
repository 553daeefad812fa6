// Package sip holds the SIP knowledge the runtime needs, as functions over byte slices that
// return spans and do not allocate: the parts of a URI or name-addr that the SMC macros select,
// header parameters, and reason phrases.
package sip

import "bytes"

// Part names what a Macro selects (SMC-SPEC §3). The values follow compile.Macro.
type Part uint8

const (
	DisplayName Part = iota + 1
	URI              // user@host, without port and parameters
	User             // the user part, without a password; a tel URI's number
	Host             // an IPv6 reference keeps its brackets
	Port
	Params // the URI's own parameters, without the leading ';'
)

// PartInHeader finds a part in a header value that holds a name-addr (`"Bob" <sip:b@h>;tag=1`)
// or an addr-spec (`sip:b@h;tag=1`). In the addr-spec form the URI ends at the first ';', since
// what follows is header parameters (RFC 3261 §20.10). ok is false when the part is absent.
func PartInHeader(value []byte, p Part) (start, end int, ok bool) {
	lt, gt := angleBrackets(value)
	if lt < 0 {
		if p == DisplayName {
			return 0, 0, false
		}
		s := skipWS(value, 0)
		e := s
		for e < len(value) && value[e] != ';' && value[e] != ',' && !isWS(value[e]) {
			e++
		}
		ps, pe, ok := PartInURI(value[s:e], p)
		return offset(s, ps, pe, ok)
	}
	if p == DisplayName {
		return displayName(value[:lt])
	}
	ps, pe, ok := PartInURI(value[lt+1:gt], p)
	return offset(lt+1, ps, pe, ok)
}

func offset(base int, start, end int, ok bool) (int, int, bool) {
	if !ok {
		return 0, 0, false
	}
	return base + start, base + end, true
}

// angleBrackets returns the positions of the '<' and '>' around the URI of a name-addr, skipping
// a quoted display name (which may itself contain '<'), or -1 when there are none.
func angleBrackets(v []byte) (lt, gt int) {
	inQuote := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
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
// scheme:[//][user[:password]@]host[:port][/path][;params][?query].
func PartInURI(uri []byte, p Part) (start, end int, ok bool) {
	colon := schemeEnd(uri)
	if colon < 0 || p == DisplayName {
		return 0, 0, false
	}
	if EqualFold(uri[:colon], "tel") {
		return telPart(uri, colon+1, p)
	}
	sip := EqualFold(uri[:colon], "sip") || EqualFold(uri[:colon], "sips")
	rest := colon + 1
	if !sip && bytes.HasPrefix(uri[rest:], []byte("//")) {
		rest += 2
	}
	addrEnd := rest
	for addrEnd < len(uri) && uri[addrEnd] != ';' && uri[addrEnd] != '?' && (sip || uri[addrEnd] != '/') {
		addrEnd++
	}
	if p == Params {
		return params(uri, addrEnd)
	}
	return addressPart(uri, rest, addrEnd, p)
}

// addressPart finds User, Host, Port or URI in uri[from:to] = [user[:password]@]host[:port].
func addressPart(uri []byte, from, to int, p Part) (int, int, bool) {
	at := bytes.LastIndexByte(uri[from:to], '@')
	userStart, userEnd, hostStart := from, from, from
	if at >= 0 {
		userEnd, hostStart = from+at, from+at+1
		if c := bytes.IndexByte(uri[from:userEnd], ':'); c >= 0 {
			userEnd = from + c
		}
	}
	hostEnd := hostStart
	if hostEnd < to && uri[hostEnd] == '[' {
		if j := bytes.IndexByte(uri[hostEnd:to], ']'); j >= 0 {
			hostEnd += j + 1
		} else {
			hostEnd = to
		}
	} else {
		for hostEnd < to && uri[hostEnd] != ':' {
			hostEnd++
		}
	}
	switch p {
	case User:
		return userStart, userEnd, at >= 0
	case Host:
		return hostStart, hostEnd, hostEnd > hostStart
	case Port:
		if hostEnd < to && uri[hostEnd] == ':' && hostEnd+1 < to {
			return hostEnd + 1, to, true
		}
		return 0, 0, false
	case URI:
		return userStart, hostEnd, hostEnd > hostStart
	}
	return 0, 0, false
}

// params returns the parameters after the ';' at uri[from], up to a '?' that starts the headers.
func params(uri []byte, from int) (int, int, bool) {
	if from >= len(uri) || uri[from] != ';' {
		return 0, 0, false
	}
	end := from + 1
	for end < len(uri) && uri[end] != '?' {
		end++
	}
	return from + 1, end, true
}

// telPart handles tel:NUMBER;params (RFC 3966): the number is the user and the whole URI.
func telPart(uri []byte, from int, p Part) (int, int, bool) {
	end := from
	for end < len(uri) && uri[end] != ';' {
		end++
	}
	switch p {
	case User, URI:
		return from, end, end > from
	case Params:
		return params(uri, end)
	}
	return 0, 0, false
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
