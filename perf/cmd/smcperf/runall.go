package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The measurements of a run, in the order they are made and reported.
var (
	mB0   = &measurement{name: "B0", traffic: (*harness).mixClean, about: "no queue"}
	mB1   = &measurement{name: "B1", consumer: consumerB1, traffic: (*harness).mixClean, about: "C accept loop, a verdict per packet"}
	mB1m  = &measurement{name: "B1m", consumer: consumerB1m, traffic: (*harness).mixDirty, about: "C, every packet given back with a header inserted"}
	mB1b  = &measurement{name: "B1b", consumer: consumerB1b, traffic: (*harness).mixMixed, about: "C, verdicts batched by 16, the dirty 10% modified"}
	mB3   = &measurement{name: "B3", consumer: consumerB3, traffic: (*harness).mixClean, about: "go-nfqueue as its README shows"}
	mPass = &measurement{name: "smcd pass-through", consumer: consumerSmcd, traffic: (*harness).mixClean, about: "invite-clean: every INVITE rule evaluated, none matches"}
	mRewr = &measurement{name: "smcd rewriting", consumer: consumerSmcd, traffic: (*harness).mixDirty, about: "invite-dirty: most rules rewrite, the length changes"}
	mMix  = &measurement{name: "smcd mixed", consumer: consumerSmcd, traffic: (*harness).mixMixed, about: "nine invite-clean, one invite-dirty"}
	mTwo  = &measurement{name: "smcd ×2 pass-through", consumer: consumerSmcd2, traffic: (*harness).mixClean, about: "two queues, --queue-balance 0:1"}

	rateMeasurements    = []*measurement{mB0, mB1, mB1m, mB1b, mB3, mPass, mRewr, mMix, mTwo}
	cpuMeasurements     = []*measurement{mB1, mB1m, mB1b, mB3, mPass, mRewr, mMix}
	syscallMeasurements = []*measurement{mB1, mB1m, mPass, mRewr}
	latencyMeasurements = []*measurement{mB0, mB1, mB1m, mB3, mPass, mRewr}
)

// A report is everything one run measured.
type report struct {
	settings settings
	machine  string
	started  time.Time
	rates    map[*measurement][]rateResult
	cpu      map[*measurement]trial
	syscalls map[*measurement]map[int]trial // by rate
	latency  map[*measurement]pingReport
	overload *trial
	overErr  string
	failures []string // measurements that found no lossless rate
}

// syscallRates are the rates at which syscalls are counted, low because strace stops the
// consumer at every call: at a higher rate it would measure strace. At the lower one each packet
// arrives alone; at the higher one some arrive while the consumer is busy (more so under
// strace), which the batched receive and verdicts then take together.
var syscallRates = []int{1000, 10000}

func (h *harness) runAll() (*report, error) {
	r := &report{settings: h.settings, machine: machineInfo(), started: time.Now(),
		rates: map[*measurement][]rateResult{}, cpu: map[*measurement]trial{},
		syscalls: map[*measurement]map[int]trial{}, latency: map[*measurement]pingReport{}}
	// Each run measures every consumer once, so that drift in the machine touches all alike.
	for run := 0; run < h.runs && h.wants("rates"); run++ {
		for _, m := range h.selected(rateMeasurements) {
			start := 20000
			if prev := r.rates[m]; len(prev) > 0 {
				start = max(prev[len(prev)-1].rate, 2000)
			}
			h.logf("run %d: %s", run+1, m.name)
			res, err := h.highestLossless(m, start)
			if err != nil {
				// One measurement that finds no lossless rate does not end the run.
				h.logf("  %s: %v", m.name, err)
				r.failures = append(r.failures, fmt.Sprintf("run %d, %s: %v", run+1, m.name, err))
				continue
			}
			r.rates[m] = append(r.rates[m], res)
		}
	}
	for _, m := range h.selectedFor("cpu", cpuMeasurements) {
		var o trialOptions
		if h.record != "" {
			o.record = filepath.Join(h.record, strings.ReplaceAll(m.name, " ", "-")+".perf.data")
		}
		t, err := h.trial(m, h.fixedRate, h.trialLen, o)
		if err != nil {
			return nil, err
		}
		h.logf("cpu %s: %s, %v", m.name, t, t.cpu)
		r.cpu[m] = t
	}
	for _, m := range h.selectedFor("syscalls", syscallMeasurements) {
		r.syscalls[m] = map[int]trial{}
		for _, rate := range syscallRates {
			t, err := h.trial(m, rate, min(h.trialLen, 3*time.Second), trialOptions{strace: true})
			if err != nil {
				return nil, err
			}
			h.logf("syscalls %s: %s, %d calls", m.name, t, t.syscalls.total)
			r.syscalls[m][rate] = t
		}
	}
	if h.wants("latency") {
		if err := h.measureLatency(r); err != nil {
			return nil, err
		}
	}
	if h.wants("overload") {
		h.measureOverload(r)
	}
	return r, nil
}

