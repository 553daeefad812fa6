package nfq

import (
	"errors"
	"fmt"
	goruntime "runtime"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/smcproject/smc/runtime"
)

// A Worker runs the chain on the packets of one Source and gives each its verdict. It owns its
// Machine and buffers: in steady state a packet costs no allocation, no goroutine and no channel
// operation. The chain is shared with the other workers through a ChainRef, and the worker picks up
// a new one between two packets.
type Worker struct {
	src      Source
	chain    *ChainRef
	current  *ChainSet
	using    atomic.Pointer[ChainSet] // current, for the reloader to read
	machines []*runtime.Machine       // one per binding of current
	machine  *runtime.Machine         // the one for the packet in hand
	rules    *ruleCounts              // the counts of its binding
	shadow   bool                     // its binding is a shadow one: the packet passes as it came
	responds Responder

	// DropOnError drops a packet whose processing failed (a panic, a packet that cannot be
	// rebuilt) instead of accepting it unchanged.
	DropOnError bool
	// Direction, when set, overrides the direction the hook of each packet implies.
	Direction *Direction
	// Audit, when set, takes every audit record.
	Audit Auditor
	// Observe, when set, sees each message the chain ran on and its result, before the verdict is
	// built from them: smcc pcap counts and prints them. It must keep neither, as the worker and
	// its Machine reuse their buffers.
	Observe func(msg []byte, r *runtime.Result)
	// AcksAsSent says that the packets come from a capture taken without smcd in the path, as
	// smcc pcap gives them: a peer's acknowledgements and SACK blocks count the other direction's
	// bytes as they were sent, never as a rewrite made them, so they already are what the sender
	// must see and pass untranslated. (Live, the peer acknowledges the rewritten stream, and the
	// worker translates that back; done to a capture, the translation would take the length
	// changes off a second time.) Sequence numbers are renumbered either way.
	AcksAsSent bool

	Stats Stats

	counts []*ruleCounts // one per binding of current
	totals *RuleTotals

	q       Queued
	pkt     Packet
	env     runtime.Env
	verdict Verdict
	out     []byte // the rebuilt packet
	payload []byte // the SIP payload being assembled, for TCP segments of several messages
	flows   flowTable
	shadows shadowWriter
	logf    func(kind string, err error)
}

// An Auditor takes the audit records of the messages the worker handles (AUDIT_RECORD,
// DROP_MSG_RECORD, and the shadow records of shadow bindings). It must not block: the packet waits
// for it, and the record's text is the worker's until Add returns.
type Auditor interface {
	Add(rec *runtime.AuditRecord, env *runtime.Env) bool
}

// A Responder sends the generated response to a rejected request back to its sender: from the
// address and port the request went to, to the address and port it came from.
type Responder interface {
	Respond(req *Packet, response []byte) error
}

// NewWorker returns a worker that reads src, runs the chain of ref on each packet, and sends the
// responses of rejects through resp (nil: rejected requests are only dropped). logf, if not nil,
// hears about every packet that could not be handled as asked; it must rate-limit itself.
func NewWorker(src Source, ref *ChainRef, resp Responder, logf func(kind string, err error)) *Worker {
	return NewCountingWorker(src, ref, resp, logf, nil)
}

// NewCountingWorker is NewWorker with the verdicts by rule added up in totals.
func NewCountingWorker(src Source, ref *ChainRef, resp Responder, logf func(kind string, err error), totals *RuleTotals) *Worker {
	w := &Worker{src: src, chain: ref, responds: resp, logf: logf, totals: totals,
		out: make([]byte, 0, 0x10000), payload: make([]byte, 0, 0x10000)}
	w.load()
	return w
}

func (w *Worker) load() {
	w.current = w.chain.Load()
	w.machines, w.counts = w.machines[:0], w.counts[:0]
	for _, b := range w.current.Bindings {
		w.machines = append(w.machines, runtime.NewMachine(b.Chain))
		w.counts = append(w.counts, newRuleCounts(b.Chain))
	}
	if w.totals != nil {
		w.totals.swap(w, w.counts)
	}
	w.using.Store(w.current)
}

// Using returns the chain set the worker runs now. After a ChainRef.Set, once every worker uses
// the new set, nothing runs the old one any more and its bundles can be closed.
func (w *Worker) Using() *ChainSet { return w.using.Load() }

// bind picks the machine of the first binding that takes the packet in hand, and reports false
// when none does.
func (w *Worker) bind(dir Direction) bool {
	for i := range w.current.Bindings {
		if b := &w.current.Bindings[i]; b.matches(w.q.Queue, dir, w.env.Remote.Addr()) {
			w.machine, w.rules, w.shadow = w.machines[i], w.counts[i], b.Shadow
			return true
		}
	}
	return false
}

