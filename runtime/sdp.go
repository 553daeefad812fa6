package runtime

import (
	"bytes"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/runtime/mime"
)

// The SDP codec edits (SMC-SPEC §6, "SDP codecs"; docs/semantics.md "SDP codecs"):
// SDP_REMOVE_CODECS and SDP_KEEP_CODECS take formats out of the m= lines of the message's SDP,
// with their a=rtpmap:, a=fmtp: and a=rtcp-fb: lines, and never leave an m= line without a format.
//
// Where the SDP is comes from the message as received, as the body's parts do (body.go): the
// whole body when the received Content-Type is application/sdp, else the content of the first
// application/sdp part of a multipart body that reads to its close delimiter. In the multipart
// case the SDP's lines in the message as it is now are those between two received lines that no
// rule can select, and so none has edited: the empty line that ends the part's headers and the
// delimiter line after the part. Lines a rule wrote between them are SDP too.
//
// Nothing here allocates once the Machine's buffers have grown: formats are spans of a copy of
// the m= line, the codec list is read in place each time, and names are compared folded.

// sdpView is where the received message's SDP is, found at most once per message.
type sdpView struct {
	run   int // the run it was found in; stale when it is not m.runs
	where sdpWhere
	open  int // sdpPart: offset in the received body of the empty line that ends the part's headers
	close int // sdpPart: offset of the delimiter line after the part
}

type sdpWhere uint8

const (
	sdpNone  sdpWhere = iota // no SDP: the definitions do nothing
	sdpWhole                 // the whole body
	sdpPart                  // a part of a multipart body
)

// findSDP finds the received message's SDP the first time an SDP definition of this message runs.
func (m *Machine) findSDP() {
	v := &m.sdp
	if v.run == m.runs {
		return
	}
	v.run, v.where = m.runs, sdpNone
	if mime.Is(m.bv.ctype, "application", "sdp") {
		v.where = sdpWhole
		return
	}
	boundary, ok := mime.Multipart(m.bv.ctype)
	if !ok {
		return
	}
	r := mime.NewReader(m.bv.body, boundary)
	var p, rest mime.Part
	found := false
	for !found && r.Next(&p) {
		found = mime.Is(p.Type, "application", "sdp")
	}
	for r.Next(&rest) {
		// The body must read to its close delimiter to be multipart at all (docs/semantics.md).
	}
	// A part with no content (no empty line after its headers, or nothing before the delimiter's
	// line break) has no SDP lines, and no empty line to count them from.
	if !found || r.Err() != nil || p.Content >= p.End {
		return
	}
	v.where, v.open, v.close = sdpPart, lineStartBefore(m.bv.body, p.Content), afterLineBreak(m.bv.body, p.End)
}

// lineStartBefore returns where the line starts that ends just before offset at.
func lineStartBefore(b []byte, at int) int {
	i := at - 1 // the LF of that line's ending
	for i > 0 && b[i-1] != '\n' {
		i--
	}
	return i
}

// sdpLines returns the lines of the message's SDP as they are now: [first, end).
func (m *Machine) sdpLines() (first, end int, ok bool) {
	m.findSDP()
	n := m.msg.Len()
	switch m.sdp.where {
	case sdpWhole:
		return m.msg.BodyStart(), n, true
	case sdpPart:
		first, end = -1, -1
		for i := m.msg.BodyStart(); i < n && end < 0; i++ {
			switch off, received := m.msg.BodyOffset(i); {
			case !received:
			case off == m.sdp.open:
				first = i + 1
			case off == m.sdp.close:
				end = i
			}
		}
		return first, end, first >= 0 && end >= first
	}
	return 0, 0, false
}

// editCodecs runs an SDP definition on every media section it selects.
func (m *Machine) editCodecs(d *compile.ReplaceDef) {
	sel := &m.prog.Selectors[d.Sel]
	first, end, ok := m.sdpLines()
	if !ok {
		if m.trace != nil {
			m.trace.note(d.Type.String() + ": the message has no SDP")
			m.trace.action(d, -1, nil)
		}
		return
	}
	// A definition that edits no section, because none is selected or none holds a format to
	// edit, says so in the trace as every other replace type does.
	edited := false
	for i := m.nextMedia(first, end); i < end; i = m.nextMedia(i+1, end) {
		if !bytes.HasPrefix(m.msg.Text(i), sel.Prefix) || !m.passes(sel, i) {
			continue
		}
		sectionEnd := m.nextMedia(i+1, end)
		gone, ok := m.editSection(d, i, sectionEnd)
		end -= gone
		if m.overflow != nil {
			return
		}
		edited = edited || ok
	}
	if !edited {
		m.trace.action(d, -1, nil)
	}
}

// nextMedia returns the first m= line from i on, before end, or end.
func (m *Machine) nextMedia(i, end int) int {
	for ; i < end; i++ {
		if t := m.msg.Text(i); len(t) >= 2 && t[0] == 'm' && t[1] == '=' {
			return i
		}
	}
	return end
}

