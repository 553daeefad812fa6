package reference

import "strings"

// Multipart bodies (docs/semantics.md "Multipart bodies"): a body whose received Content-Type is
// multipart/* and that can be read to its close delimiter (RFC 2046 §5.1.1) is a list of parts.
// BODY_SECTION_ONLY selects only the lines of the content of its text parts (every part but
// application/ISUP, application/QSIG and Content-Transfer-Encoding binary ones); delimiter lines,
// part headers, the preamble, the epilogue and the binary parts are never selected, and ADD_LINE
// that finds no line adds at the end of the first text part. Everything here works on the body's
// lines as strings, as received.

// Line kinds in a multipart body.
const (
	textLine     = iota // selectable: any line of a plain body, and a line an action wrote
	opaqueLine          // never selected
	firstTextEnd        // never selected: the delimiter line that ends the first text part
)

// mediaType splits a Content-Type value into its type and subtype, lower case, and the text
// after the subtype. ok is false when it does not start with token "/" token.
func mediaType(v string) (typ, sub, params string, ok bool) {
	v = strings.TrimLeft(v, " \t\r\n")
	slash := strings.IndexByte(v, '/')
	if slash < 0 {
		return "", "", "", false
	}
	typ = strings.TrimRight(v[:slash], " \t\r\n")
	rest := strings.TrimLeft(v[slash+1:], " \t\r\n")
	n := 0
	for n < len(rest) && isMIMEToken(rest[n]) {
		n++
	}
	for i := 0; i < len(typ); i++ {
		if !isMIMEToken(typ[i]) {
			return "", "", "", false
		}
	}
	if typ == "" || n == 0 {
		return "", "", "", false
	}
	return strings.ToLower(typ), strings.ToLower(rest[:n]), rest[n:], true
}

// isMIMEToken: RFC 2045 token characters, printable ASCII but space and tspecials.
func isMIMEToken(c byte) bool {
	return c > 0x20 && c < 0x7f && !strings.ContainsRune(`()<>@,;:\"/[]?=`, rune(c))
}

// mimeParam returns the value of a parameter in the text after the subtype: `; name=value` with
// value a token or a quoted string (the text between the quotes, escapes as written), or "" when
// it is absent. The first of a name counts; a list that stops being `; name=value` ends the search.
func mimeParam(params, name string) string {
	ws := " \t\r\n"
	for {
		params = strings.TrimLeft(params, ws)
		if !strings.HasPrefix(params, ";") {
			return ""
		}
		params = strings.TrimLeft(params[1:], ws)
		eq := strings.IndexByte(params, '=')
		if eq < 0 {
			return ""
		}
		key := strings.TrimRight(params[:eq], ws)
		if key == "" || strings.IndexFunc(key, func(r rune) bool { return r > 0x7f || !isMIMEToken(byte(r)) }) >= 0 {
			return ""
		}
		rest := strings.TrimLeft(params[eq+1:], ws)
		var value string
		if strings.HasPrefix(rest, `"`) {
			end := -1
			for j := 1; j < len(rest); j++ {
				if rest[j] == '\\' {
					j++
				} else if rest[j] == '"' {
					end = j
					break
				}
			}
			if end < 0 {
				return ""
			}
			value, params = rest[1:end], rest[end+1:]
		} else {
			n := 0
			for n < len(rest) && isMIMEToken(rest[n]) {
				n++
			}
			if n == 0 {
				return ""
			}
			value, params = rest[:n], rest[n:]
		}
		if strings.EqualFold(key, name) {
			return value
		}
	}
}

// A mimePart is one part of a multipart body: its header values and its content lines, as
// indexes into the body's lines.
type mimePart struct {
	ctype, encoding           string
	hasType, hasEncoding      bool
	first, contentFrom, until int // its lines, its content's first line, the delimiter after it
}

