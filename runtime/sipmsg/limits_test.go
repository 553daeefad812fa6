package sipmsg

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// sized returns a request of exactly n bytes: a start line, the empty line and a body of x.
func sized(n int) string {
	head := "INVITE sip:a@b SIP/2.0\r\n\r\n"
	return head + strings.Repeat("x", n-len(head))
}

// headers returns a request with n header lines (n+1 lines with the start line) and body lines.
func headers(n, body int) string {
	return "INVITE sip:a@b SIP/2.0\r\n" + strings.Repeat("X: y\r\n", n) + "\r\n" + strings.Repeat("b\r\n", body)
}

// Each limit: a message at it parses, one byte or line past it does not, with the limit's error.
func TestParseLimits(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	startLine := func(n int) string { return "INVITE sip:" + long(n-len("INVITE sip: SIP/2.0")) + " SIP/2.0\r\n\r\n" }
	header := func(n int) string { return "INVITE sip:a@b SIP/2.0\r\nX: " + long(n-len("X: ")) + "\r\n\r\n" }
	tests := []struct {
		name string
		in   string
		err  error
	}{
		{"MaxMessageSize bytes", sized(MaxMessageSize), nil},
		{"MaxMessageSize+1 bytes", sized(MaxMessageSize + 1), ErrTooLarge},
		{"MaxLines header lines and start line", headers(MaxLines-1, 0), nil},
		{"MaxLines+1 header lines and start line", headers(MaxLines, 0), ErrTooManyLines},
		{"MaxLines with body lines", headers(10, MaxLines-11), nil},
		{"MaxLines+1 with body lines", headers(10, MaxLines-10), ErrTooManyLines},
		{"continuation lines count as their header", "INVITE sip:a@b SIP/2.0\r\n" + strings.Repeat("X: y\r\n z\r\n", MaxLines-1) + "\r\n", nil},
		{"start line of MaxLineLength", startLine(MaxLineLength), nil},
		{"start line of MaxLineLength+1", startLine(MaxLineLength + 1), ErrLineTooLong},
		{"header line of MaxLineLength", header(MaxLineLength), nil},
		{"header line of MaxLineLength+1", header(MaxLineLength + 1), ErrLineTooLong},
		{"continuation lines add up", "INVITE sip:a@b SIP/2.0\r\nX: " + long(MaxLineLength/2) + "\r\n " + long(MaxLineLength/2) + "\r\n\r\n", ErrLineTooLong},
		{"too long before a bad header line", "INVITE sip:a@b SIP/2.0\r\nVia x\r\n" + header(MaxLineLength + 1)[len("INVITE sip:a@b SIP/2.0\r\n"):], ErrLineTooLong},
		{"a body line may be longer", "INVITE sip:a@b SIP/2.0\r\n\r\n" + long(3*MaxLineLength) + "\r\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Message
			if err := m.Parse([]byte(tt.in), NewNameTable()); err != tt.err {
				t.Fatalf("Parse: %v, want %v", err, tt.err)
			}
			if tt.err != nil && !IsLimit(tt.err) {
				t.Errorf("IsLimit(%v) = false", tt.err)
			}
		})
	}
	for _, err := range []error{ErrEmpty, ErrStartLine, ErrHeaderLine, ErrNoSeparator, ErrContentLength, ErrShortBody} {
		if IsLimit(err) {
			t.Errorf("IsLimit(%v) = true", err)
		}
	}
}

// Size follows every kind of edit, so that the runtime can hold the message to its output limit
// without writing it out.
func TestSizeFollowsEdits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, in := range [][]byte{crlf(invite), []byte(strings.Replace(invite, "l: 14", "l: 12", 1)), []byte("SIP/2.0 200 OK\r\nl: 3\r\n\r\nabc")} {
		for round := 0; round < 500; round++ {
			m := parse(t, in)
			if m.Size() != len(in) {
				t.Fatalf("Size %d after Parse of %d bytes", m.Size(), len(in))
			}
			for step := 0; step < 6; step++ {
				i := rng.IntN(m.Len())
				switch rng.IntN(7) {
				case 0:
					if i > 0 {
						m.DeleteLine(i)
					}
				case 1:
					if i > 0 && i < m.BodyStart() {
						m.SetValue(i, []byte("a longer value"))
					}
				case 2:
					m.ReplaceLine(i, []byte("X-R: one\r\nX-S: two"))
				case 3:
					m.InsertLines(m.Len(), SectionBody, []byte("y=1\nz"))
				case 4:
					if i > 0 {
						m.ReplaceLine(i, nil)
					}
				case 5:
					m.FixContentLength()
				default:
					m.InsertLines(max(i, 1), SectionHeader, []byte("X-Y: z\n\nX-Z: w"))
				}
				if out := m.AppendTo(nil); m.Size() != len(out) {
					t.Fatalf("round %d step %d: Size %d, AppendTo writes %d bytes:\n%q", round, step, m.Size(), len(out), out)
				}
			}
		}
	}
}

