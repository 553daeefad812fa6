package runtime

import (
	"testing"

	"github.com/smcproject/smc/compile"
)

// A nil tracer is how tracing is off, so every method must return on nil without touching the
// Machine it is given: a method that dereferenced it would crash the packet path only when a
// rule reached it.
func TestNilTracerIsOff(t *testing.T) {
	var tr *tracer
	var m *Machine // nil too: a nil tracer must not look at it
	prog := &compile.Program{}
	rule := &compile.Rule{}
	cond := &compile.Cond{}
	def := &compile.ReplaceDef{Type: compile.ReplaceAddLine}
	if n, err := tr.Write([]byte("x")); n != 1 || err != nil {
		t.Errorf("Write on nil: %d, %v", n, err)
	}
	tr.printf("%d", 1)
	tr.line("x")
	tr.note("x")
	tr.parseError(nil)
	tr.profile(prog)
	tr.scope(m, nil)
	tr.rule(m, rule)
	tr.condStart(m, cond, nil)
	tr.operand(m, cond, nil, 1, true)
	tr.condEnd(cond, true)
	tr.action(def, 1, nil)
	tr.deleted(def, 1, nil)
}
