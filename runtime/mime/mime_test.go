package mime

import (
	"strings"
	"testing"
)

func TestMediaType(t *testing.T) {
	tests := []struct {
		in                  string
		typ, sub, params    string
		ok                  bool
		boundary, version   string
		hasBound, hasVerson bool
	}{
		{in: "application/sdp", typ: "application", sub: "sdp", ok: true},
		{in: "  Multipart/Mixed ;boundary=unique-boundary-1", typ: "Multipart", sub: "Mixed", params: " ;boundary=unique-boundary-1", ok: true, boundary: "unique-boundary-1", hasBound: true},
		{in: `multipart/mixed; boundary="simple boundary"; x=1`, typ: "multipart", sub: "mixed", params: `; boundary="simple boundary"; x=1`, ok: true, boundary: "simple boundary", hasBound: true},
		{in: "application/isup; version=ansi88; base=ansi88", typ: "application", sub: "isup", params: "; version=ansi88; base=ansi88", ok: true, version: "ansi88", hasVerson: true},
		{in: "application/ISUP;VERSION = itu-t92+", typ: "application", sub: "ISUP", params: ";VERSION = itu-t92+", ok: true, version: "itu-t92+", hasVerson: true},
		{in: `application/isup;base=x;version="ansi00"`, typ: "application", sub: "isup", params: `;base=x;version="ansi00"`, ok: true, version: "ansi00", hasVerson: true},
		{in: "multipart / mixed;\r\n boundary=b", typ: "multipart", sub: "mixed", params: ";\r\n boundary=b", ok: true, boundary: "b", hasBound: true},
		{in: `multipart/mixed; boundary="unterminated`, typ: "multipart", sub: "mixed", params: `; boundary="unterminated`, ok: true},
		{in: `multipart/mixed; boundary=`, typ: "multipart", sub: "mixed", params: `; boundary=`, ok: true},
		{in: `multipart/mixed boundary=b`, typ: "multipart", sub: "mixed", params: ` boundary=b`, ok: true},
		{in: "multipart", ok: false},
		{in: "/mixed", ok: false},
		{in: "multipart/", ok: false},
		{in: "", ok: false},
	}
	for _, tt := range tests {
		typ, sub, params, ok := MediaType([]byte(tt.in))
		if ok != tt.ok || string(typ) != tt.typ || string(sub) != tt.sub || string(params) != tt.params {
			t.Errorf("MediaType(%q) = %q %q %q %v, want %q %q %q %v", tt.in, typ, sub, params, ok, tt.typ, tt.sub, tt.params, tt.ok)
		}
		b, okb := Param(params, "boundary")
		v, okv := Param(params, "version")
		if okb != tt.hasBound || string(b) != tt.boundary || okv != tt.hasVerson || string(v) != tt.version {
			t.Errorf("%q: boundary %q %v, version %q %v; want %q %v, %q %v", tt.in, b, okb, v, okv, tt.boundary, tt.hasBound, tt.version, tt.hasVerson)
		}
	}
	if !Is([]byte("APPLICATION/isup;version=ansi88"), "application", "ISUP") || Is([]byte("application/isupx"), "application", "isup") {
		t.Error("Is compares type and subtype case-insensitively, and whole")
	}
}

func TestMultipartContentType(t *testing.T) {
	if b, ok := Multipart([]byte(`multipart/mixed;boundary="a b"`)); !ok || string(b) != "a b" {
		t.Errorf("got %q %v", b, ok)
	}
	if b, ok := Multipart([]byte(`multipart/related`)); !ok || b != nil {
		t.Errorf("no boundary: got %q %v", b, ok)
	}
	if _, ok := Multipart([]byte(`application/sdp;boundary=x`)); ok {
		t.Error("application/sdp is not multipart")
	}
}

// part is what a test expects of one part: its headers' values and its content.
type part struct{ typ, enc, content string }

// readAll reads every part of body.
func readAll(body, boundary string) ([]part, []Part, Reader) {
	r := NewReader([]byte(body), []byte(boundary))
	var got []part
	var raw []Part
	var p Part
	for r.Next(&p) {
		got = append(got, part{string(p.Type), string(p.Encoding), body[p.Content:p.End]})
		raw = append(raw, p)
	}
	return got, raw, r
}

