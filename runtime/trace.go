package runtime

import (
	"fmt"
	"io"
	"strings"

	"github.com/smcproject/smc/compile"
)

// tracer writes the step-by-step account of `smcc run --trace`: the profile, each rule in scope,
// each variable's value, each condition's operands and result, each action with the message line
// it touched. A nil *tracer is off: every method returns at once (a test calls each on nil), so
// the packet path pays one comparison. Callers that would box arguments for printf, or compute
// what only the trace shows, check for nil first.
//
// Every write goes through Write, which holds the trace of one message to MaxTraceBytes.
type tracer struct {
	w   io.Writer
	n   int  // bytes written for this message
	cut bool // MaxTraceBytes reached: the rest of this message's trace is dropped
}

// Write writes p to the trace unless it would take the message's trace past MaxTraceBytes; then
// it writes one line that says so instead, and drops the rest of the message's trace.
func (t *tracer) Write(p []byte) (int, error) {
	if t == nil || t.cut {
		return len(p), nil
	}
	if t.n+len(p) > MaxTraceBytes {
		t.cut = true
		fmt.Fprintf(t.w, "trace truncated: the trace of one message is at most %d bytes (runtime.MaxTraceBytes)\n", MaxTraceBytes)
		return len(p), nil
	}
	t.n += len(p)
	return t.w.Write(p)
}

func (t *tracer) printf(format string, args ...any) {
	if t != nil {
		fmt.Fprintf(t, format, args...)
	}
}

func (t *tracer) line(s string) {
	if t != nil {
		io.WriteString(t, s+"\n")
	}
}

func (t *tracer) note(s string) {
	if t != nil {
		io.WriteString(t, "    note: "+s+"\n")
	}
}

func (t *tracer) parseError(err error) {
	if t != nil {
		t.printf("message not parsed as SIP: %v; passed unchanged\n", err)
	}
}

func (t *tracer) profile(p *compile.Program) {
	if t != nil {
		t.printf("profile %d %q (%s)\n", p.ID, p.Name, p.File)
	}
}

// scope lists the rules the dispatch table gave and the ones it left out.
func (t *tracer) scope(m *Machine, rules []int) {
	if t == nil {
		return
	}
	var out []string
	for i := range m.prog.Rules {
		if !containsInt(rules, i) {
			out = append(out, fmt.Sprint(i))
		}
	}
	if len(out) > 0 {
		t.printf("  rules out of scope: %s\n", strings.Join(out, " "))
	}
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (t *tracer) rule(m *Machine, r *compile.Rule) {
	if t == nil {
		return
	}
	t.printf("  rule %d (json:%d) %s", r.Index, r.Line, r.Scope)
	if r.Comment != "" {
		t.printf(" // %s", r.Comment)
	}
	t.printf("\n")
	for i := range r.Imports {
		t.printf("    var %s = %q (imported)\n", r.Imports[i].Lit, m.appendReserved(nil, &r.Imports[i]))
	}
}

func (t *tracer) condStart(m *Machine, c *compile.Cond, right []byte) {
	if t == nil {
		return
	}
	t.printf("    condition (json:%d): %s %s", c.Line, m.prog.SelectorSource(c.Sel), c.Name)
	switch {
	case c.Pattern >= 0:
		t.printf(" %q", m.prog.Matchers[c.Pattern].Source)
	case c.Table >= 0:
		t.printf(" in %s column %d", m.prog.Tables[c.Table].Path, c.Column)
	case c.Operand >= 0:
		t.printf(" %q", right)
	}
	t.printf("\n")
}

// operand shows one left operand and whether the positive comparison held for it (a negated
// operator is TRUE when it holds for no line), with the data file row a lookup selected.
func (t *tracer) operand(m *Machine, c *compile.Cond, left []byte, line int, held bool) {
	if t == nil {
		return
	}
	where := "no line selected"
	switch {
	case line > 0:
		where = fmt.Sprintf("msg:%d", line)
	case line < 0:
		where = "literal"
	}
	t.printf("      %s %q: %s %v", where, left, c.Positive, held)
	if c.Table >= 0 && held {
		t.printf(", %s", rowString(m.row, m.rowTable))
		if c.Operator == compile.CmpInPrefixes {
			t.printf(", key %q", m.rowTable.Data.Field(m.row, c.Column))
		}
	}
	t.printf("\n")
}

// xmlOperand shows the n-th value an XML_BODY path selected (0: none) and whether the positive
// comparison held for it.
func (t *tracer) xmlOperand(c *compile.Cond, left []byte, n int, held bool) {
	if t == nil {
		return
	}
	where := "no XML value selected"
	if n > 0 {
		where = fmt.Sprintf("xml value %d", n)
	}
	t.printf("      %s %q: %s %v\n", where, left, c.Positive, held)
}

func (t *tracer) condEnd(c *compile.Cond, result bool) {
	if t != nil {
		t.printf("      %s -> %s\n", c.Name, strings.ToUpper(fmt.Sprint(result)))
	}
}

// action shows a replace definition and the line it left at message line `line` (0: none).
func (t *tracer) action(d *compile.ReplaceDef, line int, text []byte) {
	if t == nil {
		return
	}
	switch {
	case d.Type == compile.ReplaceSetDSCP:
		t.printf("    action %s = %d\n", d.Type, d.Value)
	case d.Type == compile.ReplaceSetMark:
		t.printf("    action %s = %d\n", d.Type, d.Value)
	case d.Type == compile.ReplaceAuditRecord:
		t.printf("    action %s = %q\n", d.Type, text)
	case line <= 0:
		t.printf("    action %s: nothing selected\n", d.Type)
	default:
		t.printf("    action %s (msg:%d) = %q\n", d.Type, line, text)
	}
}

// deleted shows a line a DELETE_LINES definition removed.
func (t *tracer) deleted(d *compile.ReplaceDef, line int, text []byte) {
	if t != nil {
		t.printf("    action %s (msg:%d) deleted %q\n", d.Type, line, text)
	}
}

func rowString(row int, t *compile.Table) string {
	if row < 0 {
		return "no row"
	}
	return fmt.Sprintf("row %d (%s line %d)", row, t.Path, t.Data.Line(row))
}

// lineNo is the physical line number of line i for the trace, and 0 when not tracing, because
// counting lines costs a pass over the message.
func (m *Machine) lineNo(i int) int {
	if m.trace == nil {
		return 0
	}
	return m.msg.PhysicalLine(i)
}
