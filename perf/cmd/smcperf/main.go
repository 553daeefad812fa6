// Command smcperf is the perf harness of issue 6 (`make perf`, as root). In network namespaces it
// creates, it runs smcd and the baselines side by side on the same traffic and measures each:
//
//   - the highest lossless rate: a paced UDP sender bisects the highest rate at which, over a
//     full trial, under 0.1% of the packets sent are lost, the kernel's queue drops none and the
//     consumer handles every one (none passed unhandled by fail-open);
//   - CPU time per packet at a fixed rate, syscalls per packet at a low rate, and the latency the
//     queue adds (p50, p99, p99.9 of a ping-pong through it);
//   - smcd on two queues with --queue-balance, and smcd overloaded at twice its lossless rate.
//
// The baselines: B0, no queue at all; B1, a minimal C libnetfilter_queue accept loop, B1m its
// variant that gives every packet back modified, and B1b its variant with batched verdicts (all
// three are perf/c/nfqloop.c, built by the harness); B3, a naive consumer of
// github.com/florianl/go-nfqueue/v2 used as its README shows. smcd runs the reference chain of
// ../shared/bench. The results go to stdout as Markdown, with ratios to B1, and with
// -benchmarks FILE into that file as a dated section.
//
// The same binary plays the traffic roles inside the namespaces (SMCPERF_ROLE: send, echo, ping,
// naive), started with `ip netns exec`.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	switch role := os.Getenv("SMCPERF_ROLE"); role {
	case "":
	case "send":
		os.Exit(sendRole(os.Args[1:]))
	case "echo":
		os.Exit(echoRole(os.Args[1:]))
	case "ping":
		os.Exit(pingRole(os.Args[1:]))
	case "naive":
		os.Exit(naiveRole(os.Args[1:]))
	default:
		fmt.Fprintf(os.Stderr, "smcperf: unknown role %q\n", role)
		os.Exit(2)
	}
	os.Exit(orchestrate(os.Args[1:]))
}

// settings are the orchestrator's flags.
type settings struct {
	bench      string        // the reference chain and messages
	work       string        // where the binaries and the bundle are built
	trialLen   time.Duration // a confirming trial
	probeLen   time.Duration // a bisection probe
	runs       int           // how many times each rate is measured; the median is reported
	only       string        // run only the scenarios whose names contain this
	benchmarks string        // the file to add the results to ("": none)
	fixedRate  int           // packets a second for the CPU measurement
	pings      int           // round trips per latency measurement
	skip       string        // parts not to run
	record     string        // a folder for `perf record` profiles of the consumers at the fixed rate
	soakFor    time.Duration // run the soak instead of the measurements, this long (0: measure)
	soakRate   int           // the soak's rate (0: soakLoad% of the lossless rate it finds first)
	soakLoad   int           // the soak's rate as a percentage of the lossless rate
	soakReload time.Duration // how often the soak reloads smcd's bundle
}

func orchestrate(args []string) int {
	var s settings
	fs := flag.NewFlagSet("smcperf", flag.ContinueOnError)
	fs.StringVar(&s.bench, "bench", "../shared/bench", "the folder of the reference chain and messages")
	fs.StringVar(&s.work, "work", "", "folder for the built binaries and bundle (default: a temporary one)")
	fs.DurationVar(&s.trialLen, "trial", envDuration("PERF_TRIAL", 10*time.Second), "length of a confirming trial (PERF_TRIAL)")
	fs.DurationVar(&s.probeLen, "probe", envDuration("PERF_PROBE", time.Second), "length of a bisection probe (PERF_PROBE)")
	fs.IntVar(&s.runs, "runs", 3, "measure each lossless rate this many times and report the median")
	fs.StringVar(&s.only, "only", "", "run only the measurements whose names contain this")
	fs.StringVar(&s.benchmarks, "benchmarks", "", "add the results as a dated section to this Markdown file (BENCHMARKS.md)")
	fs.IntVar(&s.fixedRate, "cpu-rate", 50000, "packets a second for the CPU-per-packet measurement")
	fs.IntVar(&s.pings, "pings", 20000, "round trips per latency measurement")
	fs.StringVar(&s.record, "record", "", "profile each consumer with `perf record -g` during the CPU measurement, into this folder")
	fs.StringVar(&s.skip, "skip", "", "skip these parts, a comma-separated list of rates, cpu, syscalls, latency, overload")
	fs.DurationVar(&s.soakFor, "soak", 0, "instead of measuring, soak smcd this long at 80% of its lossless rate with malformed packets and reloads (make soak)")
	fs.IntVar(&s.soakRate, "soak-rate", 0, "the soak's rate in packets a second (default: -soak-load percent of the lossless rate found first)")
	fs.IntVar(&s.soakLoad, "soak-load", 80, "the soak's rate as a percentage of the lossless rate it finds first")
	fs.DurationVar(&s.soakReload, "soak-reload", 5*time.Second, "how often the soak replaces and reloads smcd's bundle")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "smcperf: needs root, to make network namespaces and NFQUEUE rules")
		return 1
	}
	h, err := newHarness(s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "smcperf:", err)
		return 1
	}
	defer h.close()
	h.closeOnSignal()
	if s.soakFor > 0 {
		return h.soakMain()
	}
	rep, err := h.runAll()
	if err != nil {
		fmt.Fprintln(os.Stderr, "smcperf:", err)
		return 1
	}
	md := rep.markdown()
	fmt.Print(md)
	if s.benchmarks != "" {
		if err := addSection(s.benchmarks, md); err != nil {
			fmt.Fprintln(os.Stderr, "smcperf:", err)
			return 1
		}
	}
	return 0
}

// soakMain runs the soak and prints its report; the exit status says whether it passed.
func (h *harness) soakMain() int {
	r, err := h.runSoak()
	if err != nil {
		fmt.Fprintln(os.Stderr, "smcperf: soak:", err)
		return 1
	}
	fmt.Print(r.markdown())
	if len(r.problems) > 0 {
		return 1
	}
	return 0
}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		fmt.Fprintf(os.Stderr, "smcperf: %s=%q is not a duration; using %v\n", name, v, def)
	}
	return def
}