// A chain that rewrites the same line many times keeps the arena under its bound, and the message
// reads the same after each compaction.
func TestArenaCompaction(t *testing.T) {
	m := parse(t, crlf(invite))
	value := bytes.Repeat([]byte("v"), 1000)
	for i := 0; i < 10*compactAt/len(value); i++ {
		m.CompactArena()
		value[0] = byte('a' + i%26)
		m.SetValue(1, value)
		m.ReplaceLine(4, append([]byte("Call-ID: "), value...))
		if m.ArenaLen() > compactAt+3*len(value) {
			t.Fatalf("rewrite %d: arena of %d bytes", i, m.ArenaLen())
		}
		if got := m.Value(1); !bytes.Equal(got, value) {
			t.Fatalf("rewrite %d: Via value %q", i, got[:10])
		}
	}
	want := strings.Replace(string(crlf(invite)), "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds", string(value), 1)
	want = strings.Replace(want, "a84b4c76e66710", string(value), 1)
	if got := m.AppendTo(nil); string(got) != want {
		t.Errorf("after compactions:\n%q\nwant\n%q", got, want)
	}
	if n := testing.AllocsPerRun(100, func() { m.SetValue(1, value); m.CompactArena() }); n != 0 {
		t.Errorf("compacting allocates %v times once the buffers have grown", n)
	}
}

// Edits are held to the parse limits on lines: NumLines counts the lines, body lines not yet
// split included; an insertion stops at the line past MaxLines; LongLine tells that an edit wrote a
// start or header line past MaxLineLength (a body line may be longer).
func TestEditLimits(t *testing.T) {
	m := parse(t, crlf(invite))
	if n := m.NumLines(); n != m.Len() || n != m.parsed {
		t.Fatalf("NumLines %d before the split, Len %d, parsed %d", n, m.Len(), m.parsed)
	}
	m = parse(t, crlf(invite))
	m.InsertLines(2, SectionHeader, []byte(strings.Repeat("X: y\n", 2*MaxLines)))
	if m.NumLines() != MaxLines+1 || m.NumLines() != m.Len() {
		t.Errorf("after inserting %d lines: NumLines %d, Len %d; want the insertion stopped at %d", 2*MaxLines, m.NumLines(), m.Len(), MaxLines+1)
	}
	long := []byte(strings.Repeat("v", MaxLineLength))
	for _, tt := range []struct {
		name string
		edit func(m *Message)
		long bool
	}{
		{"body line past MaxLineLength", func(m *Message) { m.InsertLines(m.Len(), SectionBody, append(long, 'x')) }, false},
		{"header line of MaxLineLength", func(m *Message) { m.ReplaceLine(1, long) }, false},
		{"header line past MaxLineLength", func(m *Message) { m.ReplaceLine(1, append(long, 'x')) }, true},
		{"inserted header line past MaxLineLength", func(m *Message) { m.InsertLines(1, SectionHeader, append(long, 'x')) }, true},
		{"value that takes its line past MaxLineLength", func(m *Message) { m.SetValue(1, long) }, true},
		{"start line past MaxLineLength", func(m *Message) { m.ReplaceLine(0, append(long, 'x')) }, true},
	} {
		m := parse(t, crlf(invite))
		tt.edit(m)
		if m.LongLine() != tt.long {
			t.Errorf("%s: LongLine %v", tt.name, m.LongLine())
		}
		if m.Parse(crlf(invite), m.names); m.LongLine() {
			t.Errorf("%s: LongLine still set after the next Parse", tt.name)
		}
	}
}
