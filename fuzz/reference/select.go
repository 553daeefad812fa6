package reference

import "strings"

// Selecting text (SMC-SPEC §3): lines by Header and HeaderAttr, then the Macro's part of each
// line's value, then RegEx1's first match and RegEx2's inside it.

// selects reports whether a selection selects line i of the message as it is now.
func (st *state) selects(sel *Selection, i int) bool {
	l := st.msg.lines[i]
	switch {
	case sel.Attr == "BODY_SECTION_ONLY":
		// docs/semantics.md §3: the prefix is compared byte for byte.
		return l.section == body && l.mime == textLine && strings.HasPrefix(l.text, sel.Header)
	case sel.Header == "TOPLINE":
		return l.section == top
	}
	return l.section == header && canonical(headerName(l.text)) == canonical(sel.Header)
}

// selected returns the indexes of the lines a selection selects.
func (st *state) selected(sel *Selection) []int {
	var out []int
	for i := range st.msg.lines {
		if st.selects(sel, i) {
			out = append(out, i)
		}
	}
	return out
}

// valueSpan is line i's value: the trimmed header value, the text after a body line's prefix
// (not trimmed, docs/semantics.md "Values"), or the whole start line.
func (st *state) valueSpan(sel *Selection, i int) (int, int) {
	l := st.msg.lines[i]
	switch l.section {
	case header:
		return headerValue(l.text)
	case body:
		return len(sel.Header), len(l.text)
	}
	return 0, len(l.text)
}

// macroPart narrows text[s:e] to the selection's macro part; line is the line's index, or -1 for
// a CONDITION_LITERAL value. Without a Macro the span is kept.
func (st *state) macroPart(sel *Selection, text string, s, e, line int) part {
	switch {
	case sel.Macro == "":
		return part{s, e, true}
	case line >= 0 && st.msg.lines[line].section == top:
		// The Request-URI of a request; on any other start line a macro finds nothing.
		if st.msg.kind() != request {
			return part{}
		}
		us, ue := requestURI(text)
		return uriPart(text[us:ue], sel.Macro).shift(us)
	}
	return headerPart(text[s:e], sel.Macro).shift(s)
}

// regexPart narrows text[s:e] to RegEx1's first match, then RegEx2's first match inside it. A
// match may be empty (docs/semantics.md §3).
func regexPart(sel *Selection, text string, s, e int) part {
	if sel.Re1 == nil {
		return part{s, e, true}
	}
	loc := sel.Re1.FindStringIndex(text[s:e])
	if loc == nil {
		return part{}
	}
	s, e = s+loc[0], s+loc[1]
	if sel.Re2 == nil {
		return part{s, e, true}
	}
	if loc = sel.Re2.FindStringIndex(text[s:e]); loc == nil {
		return part{}
	}
	return part{s + loc[0], s + loc[1], true}
}

// narrowed applies the macro and the regexes to text[s:e] and returns the selected text, "" when
// either finds nothing.
func (st *state) narrowed(sel *Selection, text string, s, e, line int) string {
	p := st.macroPart(sel, text, s, e, line)
	if !p.ok {
		return ""
	}
	if p = regexPart(sel, text, p.start, p.end); !p.ok {
		return ""
	}
	return text[p.start:p.end]
}

// selectedText is the text a selection selects in line i.
func (st *state) selectedText(sel *Selection, i int) string {
	text := st.msg.lines[i].text
	s, e := st.valueSpan(sel, i)
	return st.narrowed(sel, text, s, e, i)
}

// literalText is a CONDITION_LITERAL selection's one value: its Header, expanded, then narrowed.
func (st *state) literalText(sel *Selection) string {
	text := st.expand(sel.Header)
	return st.narrowed(sel, text, 0, len(text), -1)
}

// passes reports whether line i passes the RegEx filter of an action (SMC-SPEC §6) and returns
// the span the action works in: the macro's part, or the value. A line whose macro finds nothing
// does not pass (docs/semantics.md §6).
func (st *state) passes(sel *Selection, i int) part {
	text := st.msg.lines[i].text
	s, e := st.valueSpan(sel, i)
	p := st.macroPart(sel, text, s, e, i)
	if !p.ok || !regexPart(sel, text, p.start, p.end).ok {
		return part{}
	}
	return p
}
