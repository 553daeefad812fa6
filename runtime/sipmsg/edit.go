package sipmsg

import (
	"bytes"
	"strconv"
)

// Len returns the number of lines. It splits the body into lines if they were not yet: an index
// past the header section is only valid once Len has been asked.
func (m *Message) Len() int {
	if !m.bodySplit {
		m.splitBody()
	}
	return len(m.lines)
}

// Line returns line i.
func (m *Message) Line(i int) *Line { return &m.lines[i] }

// BodyStart returns the index of the first body line, which is also where a line added at the end
// of the header section goes.
func (m *Message) BodyStart() int { return m.bodyFirst }

// Text returns line i's text without its line ending.
func (m *Message) Text(i int) []byte {
	l := &m.lines[i]
	if l.inArena {
		return m.arena[l.off : l.off+l.n]
	}
	return m.in[l.off : l.off+l.n]
}

// ValueSpan returns the span of line i's value inside its text: the trimmed header value, or the
// whole text of the start line and of body lines.
func (m *Message) ValueSpan(i int) (start, end int) {
	l := &m.lines[i]
	if l.Section == SectionHeader {
		return int(l.valStart), int(l.valEnd)
	}
	return 0, int(l.n)
}

// Value returns line i's value.
func (m *Message) Value(i int) []byte {
	s, e := m.ValueSpan(i)
	return m.Text(i)[s:e]
}

// Method returns a request's method.
func (m *Message) Method() []byte { return m.Text(0)[m.method[0]:m.method[1]] }

// CSeqMethod returns the method in the CSeq header ("314159 INVITE" gives INVITE), or nil.
func (m *Message) CSeqMethod() []byte {
	i := m.Find(IDCSeq)
	if i < 0 {
		return nil
	}
	v := m.Value(i)
	sp := bytes.IndexAny(v, " \t")
	if sp < 0 {
		return nil
	}
	return bytes.TrimLeft(v[sp:], " \t")
}

// Directives returns the number of directive lines in the message.
func (m *Message) Directives() int { return m.directives }

// Dirty reports whether any edit was made.
func (m *Message) Dirty() bool { return m.dirty }

// Edits counts the edits made since Parse: it changes whenever a line is added, removed or
// rewritten, so that what the runtime derived from the lines knows when it is stale.
func (m *Message) Edits() int { return m.edits }

// StartGen changes whenever the start line is rewritten, so the runtime knows to look up the rules
// in scope again.
func (m *Message) StartGen() int { return m.startGen }

// DefaultEOL is the ending of lines that actions add: the start line's (SMC-SPEC §2).
func (m *Message) DefaultEOL() EOL { return m.defaultEOL }

// ReceivedBody returns the body as it was received (its first Content-Length bytes); edits do
// not change it.
func (m *Message) ReceivedBody() []byte { return m.in[m.bodyPos:m.tail] }

// BodyOffset returns where body line i's text starts in ReceivedBody; ok is false for a line an
// edit wrote, whose text is not there, and for a line outside the body.
func (m *Message) BodyOffset(i int) (off int, ok bool) {
	l := &m.lines[i]
	if l.inArena || l.Section != SectionBody {
		return 0, false
	}
	return int(l.off) - m.bodyPos, true
}

// OrigBodyLen is the body length the message arrived with.
func (m *Message) OrigBodyLen() int { return m.origBodyLen }

// BodyLen is the body's length now.
func (m *Message) BodyLen() int {
	if !m.bodySplit {
		return m.origBodyLen
	}
	n := 0
	for i := m.bodyFirst; i < len(m.lines); i++ {
		n += int(m.lines[i].n) + eolLen(m.lines[i].EOL)
	}
	return n
}

func eolLen(e EOL) int { return len(e.bytes()) }

