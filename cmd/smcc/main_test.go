package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/smcproject/smc/internal/smctest"
)

var update = flag.Bool("update", false, "rewrite the .golden files of testdata/guide-errors (review the diff before committing)")

const repo = "../.."

// TestBundleCases runs every txtar case of the project (the conformance suite and the examples)
// as smcc test --bundle does: the chain compiled from the case's profiles is encoded into a
// bundle, opened again and verified, and must pass the case as the profiles do. The profiles
// themselves are runtime's TestCases; make cases runs both through the binary.
func TestBundleCases(t *testing.T) {
	files, err := smctest.Find([]string{filepath.Join(repo, "testdata"), filepath.Join(repo, "examples")})
	if err != nil || len(files) < 300 {
		t.Fatalf("%d txtar cases found (%v); the suites have more", len(files), err)
	}
	for _, path := range files {
		rel, _ := filepath.Rel(repo, path)
		t.Run(rel, func(t *testing.T) {
			tc, err := smctest.Load(path)
			if err != nil {
				t.Fatalf("unreadable case: %v", err)
			}
			for _, d := range runCase(tc, true) {
				t.Error(d)
			}
		})
	}
}

// TestExamplesMatchArchives checks that every example profile beside the cases is one that a case
// runs (through a profile key, or as an identical copy in the archive), and that a file an archive
// holds under the name of a file beside it is byte-identical to it, so the documented profiles
// are the tested ones.
func TestExamplesMatchArchives(t *testing.T) {
	files, _ := smctest.Find([]string{filepath.Join(repo, "examples")})
	tested := map[string]bool{}
	for _, path := range files {
		a, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Dir(path)
		for _, line := range strings.Split(string(a.Comment), "\n") {
			if name, ok := strings.CutPrefix(strings.TrimSpace(line), "profile:"); ok {
				tested[filepath.Join(dir, strings.TrimSpace(name))] = true
			}
		}
		for _, f := range a.Files {
			beside, err := os.ReadFile(filepath.Join(dir, f.Name))
			if err != nil {
				continue
			}
			if !bytes.Equal(beside, f.Data) {
				t.Errorf("%s: %s differs from the file beside the archive", path, f.Name)
			} else if strings.HasSuffix(f.Name, ".json") {
				tested[filepath.Join(dir, f.Name)] = true
			}
		}
	}
	profiles, _ := filepath.Glob(filepath.Join(repo, "examples", "*", "*.json"))
	for _, p := range profiles {
		if !tested[p] {
			t.Errorf("%s: no case runs it", p)
		}
	}
	if len(tested) < 30 {
		t.Errorf("only %d example profiles are run by cases", len(tested))
	}
}

// TestGuideErrors compares `smcc check` on the guide's examples as printed, and on the profiles of
// testdata/spec/*/errors, with reviewed goldens.
func TestGuideErrors(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(repo, "testdata/guide-errors/*.json"))
	if len(paths) == 0 {
		t.Fatal("no files in testdata/guide-errors")
	}
	// The conformance suite's profiles that must not compile, beside the cases of their section.
	specErrors, _ := filepath.Glob(filepath.Join(repo, "testdata/spec/*/errors/*.json"))
	paths = append(paths, specErrors...)
	for _, path := range paths {
		var out, errOut bytes.Buffer
		rel, _ := filepath.Rel(repo, path)
		wd, _ := os.Getwd()
		os.Chdir(repo)
		status := dispatch([]string{"check", rel}, nil, &out, &errOut)
		os.Chdir(wd)
		if status != exitFailed {
			t.Errorf("%s: smcc check exit %d, want %d", rel, status, exitFailed)
		}
		golden := strings.TrimSuffix(path, ".json") + ".golden"
		if *update {
			os.WriteFile(golden, out.Bytes(), 0o644)
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Errorf("%s: %v (run go test -update and review the result)", rel, err)
			continue
		}
		if !bytes.Equal(out.Bytes(), want) {
			t.Errorf("%s: smcc check output differs from %s:\n%s", rel, filepath.Base(golden), smctest.LineDiff(want, out.Bytes()))
		}
	}
}

