package main

import "testing"

// parseBench takes ns/op and cpu-ns/op by benchmark, without the -GOMAXPROCS suffix, and skips
// every other line.
func TestParseBench(t *testing.T) {
	out := []byte(`goos: linux
BenchmarkMachineReference/200-ok-2         	  465994	       260.5 ns/op	2541.18 MB/s	       258.3 cpu-ns/op	       0 B/op	       0 allocs/op
BenchmarkMachineReference/invite-clean-2   	  534780	      2181 ns/op	 496.97 MB/s	       0 B/op	       0 allocs/op
PASS
`)
	got := parseBench(out)
	want := map[string]times{
		"BenchmarkMachineReference/200-ok":       {ns: 260.5, cpu: 258.3},
		"BenchmarkMachineReference/invite-clean": {ns: 2181},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: %+v, want %+v", name, got[name], w)
		}
	}
}

// A benchmark is compared by CPU time only when both revisions report it in every pair.
func TestMetric(t *testing.T) {
	both := map[[2]int]map[string]times{{0, 1}: {"base": {1, 2}, "new": {3, 4}}}
	if unit, of := metric(both); unit != "cpu-ns/op" || of(times{1, 2}) != 2 {
		t.Errorf("both report cpu: %s", unit)
	}
	one := map[[2]int]map[string]times{{0, 1}: {"base": {1, 0}, "new": {3, 4}}}
	if unit, of := metric(one); unit != "ns/op" || of(times{1, 2}) != 1 {
		t.Errorf("base lacks cpu: %s", unit)
	}
}