// ReplaceLine replaces line i's text. Text with line breaks becomes several lines; in the header
// section a line break followed by SP or HT is a continuation and stays inside its line, and empty
// lines are dropped, since an empty line there would end the header section. The start line is
// re-parsed, so that later rules see what it now says. It returns how many lines the text became.
// The start line is never removed (SMC-SPEC §6): text that makes no line leaves it as it was, as
// REWRITE_LINE with an empty Output does (docs/semantics.md §6).
func (m *Message) ReplaceLine(i int, text []byte) int {
	if i == 0 && !makesLine(text) {
		return 1
	}
	if m.replaceInPlace(i, text) {
		return 1
	}
	l := m.lines[i]
	m.deleteAt(i)
	n := m.insertPieces(i, l.Section, text)
	if n > 0 {
		last := &m.lines[i+n-1]
		m.size += eolLen(l.EOL) - eolLen(last.EOL)
		last.EOL = l.EOL
	}
	if i == 0 {
		m.parseStartLine()
		m.startGen++
	}
	return n
}

// replaceInPlace is ReplaceLine for text that stays one line, the usual result of a FINDSUB: the
// line is rewritten where it is, so no other line moves, and the header index holds unless the
// line's name changed. It reports false, doing nothing, for text that becomes several lines or,
// outside the body, none.
func (m *Message) replaceInPlace(i int, text []byte) bool {
	l := &m.lines[i]
	if bytes.IndexByte(text, '\n') >= 0 || len(text) == 0 && l.Section != SectionBody {
		return false
	}
	m.edits++
	m.countGone(i)
	m.added++
	if l.Directive {
		m.directives--
	}
	m.size += len(text) - int(l.n)
	m.checkLength(l.Section, len(text))
	name, off := l.Name, len(m.arena)
	m.arena = append(m.arena, text...)
	*l = Line{off: uint32(off), n: uint32(len(text)), inArena: true, EOL: l.EOL, Section: l.Section}
	switch l.Section {
	case SectionHeader:
		m.parseHeaderLine(i)
		if l.Name != name {
			m.indexStale = true
		}
	case SectionBody:
		m.markBodyDirective(l, text)
	}
	m.dirty = true
	if i == 0 {
		m.parseStartLine()
		m.startGen++
	}
	return true
}

// InsertLines inserts text as new lines before index at, in the given section; each new line
// ends like the start line. It returns how many lines were inserted.
func (m *Message) InsertLines(at int, sec Section, text []byte) int {
	if sec == SectionBody && !m.bodySplit {
		m.splitBody()
	}
	if sec == SectionBody && at > m.bodyFirst && m.lines[at-1].EOL == EOLNone {
		m.lines[at-1].EOL = m.defaultEOL
		m.size += eolLen(m.defaultEOL)
		m.endingChanged = true
	}
	return m.insertPieces(at, sec, text)
}

// DeleteLine removes line i.
func (m *Message) DeleteLine(i int) {
	m.deleteAt(i)
	m.dirty = true
}

func (m *Message) deleteAt(i int) {
	m.edits++
	m.countGone(i)
	if m.lines[i].Directive {
		m.directives--
	}
	m.size -= int(m.lines[i].n) + eolLen(m.lines[i].EOL)
	if m.lines[i].Section != SectionBody {
		m.bodyFirst--
		m.indexStale = true
	}
	m.lines = append(m.lines[:i], m.lines[i+1:]...)
}

// countGone counts line i out of the received or the added lines, as it is deleted or rewritten.
func (m *Message) countGone(i int) {
	if m.lines[i].inArena {
		m.added--
	} else {
		m.received--
	}
}

// insertPieces splits text into lines and inserts them before index at.
func (m *Message) insertPieces(at int, sec Section, text []byte) int {
	count := 0
	for len(text) > 0 || count == 0 {
		piece, rest := splitLine(text, sec == SectionHeader)
		text = rest
		if len(piece) == 0 && sec != SectionBody {
			if len(rest) == 0 {
				break
			}
			continue
		}
		m.insertOne(at+count, sec, piece)
		count++
		if m.NumLines() > MaxLines {
			break // the message can no longer be sent; the runtime sees it in NumLines
		}
		if sec == SectionTop {
			sec = SectionHeader // lines after a rewritten start line are header lines
		}
		if len(rest) == 0 {
			break
		}
	}
	m.dirty = true
	return count
}

