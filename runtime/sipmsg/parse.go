// Package sipmsg is the SIP message view the runtime edits: the start line, the header lines with
// interned names, and the body lines, each a span of the received bytes until an action rewrites
// it. A Message is reused from message to message; parsing and editing do not allocate once its
// slices have grown to the size of the traffic.
package sipmsg

import (
	"bytes"
	"errors"

	"github.com/smcproject/smc/runtime/sip"
)

// Limits that bound the work per message. A message over any of them is not parsed and passes
// unchanged (SMC-SPEC §2: a rewriter never mangles what it does not understand); IsLimit tells
// these errors from the other parse errors, so that the daemon can count them apart.
// docs/limits.md lists every limit of the project.
const (
	// MaxMessageSize is the largest message parsed: the largest UDP payload, since a SIP message
	// over UDP cannot be larger and a TCP segment carrying more is handled as unparseable.
	MaxMessageSize = 65535
	// MaxLines is the most logical lines parsed: the start line, each header line with its
	// continuation lines counted as one, and each body line (the empty line that ends the
	// headers is not counted). It bounds the header count too, and with it every scan a rule
	// makes over the lines. Real INVITEs with SDP have under 100; the RFC 4475 torture messages
	// under 300.
	MaxLines = 1024
	// MaxLineLength is the longest start line or header line parsed, in bytes without its line
	// ending, continuation lines included. The longest header line among the 4,000 captured and
	// torture messages of the project's corpus is 594 bytes (RFC 4475 longreq); HTTP servers
	// refuse header lines past 8 KiB for the same reason (Apache's LimitRequestFieldSize 8190,
	// nginx's 8k buffers). A longer line is garbage or an attack, and every rule that selects
	// the header scans it again. Body lines are bounded by MaxMessageSize only: a binary body
	// part need not have a line break in kilobytes.
	MaxLineLength = 8192
)

// Parse errors. They are preallocated so the packet path never formats a string.
var (
	ErrEmpty         = errors.New("empty message")
	ErrTooLarge      = errors.New("message larger than 65535 bytes")
	ErrTooManyLines  = errors.New("message has more than 1024 lines")
	ErrLineTooLong   = errors.New("a start or header line is longer than 8192 bytes")
	ErrStartLine     = errors.New("no valid start line")
	ErrHeaderLine    = errors.New("a header line is not NAME: VALUE")
	ErrNoSeparator   = errors.New("no empty line between the header section and the body")
	ErrContentLength = errors.New("Content-Length is not a number")
	ErrShortBody     = errors.New("Content-Length is larger than the body")
)

// IsLimit reports whether err is a parse error for a message over one of the limits above
// (MaxMessageSize, MaxLines, MaxLineLength), rather than one that is not SIP.
func IsLimit(err error) bool {
	return err == ErrTooLarge || err == ErrTooManyLines || err == ErrLineTooLong
}

// Section says which part of the message a line belongs to.
type Section uint8

const (
	SectionTop    Section = iota + 1 // the start line
	SectionHeader                    // header lines, continuations included
	SectionBody                      // body lines
)

// EOL is a line's ending.
type EOL uint8

const (
	EOLNone EOL = iota // the last body line may have none
	EOLLF              // a bare line feed
	EOLCRLF            // CR LF
)

func (e EOL) bytes() []byte {
	switch e {
	case EOLLF:
		return []byte("\n")
	case EOLCRLF:
		return []byte("\r\n")
	}
	return nil
}

// A Line is one logical line: the start line, a header line with its continuation lines, or a
// body line. Its text lives in the received message or, once rewritten, in the message's arena.
type Line struct {
	off, n uint32
	// Header lines: the value span inside the text, and the interned name.
	valStart, valEnd uint32
	Name             uint16
	inArena          bool
	EOL              EOL
	Section          Section
	Directive        bool // a line whose name starts with Sansay-SMC- (SMC-SPEC §6)
}