// editSection edits the media section whose m= line is line i and which ends before line end. It
// returns how many lines it removed and whether it changed the section.
func (m *Machine) editSection(d *compile.ReplaceDef, i, end int) (int, bool) {
	m.mline = append(m.mline[:0], m.msg.Text(i)...)
	formats, port0 := mediaFormats(m.mline)
	if port0 {
		if m.trace != nil {
			m.trace.note("the section of " + string(m.mline) + " is rejected (port 0): left unchanged")
		}
		return 0, false
	}
	// m.fmts holds the spans of the formats to remove: start of the white space before, end.
	m.fmts = m.fmts[:0]
	kept := 0
	for s, e := nextToken(m.mline, formats); s < e; s, e = nextToken(m.mline, e) {
		listed := m.codecListed(m.mline[s:e], i+1, end)
		if listed == (d.Type == compile.ReplaceSDPKeepCodecs) {
			kept++
			continue
		}
		m.fmts = append(m.fmts, spaceBefore(m.mline, s), e)
	}
	switch {
	case len(m.fmts) == 0:
		return 0, false
	case kept == 0:
		m.emptySection(d, i)
		return 0, false
	}
	m.editBuf = m.editBuf[:0]
	done := 0
	for k := 0; k < len(m.fmts); k += 2 {
		m.editBuf = append(m.editBuf, m.mline[done:m.fmts[k]]...)
		done = m.fmts[k+1]
	}
	m.editBuf = append(m.editBuf, m.mline[done:]...)
	line := m.lineNo(i)
	m.msg.ReplaceLine(i, m.editBuf) // one line: an m= line holds no line break
	m.trace.action(d, line, m.editBuf)
	return m.removeFormatLines(d, i+1, end), true
}

// removeFormatLines deletes the a=rtpmap:, a=fmtp: and a=rtcp-fb: lines of the removed formats
// among lines [from, end) and returns how many it deleted.
func (m *Machine) removeFormatLines(d *compile.ReplaceDef, from, end int) int {
	gone := 0
	for j := from; j < end-gone; {
		f, ok := formatAttribute(m.msg.Text(j))
		if !ok || !m.removed(f) {
			j++
			continue
		}
		if m.trace != nil {
			m.trace.deleted(d, m.msg.PhysicalLine(j), m.msg.Text(j))
		}
		m.msg.DeleteLine(j)
		gone++
	}
	return gone
}

// removed reports whether format f is one of the formats to remove (m.fmts).
func (m *Machine) removed(f []byte) bool {
	for k := 0; k < len(m.fmts); k += 2 {
		s := m.fmts[k]
		s += spaceLen(m.mline[s:m.fmts[k+1]])
		if bytes.Equal(m.mline[s:m.fmts[k+1]], f) {
			return true
		}
	}
	return false
}

// emptySection reports, as a warning and in the trace, a section left unchanged because the edit
// would have left its m= line without a format.
func (m *Machine) emptySection(d *compile.ReplaceDef, i int) {
	off, keep := m.warningStart()
	if !keep && m.trace == nil {
		return
	}
	m.warnBuf = append(m.warnBuf, d.Type.String()...)
	m.warnBuf = append(m.warnBuf, " would leave no format in "...)
	m.warnBuf = append(m.warnBuf, m.mline...)
	m.warnBuf = append(m.warnBuf, " (msg:"...)
	m.warnBuf = appendInt(m.warnBuf, m.msg.PhysicalLine(i))
	m.warnBuf = append(m.warnBuf, "): the section is left unchanged"...)
	if m.trace != nil {
		m.trace.note(string(m.warnBuf[off:]))
	}
	if !keep {
		m.warnBuf = m.warnBuf[:off]
		return
	}
	m.warningEnd(WarnSDPEmptySection, off)
}

// codecListed reports whether format f of a media section whose attribute lines are [from, end)
// is in the definition's list (m.outBuf): a listed number names the format written with the same
// digits; a listed name matches, ASCII case-insensitively, the encoding name of the format's first
// a=rtpmap: line, or for a static payload type without one its RFC 3551 name, or a format that is
// not a number (t38) itself.
func (m *Machine) codecListed(f []byte, from, end int) bool {
	name, numeric := f, isDigits(f)
	if numeric {
		name = m.rtpmapName(f, from, end)
	}
	for list := m.outBuf; len(list) > 0; {
		var item []byte
		item, list = nextItem(list)
		switch {
		case len(item) == 0:
		case isDigits(item):
			if bytes.Equal(item, f) {
				return true
			}
		case len(name) > 0 && equalFoldBytes(item, name):
			return true
		}
	}
	return false
}

