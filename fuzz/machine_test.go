package fuzz

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/match"
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

// chains loads the chains FuzzMachine runs, each with its own message: every txtar case of the
// examples, the conformance suite and the limit cases, and the reference chain of ../shared/bench
// (named reference/MESSAGE) when it is there. They are sorted by name.
func chains(f testing.TB) []*perf.Case {
	var cases []*perf.Case
	for _, dir := range []string{"../examples", "../testdata/spec", "../testdata/limits"} {
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
		for _, c := range ref {
			c.Name = "reference/" + c.Name
		}
		cases = append(cases, ref...)
	}
	if len(cases) == 0 {
		f.Fatal("no chains to fuzz")
	}
	slices.SortFunc(cases, func(a, b *perf.Case) int { return strings.Compare(a.Name, b.Name) })
	return cases
}

// A target is one chain as FuzzMachine runs it.
type target struct {
	*perf.Case
	own    result           // its own message's result on a fresh Machine
	reused *runtime.Machine // kept across inputs; nil until first used
	re2    bool             // the chain has a pattern that runs on go-re2 (checkAllocs)
}

// targets picks the chain a fuzz input names.
type targets struct {
	list   []*target // sorted by name
	byName map[string]*target
}

func newTargets(t testing.TB) *targets {
	ts := &targets{byName: map[string]*target{}}
	for _, c := range chains(t) {
		tg := &target{Case: c}
		for _, p := range c.Chain.Programs {
			for _, m := range p.Matchers {
				tg.re2 = tg.re2 || m.Kind == match.RE2
			}
		}
		tg.own = snapshot(runtime.NewMachine(c.Chain).Run(c.Message, &env))
		ts.list = append(ts.list, tg)
		ts.byName[c.Name] = tg
	}
	return ts
}

// pick returns the chain of that name, or for any other name (the fuzzer mutates names too) the
// chain its hash selects, so that every input runs on some chain.
func (ts *targets) pick(name string) *target {
	if tg := ts.byName[name]; tg != nil {
		return tg
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return ts.list[h.Sum32()%uint32(len(ts.list))]
}

// FuzzMachine runs arbitrary messages through every chain. An input is a chain's name and a
// message: the name picks the chain (targets.pick), so a seed keeps its chain when chains are
// added; the committed seeds and where they come from are in testdata/README.md. For any message:
//
//   - Run leaves its input as it was, and the same Machine run twice gives the same result (an
//     unchanged verdict for unchanged input).
//   - A fresh Machine and a reused one agree. The chain's reused Machine is kept across inputs:
//     it has run the chain's own message just before, and in a fuzzing process every earlier
//     input on that chain.
//   - The message leaves nothing behind: the chain's own message, run after it on the reused
//     Machine, gives what it gives on a fresh Machine.
//   - A warmed Machine allocates nothing running the message again, on any path: parse errors,
//     edits, lookups, rejects and their responses, audit records, warnings, output limits
//     (docs/design.md: the packet path runs without garbage). The exception is a search on
//     go-re2, whose Go API returns a fresh slice per match (BENCHMARKS.md): a chain with an RE2
//     pattern is not checked, and a run in which a sequence pattern went to RE2
//     (RegexFallbacks of runtime.Machine.Stats: text with a byte from 0x80 on, or a search past
//     its linear budget, such as a long run of digits for `[0-9]+;branch`) is not counted.
//   - A message that is not SIP, or that no rule changed, passes byte for byte; a modified message
//     parses again, with a Content-Length that matches its body; a reject carries a response that
//     parses as a SIP response with the verdict's code.
func FuzzMachine(f *testing.F) {
	ts := newTargets(f)
	for _, tg := range ts.list {
		f.Add(tg.Name, tg.Message) // each chain with its own message
	}
	for _, pattern := range []string{"rfc4475/*.dat", "rfc5118/*.dat"} {
		files, _ := filepath.Glob(filepath.Join("..", "..", "shared", "corpus", pattern))
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add("reference/invite-dirty", b)
			}
		}
	}
	names := sipmsg.NewNameTable()
	f.Fuzz(func(t *testing.T, chain string, msg []byte) {
		tg := ts.pick(chain)
		checkRun(t, tg.Case, msg, names)
		checkReuse(t, tg, msg)
		checkAllocs(t, tg, msg)
	})
}

// TestMachineSeedsNameChains: every committed seed names a chain that exists, so that renaming
// an example does not quietly send its seeds to whatever chain the name's hash picks. Seeds of
// the reference chain are exempt when ../shared/bench is not there.
func TestMachineSeedsNameChains(t *testing.T) {
	ts := newTargets(t)
	files, err := filepath.Glob("testdata/fuzz/FuzzMachine/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no seeds: %v", err)
	}
	_, bench := os.Stat("../../shared/bench")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitN(string(b), "\n", 3)
		quoted, ok := strings.CutPrefix(lines[1], "string(")
		name, err := strconv.Unquote(strings.TrimSuffix(quoted, ")"))
		if !ok || err != nil {
			t.Errorf("%s: no chain name on its second line", file)
			continue
		}
		if ts.byName[name] == nil && !(strings.HasPrefix(name, "reference/") && bench != nil) {
			t.Errorf("%s: no chain %q", file, name)
		}
	}
}

