package reference

import (
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// XML bodies (SMC-SPEC §3.1, docs/semantics.md "XML bodies"). The engine scans XML by hand; this
// reading uses encoding/xml in Strict mode, so that a mistake of either shows as a difference,
// and adds what XML 1.0 requires and encoding/xml does not check: one root element with nothing
// but white space, comments and processing instructions around it, the place and content of the
// XML declaration, no DOCTYPE (nor any other declaration), white space between attributes, no
// attribute twice, character references to XML characters only, qualified names, every
// character an XML character, and the limits of 64 levels and 64 attributes. Those checks read
// each token's own bytes, which InputOffset delimits.

// A path step: "//" (desc) or "/", and a local name or "*".
type xmlStep struct {
	desc bool
	name string
}

// xmlPath is a compiled XML_BODY Header.
type xmlPath struct {
	steps []xmlStep
	attr  string
}

// parsePath reads a path by the grammar of SMC-SPEC §3.1: element steps, then an optional
// /@name; at most 32 element steps (docs/semantics.md).
func parsePath(s string) (xmlPath, error) {
	var p xmlPath
	rest := s
	for rest != "" {
		if a, ok := strings.CutPrefix(rest, "/@"); ok && len(p.steps) > 0 && isNCName(a) {
			p.attr = a
			return p, nil
		}
		st := xmlStep{}
		switch {
		case strings.HasPrefix(rest, "//"):
			st.desc, rest = true, rest[2:]
		case strings.HasPrefix(rest, "/"):
			rest = rest[1:]
		default:
			return p, errors.New("not a path")
		}
		end := strings.IndexByte(rest, '/')
		if end < 0 {
			end = len(rest)
		}
		st.name, rest = rest[:end], rest[end:]
		if st.name != "*" && !isNCName(st.name) {
			return p, errors.New("not a name")
		}
		p.steps = append(p.steps, st)
	}
	if len(p.steps) == 0 || len(p.steps) > 32 {
		return p, errors.New("no step, or more than 32")
	}
	return p, nil
}

// An xmlElem is one element of a document read: its local name, its attributes' local names and
// values in order, its text (descendants' included) and its ancestors' indexes.
type xmlElem struct {
	local  string
	attrs  [][2]string
	text   string
	parent int // -1 for the root
}

// ErrXMLUndecided is readXML's answer for a document whose names hold characters other than
// ASCII that encoding/xml refuses: it reads names by the tables of XML 1.0's fourth edition, and
// the fifth, which the engine follows, allows more. The reference cannot say what such a document
// selects.
var ErrXMLUndecided = errors.New("encoding/xml refuses a name with characters the XML 1.0 fifth edition allows")

// XMLValues reads one XML document and returns what path selects in it, for the tests that
// compare the engine's reader with this one. err is not nil when the document selects nothing
// (not well-formed, a DOCTYPE, past a limit), when the path is not one, or ErrXMLUndecided.
func XMLValues(doc, path string) ([]string, error) {
	p, err := parsePath(path)
	if err != nil {
		return nil, err
	}
	elems, err := readXML(doc)
	if err != nil {
		return nil, err
	}
	return p.values(elems), nil
}

// XMLAttributeNames lists the local names of the attributes of a document, once each, for tests
// that build paths to them; nil when the document selects nothing.
func XMLAttributeNames(doc string) []string {
	elems, _ := readXML(doc)
	var names []string
	for _, e := range elems {
		for _, a := range e.attrs {
			if !contains(names, a[0]) {
				names = append(names, a[0])
			}
		}
	}
	return names
}

// readXML reads one document; any error means it selects nothing.
func readXML(doc string) ([]xmlElem, error) {
	if err := xmlChars(doc); err != nil {
		return nil, err
	}
	doc = strings.TrimPrefix(doc, "\uFEFF")
	d := xml.NewDecoder(strings.NewReader(doc))
	d.Strict = true
	var elems []xmlElem
	var open []int
	root := false
	prev := int64(0)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if strings.Contains(err.Error(), "invalid XML name") && strings.ContainsFunc(doc, func(r rune) bool { return r >= utf8.RuneSelf }) {
				return nil, ErrXMLUndecided
			}
			return nil, err
		}
		raw := doc[prev:d.InputOffset()]
		first := prev == 0
		prev = d.InputOffset()
		switch t := tok.(type) {
		case xml.StartElement:
			if len(open) == 0 && root {
				return nil, errors.New("second root")
			}
			if len(open) == 64 {
				return nil, errors.New("deeper than 64")
			}
			if err := checkStartTag(raw); err != nil {
				return nil, err
			}
			parent := -1
			if len(open) > 0 {
				parent = open[len(open)-1]
			}
			e := xmlElem{local: t.Name.Local, parent: parent}
			for _, a := range t.Attr {
				e.attrs = append(e.attrs, [2]string{a.Name.Local, a.Value})
			}
			elems = append(elems, e)
			root = true
			if strings.HasSuffix(raw, "/>") {
				// encoding/xml returns the end of an empty-element tag as a token of no bytes.
				continue
			}
			open = append(open, len(elems)-1)
		case xml.EndElement:
			if len(open) > 0 && raw != "" {
				open = open[:len(open)-1]
			}
		case xml.CharData:
			if len(open) == 0 {
				if strings.HasPrefix(raw, "<![CDATA[") || strings.Trim(raw, " \t\r\n") != "" {
					return nil, errors.New("text outside the root")
				}
				continue
			}
			if !strings.HasPrefix(raw, "<![CDATA[") {
				if err := checkCharRefs(raw); err != nil {
					return nil, err
				}
			}
			for _, k := range open {
				elems[k].text += string(t)
			}
		case xml.ProcInst:
			if err := checkPI(t.Target, raw, first); err != nil {
				return nil, err
			}
		case xml.Directive:
			if strings.HasPrefix(string(t), "DOCTYPE") {
				return nil, errors.New("DOCTYPE")
			}
			return nil, errors.New("a declaration")
		}
	}
	if !root || len(open) > 0 {
		return nil, errors.New("no root element, or one not closed")
	}
	return elems, nil
}

