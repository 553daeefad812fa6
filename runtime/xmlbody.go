package runtime

import (
	"fmt"
	"strings"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/runtime/mime"
	"github.com/smcproject/smc/runtime/sip"
	"github.com/smcproject/smc/runtime/xmlscan"
)

// XML bodies (SMC-SPEC §3.1): an XML_BODY selector's values are what its path selects in the
// XML of the received body, read at most once per message, the first time a rule of the message
// asks, into the Machine's xmlscan.Doc. Like the ISUP message (body.go), the XML is the body as
// it arrived: a rule that edits body lines or Content-Type does not change what the paths see.

// MaxPartNesting is how deep multipart bodies nested inside multipart bodies are looked into for
// XML parts. RFC 5621 bodies nest two levels (a multipart/alternative inside a multipart/mixed);
// the bound keeps the reading of a hostile body's parts, which recurses, shallow.
const MaxPartNesting = 16

// xmlView is the Machine's reading of the received body's XML.
type xmlView struct {
	run int // the run the XML was read in; stale when it is not m.runs
	doc xmlscan.Doc
	cur xmlscan.Cursor
}

// xmlDoc returns the received body's XML documents, read the first time a rule of this message
// asks.
func (m *Machine) xmlDoc() *xmlscan.Doc {
	if m.xv.run != m.runs {
		m.xv.run = m.runs
		m.xv.doc.Reset()
		var at partPath
		if !m.readXML(m.bv.ctype, m.bv.body, &at) && m.trace != nil {
			m.trace.printf("    xml: no XML body or part (Content-Type %q)\n", m.bv.ctype)
		}
	}
	return &m.xv.doc
}

// partPath numbers the part being read at each level of nesting, for the trace.
type partPath struct {
	n     int
	index [MaxPartNesting]int
}

func (p *partPath) String() string {
	if p.n == 0 {
		return "body"
	}
	s := make([]string, p.n)
	for k := range p.n {
		s[k] = fmt.Sprint(p.index[k])
	}
	return "part " + strings.Join(s, ".")
}

// readXML reads the XML of a body or part whose Content-Type value is ctype: the whole of it when
// it is XML, else the XML parts of a multipart body that reads to its close delimiter, in order,
// at any depth up to MaxPartNesting. It reports whether it found any XML, well-formed or not.
func (m *Machine) readXML(ctype, body []byte, at *partPath) bool {
	if isXML(ctype) {
		err := m.xv.doc.Read(body)
		if m.trace != nil {
			if err != nil {
				m.trace.printf("    xml: %s (%s) not read, it selects nothing: %v\n", at.String(), ctype, err)
			} else {
				m.trace.printf("    xml: %s (%s) read\n", at.String(), ctype)
			}
		}
		return true
	}
	boundary, ok := mime.Multipart(ctype)
	if !ok || at.n == MaxPartNesting {
		return false
	}
	r := mime.NewReader(body, boundary)
	var p mime.Part
	if check := r; !closes(&check, &p) {
		return false
	}
	found := false
	for k := 1; r.Next(&p); k++ {
		if p.Encoding != nil && !identityEncoding(p.Encoding) {
			continue
		}
		at.index[at.n] = k
		at.n++
		found = m.readXML(p.Type, body[p.Content:p.End], at) || found
		at.n--
	}
	return found
}

// closes reports whether a multipart body reads to its close delimiter. Only such a body is read
// for XML parts, as for its ISUP part: a part of a body cut short may itself be cut.
func closes(r *mime.Reader, p *mime.Part) bool {
	for r.Next(p) {
	}
	return r.Err() == nil
}

// isXML reports whether a Content-Type value names XML (SMC-SPEC §3.1): application/xml,
// text/xml, or application/SUBTYPE+xml with a non-empty SUBTYPE, in any case.
func isXML(ctype []byte) bool {
	typ, sub, _, ok := mime.MediaType(ctype)
	switch {
	case !ok:
		return false
	case sip.EqualFold(typ, "text"):
		return sip.EqualFold(sub, "xml")
	case !sip.EqualFold(typ, "application"):
		return false
	}
	return sip.EqualFold(sub, "xml") || len(sub) > 4 && sip.EqualFold(sub[len(sub)-4:], "+xml")
}

// identityEncoding reports a Content-Transfer-Encoding that leaves the part's bytes as they are:
// a part in base64 or quoted-printable is not read, as an ISUP part is not.
func identityEncoding(cte []byte) bool {
	return sip.EqualFold(cte, "binary") || sip.EqualFold(cte, "8bit") || sip.EqualFold(cte, "7bit")
}

// firstXML returns the first value an XML_BODY selector selects, narrowed by its Macro and
// RegEx1/RegEx2: empty when there is none or they find nothing (SMC-SPEC §4).
func (m *Machine) firstXML(sel *compile.Selector) []byte {
	m.xv.cur = xmlscan.Cursor{}
	v, ok := sel.Path.Next(m.xmlDoc(), &m.xv.cur)
	if !ok {
		return nil
	}
	return m.narrowXML(sel, v)
}

// narrowXML applies a selector's Macro and regexes to one XML value, as to a CONDITION_LITERAL's.
func (m *Machine) narrowXML(sel *compile.Selector, v []byte) []byte {
	s, e, ok := m.narrow(sel, v, 0, len(v), -1)
	if !ok {
		return nil
	}
	return v[s:e]
}

// compareXML evaluates a condition over the values an XML_BODY selector selects: the positive
// comparison holds when it holds for any, or, when there is none, for the empty string
// (SMC-SPEC §5).
func (m *Machine) compareXML(c *compile.Cond, sel *compile.Selector, right []byte) bool {
	doc := m.xmlDoc()
	m.xv.cur = xmlscan.Cursor{}
	n := 0
	for v, ok := sel.Path.Next(doc, &m.xv.cur); ok; v, ok = sel.Path.Next(doc, &m.xv.cur) {
		n++
		left := m.narrowXML(sel, v)
		held := m.compare(c, left, right)
		if m.trace != nil {
			m.trace.xmlOperand(c, left, n, held)
		}
		if held {
			return true
		}
	}
	if n > 0 {
		return false
	}
	held := m.compare(c, nil, right)
	if m.trace != nil {
		m.trace.xmlOperand(c, nil, 0, held)
	}
	return held
}
