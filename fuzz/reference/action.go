package reference

import (
	"slices"
	"strings"
)

// Replace definitions (SMC-SPEC §6).

// replace runs one replace definition on the message as the definitions before it left it.
func (st *state) replace(d *Def) {
	out := st.expand(d.Output)
	if st.overflow {
		return
	}
	switch d.Type {
	case "ADD_LINE":
		st.addLine(&d.Sel, out)
	case "REWRITE_LINE":
		st.rewriteLine(&d.Sel, out)
	case "DELETE_LINES":
		st.deleteLines(&d.Sel)
	case "FINDSUB_LINES", "APPEND_LINES", "FINDINSERTAFTER_LINES", "FINDINSERTBEFORE_LINES":
		st.editLines(d, out)
	case "SDP_REMOVE_CODECS", "SDP_KEEP_CODECS":
		st.editCodecs(d, out)
	case "AUDIT_RECORD":
		st.addAudit("audit", out)
	case "SET_DSCP":
		st.res.DSCP = int(d.Value) // the last rule that sets it wins
	case "SET_MARK":
		st.res.Mark, st.res.HasMark = d.Value, true
	}
}

// firstPassing returns the first selected line that passes the RegEx filter, or -1.
func (st *state) firstPassing(sel *Selection) int {
	for _, i := range st.selected(sel) {
		if st.passes(sel, i).ok {
			return i
		}
	}
	return -1
}

// addLine inserts the Output after the first passing line, or at the end of the section: the
// header section (also for TOPLINE) or the body.
func (st *state) addLine(sel *Selection, out string) {
	m := st.msg
	section, at := header, m.bodyStart()
	if sel.Attr == "BODY_SECTION_ONLY" {
		section, at = body, m.bodyEnd()
	}
	if i := st.firstPassing(sel); i >= 0 {
		at = i + 1
	}
	// docs/semantics.md "Line endings": a line added after an unterminated last body line first
	// gets the start line's ending, so that the two do not merge.
	if section == body && at > m.bodyStart() && m.lines[at-1].eol == "" {
		m.lines[at-1].eol = m.newEOL
	}
	st.insert(at, section, pieces(out, section))
	st.checkSize()
}

// rewriteLine replaces the first passing line whole. An empty Output removes the line, but the
// start line is then kept (docs/semantics.md §6).
func (st *state) rewriteLine(sel *Selection, out string) {
	i := st.firstPassing(sel)
	switch {
	case i < 0:
	case out == "" && st.msg.lines[i].section == top:
	case out == "":
		st.delete(i)
	default:
		st.replaceLine(i, out)
		st.checkSize()
	}
}

// deleteLines removes every selected line that passes the filter.
func (st *state) deleteLines(sel *Selection) {
	for i := 0; i < len(st.msg.lines); {
		if st.selects(sel, i) && st.passes(sel, i).ok {
			st.delete(i)
			continue
		}
		i++
	}
}

// editLines runs FINDSUB, APPEND and the FINDINSERT types on every selected line, in the
// macro's part when there is a Macro. Lines an edit makes are not edited again.
func (st *state) editLines(d *Def, out string) {
	for i := 0; i < len(st.msg.lines); {
		if !st.selects(&d.Sel, i) {
			i++
			continue
		}
		text, changed := st.edit(d, out, i)
		if !changed {
			i++
			continue
		}
		i += st.replaceLine(i, text)
		if !st.checkSize() {
			return
		}
	}
}

// edit returns line i's text after the definition, and whether the definition applies to it.
func (st *state) edit(d *Def, out string, i int) (string, bool) {
	sel := &d.Sel
	text := st.msg.lines[i].text
	s, e := st.valueSpan(sel, i)
	p := st.macroPart(sel, text, s, e, i)
	if !p.ok {
		return "", false // docs/semantics.md §6: a macro that finds nothing leaves the line alone
	}
	if d.Type == "APPEND_LINES" {
		if !regexPart(sel, text, p.start, p.end).ok {
			return "", false
		}
		at := p.end
		if sel.Macro == "" {
			at = len(text) // the end of the line, before its ending (docs/semantics.md §6)
		}
		return text[:at] + out + text[at:], true
	}
	span, changed := st.substitute(d, text[p.start:p.end], out)
	return text[:p.start] + span + text[p.end:], changed
}

