package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/runtime"
)

// A testCase is one txtar archive of SMC-SPEC §10.
type testCase struct {
	path       string
	archive    *txtar.Archive
	env        *runtime.Env
	verdict    string
	dscp, mark string // extension keys; "" when absent
	input      []byte
	want       []byte
	wantReject []byte
	hasWant    bool
	hasReject  bool
	wantAudit  []string
	profiles   []txtar.File
	data       map[string][]byte
}

// defaultCaseTime is the time of {$SMC.Date} in a case without a time key (SMC-SPEC §10).
var defaultCaseTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// loadCase reads and checks a case; an error means the case is unreadable (exit status 2).
func loadCase(path string) (*testCase, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	tc := &testCase{path: path, archive: txtar.Parse(src), data: map[string][]byte{}}
	keys, err := parseCaseKeys(tc.archive.Comment)
	if err != nil {
		return nil, err
	}
	if err := tc.applyKeys(keys); err != nil {
		return nil, err
	}
	if err := tc.readFiles(keys["eol"] != "raw"); err != nil {
		return nil, err
	}
	return tc, nil
}

var caseKeys = []string{"remote", "local", "transport", "time", "rand", "eol", "verdict", "dscp", "mark"}

func parseCaseKeys(comment []byte) (map[string]string, error) {
	keys := map[string]string{}
	for n, line := range strings.Split(string(comment), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || !contains(caseKeys, k) {
			return nil, fmt.Errorf("line %d: %q is not one of the keys %s", n+1, line, strings.Join(caseKeys, ", "))
		}
		if _, dup := keys[k]; dup {
			return nil, fmt.Errorf("line %d: key %q given twice", n+1, k)
		}
		keys[k] = v
	}
	return keys, nil
}

func (tc *testCase) applyKeys(keys map[string]string) error {
	get := func(k, def string) string {
		if v, ok := keys[k]; ok {
			return v
		}
		return def
	}
	at := get("time", defaultCaseTime.Format(time.RFC3339))
	rand, err := strconv.Atoi(get("rand", "1"))
	if err != nil || rand < 1 {
		return fmt.Errorf("rand %q is not a positive number", keys["rand"])
	}
	tc.env, err = makeEnv(get("remote", defaultRemote), get("local", defaultLocal), get("transport", "udp"), at, rand)
	if err != nil {
		return err
	}
	if eol := get("eol", "crlf"); eol != "crlf" && eol != "raw" {
		return fmt.Errorf("eol %q is not crlf or raw", eol)
	}
	tc.verdict, tc.dscp, tc.mark = keys["verdict"], keys["dscp"], keys["mark"]
	return checkVerdict(tc.verdict)
}

func checkVerdict(v string) error {
	switch {
	case v == "":
		return errors.New("no verdict key")
	case v == "accept", v == "modified", v == "drop":
		return nil
	}
	code, ok := strings.CutPrefix(v, "reject ")
	if n, err := strconv.Atoi(code); ok && err == nil && n >= 400 && n <= 699 {
		return nil
	}
	return fmt.Errorf("verdict %q is not accept, modified, drop or reject NNN", v)
}

func (tc *testCase) readFiles(crlf bool) error {
	for _, f := range tc.archive.Files {
		switch {
		case strings.HasSuffix(f.Name, ".json"):
			tc.profiles = append(tc.profiles, f)
		case f.Name == "input.sip":
			tc.input = convertEOL(f.Data, crlf)
		case f.Name == "want.sip":
			tc.want, tc.hasWant = convertEOL(f.Data, crlf), true
		case f.Name == "want.reject.sip":
			tc.wantReject, tc.hasReject = convertEOL(f.Data, crlf), true
		case f.Name == "want.audit":
			for _, l := range strings.Split(string(f.Data), "\n") {
				if l = strings.TrimRight(l, "\r"); l != "" {
					tc.wantAudit = append(tc.wantAudit, l)
				}
			}
		default:
			tc.data[f.Name] = f.Data
		}
	}
	switch {
	case len(tc.profiles) == 0:
		return errors.New("no profile (.json file)")
	case tc.input == nil:
		return errors.New("no input.sip")
	case (tc.verdict == "accept" || tc.verdict == "modified") && !tc.hasWant:
		return fmt.Errorf("verdict %s needs want.sip", tc.verdict)
	case tc.verdict == "accept" && !bytes.Equal(tc.want, tc.input):
		return errors.New("verdict accept, but want.sip differs from input.sip")
	case tc.hasWant && tc.verdict != "accept" && tc.verdict != "modified":
		return fmt.Errorf("verdict %s sends no message, so want.sip makes no sense", tc.verdict)
	case tc.hasReject && !strings.HasPrefix(tc.verdict, "reject"):
		return fmt.Errorf("want.reject.sip needs verdict reject NNN, not %s", tc.verdict)
	}
	return nil
}