// rtpmapName returns the encoding name of payload type f: that of its first a=rtpmap: line among
// lines [from, end), else the RFC 3551 name of a static payload type, else nothing.
func (m *Machine) rtpmapName(f []byte, from, end int) []byte {
	for j := from; j < end; j++ {
		t := m.msg.Text(j)
		if !bytes.HasPrefix(t, rtpmap) {
			continue
		}
		if pt, ok := formatAttribute(t); ok && bytes.Equal(pt, f) {
			return encodingName(t[len(rtpmap)+len(pt):])
		}
	}
	return staticName(f)
}

var (
	rtpmap = []byte("a=rtpmap:")
	fmtp   = []byte("a=fmtp:")
	rtcpFB = []byte("a=rtcp-fb:")
)

// formatAttribute returns the format an a=rtpmap:, a=fmtp: or a=rtcp-fb: line is about: the text
// after the colon up to white space or the end of the line.
func formatAttribute(t []byte) ([]byte, bool) {
	var rest []byte
	switch {
	case bytes.HasPrefix(t, rtpmap):
		rest = t[len(rtpmap):]
	case bytes.HasPrefix(t, fmtp):
		rest = t[len(fmtp):]
	case bytes.HasPrefix(t, rtcpFB):
		rest = t[len(rtcpFB):]
	default:
		return nil, false
	}
	n := 0
	for n < len(rest) && !isSpace(rest[n]) {
		n++
	}
	return rest[:n], n > 0
}

// encodingName reads the encoding name of an a=rtpmap: line from the text after its payload
// type: after white space, up to a '/', white space or the end.
func encodingName(rest []byte) []byte {
	rest = rest[spaceLen(rest):]
	n := 0
	for n < len(rest) && rest[n] != '/' && !isSpace(rest[n]) {
		n++
	}
	return rest[:n]
}

// staticNames are the encoding names of RFC 3551's static payload types (tables 4 and 5), for a
// payload type the section gives no a=rtpmap: line.
var staticNames = [35]string{0: "PCMU", 3: "GSM", 4: "G723", 5: "DVI4", 6: "DVI4", 7: "LPC", 8: "PCMA",
	9: "G722", 10: "L16", 11: "L16", 12: "QCELP", 13: "CN", 14: "MPA", 15: "G728", 16: "DVI4", 17: "DVI4",
	18: "G729", 25: "CelB", 26: "JPEG", 28: "nv", 31: "H261", 32: "MPV", 33: "MP2T", 34: "H263"}

var staticNameBytes = func() (b [len(staticNames)][]byte) {
	for i, s := range staticNames {
		b[i] = []byte(s)
	}
	return b
}()

// staticName returns the RFC 3551 name of a payload type written f, or nil. A payload type is
// written without leading zeros.
func staticName(f []byte) []byte {
	if len(f) == 0 || len(f) > 2 || len(f) == 2 && f[0] == '0' {
		return nil
	}
	pt := 0
	for _, c := range f {
		pt = pt*10 + int(c-'0')
	}
	if pt < len(staticNameBytes) {
		return staticNameBytes[pt]
	}
	return nil
}

// mediaFormats reads an m= line, `m=<media> <port>[/<count>] <proto> <fmt> ...`: it returns where
// the text after the proto starts, and whether the port is 0 (a rejected section). A line with no
// proto has no formats: it returns the end of the line.
func mediaFormats(t []byte) (formats int, port0 bool) {
	_, e := nextToken(t, 2) // the media
	ps, pe := nextToken(t, e)
	_, e = nextToken(t, pe) // the proto
	port := t[ps:pe]
	if i := bytes.IndexByte(port, '/'); i >= 0 {
		port = port[:i]
	}
	port0 = len(port) > 0
	for _, c := range port {
		port0 = port0 && c == '0'
	}
	return e, port0
}

// nextToken returns the span of the first token of t at or after from: a run of bytes other than
// SP and HT. At the end of the line both are len(t).
func nextToken(t []byte, from int) (start, end int) {
	start = from + spaceLen(t[from:])
	end = start
	for end < len(t) && !isSpace(t[end]) {
		end++
	}
	return start, end
}

// spaceBefore returns where the run of white space that ends at s starts.
func spaceBefore(t []byte, s int) int {
	for s > 0 && isSpace(t[s-1]) {
		s--
	}
	return s
}

func spaceLen(b []byte) int {
	n := 0
	for n < len(b) && isSpace(b[n]) {
		n++
	}
	return n
}

// equalFoldBytes is ASCII case-insensitive equality.
func equalFoldBytes(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// nextItem returns the first comma-separated item of a codec list, white space around it trimmed,
// and the rest of the list.
func nextItem(list []byte) (item, rest []byte) {
	item = list
	if i := bytes.IndexByte(list, ','); i >= 0 {
		item, rest = list[:i], list[i+1:]
	}
	item = item[spaceLen(item):]
	for len(item) > 0 && isSpace(item[len(item)-1]) {
		item = item[:len(item)-1]
	}
	return item, rest
}
