package nfq

import (
	"testing"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/runtime"
)

// The rules' warnings are counted by kind: here an unknown directive line and a RejectCall value
// that is no reason phrase, in one message.
func TestWorkerCountsWarnings(t *testing.T) {
	src := `{"ProfileID": 4, "ProfileName": "warnings", "Rules": [{"MsgType": "REQUEST", "Action": "REPLACE_MSG",
	  "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "Sansay-SMC-Nothing: 1\nSansay-SMC-RejectCall403: <bad>"}]}]}`
	prog, diags := compile.Compile("warnings.json", []byte(src), compile.Options{})
	if prog == nil {
		t.Fatal(diags)
	}
	packets := &fakeSource{packets: []Queued{queued(1, build(spec{proto: ProtoUDP, payload: sipRequest("OPTIONS", "a")}))}}
	w := NewWorker(packets, NewChainRef(smctest.MustChain(t, prog)), &fakeResponder{}, nil)
	if err := w.Step(); err != nil {
		t.Fatal(err)
	}
	want := [runtime.NumWarningKinds]uint64{runtime.WarnDirective: 1, runtime.WarnReasonPhrase: 1}
	for k := range runtime.NumWarningKinds {
		if got := w.Stats.Warnings[k].Load(); got != want[k] {
			t.Errorf("%s counted %d, want %d", k, got, want[k])
		}
	}
}
