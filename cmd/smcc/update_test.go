package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const updateProfile = `{"ProfileID": 1, "ProfileName": "tag", "Rules": [{"MsgType": "REQUEST", "Action": "REPLACE_MSG",
 "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "To", "Output": "X-Trunk: 7"}]}]}
`

// smcc test --update rewrites a failing case so that it passes, and says so; --trace shows the
// trace of the failing case; a passing case is not touched, and an unreadable one never is.
func TestTestUpdateAndTrace(t *testing.T) {
	dir := t.TempDir()
	failing := "# a comment that stays\nverdict: accept\n-- p.json --\n" + updateProfile +
		"-- input.sip --\nBYE sip:a SIP/2.0\nTo: b\n\n-- want.sip --\nBYE sip:a SIP/2.0\nTo: b\n\n"
	unreadable := "verdict: modified\n-- p.json --\n" + updateProfile + "-- input.sip --\nBYE sip:a SIP/2.0\n\n"
	os.WriteFile(filepath.Join(dir, "a.txtar"), []byte(failing), 0o644)
	os.WriteFile(filepath.Join(dir, "b.txtar"), []byte(unreadable), 0o644)

	var stdout, stderr bytes.Buffer
	code := dispatch([]string{"test", "--update", "--trace", dir}, nil, &stdout, &stderr)
	out := stdout.String()
	for _, want := range []string{
		"FAIL " + filepath.Join(dir, "a.txtar") + "\n    verdict: want accept, got modified\n",
		"    trace:\n      profile 1 \"tag\" (p.json)\n",
		"    updated: the case now expects what the chain produced; review the diff\n",
		"FAIL " + filepath.Join(dir, "b.txtar") + ": unreadable case: verdict modified needs want.sip\n",
		"1 passed, 1 failed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code != exitUsage {
		t.Errorf("exit %d, want %d (an unreadable case)", code, exitUsage)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "a.txtar"))
	want := "# a comment that stays\nverdict: modified\n-- p.json --\n" + updateProfile +
		"-- input.sip --\nBYE sip:a SIP/2.0\nTo: b\n\n-- want.sip --\nBYE sip:a SIP/2.0\nTo: b\nX-Trunk: 7\n\n"
	if string(got) != want {
		t.Errorf("updated case:\n%s\nwant\n%s", got, want)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "b.txtar")); string(got) != unreadable {
		t.Error("the unreadable case was rewritten")
	}
	stdout.Reset()
	if code := dispatch([]string{"test", filepath.Join(dir, "a.txtar")}, nil, &stdout, &stderr); code != exitOK {
		t.Errorf("the updated case fails: %s", &stdout)
	}
}
