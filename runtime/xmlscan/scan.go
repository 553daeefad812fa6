// Package xmlscan reads the XML documents that SIP bodies carry (PIDF-LO locations, SIPREC
// metadata, charging, reginfo, dialog-info) and selects values from them by path (SMC-SPEC §3.1).
//
// It is a small scanner, not a general XML library: it checks that a document is well-formed XML
// 1.0 in UTF-8, refuses any DOCTYPE declaration (so no entity is ever defined, let alone expanded)
// and nesting deeper than MaxDepth, and records, in buffers its caller owns and reuses, what a path
// needs: each element's local name, depth, attributes and text. It runs in one pass, in time
// linear in the document, and allocates nothing once its buffers have grown to the largest
// document seen, since it runs on the packet path. encoding/xml would allocate a token, a name
// and a string per element and attribute; docs/design.md says why this package exists instead.
package xmlscan

import (
	"bytes"
	"unicode/utf8"
)

// MaxDepth is the deepest an element may be nested (the root is at depth 1): SMC-SPEC §3.1. A
// PIDF-LO location sits at depth 7; a deeper document is refused rather than read, so that the
// scanner's stack of open elements is a fixed array.
const MaxDepth = 64

// MaxAttributes is the most attributes one element may have. XML forbids an attribute twice in
// one element, and checking that compares each attribute with those before it; the bound keeps
// the check linear in the document (at most 64 comparisons per attribute). The PIDF root, the
// most decorated element SIP carries, has about six (its namespace declarations).
const MaxAttributes = 64

// An Element is one element of a document, in the order of the start tags.
type Element struct {
	Local []byte // the local name: the part after the prefix, if any
	Depth int    // 1 for the root
	// Text is the element's text: the decoded character data of the element and all its
	// descendants, in document order, as Doc.Text[Text[0]:Text[1]], not trimmed.
	Text [2]int
	// Attrs are the element's attributes, Doc.Attrs[Attrs[0]:Attrs[1]].
	Attrs [2]int
}

// An Attr is one attribute: its local name and its decoded value, Doc.Values[Value[0]:Value[1]].
type Attr struct {
	Local []byte
	Value [2]int
	name  []byte // the qualified name, for the uniqueness check
}

// A Doc holds the documents read since its last Reset, one after the other, in reading order.
// Names are slices of the documents read; text and values are decoded into the Doc's buffers.
// A Doc is reused: Reset truncates its buffers and never frees them.
type Doc struct {
	Elems  []Element
	Attrs  []Attr
	Text   []byte // every element's character data and CDATA, decoded, in document order
	Values []byte // attribute values, decoded

	open [MaxDepth + 1]int // indexes into Elems of the open elements, by depth
	err  Error
}

// Reset forgets every document read.
func (d *Doc) Reset() {
	d.Elems, d.Attrs, d.Text, d.Values = d.Elems[:0], d.Attrs[:0], d.Text[:0], d.Values[:0]
}

// An Error says why a document was not read, and at which byte.
type Error struct {
	Off int    // offset in the document
	Why string // a constant text
}

func (e *Error) Error() string { return e.Why + " at byte " + itoa(e.Off) }

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		if n /= 10; n == 0 {
			return string(b[i:])
		}
	}
}

// Why texts, constants so that a refused document costs no allocation.
const (
	WhyDoctype    = "a DOCTYPE declaration (entities are never expanded, so documents with one are not read)"
	WhyDepth      = "elements nested deeper than 64 (xmlscan.MaxDepth)"
	WhyAttributes = "an element with more than 64 attributes (xmlscan.MaxAttributes)"
)

// Read reads one document and appends what it holds to d. When the document is not well-formed,
// holds a DOCTYPE declaration or goes past a limit, Read leaves d as it was and returns an *Error
// that belongs to d (valid until the next Read).
func (d *Doc) Read(src []byte) error {
	ne, na, nt, nv := len(d.Elems), len(d.Attrs), len(d.Text), len(d.Values)
	s := scanner{d: d, src: src}
	if !s.document() {
		d.Elems, d.Attrs, d.Text, d.Values = d.Elems[:ne], d.Attrs[:na], d.Text[:nt], d.Values[:nv]
		d.err = Error{Off: s.errOff, Why: s.why}
		return &d.err
	}
	return nil
}

type scanner struct {
	d      *Doc
	src    []byte
	i      int
	depth  int
	root   bool // the root element has been read
	errOff int
	why    string
}

// fail records the first reason the document is refused and returns false.
func (s *scanner) fail(why string) bool {
	if s.why == "" {
		s.why, s.errOff = why, s.i
	}
	return false
}

func (s *scanner) has(prefix string) bool {
	return len(s.src)-s.i >= len(prefix) && string(s.src[s.i:s.i+len(prefix)]) == prefix
}

