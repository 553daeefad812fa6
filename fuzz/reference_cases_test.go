package fuzz

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/smcproject/smc/fuzz/reference"
)

// TestReferenceCases runs every txtar case of the conformance suite and the examples through the
// reference evaluator alone, and checks what `smcc test` checks (SMC-SPEC §10): verdict, output,
// generated response, audit texts, DSCP and mark. The reference is only worth comparing the
// engine with because it passes these on its own.
func TestReferenceCases(t *testing.T) {
	paths := caseFiles(t, "../testdata/spec", "../testdata/limits", "../examples")
	if len(paths) < 250 {
		t.Fatalf("found %d cases; the suites have more", len(paths))
	}
	for _, path := range paths {
		t.Run(strings.TrimPrefix(path, "../"), func(t *testing.T) {
			for _, d := range runReferenceCase(t, path) {
				t.Error(d)
			}
		})
	}
}

// caseFiles lists the .txtar files under dirs.
func caseFiles(t *testing.T, dirs ...string) []string {
	var paths []string
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(path, ".txtar") {
				paths = append(paths, path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

// runReferenceCase runs one case and returns what differs from its expectations.
func runReferenceCase(t *testing.T, path string) []string {
	a, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	keys := caseKeys(t, a.Comment)
	crlf := keys["eol"] != "raw"
	files := map[string][]byte{}
	for _, f := range a.Files {
		files[f.Name] = f.Data
	}
	open := func(name string) ([]byte, error) {
		if b, ok := files[name]; ok {
			return b, nil
		}
		return nil, os.ErrNotExist
	}
	var chain []*reference.Profile
	for _, f := range a.Files {
		if strings.HasSuffix(f.Name, ".json") {
			p, err := reference.Decode(f.Data, open)
			if err != nil {
				return []string{fmt.Sprintf("%s does not load: %v", f.Name, err)}
			}
			chain = append(chain, p)
		}
	}
	res := reference.Run(chain, toCRLF(files["input.sip"], crlf), caseEnv(t, keys))
	return compareCase(res, keys, files, crlf)
}

// compareCase compares a result with a case's expectations.
func compareCase(res *reference.Result, keys map[string]string, files map[string][]byte, crlf bool) []string {
	var diffs []string
	got := res.Verdict
	if got == "reject" {
		got += " " + strconv.Itoa(res.Code)
	}
	if got != keys["verdict"] {
		diffs = append(diffs, fmt.Sprintf("verdict: want %s, got %s", keys["verdict"], got))
	}
	if !res.Parsed && keys["verdict"] != "accept" {
		diffs = append(diffs, "input.sip is not parsed as SIP")
	}
	if want, ok := files["want.sip"]; ok && (got == "accept" || got == "modified") && !bytes.Equal(res.Output, toCRLF(want, crlf)) {
		diffs = append(diffs, fmt.Sprintf("want.sip differs:\nwant %q\ngot  %q", toCRLF(want, crlf), res.Output))
	}
	if want, ok := files["want.reject.sip"]; ok && res.Verdict == "reject" && !bytes.Equal(res.Response, toCRLF(want, crlf)) {
		diffs = append(diffs, fmt.Sprintf("want.reject.sip differs:\nwant %q\ngot  %q", toCRLF(want, crlf), res.Response))
	}
	dscp, mark := "", ""
	if res.DSCP >= 0 {
		dscp = strconv.Itoa(res.DSCP)
	}
	if res.HasMark {
		mark = strconv.FormatUint(uint64(res.Mark), 10)
	}
	if dscp != keys["dscp"] || mark != keys["mark"] {
		diffs = append(diffs, fmt.Sprintf("dscp/mark: want %q/%q, got %q/%q", keys["dscp"], keys["mark"], dscp, mark))
	}
	for _, want := range strings.Split(string(files["want.audit"]), "\n") {
		if want = strings.TrimRight(want, "\r"); want != "" && !auditContains(res.Audit, want) {
			diffs = append(diffs, fmt.Sprintf("no audit record contains %q", want))
		}
	}
	return diffs
}

func auditContains(records []reference.Audit, want string) bool {
	for _, r := range records {
		if strings.Contains(r.Text, want) {
			return true
		}
	}
	return false
}

// caseKeys reads the `key: value` lines of a case's comment.
func caseKeys(t *testing.T, comment []byte) map[string]string {
	keys := map[string]string{}
	for _, line := range strings.Split(string(comment), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("comment line %q is not key: value", line)
		}
		keys[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return keys
}

// caseEnv is the environment of a case, with the defaults of SMC-SPEC §10.
func caseEnv(t *testing.T, keys map[string]string) reference.Env {
	get := func(k, def string) string {
		if v, ok := keys[k]; ok {
			return v
		}
		return def
	}
	now, err1 := time.Parse(time.RFC3339, get("time", "2000-01-01T00:00:00Z"))
	rand, err2 := strconv.Atoi(get("rand", "1"))
	remote, err3 := netip.ParseAddrPort(get("remote", "192.0.2.1:5060"))
	local, err4 := netip.ParseAddrPort(get("local", "192.0.2.2:5060"))
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return reference.Env{Remote: remote, Local: local, Transport: strings.ToUpper(get("transport", "udp")), Now: now, Rand: rand}
}

// toCRLF turns every LF not preceded by CR into CRLF, as the eol key's default says.
func toCRLF(b []byte, crlf bool) []byte {
	if !crlf {
		return b
	}
	var out []byte
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}
