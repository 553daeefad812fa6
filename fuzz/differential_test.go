package fuzz

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/fuzz/gen"
	"github.com/smcproject/smc/fuzz/reference"
	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/runtime"
)

// FuzzDifferential runs a generated chain of profiles and a generated message (fuzz/gen) through
// the reference evaluator and through the engine (compile + runtime), and requires the same
// outcome: verdict and status code, the bytes sent, the generated response, every audit record
// (kind, profile, rule, text), DSCP and mark. Both sides must accept every legal profile the
// generator writes, and refuse the one it now and then spoils on purpose (gen.Case.Flaw).
func FuzzDifferential(f *testing.F) {
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		c := gen.New(b)
		if c.Flawed > 0 {
			checkRefused(t, c)
			return
		}
		chain := compileCase(t, c)
		refChain := decodeCase(t, c)
		want := referenceOutcome(reference.Run(refChain, c.Message, referenceEnv(c.Env)))
		got := engineOutcome(runtime.NewMachine(chain).Run(c.Message, engineEnv(c.Env)))
		if d := want.diff(got); d != "" {
			t.Fatalf("engine and reference differ:\n%s\n%s", d, describe(c))
		}
	})
}

// compileCase compiles the case's profiles into a chain; a generated profile that does not
// compile is a finding, of the engine or of the generator.
func compileCase(t *testing.T, c *gen.Case) *runtime.Chain {
	t.Helper()
	progs, err := compileProfiles(c)
	if err != nil {
		t.Fatalf("%v\n%s", err, describe(c))
	}
	return smctest.MustChain(t, progs...)
}

func compileProfiles(c *gen.Case) ([]*compile.Program, error) {
	var progs []*compile.Program
	for i, src := range c.Profiles {
		p, diags := compile.Compile(fmt.Sprintf("p%d.json", i+1), src, compile.Options{OpenData: c.Open})
		if diags.HasErrors() {
			return nil, fmt.Errorf("the engine rejects profile %d:\n%v", i+1, diags.Errors())
		}
		progs = append(progs, p)
	}
	return progs, nil
}

// decodeCase loads the case's profiles into the reference.
func decodeCase(t *testing.T, c *gen.Case) []*reference.Profile {
	t.Helper()
	var chain []*reference.Profile
	for i, src := range c.Profiles {
		p, err := reference.Decode(src, c.Open)
		if err != nil {
			t.Fatalf("the reference rejects profile %d: %v\n%s", i+1, err, describe(c))
		}
		chain = append(chain, p)
	}
	return chain
}

// checkRefused requires both sides to refuse the flawed profile of a case and to accept the
// others.
func checkRefused(t *testing.T, c *gen.Case) {
	t.Helper()
	for i, src := range c.Profiles {
		_, diags := compile.Compile("p.json", src, compile.Options{OpenData: c.Open})
		_, err := reference.Decode(src, c.Open)
		flawed := i+1 == c.Flawed
		if diags.HasErrors() != flawed || (err != nil) != flawed {
			t.Fatalf("profile %d (flaw %q in profile %d): engine errors %v, reference error %v\n%s",
				i+1, c.Flaw, c.Flawed, diags.Errors(), err, describe(c))
		}
	}
}

func referenceEnv(e gen.Env) reference.Env {
	env := reference.Env{Remote: e.Remote, Local: e.Local, Transport: "UDP", Now: e.Now, Rand: e.Rand}
	if e.TCP {
		env.Transport = "TCP"
	}
	return env
}

func engineEnv(e gen.Env) *runtime.Env {
	env := &runtime.Env{Remote: e.Remote, Local: e.Local, Transport: runtime.UDP, Now: e.Now, Rand: e.Rand}
	if e.TCP {
		env.Transport = runtime.TCP
	}
	return env
}

