package reference

import "strings"

// SDP codecs (SMC-SPEC §6 "SDP codecs", docs/semantics.md "SDP codecs"): SDP_REMOVE_CODECS and
// SDP_KEEP_CODECS edit the formats of the media sections of the message's SDP.

// Where the received SDP is: a message's sdp, and the two lines that bound an SDP part.
const (
	noSDP    = iota
	wholeSDP // the received Content-Type is application/sdp: every body line
	partSDP  // the first application/sdp part of a multipart body

	sdpOpen  = 1 // line.sdp: the empty line that ends the SDP part's headers
	sdpClose = 2 // line.sdp: the delimiter line after the SDP part
)

// sdpSelection reads the selecting keys of an SDP definition: BODY_SECTION_ONLY only (the
// default), a Header that starts with m= (m= when absent), the Macro ignored.
func (r *reader) sdpSelection(obj map[string]any) Selection {
	s := Selection{Header: "m=", Attr: "BODY_SECTION_ONLY"}
	if _, ok := obj["Header"]; ok {
		s.Header = r.str(obj, "Header", false)
	}
	if !strings.HasPrefix(s.Header, "m=") {
		r.fail("an SDP definition's Header must start with m=, not %q", s.Header)
	}
	if _, ok := obj["HeaderAttr"]; ok && r.str(obj, "HeaderAttr", false) != "BODY_SECTION_ONLY" {
		r.fail("an SDP definition's HeaderAttr must be BODY_SECTION_ONLY")
	}
	if _, ok := obj["RegEx1"]; ok {
		s.Re1 = r.pattern(r.str(obj, "RegEx1", false))
	}
	if _, ok := obj["RegEx2"]; ok {
		if s.Re1 == nil {
			r.fail("RegEx2 without RegEx1")
		}
		s.Re2 = r.pattern(r.str(obj, "RegEx2", false))
	}
	return s
}

// codecItems splits a codec list at commas, trims spaces and tabs, and leaves out empty items.
func codecItems(list string) []string {
	var items []string
	for _, item := range strings.Split(list, ",") {
		if item = strings.Trim(item, " \t"); item != "" {
			items = append(items, item)
		}
	}
	return items
}

// markSDP finds where the SDP of a freshly parsed message is, from its received Content-Type.
func (m *message) markSDP(ctype string) {
	if typ, sub, _, ok := mediaType(ctype); ok && typ == "application" && sub == "sdp" {
		m.sdp = wholeSDP
		return
	}
	lines := m.lines[m.bodyStart():]
	parts, ok := readMultipart(ctype, lines)
	if !ok {
		return
	}
	for _, p := range parts {
		if typ, sub, _, _ := mediaType(p.ctype); typ != "application" || sub != "sdp" {
			continue
		}
		// The first SDP part counts; with no content, it has no empty line to count from either.
		if p.contentEnd(lines) > p.contentFrom {
			m.sdp = partSDP
			lines[p.contentFrom-1].sdp = sdpOpen
			lines[p.until].sdp = sdpClose
		}
		return
	}
}

// sdpLines returns the lines of the SDP as the message is now: [first, end).
func (st *state) sdpLines() (first, end int, ok bool) {
	m := st.msg
	switch m.sdp {
	case wholeSDP:
		return m.bodyStart(), len(m.lines), true
	case partSDP:
		first, end = -1, -1
		for i, l := range m.lines {
			if l.section == body && l.sdp == sdpOpen {
				first = i + 1
			}
			if l.section == body && l.sdp == sdpClose {
				end = i
			}
		}
		return first, end, first >= 0 && end >= first
	}
	return 0, 0, false
}

// editCodecs runs an SDP definition: every media section whose m= line starts with the Header
// and passes the RegEx filter loses the formats the list names (SDP_REMOVE_CODECS) or does not
// name (SDP_KEEP_CODECS).
func (st *state) editCodecs(d *Def, list string) {
	items := codecItems(list)
	first, _, ok := st.sdpLines()
	if !ok {
		return
	}
	for i := first; ; i++ {
		_, end, _ := st.sdpLines()
		if i >= end {
			return
		}
		text := st.msg.lines[i].text
		if !strings.HasPrefix(text, "m=") || !strings.HasPrefix(text, d.Sel.Header) || !st.passes(&d.Sel, i).ok {
			continue
		}
		sectionEnd := i + 1
		for sectionEnd < end && !strings.HasPrefix(st.msg.lines[sectionEnd].text, "m=") {
			sectionEnd++
		}
		st.editSection(i, sectionEnd, items, d.Type == "SDP_KEEP_CODECS")
	}
}

