package perf

import (
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/internal/cpuclock"
	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/runtime"
)

const referenceDir = "../../shared/bench"

var benchEnv = runtime.Env{
	Remote: netip.MustParseAddrPort("198.51.100.33:5060"),
	Local:  netip.MustParseAddrPort("203.0.113.5:5060"),
	Now:    time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC),
	Rand:   7,
}

func benchmarkCases(b *testing.B, cases []*Case) {
	for _, c := range cases {
		b.Run(c.Name, func(b *testing.B) {
			m := runtime.NewMachine(c.Chain)
			m.Run(c.Message, &benchEnv)
			b.ReportAllocs()
			b.SetBytes(int64(len(c.Message)))
			start := cpuclock.Now()
			for b.Loop() {
				m.Run(c.Message, &benchEnv)
			}
			cpuclock.Report(b, start)
		})
	}
}

// BenchmarkMachineExamples runs the Machine on every example's chain and message.
func BenchmarkMachineExamples(b *testing.B) {
	cases, err := Examples("../examples")
	if err != nil {
		b.Fatal(err)
	}
	benchmarkCases(b, cases)
}

// BenchmarkMachineReference runs the reference chain on each reference message.
func BenchmarkMachineReference(b *testing.B) {
	if _, err := os.Stat(referenceDir); err != nil {
		b.Skipf("reference chain not found at %s", referenceDir)
	}
	cases, err := LoadReference(referenceDir)
	if err != nil {
		b.Fatal(err)
	}
	benchmarkCases(b, cases)
}

// The Machine allocates nothing on the reference chain, for every reference message (issue 6:
// the packet path runs without garbage).
func TestReferenceChainAllocs(t *testing.T) {
	if _, err := os.Stat(referenceDir); err != nil {
		t.Skipf("reference chain not found at %s", referenceDir)
	}
	cases, err := LoadReference(referenceDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		m := runtime.NewMachine(c.Chain)
		m.Run(c.Message, &benchEnv)
		if n := testing.AllocsPerRun(50, func() { m.Run(c.Message, &benchEnv) }); n != 0 {
			t.Errorf("%s: %v allocations per message", c.Name, n)
		}
	}
}

// replaceDefs has one replace definition per replace type, each acting on replaceInvite.
var replaceDefs = []struct{ name, def string }{
	{"ADD_LINE", `{"ReplaceType": "ADD_LINE", "Header": "Via", "Output": "X-Added: yes"}`},
	{"REWRITE_LINE", `{"ReplaceType": "REWRITE_LINE", "Header": "Subject", "Output": "Subject: rewritten"}`},
	{"DELETE_LINES", `{"ReplaceType": "DELETE_LINES", "Header": "Subject"}`},
	{"FINDSUB_LINES", `{"ReplaceType": "FINDSUB_LINES", "Header": "From", "Macro": "GETURI_USERNAME", "RegEx1": "^1", "Output": "+1"}`},
	{"APPEND_LINES", `{"ReplaceType": "APPEND_LINES", "Header": "Contact", "Output": ";trunk=a"}`},
	{"FINDINSERTAFTER_LINES", `{"ReplaceType": "FINDINSERTAFTER_LINES", "Header": "TOPLINE", "RegEx1": "sip:", "Output": "99"}`},
	{"FINDINSERTBEFORE_LINES", `{"ReplaceType": "FINDINSERTBEFORE_LINES", "Header": "c=", "HeaderAttr": "BODY_SECTION_ONLY", "RegEx1": "IN", "Output": "X"}`},
	{"SET_DSCP", `{"ReplaceType": "SET_DSCP", "Output": "EF"}`},
}

const replaceInvite = "INVITE sip:15551234567@example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-74b3\r\n" +
	"From: <sip:15557654321@198.51.100.7>;tag=9fx\r\nTo: <sip:15551234567@example.com>\r\n" +
	"Call-ID: 38482762@198.51.100.7\r\nCSeq: 1 INVITE\r\nContact: <sip:15557654321@198.51.100.7:5060>\r\n" +
	"Subject: hello\r\nContent-Type: application/sdp\r\nContent-Length: 46\r\n\r\n" +
	"v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 31000 RTP/AVP 0\r\n"

// BenchmarkReplaceTypes runs a one-rule profile per replace type on an INVITE.
func BenchmarkReplaceTypes(b *testing.B) {
	for _, r := range replaceDefs {
		src := `{"ProfileID": 1, "ProfileName": "` + r.name + `", "Rules": [{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [` +
			r.def + `]}]}`
		prog, diags := compile.Compile(r.name+".json", []byte(src), compile.Options{})
		if prog == nil {
			b.Fatal(diags)
		}
		benchmarkCases(b, []*Case{{Name: r.name, Chain: smctest.MustChain(b, prog), Message: []byte(replaceInvite)}})
	}
}