func TestReaderShapes(t *testing.T) {
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	sdp := "v=0\nc=IN IP4 192.0.2.1\n"
	sdpLast := "v=0\nc=IN IP4 192.0.2.1" // the line break before a delimiter is the delimiter's
	isup := "\x01\x00\x60\x01\x0a\x00\x02\x09\x07\x03\x10\x55\x15\x32\x54\x76\x0a\x07\x03\x13\x55\x05\x00\x11\x11\x00"
	tests := []struct {
		name, body, boundary string
		want                 []part
		err                  error
		epilogue             string
	}{
		{name: "SIP-I, CRLF", boundary: "unique-boundary-1",
			body: crlf("--unique-boundary-1\nContent-Type: application/sdp\n\n"+sdp+"--unique-boundary-1\nContent-Type: application/ISUP;version=itu-t92+\nContent-Disposition: signal;handling=optional\n\n") + isup + "\r\n--unique-boundary-1--\r\n",
			want: []part{{"application/sdp", "", crlf(sdpLast)}, {"application/ISUP;version=itu-t92+", "", isup}}},
		{name: "LF only", boundary: "b",
			body: "--b\nContent-Type: application/sdp\n\n" + sdp + "--b\nContent-Type: application/isup\n\n" + isup + "\n--b--\n",
			want: []part{{"application/sdp", "", sdpLast}, {"application/isup", "", isup}}},
		{name: "preamble and epilogue", boundary: "b",
			body: crlf("This is a preamble.\n--b\nContent-Type: text/plain\n\nhello\n--b--\nThis is the epilogue.\n"),
			want: []part{{"text/plain", "", "hello"}}, epilogue: "This is the epilogue.\r\n"},
		{name: "quoted boundary with a space, transport padding", boundary: "simple boundary",
			body: crlf("--simple boundary  \nContent-Type: a/b\n\nx\n--simple boundary--\t\n"),
			want: []part{{"a/b", "", "x"}}},
		{name: "close delimiter ends the body", boundary: "b",
			body: crlf("--b\nContent-Type: a/b\n\nx\n--b--"),
			want: []part{{"a/b", "", "x"}}},
		{name: "part with no headers, empty part, part of headers only", boundary: "b",
			body: crlf("--b\n\nno headers\n--b\n--b\nContent-Type: a/b\n--b--\n"),
			want: []part{{"", "", "no headers"}, {"", "", ""}, {"a/b", "", ""}}},
		{name: "folded and case-insensitive part headers, the first wins", boundary: "b",
			body: crlf("--b\ncontent-type:\n application/ISUP;\n\tversion=ansi88\nCONTENT-TRANSFER-ENCODING : binary\nContent-Type: text/plain\n\n") + isup + crlf("\n--b--\n"),
			want: []part{{"application/ISUP;\r\n\tversion=ansi88", "binary", isup}}},
		{name: "a longer boundary and a boundary inside a line are content", boundary: "b",
			body: crlf("--b\nContent-Type: text/plain\n\n--bx\nsee --b\n--b--\n"),
			want: []part{{"text/plain", "", "--bx\r\nsee --b"}}},
		{name: "content ending in an empty line", boundary: "b",
			body: crlf("--b\nContent-Type: application/sdp\n\n" + sdp + "\n--b--\n"),
			want: []part{{"application/sdp", "", crlf(sdp)}}},
		{name: "only a close delimiter", boundary: "b", body: "--b--\r\n", epilogue: ""},
		{name: "no close delimiter", boundary: "b",
			body: crlf("--b\nContent-Type: a/b\n\nx\n--b\nContent-Type: application/isup\n\n") + isup,
			want: []part{{"a/b", "", "x"}}, err: ErrUnclosed},
		{name: "no delimiter at all", boundary: "b", body: sdp, err: ErrNoDelimiter},
		{name: "a delimiter not at a line start", boundary: "b", body: "x--b\r\n\r\nx\r\n", err: ErrNoDelimiter},
		{name: "a preamble with a boundary inside a line", boundary: "b", body: "x--b\r\n--b\r\n\r\nx\r\n--b--\r\n", want: []part{{"", "", "x"}}},
		{name: "no boundary", boundary: "", body: "--\r\n\r\n", err: ErrBoundary},
		{name: "boundary too long", boundary: strings.Repeat("x", MaxBoundary+1), body: "--" + strings.Repeat("x", MaxBoundary+1) + "--\r\n", err: ErrBoundary},
		{name: "boundary of the longest length", boundary: strings.Repeat("x", MaxBoundary),
			body: "--" + strings.Repeat("x", MaxBoundary) + "\r\n\r\ny\r\n--" + strings.Repeat("x", MaxBoundary) + "--",
			want: []part{{"", "", "y"}}},
	}
	for _, tt := range tests {
		got, _, r := readAll(tt.body, tt.boundary)
		if len(got) != len(tt.want) {
			t.Errorf("%s: %d parts %q, want %d %q", tt.name, len(got), got, len(tt.want), tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s: part %d = %q, want %q", tt.name, i+1, got[i], tt.want[i])
			}
		}
		if r.Err() != tt.err {
			t.Errorf("%s: error %v, want %v", tt.name, r.Err(), tt.err)
		}
		if tt.err == nil && tt.body[r.Epilogue():] != tt.epilogue {
			t.Errorf("%s: epilogue %q, want %q", tt.name, tt.body[r.Epilogue():], tt.epilogue)
		}
	}
}

// TestReaderOffsets checks that the offsets of a part cover the body in order: headers, then
// content, then the delimiter.
func TestReaderOffsets(t *testing.T) {
	body := "preamble\r\n--b\r\nContent-Type: a/b\r\n\r\nxy\r\n--b\r\n\r\nz\r\n--b--\r\n"
	_, parts, r := readAll(body, "b")
	if r.Err() != nil || len(parts) != 2 {
		t.Fatalf("%v %v", parts, r.Err())
	}
	want := [][3]int{{15, 36, 38}, {45, 47, 48}}
	for i, p := range parts {
		if got := [3]int{p.Start, p.Content, p.End}; got != want[i] {
			t.Errorf("part %d at %v, want %v", i+1, got, want[i])
		}
	}
}

func TestReaderAllocs(t *testing.T) {
	body := []byte("--b\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--b\r\nContent-Type: application/isup\r\n\r\n\x01\r\n--b--\r\n")
	ct := []byte("multipart/mixed; boundary=\"b\"")
	n := testing.AllocsPerRun(100, func() {
		boundary, _ := Multipart(ct)
		r := NewReader(body, boundary)
		var p Part
		for r.Next(&p) {
			Is(p.Type, "application", "isup")
		}
	})
	if n != 0 {
		t.Errorf("reading a multipart body allocates %v times", n)
	}
}
