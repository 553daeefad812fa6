package sipmsg

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse holds the parser to what SMC-SPEC §2 and the package promise, for any bytes:
//
//   - Parsing is deterministic: a Message reused after another message, and a fresh one, give the
//     same error and the same lines.
//   - The framing agrees with an independent reading of the bytes (checkFraming): the body starts
//     after the first empty line, a Content-Length (or l) header that is not a number, or larger
//     than the data, makes the message unparseable, and one smaller than the data leaves the extra
//     bytes as they are.
//   - Every line is a span of the input, in order, each followed by the ending it says it has,
//     with its value inside its text and its name interned (checkSpans).
//   - A message serialises to exactly its input before and after its body is split, and after
//     edits that change nothing: a header set to its own value, a line rewritten with its own
//     text, a line added and deleted again, the Content-Length fix-up (checkNoopEdits).
//   - A message with a header and a body line added serialises to a message that parses again,
//     to the same lines plus the added ones, with a Content-Length equal to its new body
//     (checkGrown).
//   - Parsing does not allocate once the buffers have grown.
//
// The seeds in testdata/fuzz/FuzzParse are the input messages of the conformance suite's §2
// cases and of the examples (README.md there); the shared corpus's torture messages are added
// when ../shared/corpus is beside the repository.
func FuzzParse(f *testing.F) {
	f.Add(crlf(invite))
	f.Add([]byte("SIP/2.0 200 OK\r\nl: 0\r\n\r\n"))
	f.Add([]byte("INVITE sip:a@b SIP/2.0\nX: a\n b\n\nbody"))
	addSharedMessages(f)
	nt := NewNameTable()
	f.Fuzz(func(t *testing.T, in []byte) {
		var m Message
		err := m.Parse(in, nt)
		checkDeterministic(t, in, &m, err)
		checkFraming(t, in, &m, err)
		if err != nil {
			return
		}
		if got := m.AppendTo(nil); !bytes.Equal(got, in) {
			t.Fatalf("round trip changed the message before its body was split:\n%q\n%q", in, got)
		}
		directives := m.Directives()
		if m.Len() != m.parsed || m.Directives() != directives {
			t.Fatalf("splitting the body made %d lines (%d counted) and %d directives (%d before)", m.Len(), m.parsed, m.Directives(), directives)
		}
		if got := m.AppendTo(nil); !bytes.Equal(got, in) {
			t.Fatalf("round trip changed the message:\n%q\n%q", in, got)
		}
		if m.BodyLen() != m.OrigBodyLen() {
			t.Fatalf("body length %d, parsed %d", m.BodyLen(), m.OrigBodyLen())
		}
		checkSpans(t, in, &m)
		ids := make([]uint16, nt.Len())
		for id := range ids {
			ids[id] = uint16(id)
		}
		if err := indexAgrees(&m, ids...); err != "" {
			t.Fatal(err)
		}
		if !m.Unchanged() {
			t.Fatalf("a message just parsed is not Unchanged")
		}
		checkNoopEdits(t, in, nt)
		checkGrown(t, in, nt)
		if n := testing.AllocsPerRun(3, func() { m.Parse(in, nt); m.Len() }); n != 0 {
			t.Fatalf("Parse allocates %v times", n)
		}
	})
}

// addSharedMessages adds the SIP messages of the shared corpus (RFC 4475 and RFC 5118 torture
// tests) as seeds when it is there; none is copied into this tree.
func addSharedMessages(f *testing.F) {
	for _, pattern := range []string{"rfc4475/*.dat", "rfc5118/*.dat"} {
		files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "corpus", pattern))
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
}

// checkDeterministic parses in again into a Message that has parsed, split and edited another
// message, with a name table of its own, and compares the outcome with m's.
func checkDeterministic(t *testing.T, in []byte, m *Message, err error) {
	t.Helper()
	var r Message
	r.Parse(crlf(invite), NewNameTable())
	r.InsertLines(r.Len(), SectionBody, []byte("a=x\nSansay-SMC-x"))
	r.ReplaceLine(0, []byte("SIP/2.0 180 Ringing"))
	r.DeleteLine(1)
	if again := r.Parse(in, m.names); again != err {
		t.Fatalf("a reused Message gives %v, a fresh one %v", again, err)
	}
	if err != nil {
		return
	}
	if d := diffParse(m, &r); d != "" {
		t.Fatalf("a reused Message parses differently: %s", d)
	}
}

