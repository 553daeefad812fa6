package smctest

import (
	"strings"
	"testing"

	"github.com/smcproject/smc/runtime"
)

// Updated rewrites only what the result decides (the verdict, dscp and mark keys, want.sip,
// want.reject.sip) and leaves every other byte of the case as it was.
func TestUpdated(t *testing.T) {
	const comment = "# keep me\nverdict: accept\r\nmark: 9\n# and me\n"
	const files = "-- p.json --\n{}\n-- input.sip --\nBYE sip:a SIP/2.0\n\n-- want.audit --\nx\n"
	for _, tt := range []struct {
		name, src string
		res       runtime.Result
		want      string
	}{
		{"modified", comment + files + "-- want.sip --\nold\n",
			runtime.Result{Verdict: runtime.Modified, Output: []byte("BYE sip:b SIP/2.0\r\n\r\n"), DSCP: 46},
			"# keep me\nverdict: modified\r\ndscp: 46\n# and me\n" + files + "-- want.sip --\nBYE sip:b SIP/2.0\n\n"},
		{"reject adds its response and drops want.sip", comment + "-- want.sip --\nold\n" + files,
			runtime.Result{Verdict: runtime.Reject, Code: 403, Response: []byte("SIP/2.0 403 Forbidden\r\n\r\n"), DSCP: -1},
			"# keep me\nverdict: reject 403\r\n# and me\n" + files + "-- want.reject.sip --\nSIP/2.0 403 Forbidden\n\n"},
		{"drop removes both", "verdict: modified\n-- want.reject.sip --\nx\n" + files + "-- want.sip --\ny",
			runtime.Result{Verdict: runtime.Drop, DSCP: -1},
			"verdict: drop\n" + files},
	} {
		c := &Case{crlf: true}
		got, err := c.Updated([]byte(tt.src), &tt.res)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if string(got) != tt.want {
			t.Errorf("%s:\n%q\nwant\n%q", tt.name, got, tt.want)
		}
	}
}

// Under eol: crlf a message with a bare LF cannot be written so that the conversion gives it
// back; under eol: raw it is written as it is.
func TestUpdatedLineEnds(t *testing.T) {
	res := &runtime.Result{Verdict: runtime.Modified, Output: []byte("BYE sip:b SIP/2.0\r\nTo: b\n\r\n"), DSCP: -1}
	_, err := (&Case{crlf: true}).Updated([]byte("verdict: accept\n-- want.sip --\nx\n"), res)
	if err == nil || !strings.Contains(err.Error(), "give the case eol: raw") {
		t.Errorf("crlf with a bare LF: %v", err)
	}
	got, err := (&Case{crlf: false}).Updated([]byte("eol: raw\nverdict: accept\n-- want.sip --\nx\n"), res)
	if want := "eol: raw\nverdict: modified\n-- want.sip --\n" + string(res.Output); err != nil || string(got) != want {
		t.Errorf("raw: %q, %v; want %q", got, err, want)
	}
}