// outcome is what both sides report about one message, in one form, copied out of the
// Machine's buffers. Output is kept for the verdicts that send the message, Response for reject.
type outcome struct {
	verdict          string
	code             int
	parsed           bool
	output, response []byte
	dscp             int
	mark             uint32
	hasMark          bool
	audit            []auditRecord
}

type auditRecord struct {
	kind    string
	profile int64
	rule    int
	text    string
}

func referenceOutcome(r *reference.Result) outcome {
	o := outcome{verdict: r.Verdict, code: r.Code, parsed: r.Parsed, dscp: r.DSCP, mark: r.Mark, hasMark: r.HasMark}
	o.keep(r.Output, r.Response)
	for _, a := range r.Audit {
		o.audit = append(o.audit, auditRecord{a.Kind, a.Profile, a.Rule, a.Text})
	}
	return o
}

func engineOutcome(r *runtime.Result) outcome {
	o := outcome{verdict: r.Verdict.String(), code: r.Code, parsed: r.ParseError == nil, dscp: r.DSCP, mark: r.Mark, hasMark: r.HasMark}
	o.keep(r.Output, r.Response)
	for _, a := range r.Audit {
		o.audit = append(o.audit, auditRecord{a.Kind.String(), a.Profile, a.Rule, string(a.Text)})
	}
	return o
}

// keep copies the message or the response, whichever the verdict sends.
func (o *outcome) keep(output, response []byte) {
	switch o.verdict {
	case "accept", "modified":
		o.output = bytes.Clone(output)
	case "reject":
		o.response = bytes.Clone(response)
	}
}

// diff describes how got differs from want, or returns "".
func (want outcome) diff(got outcome) string {
	var d []string
	add := func(what string, w, g any) { d = append(d, fmt.Sprintf("%s: reference %q, engine %q", what, w, g)) }
	if want.verdict != got.verdict || want.code != got.code {
		add("verdict", fmt.Sprint(want.verdict, " ", want.code), fmt.Sprint(got.verdict, " ", got.code))
	}
	if want.parsed != got.parsed {
		add("parsed", fmt.Sprint(want.parsed), fmt.Sprint(got.parsed))
	}
	if !bytes.Equal(want.output, got.output) {
		add("output", want.output, got.output)
	}
	if !bytes.Equal(want.response, got.response) {
		add("response", want.response, got.response)
	}
	if want.dscp != got.dscp || want.mark != got.mark || want.hasMark != got.hasMark {
		add("dscp/mark", fmt.Sprint(want.dscp, want.mark, want.hasMark), fmt.Sprint(got.dscp, got.mark, got.hasMark))
	}
	if fmt.Sprint(want.audit) != fmt.Sprint(got.audit) {
		add("audit", fmt.Sprintf("%+v", want.audit), fmt.Sprintf("%+v", got.audit))
	}
	return strings.Join(d, "\n")
}

// describe prints a case as a txtar archive (SMC-SPEC §10) with eol: raw, so that a finding can
// be saved as a conformance case once the expected results are filled in.
func describe(c *gen.Case) string {
	var b strings.Builder
	fmt.Fprintf(&b, "eol: raw\nremote: %s\nlocal: %s\ntransport: %s\ntime: %s\nrand: %d\n",
		c.Env.Remote, c.Env.Local, map[bool]string{false: "udp", true: "tcp"}[c.Env.TCP], c.Env.Now.Format("2006-01-02T15:04:05.999999999Z07:00"), c.Env.Rand)
	for i, p := range c.Profiles {
		fmt.Fprintf(&b, "-- p%d.json --\n%s\n", i+1, p)
	}
	for _, name := range []string{"keys.csv", "nets.csv", "prefix.csv"} {
		if d, ok := c.Data[name]; ok {
			fmt.Fprintf(&b, "-- %s --\n%s", name, d)
		}
	}
	fmt.Fprintf(&b, "-- input.sip --\n%s\n-- (input.sip quoted) --\n%q\n", c.Message, c.Message)
	return b.String()
}