// diffParse compares what two messages parsed from the same bytes say, and tells the first
// difference.
func diffParse(a, b *Message) string {
	if a.Kind != b.Kind || a.Code != b.Code || a.BodyStart() != b.BodyStart() || a.OrigBodyLen() != b.OrigBodyLen() ||
		a.DefaultEOL() != b.DefaultEOL() || a.Directives() != b.Directives() || !a.Unchanged() || !b.Unchanged() {
		return fmt.Sprintf("kind %d/%d code %d/%d body start %d/%d body %d/%d ending %d/%d directives %d/%d unchanged %v/%v",
			a.Kind, b.Kind, a.Code, b.Code, a.BodyStart(), b.BodyStart(), a.OrigBodyLen(), b.OrigBodyLen(),
			a.DefaultEOL(), b.DefaultEOL(), a.Directives(), b.Directives(), a.Unchanged(), b.Unchanged())
	}
	if a.Kind == StartRequest && !bytes.Equal(a.Method(), b.Method()) {
		return fmt.Sprintf("method %q/%q", a.Method(), b.Method())
	}
	if a.Len() != b.Len() {
		return fmt.Sprintf("%d/%d lines", a.Len(), b.Len())
	}
	for i := range a.Len() {
		la, lb := a.Line(i), b.Line(i)
		if *la != *lb || !bytes.Equal(a.Text(i), b.Text(i)) || !bytes.Equal(a.Value(i), b.Value(i)) {
			return fmt.Sprintf("line %d: %+v %q / %+v %q", i, *la, a.Text(i), *lb, b.Text(i))
		}
	}
	return ""
}

// checkFraming reads the framing of in the plain way (SMC-SPEC §2) and checks Parse's error and
// body against it: the header section ends at the first empty line; the first Content-Length or
// l header, if any, must be a number no larger than the bytes after the empty line, and is then
// the body's length, the bytes beyond it kept as they are; without one the body is the rest.
func checkFraming(t *testing.T, in []byte, m *Message, err error) {
	t.Helper()
	bodyAt, length, hasLength := refFraming(in)
	if bodyAt < 0 {
		if err == nil {
			t.Fatalf("parsed a message without an empty line")
		}
		return
	}
	number, n := refLength(length)
	switch {
	case !hasLength:
		if err == nil && m.OrigBodyLen() != len(in)-bodyAt {
			t.Fatalf("no Content-Length, %d bytes after the empty line, body of %d", len(in)-bodyAt, m.OrigBodyLen())
		}
		if errors.Is(err, ErrContentLength) || errors.Is(err, ErrShortBody) {
			t.Fatalf("no Content-Length, but %v", err)
		}
	case !number:
		if err == nil || errors.Is(err, ErrShortBody) {
			t.Fatalf("Content-Length %q is not a number, but %v", length, err)
		}
	case n > int64(len(in)-bodyAt):
		if err == nil {
			t.Fatalf("Content-Length %d, %d bytes after the empty line: parsed", n, len(in)-bodyAt)
		}
	default:
		if errors.Is(err, ErrContentLength) || errors.Is(err, ErrShortBody) {
			t.Fatalf("Content-Length %q, %d bytes after the empty line: %v", length, len(in)-bodyAt, err)
		}
		if err == nil && int64(m.OrigBodyLen()) != n {
			t.Fatalf("Content-Length %d, body of %d", n, m.OrigBodyLen())
		}
	}
	if err == nil && (m.bodyPos != bodyAt || m.tail != m.bodyPos+m.OrigBodyLen()) {
		t.Fatalf("body at %d to %d, the empty line ends at %d", m.bodyPos, m.tail, bodyAt)
	}
}

// refFraming returns the offset after the first empty line that follows the start line (-1 when
// there is none), and the value of the first header line named Content-Length or l, trimmed,
// continuation lines included.
func refFraming(in []byte) (bodyAt int, length []byte, found bool) {
	lineStart := bytes.IndexByte(in, '\n') + 1
	if lineStart == 0 {
		return -1, nil, false
	}
	for lineStart < len(in) {
		nl := bytes.IndexByte(in[lineStart:], '\n')
		if nl < 0 {
			return -1, nil, false
		}
		text := in[lineStart : lineStart+nl]
		if len(text) == 0 || len(text) == 1 && text[0] == '\r' {
			return lineStart + nl + 1, length, found
		}
		if !found && text[0] != ' ' && text[0] != '\t' {
			end := lineStart + nl + 1
			for end < len(in) && (in[end] == ' ' || in[end] == '\t') { // continuation lines
				if k := bytes.IndexByte(in[end:], '\n'); k >= 0 {
					end += k + 1
				} else {
					end = len(in)
				}
			}
			length, found = headerValue(in[lineStart:end], "content-length", "l")
		}
		lineStart += nl + 1
	}
	return -1, nil, false
}

