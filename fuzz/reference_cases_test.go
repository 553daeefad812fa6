package fuzz

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/smcproject/smc/fuzz/reference"
	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/runtime"
)

// TestReferenceCases runs every txtar case of the conformance suite and the examples through the
// reference evaluator alone, and checks what `smcc test` checks (SMC-SPEC §10): verdict, output,
// generated response, audit texts, DSCP and mark. The cases are read, and the reference's result
// checked, by internal/smctest, as `smcc test` reads and checks them for the engine. The reference
// is only worth comparing the engine with because it passes these on its own.
func TestReferenceCases(t *testing.T) {
	paths, err := smctest.Find([]string{"../testdata/spec", "../testdata/limits", "../examples"})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 250 {
		t.Fatalf("found %d cases; the suites have more", len(paths))
	}
	for _, path := range paths {
		t.Run(strings.TrimPrefix(path, "../"), func(t *testing.T) {
			c, err := smctest.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range runReferenceCase(c) {
				t.Error(d)
			}
		})
	}
}

// runReferenceCase runs one case on the reference and returns what differs from its expectations.
func runReferenceCase(c *smctest.Case) []string {
	var chain []*reference.Profile
	for _, f := range c.Profiles {
		p, err := reference.Decode(f.Data, f.Open)
		if err != nil {
			return []string{fmt.Sprintf("%s does not load: %v", f.Name, err)}
		}
		chain = append(chain, p)
	}
	env := reference.Env{Remote: c.Env.Remote, Local: c.Env.Local, Transport: c.Env.Transport.String(), Now: c.Env.Now, Rand: c.Env.Rand}
	return c.Check(engineForm(reference.Run(chain, c.Input, env)))
}

// errNotParsed stands for the parse error the reference does not describe.
var errNotParsed = errors.New("the reference does not parse it")

// engineForm puts the reference's result in the engine's form, for smctest.Case.Check.
func engineForm(r *reference.Result) *runtime.Result {
	res := &runtime.Result{Code: r.Code, Output: r.Output, Response: r.Response, DSCP: r.DSCP, Mark: r.Mark, HasMark: r.HasMark}
	for v := runtime.Accept; v <= runtime.Reject; v++ {
		if v.String() == r.Verdict {
			res.Verdict = v
		}
	}
	if !r.Parsed {
		res.ParseError = errNotParsed
	}
	for _, a := range r.Audit {
		res.Audit = append(res.Audit, runtime.AuditRecord{Profile: a.Profile, Rule: a.Rule, Text: []byte(a.Text)})
	}
	return res
}