// convertEOL turns every LF not preceded by CR into CRLF when crlf is set.
func convertEOL(b []byte, crlf bool) []byte {
	if !crlf {
		return b
	}
	out := make([]byte, 0, len(b)+len(b)/20)
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}

// compile compiles the case's profiles; diagnostics name the archive and the line inside it.
func (tc *testCase) compile() (*runtime.Chain, []string) {
	var progs []*compile.Program
	var problems []string
	for _, f := range tc.profiles {
		prog, diags := compile.Compile(f.Name, f.Data, compile.Options{OpenData: tc.openData})
		offset := sectionLine(tc.archive, f.Name)
		for _, d := range diags.Errors() {
			d.File, d.Pos.Line = tc.path+" ("+f.Name+")", d.Pos.Line+offset
			problems = append(problems, d.String())
		}
		if prog != nil {
			progs = append(progs, prog)
		}
	}
	if err := compile.CheckChainLength(len(tc.profiles)); err != nil {
		problems = append(problems, fmt.Sprintf("%s (%s): %v", tc.path, tc.profiles[compile.MaxProfiles].Name, err))
	}
	if problems != nil {
		return nil, problems
	}
	chain, err := runtime.NewChain(progs...)
	if err != nil {
		return nil, []string{fmt.Sprintf("%s: %v", tc.path, err)}
	}
	return chain, nil
}

func (tc *testCase) openData(name string) ([]byte, error) {
	if b, ok := tc.data[name]; ok {
		return b, nil
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

// run runs the case and returns what differs from the expectations. With throughBundle, the
// compiled chain goes through a bundle first, encoded and opened again as a deployment would.
func (tc *testCase) run(throughBundle bool) []string {
	chain, problems := tc.compile()
	if problems != nil {
		return append([]string{"a profile does not compile:"}, problems...)
	}
	if throughBundle {
		var err error
		if chain, err = viaBundle(tc.path, chain.Programs); err != nil {
			return []string{fmt.Sprintf("the bundle does not open: %v", err)}
		}
	}
	res := runtime.NewMachine(chain).Run(tc.input, tc.env)
	var diffs []string
	if got := verdictString(res); got != tc.verdict {
		diffs = append(diffs, fmt.Sprintf("verdict: want %s, got %s", tc.verdict, got))
	}
	if res.ParseError != nil && tc.verdict != "accept" {
		diffs = append(diffs, fmt.Sprintf("input.sip is not parsed as SIP: %v", res.ParseError))
	}
	if res.Overflow != nil && tc.verdict != "accept" {
		diffs = append(diffs, fmt.Sprintf("the rules went past an output limit: %v", res.Overflow))
	}
	if tc.hasWant && (res.Verdict == runtime.Accept || res.Verdict == runtime.Modified) && !bytes.Equal(res.Output, tc.want) {
		diffs = append(diffs, "want.sip differs (- want, + got):\n"+lineDiff(tc.want, res.Output))
	}
	if tc.hasReject && res.Verdict == runtime.Reject && !bytes.Equal(res.Response, tc.wantReject) {
		diffs = append(diffs, "want.reject.sip differs (- want, + got):\n"+lineDiff(tc.wantReject, res.Response))
	}
	diffs = append(diffs, tc.checkPacket(res)...)
	return append(diffs, tc.checkAudit(res)...)
}

func (tc *testCase) checkPacket(res *runtime.Result) []string {
	var diffs []string
	dscp, mark := "", ""
	if res.DSCP >= 0 {
		dscp = strconv.Itoa(res.DSCP)
	}
	if res.HasMark {
		mark = strconv.FormatUint(uint64(res.Mark), 10)
	}
	if dscp != tc.dscp {
		diffs = append(diffs, fmt.Sprintf("dscp: want %q, got %q", tc.dscp, dscp))
	}
	if mark != tc.mark {
		diffs = append(diffs, fmt.Sprintf("mark: want %q, got %q", tc.mark, mark))
	}
	return diffs
}

func (tc *testCase) checkAudit(res *runtime.Result) []string {
	var diffs []string
	for _, want := range tc.wantAudit {
		found := false
		for _, r := range res.Audit {
			if bytes.Contains(r.Text, []byte(want)) {
				found = true
				break
			}
		}
		if !found {
			diffs = append(diffs, fmt.Sprintf("no audit record contains %q (%d records)", want, len(res.Audit)))
		}
	}
	return diffs
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
