package runtime

import (
	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/runtime/sipmsg"
)

// Replace definitions (SMC-SPEC §6). _LINE types act on the first selected line that passes the
// RegEx filter, _LINES types on every selected line; each runs on what the one before it left.

// replace runs one replace definition.
func (m *Machine) replace(d *compile.ReplaceDef) {
	m.msg.CompactArena()
	if d.Output >= 0 {
		if m.outBuf = m.expand(m.outBuf[:0], d.Output); m.overflow != nil {
			return
		}
	}
	switch d.Type {
	case compile.ReplaceAddLine:
		m.addLine(d)
	case compile.ReplaceRewriteLine:
		m.rewriteLine(d)
	case compile.ReplaceDeleteLines:
		m.deleteLines(d)
	case compile.ReplaceFindSubLines, compile.ReplaceAppendLines, compile.ReplaceFindInsertAfterLines, compile.ReplaceFindInsertBeforeLines:
		m.editLines(d)
	case compile.ReplaceSDPRemoveCodecs, compile.ReplaceSDPKeepCodecs:
		m.editCodecs(d)
	case compile.ReplaceAuditRecord:
		m.addAudit(AuditText, m.outBuf)
		m.trace.action(d, -1, m.outBuf)
	case compile.ReplaceSetDSCP:
		m.result.DSCP = int(d.Value)
		m.trace.action(d, -1, nil)
	case compile.ReplaceSetMark:
		m.result.Mark, m.result.HasMark = d.Value, true
		m.trace.action(d, -1, nil)
	}
}

// firstPassing returns the first selected line that passes the filter, or -1.
func (m *Machine) firstPassing(sel *compile.Selector) int {
	first, end := m.lineRange(sel)
	for i := m.nextSelected(sel, first, end); i < end; i = m.nextSelected(sel, i+1, end) {
		if m.passes(sel, i) {
			return i
		}
	}
	return -1
}

// addLine inserts the Output after the first passing line, or at the end of its section.
func (m *Machine) addLine(d *compile.ReplaceDef) {
	sel := &m.prog.Selectors[d.Sel]
	at, sec := m.msg.BodyStart(), sipmsg.SectionHeader
	if sel.Kind == compile.SelectBody {
		at, sec = m.bodyEnd(), sipmsg.SectionBody
	}
	if i := m.firstPassing(sel); i >= 0 {
		at = i + 1
	}
	n := m.msg.InsertLines(at, sec, m.outBuf)
	m.checkSize()
	if m.trace != nil {
		for k := 0; k < n; k++ {
			m.trace.action(d, m.msg.PhysicalLine(at+k), m.msg.Text(at+k))
		}
	}
}

// rewriteLine replaces the first passing line whole. An empty Output removes a header or body
// line; the start line cannot be removed and is left alone.
func (m *Machine) rewriteLine(d *compile.ReplaceDef) {
	i := m.firstPassing(&m.prog.Selectors[d.Sel])
	if i < 0 {
		m.trace.action(d, -1, nil)
		return
	}
	if i == 0 && len(m.outBuf) == 0 {
		m.trace.note("REWRITE_LINE of TOPLINE with an empty Output: the start line is kept")
		return
	}
	if len(m.outBuf) == 0 {
		// Removed, in the body too, where ReplaceLine would keep an empty line (an empty body
		// line is text; an empty Output is no line).
		if m.trace != nil {
			m.trace.deleted(d, m.msg.PhysicalLine(i), m.msg.Text(i))
		}
		m.msg.DeleteLine(i)
		return
	}
	line := m.lineNo(i)
	m.msg.ReplaceLine(i, m.outBuf)
	m.checkSize()
	m.trace.action(d, line, m.outBuf)
}

// deleteLines removes every passing line. The start line is never removed (SMC-SPEC §6): the
// compiler and Program.Verify refuse DELETE_LINES on TOPLINE, and a TOPLINE selector here would
// take each next line in turn for the start line.
func (m *Machine) deleteLines(d *compile.ReplaceDef) {
	sel := &m.prog.Selectors[d.Sel]
	if sel.Kind == compile.SelectTopLine {
		return
	}
	first, _ := m.lineRange(sel)
	deleted := false
	for i := first; i < m.sectionEnd(sel); {
		if i = m.nextSelected(sel, i, m.sectionEnd(sel)); i == m.sectionEnd(sel) {
			break
		}
		if !m.passes(sel, i) {
			i++
			continue
		}
		if m.trace != nil {
			m.trace.deleted(d, m.msg.PhysicalLine(i), m.msg.Text(i))
		}
		m.msg.DeleteLine(i)
		deleted = true
	}
	if !deleted && m.trace != nil {
		m.trace.action(d, -1, nil)
	}
}

// editLines runs FINDSUB, APPEND and the FINDINSERT types on every selected line, inside the
// macro's span when there is a Macro.
func (m *Machine) editLines(d *compile.ReplaceDef) {
	sel := &m.prog.Selectors[d.Sel]
	first, _ := m.lineRange(sel)
	edited := false
	for i := first; i < m.sectionEnd(sel); i++ {
		if i = m.nextSelected(sel, i, m.sectionEnd(sel)); i == m.sectionEnd(sel) {
			break
		}
		if !m.editLine(d, sel, i) {
			if m.overflow != nil {
				return
			}
			continue
		}
		edited = true
		n := m.replaceEdited(d, i)
		if !m.checkSize() {
			return
		}
		i += n - 1
	}
	if !edited && m.trace != nil {
		m.trace.action(d, -1, nil)
	}
}