func (m *Message) insertOne(at int, sec Section, text []byte) {
	m.edits++
	m.added++
	m.size += len(text) + eolLen(m.defaultEOL)
	m.checkLength(sec, len(text))
	off := len(m.arena)
	m.arena = append(m.arena, text...)
	l := Line{off: uint32(off), n: uint32(len(text)), inArena: true, EOL: m.defaultEOL, Section: sec}
	m.lines = append(m.lines, Line{})
	copy(m.lines[at+1:], m.lines[at:])
	m.lines[at] = l
	switch sec {
	case SectionHeader:
		m.bodyFirst++
		m.indexStale = true
		m.parseHeaderLine(at)
	case SectionTop:
		m.bodyFirst++
		m.indexStale = true
	case SectionBody:
		m.markBodyDirective(&m.lines[at], text)
	}
}

// splitLine returns the text up to the first line break and the text after it. In the header
// section a break followed by SP or HT continues the line.
// makesLine reports whether text makes a line outside the body, where empty pieces are dropped.
func makesLine(text []byte) bool {
	for len(text) > 0 {
		piece, rest := splitLine(text, false)
		if len(piece) > 0 {
			return true
		}
		text = rest
	}
	return false
}

func splitLine(text []byte, header bool) (piece, rest []byte) {
	from := 0
	for {
		i := bytes.IndexByte(text[from:], '\n')
		if i < 0 {
			return text, nil
		}
		i += from
		if header && i+1 < len(text) && isWS(text[i+1]) {
			from = i + 1
			continue
		}
		end := i
		if end > 0 && text[end-1] == '\r' {
			end--
		}
		return text[:end], text[i+1:]
	}
}

// SetValue replaces header line i's value, keeping its name and the spacing before the value.
func (m *Message) SetValue(i int, value []byte) {
	m.edits++
	m.countGone(i)
	m.added++
	text := m.Text(i)
	s, e := m.ValueSpan(i)
	m.size += len(value) - (e - s)
	off := len(m.arena)
	m.arena = append(m.arena, text[:s]...)
	m.arena = append(m.arena, value...)
	m.arena = append(m.arena, text[e:]...)
	l := &m.lines[i]
	l.off, l.n, l.inArena = uint32(off), uint32(len(m.arena)-off), true
	l.valEnd = uint32(s + len(value))
	m.checkLength(l.Section, int(l.n))
	m.dirty = true
}

// Size returns the length of the message as it now is: the number of bytes AppendTo writes. Every
// edit keeps it up to date, so that the runtime can hold the message to a limit after each edit
// without writing it out.
func (m *Message) Size() int { return m.size }

// NumLines returns the number of lines without splitting the body: Len once the body is split.
// Edits hold it to MaxLines: an insertion stops at the line that goes past, since the runtime will
// not send the message.
func (m *Message) NumLines() int { return len(m.lines) + m.unsplit }

// LongLine reports whether an edit wrote a start or header line longer than MaxLineLength. With
// NumLines and Size, it tells the runtime whether the message is still one Parse would accept.
func (m *Message) LongLine() bool { return m.longLine }

func (m *Message) checkLength(sec Section, n int) {
	if sec != SectionBody && n > MaxLineLength {
		m.longLine = true
	}
}

// compactAt is the arena length past which CompactArena copies the live text out: the text of
// the lines is at most a message's worth when the runtime holds messages to MaxMessageSize, so a
// compaction copies at most a quarter of what it frees, and the arena stays under this plus what
// one edit adds.
const compactAt = 4 * MaxMessageSize

