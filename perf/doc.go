// Package perf holds the benchmarks that measure the engine as a whole: the Machine on every
// example and on the reference chain of ../shared/bench. `make bench` runs them with -benchmem
// and -count so that benchstat can compare runs; BENCHMARKS.md records results with the machine
// they ran on.
package perf
