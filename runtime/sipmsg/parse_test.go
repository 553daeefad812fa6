package sipmsg

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

const invite = `INVITE sip:bob@example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds
f: "Alice" <sip:alice@example.com>;tag=1928301774
To:   <sip:bob@example.com>  
Call-ID: a84b4c76e66710
CSeq: 314159 INVITE
Subject: first
 second
l: 14

v=0
s=-
tail`

func parse(t *testing.T, in []byte) *Message {
	t.Helper()
	var m Message
	if err := m.Parse(in, NewNameTable()); err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return &m
}

func TestParseLines(t *testing.T) {
	in := crlf(invite)
	m := parse(t, in)
	if m.Kind != StartRequest || string(m.Method()) != "INVITE" {
		t.Fatalf("start line: kind %d method %q", m.Kind, m.Method())
	}
	want := []struct {
		name  uint16
		value string
	}{
		{0, "INVITE sip:bob@example.com SIP/2.0"},
		{IDVia, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds"},
		{IDFrom, `"Alice" <sip:alice@example.com>;tag=1928301774`},
		{IDTo, "<sip:bob@example.com>"},
		{IDCallID, "a84b4c76e66710"},
		{IDCSeq, "314159 INVITE"},
		{IDSubject, "first\r\n second"},
		{IDContentLength, "14"},
		{0, "v=0"},
		{0, "s=-"},
		{0, "tail"},
	}
	if m.Len() != len(want) {
		t.Fatalf("lines: got %d, want %d", m.Len(), len(want))
	}
	for i, w := range want {
		if i > 0 && i < m.BodyStart() && m.Line(i).Name != w.name {
			t.Errorf("line %d name ID %d, want %d", i, m.Line(i).Name, w.name)
		}
		if got := string(m.Value(i)); got != w.value {
			t.Errorf("line %d value %q, want %q", i, got, w.value)
		}
	}
	if m.BodyStart() != 8 || m.OrigBodyLen() != 14 {
		t.Errorf("body start %d, body length %d", m.BodyStart(), m.OrigBodyLen())
	}
	if m.Line(m.Len()-1).EOL != EOLNone {
		t.Errorf("last body line has an ending")
	}
	if got := m.AppendTo(nil); !bytes.Equal(got, in) {
		t.Errorf("round trip:\n%q\nwant\n%q", got, in)
	}
	if got := string(m.CSeqMethod()); got != "INVITE" {
		t.Errorf("CSeq method %q", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		err  error
	}{
		{"empty", "", ErrEmpty},
		{"no separator", "INVITE sip:a@b SIP/2.0\r\nVia: x\r\n", ErrNoSeparator},
		{"bad version", "INVITE sip:a@b SIP/7.0\r\n\r\n", ErrStartLine},
		{"no uri", "INVITE  SIP/2.0\r\n\r\n", ErrStartLine},
		{"uri with space", "INVITE sip:a b SIP/2.0\r\n\r\n", ErrStartLine},
		{"bad code", "SIP/2.0 2x0 OK\r\n\r\n", ErrStartLine},
		{"code 700", "SIP/2.0 700 Huh\r\n\r\n", ErrStartLine},
		{"no colon", "INVITE sip:a@b SIP/2.0\r\nVia x\r\n\r\n", ErrHeaderLine},
		{"empty name", "INVITE sip:a@b SIP/2.0\r\n: x\r\n\r\n", ErrHeaderLine},
		{"continuation first", "INVITE sip:a@b SIP/2.0\r\n x\r\n\r\n", ErrHeaderLine},
		{"cl not number", "INVITE sip:a@b SIP/2.0\r\nContent-Length: ten\r\n\r\n", ErrContentLength},
		{"cl too large", "INVITE sip:a@b SIP/2.0\r\nContent-Length: 10\r\n\r\nabc", ErrShortBody},
		{"too large", "INVITE sip:a@b SIP/2.0\r\n\r\n" + strings.Repeat("x", MaxMessageSize), ErrTooLarge},
		{"too many lines", "INVITE sip:a@b SIP/2.0\r\n" + strings.Repeat("X: y\r\n", MaxLines) + "\r\n", ErrTooManyLines},
	}
	for _, tt := range tests {
		var m Message
		if err := m.Parse([]byte(tt.in), NewNameTable()); !errors.Is(err, tt.err) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.err)
		}
	}
}

func TestParseAccepts(t *testing.T) {
	for _, in := range []string{
		"SIP/2.0 200 OK\r\nVia: x\r\n\r\n",
		"SIP/2.0 200\r\n\r\n",                        // no reason phrase
		"sip/2.0 486 Busy Here\n\n",                  // case-insensitive version, LF
		"OPTIONS sip:a@b sip/2.0\r\nX : y\r\n\r\n",   // space before the colon
		"INVITE sip:a@b SIP/2.0\r\nl: 2\r\n\r\nabcd", // bytes after Content-Length
	} {
		m := parse(t, []byte(in))
		if got := m.AppendTo(nil); string(got) != in {
			t.Errorf("round trip %q: got %q", in, got)
		}
	}
}