// substitute edits a span at every non-overlapping match of RegEx1 (Go's FindAll rules, as
// docs/semantics.md §6 says), narrowed to RegEx2's first match inside it; a RegEx1 match without a
// RegEx2 match is left alone. FINDSUB without RegEx1 replaces the whole span. An Output that
// names {$0} ... {$9} is expanded again for each match, with the groups of the match that is
// edited: RegEx2's when there is one, else RegEx1's (SMC-SPEC §6).
func (st *state) substitute(d *Def, span, out string) (string, bool) {
	sel := &d.Sel
	if sel.Re1 == nil {
		return out, true
	}
	names, _ := references(d.Output)
	perMatch := slices.ContainsFunc(names, isGroup)
	var b strings.Builder
	done, changed := 0, false
	for _, loc := range sel.Re1.FindAllStringSubmatchIndex(span, -1) {
		s, e := loc[0], loc[1]
		base := 0
		if sel.Re2 != nil {
			loc2 := sel.Re2.FindStringSubmatchIndex(span[s:e])
			if loc2 == nil {
				continue
			}
			base, loc = s, loc2
			s, e = s+loc2[0], s+loc2[1]
		}
		if perMatch {
			st.match = nil
			for k := 0; k < len(loc); k += 2 {
				group := ""
				if loc[k] >= 0 {
					group = span[base+loc[k] : base+loc[k+1]]
				}
				st.match = append(st.match, group)
			}
			out = st.expand(d.Output)
			st.match = nil
		}
		b.WriteString(span[done:s])
		switch d.Type {
		case "FINDSUB_LINES":
			b.WriteString(out)
		case "FINDINSERTAFTER_LINES":
			b.WriteString(span[s:e] + out)
		case "FINDINSERTBEFORE_LINES":
			b.WriteString(out + span[s:e])
		}
		done, changed = e, true
	}
	b.WriteString(span[done:])
	return b.String(), changed
}

// pieces splits text into the lines it makes in a section (docs/semantics.md §6: an edit that
// puts a line break into a line splits it). A line break at the very end ends the last line
// rather than starting an empty one. Outside the body, a line break followed by SP or HT
// continues a header line (SMC-SPEC §2), and empty lines are left out, since an empty line there
// would end the header section.
func pieces(text string, section int) []string {
	raw := strings.Split(text, "\n")
	if len(raw) > 1 && raw[len(raw)-1] == "" {
		raw = raw[:len(raw)-1]
	}
	var out []string
	for _, r := range raw {
		continues := section == header && len(out) > 0 || section == top && len(out) > 1
		if continues && r != "" && (r[0] == ' ' || r[0] == '\t') {
			out[len(out)-1] += "\n" + r
			continue
		}
		out = append(out, r)
	}
	kept := out[:0]
	for k, p := range out {
		// A CR is part of a line break only before an LF: a last piece with no LF after it
		// keeps its CR, as a received last body line does (docs/semantics.md "The body").
		if k < len(out)-1 || strings.HasSuffix(text, "\n") {
			p = strings.TrimSuffix(p, "\r")
		}
		if p != "" || section == body {
			kept = append(kept, p)
		}
	}
	return kept
}

// replaceLine puts the lines text makes in place of line i; the last of them keeps line i's
// ending, the others get the start line's. After the start line come header lines. It returns
// how many lines there are now in place of line i. A start line that would become no line is
// kept as it was, like REWRITE_LINE's.
func (st *state) replaceLine(i int, text string) int {
	old := st.msg.lines[i]
	ps := pieces(text, old.section)
	if len(ps) == 0 && old.section == top {
		return 1
	}
	st.delete(i)
	st.insert(i, old.section, ps)
	if len(ps) > 0 {
		st.msg.lines[i+len(ps)-1].eol = old.eol
	}
	return len(ps)
}

// insert adds lines before index at; each ends like the start line.
func (st *state) insert(at, section int, texts []string) {
	m := st.msg
	var added []line
	for k, t := range texts {
		s := section
		if section == top && k > 0 {
			s = header
		}
		added = append(added, line{text: t, eol: m.newEOL, section: s})
	}
	m.lines = append(m.lines[:at], append(added, m.lines[at:]...)...)
}

func (st *state) delete(i int) {
	st.msg.lines = append(st.msg.lines[:i], st.msg.lines[i+1:]...)
}
