package perf

import (
	"net/netip"
	"os"
	"testing"
	"time"

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
			for b.Loop() {
				m.Run(c.Message, &benchEnv)
			}
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
