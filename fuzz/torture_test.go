package fuzz

import (
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/fuzz/reference"
	"github.com/smcproject/smc/fuzz/torture"
	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/runtime"
)

// TestTortureReference runs every message of the shared corpus (RFC 4475 and RFC 5118 torture
// messages, the PROTOS c07-sip cases, the SIP datagrams of the captures) through the engine and
// through the reference evaluator, with the torture profile and with the demo's profile, and
// requires the same outcome, as FuzzDifferential does: what generated messages cannot reach,
// messages written by others to break parsers can. cmd/smcc's TestTortureCorpus checks the same
// messages against what the spec says of their kind; this test checks every byte.
func TestTortureReference(t *testing.T) {
	msgs, err := torture.Load("../../shared/corpus")
	if err != nil {
		t.Skipf("torture corpus: %v", err)
	}
	demo, err := os.ReadFile("../examples/demo/profile.json")
	if err != nil {
		t.Fatal(err)
	}
	profiles := map[string][]byte{"torture": []byte(torture.Profile), "demo": demo}
	for name, src := range profiles {
		prog, diags := compile.Compile(name+".json", src, compile.Options{})
		if diags.HasErrors() {
			t.Fatalf("%s: %v", name, diags.Errors())
		}
		ref, err := reference.Decode(src, nil)
		if err != nil {
			t.Fatalf("%s: the reference refuses it: %v", name, err)
		}
		machine := runtime.NewMachine(smctest.MustChain(t, prog))
		differ := 0
		for _, m := range msgs {
			want := referenceOutcome(reference.Run([]*reference.Profile{ref}, m.Data, tortureReferenceEnv))
			got := engineOutcome(machine.Run(m.Data, &tortureEngineEnv))
			if d := want.diff(got); d != "" {
				if differ++; differ <= 10 {
					t.Errorf("%s, %s: engine and reference differ:\n%s\ninput %q", name, m.Name, d, m.Data)
				}
			}
		}
		if differ > 10 {
			t.Errorf("%s: %d messages differ in all", name, differ)
		}
		t.Logf("%s: %d messages", name, len(msgs))
	}
}

var (
	tortureTime         = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tortureRemote       = netip.MustParseAddrPort("10.231.0.1:5060")
	tortureLocal        = netip.MustParseAddrPort("10.231.0.2:5060")
	tortureReferenceEnv = reference.Env{Remote: tortureRemote, Local: tortureLocal, Transport: "UDP", Now: tortureTime, Rand: 7}
	tortureEngineEnv    = runtime.Env{Remote: tortureRemote, Local: tortureLocal, Transport: runtime.UDP, Now: tortureTime, Rand: 7}
)
