package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// A measurement is a consumer (nil: no queue, B0) on a traffic mix.
type measurement struct {
	name     string
	consumer *consumer
	traffic  func(*harness) string
	about    string
}

// A trial is one run of the sender at a fixed rate, and what the kernel and the consumer counted.
type trial struct {
	rate        int
	sent        uint64
	seconds     float64 // how long the sender took; longer than asked when it could not keep up
	asked       time.Duration
	sendErrors  uint64
	sunk        uint64 // packets that reached the sink rule behind the queue
	sunkBytes   uint64
	queueDrops  uint64 // the kernel's queue_dropped + user_dropped
	handled     uint64 // packets the consumer says it handled
	hasConsumer bool
	cpu         time.Duration // CPU time the consumer used while the sender sent
	syscalls    *syscallCount // with trialOptions.strace
	stderr      string        // the consumer's output
}

// trialOptions ask a trial for more than counts.
type trialOptions struct {
	strace bool   // count the consumer's syscalls while the sender sends
	record string // run `perf record -g` on the consumer into this file while the sender sends
}

// senderBound tells whether the sender could not keep the rate: such a trial says nothing about
// the consumer.
func (t trial) senderBound() bool {
	return t.seconds > t.asked.Seconds()*1.03+0.02 || t.sendErrors > 0
}

// lossless: under 0.1% of the packets lost, none dropped by the queue, and under 0.1% passed by
// fail-open without the consumer (a packet the consumer never saw is lost to it).
func (t trial) lossless() bool {
	if t.senderBound() || t.sent == 0 {
		return false
	}
	if float64(t.sunk) < float64(t.sent)*0.999 || t.queueDrops > 0 {
		return false
	}
	return !t.hasConsumer || float64(t.handled) >= float64(t.sent)*0.999
}

func (t trial) String() string {
	return fmt.Sprintf("rate %d: sent %d in %.2fs (errors %d), sunk %d, queue drops %d, handled %d",
		t.rate, t.sent, t.seconds, t.sendErrors, t.sunk, t.queueDrops, t.handled)
}

// trial sends the measurement's traffic at rate for dur through a freshly started consumer.
func (h *harness) trial(m *measurement, rate int, dur time.Duration, o trialOptions) (trial, error) {
	t := trial{rate: rate, asked: dur, hasConsumer: m.consumer != nil}
	queues := ""
	if m.consumer != nil {
		queues = m.consumer.queues
	}
	if err := h.net.setRules(queues, true); err != nil {
		return t, err
	}
	var p *process
	if m.consumer != nil {
		var err error
		if p, err = h.start(m.consumer, h.cpusFor(m.consumer)); err != nil {
			return t, err
		}
	}
	stopped := false
	defer func() {
		if p != nil && !stopped {
			p.stop()
		}
	}()
	before, beforeBytes, err := h.net.sunk()
	if err != nil {
		return t, err
	}
	var tracer *straceProcess
	if o.strace {
		if tracer, err = startStrace(p); err != nil {
			return t, err
		}
	}
	if o.record != "" && p != nil {
		rec := exec.Command("perf", "record", "-g", "-o", o.record, "-p", strconv.Itoa(p.cmd.Process.Pid))
		if err := rec.Start(); err != nil {
			return t, err
		}
		defer func() { rec.Process.Signal(syscall.SIGINT); rec.Wait() }()
	}
	var cpu0 time.Duration
	if p != nil {
		cpu0, _ = p.cpuTime()
	}
	rep, err := h.send(m.traffic(h), rate, dur)
	if err != nil {
		return t, err
	}
	t.sent, t.seconds, t.sendErrors = rep.Sent, rep.Seconds, rep.Errors
	after, afterBytes, err := h.drain(before)
	if err != nil {
		return t, err
	}
	t.sunk, t.sunkBytes = after-before, afterBytes-beforeBytes
	if p != nil {
		cpu1, _ := p.cpuTime()
		t.cpu = cpu1 - cpu0
	}
	if tracer != nil {
		if t.syscalls, err = tracer.stop(); err != nil {
			return t, err
		}
	}
	if p != nil {
		if t.queueDrops, err = h.net.queueDrops(); err != nil {
			return t, err
		}
		stopped = true
		t.handled, err = p.stop()
		t.stderr = p.out.String()
		if err != nil {
			return t, err
		}
	}
	return t, nil
}

// drain waits until the sink's count stops moving: the queue has given back what it held.
func (h *harness) drain(before uint64) (pkts, bytes uint64, err error) {
	last := before
	for i := 0; i < 40; i++ {
		time.Sleep(50 * time.Millisecond)
		if pkts, bytes, err = h.net.sunk(); err != nil || (i > 1 && pkts == last) {
			return pkts, bytes, err
		}
		last = pkts
	}
	return pkts, bytes, nil
}

// A rate result is the highest lossless rate one search found.
type rateResult struct {
	rate          int
	senderLimited bool // the sender could go no faster: the consumer's limit is higher
	confirm       trial
}

// highestLossless finds the highest rate at which a full trial is lossless. Short probes double
// the rate until one fails, then bisect to 5%; a probe that fails because the consumer fell
// behind also says how fast it went (what it handled over the time), which bounds the next
// guess. A full trial confirms the result; when it fails, the rate steps down (at least 5%) and
// it tries again. Probes alone would overrate a consumer: the queue and the socket buffer hide a
// small deficit for a few seconds.
func (h *harness) highestLossless(m *measurement, start int) (rateResult, error) {
	var res rateResult
	lo, hi := 0, 0 // the highest rate known lossless, the lowest known not to be (0: none yet)
	rate := start
	for hi == 0 || hi-lo > hi/20 {
		if hi != 0 && hi < 1000 {
			return res, fmt.Errorf("%s: not lossless even at %d packets a second", m.name, hi)
		}
		t, err := h.trial(m, rate, h.probeLen, trialOptions{})
		if err != nil {
			return res, err
		}
		h.logf("  %s probe %s", m.name, t)
		if t.lossless() {
			lo = rate
		} else {
			hi = rate
			res.senderLimited = t.senderBound()
		}
		switch {
		case hi == 0:
			rate *= 2
		default:
			rate = (lo + hi) / 2
			if pace := t.consumerPace(); pace > lo && pace < rate {
				rate = pace
			}
		}
	}
	for step := 0; step < 8 && lo >= 1000; step++ {
		t, err := h.trial(m, lo, h.trialLen, trialOptions{})
		if err != nil {
			return res, err
		}
		h.logf("  %s confirm %s", m.name, t)
		if t.lossless() {
			res.rate, res.confirm = lo, t
			return res, nil
		}
		res.senderLimited = res.senderLimited && t.senderBound()
		lo = min(lo*95/100, max(t.consumerPace()*98/100, lo/2))
	}
	return res, fmt.Errorf("%s: no full trial was lossless down to %d packets a second", m.name, lo)
}

// consumerPace is how many packets a second the consumer handled in a trial it could not keep up
// with (0 when it did, or when there is no consumer).
func (t trial) consumerPace() int {
	if !t.hasConsumer || float64(t.handled) >= float64(t.sent)*0.999 || t.seconds == 0 {
		return 0
	}
	return int(float64(t.handled) / t.seconds)
}

func (h *harness) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}