// document: XML 1.0 §2.1, document ::= prolog element Misc*, with an optional UTF-8 byte-order
// mark first.
func (s *scanner) document() bool {
	if at, ok := badChar(s.src); !ok {
		s.i = at
		return s.fail("a byte sequence that is not a UTF-8 XML character")
	}
	if s.has("\xEF\xBB\xBF") {
		s.i += 3
	}
	if s.has("<?xml") && s.i+5 < len(s.src) && isSpace(s.src[s.i+5]) {
		if !s.xmlDecl() {
			return false
		}
	}
	for s.i < len(s.src) {
		if !s.next() {
			return false
		}
	}
	switch {
	case s.depth > 0:
		return s.fail("an element without its end tag")
	case !s.root:
		return s.fail("no root element")
	}
	return true
}

// next reads one piece of the document: markup, or text up to the next markup.
func (s *scanner) next() bool {
	if s.src[s.i] != '<' {
		return s.text()
	}
	switch {
	case s.has("</"):
		return s.endTag()
	case s.has("<?"):
		return s.pi()
	case s.has("<!--"):
		return s.comment()
	case s.has("<![CDATA["):
		return s.cdata()
	case s.has("<!DOCTYPE"):
		return s.fail(WhyDoctype)
	case s.has("<!"):
		return s.fail("a declaration outside a DOCTYPE")
	}
	return s.startTag()
}

// xmlDecl reads the XML declaration (§2.8): version 1.0, an optional encoding that must be UTF-8
// (the only one read), an optional standalone, in that order.
func (s *scanner) xmlDecl() bool {
	s.i += len("<?xml")
	name, value, ok := s.pseudoAttr()
	if !ok || string(name) != "version" || string(value) != "1.0" {
		return s.fail("an XML declaration without version=\"1.0\"")
	}
	name, value, ok = s.pseudoAttr()
	if ok && string(name) == "encoding" {
		if !bytes.EqualFold(value, []byte("UTF-8")) {
			return s.fail("an encoding other than UTF-8")
		}
		name, value, ok = s.pseudoAttr()
	}
	if ok && string(name) == "standalone" {
		if string(value) != "yes" && string(value) != "no" {
			return s.fail("standalone other than yes or no")
		}
		name, ok = nil, false
	}
	if ok || name != nil {
		return s.fail("a malformed XML declaration")
	}
	s.i = skipSpace(s.src, s.i)
	if !s.has("?>") {
		return s.fail("a malformed XML declaration")
	}
	s.i += 2
	return true
}

// pseudoAttr reads ` name = "value"` in the XML declaration. It returns ok false, and a nil name,
// with s.i unmoved when what follows is not white space and a name; a non-nil name with ok false
// is a malformed one.
func (s *scanner) pseudoAttr() (name, value []byte, ok bool) {
	j := skipSpace(s.src, s.i)
	if j == s.i {
		return nil, nil, false
	}
	e := j
	for e < len(s.src) && s.src[e] >= 'a' && s.src[e] <= 'z' {
		e++
	}
	if e == j {
		return nil, nil, false
	}
	name = s.src[j:e]
	k := skipSpace(s.src, e)
	if k == len(s.src) || s.src[k] != '=' {
		return name, nil, false
	}
	k = skipSpace(s.src, k+1)
	if k == len(s.src) || s.src[k] != '"' && s.src[k] != '\'' {
		return name, nil, false
	}
	q := bytes.IndexByte(s.src[k+1:], s.src[k])
	if q < 0 {
		return name, nil, false
	}
	s.i = k + 1 + q + 1
	return name, s.src[k+1 : k+1+q], true
}

// text reads character data up to the next '<' or the end. Outside the root element only white
// space may appear; inside it is decoded into Doc.Text.
func (s *scanner) text() bool {
	end := bytes.IndexByte(s.src[s.i:], '<')
	if end < 0 {
		end = len(s.src)
	} else {
		end += s.i
	}
	if s.depth == 0 {
		if j := skipSpace(s.src, s.i); j < end {
			s.i = j
			return s.fail("text outside the root element")
		}
		s.i = end
		return true
	}
	if k := bytes.Index(s.src[s.i:end], []byte("]]>")); k >= 0 {
		s.i += k
		return s.fail("]]> in text")
	}
	var ok bool
	s.d.Text, ok = s.decode(s.d.Text, end, 0)
	return ok
}