// A token of an m= line, with the white space before it.
type mediaToken struct{ space, text string }

// mediaTokens splits the text after "m=" into tokens separated by spaces and tabs, and returns
// what follows the last one.
func mediaTokens(text string) (tokens []mediaToken, trailing string) {
	rest := text
	for {
		n := len(rest) - len(strings.TrimLeft(rest, " \t"))
		if n == len(rest) {
			return tokens, rest
		}
		end := strings.IndexAny(rest[n:], " \t")
		if end < 0 {
			end = len(rest) - n
		}
		tokens = append(tokens, mediaToken{rest[:n], rest[n : n+end]})
		rest = rest[n+end:]
	}
}

// editSection edits the section of lines [i, end), line i its m= line.
func (st *state) editSection(i, end int, items []string, keep bool) {
	mline := st.msg.lines[i].text
	tokens, trailing := mediaTokens(mline[2:])
	if len(tokens) < 3 {
		return // no proto: no formats
	}
	port, _, _ := strings.Cut(tokens[1].text, "/")
	if port != "" && strings.Trim(port, "0") == "" {
		return // a rejected section (port 0) is left unchanged
	}
	removed := map[string]bool{}
	var out strings.Builder
	out.WriteString("m=")
	for _, t := range tokens[:3] {
		out.WriteString(t.space + t.text)
	}
	kept := 0
	for _, t := range tokens[3:] {
		if st.listed(t.text, i+1, end, items) != keep {
			removed[t.text] = true
			continue
		}
		kept++
		out.WriteString(t.space + t.text)
	}
	if len(removed) == 0 || kept == 0 {
		return // nothing to do, or a section without formats: left unchanged
	}
	out.WriteString(trailing)
	st.replaceLine(i, out.String())
	for j := i + 1; j < end; {
		if f, ok := attributeFormat(st.msg.lines[j].text); ok && removed[f] {
			st.delete(j)
			end--
			continue
		}
		j++
	}
}

// listed reports whether a format of the section whose attribute lines are [from, end) is named
// by the list: a number by the same digits; a name by the format's a=rtpmap: encoding name (the
// first such line), a static payload type's RFC 3551 name without one, or a format that is no
// number itself, case-insensitively.
func (st *state) listed(format string, from, end int, items []string) bool {
	name := format
	if allDigits(format) {
		name = staticPayloadNames[format]
		for j := from; j < end; j++ {
			text := st.msg.lines[j].text
			if f, ok := attributeFormat(text); ok && f == format && strings.HasPrefix(text, "a=rtpmap:") {
				rest := strings.TrimLeft(text[len("a=rtpmap:")+len(f):], " \t")
				name = cutName(rest)
				break
			}
		}
	}
	for _, item := range items {
		if allDigits(item) && item == format || !allDigits(item) && name != "" && equalFold(item, name) {
			return true
		}
	}
	return false
}

// cutName is the encoding name at the start of an rtpmap's text after its payload type: up to a
// '/', a space or a tab.
func cutName(rest string) string {
	if i := strings.IndexAny(rest, "/ \t"); i >= 0 {
		return rest[:i]
	}
	return rest
}

// attributeFormat is the format an a=rtpmap:, a=fmtp: or a=rtcp-fb: line names: the text after
// the colon up to a space, a tab or the end.
func attributeFormat(text string) (string, bool) {
	for _, prefix := range []string{"a=rtpmap:", "a=fmtp:", "a=rtcp-fb:"} {
		if rest, ok := strings.CutPrefix(text, prefix); ok {
			if i := strings.IndexAny(rest, " \t"); i >= 0 {
				rest = rest[:i]
			}
			return rest, rest != ""
		}
	}
	return "", false
}

func allDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// staticPayloadNames are RFC 3551's static payload types (its tables 4 and 5), as SMC-SPEC §6
// lists them.
var staticPayloadNames = map[string]string{
	"0": "PCMU", "3": "GSM", "4": "G723", "5": "DVI4", "6": "DVI4", "7": "LPC", "8": "PCMA", "9": "G722",
	"10": "L16", "11": "L16", "12": "QCELP", "13": "CN", "14": "MPA", "15": "G728", "16": "DVI4",
	"17": "DVI4", "18": "G729", "25": "CelB", "26": "JPEG", "28": "nv", "31": "H261", "32": "MPV",
	"33": "MP2T", "34": "H263",
}
