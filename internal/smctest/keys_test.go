package smctest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The profile key names a profile file relative to the case's folder (or by an absolute path); its
// DataFiles are read relative to its own folder; keyed profiles run before the archive's own, in
// the order given.
func TestProfileKey(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "profiles", "lists"), 0o755)
	os.MkdirAll(filepath.Join(dir, "cases"), 0o755)
	os.WriteFile(filepath.Join(dir, "profiles", "lists", "trunks.csv"), []byte("192.0.2.1,7\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "profiles", "tag.json"), []byte(`{"ProfileID": 1, "ProfileName": "tag", "Rules": [
 {"MsgType": "REQUEST", "DataFile": "lists/trunks.csv", "StoredVariables": [{"VariableName": "{$SIP.RemoteIP}", "Porting": "IMPORT"}],
  "Conditions": [{"Header": "{$SIP.RemoteIP}", "HeaderAttr": "CONDITION_LITERAL", "Operator": "IP_LOOKUP"}],
  "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "To", "Output": "X-Trunk: {$DataFile.Field2}"}]}]}`), 0o644)
	second := `{"ProfileID": 2, "ProfileName": "second", "Rules": [{"MsgType": "REQUEST", "Action": "REPLACE_MSG",
 "ReplaceDefs": [{"ReplaceType": "FINDSUB_LINES", "Header": "X-Trunk", "RegEx1": "7", "Output": "seven"}]}]}
`
	casePath := filepath.Join(dir, "cases", "c.txtar")
	os.WriteFile(casePath, []byte("verdict: modified\nprofile: ../profiles/tag.json\n"+
		"-- second.json --\n"+second+
		"-- input.sip --\nBYE sip:a SIP/2.0\nTo: b\nContent-Length: 0\n\n"+
		"-- want.sip --\nBYE sip:a SIP/2.0\nTo: b\nX-Trunk: seven\nContent-Length: 0\n\n"), 0o644)
	c, err := Load(casePath)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Profiles) != 2 || c.Profiles[0].Name != filepath.Join(dir, "profiles", "tag.json") || c.Profiles[1].Name != "second.json" {
		t.Fatalf("profiles %v", c.Profiles)
	}
	chain, problems := c.Chain()
	if problems != nil {
		t.Fatal(problems)
	}
	if diffs := c.Run(chain); diffs != nil {
		t.Error(diffs)
	}

	// A keyed profile's compile errors name its own file and line.
	os.WriteFile(filepath.Join(dir, "profiles", "bad.json"), []byte("{\"ProfileID\": 1,\n \"ProfileName\": \"b\", \"Rules\": [{\"MsgType\": \"REQUST\", \"Action\": \"DROP_MSG\"}]}"), 0o644)
	os.WriteFile(casePath, []byte("verdict: drop\nprofile: ../profiles/bad.json\n-- input.sip --\nBYE sip:a SIP/2.0\n\n"), 0o644)
	if c, err = Load(casePath); err != nil {
		t.Fatal(err)
	}
	_, problems = c.Chain()
	want := filepath.Join(dir, "profiles", "bad.json") + `:2:44: invalid MsgType "REQUST"; did you mean "REQUEST"?`
	if len(problems) != 2 || problems[1] != want {
		t.Errorf("problems %q, want %q", problems, want)
	}

	// An absolute path is taken as it is, not joined to the case's folder.
	abs := filepath.Join(dir, "profiles", "tag.json")
	os.WriteFile(casePath, []byte("verdict: modified\nprofile: "+abs+"\n"+
		"-- input.sip --\nBYE sip:a SIP/2.0\nTo: b\nContent-Length: 0\n\n"+
		"-- want.sip --\nBYE sip:a SIP/2.0\nTo: b\nX-Trunk: 7\nContent-Length: 0\n\n"), 0o644)
	if c, err = Load(casePath); err != nil {
		t.Fatalf("absolute profile path: %v", err)
	}
	if chain, problems = c.Chain(); problems != nil {
		t.Fatal(problems)
	}
	if diffs := c.Run(chain); diffs != nil || c.Profiles[0].Name != abs {
		t.Errorf("absolute profile path: %s, %v", c.Profiles[0].Name, diffs)
	}

	// A profile key that names no file makes the case unreadable.
	os.WriteFile(casePath, []byte("verdict: drop\nprofile: nowhere.json\n-- input.sip --\nBYE sip:a SIP/2.0\n\n"), 0o644)
	if _, err = Load(casePath); err == nil || !strings.HasPrefix(err.Error(), "profile nowhere.json: ") {
		t.Errorf("missing profile: %v", err)
	}
}

// input.sip's Content-Length must count the body as it will run, after the eol conversion, unless
// the case says content-length: as-written.
func TestContentLengthChecked(t *testing.T) {
	sdp := "v=0\no=- 1 1 IN IP4 192.0.2.1\n" // 31 bytes with CRLF, 29 as written
	msg := func(n string) string { return "BYE sip:a SIP/2.0\nl: " + n + "\n\n" + sdp }
	for _, tt := range []struct{ comment, length, want string }{
		{"verdict: accept\n", "31", ""},
		{"verdict: accept\n", "29", `input.sip: Content-Length is "29", but the body has 31 bytes after the eol conversion (eol: crlf ends every line with CR LF); write 31, or add the key content-length: as-written to test a message whose length is wrong`},
		{"verdict: accept\neol: raw\n", "29", ""},
		{"verdict: accept\neol: raw\n", "x", `input.sip: Content-Length is "x", but the body has 29 bytes after the eol conversion; write 29, or add the key content-length: as-written to test a message whose length is wrong`},
		{"verdict: accept\ncontent-length: as-written\n", "29", ""},
		{"verdict: accept\ncontent-length: fix\n", "31", `content-length "fix": the one value is as-written`},
	} {
		_, err := load(t, tt.comment, "p.json", drop, "input.sip", msg(tt.length), "want.sip", msg(tt.length))
		if got := errText(err); got != tt.want {
			t.Errorf("%q with %s: %q, want %q", tt.comment, tt.length, got, tt.want)
		}
	}
}

// want.audit: a missing string lists the records that were written; with audit: exact, a record
// that holds none of the strings fails the case.
func TestAuditExpectations(t *testing.T) {
	prof := `{"ProfileID": 1, "ProfileName": "a", "Rules": [{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [
 {"ReplaceType": "AUDIT_RECORD", "Output": "first"}, {"ReplaceType": "AUDIT_RECORD", "Output": "second"}]}]}
`
	msg := "BYE sip:a SIP/2.0\n\n"
	for _, tt := range []struct{ comment, audit, want string }{
		{"verdict: accept\n", "first\n", ""},
		{"verdict: accept\naudit: exact\n", "first\nsecond\n", ""},
		{"verdict: accept\naudit: exact\n", "first\n", `audit record "second" was not expected (audit: exact): no line of want.audit occurs in it`},
		{"verdict: accept\n", "third\n", "no audit record contains \"third\"; the 2 records written:\n  audit \"first\"\n  audit \"second\""},
	} {
		c, err := load(t, tt.comment, "p.json", prof, "input.sip", msg, "want.sip", msg, "want.audit", tt.audit)
		if err != nil {
			t.Fatal(err)
		}
		chain, _ := c.Chain()
		if got := strings.Join(c.Run(chain), "\n"); got != tt.want {
			t.Errorf("%q %q:\n%s\nwant\n%s", tt.comment, tt.audit, got, tt.want)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
