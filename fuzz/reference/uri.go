package reference

import (
	"regexp"
	"strings"
)

// The macros of SMC-SPEC §3: parts of a SIP URI or name-addr, as spans of the text they are
// found in. Written from the spec's table and RFC 3261 §19.1.1 / §20.10 (and RFC 3966 for tel),
// not from the engine's scanner.

// A part is a span of the text a macro ran on; ok is false when the macro finds nothing.
type part struct {
	start, end int
	ok         bool
}

// found is a part that is present and not empty. "A macro that finds nothing yields the empty
// string" (SMC-SPEC §3); an empty part is treated as finding nothing.
func found(start, end int) part { return part{start, end, end > start} }

func (p part) shift(by int) part {
	if p.ok {
		p.start, p.end = p.start+by, p.end+by
	}
	return p
}

// headerPart finds a macro's part in a header value: the URI in angle brackets when there are
// any, otherwise the addr-spec, which runs to the first ';' (SMC-SPEC §3), ',' or white space
// after any leading white space (docs/semantics.md §3, after RFC 3261 §20.10).
func headerPart(v, macro string) part {
	if lt, gt := angleBrackets(v); lt >= 0 {
		if macro == "GETDISPLAYNAME" {
			return displayName(v[:lt])
		}
		return uriPart(v[lt+1:gt], macro).shift(lt + 1)
	}
	if macro == "GETDISPLAYNAME" {
		return part{}
	}
	start := 0
	for start < len(v) && isSpace(v[start]) {
		start++
	}
	end := start
	for end < len(v) && v[end] != ';' && v[end] != ',' && !isSpace(v[end]) {
		end++
	}
	return uriPart(v[start:end], macro).shift(start)
}

// angleBrackets finds the '<' and '>' around the URI of a name-addr, outside a quoted display
// name (RFC 3261 quoted-string, with backslash escapes); -1, -1 when there are none.
func angleBrackets(v string) (lt, gt int) {
	quoted := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && c == '<':
			if j := strings.IndexByte(v[i:], '>'); j >= 0 {
				return i, i + j
			}
			return -1, -1
		}
	}
	return -1, -1
}

// displayName is the text before '<', trimmed, without its quotes when it is quoted; escapes
// inside the quotes stay (docs/semantics.md §3).
func displayName(before string) part {
	s, e := 0, len(before)
	for s < e && isSpace(before[s]) {
		s++
	}
	for e > s && isSpace(before[e-1]) {
		e--
	}
	if e-s >= 2 && before[s] == '"' && before[e-1] == '"' {
		s, e = s+1, e-1
	}
	return found(s, e)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// uriPart finds a macro's part in a bare URI, where every ';' parameter is the URI's own.
func uriPart(uri, macro string) part {
	colon := schemeColon(uri)
	if colon < 0 || macro == "GETDISPLAYNAME" {
		return part{}
	}
	scheme := strings.ToLower(uri[:colon])
	if scheme == "tel" {
		return telPart(uri, colon+1, macro)
	}
	from := colon + 1
	sip := scheme == "sip" || scheme == "sips"
	if !sip && strings.HasPrefix(uri[from:], "//") {
		from += 2 // scheme://authority: the address follows the slashes
	}
	end := len(uri)
	stops := ";?"
	if !sip {
		stops = ";?/"
	}
	if i := strings.IndexAny(uri[from:], stops); i >= 0 {
		end = from + i
	}
	if macro == "GETURI_PARAMETERS" {
		return params(uri, end)
	}
	return addressPart(uri[from:end], macro).shift(from)
}

// addressPart finds a part of [user[:password]@]host[:port].
func addressPart(a, macro string) part {
	userEnd, hostStart := 0, 0
	if at := strings.LastIndexByte(a, '@'); at >= 0 {
		userEnd, hostStart = at, at+1
		if c := strings.IndexByte(a[:at], ':'); c >= 0 {
			userEnd = c
		}
	}
	hostEnd := len(a)
	if strings.HasPrefix(a[hostStart:], "[") {
		if j := strings.IndexByte(a[hostStart:], ']'); j >= 0 {
			hostEnd = hostStart + j + 1
		}
	} else if c := strings.IndexByte(a[hostStart:], ':'); c >= 0 {
		hostEnd = hostStart + c
	}
	switch macro {
	case "GETURI_USERNAME":
		return found(0, userEnd)
	case "GETURI_HOST":
		return found(hostStart, hostEnd)
	case "GETURI_PORT":
		if hostEnd < len(a) && a[hostEnd] == ':' {
			return found(hostEnd+1, len(a))
		}
		return part{}
	case "GETURI":
		if hostEnd == hostStart {
			return part{} // no host: no user@host
		}
		return found(0, hostEnd)
	}
	return part{}
}

// params is the parameters after the ';' at uri[at], up to a '?' that starts the URI's headers.
func params(uri string, at int) part {
	if at >= len(uri) || uri[at] != ';' {
		return part{}
	}
	end := len(uri)
	if q := strings.IndexByte(uri[at:], '?'); q >= 0 {
		end = at + q
	}
	return found(at+1, end)
}

// telPart: tel:NUMBER;params (RFC 3966); the number is the user part and the whole URI.
func telPart(uri string, from int, macro string) part {
	end := len(uri)
	if i := strings.IndexByte(uri[from:], ';'); i >= 0 {
		end = from + i
	}
	switch macro {
	case "GETURI", "GETURI_USERNAME":
		return found(from, end)
	case "GETURI_PARAMETERS":
		return params(uri, end)
	}
	return part{}
}

// uriScheme is RFC 3986 §3.1's scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) with the
// ':' that ends it, spelled as a regular expression from the ABNF. The engine scans bytes; an
// oracle that copied its loop would share any mistake in it.
var uriScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.\-]*:`)

// schemeColon returns the index of the ':' after the URI's scheme, or -1 when the URI does not
// start with a scheme.
func schemeColon(uri string) int {
	loc := uriScheme.FindStringIndex(uri)
	if loc == nil {
		return -1
	}
	return loc[1] - 1
}

// requestURI is the span of the Request-URI in a request line.
func requestURI(start string) (int, int) {
	method, rest, _ := strings.Cut(start, " ")
	uri, _, _ := strings.Cut(rest, " ")
	return len(method) + 1, len(method) + 1 + len(uri)
}