func TestEdits(t *testing.T) {
	m := parse(t, crlf(invite))
	m.ReplaceLine(4, []byte("Call-ID: new"))
	m.InsertLines(2, SectionHeader, []byte("X-A: 1\nX-B: 2\n\n"))
	m.DeleteLine(m.Find(IDSubject))
	m.InsertLines(m.Len(), SectionBody, []byte("a=x"))
	m.FixContentLength()
	want := "INVITE sip:bob@example.com SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n" +
		"X-A: 1\r\nX-B: 2\r\n" +
		"f: \"Alice\" <sip:alice@example.com>;tag=1928301774\r\n" +
		"To:   <sip:bob@example.com>  \r\n" +
		"Call-ID: new\r\n" +
		"CSeq: 314159 INVITE\r\n" +
		"l: 21\r\n\r\n" +
		"v=0\r\ns=-\r\ntail\r\na=x\r\n"
	if got := string(m.AppendTo(nil)); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if m.Find(IDCallID) != 6 || string(m.Value(6)) != "new" {
		t.Errorf("rewritten Call-ID not re-parsed")
	}
}

// Unchanged is true only when AppendTo gives back the received bytes: after no edit or edits that
// cancel out. A rewritten line is not looked at again, so a line set to its own text counts as a
// change (the runtime then compares the bytes).
func TestUnchanged(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		edit func(m *Message)
		want bool
	}{
		{"nothing", invite, func(m *Message) {}, true},
		{"a header added and deleted", invite, func(m *Message) { m.InsertLines(2, SectionHeader, []byte("X: 1")); m.DeleteLine(2) }, true},
		{"a header deleted", invite, func(m *Message) { m.DeleteLine(2) }, false},
		{"a value set to itself", invite, func(m *Message) { m.SetValue(4, m.Value(4)) }, false},
		{"a body line added and deleted", invite, func(m *Message) { m.InsertLines(m.Len(), SectionBody, []byte("x")); m.DeleteLine(m.Len() - 1) }, false},
		{"no body", "OPTIONS sip:a@b SIP/2.0\nVia: x\n\n", func(m *Message) {}, true},
		{"no body, a line added and deleted", "OPTIONS sip:a@b SIP/2.0\nVia: x\n\n", func(m *Message) { m.InsertLines(2, SectionHeader, []byte("Y: 2")); m.DeleteLine(2) }, true},
	} {
		in := crlf(tt.in)
		m := parse(t, in)
		tt.edit(m)
		got, same := m.Unchanged(), bytes.Equal(m.AppendTo(nil), in)
		if got != tt.want || got && !same {
			t.Errorf("%s: Unchanged %v, want %v (AppendTo gives the input back: %v)", tt.name, got, tt.want, same)
		}
	}
}

// Whatever edits are made, AppendTo writes the lines one after the other, and a message that says
// it is Unchanged serialises to its input; a sequence that adds lines and deletes exactly those
// says so.
func TestUnchangedAfterRandomEdits(t *testing.T) {
	in := crlf(invite)
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 2000; round++ {
		m := parse(t, in)
		var added []int // indexes of added lines, deleted again in reverse order
		for step := rng.IntN(4); step > 0; step-- {
			switch i := 1 + rng.IntN(m.Len()-1); rng.IntN(6) {
			case 0:
				m.DeleteLine(i)
			case 1:
				if i < m.BodyStart() {
					m.SetValue(i, []byte("v"))
				}
			case 2:
				m.ReplaceLine(i, m.Text(i))
			case 3:
				m.InsertLines(m.Len(), SectionBody, []byte("x"))
			default:
				m.InsertLines(i, SectionHeader, []byte("X-Y: z"))
				added = append(added, i)
			}
			out := m.AppendTo(nil)
			if want := lineByLine(m); !bytes.Equal(out, want) {
				t.Fatalf("round %d: AppendTo gives\n%q\nline by line\n%q", round, out, want)
			}
			if m.Unchanged() && !bytes.Equal(out, in) {
				t.Fatalf("round %d: Unchanged, but AppendTo gives\n%q", round, out)
			}
		}
	}
	m := parse(t, in)
	m.InsertLines(2, SectionHeader, []byte("X-A: 1\nX-B: 2"))
	m.InsertLines(6, SectionHeader, []byte("X-C: 3"))
	m.DeleteLine(6)
	m.DeleteLine(2)
	m.DeleteLine(2)
	if !m.Unchanged() {
		t.Errorf("lines added and deleted again: not Unchanged")
	}
}

// lineByLine is what AppendTo writes, done the plain way.
func lineByLine(m *Message) []byte {
	var b []byte
	for i := 0; i < m.Len(); i++ {
		if i == m.BodyStart() {
			b = append(b, m.sepEOL.bytes()...)
		}
		b = append(append(b, m.Text(i)...), m.Line(i).EOL.bytes()...)
	}
	if m.BodyStart() == m.Len() {
		b = append(b, m.sepEOL.bytes()...)
	}
	return append(b, m.in[m.tail:]...)
}