// xmlChars requires UTF-8 of XML 1.0 §2.2's characters throughout.
func xmlChars(doc string) error {
	for i, r := range doc {
		if r == utf8.RuneError && !strings.HasPrefix(doc[i:], "\uFFFD") || !isXMLChar(r) {
			return errors.New("not an XML character")
		}
	}
	return nil
}

func isXMLChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

var charRef = regexp.MustCompile(`&#(x[0-9a-fA-F]+|[0-9]+);`)

// checkCharRefs requires every character reference in raw text or an attribute value to name an
// XML character (encoding/xml turns a surrogate into U+FFFD).
func checkCharRefs(raw string) error {
	for _, m := range charRef.FindAllStringSubmatch(raw, -1) {
		digits, base := m[1], 10
		if strings.HasPrefix(digits, "x") {
			digits, base = digits[1:], 16
		}
		n, err := strconv.ParseUint(digits, base, 32)
		if err != nil || n > 0x10FFFF || !isXMLChar(rune(n)) {
			return errors.New("a reference to no XML character")
		}
	}
	return nil
}

var xmlDecl = regexp.MustCompile(`^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*("1\.0"|'1\.0')` +
	`([ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*("[Uu][Tt][Ff]-8"|'[Uu][Tt][Ff]-8'))?` +
	`([ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*("(yes|no)"|'(yes|no)'))?[ \t\r\n]*\?>$`)

// checkPI: the XML declaration only first and well formed; no other target xml in any case; a
// target followed by white space or ?>.
func checkPI(target, raw string, first bool) error {
	switch {
	case first && target == "xml":
		if !xmlDecl.MatchString(raw) {
			return errors.New("a malformed XML declaration")
		}
		return nil
	case strings.EqualFold(target, "xml"):
		return errors.New("xml as a processing instruction target")
	}
	after := raw[2+len(target):]
	if !strings.HasPrefix(after, "?>") && strings.IndexAny(after[:1], " \t\r\n") < 0 {
		return errors.New("a target followed by other than white space")
	}
	return nil
}

// checkStartTag reads a start tag's own bytes, which encoding/xml has found well formed but for
// what this checks: qualified names, white space before each attribute, no attribute twice, at
// most 64, character references in values.
func checkStartTag(raw string) error {
	s := strings.TrimSuffix(strings.TrimSuffix(raw, ">"), "/")[1:]
	n := strings.IndexAny(s, " \t\r\n")
	if n < 0 {
		n = len(s)
	}
	if !isQName(s[:n]) {
		return errors.New("not a qualified name")
	}
	s = s[n:]
	seen := map[string]bool{}
	for {
		t := strings.TrimLeft(s, " \t\r\n")
		if t == "" {
			return nil
		}
		if len(t) == len(s) {
			return errors.New("no white space before an attribute")
		}
		eq := strings.IndexByte(t, '=')
		if eq < 0 {
			return errors.New("an attribute without =")
		}
		name := strings.TrimRight(t[:eq], " \t\r\n")
		if !isQName(name) || seen[name] {
			return errors.New("an attribute name that is not a qualified name, or given twice")
		}
		if seen[name] = true; len(seen) > 64 {
			return errors.New("more than 64 attributes")
		}
		v := strings.TrimLeft(t[eq+1:], " \t\r\n")
		end := strings.IndexByte(v[1:], v[0]) + 1
		if err := checkCharRefs(v[1:end]); err != nil {
			return err
		}
		s = v[end+1:]
	}
}

// isQName: an NCName, or two joined by one colon (Namespaces in XML §3).
func isQName(s string) bool {
	p, l, ok := strings.Cut(s, ":")
	if !ok {
		return isNCName(s)
	}
	return isNCName(p) && isNCName(l)
}