func TestRunContract(t *testing.T) {
	dir := t.TempDir()
	profile := filepath.Join(dir, "p.json")
	os.WriteFile(profile, []byte(`{"ProfileID": 7, "ProfileName": "p", "Rules": [{"MsgType": "REQUEST",
	 "StoredVariables": [{"VariableName": "{$SIP.RemoteIP}", "Porting": "IMPORT"}, {"VariableName": "{$SIP.Transport}", "Porting": "IMPORT"}],
	 "Action": "REPLACE_MSG", "ReplaceDefs": [
	  {"ReplaceType": "ADD_LINE", "Header": "To", "Output": "X-Remote: {$SIP.RemoteIP}"},
	  {"ReplaceType": "SET_DSCP", "Output": "EF"},
	  {"ReplaceType": "AUDIT_RECORD", "Output": "seen {$SIP.Transport}"}]}]}`), 0o644)
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"ProfileID": 7}`), 0o644)
	msg := "OPTIONS sip:a@example.com SIP/2.0\r\nTo: <sip:a@example.com>\r\nContent-Length: 0\r\n\r\n"
	tests := []struct {
		args           []string
		status         int
		stdout, stderr string
	}{
		{[]string{"run", "-p", profile, "--remote", "[2001:db8::1]:5070", "--time", "2021-03-18T21:06:48Z", "-"}, exitOK,
			"OPTIONS sip:a@example.com SIP/2.0\r\nTo: <sip:a@example.com>\r\nX-Remote: 2001:db8::1\r\nContent-Length: 0\r\n\r\n",
			"verdict: modified\ndscp: 46\n" + `{"ts":"2021-03-18T21:06:48.000000000Z","profile":7,"rule":0,"kind":"audit","remote":"[2001:db8::1]:5070","local":"192.0.2.2:5060","transport":"UDP","text":"seen UDP"}` + "\n"},
		{[]string{"run", "-p", bad, "-"}, exitFailed, "", bad + ":1:1: the profile has no \"ProfileName\"\n" + bad + ":1:1: the profile has no \"Rules\"\n"},
		{[]string{"run", "-"}, exitUsage, "", ""},
		{[]string{"run", "--transport", "sctp", "-p", profile}, exitUsage, "", ""},
		{[]string{"frobnicate"}, exitUsage, "", ""},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		status := dispatch(tt.args, strings.NewReader(msg), &out, &errOut)
		if status != tt.status {
			t.Errorf("%v: exit %d, want %d; stderr:\n%s", tt.args, status, tt.status, errOut.String())
		}
		if tt.status == exitUsage {
			continue
		}
		if out.String() != tt.stdout {
			t.Errorf("%v: stdout\n%q\nwant\n%q", tt.args, out.String(), tt.stdout)
		}
		if errOut.String() != tt.stderr {
			t.Errorf("%v: stderr\n%q\nwant\n%q", tt.args, errOut.String(), tt.stderr)
		}
	}
}

func TestTestCommandStatus(t *testing.T) {
	dir := t.TempDir()
	write := func(name, verdict string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte("verdict: "+verdict+`
-- p.json --
{"ProfileID": 1, "ProfileName": "d", "Rules": [{"MsgType": "REQUEST", "Action": "DROP_MSG"}]}
-- input.sip --
BYE sip:a@example.com SIP/2.0
Content-Length: 0