func TestDirectiveLines(t *testing.T) {
	m := parse(t, crlf("OPTIONS sip:a@b SIP/2.0\nVia: x\n\n"))
	m.InsertLines(2, SectionHeader, []byte("Sansay-SMC-RejectCall403"))
	m.InsertLines(m.Len(), SectionBody, []byte("sansay-smc-BlockMedia"))
	if m.Directives() != 2 || !m.Line(2).Directive {
		t.Fatalf("directives %d", m.Directives())
	}
	m.DeleteLine(2)
	if m.Directives() != 1 {
		t.Errorf("directives after delete %d", m.Directives())
	}
	m.ReplaceLine(1, []byte("Sansay-SMC-RejectCall480: x")) // in place: one line for one
	m.ReplaceLine(m.Len()-1, []byte("a=x"))
	if m.Directives() != 1 || !m.Line(1).Directive || m.Line(m.Len()-1).Directive {
		t.Errorf("directives after rewriting lines %d", m.Directives())
	}
}

func TestNameTable(t *testing.T) {
	nt := NewNameTable()
	for _, tt := range []struct {
		name string
		id   uint16
	}{{"from", IDFrom}, {"F", IDFrom}, {"CALL-ID", IDCallID}, {"i", IDCallID}, {"X-Unknown", IDUnknown}, {"v", IDVia}, {"y", IDIdentity}} {
		if got := nt.Lookup([]byte(tt.name)); got != tt.id {
			t.Errorf("Lookup(%q) = %d, want %d", tt.name, got, tt.id)
		}
	}
	id := mustIntern(t, nt, "P-Asserted-Identity")
	for i := 0; i < 200; i++ {
		mustIntern(t, nt, "X-Header-"+string(rune('A'+i%26))+string(rune('a'+i/26)))
	}
	if nt.Lookup([]byte("p-asserted-identity")) != id || mustIntern(t, nt, "f") != IDFrom {
		t.Errorf("interned names lost after growth")
	}
}

func TestParseAllocs(t *testing.T) {
	in := crlf(invite)
	nt := NewNameTable()
	var m Message
	m.Parse(in, nt)
	m.Len()
	if n := testing.AllocsPerRun(100, func() { m.Parse(in, nt); m.Len() }); n != 0 {
		t.Errorf("Parse allocates %v times per message", n)
	}
}

// invite600 is a realistic INVITE of 601 bytes: the headers a carrier's peer sends and a
// one-stream SDP offer. Issue 6 wants such a message parsed in at most 0.5 µs.
const invite600 = `INVITE sip:+14155550142@core.example.net;user=phone SIP/2.0
Via: SIP/2.0/UDP 198.51.100.33:5060;branch=z9hG4bK-524287-1---b6759d2c;rport
Max-Forwards: 70
From: "Bob Carter" <sip:+12125550199@peer.example.org>;tag=ad12805e
To: <sip:+14155550142@core.example.net>
Call-ID: 102650NDk5NGEzYjNiOGQxZTM3
CSeq: 1 INVITE
Contact: <sip:+12125550199@198.51.100.33:5060>
User-Agent: PeerSBC 4.2.1
Content-Type: application/sdp
Content-Length: 152

v=0
o=- 4858 1 IN IP4 198.51.100.33
s=-
c=IN IP4 198.51.100.33
t=0 0
m=audio 31000 RTP/AVP 0 8 101
a=rtpmap:101 telephone-event/8000
a=sendrecv
`

func BenchmarkParse(b *testing.B) {
	for _, c := range []struct{ name, msg string }{
		{"continuation-269", invite},
		{"invite-601", invite600},
	} {
		b.Run(c.name, func(b *testing.B) {
			in := crlf(c.msg)
			nt := NewNameTable()
			var m Message
			if err := m.Parse(in, nt); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				m.Parse(in, nt)
			}
		})
	}
}

// StartLine tells the start lines Parse accepts from anything else, by the same test.
func TestStartLine(t *testing.T) {
	for _, tt := range []struct {
		line string
		want StartKind
	}{
		{"INVITE sip:bob@example.com SIP/2.0", StartRequest},
		{"x-custom.method sip:a SIP/2.0", StartRequest},
		{"SIP/2.0 200 OK", StartResponse},
		{"sip/2.0 486 Busy Here", StartResponse},
		{"SIP/2.0 180", StartResponse},
		{"SIP/2.0 700 Nope", StartInvalid},
		{"SIP/2.0 20 OK", StartInvalid},
		{"INVITE sip:bob@example.com SIP/3.0", StartInvalid},
		{"GET / HTTP/1.1", StartInvalid},
		{"\x80\x00RTP", StartInvalid},
		{"", StartInvalid},
		{"INVITE  SIP/2.0", StartInvalid},
	} {
		if got := StartLine([]byte(tt.line)); got != tt.want {
			t.Errorf("StartLine(%q) = %v, want %v", tt.line, got, tt.want)
		}
		var m Message
		err := m.Parse([]byte(tt.line+"\r\nContent-Length: 0\r\n\r\n"), NewNameTable())
		if (err == nil) != (tt.want != StartInvalid) {
			t.Errorf("%q: Parse says %v, StartLine %v", tt.line, err, tt.want)
		}
	}
}
