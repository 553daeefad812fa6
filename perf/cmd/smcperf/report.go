package main

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// markdown renders the report: the tables of absolute numbers with ratios to the baselines, and
// the targets of issue 6 with what was measured against each.
func (r *report) markdown() string {
	var b strings.Builder
	s := r.settings
	fmt.Fprintf(&b, "## %s — `make perf`: smcd against the kernel's queue (issue 6)\n\n", r.started.Format("2006-01-02"))
	fmt.Fprintf(&b, "Machine: %s. Command: `make perf` (`smcperf -runs %d -trial %v -probe %v`), as root; took %v.\n\n",
		r.machine, s.runs, s.trialLen, s.probeLen, time.Since(r.started).Round(time.Second))
	b.WriteString("Traffic: UDP from namespace a through a veth pair to namespace b, where a mangle INPUT rule " +
		"queues it and a filter rule counts and drops what comes back. Messages: invite-clean (1084 bytes), invite-dirty " +
		"(1393 bytes), or the mix of nine clean to one dirty, from ../shared/bench; sixteen flows. The sender and the " +
		"kernel's receive path run on CPU 0, a one-queue consumer on CPU 1.\n\n")
	r.writeRates(&b)
	for _, f := range r.failures {
		fmt.Fprintf(&b, "- No lossless rate: %s\n", f)
	}
	if len(r.failures) > 0 {
		b.WriteString("\n")
	}
	r.writeCPU(&b)
	r.writeSyscalls(&b)
	r.writeLatency(&b)
	r.writeOverload(&b)
	r.writeTargets(&b)
	return b.String()
}

func (r *report) writeRates(b *strings.Builder) {
	fmt.Fprintf(b, "### Highest lossless rate (under 0.1%% lost or passed unhandled over %v, no queue drop)\n\n", r.settings.trialLen)
	b.WriteString("| consumer | what | kpps, median | runs (kpps) | × B1 |\n| --- | --- | ---: | --- | ---: |\n")
	b1 := r.rate(mB1)
	for _, m := range rateMeasurements {
		rs := r.rates[m]
		if len(rs) == 0 {
			continue
		}
		var runs []string
		limited := ""
		for _, x := range rs {
			runs = append(runs, kpps(x.rate))
			if x.senderLimited {
				limited = " (the sender's limit)"
			}
		}
		med := medianRate(rs)
		fmt.Fprintf(b, "| %s | %s | %s%s | %s | %s |\n", m.name, m.about, kpps(med), limited, strings.Join(runs, ", "), ratio(float64(med), float64(b1)))
	}
	b.WriteString("\n")
}

func (r *report) writeCPU(b *strings.Builder) {
	if len(r.cpu) == 0 {
		return
	}
	fmt.Fprintf(b, "### CPU time per packet at %d packets a second (all the consumer's threads, user and kernel)\n\n", r.settings.fixedRate)
	b.WriteString("| consumer | µs per packet | × B1 | handled / sent |\n| --- | ---: | ---: | ---: |\n")
	base := r.cpuPer(mB1)
	for _, m := range cpuMeasurements {
		t, ok := r.cpu[m]
		if !ok {
			continue
		}
		fmt.Fprintf(b, "| %s | %.2f | %s | %d / %d |\n", m.name, r.cpuPer(m), ratio(r.cpuPer(m), base), t.handled, t.sent)
	}
	b.WriteString("\n")
}

func (r *report) writeSyscalls(b *strings.Builder) {
	if len(r.syscalls) == 0 {
		return
	}
	b.WriteString("### Syscalls per packet (strace -c -f, every thread)\n\n")
	b.WriteString("| consumer | packets a second | per packet | the most frequent, per packet |\n| --- | ---: | ---: | --- |\n")
	for _, m := range syscallMeasurements {
		for _, rate := range syscallRates {
			t, ok := r.syscalls[m][rate]
			if !ok || t.handled == 0 {
				continue
			}
			fmt.Fprintf(b, "| %s | %d | %.2f | %s |\n", m.name, rate, r.syscallsPer(m, rate), t.syscalls.top(4, t.handled))
		}
	}
	b.WriteString("\n")
}