// headerValue returns the value of line (one header line with its continuations and ending) when
// its name is one of names: the text after the colon, SP and HT trimmed before it (docs/semantics.md:
// continuation lines are part of a value as written) and white space and line breaks after it.
func headerValue(line []byte, names ...string) ([]byte, bool) {
	colon := bytes.IndexByte(line, ':')
	if colon < 0 {
		return nil, false
	}
	name := bytes.TrimRight(line[:colon], " \t\r\n")
	for _, n := range names {
		if bytes.EqualFold(name, []byte(n)) {
			return trimValue(line[colon+1:]), true
		}
	}
	return nil, false
}

func trimValue(b []byte) []byte { return bytes.TrimRight(bytes.TrimLeft(b, " \t"), " \t\r\n") }

// refLength reads a Content-Length value: decimal digits only. A value of more than 9 digits is
// a number too large for any message.
func refLength(b []byte) (number bool, n int64) {
	if len(b) == 0 {
		return false, 0
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false, 0
		}
		if n < 1<<40 {
			n = n*10 + int64(c-'0')
		}
	}
	return true, n
}

// checkSpans checks that the lines of a parsed message, body split, tile the input: each a span
// of it that starts where the previous line's ending stopped, followed by the ending it records,
// the empty line between the header section and the body, and the body's lines up to where
// Content-Length ends it.
func checkSpans(t *testing.T, in []byte, m *Message) {
	t.Helper()
	pos, directives := 0, 0
	for i := range m.Len() {
		l := m.Line(i)
		if i == m.BodyStart() {
			pos = expectEnding(t, in, pos, m.sepEOL, "the empty line")
		}
		if l.inArena || int(l.off) != pos || int(l.off)+int(l.n) > len(in) {
			t.Fatalf("line %d at %d+%d (in the arena: %v), expected at %d of %d bytes", i, l.off, l.n, l.inArena, pos, len(in))
		}
		text := in[l.off : l.off+l.n]
		pos = expectEnding(t, in, int(l.off+l.n), l.EOL, fmt.Sprintf("line %d", i))
		if l.EOL == EOLNone && (i != m.Len()-1 || i < m.BodyStart() || pos != m.tail) {
			t.Fatalf("line %d of %d has no ending", i, m.Len())
		}
		if l.Directive {
			directives++
		}
		switch want := sectionOf(m, i); {
		case l.Section != want:
			t.Fatalf("line %d in section %d, want %d", i, l.Section, want)
		case want == SectionHeader:
			checkHeaderLine(t, m, i, text)
		default:
			if bytes.IndexByte(text, '\n') >= 0 || !bytes.Equal(m.Value(i), text) {
				t.Fatalf("line %d: text %q, value %q", i, text, m.Value(i))
			}
			if want == SectionBody && l.Directive != HasPrefixFold(text, "Sansay-SMC-") {
				t.Fatalf("body line %q: directive %v", text, l.Directive)
			}
		}
	}
	if m.BodyStart() == m.Len() {
		pos = expectEnding(t, in, pos, m.sepEOL, "the empty line")
	}
	if pos != m.tail || m.tail > len(in) || directives != m.Directives() {
		t.Fatalf("the lines end at %d, the body at %d of %d bytes; %d directive lines, %d counted", pos, m.tail, len(in), directives, m.Directives())
	}
}

func sectionOf(m *Message, i int) Section {
	switch {
	case i == 0:
		return SectionTop
	case i < m.BodyStart():
		return SectionHeader
	}
	return SectionBody
}

// expectEnding checks that in has the line ending e at pos, and returns the offset after it.
func expectEnding(t *testing.T, in []byte, pos int, e EOL, what string) int {
	t.Helper()
	b := e.bytes()
	if e == EOLNone && what == "the empty line" || !bytes.HasPrefix(in[pos:], b) {
		t.Fatalf("%s: ending %d, input at %d is %q", what, e, pos, in[pos:min(len(in), pos+2)])
	}
	if e == EOLLF && pos > 0 && in[pos-1] == '\r' && what != "the empty line" {
		t.Fatalf("%s: a CR LF ending read as LF", what)
	}
	return pos + len(b)
}

// checkHeaderLine checks a header line: a token name, white space, a colon and a trimmed value
// inside its text; continuation line breaks only where SP or HT follows; the name interned.
func checkHeaderLine(t *testing.T, m *Message, i int, text []byte) {
	t.Helper()
	for j, c := range text {
		if c == '\n' && (j+1 == len(text) || !isWS(text[j+1])) {
			t.Fatalf("header line %d %q has a line break that is not a continuation", i, text)
		}
	}
	s, e := m.ValueSpan(i)
	name := text[:tokenPrefix(text)]
	colon := bytes.IndexByte(text, ':')
	if len(name) == 0 || colon < len(name) || len(bytes.Trim(text[len(name):colon], " \t\r\n")) != 0 ||
		s <= colon || e < s || e > len(text) {
		t.Fatalf("header line %d %q: name %q, colon at %d, value at %d-%d", i, text, name, colon, s, e)
	}
	if v := text[s:e]; !bytes.Equal(v, trimValue(text[colon+1:])) {
		t.Fatalf("header line %d %q: value %q is not the trimmed text after the colon", i, text, v)
	}
	if l := m.Line(i); l.Name != m.names.Lookup(name) || l.Directive != HasPrefixFold(name, "Sansay-SMC-") {
		t.Fatalf("header line %d %q: name ID %d, directive %v", i, text, l.Name, l.Directive)
	}
}

