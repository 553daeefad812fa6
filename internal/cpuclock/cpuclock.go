// Package cpuclock reads the CPU time of the process, for benchmarks on shared machines: beside
// ns/op, which counts the time a benchmark waited for a core, cpu-ns/op is the time its work kept
// one busy, and compares across runs that other work slowed down unevenly.
package cpuclock

import (
	"syscall"
	"testing"
	"time"
)

// Now is the CPU time the process has used, in user and system mode, on every thread.
func Now() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Report adds cpu-ns/op to b's results: the CPU time used since start, per iteration.
func Report(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(Now()-start)/float64(b.N), "cpu-ns/op")
}
