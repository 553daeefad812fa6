package compile

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/smcproject/smc/match"
)

// Disassemble writes the program in readable form: the rules with their scope and instructions,
// each instruction with the side-table entry it uses, then the dispatch table.
func (p *Program) Disassemble(w io.Writer) {
	fmt.Fprintf(w, "profile %d %q (%s)\n", p.ID, p.Name, p.File)
	if p.NumVars > 0 {
		fmt.Fprintf(w, "variables: %s\n", strings.Join(p.VarNames, " "))
	}
	for i, t := range p.Tables {
		fmt.Fprintf(w, "table %d: %q, %d rows, key column %d\n", i, t.Path, t.Data.Len(), t.KeyCol)
	}
	for _, r := range p.Rules {
		fmt.Fprintf(w, "\nrule %d (json:%d) %s", r.Index, r.Line, r.Scope)
		if r.Comment != "" {
			fmt.Fprintf(w, " // %s", r.Comment)
		}
		fmt.Fprintln(w)
		for pc := r.Start; pc < r.End; pc++ {
			fmt.Fprintf(w, "  %4d  %s\n", pc, p.InstString(p.Insts[pc]))
		}
	}
	fmt.Fprintf(w, "\ndispatch:\n%s", p.Dispatch.String())
}

// String shows a scope as the profile writes it.
func (s Scope) String() string {
	var b strings.Builder
	if s.Response {
		b.WriteString("RESPONSE")
		if s.Codes != nil {
			b.WriteString(" " + strings.Join(s.Codes, ","))
		}
		if s.Methods != nil {
			b.WriteString(" CSeq " + strings.Join(s.Methods, ","))
		}
		return b.String()
	}
	b.WriteString("REQUEST")
	if s.Methods != nil {
		b.WriteString(" " + strings.Join(s.Methods, ","))
	}
	return b.String()
}

// InstString shows one instruction with its operands resolved.
func (p *Program) InstString(in Inst) string {
	switch in.Op {
	case OpSetVar:
		v := p.Vars[in.Arg]
		return fmt.Sprintf("SETVAR    %s = %s", p.VarNames[v.Slot], p.SelectorString(v.Sel))
	case OpRandomRow:
		if in.Arg < 0 {
			return "RANDROW   (unused DataFile)"
		}
		return fmt.Sprintf("RANDROW   table %d key %s", in.Arg, reservedName(Reserved(in.B)))
	case OpCond:
		return "COND      " + p.CondString(p.Conds[in.Arg])
	case OpJumpFalse, OpJumpTrue:
		return fmt.Sprintf("%-9s %d", in.Op, in.Arg)
	case OpReplace:
		return "REPLACE   " + p.DefString(p.Defs[in.Arg])
	}
	return in.Op.String()
}

// SelectorString shows where a selector takes its text from, with the engine each pattern was
// given (smcc disasm).
func (p *Program) SelectorString(i int) string { return p.selectorText(i, (*match.Matcher).String) }

// SelectorSource shows where a selector takes its text from as the profile writes it, its
// patterns as their source (the trace, which speaks the profile's language).
func (p *Program) SelectorSource(i int) string {
	return p.selectorText(i, func(m *match.Matcher) string { return strconv.Quote(m.Source) })
}

func (p *Program) selectorText(i int, pattern func(*match.Matcher) string) string {
	s := p.Selectors[i]
	var b strings.Builder
	switch s.Kind {
	case SelectHeader:
		b.WriteString("header " + strconv.Quote(p.HeaderName[s.Name]))
	case SelectTopLine:
		b.WriteString("TOPLINE")
	case SelectBody:
		b.WriteString("body " + strconv.Quote(string(s.Prefix)))
	case SelectLiteral:
		b.WriteString("literal " + strconv.Quote(p.Templates[s.Literal].Text))
	case SelectXML:
		b.WriteString("xml " + strconv.Quote(s.Path.String()))
	}
	if s.Macro != MacroNone {
		b.WriteString(" " + s.Macro.String())
	}
	if s.Re1 >= 0 {
		b.WriteString(" RegEx1 " + pattern(p.Matchers[s.Re1]))
	}
	if s.Re2 >= 0 {
		b.WriteString(" RegEx2 " + pattern(p.Matchers[s.Re2]))
	}
	return b.String()
}

// CondString shows a condition.
func (p *Program) CondString(c Cond) string {
	s := p.SelectorString(c.Sel) + " " + c.Name
	switch {
	case c.Pattern >= 0:
		s += " " + p.Matchers[c.Pattern].String()
	case c.Table >= 0:
		s += fmt.Sprintf(" table %d column %d", c.Table, c.Column)
	case c.Operand >= 0:
		s += " " + strconv.Quote(p.Templates[c.Operand].Text)
	}
	return s
}

// DefString shows a replace definition.
func (p *Program) DefString(d ReplaceDef) string {
	s := d.Type.String()
	if d.Sel >= 0 {
		s += " " + p.SelectorString(d.Sel)
	}
	switch {
	case d.Type == ReplaceSetDSCP || d.Type == ReplaceSetMark:
		s += " " + strconv.FormatUint(uint64(d.Value), 10)
	case d.Output >= 0:
		s += " output " + strconv.Quote(p.Templates[d.Output].Text)
	}
	return s
}

func reservedName(r Reserved) string {
	for name, v := range reservedNames {
		if v == r && name != "ISUP.ParamJP" {
			return "{$" + name + "}"
		}
	}
	return "{$?}"
}

// String shows the dispatch table: which rules a message of each kind visits.
func (d *Dispatch) String() string {
	var b strings.Builder
	for i, m := range d.Methods {
		fmt.Fprintf(&b, "  request %-10s rules %v\n", m, d.ByMethod[i])
	}
	fmt.Fprintf(&b, "  request %-10s rules %v\n", "(other)", d.OtherMethod)
	for lo := 0; lo < len(d.ByCode); {
		hi := lo
		for hi+1 < len(d.ByCode) && equalInts(d.ByCode[hi+1], d.ByCode[lo]) {
			hi++
		}
		if len(d.ByCode[lo]) > 0 {
			fmt.Fprintf(&b, "  response %d-%d rules %v\n", lo+100, hi+100, d.ByCode[lo])
		}
		lo = hi + 1
	}
	return b.String()
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
