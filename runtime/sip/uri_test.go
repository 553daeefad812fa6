package sip

import (
	"bytes"
	"regexp"
	"testing"
)

func TestPartInHeader(t *testing.T) {
	const batman = "Batman <sip:18665551000@192.168.0.10:5060;isup-oli=62>;tag=1"
	tests := []struct {
		value string
		part  Part
		want  string
		ok    bool
	}{
		{batman, DisplayName, "Batman", true},
		{batman, URI, "18665551000@192.168.0.10", true},
		{batman, User, "18665551000", true},
		{batman, Host, "192.168.0.10", true},
		{batman, Port, "5060", true},
		{batman, Params, "isup-oli=62", true},
		{`"Sansay Lab 1"<sip:8587542200@sansaylab1.com>;tag=ad12805e`, DisplayName, "Sansay Lab 1", true},
		{`"Sansay Lab 1"<sip:8587542200@sansaylab1.com>;tag=ad12805e`, Port, "", false},
		{`"Sansay Lab 1"<sip:8587542200@sansaylab1.com>;tag=ad12805e`, Params, "", false},
		{`"a <b> ;c" <sip:x@y>`, DisplayName, "a <b> ;c", true},
		{`"a <b> ;c" <sip:x@y>`, User, "x", true},
		{"sip:alice@example.com;tag=1", User, "alice", true},
		{"sip:alice@example.com;tag=1", Params, "", false},
		{"sip:alice@example.com;tag=1", DisplayName, "", false},
		{"<sip:alice:secret@example.com>", User, "alice", true},
		{"<sip:alice:secret@example.com>", URI, "alice:secret@example.com", true},
		{"<sip:example.com:5070;transport=tcp>", URI, "example.com", true},
		{"<sip:example.com:5070;transport=tcp>", User, "", false},
		{"<sip:[2001:db8::1]:5060>", Host, "[2001:db8::1]", true},
		{"<sip:[2001:db8::1]:5060>", Port, "5060", true},
		{"<tel:+15551234;phone-context=example.com>", User, "+15551234", true},
		{"<tel:+15551234;phone-context=example.com>", Host, "", false},
		{"<tel:+15551234;phone-context=example.com>", Params, "phone-context=example.com", true},
		{"<sip:a@b;lr?Subject=x>", Params, "lr", true},
		{"*", User, "", false},
		{"<http://peer.example.org/info>;purpose=x-vendor", Host, "peer.example.org", true},
		{"<sip:anonymous;tgrp=80181;trunk-context=1234512340@192.168.0.10:5060>", Params, "tgrp=80181;trunk-context=1234512340@192.168.0.10:5060", true},
	}
	for _, tt := range tests {
		s, e, ok := PartInHeader([]byte(tt.value), tt.part)
		if ok != tt.ok || tt.value[s:e] != tt.want {
			t.Errorf("PartInHeader(%q, %d) = %q, %v; want %q, %v", tt.value, tt.part, tt.value[s:e], ok, tt.want, tt.ok)
		}
	}
}

func TestRequestURIAndParam(t *testing.T) {
	line := []byte("INVITE sip:011442071838750@core.example.net;user=phone SIP/2.0")
	s, e, ok := RequestURI(line)
	if !ok || string(line[s:e]) != "sip:011442071838750@core.example.net;user=phone" {
		t.Fatalf("RequestURI = %q", line[s:e])
	}
	ps, pe, ok := PartInURI(line[s:e], Params)
	if !ok || string(line[s+ps:s+pe]) != "user=phone" {
		t.Errorf("params %q", line[s+ps:s+pe])
	}
	for _, tt := range []struct{ value, want string }{
		{`"A" <sip:a@b;tag=no>;tag=1928301774`, "1928301774"},
		{"sip:a@b ; TAG = x ;lr", "x"},
		{"<sip:a@b>", ""},
	} {
		s, e, ok := HeaderParam([]byte(tt.value), "tag")
		if ok != (tt.want != "") || tt.value[s:e] != tt.want {
			t.Errorf("HeaderParam(%q) = %q, %v", tt.value, tt.value[s:e], ok)
		}
	}
}