// StartKind is what the start line says the message is.
type StartKind uint8

const (
	StartInvalid  StartKind = iota // neither a request nor a status line: the message passes unchanged
	StartRequest                   // Method SP Request-URI SP SIP-Version
	StartResponse                  // SIP-Version SP Status-Code SP Reason-Phrase
)

// A Message is one SIP message being processed.
type Message struct {
	in    []byte
	arena []byte
	lines []Line
	names *NameTable
	index []nameLines // by name ID (index.go)

	indexStale bool

	sepEOL      EOL // the empty line's ending
	bodyFirst   int // index of the first body line = number of start and header lines
	bodyPos     int // offset in `in` of the body
	tail        int // offset in `in` of the bytes after Content-Length, kept as they are
	origBodyLen int
	bodySplit   bool // the body lines are in lines (body.go)
	directives  int
	edits       int
	dirty       bool

	// Lines received and still there untouched, lines added by edits, and the number parsed
	// (Unchanged).
	received, added, parsed int
	endingChanged           bool
	// size is the length AppendTo writes, kept up to date by every edit (Size).
	size int
	// unsplit counts the body lines not yet in lines (body.go), for NumLines.
	unsplit int
	// longLine is set when an edit wrote a start or header line longer than MaxLineLength.
	longLine bool
	// spare is the arena's second buffer, which CompactArena copies the live text into.
	spare []byte

	defaultEOL EOL
	startGen   int

	Kind   StartKind
	Code   int    // response status code
	method [2]int // request method span in the start line text
}

// Parse reads in as a SIP message, resolving header names with names: it checks and indexes the
// start line and the header lines, and checks the body's framing. The body is split into lines
// the first time one is asked for (body.go). The message keeps referring to in, which must not
// change until the message is reset by the next Parse.
func (m *Message) Parse(in []byte, names *NameTable) error {
	m.reset(in, names)
	if len(in) == 0 {
		return ErrEmpty
	}
	if len(in) > MaxMessageSize {
		return ErrTooLarge
	}
	pos, err := m.parseHead()
	if err != nil {
		return err
	}
	bodyLines, err := m.frameBody(pos)
	m.parsed = m.bodyFirst + bodyLines
	m.received, m.added, m.endingChanged = m.parsed, 0, false
	m.size = len(in)
	return err
}

func (m *Message) reset(in []byte, names *NameTable) {
	m.in, m.names = in, names
	m.arena = m.arena[:0]
	m.lines = m.lines[:0]
	m.directives, m.edits, m.dirty = 0, 0, false
	m.unsplit, m.longLine = 0, false
	m.Kind, m.Code = StartInvalid, 0
	m.tail = len(in)
	m.bodySplit = true // until a parsed body waits to be split
	m.resetIndex()
}

// nextLine returns the text span of the line at pos, its ending, and the position after it.
func (m *Message) nextLine(pos int) (end int, eol EOL, next int, ok bool) {
	i := bytes.IndexByte(m.in[pos:], '\n')
	if i < 0 {
		return 0, EOLNone, 0, false
	}
	end, next = pos+i, pos+i+1
	if end > pos && m.in[end-1] == '\r' {
		return end - 1, EOLCRLF, next, true
	}
	return end, EOLLF, next, true
}

