package reference

import (
	"errors"
	"strings"
)

// The message (SMC-SPEC §2, docs/semantics.md "Messages"): the start line, the header lines and
// the body lines, in one list of strings with their line endings.

// Sections of a message.
const (
	top = iota
	header
	body
)

// A line is one logical line: a header line holds its continuation lines, line breaks included.
type line struct {
	text    string // without its line ending
	eol     string // "\r\n", "\n", or "" (only the last body line)
	section int
	mime    int // in a multipart body, whether BODY_SECTION_ONLY selects it (multipart.go)
	sdp     int // sdpOpen or sdpClose: a line that bounds the SDP part (sdp.go)
}

type message struct {
	lines   []line
	sep     string // the ending of the empty line after the headers
	tail    string // bytes after Content-Length, kept as they are
	bodyLen int    // the body's length as received
	newEOL  string // the start line's ending, which added lines get
	sdp     int    // where the received SDP is: noSDP, wholeSDP or partSDP (sdp.go)
}

var errUnparseable = errors.New("not parsed as SIP")

// parse reads a message; any error means the message is passed unchanged.
func parse(in string) (*message, error) {
	if in == "" || len(in) > maxSize {
		return nil, errUnparseable
	}
	m := &message{}
	physical, rest, ok := splitPhysical(in)
	if !ok || len(physical) == 0 || kindOf(physical[0].text) == invalid {
		return nil, errUnparseable
	}
	m.newEOL = physical[0].eol
	m.lines = append(m.lines, line{text: physical[0].text, eol: physical[0].eol, section: top})
	for i := 1; i < len(physical); i++ {
		p := physical[i]
		if p.text == "" {
			m.sep = p.eol
			break
		}
		if p.text[0] == ' ' || p.text[0] == '\t' {
			if i == 1 {
				return nil, errUnparseable // a continuation line needs a header above it
			}
			last := &m.lines[len(m.lines)-1]
			last.text += last.eol + p.text
			last.eol = p.eol
			continue
		}
		m.lines = append(m.lines, line{text: p.text, eol: p.eol, section: header})
	}
	for _, l := range m.lines[1:] {
		if !wellFormedHeader(l.text) {
			return nil, errUnparseable
		}
	}
	if err := m.frameBody(rest); err != nil {
		return nil, err
	}
	if i := m.find("content-type"); i >= 0 {
		m.markParts(m.value(i))
		m.markSDP(m.value(i))
	}
	if len(m.lines) > maxLines || m.tooLong() {
		return nil, errUnparseable
	}
	return m, nil
}

// splitPhysical splits the head of the message into physical lines up to and including the empty
// line, and returns the bytes after it. ok is false when there is no empty line.
func splitPhysical(in string) (lines []line, rest string, ok bool) {
	for {
		i := strings.IndexByte(in, '\n')
		if i < 0 {
			return nil, "", false
		}
		text, eol := in[:i], "\n"
		if strings.HasSuffix(text, "\r") {
			text, eol = text[:len(text)-1], "\r\n"
		}
		lines = append(lines, line{text: text, eol: eol})
		in = in[i+1:]
		if text == "" && len(lines) > 1 {
			return lines, in, true
		}
		if text == "" {
			return nil, "", false // an empty first line: no start line
		}
	}
}

// wellFormedHeader: name [SP|HT]* ":" with a token name; the white space may hold the line break
// of a continuation.
func wellFormedHeader(text string) bool {
	n := 0
	for n < len(text) && isToken(text[n:n+1]) {
		n++
	}
	rest := strings.TrimLeft(text[n:], " \t\r\n")
	return n > 0 && strings.HasPrefix(rest, ":")
}

// frameBody takes the body from rest: the first Content-Length bytes when the message has the
// header (the first one counts), otherwise all of it.
func (m *message) frameBody(rest string) error {
	bodyText := rest
	if i := m.find("content-length"); i >= 0 {
		v := m.value(i)
		n := 0
		for _, c := range v {
			if c < '0' || c > '9' || n > len(rest) {
				return errUnparseable
			}
			n = n*10 + int(c-'0')
		}
		if v == "" || n > len(rest) {
			return errUnparseable
		}
		bodyText, m.tail = rest[:n], rest[n:]
	}
	m.bodyLen = len(bodyText)
	for bodyText != "" {
		text, eol := bodyText, ""
		if i := strings.IndexByte(bodyText, '\n'); i >= 0 {
			text, eol = bodyText[:i], "\n"
			if strings.HasSuffix(text, "\r") {
				text, eol = text[:len(text)-1], "\r\n"
			}
		}
		m.lines = append(m.lines, line{text: text, eol: eol, section: body})
		bodyText = bodyText[len(text)+len(eol):]
	}
	return nil
}

