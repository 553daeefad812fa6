package smctest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const drop = `{"ProfileID": 1, "ProfileName": "d", "Rules": [{"MsgType": "REQUEST", "ReqMethod": "BYE", "Action": "DROP_MSG"}]}
`

// load writes a case made of the comment and files (name, content, name, content...) and loads it.
func load(t *testing.T, comment string, files ...string) (*Case, error) {
	t.Helper()
	var b strings.Builder
	b.WriteString(comment)
	for i := 0; i+1 < len(files); i += 2 {
		b.WriteString("-- " + files[i] + " --\n" + files[i+1])
	}
	path := filepath.Join(t.TempDir(), "case.txtar")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(path)
}

// The eol key: crlf (the default) gives CRLF line endings to the message files, raw leaves them.
func TestLoadEOL(t *testing.T) {
	for _, tt := range []struct{ comment, want string }{
		{"verdict: accept\n", "BYE sip:a SIP/2.0\r\nTo: b\r\n\r\n"},
		{"verdict: accept\neol: crlf\n", "BYE sip:a SIP/2.0\r\nTo: b\r\n\r\n"},
		{"verdict: accept\neol: raw\n", "BYE sip:a SIP/2.0\r\nTo: b\n\n"},
	} {
		msg := "BYE sip:a SIP/2.0\r\nTo: b\n\n"
		c, err := load(t, tt.comment, "p.json", drop, "input.sip", msg, "want.sip", msg)
		if err != nil {
			t.Fatalf("%q: %v", tt.comment, err)
		}
		if string(c.Input) != tt.want || string(c.want) != tt.want {
			t.Errorf("%q: input %q, want.sip %q; want %q", tt.comment, c.Input, c.want, tt.want)
		}
	}
}

// A case that cannot be run as written is refused with what is wrong (docs/semantics.md, "smcc
// test extensions").
func TestLoadUnreadable(t *testing.T) {
	msg := "BYE sip:a SIP/2.0\n\n"
	for _, tt := range []struct {
		comment string
		files   []string
		want    string
	}{
		{"verdict: drop\nfoo: bar\n", []string{"p.json", drop, "input.sip", msg}, `line 2: "foo: bar" is not one of the keys`},
		{"verdict: drop\nverdict: drop\n", []string{"p.json", drop, "input.sip", msg}, `line 2: key "verdict" given twice`},
		{"", []string{"p.json", drop, "input.sip", msg}, "no verdict key"},
		{"verdict: reject 200\n", []string{"p.json", drop, "input.sip", msg}, `verdict "reject 200" is not accept, modified, drop or reject NNN`},
		{"verdict: drop\nrand: 0\n", []string{"p.json", drop, "input.sip", msg}, `rand "0" is not a positive number`},
		{"verdict: drop\ntransport: sctp\n", []string{"p.json", drop, "input.sip", msg}, `transport "sctp" is not udp or tcp`},
		{"verdict: drop\neol: lf\n", []string{"p.json", drop, "input.sip", msg}, `eol "lf" is not crlf or raw`},
		{"verdict: drop\n", []string{"input.sip", msg}, "no profile (a .json file, or a profile key)"},
		{"verdict: drop\n", []string{"p.json", drop}, "no input.sip"},
		{"verdict: modified\n", []string{"p.json", drop, "input.sip", msg}, "verdict modified needs want.sip"},
		{"verdict: accept\n", []string{"p.json", drop, "input.sip", msg, "want.sip", "x\n"}, "verdict accept, but want.sip differs from input.sip"},
		{"verdict: drop\n", []string{"p.json", drop, "input.sip", msg, "want.sip", msg}, "verdict drop sends no message, so want.sip makes no sense"},
		{"verdict: drop\n", []string{"p.json", drop, "input.sip", msg, "want.reject.sip", msg}, "want.reject.sip needs verdict reject NNN, not drop"},
	} {
		if _, err := load(t, tt.comment, tt.files...); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q %q: error %v, want %q", tt.comment, tt.files, err, tt.want)
		}
	}
}

// A case runs against its own chain; each expectation the result misses is one difference.
func TestRun(t *testing.T) {
	msg := "BYE sip:a@example.com SIP/2.0\nContent-Length: 0\n\n"
	c, err := load(t, "verdict: drop\nremote: [2001:db8::1]:5070\n", "p.json", drop, "input.sip", msg)
	if err != nil {
		t.Fatal(err)
	}
	if c.Env.Remote.String() != "[2001:db8::1]:5070" || c.Env.Local.String() != DefaultLocal || c.Env.Rand != 1 || !c.Env.Now.Equal(DefaultTime) {
		t.Errorf("env %+v", c.Env)
	}
	chain, problems := c.Chain()
	if problems != nil {
		t.Fatal(problems)
	}
	if diffs := c.Run(chain); diffs != nil {
		t.Errorf("a passing case: %q", diffs)
	}
	c.verdict, c.dscp, c.wantAudit = "reject 403", "46", []string{"gone"}
	want := []string{`verdict: want reject 403, got drop`, `dscp: want "46", got ""`, `no audit record contains "gone"; no record was written`}
	if diffs := c.Run(chain); strings.Join(diffs, "\n") != strings.Join(want, "\n") {
		t.Errorf("differences %q, want %q", diffs, want)
	}
}

// A profile that does not compile is reported with its line in the archive.
func TestChainProblems(t *testing.T) {
	c, err := load(t, "verdict: drop\n# a comment\n", "p.json", "{\"ProfileID\": 1,\n \"Rules\": 3}\n", "input.sip", "BYE sip:a SIP/2.0\n\n")
	if err != nil {
		t.Fatal(err)
	}
	_, problems := c.Chain()
	want := []string{"a profile does not compile:", c.Path + ` (p.json):4:1: the profile has no "ProfileName"`, c.Path + " (p.json):5:11: Rules must be an array, not number"}
	if strings.Join(problems, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems %q\nwant %q", problems, want)
	}
}

// A DataFile the archive does not hold is reported with the archive's file of the nearest name,
// as the compiler suggests one from a profile's folder.
func TestMissingArchiveDataFile(t *testing.T) {
	profile := `{"ProfileID": 1, "ProfileName": "d", "Rules": [{"MsgType": "REQUEST", "DataFile": "blocked.csv",
 "Conditions": [{"Header": "From", "Macro": "GETURI_USERNAME", "Operator": "BSEARCH_EQ"}], "Action": "DROP_MSG"}]}
`
	for _, tt := range []struct{ file, want string }{
		{"blocked-numbers.csv", `no file "blocked.csv" in the archive`},
		{"block.csv", `no file "blocked.csv" in the archive; did you mean "block.csv"?`},
	} {
		c, err := load(t, "verdict: drop\n", "p.json", profile, tt.file, "1\n", "input.sip", "BYE sip:a SIP/2.0\n\n")
		if err != nil {
			t.Fatal(err)
		}
		_, problems := c.Chain()
		if got := strings.Join(problems, "\n"); !strings.Contains(got, tt.want) || strings.Contains(tt.want, "?") != strings.Contains(got, "did you mean") {
			t.Errorf("with %s in the archive: %q, want it to hold %q", tt.file, got, tt.want)
		}
	}
}