// parseHead reads the start line and the header lines up to the empty line. Each header line is
// read whole, continuation lines included, and its name and value parsed while it is still in
// cache. A bad header line is only reported once the empty line is found, so that a message with
// no end to its header section, too many lines or too long a line, fails as that whatever its header
// lines say.
func (m *Message) parseHead() (int, error) {
	end, eol, pos, ok := m.nextLine(0)
	if !ok {
		return 0, ErrNoSeparator
	}
	if end > MaxLineLength {
		return 0, ErrLineTooLong
	}
	m.addLine(0, end, eol, SectionTop)
	m.defaultEOL = eol
	if !m.parseStartLine() {
		return 0, ErrStartLine
	}
	badHeader := false
	for {
		start := pos
		end, eol, next, ok := m.nextLine(pos)
		if !ok {
			return 0, ErrNoSeparator
		}
		if end == start {
			m.sepEOL = eol
			m.bodyFirst = len(m.lines)
			if badHeader {
				return 0, ErrHeaderLine
			}
			return next, nil
		}
		if isWS(m.in[start]) {
			return 0, ErrHeaderLine // a continuation line right after the start line
		}
		if len(m.lines) >= MaxLines {
			return 0, ErrTooManyLines
		}
		for next < len(m.in) && isWS(m.in[next]) {
			if end, eol, next, ok = m.nextLine(next); !ok {
				return 0, ErrNoSeparator
			}
		}
		if end-start > MaxLineLength {
			return 0, ErrLineTooLong
		}
		pos = next
		if !m.addReceivedHeader(start, end, eol) {
			badHeader = true
		}
	}
}

// addLine appends the line in[start:end] and returns it. The line is written in place, field by
// field: building it as a value and appending that made the CPU read back in wide loads a line it
// had just written in narrow stores, which cost more than the rest of the line's parsing.
func (m *Message) addLine(start, end int, eol EOL, sec Section) *Line {
	m.lines = append(m.lines, Line{})
	l := &m.lines[len(m.lines)-1]
	l.off, l.n, l.EOL, l.Section = uint32(start), uint32(end-start), eol, sec
	return l
}

// addReceivedHeader appends the header line in[start:end] and parses it, and reports whether it
// is NAME [WS] ":" with NAME an RFC 3261 token; whitespace before the colon may include the line
// break of a continuation. One scan over the token characters finds the end of the name and
// checks it.
func (m *Message) addReceivedHeader(start, end int, eol EOL) bool {
	text := m.in[start:end]
	l := m.addLine(start, end, eol, SectionHeader)
	nameEnd := tokenPrefix(text)
	colon := nameEnd
	for colon < len(text) && (isWS(text[colon]) || text[colon] == '\r' || text[colon] == '\n') {
		colon++
	}
	if nameEnd == 0 || colon == len(text) || text[colon] != ':' {
		return false
	}
	name := text[:nameEnd]
	l.Name = m.names.Lookup(name)
	if isDirective(name) {
		l.Directive = true
		m.directives++
	}
	s, e := valueAfter(text, colon)
	l.valStart, l.valEnd = uint32(s), uint32(e)
	m.indexHeader(len(m.lines)-1, l.Name)
	return true
}

// parseHeaderLine finds the name and value of a header line that an action wrote and interns the
// name. Such a line may be anything (a directive such as "Sansay-SMC-BlockMedia" has no colon):
// without a colon the whole trimmed text is the name.
func (m *Message) parseHeaderLine(i int) {
	text := m.Text(i)
	colon := bytes.IndexByte(text, ':')
	nameEnd := len(text)
	if colon >= 0 {
		nameEnd = colon
	}
	nameEnd = trimRight(text, nameEnd)
	nameStart := 0
	for nameStart < nameEnd && isWS(text[nameStart]) {
		nameStart++
	}
	m.setHeader(i, text, nameStart, nameEnd, colon)
}

// setHeader records line i's name text[nameStart:nameEnd] and the trimmed value after the colon
// (none when colon is -1).
func (m *Message) setHeader(i int, text []byte, nameStart, nameEnd, colon int) {
	l := &m.lines[i]
	name := text[nameStart:nameEnd]
	l.Name = m.names.Lookup(name)
	l.Directive = isDirective(name)
	if l.Directive {
		m.directives++
	}
	l.valStart, l.valEnd = uint32(len(text)), uint32(len(text))
	if colon >= 0 {
		s, e := valueAfter(text, colon)
		l.valStart, l.valEnd = uint32(s), uint32(e)
	}
}