func (r *report) writeLatency(b *strings.Builder) {
	if len(r.latency) == 0 {
		return
	}
	fmt.Fprintf(b, "### Round trip through the queue (%d ping-pongs, µs; added: minus B0)\n\n", r.settings.pings)
	b.WriteString("| consumer | p50 | p99 | p99.9 | added p50 | added p99 | added p99.9 |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	base := r.latency[mB0]
	for _, m := range latencyMeasurements {
		l, ok := r.latency[m]
		if !ok {
			continue
		}
		fmt.Fprintf(b, "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |\n", m.name, l.P50, l.P99, l.P999,
			l.P50-base.P50, l.P99-base.P99, l.P999-base.P999)
	}
	b.WriteString("\n")
}

func (r *report) writeOverload(b *strings.Builder) {
	switch {
	case r.overErr != "":
		fmt.Fprintf(b, "### Overload\n\nsmcd at twice its lossless rate failed: %s\n\n", r.overErr)
	case r.overload != nil:
		t := r.overload
		fmt.Fprintf(b, "### Overload: pass-through at twice the lossless rate, fail-open\n\n"+
			"Asked %s kpps for %v; sent %d in %.1f s (%s kpps); arrived %d; smcd handled %d and fail-open passed %d unhandled; queue drops %d; smcd stopped cleanly.\n\n",
			kpps(t.rate), t.asked, t.sent, t.seconds, kpps(int(float64(t.sent)/t.seconds)), t.sunk, t.handled, t.sent-min(t.sent, t.handled), t.queueDrops)
	}
}

// target is one row of issue 6's table.
type target struct {
	what, goal, measured string
	met                  bool
	known                bool // measured at all
}

func (r *report) targets() []target {
	var ts []target
	pass, b1, b3 := float64(r.rate(mPass)), float64(r.rate(mB1)), float64(r.rate(mB3))
	if pass > 0 && b1 > 0 && b3 > 0 {
		ts = append(ts, target{"pass-through", "≥ 0.85 × B1 and ≥ 4 × B3",
			fmt.Sprintf("%s × B1, %s × B3", ratio(pass, b1), ratio(pass, b3)), pass >= 0.85*b1 && pass >= 4*b3, true})
	}
	if rw, b1m := float64(r.rate(mRewr)), float64(r.rate(mB1m)); rw > 0 && b1m > 0 {
		ts = append(ts, target{"rewriting", "≥ 0.75 × B1m", ratio(rw, b1m) + " × B1m", rw >= 0.75*b1m, true})
	}
	if mx, b1b := float64(r.rate(mMix)), float64(r.rate(mB1b)); mx > 0 && b1b > 0 {
		ts = append(ts, target{"mixed traffic", "≥ 0.8 × B1b", ratio(mx, b1b) + " × B1b", mx >= 0.8*b1b, true})
	}
	if c, base := r.cpuPer(mPass), r.cpuPer(mB1); c > 0 && base > 0 {
		ts = append(ts, target{"CPU per packet, pass-through", "≤ 1.3 × B1", ratio(c, base) + " × B1", c <= 1.3*base, true})
	}
	for _, rate := range syscallRates {
		if s := r.syscallsPer(mRewr, rate); s > 0 {
			ts = append(ts, target{fmt.Sprintf("syscalls per packet, per-packet verdicts (rewriting), %d a second", rate),
				"≤ 2.05", fmt.Sprintf("%.2f", s), s <= 2.05, true})
		}
	}
	if l, base := r.latency[mPass], r.latency[mB1]; l.N > 0 && base.N > 0 {
		ts = append(ts, target{"added latency", "p50 ≤ B1 + 10 µs, p99 ≤ B1 + 30 µs",
			fmt.Sprintf("p50 B1 %+.1f µs, p99 B1 %+.1f µs", l.P50-base.P50, l.P99-base.P99),
			l.P50 <= base.P50+10 && l.P99 <= base.P99+30, true})
	}
	if two, one := float64(r.rate(mTwo)), pass; two > 0 && one > 0 {
		ts = append(ts, target{"two queues with queue-balance", "≥ 1.6 × one queue", ratio(two, one) + " × one queue", two >= 1.6*one, true})
	}
	if t := r.overload; t != nil || r.overErr != "" {
		ok := t != nil && t.sunk >= t.sent && r.overErr == ""
		m := "smcd failed: " + r.overErr
		if t != nil {
			m = fmt.Sprintf("%d of %d arrived, smcd alive", t.sunk, t.sent)
		}
		ts = append(ts, target{"overload at 2 × lossless, fail-open", "no packet dropped, no exit", m, ok, true})
	}
	return ts
}

func (r *report) writeTargets(b *strings.Builder) {
	ts := r.targets()
	if len(ts) == 0 {
		return
	}
	b.WriteString("### Targets\n\n| what | target | measured | met |\n| --- | --- | --- | --- |\n")
	for _, t := range ts {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", t.what, t.goal, t.measured, map[bool]string{true: "yes", false: "**no**"}[t.met])
	}
	b.WriteString("\n")
}

func (r *report) rate(m *measurement) int {
	if len(r.rates[m]) == 0 {
		return 0
	}
	return medianRate(r.rates[m])
}

func (r *report) cpuPer(m *measurement) float64 {
	t, ok := r.cpu[m]
	if !ok || t.handled == 0 {
		return 0
	}
	return float64(t.cpu.Microseconds()) / float64(t.handled)
}

func (r *report) syscallsPer(m *measurement, rate int) float64 {
	t, ok := r.syscalls[m][rate]
	if !ok || t.handled == 0 || t.syscalls == nil {
		return 0
	}
	return float64(t.syscalls.total) / float64(t.handled)
}

func kpps(rate int) string { return fmt.Sprintf("%.1f", float64(rate)/1000) }

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// addSection puts the report into the Markdown file after its introduction, before its first
// dated section, so that the newest run comes first.
func addSection(path, section string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	text := string(old)
	at := strings.Index(text, "\n## ")
	if at < 0 {
		at = len(text)
	} else {
		at++
	}
	out := text[:at] + section + text[at:]
	return os.WriteFile(path, []byte(out), 0o644)
}
