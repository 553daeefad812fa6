package smctest

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/txtar"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/runtime"
)

// Chain compiles the case's profiles, each rule's DataFile read from the archive, and links them.
// When they do not compile, it returns instead what `smcc test` prints: a first line, then each
// error, its file named as the archive and the profile in it, its line counted in the archive.
func (c *Case) Chain() (*runtime.Chain, []string) {
	var progs []*compile.Program
	var problems []string
	for _, f := range c.Profiles {
		prog, diags := compile.Compile(f.Name, f.Data, compile.Options{OpenData: f.Open})
		for _, d := range diags.Errors() {
			if f.line >= 0 { // an archive's file: its lines are the archive's
				d.File, d.Pos.Line = c.Path+" ("+f.Name+")", d.Pos.Line+f.line
			}
			problems = append(problems, d.String())
		}
		if prog != nil {
			progs = append(progs, prog)
		}
	}
	if err := compile.CheckChainLength(len(c.Profiles)); err != nil {
		problems = append(problems, fmt.Sprintf("%s (%s): %v", c.Path, c.Profiles[compile.MaxProfiles].Name, err))
	}
	if problems == nil {
		chain, err := runtime.NewChain(progs...)
		if err == nil {
			return chain, nil
		}
		problems = append(problems, fmt.Sprintf("%s: %v", c.Path, err))
	}
	return nil, append([]string{"a profile does not compile:"}, problems...)
}

// OpenData returns the archive's file of that name, which is how a case's profiles read their
// data files.
func (c *Case) OpenData(name string) ([]byte, error) {
	if b, ok := c.data[name]; ok {
		return b, nil
	}
	if near := compile.NearName(name, slices.Sorted(maps.Keys(c.data))); near != "" {
		return nil, fmt.Errorf("no file %q in the archive; did you mean %q?", name, near)
	}
	return nil, fmt.Errorf("no file %q in the archive", name)
}

// sectionLine returns the archive line just before the named file's first line, so that a
// profile's line N is the archive's line N+sectionLine.
func sectionLine(a *txtar.Archive, name string) int {
	line := bytes.Count(a.Comment, []byte("\n"))
	for _, f := range a.Files {
		line++ // the "-- name --" line
		if f.Name == name {
			return line
		}
		line += bytes.Count(f.Data, []byte("\n"))
	}
	return 0
}

// Run runs the case's input through chain, in a Machine of its own, and returns what differs from
// the case's expectations, as Check does.
func (c *Case) Run(chain *runtime.Chain) []string {
	return c.Check(runtime.NewMachine(chain).Run(c.Input, c.Env))
}

// Check returns what differs between a result and the case's expectations, one text per
// difference, in the words `smcc test` prints: the verdict, a message not parsed as SIP or past
// an output limit (unless the verdict is accept), want.sip and want.reject.sip byte for byte, the
// dscp and mark keys, and each line of want.audit.
func (c *Case) Check(res *runtime.Result) []string {
	var diffs []string
	if got := VerdictString(res); got != c.verdict {
		diffs = append(diffs, fmt.Sprintf("verdict: want %s, got %s", c.verdict, got))
	}
	if res.ParseError != nil && c.verdict != "accept" {
		diffs = append(diffs, fmt.Sprintf("input.sip is not parsed as SIP: %v", res.ParseError))
	}
	if res.Overflow != nil && c.verdict != "accept" {
		diffs = append(diffs, fmt.Sprintf("the rules went past an output limit: %v", res.Overflow))
	}
	if c.hasWant && (res.Verdict == runtime.Accept || res.Verdict == runtime.Modified) && !bytes.Equal(res.Output, c.want) {
		diffs = append(diffs, "want.sip differs (- want, + got):\n"+LineDiff(c.want, res.Output))
	}
	if c.hasReject && res.Verdict == runtime.Reject && !bytes.Equal(res.Response, c.wantReject) {
		diffs = append(diffs, "want.reject.sip differs (- want, + got):\n"+LineDiff(c.wantReject, res.Response))
	}
	diffs = append(diffs, c.checkPacket(res)...)
	return append(diffs, c.checkAudit(res)...)
}

func (c *Case) checkPacket(res *runtime.Result) []string {
	var diffs []string
	dscp, mark := "", ""
	if res.DSCP >= 0 {
		dscp = strconv.Itoa(res.DSCP)
	}
	if res.HasMark {
		mark = strconv.FormatUint(uint64(res.Mark), 10)
	}
	if dscp != c.dscp {
		diffs = append(diffs, fmt.Sprintf("dscp: want %q, got %q", c.dscp, dscp))
	}
	if mark != c.mark {
		diffs = append(diffs, fmt.Sprintf("mark: want %q, got %q", c.mark, mark))
	}
	return diffs
}

// checkAudit checks that each line of want.audit occurs in some record, and with the audit key
// exact, that each record holds some line. A difference lists the records that were written.
func (c *Case) checkAudit(res *runtime.Result) []string {
	var diffs []string
	for _, want := range c.wantAudit {
		if !slices.ContainsFunc(res.Audit, func(r runtime.AuditRecord) bool { return bytes.Contains(r.Text, []byte(want)) }) {
			diffs = append(diffs, fmt.Sprintf("no audit record contains %q; %s", want, recordList(res.Audit)))
		}
	}
	if !c.auditExact {
		return diffs
	}
	for _, r := range res.Audit {
		if !slices.ContainsFunc(c.wantAudit, func(w string) bool { return bytes.Contains(r.Text, []byte(w)) }) {
			diffs = append(diffs, fmt.Sprintf("audit record %q was not expected (audit: exact): no line of want.audit occurs in it", r.Text))
		}
	}
	return diffs
}

// recordList shows the audit records a message left, for a difference.
func recordList(records []runtime.AuditRecord) string {
	if len(records) == 0 {
		return "no record was written"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the %d records written:", len(records))
	for _, r := range records {
		fmt.Fprintf(&b, "\n  %s %q", r.Kind, r.Text)
	}
	return b.String()
}