// valueAfter returns the span of a header value after the colon at text[colon], without the
// whitespace around it.
func valueAfter(text []byte, colon int) (start, end int) {
	start = colon + 1
	for start < len(text) && isWS(text[start]) {
		start++
	}
	return start, max(trimRight(text, len(text)), start)
}

// parseStartLine checks the start line and records the message kind, method and code.
func (m *Message) parseStartLine() bool {
	kind, code, methodEnd := startLine(m.Text(0))
	m.Kind, m.Code = kind, code
	if kind == StartRequest {
		m.method = [2]int{0, methodEnd}
	}
	return kind != StartInvalid
}

// StartLine reports what a start line, given without its line ending, says a message is, by the
// test Parse applies: smcc pcap uses it to pick the SIP messages out of a capture's payloads.
func StartLine(line []byte) StartKind {
	kind, _, _ := startLine(line)
	return kind
}

// startLine reads a start line: the kind, a response's status code, and where a request's method
// ends.
func startLine(text []byte) (kind StartKind, code, methodEnd int) {
	if len(text) >= 11 && sip.EqualFold(text[:8], "SIP/2.0 ") {
		c := text[8:11]
		if c[0] < '1' || c[0] > '6' || !isDigit(c[1]) || !isDigit(c[2]) || len(text) > 11 && text[11] != ' ' {
			return StartInvalid, 0, 0
		}
		return StartResponse, int(c[0]-'0')*100 + int(c[1]-'0')*10 + int(c[2]-'0'), 0
	}
	// Method SP Request-URI SP SIP-Version: the URI ends at the first space after the method,
	// since no space may follow it but the one before the version, which has none.
	sp1 := bytes.IndexByte(text, ' ')
	if sp1 <= 0 || !isToken(text[:sp1]) {
		return StartInvalid, 0, 0
	}
	sp2 := bytes.IndexByte(text[sp1+1:], ' ') + sp1 + 1
	if sp2 <= sp1+1 || !sip.EqualFold(text[sp2+1:], "SIP/2.0") || bytes.IndexByte(text[sp1+1:sp2], '\t') >= 0 {
		return StartInvalid, 0, 0
	}
	return StartRequest, 0, sp1
}

func (m *Message) markBodyDirective(l *Line, text []byte) {
	l.Directive = isDirective(text)
	if l.Directive {
		m.directives++
	}
}

// isDirective reports whether a header name or a body line starts with Sansay-SMC- (SMC-SPEC §6).
// The first byte rejects nearly every line before the full comparison, in a call of its own so
// that this test is inlined where every line is parsed.
func isDirective(b []byte) bool {
	return len(b) >= 11 && b[0]|0x20 == 's' && hasDirectivePrefix(b)
}

func hasDirectivePrefix(b []byte) bool { return HasPrefixFold(b, "Sansay-SMC-") }

// parseLength reads a Content-Length value: RFC 3261's 1*DIGIT, however many digits, leading zeros
// included ("0000000001" is 1). A value past MaxMessageSize is larger than any body, so it stops
// growing there rather than overflowing.
func parseLength(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = min(n*10+int(c-'0'), MaxMessageSize+1)
	}
	return n, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isWS(c byte) bool { return c == ' ' || c == '\t' }

func trimRight(b []byte, end int) int {
	for end > 0 && (isWS(b[end-1]) || b[end-1] == '\r' || b[end-1] == '\n') {
		end--
	}
	return end
}

// isToken reports whether b is an RFC 3261 token.
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !tokenChars[c] {
			return false
		}
	}
	return true
}

// tokenPrefix returns the length of the run of token characters that b starts with.
func tokenPrefix(b []byte) int {
	for i, c := range b {
		if !tokenChars[c] {
			return i
		}
	}
	return len(b)
}

var tokenChars = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "-.!%*_+`'~" {
		t[c] = true
	}
	return t
}()