// editLine builds line i's new text in editBuf and reports whether the line changes.
func (m *Machine) editLine(d *compile.ReplaceDef, sel *compile.Selector, i int) bool {
	text := m.msg.Text(i)
	s, e := m.valueSpan(sel, i)
	s, e, ok := m.macroSpan(sel, text, s, e, i)
	if !ok {
		return false
	}
	if d.Type == compile.ReplaceAppendLines {
		if _, _, ok := m.regexSpan(sel, text, s, e); !ok {
			return false
		}
		if sel.Macro == compile.MacroNone {
			e = len(text)
		}
		m.editBuf = append(append(append(m.editBuf[:0], text[:e]...), m.outBuf...), text[e:]...)
		return true
	}
	m.editBuf = append(m.editBuf[:0], text[:s]...)
	if !m.substitute(d, sel, text[s:e]) {
		return false
	}
	m.editBuf = append(m.editBuf, text[e:]...)
	return true
}

// substitute appends the edited span: FINDSUB replaces, the FINDINSERT types insert, at every
// non-overlapping match of RegEx1 (narrowed by RegEx2). An Output that names the match or its
// capture groups ({$0} ... {$9}) is expanded again at each match, with that match's groups
// (RegEx2's when there is one). It reports whether anything matched; a line that would grow past
// MaxOutputSize stops it, with the message past its output limit.
func (m *Machine) substitute(d *compile.ReplaceDef, sel *compile.Selector, span []byte) bool {
	if sel.Re1 < 0 {
		m.editBuf = append(m.editBuf, m.outBuf...) // FINDSUB without RegEx1 replaces the whole span
		return true
	}
	perMatch := m.consts[d.Output].groups
	re1 := m.prog.Matchers[sel.Re1]
	stride := 2
	if perMatch && sel.Re2 < 0 {
		m.locs = re1.AppendAllGroups(m.locs[:0], span, &m.matchStats)
		stride = 2 * (re1.Groups() + 1)
	} else {
		m.locs = re1.AppendAll(m.locs[:0], span, &m.matchStats)
	}
	done, changed := 0, false
	for k := 0; k < len(m.locs); k += stride {
		s, e := m.locs[k], m.locs[k+1]
		m.groupText, m.groups = span, m.locs[k:k+stride]
		if sel.Re2 >= 0 {
			if s, e = m.narrowGroups(sel, span, s, e, perMatch); s < 0 {
				continue
			}
		}
		m.editBuf = append(m.editBuf, span[done:s]...)
		switch d.Type {
		case compile.ReplaceFindSubLines:
			m.editBuf = m.output(m.editBuf, d, perMatch)
		case compile.ReplaceFindInsertAfterLines:
			m.editBuf = m.output(append(m.editBuf, span[s:e]...), d, perMatch)
		case compile.ReplaceFindInsertBeforeLines:
			m.editBuf = append(m.output(m.editBuf, d, perMatch), span[s:e]...)
		}
		if m.overflow == nil && len(m.editBuf) > MaxOutputSize {
			m.fail(ErrOutputTooLarge)
		}
		if m.overflow != nil {
			m.endMatch()
			return false
		}
		done, changed = e, true
	}
	m.endMatch()
	m.editBuf = append(m.editBuf, span[done:]...)
	return changed
}

// narrowGroups finds RegEx2's first match inside RegEx1's match s, e of span; with perMatch, its
// groups become the current ones. It returns -1 when RegEx2 does not match.
func (m *Machine) narrowGroups(sel *compile.Selector, span []byte, s, e int, perMatch bool) (int, int) {
	re2 := m.prog.Matchers[sel.Re2]
	if !perMatch {
		s2, e2, ok := re2.Find(span[s:e], &m.matchStats)
		if !ok {
			return -1, -1
		}
		return s + s2, s + e2
	}
	if m.locs2 = re2.FindGroups(m.locs2[:0], span[s:e], &m.matchStats); len(m.locs2) == 0 {
		return -1, -1
	}
	m.groupText, m.groups = span[s:e], m.locs2
	return s + m.locs2[0], s + m.locs2[1]
}

// output appends the Output: expanded for the current match when it names groups, else the
// expansion replace made once for the definition.
func (m *Machine) output(dst []byte, d *compile.ReplaceDef, perMatch bool) []byte {
	if perMatch {
		return m.expand(dst, d.Output)
	}
	return append(dst, m.outBuf...)
}

// endMatch leaves the match, so that no later expansion sees its groups.
func (m *Machine) endMatch() { m.groupText, m.groups = nil, nil }

// replaceEdited puts editBuf in place of line i and returns how many lines it became.
func (m *Machine) replaceEdited(d *compile.ReplaceDef, i int) int {
	line := m.lineNo(i)
	n := m.msg.ReplaceLine(i, m.editBuf)
	m.trace.action(d, line, m.editBuf)
	return n
}