// TestMachineFindings keeps what FuzzMachine once found that reads better here than as a file
// of testdata/fuzz/FuzzMachine.
func TestMachineFindings(t *testing.T) {
	findings := []struct{ chain, msg string }{
		// A To host of " " copied into the Request-URI by the profile.
		{"guide/09-findinsertafter-lines", "0 sip: SIP/2.0\nT:<A: >\n\n"},
	}
	ts := newTargets(t)
	names := sipmsg.NewNameTable()
	for _, f := range findings {
		tg := ts.byName[f.chain]
		if tg == nil {
			t.Fatalf("no chain %s", f.chain)
		}
		checkRun(t, tg.Case, []byte(f.msg), names)
		checkReuse(t, tg, []byte(f.msg))
		checkAllocs(t, tg, []byte(f.msg))
	}
}

// checkReuse checks that the chain's reused Machine gives msg the result a fresh one gives, and
// that the chain's own message, run next, is not changed by what msg left behind.
func checkReuse(t *testing.T, tg *target, msg []byte) {
	t.Helper()
	if tg.reused == nil {
		tg.reused = runtime.NewMachine(tg.Chain)
	}
	fresh := snapshot(runtime.NewMachine(tg.Chain).Run(msg, &env))
	tg.reused.Run(tg.Message, &env)
	if got := snapshot(tg.reused.Run(msg, &env)); !fresh.equal(got) {
		t.Fatalf("%s: a reused Machine differs from a fresh one:\n%+v\n%+v", tg.Name, got, fresh)
	}
	if got := snapshot(tg.reused.Run(tg.Message, &env)); !tg.own.equal(got) {
		t.Fatalf("%s: after %q, its own message gives\n%+v\nnot, as on a fresh Machine,\n%+v", tg.Name, msg, got, tg.own)
	}
}

// checkAllocs checks that a warmed Machine allocates nothing running msg again, where the design
// promises it (FuzzMachine).
func checkAllocs(t *testing.T, tg *target, msg []byte) {
	t.Helper()
	if tg.re2 {
		return
	}
	m := tg.reused
	m.Run(msg, &env)
	before := m.Stats().RegexFallbacks
	n := testing.AllocsPerRun(2, func() { m.Run(msg, &env) })
	if n != 0 && m.Stats().RegexFallbacks == before {
		t.Fatalf("%s: %v allocations running %q", tg.Name, n, msg)
	}
}

// checkRun runs one message through one chain and checks the properties FuzzMachine states.
func checkRun(t *testing.T, c *perf.Case, msg []byte, names *sipmsg.NameTable) {
	t.Helper()
	m := runtime.NewMachine(c.Chain)
	in := bytes.Clone(msg)
	first := snapshot(m.Run(msg, &env))
	if !bytes.Equal(msg, in) {
		t.Fatalf("%s: Run changed its input:\n%q\nwas\n%q", c.Name, msg, in)
	}
	if again := snapshot(m.Run(msg, &env)); !first.equal(again) {
		t.Fatalf("%s: two runs differ:\n%+v\n%+v", c.Name, first, again)
	}
	var parsed sipmsg.Message
	switch first.verdict {
	case runtime.Accept:
		if first.output != string(msg) {
			t.Fatalf("%s: verdict accept with changed bytes", c.Name)
		}
	case runtime.Modified:
		if first.output == string(msg) {
			t.Fatalf("%s: verdict modified with unchanged bytes", c.Name)
		}
		if err := parsed.Parse([]byte(first.output), names); err != nil {
			if writesContentLength(c.Chain) || copiesIntoTopLine(c.Chain) {
				return
			}
			t.Fatalf("%s: modified message does not parse (%v):\n%q\nfrom\n%q", c.Name, err, first.output, msg)
		}
		checkContentLength(t, c.Name, &parsed)
	case runtime.Reject:
		if err := parsed.Parse([]byte(first.response), names); err != nil || parsed.Kind != sipmsg.StartResponse || parsed.Code != first.code {
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

// result is everything a Run returns, copied out of the Machine, which reuses its buffers on the
// next run; errors are kept as their text.
type result struct {
	verdict                  runtime.Verdict
	code, dscp               int
	mark                     uint32
	hasMark                  bool
	output, response         string
	audit, warnings          []string
	parseError, overflow     string
	auditLost, program, rule int
}

func snapshot(r *runtime.Result) result {
	s := result{verdict: r.Verdict, code: r.Code, dscp: r.DSCP, mark: r.Mark, hasMark: r.HasMark,
		output: string(r.Output), response: string(r.Response), parseError: errText(r.ParseError),
		overflow: errText(r.Overflow), auditLost: r.AuditLost, program: r.Program, rule: r.Rule}
	for _, a := range r.Audit {
		s.audit = append(s.audit, fmt.Sprintf("%d %d %d %s", a.Profile, a.Rule, a.Kind, a.Text))
	}
	for _, w := range r.Warnings {
		s.warnings = append(s.warnings, fmt.Sprintf("%d %d %s", w.Profile, w.Rule, w.Text))
	}
	return s
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (a result) equal(b result) bool { return reflect.DeepEqual(a, b) }