// decode appends src[s.i:end] to dst with references decoded and line ends normalised (§2.11:
// CR LF and a lone CR become LF). quote is the attribute value's quote, or 0 in text.
func (s *scanner) decode(dst []byte, end int, quote byte) ([]byte, bool) {
	src := s.src
	for s.i < end {
		// Copy the run of bytes that need nothing done in one append.
		run := s.i
		for run < end && src[run] != '&' && src[run] != '<' && src[run] != '\r' {
			run++
		}
		dst = append(dst, src[s.i:run]...)
		if s.i = run; s.i == end {
			break
		}
		c := src[s.i]
		switch c {
		case '&':
			var ok bool
			if dst, ok = s.reference(dst, end); !ok {
				return dst, false
			}
			continue
		case '<':
			if quote != 0 {
				return dst, s.fail("< in an attribute value")
			}
		case '\r':
			dst = append(dst, '\n')
			if s.i+1 < end && src[s.i+1] == '\n' {
				s.i++
			}
			s.i++
			continue
		}
		dst = append(dst, c)
		s.i++
	}
	return dst, true
}

// reference decodes the reference at s.i (before end): one of the five predefined entities or a
// character reference to an XML character (§4.1). Any other entity is undeclared, since there is
// no DTD.
func (s *scanner) reference(dst []byte, end int) ([]byte, bool) {
	semi := bytes.IndexByte(s.src[s.i:end], ';')
	if semi < 0 {
		return dst, s.fail("& that does not start a reference")
	}
	ref := s.src[s.i+1 : s.i+semi]
	var r rune = -1
	switch string(ref) {
	case "lt":
		r = '<'
	case "gt":
		r = '>'
	case "amp":
		r = '&'
	case "apos":
		r = '\''
	case "quot":
		r = '"'
	default:
		if len(ref) > 1 && ref[0] == '#' {
			r = charRef(ref[1:])
		}
	}
	if r < 0 {
		return dst, s.fail("a reference to an entity other than lt, gt, amp, apos, quot, or to no XML character")
	}
	s.i += semi + 1
	return utf8.AppendRune(dst, r), true
}