// maxEditedLines bounds the lines checkNoopEdits rewrites one by one, so that a message of a
// thousand lines does not make each fuzzing run quadratic.
const maxEditedLines = 64

// checkNoopEdits makes edits that change nothing to a message parsed from in: each leaves it
// serialising to in, and Unchanged only where the package says it stays so.
func checkNoopEdits(t *testing.T, in []byte, nt *NameTable) {
	t.Helper()
	var m Message
	edit := func(what string, unchanged bool, do func()) {
		t.Helper()
		m.Parse(in, nt)
		do()
		m.FixContentLength()
		if got := m.AppendTo(nil); !bytes.Equal(got, in) {
			t.Fatalf("%s changed the message:\n%q\n%q", what, in, got)
		}
		if unchanged && !m.Unchanged() {
			t.Fatalf("%s: not Unchanged", what)
		}
	}
	edit("the Content-Length fix-up", true, func() {})
	// A message at MaxLines takes fewer lines than asked, or none (found-insert-at-max-lines):
	// what was inserted is deleted.
	edit("a header line added and deleted", true, func() {
		at := m.BodyStart()
		for range m.InsertLines(at, SectionHeader, []byte("X-Fuzz: 1")) {
			m.DeleteLine(at)
		}
		for range m.InsertLines(1, SectionHeader, []byte("X-Fuzz: 2\nX-Fuzz: 3")) {
			m.DeleteLine(1)
		}
	})
	edit("every header set to its own value", false, func() {
		for i := 1; i < min(m.BodyStart(), maxEditedLines); i++ {
			m.SetValue(i, bytes.Clone(m.Value(i)))
		}
	})
	edit("every line rewritten with its own text", false, func() {
		for i := 0; i < min(m.Len(), maxEditedLines); i++ {
			m.ReplaceLine(i, bytes.Clone(m.Text(i)))
		}
	})
}

// checkGrown adds a header line after the start line and a line at the end of the body, and
// checks that the result parses again: the same lines with the added ones, a Content-Length
// fixed to the new body, and the bytes that followed the old body still after the new one.
func checkGrown(t *testing.T, in []byte, nt *NameTable) {
	t.Helper()
	var m, again Message
	m.Parse(in, nt)
	if m.parsed+2 > MaxLines || len(in)+32 > MaxMessageSize {
		return // the grown message would be over a limit
	}
	tail := in[m.tail:]
	m.InsertLines(1, SectionHeader, []byte("X-Fuzz: 1"))
	m.InsertLines(m.Len(), SectionBody, []byte("a=fuzz"))
	m.FixContentLength()
	out := m.AppendTo(nil)
	if err := again.Parse(out, nt); err != nil {
		t.Fatalf("the message with a header and a body line added does not parse (%v):\n%q\nfrom\n%q", err, out, in)
	}
	if again.Len() != m.Len() || again.BodyStart() != m.BodyStart() || again.OrigBodyLen() != m.BodyLen() || !bytes.HasSuffix(out, tail) {
		t.Fatalf("the grown message parses to %d lines (%d), body at %d (%d) of %d bytes (%d):\n%q",
			again.Len(), m.Len(), again.BodyStart(), m.BodyStart(), again.OrigBodyLen(), m.BodyLen(), out)
	}
	for i := range m.Len() {
		// Compared with their endings: an unterminated last line "x\r" that gets an LF ending
		// parses again as "x" with CR LF, the same bytes.
		if got, was := withEnding(&again, i), withEnding(&m, i); !bytes.Equal(got, was) {
			t.Fatalf("line %d of the grown message parses as %q, was %q", i, got, was)
		}
	}
	if i := again.Find(IDContentLength); i >= 0 {
		if want := fmt.Sprint(again.OrigBodyLen()); string(again.Value(i)) != want {
			t.Fatalf("Content-Length %q after the body grew to %s bytes", again.Value(i), want)
		}
	}
}

func withEnding(m *Message, i int) []byte {
	return append(bytes.Clone(m.Text(i)), m.Line(i).EOL.bytes()...)
}