// CompactArena bounds the arena. Every edit appends the line's new text to the arena and leaves
// the old text there, so a long chain that rewrites the same lines again and again would grow it
// without bound; once it is past compactAt, the text of the lines that live in the arena is copied
// to the front of a second buffer, which becomes the arena. The buffers are kept, so compacting
// does not allocate once they have grown. Slices of the arena taken before the call (Text of a
// rewritten line) stay valid until the next compaction, not after it.
func (m *Message) CompactArena() {
	if len(m.arena) <= compactAt {
		return
	}
	spare := m.spare[:0]
	for i := range m.lines {
		if l := &m.lines[i]; l.inArena {
			off := len(spare)
			spare = append(spare, m.arena[l.off:l.off+l.n]...)
			l.off = uint32(off)
		}
	}
	m.arena, m.spare = spare, m.arena
}

// ArenaLen returns the bytes in the arena, for tests of its bound.
func (m *Message) ArenaLen() int { return len(m.arena) }

// FixContentLength rewrites the first Content-Length header to the body's length when the body
// changed length (SMC-SPEC §2). A message without the header keeps none.
func (m *Message) FixContentLength() {
	n := m.BodyLen()
	if n == m.origBodyLen {
		return
	}
	i := m.Find(IDContentLength)
	if i < 0 {
		return
	}
	var digits [20]byte
	m.SetValue(i, strconv.AppendInt(digits[:0], int64(n), 10))
}

// AppendTo appends the message as it now is to dst. Received lines that still follow each other as
// they arrived, with their endings, are copied as one run of the received bytes rather than line by
// line: an edited message is mostly such runs.
func (m *Message) AppendTo(dst []byte) []byte {
	w := writer{in: m.in, dst: dst}
	for i := range m.lines {
		if i == m.bodyFirst {
			w.ending(m.sepEOL)
		}
		l := &m.lines[i]
		if l.inArena {
			w.other(m.arena[l.off : l.off+l.n])
		} else {
			w.received(int(l.off), int(l.off+l.n))
		}
		w.ending(l.EOL)
	}
	if m.bodyFirst == len(m.lines) {
		w.ending(m.sepEOL)
	}
	if !m.bodySplit {
		w.received(m.bodyPos, m.tail)
	}
	w.received(m.tail, len(m.in))
	w.flush()
	return w.dst
}

// A writer appends a message to dst, holding back the received bytes in[from:to] until a piece
// that does not continue them comes.
type writer struct {
	in, dst  []byte
	from, to int
}

func (w *writer) received(from, to int) {
	if from != w.to {
		w.flush()
		w.from = from
	}
	w.to = to
}

// ending writes a line ending, as received bytes when the received bytes have it where the
// pending ones end (anywhere they have it, the bytes written are the same).
func (w *writer) ending(e EOL) {
	switch {
	case e == EOLNone:
		return
	case e == EOLLF && w.to < len(w.in) && w.in[w.to] == '\n':
		w.to++
		return
	case e == EOLCRLF && w.to+1 < len(w.in) && w.in[w.to] == '\r' && w.in[w.to+1] == '\n':
		w.to += 2
		return
	}
	w.other(e.bytes())
}

func (w *writer) other(b []byte) {
	w.flush()
	w.dst = append(w.dst, b...)
}

func (w *writer) flush() {
	w.dst = append(w.dst, w.in[w.from:w.to]...)
	w.from = w.to
}

// Unchanged reports whether AppendTo would write exactly the bytes the message was parsed from.
// Edits can cancel out (a rule adds a helper line that a later rule deletes), and the runtime asks
// this before writing the message out to compare it. It holds when every received line is still
// there with its received text and ending, and no other line is: received lines can be removed
// or rewritten but never moved, so they are then in their places.
func (m *Message) Unchanged() bool {
	return m.added == 0 && m.received == m.parsed && !m.endingChanged
}

// PhysicalLine returns the 1-based line number at which line i starts in the message as it now
// is, counting continuation lines and the empty line, as an editor would.
func (m *Message) PhysicalLine(i int) int {
	n := 1
	for j := 0; j < i; j++ {
		n += 1 + bytes.Count(m.Text(j), []byte("\n"))
		if j+1 == m.bodyFirst {
			n++
		}
	}
	return n
}
