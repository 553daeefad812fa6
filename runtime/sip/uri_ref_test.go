package sip

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// refPartInHeader is PartInHeader as it was before Parts, one part per call: the reference the
// one-pass version is tested against. It finds a part in a header value that holds a name-addr (`"Bob" <sip:b@h>;tag=1`)
// or an addr-spec (`sip:b@h;tag=1`). In the addr-spec form the URI ends at the first ';', since
// what follows is header parameters (RFC 3261 §20.10). ok is false when the part is absent.
func refPartInHeader(value []byte, p Part) (start, end int, ok bool) {
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
		ps, pe, ok := refPartInURI(value[s:e], p)
		return refOffset(s, ps, pe, ok)
	}
	if p == DisplayName {
		return displayName(value[:lt])
	}
	ps, pe, ok := refPartInURI(value[lt+1:gt], p)
	return refOffset(lt+1, ps, pe, ok)
}

func refOffset(base int, start, end int, ok bool) (int, int, bool) {
	if !ok {
		return 0, 0, false
	}
	return base + start, base + end, true
}

// refPartInURI finds a part in a bare URI, as in a Request-URI, where every ';' parameter belongs to
// the URI. sip, sips and tel are understood fully; another scheme is read as
// scheme:[//][user[:password]@]host[:port][/path][;params][?query].
func refPartInURI(uri []byte, p Part) (start, end int, ok bool) {
	colon := schemeEnd(uri)
	if colon < 0 || p == DisplayName {
		return 0, 0, false
	}
	if EqualFold(uri[:colon], "tel") {
		return refTelPart(uri, colon+1, p)
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
	return refAddressPart(uri, rest, addrEnd, p)
}

// refAddressPart finds User, Host, Port or URI in uri[from:to] = [user[:password]@]host[:port].
func refAddressPart(uri []byte, from, to int, p Part) (int, int, bool) {
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

// refTelPart handles tel:NUMBER;params (RFC 3966): the number is the user and the whole URI.
func refTelPart(uri []byte, from int, p Part) (int, int, bool) {
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

// The one-pass Parts agree with the part-by-part reference on every part of every header value
// and Request-URI of the shared corpus and of the fuzzer's inputs.
func TestPartsAgreeWithReference(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/corpus/rfc4475/*.dat")
	more, _ := filepath.Glob("../../../shared/bench/*.sip")
	files = append(files, more...)
	if len(files) == 0 {
		t.Skip("shared corpus not found")
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range bytes.Split(b, []byte("\n")) {
			if i := bytes.IndexByte(line, ':'); i >= 0 {
				checkParts(t, line[i+1:])
			}
			checkParts(t, line)
			n++
		}
	}
	t.Logf("%d lines", n)
}

func FuzzParts(f *testing.F) {
	f.Add([]byte(`"A" <sip:a:b@[::1]:5;x=y?h=1>;tag=2`))
	f.Add([]byte(`<tel:+1555;phone-context=x>`))
	f.Add([]byte(`http://u@h:80/p;q?r`))
	f.Fuzz(func(t *testing.T, v []byte) { checkParts(t, v) })
}

func checkParts(t *testing.T, v []byte) {
	t.Helper()
	h, u := HeaderParts(v), URIParts(v)
	for p := DisplayName; p <= Params; p++ {
		s, e, ok := h.Part(p)
		if rs, re, rok := refPartInHeader(v, p); !sameSpan(s, e, ok, rs, re, rok) {
			t.Fatalf("HeaderParts(%q) part %d = %d, %d, %v; reference %d, %d, %v", v, p, s, e, ok, rs, re, rok)
		}
		s, e, ok = u.Part(p)
		if rs, re, rok := refPartInURI(v, p); !sameSpan(s, e, ok, rs, re, rok) {
			t.Fatalf("URIParts(%q) part %d = %d, %d, %v; reference %d, %d, %v", v, p, s, e, ok, rs, re, rok)
		}
	}
}

// sameSpan: both found the same span, or both found nothing. The reference's PartInURI returned
// whatever span it had reached for an absent part, which no caller read; Parts says 0, 0.
func sameSpan(s, e int, ok bool, rs, re int, rok bool) bool {
	if !ok {
		return !rok && s == 0 && e == 0
	}
	return rok && s == rs && e == re
}