// charRef decodes the digits of a character reference, `123` or `x7B`; -1 when they are not
// digits or name no XML character.
func charRef(digits []byte) rune {
	base := rune(10)
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	if len(digits) == 0 {
		return -1
	}
	var r rune
	for _, c := range digits {
		var v rune
		switch {
		case c >= '0' && c <= '9':
			v = rune(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			v = rune(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			v = rune(c-'A') + 10
		default:
			return -1
		}
		if r = r*base + v; r > utf8.MaxRune {
			return -1
		}
	}
	if !isChar(r) {
		return -1
	}
	return r
}

// cdata reads a CDATA section (§2.7), which only an element's content may hold.
func (s *scanner) cdata() bool {
	if s.depth == 0 {
		return s.fail("a CDATA section outside the root element")
	}
	s.i += len("<![CDATA[")
	k := bytes.Index(s.src[s.i:], []byte("]]>"))
	if k < 0 {
		return s.fail("a CDATA section without ]]>")
	}
	end := s.i + k
	for ; s.i < end; s.i++ {
		c := s.src[s.i]
		if c == '\r' {
			c = '\n'
			if s.i+1 < end && s.src[s.i+1] == '\n' {
				s.i++
			}
		}
		s.d.Text = append(s.d.Text, c)
	}
	s.i = end + 3
	return true
}

// comment reads a comment (§2.5): no "--" inside, and "-->" at the end.
func (s *scanner) comment() bool {
	s.i += len("<!--")
	k := bytes.Index(s.src[s.i:], []byte("--"))
	if k < 0 {
		return s.fail("a comment without -->")
	}
	s.i += k
	if !s.has("-->") {
		return s.fail("-- inside a comment")
	}
	s.i += 3
	return true
}

// pi reads a processing instruction (§2.6): a target other than xml in any case, then nothing or
// white space and any text, then "?>".
func (s *scanner) pi() bool {
	s.i += 2
	e := nameEnd(s.src, s.i)
	if e == s.i {
		return s.fail("a processing instruction without a target")
	}
	if bytes.EqualFold(s.src[s.i:e], []byte("xml")) {
		return s.fail("an XML declaration that is not at the start")
	}
	s.i = e
	if !s.has("?>") && (s.i == len(s.src) || !isSpace(s.src[s.i])) {
		return s.fail("a processing instruction target followed by other than white space")
	}
	k := bytes.Index(s.src[s.i:], []byte("?>"))
	if k < 0 {
		return s.fail("a processing instruction without ?>")
	}
	s.i += k + 2
	return true
}

// qname reads an element or attribute name at s.i: an XML name with at most one colon, neither
// first nor last (Namespaces in XML §3), and returns it and its local part.
func (s *scanner) qname() (name, local []byte, ok bool) {
	e := nameEnd(s.src, s.i)
	name = s.src[s.i:e]
	if len(name) == 0 {
		return nil, nil, s.fail("a missing or malformed name")
	}
	local = name
	if c := bytes.IndexByte(name, ':'); c >= 0 {
		local = name[c+1:]
		if c == 0 || len(local) == 0 || bytes.IndexByte(local, ':') >= 0 || !startsName(local) {
			return nil, nil, s.fail("a name with a misplaced colon")
		}
	}
	s.i = e
	return name, local, true
}

// startTag reads a start tag or an empty-element tag (§3.1) and its attributes.
func (s *scanner) startTag() bool {
	if s.depth == 0 && s.root {
		return s.fail("a second root element")
	}
	if s.depth == MaxDepth {
		return s.fail(WhyDepth)
	}
	s.i++
	_, local, ok := s.qname()
	if !ok {
		return false
	}
	d := s.d
	e := Element{Local: local, Depth: s.depth + 1, Text: [2]int{len(d.Text), len(d.Text)}, Attrs: [2]int{len(d.Attrs), len(d.Attrs)}}
	for {
		j := skipSpace(s.src, s.i)
		if j == len(s.src) {
			s.i = j
			return s.fail("a start tag without >")
		}
		c := s.src[j]
		if c == '>' || c == '/' {
			s.i = j + 1
			if c == '/' {
				if !s.has(">") {
					return s.fail("/ not followed by > in a tag")
				}
				s.i++
			}
			e.Attrs[1] = len(d.Attrs)
			d.Elems = append(d.Elems, e)
			s.root = true
			if c == '>' {
				s.depth++
				s.d.open[s.depth] = len(d.Elems) - 1
			}
			return true
		}
		if j == s.i {
			s.i = j
			return s.fail("attributes without white space between them")
		}
		s.i = j
		if !s.attribute(e.Attrs[0]) {
			return false
		}
	}
}

// attribute reads `name = "value"` and appends it to Doc.Attrs; first is the element's first
// attribute.
func (s *scanner) attribute(first int) bool {
	d := s.d
	if len(d.Attrs)-first == MaxAttributes {
		return s.fail(WhyAttributes)
	}
	at := s.i
	name, local, ok := s.qname()
	if !ok {
		return false
	}
	for _, a := range d.Attrs[first:] {
		if bytes.Equal(a.name, name) {
			s.i = at
			return s.fail("an attribute given twice in one element")
		}
	}
	s.i = skipSpace(s.src, s.i)
	if !s.has("=") {
		return s.fail("an attribute without =")
	}
	s.i = skipSpace(s.src, s.i+1)
	if s.i == len(s.src) || s.src[s.i] != '"' && s.src[s.i] != '\'' {
		return s.fail("an attribute value without quotes")
	}
	q := s.src[s.i]
	s.i++
	end := bytes.IndexByte(s.src[s.i:], q)
	if end < 0 {
		return s.fail("an attribute value without its closing quote")
	}
	end += s.i
	v0 := len(d.Values)
	if d.Values, ok = s.decode(d.Values, end, q); !ok {
		return false
	}
	s.i = end + 1
	d.Attrs = append(d.Attrs, Attr{Local: local, Value: [2]int{v0, len(d.Values)}, name: name})
	return true
}

// endTag reads an end tag (§3.1), which must name the open element exactly.
func (s *scanner) endTag() bool {
	s.i += 2
	if s.depth == 0 {
		return s.fail("an end tag with no open element")
	}
	at := s.i
	name, _, ok := s.qname()
	if !ok {
		return false
	}
	if !bytes.Equal(name, s.startName(s.d.open[s.depth])) {
		s.i = at
		return s.fail("an end tag that does not match its start tag")
	}
	s.i = skipSpace(s.src, s.i)
	if !s.has(">") {
		return s.fail("an end tag without >")
	}
	s.i++
	e := &s.d.Elems[s.d.open[s.depth]]
	e.Text[1] = len(s.d.Text)
	s.depth--
	return true
}

// startName returns the qualified name of element k of this document, from its start tag: the
// local name is a slice of the document, and the prefix lies right before it.
func (s *scanner) startName(k int) []byte {
	local := s.d.Elems[k].Local
	off := cap(s.src) - cap(local) // where local starts in src
	start := off
	for start > 0 && s.src[start-1] != '<' {
		start--
	}
	return s.src[start : off+len(local)]
}

// skipSpace returns the first position from i that is not XML white space (§2.3: S).
func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// TrimSpace trims XML white space from both ends of b.
func TrimSpace(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && isSpace(b[i]) {
		i++
	}
	for j > i && isSpace(b[j-1]) {
		j--
	}
	return b[i:j]
}

// isChar is XML 1.0 §2.2's Char.
func isChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// badChar checks that b is UTF-8 and every character an XML Char, which every production of a
// document requires; it returns the offset of the first that is not.
func badChar(b []byte) (int, bool) {
	for i := 0; i < len(b); {
		if c := b[i]; c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return i, false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 || !isChar(r) {
			return i, false
		}
		i += n
	}
	return 0, true
}
