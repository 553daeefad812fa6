package sipmsg

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// The header index answers as a scan of the header lines would, after parsing and after edits
// that move header lines.
func TestHeaderLines(t *testing.T) {
	nt := NewNameTable()
	xa := mustIntern(t, nt, "X-A")
	var m Message
	if err := m.Parse(crlf("INVITE sip:a@b SIP/2.0\nVia: 1\nTo: <sip:b>\nv: 2\nX-A: x\n\nv=0\n"), nt); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		if err := indexAgrees(&m, IDVia, IDTo, IDFrom, xa); err != "" {
			t.Errorf("%s: %s", when, err)
		}
	}
	check("parsed")
	m.InsertLines(1, SectionHeader, []byte("Via: 0\nFrom: <sip:a>"))
	check("after an insert")
	m.DeleteLine(m.Find(IDTo))
	check("after a delete")
	m.ReplaceLine(m.Find(IDVia), []byte("Via: 5"))
	check("after a line was rewritten in place")
	m.ReplaceLine(m.Find(IDVia), []byte("To: <sip:e>"))
	check("after a line was rewritten with another name")
	m.ReplaceLine(0, []byte("INVITE sip:c@d SIP/2.0"))
	check("after the start line was rewritten")
	m.ReplaceLine(0, []byte("INVITE sip:c@d SIP/2.0\nTo: <sip:d>"))
	check("after the start line became two lines")
	m.InsertLines(m.Len(), SectionBody, []byte("s=-"))
	check("after a body insert")
}

// indexAgrees compares the index with a scan of the header lines for the given IDs and says where
// they disagree.
func indexAgrees(m *Message, ids ...uint16) string {
	for _, id := range ids {
		first, last := 0, 0
		for i := 1; i < m.BodyStart(); i++ {
			if m.Line(i).Name == id {
				if first == 0 {
					first = i
				}
				last = i
			}
		}
		if f, l := m.HeaderLines(id); f != first || l != last {
			return fmt.Sprintf("HeaderLines(%q) = %d, %d, want %d, %d", m.names.Name(id), f, l, first, last)
		}
	}
	return ""
}

// A bad header line is reported only when the header section ends: a message without its end, or
// with too many lines, fails as that. The colon may follow a continuation line.
func TestParseErrorOrder(t *testing.T) {
	tests := []struct {
		in  string
		err error
	}{
		{"INVITE sip:a@b SIP/2.0\r\nVia x\r\nTo: y\r\n", ErrNoSeparator},
		{"INVITE sip:a@b SIP/2.0\r\nVia x\r\n" + strings.Repeat("X: y\r\n", MaxLines) + "\r\n", ErrTooManyLines},
		{"INVITE sip:a@b SIP/2.0\r\nVia x\r\nTo: y\r\n\r\n", ErrHeaderLine},
		{"INVITE sip:a@b SIP/2.0\r\nVia: x\r\n y", ErrNoSeparator},
		{"INVITE sip:a@b SIP/2.0\r\nSubject\r\n : y\r\n\r\n", nil},
	}
	for _, tt := range tests {
		var m Message
		if err := m.Parse([]byte(tt.in), NewNameTable()); err != tt.err {
			t.Errorf("%q: got %v, want %v", tt.in, err, tt.err)
		}
	}
	m := parse(t, []byte("INVITE sip:a@b SIP/2.0\r\nSubject\r\n : y\r\n\r\n"))
	if m.Line(1).Name != IDSubject || string(m.Value(1)) != "y" {
		t.Errorf("name %d value %q", m.Line(1).Name, m.Value(1))
	}
}

// The index answers as a scan would through a long random run of inserts, deletes and rewrites
// of header lines, with compact forms, renamed lines and unknown names among them.
func TestHeaderLinesRandomEdits(t *testing.T) {
	nt := NewNameTable()
	xa := mustIntern(t, nt, "X-A")
	ids := []uint16{IDVia, IDTo, IDFrom, IDContact, xa, IDUnknown}
	lines := []string{"Via: 1", "To: <sip:b>", "From: <sip:a>", "m: <sip:c>", "X-A: x", "X-Other: y", "v: 2"}
	rng := rand.New(rand.NewPCG(1, 2))
	var m Message
	if err := m.Parse(crlf("INVITE sip:a@b SIP/2.0\nVia: 1\nTo: <sip:b>\nv: 2\nX-A: x\n\nv=0\n"), nt); err != nil {
		t.Fatal(err)
	}
	for step := range 5000 {
		var what string
		switch op := rng.IntN(4); {
		case op <= 1 || m.BodyStart() < 3:
			at, text := 1+rng.IntN(m.BodyStart()), lines[rng.IntN(len(lines))]
			m.InsertLines(at, SectionHeader, []byte(text))
			what = fmt.Sprintf("insert %q at %d", text, at)
		case op == 2:
			at := 1 + rng.IntN(m.BodyStart()-1)
			what = fmt.Sprintf("delete %q at %d", m.Text(at), at)
			m.DeleteLine(at)
		default:
			at, text := 1+rng.IntN(m.BodyStart()-1), lines[rng.IntN(len(lines))]
			m.ReplaceLine(at, []byte(text))
			what = fmt.Sprintf("rewrite %d as %q", at, text)
		}
		if err := indexAgrees(&m, ids...); err != "" {
			t.Fatalf("step %d, %s: %s", step, what, err)
		}
		if m.BodyStart() > 40 {
			for m.BodyStart() > 5 {
				m.DeleteLine(1 + rng.IntN(m.BodyStart()-1))
				if err := indexAgrees(&m, ids...); err != "" {
					t.Fatalf("step %d, trimming: %s", step, err)
				}
			}
		}
	}
}
