package bundle

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/perf"
)

// FuzzParse feeds damaged bundles to the loader, raw and with their checksums repaired (so the
// damage reaches the checks behind them). Whatever it accepts must be safe to use: its programs
// verify, encode again to a bundle that opens, encodes to the same bytes once more and runs the
// fixture's message as the first did, and run that message the same way twice without panicking,
// even when the tables they read in place are garbage. The seeds are in testdata/README.md.
func FuzzParse(f *testing.F) {
	progs, m, msg := fixture(f)
	f.Add(encode(f, progs, m))
	cases, err := perf.Examples("../../examples/guide")
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range cases[:min(len(cases), 8)] {
		f.Add(encode(f, c.Chain.Programs, Manifest{}))
	}
	if b, err := os.ReadFile("testdata/chain/profile.json"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, data, msg)
		check(t, reseal(slices.Clone(data)), msg)
	})
}

func check(t *testing.T, data, msg []byte) {
	b, err := Parse("fuzz.smcb", data)
	if err != nil {
		if _, ok := err.(*Error); !ok {
			t.Fatalf("error of type %T: %v", err, err)
		}
		return
	}
	_ = b.Verify()
	for _, p := range b.Programs {
		if err := p.Verify(); err != nil {
			t.Fatalf("accepted a program that does not verify: %v", err)
		}
	}
	var again bytes.Buffer
	if err := Encode(&again, b.Programs, b.Manifest); err != nil {
		t.Fatalf("an accepted bundle does not encode again: %v", err)
	}
	b2, err := Parse("again.smcb", again.Bytes())
	if err != nil {
		t.Fatalf("an accepted bundle, encoded again, does not open: %v", err)
	}
	var third bytes.Buffer
	if err := Encode(&third, b2.Programs, b2.Manifest); err != nil || !bytes.Equal(third.Bytes(), again.Bytes()) {
		t.Fatalf("encoding is not a fixed point after one round (%v): %d bytes, then %d", err, again.Len(), third.Len())
	}
	chain := smctest.MustChain(t, b.Programs...)
	first := run(chain, msg)
	if second := run(chain, msg); !first.equal(second) {
		t.Fatalf("two runs differ:\n%+v\n%+v", first, second)
	}
	if other := run(smctest.MustChain(t, b2.Programs...), msg); !first.equal(other) {
		t.Fatalf("the bundle encoded again runs differently:\n%+v\n%+v", first, other)
	}
}
