package runtime

import (
	"bytes"
	"encoding/binary"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/runtime/sip"
	"github.com/smcproject/smc/runtime/sipmsg"
)

// Selection (SMC-SPEC §3): lines by Header and HeaderAttr, then a macro part, then RegEx1 and
// RegEx2. The result is a span inside a line's text; nothing is copied.

// lineRange returns the indexes of the lines a selector can select: the start line, the header
// lines or the body lines. The end is re-read by callers that edit while they iterate.
func (m *Machine) lineRange(sel *compile.Selector) (first, end int) {
	switch sel.Kind {
	case compile.SelectTopLine:
		return 0, 1
	case compile.SelectHeader:
		return 1, m.msg.BodyStart()
	case compile.SelectBody:
		return m.msg.BodyStart(), m.msg.Len()
	}
	return 0, 0
}

func (m *Machine) sectionEnd(sel *compile.Selector) int {
	_, end := m.lineRange(sel)
	return end
}

// nextSelected returns the first line from i on, before end, that the selector selects, or end.
// It scans in one tight loop per kind of selector, as the rules run it once per condition; header
// lines are looked for only between the first and the last line with the name, which the
// message's header index knows (none at all, for the many rules about absent headers).
func (m *Machine) nextSelected(sel *compile.Selector, i, end int) int {
	switch sel.Kind {
	case compile.SelectTopLine:
		if i == 0 && end > 0 {
			return 0
		}
	case compile.SelectHeader:
		id := m.ids[sel.Name]
		first, last := m.msg.HeaderLines(id)
		if first == 0 || i > last {
			return end
		}
		for i, stop := max(i, first), min(end, last+1); i < stop; i++ {
			if m.msg.Line(i).Name == id {
				return i
			}
		}
	case compile.SelectBody:
		if m.bodySel != sel {
			m.bodySel, m.bodyTest = sel, newPrefixTest(sel.Prefix)
		}
		for ; i < end; i++ {
			if m.bodyTest.match(m.msg.Text(i)) && m.bodySelectable(i) {
				return i
			}
		}
	}
	return end
}

// A prefixTest tells body lines that start with a selector's prefix, comparing their first eight
// bytes as one word: SDP lines mostly start alike ("a="), and a body selector tests every body
// line each time a rule reads it, which took a twentieth of an INVITE's time with bytes.HasPrefix.
type prefixTest struct {
	prefix     []byte
	head, mask uint64 // the prefix's first eight bytes, or all of it, in the bytes mask keeps
}

func newPrefixTest(prefix []byte) prefixTest {
	t := prefixTest{prefix: prefix, mask: 1<<(8*min(len(prefix), 8)) - 1} // 1<<64 is 0: all ones
	if cap(prefix) >= 8 {
		t.head = binary.LittleEndian.Uint64(prefix[:8]) & t.mask
		return t
	}
	for k := 0; k < len(prefix); k++ {
		t.head |= uint64(prefix[k]) << (8 * k)
	}
	return t
}

// match is bytes.HasPrefix(text, prefix). A line's text is a slice of the message or of the
// arena, so eight bytes are there to read even past a short line's end, where the mask drops them.
func (t *prefixTest) match(text []byte) bool {
	if len(text) < len(t.prefix) {
		return false
	}
	if cap(text) < 8 {
		return bytes.HasPrefix(text, t.prefix)
	}
	if binary.LittleEndian.Uint64(text[:8])&t.mask != t.head {
		return false
	}
	return len(t.prefix) <= 8 || bytes.Equal(text[8:len(t.prefix)], t.prefix[8:])
}

// valueSpan is a selected line's value: the trimmed header value, the text after a body line's
// prefix, or the whole start line.
func (m *Machine) valueSpan(sel *compile.Selector, i int) (start, end int) {
	start, end = m.msg.ValueSpan(i)
	if sel.Kind == compile.SelectBody {
		start = len(sel.Prefix)
	}
	return start, end
}