`), 0o644)
		return p
	}
	pass, fail := write("pass.txtar", "drop"), write("fail.txtar", "reject 403")
	unreadable := write("bad.txtar", "maybe")
	for _, tt := range []struct {
		args   []string
		status int
		last   string
	}{
		{[]string{"test", pass}, exitOK, "1 passed, 0 failed"},
		{[]string{"test", "--bundle", pass}, exitOK, "1 passed, 0 failed"},
		{[]string{"test", pass, fail}, exitFailed, "1 passed, 1 failed"},
		{[]string{"test", "-run", "pass", dir}, exitOK, "1 passed, 0 failed"},
		{[]string{"test", unreadable}, exitUsage, "0 passed, 1 failed"},
	} {
		var out bytes.Buffer
		if status := dispatch(tt.args, nil, &out, &out); status != tt.status || !strings.HasSuffix(out.String(), tt.last+"\n") {
			t.Errorf("%v: exit %d, output:\n%s", tt.args, status, out.String())
		}
	}
}

// TestTraceGolden keeps the trace of the demo run as a reviewed golden file: profile, rules in
// and out of scope, each variable's value, each condition's operands and result, each action
// with its line number and new text.
func TestTraceGolden(t *testing.T) {
	var out, trace bytes.Buffer
	args := []string{"run", "--trace", "--time", "2026-11-22T10:00:00Z", "--rand", "7", "--remote", "198.51.100.33:5060",
		"-p", filepath.Join(repo, "examples/demo/profile.json"), filepath.Join(repo, "examples/demo/invite.sip")}
	if status := dispatch(args, nil, &out, &trace); status != exitOK {
		t.Fatalf("exit %d: %s", status, trace.String())
	}
	got := bytes.ReplaceAll(trace.Bytes(), []byte(repo+"/"), nil)
	const golden = "testdata/demo.trace"
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(golden, got, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("trace differs from %s:\n%s", golden, smctest.LineDiff(want, got))
	}
}

// smcc compile writes a bundle that run, check and disasm accept in place of the profiles, with the
// same results; a damaged bundle, a profile given as a bundle and an output over an input are
// errors that say what is wrong.
func TestCompileCommand(t *testing.T) {
	dir := t.TempDir()
	fixture := filepath.Join(repo, "compile/bundle/testdata/chain")
	profile, msgFile := filepath.Join(fixture, "profile.json"), filepath.Join(fixture, "invite.sip")
	out := filepath.Join(dir, "chain.smcb")
	sh := func(args ...string) (int, string, string) {
		var o, e bytes.Buffer
		status := dispatch(args, strings.NewReader(""), &o, &e)
		return status, o.String(), e.String()
	}
	status, stdout, stderr := sh("compile", "-o", out, profile)
	if status != exitOK || !regexp.MustCompile(`^.*chain.smcb: 1 profile, 4 data files, 11 rows, \d+\.\d KiB in \d+\.\d\d s, peak memory .*\n$`).MatchString(stdout) {
		t.Fatalf("compile: exit %d\n%s%s", status, stdout, stderr)
	}
	runArgs := []string{"--rand", "7", "--time", "2026-11-23T10:00:00Z", msgFile}
	_, fromProfile, fromProfileErr := sh(append([]string{"run", "-p", profile}, runArgs...)...)
	for _, how := range [][]string{{"--bundle", out}, {"-p", out}} {
		status, stdout, stderr = sh(append(append([]string{"run"}, how...), runArgs...)...)
		if status != exitOK || stdout != fromProfile || stderr != fromProfileErr {
			t.Errorf("run %v: exit %d\n%s%s\nfrom the profile:\n%s%s", how, status, stdout, stderr, fromProfile, fromProfileErr)
		}
	}
	if status, stdout, _ = sh("check", out); status != exitOK || !strings.HasSuffix(stdout, "ok, bundle of 1 profile and 4 data files, every checksum verified\n") {
		t.Errorf("check: exit %d: %s", status, stdout)
	}
	_, disasmProfile, _ := sh("disasm", profile)
	status, stdout, _ = sh("disasm", out)
	if status != exitOK || !strings.HasSuffix(stdout, "\n"+disasmProfile) || !strings.Contains(stdout, "  data    sha256:") {
		t.Errorf("disasm of the bundle: exit %d\n%s\nof the profile:\n%s", status, stdout, disasmProfile)
	}

	b, _ := os.ReadFile(out)
	damaged := filepath.Join(dir, "damaged.smcb")
	b[len(b)-3] ^= 1 // in a data section: found by check, which reads every section
	os.WriteFile(damaged, b, 0o600)
	if status, stdout, _ = sh("check", damaged); status != exitFailed || !strings.Contains(stdout, "corrupt IPv6 buckets section 27: checksum") {
		t.Errorf("check of a damaged bundle: exit %d: %s", status, stdout)
	}
	os.WriteFile(damaged, b[:100], 0o600)
	if status, _, stderr = sh("run", "--bundle", damaged, msgFile); status != exitFailed || !strings.Contains(stderr, "truncated or extended: the header says") {
		t.Errorf("run of a truncated bundle: exit %d: %s", status, stderr)
	}
	if status, _, stderr = sh("run", "--bundle", profile, msgFile); status != exitFailed || !strings.Contains(stderr, "not a bundle but JSON") {
		t.Errorf("run --bundle of a profile: exit %d: %s", status, stderr)
	}
	if status, _, stderr = sh("run", "-p", out, "-p", profile, msgFile); status != exitFailed || !strings.Contains(stderr, "is a bundle, which holds a whole chain: give it alone") {
		t.Errorf("run of a bundle and a profile: exit %d: %s", status, stderr)
	}
	if status, _, stderr = sh("compile", "-o", filepath.Join(fixture, "numbers.csv"), profile); status != exitUsage || !strings.Contains(stderr, "would overwrite the input") {
		t.Errorf("compile over an input: exit %d: %s", status, stderr)
	}
}

func TestGrouped(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 12345: "12,345",
		10_000_000: "10,000,000", 123456789: "123,456,789", -1234: "-1,234"} {
		if got := grouped(n); got != want {
			t.Errorf("grouped(%d) = %q, want %q", n, got, want)
		}
	}
}
