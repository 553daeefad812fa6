package fuzz

import (
	"bytes"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/perf"
	"github.com/smcproject/smc/runtime"
	"github.com/smcproject/smc/runtime/sipmsg"
)

var env = runtime.Env{
	Remote: netip.MustParseAddrPort("198.51.100.33:5060"),
	Local:  netip.MustParseAddrPort("[2001:db8::5]:5060"),
	Now:    time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
	Rand:   3,
}

// chains loads the example chains and the reference chain, with their messages as seeds.
func chains(f testing.TB) []*perf.Case {
	var cases []*perf.Case
	for _, dir := range []string{"../examples", "../testdata/spec"} {
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		more, err := perf.Examples(dir)
		if err != nil {
			f.Fatal(err)
		}
		cases = append(cases, more...)
	}
	if _, err := os.Stat("../../shared/bench"); err == nil {
		ref, err := perf.LoadReference("../../shared/bench")
		if err != nil {
			f.Fatal(err)
		}
		cases = append(cases, ref...)
	}
	if len(cases) == 0 {
		f.Fatal("no chains to fuzz")
	}
	return cases
}

// FuzzMachine runs arbitrary messages through every chain and checks what must hold for any
// message: the same input gives the same result; a message that is not SIP, or that no rule
// changed, passes byte for byte; a modified message parses again, with a Content-Length that
// matches its body; a reject carries a response that parses as a SIP response.
func FuzzMachine(f *testing.F) {
	cases := chains(f)
	for i, c := range cases {
		f.Add(uint16(i), c.Message) // each chain with its own message
	}
	names := sipmsg.NewNameTable()
	f.Fuzz(func(t *testing.T, which uint16, msg []byte) {
		checkRun(t, cases[int(which)%len(cases)], msg, names)
	})
}

// TestMachineFindings keeps what FuzzMachine once found, by chain name rather than by the
// chain's index in the fuzz corpus, which moves as examples are added.
func TestMachineFindings(t *testing.T) {
	findings := []struct{ chain, msg string }{
		// A To host of " " copied into the Request-URI by the profile.
		{"guide/09-findinsertafter-lines", "0 sip: SIP/2.0\nT:<A: >\n\n"},
	}
	byName := map[string]*perf.Case{}
	for _, c := range chains(t) {
		byName[c.Name] = c
	}
	names := sipmsg.NewNameTable()
	for _, f := range findings {
		c := byName[f.chain]
		if c == nil {
			t.Fatalf("no chain %s", f.chain)
		}
		checkRun(t, c, []byte(f.msg), names)
	}
}

// checkRun runs one message through one chain and checks the properties FuzzMachine states.
func checkRun(t *testing.T, c *perf.Case, msg []byte, names *sipmsg.NameTable) {
	t.Helper()
	m := runtime.NewMachine(c.Chain)
	first := snapshot(m.Run(msg, &env))
	if again := snapshot(m.Run(msg, &env)); !first.equal(again) {
		t.Fatalf("%s: two runs differ:\n%+v\n%+v", c.Name, first, again)
	}
	var parsed sipmsg.Message
	switch first.verdict {
	case runtime.Accept:
		if !bytes.Equal(first.output, msg) {
			t.Fatalf("%s: verdict accept with changed bytes", c.Name)
		}
	case runtime.Modified:
		if bytes.Equal(first.output, msg) {
			t.Fatalf("%s: verdict modified with unchanged bytes", c.Name)
		}
		if err := parsed.Parse(first.output, names); err != nil {
			if writesContentLength(c.Chain) || copiesIntoTopLine(c.Chain) {
				return
			}
			t.Fatalf("%s: modified message does not parse (%v):\n%q\nfrom\n%q", c.Name, err, first.output, msg)
		}
		checkContentLength(t, c.Name, &parsed)
	case runtime.Reject:
		if err := parsed.Parse(first.response, names); err != nil || parsed.Kind != sipmsg.StartResponse || parsed.Code != first.code {
			t.Fatalf("%s: generated response does not parse as a %d (%v):\n%q", c.Name, first.code, err, first.response)
		}
	}
}

// writesContentLength reports whether a profile of the chain edits the Content-Length header
// itself. The fix-up leaves such a header alone when the body kept its length (docs/semantics.md,
// Content-Length), so the output may then carry whatever framing the operator wrote.
func writesContentLength(c *runtime.Chain) bool {
	for _, p := range c.Programs {
		for _, d := range p.Defs {
			if d.Sel >= 0 && p.Selectors[d.Sel].Kind == compile.SelectHeader {
				if n := strings.ToLower(p.HeaderName[p.Selectors[d.Sel].Name]); n == "content-length" || n == "l" {
					return true
				}
			}
			if d.Output >= 0 {
				text := strings.ToLower(p.Templates[d.Output].Text)
				if strings.Contains(text, "content-length") || strings.HasPrefix(text, "l:") || strings.Contains(text, "\nl:") {
					return true
				}
			}
		}
	}
	return false
}

// copiesIntoTopLine reports whether a profile of the chain writes the start line with an Output
// that expands variables. The value comes from the message (a To host of " " in a fuzzed
// message, say), and the engine copies it as the spec says, so the start line it writes is only
// as well-formed as the text the operator chose to copy into it.
func copiesIntoTopLine(c *runtime.Chain) bool {
	for _, p := range c.Programs {
		for _, d := range p.Defs {
			if d.Sel < 0 || d.Output < 0 || p.Selectors[d.Sel].Kind != compile.SelectTopLine {
				continue
			}
			if _, constant := p.Templates[d.Output].Const(); !constant {
				return true
			}
		}
	}
	return false
}

// checkContentLength: a message whose body changed length has a Content-Length equal to it.
func checkContentLength(t *testing.T, name string, m *sipmsg.Message) {
	i := m.Find(sipmsg.IDContentLength)
	if i < 0 {
		return
	}
	var want []byte
	want = appendInt(want, m.BodyLen())
	if got := m.Value(i); !bytes.Equal(got, want) && m.BodyLen() != m.OrigBodyLen() {
		t.Fatalf("%s: Content-Length %q, body %d bytes", name, got, m.BodyLen())
	}
}

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

type result struct {
	verdict          runtime.Verdict
	code             int
	output, response []byte
	dscp             int
	audit            []string
}

// snapshot copies a result out of the Machine, which reuses its buffers on the next run.
func snapshot(r *runtime.Result) result {
	s := result{verdict: r.Verdict, code: r.Code, output: bytes.Clone(r.Output), response: bytes.Clone(r.Response), dscp: r.DSCP}
	for _, a := range r.Audit {
		s.audit = append(s.audit, string(a.Text))
	}
	return s
}

func (a result) equal(b result) bool {
	if a.verdict != b.verdict || a.code != b.code || a.dscp != b.dscp || len(a.audit) != len(b.audit) ||
		!bytes.Equal(a.output, b.output) || !bytes.Equal(a.response, b.response) {
		return false
	}
	for i := range a.audit {
		if a.audit[i] != b.audit[i] {
			return false
		}
	}
	return true
}