// Run handles packets until stop is set, checking it at least once per poll interval of the
// source, and then drains the source (see drain). It returns the error that made the source
// unusable, or nil when stopped.
func (w *Worker) Run(stop *atomic.Bool) error {
	// A fault on memory the chain reads (a data table mapped from a file that shrank under it)
	// becomes a panic, which handle recovers: that packet passes, counted, and the worker goes
	// on. smcd maps private copies of its bundles, so this is the second line of defence.
	debug.SetPanicOnFault(true)
	last := time.Now()
	for !stop.Load() {
		if err := w.Step(); err != nil {
			return err
		}
		if now := time.Now(); now.Sub(last) > yieldEvery {
			goruntime.Gosched()
			last = now
		}
	}
	return w.drain()
}

// drainTimeout bounds a drain: a queue holds at most its length limit (8,192 packets by default,
// under a tenth of a second of work), so only a source that misbehaves takes longer.
const drainTimeout = 5 * time.Second

// ErrDrainTimeout reports a drain that did not end within drainTimeout.
var ErrDrainTimeout = errors.New("nfq: the queue was not drained in time")

// drain stops a Drainer's intake and runs the chain on every packet it still holds, so that the
// stop loses none of them and rewrites them as the chain says. A Source that is no Drainer is
// left as it is.
//
// The packets that arrive during the drain (a few milliseconds) pass unchanged, unless the worker
// tracks a live TCP connection whose length it changed: such a connection's segments must never
// pass with the sender's numbers, since the receiver would take part of one for data it has not
// had and the stream would be corrupt. Then they are dropped, and TCP sends them again once the
// next smcd runs, with the offsets the stop saved.
func (w *Worker) drain() error {
	d, ok := w.src.(Drainer)
	if !ok {
		return nil
	}
	if err := d.StopIntake(!w.flows.live()); err != nil {
		return err
	}
	for deadline := time.Now().Add(drainTimeout); time.Now().Before(deadline); {
		switch err := w.Step(); {
		case errors.Is(err, ErrDrained):
			return nil
		case err != nil:
			return err
		}
	}
	return ErrDrainTimeout
}

// yieldEvery is how often a worker yields to the Go scheduler. A goroutine that runs for 10 ms
// without being scheduled anew is preempted by the scheduler's monitor thread, which then also
// takes the worker's P whenever it waits in a syscall, and polls every 20 µs for a millisecond
// after each such event: at a low rate the monitor made two nanosleeps per packet (strace,
// BENCHMARKS.md). Yielding first costs one pass through the scheduler every few milliseconds.
const yieldEvery = 5 * time.Millisecond

// Step reads one packet and gives its verdict. Errors the worker can carry on after (a timeout, an
// overrun, a malformed message) are counted and return nil.
func (w *Worker) Step() error {
	if c := w.chain.Load(); c != w.current {
		w.load()
	}
	err := w.src.Next(&w.q)
	switch {
	case err == nil:
	case errors.Is(err, ErrTimeout):
		return nil
	case errors.Is(err, ErrOverrun):
		w.Stats.Overruns.Add(1)
		w.log("overrun", err)
		return nil
	case errors.Is(err, errMalformed):
		w.Stats.Errors[ErrKindNetlink].Add(1)
		w.log("netlink", err)
		return nil
	case errors.Is(err, ErrVerdictRefused):
		w.Stats.Errors[ErrKindVerdict].Add(1)
		w.log("verdict", err)
		return nil
	default:
		return err
	}
	start := time.Now()
	w.handle()
	w.Stats.Latency.Observe(time.Since(start))
	if err := w.src.Verdict(&w.verdict); err != nil {
		w.Stats.Errors[ErrKindVerdict].Add(1)
		w.log("verdict", err)
	}
	return nil
}

// handle decides the verdict of w.q into w.verdict. A panic anywhere in it is recovered here: the
// packet passes unchanged (or is dropped under DropOnError, unless its binding is a shadow one,
// which never drops), and the panic is counted and logged.
func (w *Worker) handle() {
	defer func() {
		if r := recover(); r != nil {
			w.verdict = Verdict{ID: w.q.ID, Drop: w.DropOnError && !w.shadow}
			w.Stats.Errors[ErrKindPanic].Add(1)
			w.log("panic", fmt.Errorf("panic handling packet %d: %v", w.q.ID, r))
		}
	}()
	w.verdict, w.shadow = Verdict{ID: w.q.ID}, false
	w.Stats.Packets.Add(1)
	w.Stats.Bytes.Add(uint64(len(w.q.Packet)))
	if err := Decode(w.q.Packet, &w.pkt); err != nil {
		w.Stats.Errors[kindOf(err)].Add(1)
		w.log(kindOf(err).String(), err)
		w.Stats.Verdicts[runtime.Accept].Add(1)
		return
	}
	dir := DirectionOf(w.q.Hook)
	if w.Direction != nil {
		dir = *w.Direction
	}
	w.env.Remote, w.env.Local = w.pkt.Endpoints(dir)
	w.env.Now = w.q.Time
	w.env.Transport = runtime.UDP
	if w.pkt.Proto == ProtoTCP {
		w.env.Transport = runtime.TCP
	}
	bound := w.bind(dir)
	if !bound {
		w.Stats.Unbound.Add(1)
	}
	if w.pkt.Proto == ProtoTCP {
		// Every packet of a connection goes through the TCP tracking, bound or not: a binding
		// limited to one direction runs the chain on that direction only, and the other
		// direction's acknowledgements must still be renumbered.
		w.handleTCP(bound)
		return
	}
	if !bound {
		w.Stats.Verdicts[runtime.Accept].Add(1)
		return
	}
	if len(w.pkt.Payload) == 0 {
		w.Stats.Verdicts[runtime.Accept].Add(1)
		return
	}
	r := w.machine.Run(w.pkt.Payload, &w.env)
	if w.shadow {
		w.shadowed(r, w.pkt.Payload)
		return
	}
	w.apply(r)
}