// isNCName: XML 1.0 fifth edition's Name (§2.3) without colons.
func isNCName(s string) bool {
	for i, r := range s {
		start := r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' ||
			0xC0 <= r && r <= 0xD6 || 0xD8 <= r && r <= 0xF6 || 0xF8 <= r && r <= 0x2FF ||
			0x370 <= r && r <= 0x37D || 0x37F <= r && r <= 0x1FFF || 0x200C <= r && r <= 0x200D ||
			0x2070 <= r && r <= 0x218F || 0x2C00 <= r && r <= 0x2FEF || 0x3001 <= r && r <= 0xD7FF ||
			0xF900 <= r && r <= 0xFDCF || 0xFDF0 <= r && r <= 0xFFFD || 0x10000 <= r && r <= 0xEFFFF
		more := r == '-' || r == '.' || '0' <= r && r <= '9' || r == 0xB7 || 0x300 <= r && r <= 0x36F || 0x203F <= r && r <= 0x2040
		if r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") || !start && (i == 0 || !more) {
			return false
		}
	}
	return s != ""
}

// selects reports whether element k of elems is reached by the path: its chain of ancestors,
// from the root, matches the steps, each "//" step skipping any number of elements.
func (p *xmlPath) selects(elems []xmlElem, k int) bool {
	var chain []string
	for ; k >= 0; k = elems[k].parent {
		chain = append([]string{elems[k].local}, chain...)
	}
	memo := map[[2]int]bool{}
	var match func(step, at int) bool
	match = func(step, at int) bool {
		if step == len(p.steps) {
			return at == len(chain)
		}
		key := [2]int{step, at}
		if v, ok := memo[key]; ok {
			return v
		}
		found := false
		for i := at; i < len(chain) && !found; i++ {
			if p.steps[step].name == "*" || p.steps[step].name == chain[i] {
				found = match(step+1, i+1)
			}
			if !p.steps[step].desc {
				break
			}
		}
		memo[key] = found
		return found
	}
	return match(0, 0)
}

// values is what the path selects in one document, in document order: elements' text trimmed,
// or attributes' values.
func (p *xmlPath) values(elems []xmlElem) []string {
	var out []string
	for k := range elems {
		if !p.selects(elems, k) {
			continue
		}
		if p.attr == "" {
			out = append(out, strings.Trim(elems[k].text, " \t\r\n"))
			continue
		}
		for _, a := range elems[k].attrs {
			if a[0] == p.attr {
				out = append(out, a[1])
			}
		}
	}
	return out
}

// xmlDocuments returns the XML of the received message: its whole body when its Content-Type is
// XML, else the XML parts of a multipart body, in body order.
func (st *state) xmlDocuments() []string {
	m := st.orig
	i := m.find("content-type")
	if i < 0 {
		return nil
	}
	return xmlIn(m.value(i), joinLines(m.lines[m.bodyStart():]), 0)
}

// xmlIn finds the XML in a body or part of Content-Type ctype; nested multipart bodies are read
// 16 levels deep (docs/semantics.md).
func xmlIn(ctype, content string, depth int) []string {
	typ, sub, _, ok := mediaType(ctype)
	switch {
	case !ok:
		return nil
	case typ == "text" && sub == "xml", typ == "application" && (sub == "xml" || len(sub) > 4 && strings.HasSuffix(sub, "+xml")):
		return []string{content}
	case depth == 16:
		return nil
	}
	lines := splitBodyLines(content)
	parts, ok := readMultipart(ctype, lines)
	if !ok {
		return nil
	}
	var docs []string
	for _, p := range parts {
		if p.hasEncoding {
			switch strings.ToLower(strings.Trim(p.encoding, " \t\r\n")) {
			case "binary", "8bit", "7bit":
			default:
				continue
			}
		}
		// The line break before the delimiter is the delimiter's (RFC 2046), not content.
		part := ""
		if p.contentFrom < p.until {
			part = joinLines(lines[p.contentFrom:p.until-1]) + lines[p.until-1].text
		}
		docs = append(docs, xmlIn(p.ctype, part, depth+1)...)
	}
	return docs
}

// splitBodyLines splits text into lines as a body is split: at LF, the last line perhaps without
// a line ending.
func splitBodyLines(s string) []line {
	var lines []line
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, line{text: s, section: body})
			break
		}
		text, eol := s[:i], "\n"
		if strings.HasSuffix(text, "\r") {
			text, eol = text[:len(text)-1], "\r\n"
		}
		lines = append(lines, line{text: text, eol: eol, section: body})
		s = s[i+1:]
	}
	return lines
}

// xmlValues is what an XML_BODY selection selects, each value narrowed by its Macro and regexes.
func (st *state) xmlValues(sel *Selection) []string {
	var out []string
	for _, doc := range st.xmlDocuments() {
		elems, err := readXML(doc)
		if errors.Is(err, ErrXMLUndecided) {
			st.res.XMLUndecided = true
		}
		if err != nil {
			continue
		}
		for _, v := range sel.path.values(elems) {
			out = append(out, st.narrowed(sel, v, 0, len(v), -1))
		}
	}
	return out
}