func TestAllocs(t *testing.T) {
	v := []byte(`"Bob" <sip:bob@example.com:5060;transport=udp>;tag=x`)
	if n := testing.AllocsPerRun(100, func() {
		for p := DisplayName; p <= Params; p++ {
			PartInHeader(v, p)
		}
		HeaderParam(v, "tag")
	}); n != 0 {
		t.Errorf("allocations: %v", n)
	}
}

func TestReason(t *testing.T) {
	for code, want := range map[int]string{403: "Forbidden", 488: "Not Acceptable Here", 607: "Unwanted", 608: "Rejected", 499: "", 42: "", 700: ""} {
		if got := Reason(code); got != want {
			t.Errorf("Reason(%d) = %q, want %q", code, got, want)
		}
	}
}

// FuzzPartInHeader checks the spans of every macro part of an arbitrary header value:
//
//   - Each lies inside the value, and an absent part is 0, 0.
//   - Read with a base (the value's offset in its line, as the runtime reads it), the parts are
//     the same spans moved by the base.
//   - The value as the Request-URI of a start line gives the parts URIParts gives the value alone,
//     moved to where it sits in the line.
//   - HeaderParam's span is preceded by ";tag" with an optional "=" (white space around each) and
//     holds no ';' or ','.
//   - None of them allocates.
//
// FuzzParts holds the same functions to the part-by-part reference. The seeds of both, in
// testdata/fuzz (README.md there), are the header values and Request-URIs of the examples' and
// the conformance suite's messages.
func FuzzPartInHeader(f *testing.F) {
	f.Add([]byte(`"A" <sip:a:b@[::1]:5;x=y?h=1>;tag=2`))
	f.Fuzz(func(t *testing.T, v []byte) {
		var based Parts
		based.ReadHeader(v, 100)
		line := append([]byte("INVITE "), v...)
		line = append(line, " SIP/2.0"...)
		var inLine Parts
		inLine.ReadRequestURI(line)
		u := URIParts(v)
		for p := DisplayName; p <= Params; p++ {
			s, e, ok := PartInHeader(v, p)
			if s < 0 || e < s || e > len(v) || !ok && (s != 0 || e != 0) {
				t.Fatalf("PartInHeader(%q, %d) = %d, %d, %v", v, p, s, e, ok)
			}
			if bs, be, bok := based.Part(p); bok != ok || ok && (bs != s+100 || be != e+100) {
				t.Fatalf("ReadHeader(%q, 100) part %d = %d, %d, %v; without a base %d, %d, %v", v, p, bs, be, bok, s, e, ok)
			}
			us, ue, uok := u.Part(p)
			if ls, le, lok := inLine.Part(p); lok != uok || uok && (ls != us+7 || le != ue+7) {
				t.Fatalf("ReadRequestURI(%q) part %d = %d, %d, %v; URIParts of the URI %d, %d, %v", line, p, ls, le, lok, us, ue, uok)
			}
		}
		s, e, ok := HeaderParam(v, "tag")
		if s < 0 || e < s || e > len(v) {
			t.Fatalf("HeaderParam(%q) = %d, %d", v, s, e)
		}
		if ok && (!tagBefore.Match(v[:s]) || bytes.ContainsAny(v[s:e], ";,")) {
			t.Fatalf("HeaderParam(%q) = %q after %q", v, v[s:e], v[:s])
		}
		if n := testing.AllocsPerRun(2, func() {
			HeaderParts(v)
			URIParts(v)
			HeaderParam(v, "tag")
		}); n != 0 {
			t.Fatalf("%v allocations on %q", n, v)
		}
	})
}

// tagBefore is what precedes the value of a tag parameter.
var tagBefore = regexp.MustCompile(`(?i);[ \t\r\n]*tag[ \t\r\n]*(=[ \t\r\n]*)?$`)