// audit hands the result's audit records to the Auditor, and counts those the message lost to
// their limits.
func (w *Worker) audit(r *runtime.Result) {
	if r.AuditLost > 0 {
		w.Stats.Limits[LimitAuditRecords].Add(uint64(r.AuditLost))
	}
	if w.Audit == nil {
		return
	}
	for i := range r.Audit {
		w.Audit.Add(&r.Audit[i], &w.env)
	}
}

// apply turns the result of the chain on a UDP datagram's message into the verdict.
func (w *Worker) apply(r *runtime.Result) {
	w.observe(w.pkt.Payload, r)
	w.audit(r)
	if w.failed(r) {
		w.verdict.Drop = w.DropOnError
	}
	w.Stats.Verdicts[r.Verdict].Add(1)
	w.rules.add(r)
	switch r.Verdict {
	case runtime.Drop:
		w.verdict.Drop = true
		return
	case runtime.Reject:
		w.verdict.Drop = true
		w.respond(r.Response)
		return
	case runtime.Modified:
		if !w.rebuild(r.Output) {
			return
		}
	}
	w.packetActions(r)
}

// observe shows a message and its result to Observe.
func (w *Worker) observe(msg []byte, r *runtime.Result) {
	if w.Observe != nil {
		w.Observe(msg, r)
	}
}

// failed counts and logs what kept the chain's result from the message: a payload that is not SIP
// (passed unchanged, SMC-SPEC §2), or rules that went past the output limit. It reports whether
// the rules' output was discarded, which --on-error drop turns into a drop; a message that is not
// SIP passes whatever the option says. The rules' warnings are counted too.
func (w *Worker) failed(r *runtime.Result) bool {
	for i := range r.Warnings {
		w.Stats.Warnings[r.Warnings[i].Kind].Add(1)
	}
	switch {
	case r.ParseError != nil:
		w.Stats.Errors[ErrKindNotSIP].Add(1)
		if l := limitOf(r.ParseError); l >= 0 {
			w.Stats.Limits[l].Add(1)
		}
		w.log(ErrKindNotSIP.String(), r.ParseError)
	case r.Overflow != nil:
		w.Stats.Errors[ErrKindOutputTooLarge].Add(1)
		if l := limitOf(r.Overflow); l >= 0 {
			w.Stats.Limits[l].Add(1)
		}
		w.log(ErrKindOutputTooLarge.String(), r.Overflow)
		return true
	}
	return false
}

// rebuild puts payload into the packet as w.out and makes it the verdict's packet. A packet that
// cannot be rebuilt (too large) keeps its original bytes, counted.
func (w *Worker) rebuild(payload []byte) bool {
	out, err := Rebuild(w.out, w.q.Packet, &w.pkt, payload)
	if err == nil && len(out) > MaxVerdictPacket {
		err = ErrTooLarge
	}
	if err != nil {
		w.Stats.Errors[kindOf(err)].Add(1)
		w.log("rebuild", err)
		w.verdict.Drop = w.DropOnError
		return false
	}
	w.out = out
	w.verdict.Packet = out
	return true
}

// packetActions applies SET_DSCP and SET_MARK to an accepted packet.
func (w *Worker) packetActions(r *runtime.Result) {
	if r.DSCP >= 0 {
		if w.verdict.Packet == nil {
			w.out = append(w.out[:0], w.q.Packet...)
			w.verdict.Packet = w.out
		}
		if err := SetDSCP(w.verdict.Packet, uint8(r.DSCP)); err != nil {
			w.Stats.Errors[kindOf(err)].Add(1)
		}
	}
	if r.HasMark {
		w.verdict.SetMark, w.verdict.Mark = true, r.Mark
		w.verdict.SetConnMark, w.verdict.ConnMark = true, r.Mark
	}
}

// respond sends the response of a reject, counting failures.
func (w *Worker) respond(response []byte) {
	if w.responds == nil {
		return
	}
	if err := w.responds.Respond(&w.pkt, response); err != nil {
		w.Stats.Errors[ErrKindRespond].Add(1)
		w.log("respond", err)
		return
	}
	w.Stats.Responses.Add(1)
}

func (w *Worker) log(kind string, err error) {
	if w.logf != nil {
		w.logf(kind, err)
	}
}