// macroSpan narrows text[start:end] to the selector's macro part. text is line i's, or with i -1
// a CONDITION_LITERAL's expanded text. ok is false when the macro finds nothing, and always on a
// response's start line.
func (m *Machine) macroSpan(sel *compile.Selector, text []byte, start, end, i int) (int, int, bool) {
	if sel.Macro == compile.MacroNone {
		return start, end, true
	}
	part := sip.Part(sel.Macro)
	switch {
	case i < 0:
		s, e, ok := sip.PartInHeader(text[start:end], part)
		return start + s, start + e, ok
	case i == 0 && m.msg.Kind != sipmsg.StartRequest:
		return 0, 0, false
	}
	return m.partsOf(i, text, start, end).Part(part)
}

// regexSpan narrows text[start:end] to RegEx1's first match and then RegEx2's inside it.
func (m *Machine) regexSpan(sel *compile.Selector, text []byte, start, end int) (int, int, bool) {
	if sel.Re1 < 0 {
		return start, end, true
	}
	s, e, ok := m.prog.Matchers[sel.Re1].Find(text[start:end], &m.matchStats)
	if !ok {
		return 0, 0, false
	}
	start, end = start+s, start+e
	if sel.Re2 < 0 {
		return start, end, true
	}
	if s, e, ok = m.prog.Matchers[sel.Re2].Find(text[start:end], &m.matchStats); !ok {
		return 0, 0, false
	}
	return start + s, start + e, true
}

// narrow applies the macro and the regexes; ok is false when either finds nothing. It calls each
// stage only when the selector has it, as most selectors have neither.
func (m *Machine) narrow(sel *compile.Selector, text []byte, start, end, i int) (int, int, bool) {
	if sel.Macro != compile.MacroNone {
		var ok bool
		if start, end, ok = m.macroSpan(sel, text, start, end, i); !ok {
			return 0, 0, false
		}
	}
	if sel.Re1 < 0 {
		return start, end, true
	}
	return m.regexSpan(sel, text, start, end)
}

// selectedText returns the selected text of line i: empty when the macro or a regex finds nothing.
func (m *Machine) selectedText(sel *compile.Selector, i int) []byte {
	text := m.msg.Text(i)
	s, e := m.valueSpan(sel, i)
	s, e, ok := m.narrow(sel, text, s, e, i)
	if !ok {
		return nil
	}
	return text[s:e]
}

// literalText is a CONDITION_LITERAL selector's one value: its expanded Header, narrowed.
func (m *Machine) literalText(sel *compile.Selector) []byte {
	m.litBuf = m.expand(m.litBuf[:0], sel.Literal)
	s, e, ok := m.narrow(sel, m.litBuf, 0, len(m.litBuf), -1)
	if !ok {
		return nil
	}
	return m.litBuf[s:e]
}

// passes reports whether line i passes the selector's macro and RegEx filter (SMC-SPEC §6).
func (m *Machine) passes(sel *compile.Selector, i int) bool {
	text := m.msg.Text(i)
	s, e := m.valueSpan(sel, i)
	s, e, ok := m.macroSpan(sel, text, s, e, i)
	if !ok {
		return false
	}
	_, _, ok = m.regexSpan(sel, text, s, e)
	return ok
}

// setVar stores the first selected line's text in a variable slot (SMC-SPEC §4). The value is
// copied, so later edits of that line do not change it.
func (m *Machine) setVar(v *compile.VarDef) {
	sel := &m.prog.Selectors[v.Sel]
	var value []byte
	switch sel.Kind {
	case compile.SelectLiteral:
		value = m.literalText(sel)
	case compile.SelectXML:
		value = m.firstXML(sel)
	default:
		first, end := m.lineRange(sel)
		if i := m.nextSelected(sel, first, end); i < end {
			value = m.selectedText(sel, i)
		}
	}
	m.vals[v.Slot] = append(m.vals[v.Slot][:0], value...)
	if m.trace != nil {
		m.trace.printf("    var %s = %q (json:%d)\n", m.prog.VarNames[v.Slot], value, v.Line)
	}
}
