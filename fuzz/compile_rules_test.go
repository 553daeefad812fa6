package fuzz

import (
	"bytes"
	"strings"
	"testing"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/compile/bundle"
	"github.com/smcproject/smc/fuzz/gen"
	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/runtime"
)

// FuzzCompileRules compiles generated legal profiles (fuzz/gen), and checks what
// must hold for any of them: no error diagnostics, programs that pass Verify, and a bundle round
// trip (Encode, then Parse) that gives back programs with the same disassembly and the same
// result on a generated message.
func FuzzCompileRules(f *testing.F) {
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		c := gen.New(b)
		if c.Flawed > 0 {
			return // FuzzDifferential checks that both sides refuse it
		}
		progs, err := compileProfiles(c)
		if err != nil {
			t.Fatalf("%v\n%s", err, describe(c))
		}
		for i, p := range progs {
			if err := p.Verify(); err != nil {
				t.Fatalf("profile %d: %v\n%s", i+1, err, describe(c))
			}
		}
		loaded := roundTrip(t, progs)
		for i := range progs {
			if want, got := disassemble(progs[i]), disassemble(loaded[i]); want != got {
				t.Fatalf("profile %d disassembles differently after the bundle round trip:\n%s\n---\n%s", i+1, want, got)
			}
		}
		env := engineEnv(c.Env)
		want := engineOutcome(runtime.NewMachine(smctest.MustChain(t, progs...)).Run(c.Message, env))
		got := engineOutcome(runtime.NewMachine(smctest.MustChain(t, loaded...)).Run(c.Message, env))
		if d := want.diff(got); d != "" {
			t.Fatalf("the bundle's chain runs differently (reference: compiled, engine: from the bundle):\n%s\n%s", d, describe(c))
		}
	})
}

// roundTrip writes the programs as a bundle and parses it again.
func roundTrip(t *testing.T, progs []*compile.Program) []*compile.Program {
	t.Helper()
	var buf bytes.Buffer
	if err := bundle.Encode(&buf, progs, bundle.Manifest{}); err != nil {
		t.Fatalf("encode: %v", err)
	}
	b, err := bundle.Parse("fuzz.smcb", buf.Bytes())
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if len(b.Programs) != len(progs) {
		t.Fatalf("the bundle holds %d programs, not %d", len(b.Programs), len(progs))
	}
	return b.Programs
}

func disassemble(p *compile.Program) string {
	var b strings.Builder
	p.Disassemble(&b)
	return b.String()
}