// readMultipart reads the parts of a body given as its lines. ok is false when the body is not
// multipart: no usable boundary, no delimiter line, or no close delimiter.
func readMultipart(ctype string, lines []line) (parts []mimePart, ok bool) {
	typ, _, params, isType := mediaType(ctype)
	if !isType || typ != "multipart" {
		return nil, false
	}
	boundary := mimeParam(params, "boundary")
	if boundary == "" || len(boundary) > 70 || strings.ContainsAny(boundary, "\r\n") ||
		strings.HasSuffix(boundary, " ") || strings.HasSuffix(boundary, "\t") {
		return nil, false
	}
	// A delimiter line is --boundary, or --boundary-- to close, then spaces and tabs; it needs a
	// line ending, except a close delimiter that ends the body.
	delimiter := func(l line) (isDelim, closing bool) {
		t := strings.TrimRight(l.text, " \t")
		if t == "--"+boundary+"--" {
			return true, true
		}
		return t == "--"+boundary && l.eol != "", false
	}
	start := -1
	for i, l := range lines {
		if d, closing := delimiter(l); d {
			if closing {
				return nil, true
			}
			start = i + 1
			break
		}
	}
	if start < 0 {
		return nil, false
	}
	for i := start; i < len(lines); i++ {
		d, closing := delimiter(lines[i])
		if !d {
			continue
		}
		parts = append(parts, readPart(lines, start, i))
		if closing {
			return parts, true
		}
		start = i + 1
	}
	return nil, false
}

// readPart reads the part in lines[from:until]: header lines up to an empty line, then content.
// The line break before a delimiter belongs to the delimiter (RFC 2046), so an empty last line is
// not content, and without it the empty line that would end the headers is not there either.
func readPart(lines []line, from, until int) mimePart {
	p := mimePart{first: from, contentFrom: until, until: until}
	end := until
	if end > from && lines[end-1].text == "" {
		end-- // the line break of the line before is the delimiter's
	}
	var field *string
	for i := from; i < end; i++ {
		t := lines[i].text
		switch {
		case t == "":
			p.contentFrom = i + 1
			return p
		case t[0] == ' ' || t[0] == '\t':
			if field != nil {
				*field += lines[i-1].eol + t
			}
			continue
		}
		field = nil
		colon := strings.IndexByte(t, ':')
		if colon <= 0 {
			continue
		}
		name := strings.TrimRight(t[:colon], " \t")
		switch {
		case !p.hasType && strings.EqualFold(name, "Content-Type"):
			p.ctype, p.hasType, field = t[colon+1:], true, &p.ctype
		case !p.hasEncoding && strings.EqualFold(name, "Content-Transfer-Encoding"):
			p.encoding, p.hasEncoding, field = t[colon+1:], true, &p.encoding
		}
	}
	return p
}

// contentEnd is the index after the part's last content line: a last empty line before the
// delimiter is the delimiter's line break.
func (p mimePart) contentEnd(lines []line) int {
	end := p.until
	if end > p.contentFrom && lines[end-1].text == "" {
		end--
	}
	return end
}

// isText: a part whose lines BODY_SECTION_ONLY selects.
func (p mimePart) isText() bool {
	typ, sub, _, _ := mediaType(p.ctype)
	if typ == "application" && (sub == "isup" || sub == "qsig") {
		return false
	}
	return !(p.hasEncoding && strings.EqualFold(strings.Trim(p.encoding, " \t\r\n"), "binary"))
}

// markParts sets the kind of every body line of a freshly parsed message whose Content-Type value
// is ctype.
func (m *message) markParts(ctype string) {
	from := m.bodyStart()
	lines := m.lines[from:]
	parts, ok := readMultipart(ctype, lines)
	if !ok {
		return
	}
	for i := range lines {
		lines[i].mime = opaqueLine
	}
	texts := 0
	for _, p := range parts {
		// docs/limits.md: the lines of text parts past the 32nd are never selected.
		if !p.isText() || texts == 32 {
			continue
		}
		texts++
		for i := p.contentFrom; i < p.contentEnd(lines); i++ {
			lines[i].mime = textLine
		}
		if texts == 1 {
			lines[p.until].mime = firstTextEnd
		}
	}
}

// bodyEnd is where ADD_LINE in the body adds when it finds no line: before the delimiter that
// ends the first text part of a multipart body, else the end of the message.
func (m *message) bodyEnd() int {
	for i, l := range m.lines {
		if l.section == body && l.mime == firstTextEnd {
			return i
		}
	}
	return len(m.lines)
}
