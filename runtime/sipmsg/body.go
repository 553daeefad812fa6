package sipmsg

import "bytes"

// The body is split into lines only when something asks for them (Len, and every edit of the
// body): many chains never look at it, and on a 600-byte INVITE with SDP splitting it is a third of
// parsing. Parse still checks all that would make the message unparseable, the framing and the
// number of lines, so that splitting later cannot fail, and it splits at once a body that may hold
// a directive line, which the runtime must know of after every rule.

// frameBody checks the body that starts at pos against Content-Length, and returns how many lines
// it has.
func (m *Message) frameBody(pos int) (int, error) {
	end := len(m.in)
	if i := m.Find(IDContentLength); i >= 0 {
		n, ok := parseLength(m.Value(i))
		if !ok {
			return 0, ErrContentLength
		}
		if n > len(m.in)-pos {
			return 0, ErrShortBody
		}
		end = pos + n
	}
	m.bodyPos, m.tail, m.origBodyLen = pos, end, end-pos
	n := countLines(m.in[pos:end])
	if len(m.lines)+n > MaxLines {
		return 0, ErrTooManyLines
	}
	m.bodySplit, m.unsplit = false, n
	if mayHoldDirective(m.in[pos:end]) {
		m.splitBody()
	}
	return n, nil
}

// countLines returns the number of lines splitBody makes of body: one per line break, and one for
// text after the last.
func countLines(body []byte) int {
	n := bytes.Count(body, []byte("\n"))
	if len(body) > 0 && body[len(body)-1] != '\n' {
		n++
	}
	return n
}

// maxDashes bounds the work mayHoldDirective does on a body full of '-' (a multipart boundary, say):
// past it, the body is assumed to hold a directive and split at once.
const maxDashes = 32

// mayHoldDirective reports whether some line of body might start with Sansay-SMC-, which has
// "-SMC-" in any case: false means none does. SDP bodies have a few '-' and seldom "smc-".
func mayHoldDirective(body []byte) bool {
	for i, n := 0, 0; ; n++ {
		d := bytes.IndexByte(body[i:], '-')
		if d < 0 {
			return false
		}
		i += d + 1
		if n == maxDashes || HasPrefixFold(body[i:], "SMC-") {
			return true
		}
	}
}

// splitBody appends the body's lines; callers make sure it runs once.
func (m *Message) splitBody() {
	m.bodySplit, m.unsplit = true, 0
	for pos, end := m.bodyPos, m.tail; pos < end; {
		lineEnd, eol, next := end, EOLNone, end
		if i := bytes.IndexByte(m.in[pos:end], '\n'); i >= 0 {
			lineEnd, eol, next = pos+i, EOLLF, pos+i+1
			if i > 0 && m.in[lineEnd-1] == '\r' {
				lineEnd, eol = lineEnd-1, EOLCRLF
			}
		}
		l := m.addLine(pos, lineEnd, eol, SectionBody)
		m.markBodyDirective(l, m.in[pos:lineEnd])
		pos = next
	}
}
