// Package mime reads the MIME structure of a SIP body: a Content-Type value (RFC 2045 §5.1) and
// the parts of a multipart body (RFC 2046 §5.1). SIP-I and SIP-T INVITEs carry an SDP offer and a
// binary ISUP message side by side in a multipart/mixed body (RFC 3204); the runtime reads that
// structure to find the ISUP message and to keep its rules' body lines inside the text parts.
//
// Everything here returns spans of the bytes it is given and never allocates, since it runs on
// the packet path.
package mime

import "github.com/smcproject/smc/runtime/sip"

// MediaType splits a Content-Type value into its type, subtype and parameter text: for
// `multipart/mixed; boundary=b` it returns `multipart`, `mixed` and `; boundary=b`. White space
// around the value and around the slash is allowed, as SIP header values are written with and
// without it. ok is false when the value does not start with type "/" subtype, each a token.
func MediaType(value []byte) (typ, sub, params []byte, ok bool) {
	i := skipSpace(value, 0)
	t := i + tokenLen(value[i:])
	j := skipSpace(value, t)
	if t == i || j == len(value) || value[j] != '/' {
		return nil, nil, nil, false
	}
	j = skipSpace(value, j+1)
	s := j + tokenLen(value[j:])
	if s == j {
		return nil, nil, nil, false
	}
	return value[i:t], value[j:s], value[s:], true
}

// Is reports whether a Content-Type value names the media type typ/sub, compared ASCII
// case-insensitively (RFC 2045 §5.1: type, subtype and parameter names are case-insensitive).
func Is(value []byte, typ, sub string) bool {
	t, s, _, ok := MediaType(value)
	return ok && sip.EqualFold(t, typ) && sip.EqualFold(s, sub)
}

// Param returns the value of the parameter called name in the parameter text that MediaType
// returned: a token, or the text between the quotes of a quoted string (with any backslash
// escape left as written: boundaries and ISUP versions have none). Names are compared
// case-insensitively; when a name is given twice the first counts. ok is false when the
// parameter is absent or the text before it is not a parameter list.
func Param(params []byte, name string) (value []byte, ok bool) {
	for i := 0; ; {
		i = skipSpace(params, i)
		if i == len(params) || params[i] != ';' {
			return nil, false
		}
		i = skipSpace(params, i+1)
		a := i + tokenLen(params[i:])
		eq := skipSpace(params, a)
		if a == i || eq == len(params) || params[eq] != '=' {
			return nil, false
		}
		vs, ve, next, ok := paramValue(params, skipSpace(params, eq+1))
		if !ok {
			return nil, false
		}
		if sip.EqualFold(params[i:a], name) {
			return params[vs:ve], true
		}
		i = next
	}
}

// paramValue reads the token or quoted string at b[i]: its value span and the position after it.
func paramValue(b []byte, i int) (start, end, next int, ok bool) {
	if i < len(b) && b[i] == '"' {
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return i + 1, j, j + 1, true
			}
		}
		return 0, 0, 0, false // an unterminated quoted string
	}
	n := tokenLen(b[i:])
	return i, i + n, i + n, n > 0
}

// skipSpace returns the position of the first byte from i on that is not white space. Folded
// header values keep their line breaks, which count as white space here.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// tokenLen returns the length of the RFC 2045 token that b starts with: printable ASCII but
// space and tspecials.
func tokenLen(b []byte) int {
	for i, c := range b {
		if !tokenChar[c] {
			return i
		}
	}
	return len(b)
}

var tokenChar = func() (t [256]bool) {
	for c := 0x21; c < 0x7f; c++ {
		t[c] = true
	}
	for _, c := range `()<>@,;:\"/[]?=` {
		t[c] = false
	}
	return t
}()