// Start line kinds.
const (
	invalid = iota
	request
	response
)

// kindOf reads a start line: METHOD SP Request-URI SP SIP/2.0, or SIP/2.0 SP NNN [SP Reason] with
// NNN in 100..699 (docs/semantics.md "What parses").
func kindOf(start string) int {
	if len(start) >= 8 && strings.EqualFold(start[:8], "SIP/2.0 ") {
		code := start[8:]
		if len(code) < 3 || !(code[0] >= '1' && code[0] <= '6') || !isDigit(code[1]) || !isDigit(code[2]) {
			return invalid
		}
		if len(code) > 3 && code[3] != ' ' {
			return invalid
		}
		return response
	}
	parts := strings.Split(start, " ")
	if len(parts) != 3 || !isToken(parts[0]) || parts[1] == "" || strings.ContainsAny(parts[1], "\t") ||
		!strings.EqualFold(parts[2], "SIP/2.0") {
		return invalid
	}
	return request
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// kind is what the start line says now.
func (m *message) kind() int {
	if len(m.lines) == 0 || m.lines[0].section != top {
		return invalid
	}
	return kindOf(m.lines[0].text)
}

// method is a request's method.
func (m *message) method() string { return strings.Split(m.lines[0].text, " ")[0] }

// code is a response's status code.
func (m *message) code() string { return m.lines[0].text[8:11] }

// cseqMethod is the method of the first CSeq header: what follows the number and its white space.
func (m *message) cseqMethod() string {
	i := m.find("cseq")
	if i < 0 {
		return ""
	}
	v := m.value(i)
	sp := strings.IndexAny(v, " \t")
	if sp < 0 {
		return ""
	}
	return strings.TrimLeft(v[sp:], " \t")
}

// bodyStart is the index of the first body line, or the number of lines when there is none: the
// end of the header section.
func (m *message) bodyStart() int {
	for i, l := range m.lines {
		if l.section == body {
			return i
		}
	}
	return len(m.lines)
}

// bodyLength is the length of the body as it is now.
func (m *message) bodyLength() int {
	n := 0
	for _, l := range m.lines[m.bodyStart():] {
		n += len(l.text) + len(l.eol)
	}
	return n
}

// bytes writes the message out: each line with its ending, the empty line before the body, and
// the bytes after the body.
func (m *message) bytes() []byte {
	var b strings.Builder
	start := m.bodyStart()
	for i, l := range m.lines {
		if i == start {
			b.WriteString(m.sep)
		}
		b.WriteString(l.text + l.eol)
	}
	if start == len(m.lines) {
		b.WriteString(m.sep)
	}
	b.WriteString(m.tail)
	return []byte(b.String())
}

// compact maps the compact forms of SMC-SPEC §2 to their long forms, in lower case.
var compact = map[string]string{
	"i": "call-id", "m": "contact", "e": "content-encoding", "l": "content-length", "c": "content-type",
	"f": "from", "s": "subject", "k": "supported", "t": "to", "v": "via", "o": "event", "r": "refer-to",
	"b": "referred-by", "u": "allow-events", "a": "accept-contact", "j": "reject-contact",
	"d": "request-disposition", "x": "session-expires", "y": "identity", "n": "identity-info",
}

// canonical is the form in which two header names are equal when they match: lower case, the
// long form for a compact one.
func canonical(name string) string {
	name = strings.ToLower(name) // header names are ASCII tokens; ToLower leaves other bytes be
	if long, ok := compact[name]; ok {
		return long
	}
	return name
}

// headerName is a header line's name: the text before its first colon (all of it without one),
// trimmed. For a received line that is its token; a line an action wrote may be anything.
func headerName(text string) string {
	if i := strings.IndexByte(text, ':'); i >= 0 {
		text = text[:i]
	}
	return strings.TrimRight(strings.TrimLeft(text, " \t"), " \t\r\n")
}

// headerValue is the span of a header line's value: after the first colon, white space trimmed
// (docs/semantics.md "Values"); a line without a colon has an empty value at its end.
func headerValue(text string) (start, end int) {
	colon := strings.IndexByte(text, ':')
	if colon < 0 {
		return len(text), len(text)
	}
	start = colon + 1
	for start < len(text) && (text[start] == ' ' || text[start] == '\t') {
		start++
	}
	end = len(strings.TrimRight(text, " \t\r\n"))
	return start, max(start, end)
}

// find returns the first header line with the given name, or -1.
func (m *message) find(name string) int {
	for i, l := range m.lines {
		if l.section == header && canonical(headerName(l.text)) == canonical(name) {
			return i
		}
	}
	return -1
}

// value is header line i's value.
func (m *message) value(i int) string {
	s, e := headerValue(m.lines[i].text)
	return m.lines[i].text[s:e]
}
