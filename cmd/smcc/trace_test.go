package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/match"
)

// TestTraceWordingGolden keeps, as reviewed golden files, the trace of testdata/trace/wording.json:
// json:N for the profile's rules, variables and conditions, msg:N for the message's lines (a
// directive's too); conditions whose patterns run on every kind of matcher, shown as the profile
// writes them and never with the engine's name; an ADD_LINE of two lines, each with its own new
// number; and every
// replace definition that finds nothing to act on saying so in the one wording "nothing selected"
// (no line, no line passing the filter, no match, no macro part, no SDP section, no codec to
// edit, a section that is rejected or would be emptied, no SDP at all).
func TestTraceWordingGolden(t *testing.T) {
	const profile = "testdata/trace/wording.json"
	prog, diags := compile.CompileFile(profile)
	if prog == nil {
		t.Fatal(diags)
	}
	kinds := map[match.Kind]bool{}
	for _, m := range prog.Matchers {
		kinds[m.Kind] = true
	}
	for _, k := range []match.Kind{match.Literal, match.Prefix, match.Suffix, match.Exact, match.RE2, match.Seq} {
		if !kinds[k] {
			t.Errorf("%s has no pattern of kind %s; the golden would not show that kind's patterns", profile, k)
		}
	}
	for _, msg := range []string{"wording", "nosdp"} {
		t.Run(msg, func(t *testing.T) {
			var out, trace bytes.Buffer
			args := []string{"run", "--trace", "-p", profile, "testdata/trace/" + msg + ".sip"}
			if status := dispatch(args, nil, &out, &trace); status != exitOK {
				t.Fatalf("exit %d: %s", status, &trace)
			}
			got := trace.String()
			for k := match.Literal; k <= match.Seq; k++ {
				if strings.Contains(got, "("+k.String()) {
					t.Errorf("the trace names the matcher kind %q; it shows patterns as written", k)
				}
			}
			golden := filepath.Join("testdata", "trace", msg+".trace")
			if *update {
				os.WriteFile(golden, trace.Bytes(), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(trace.Bytes(), want) {
				t.Errorf("trace differs from %s:\n%s", golden, smctest.LineDiff(want, trace.Bytes()))
			}
		})
	}
}
