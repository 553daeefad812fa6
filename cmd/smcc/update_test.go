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
// trace of the failing case, as smcc run --trace writes it; a passing case is neither traced nor
// touched (its want.sip, written with CRLF, would come back with LF), and an unreadable one is
// never rewritten.
func TestTestUpdateAndTrace(t *testing.T) {
	dir := t.TempDir()
	failing := "# a comment that stays\nverdict: accept\n-- p.json --\n" + updateProfile +
		"-- input.sip --\nBYE sip:a SIP/2.0\nTo: b\n\n-- want.sip --\nBYE sip:a SIP/2.0\nTo: b\n\n"
	unreadable := "verdict: modified\n-- p.json --\n" + updateProfile + "-- input.sip --\nBYE sip:a SIP/2.0\n\n"
	passing := "verdict: modified\n-- p.json --\n" + updateProfile +
		"-- input.sip --\nBYE sip:a SIP/2.0\nTo: b\n\n-- want.sip --\nBYE sip:a SIP/2.0\r\nTo: b\r\nX-Trunk: 7\r\n\r\n"
	os.WriteFile(filepath.Join(dir, "a.txtar"), []byte(failing), 0o644)
	os.WriteFile(filepath.Join(dir, "b.txtar"), []byte(unreadable), 0o644)
	os.WriteFile(filepath.Join(dir, "c.txtar"), []byte(passing), 0o644)

	var stdout, stderr bytes.Buffer
	code := dispatch([]string{"test", "--update", "--trace", dir}, nil, &stdout, &stderr)
	out := stdout.String()
	for _, want := range []string{
		"FAIL " + filepath.Join(dir, "a.txtar") + "\n    verdict: want accept, got modified\n",
		"    trace:\n      profile 1 \"tag\" (p.json)\n        rule 0 (json:1) REQUEST\n          evaluation = TRUE\n          action ADD_LINE (msg:3) = \"X-Trunk: 7\"\n    updated:",
		"    updated: the case now expects what the chain produced; review the diff\n",
		"FAIL " + filepath.Join(dir, "b.txtar") + ": unreadable case: verdict modified needs want.sip\n",
		"2 passed, 1 failed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "c.txtar") || strings.Count(out, "trace:") != 1 || strings.Count(out, "updated:") != 1 {
		t.Errorf("the passing case was traced or updated, or the failing one not once:\n%s", out)
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
	if got, _ := os.ReadFile(filepath.Join(dir, "c.txtar")); string(got) != passing {
		t.Errorf("the passing case was rewritten:\n%q", got)
	}
	stdout.Reset()
	if code := dispatch([]string{"test", filepath.Join(dir, "a.txtar")}, nil, &stdout, &stderr); code != exitOK {
		t.Errorf("the updated case fails: %s", &stdout)
	}
}