// wants tells whether a part of the run is not skipped.
func (h *harness) wants(part string) bool {
	return !slices.Contains(strings.Split(h.skip, ","), part)
}

func (h *harness) selectedFor(part string, ms []*measurement) []*measurement {
	if !h.wants(part) {
		return nil
	}
	return h.selected(ms)
}

func (h *harness) selected(ms []*measurement) []*measurement {
	return slices.DeleteFunc(slices.Clone(ms), func(m *measurement) bool { return !strings.Contains(m.name, h.only) })
}

// measureLatency runs the ping-pong through each consumer, with an echo role in b instead of
// the sink rule.
func (h *harness) measureLatency(r *report) error {
	echo := h.roleCmd(h.net.b, "echo", "-listen", addrB+":"+sipPort)
	out := &syncBuffer{}
	echo.Stdout = out
	if err := echo.Start(); err != nil {
		return err
	}
	h.track(echo)
	defer func() { echo.Process.Kill(); echo.Wait(); h.untrack(echo) }()
	for !strings.Contains(out.String(), "ready") {
		time.Sleep(10 * time.Millisecond)
	}
	for _, m := range h.selected(latencyMeasurements) {
		rep, err := h.pingThrough(m)
		if err != nil {
			return err
		}
		h.logf("latency %s: %+v", m.name, rep)
		r.latency[m] = rep
	}
	return nil
}

func (h *harness) pingThrough(m *measurement) (pingReport, error) {
	var rep pingReport
	queues := ""
	if m.consumer != nil {
		queues = m.consumer.queues
	}
	if err := h.net.setRules(queues, false); err != nil {
		return rep, err
	}
	if m.consumer != nil {
		p, err := h.start(m.consumer, h.cpusFor(m.consumer))
		if err != nil {
			return rep, err
		}
		defer p.stop()
	}
	msg := h.clean
	if m.consumer != nil && (m == mB1m || m == mRewr) {
		msg = h.dirty
	}
	out, err := h.role(h.net.a, "ping", "-dst", addrB+":"+sipPort, "-msg", msg, "-n", strconv.Itoa(h.pings))
	if err != nil {
		return rep, err
	}
	err = json.Unmarshal(out, &rep)
	return rep, err
}

// measureOverload sends pass-through traffic to smcd at twice its lossless rate: with fail-open,
// every packet must still arrive (the ones smcd cannot take pass unhandled), and smcd must
// still be running and stop cleanly.
func (h *harness) measureOverload(r *report) {
	rates := r.rates[mPass]
	if len(rates) == 0 {
		return
	}
	rate := 2 * medianRate(rates)
	t, err := h.trial(mPass, rate, h.trialLen, trialOptions{})
	if err != nil {
		r.overErr = err.Error()
		return
	}
	h.logf("overload: %s", t)
	r.overload = &t
}

func medianRate(rs []rateResult) int {
	v := make([]int, len(rs))
	for i, r := range rs {
		v[i] = r.rate
	}
	slices.Sort(v)
	return v[len(v)/2]
}

// machineInfo describes the machine for the report: CPU, cores, memory, kernel.
func machineInfo() string {
	model, _ := exec.Command("sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").Output()
	mem, _ := exec.Command("sh", "-c", "awk '/MemTotal/ {printf \"%.0f GiB\", $2/1048576}' /proc/meminfo").Output()
	kernel, _ := exec.Command("uname", "-r").Output()
	nproc, _ := exec.Command("nproc").Output()
	return fmt.Sprintf("%s, %s cores, %s, Linux %s", strings.TrimSpace(string(model)), strings.TrimSpace(string(nproc)),
		strings.TrimSpace(string(mem)), strings.TrimSpace(string(kernel)))
}
