// Package daemon is smcd's daemon: it loads the chains of its bindings, binds its NFQUEUE queues
// with one worker each, and runs until it is told to stop, reloading the chains when asked and
// when a bundle file changes. Run is the whole of it; cmd/smcd turns the command line and the
// signals into a Config and a context.
//
// One stage per file: the configuration (config.go), loading the chains (load.go) from files
// that no other user may change (trust.go), noticing a new bundle (watch.go), the metrics
// (metrics.go), the log of bad packets (ratelimit.go), the TCP offsets kept across a restart
// (state.go), the service manager's protocol (notify.go), and the checks and changes made at
// start: capabilities (caps_linux.go) and conntrack (conntrack.go).
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	goruntime "runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smcproject/smc/auditlog"
	"github.com/smcproject/smc/nfq"
)

// daemon is a running smcd: the chain, one worker per queue, and what reloads the chain.
type daemon struct {
	cfg     *Config
	log     *slog.Logger
	ref     *nfq.ChainRef
	current *loaded
	workers []*nfq.Worker
	queues  []*nfq.Queue
	resp    *nfq.RawResponder
	stopped atomic.Bool
	wg      sync.WaitGroup
	failed  chan error
	limiter *rateLimiter
	totals  *nfq.RuleTotals
	audit   *auditlog.Log // nil without --audit-dir
	metrics net.Listener  // nil without --metrics
	exports bool          // the collector is registered on cfg.Registerer

	reloadsOK, reloadsFailed atomic.Uint64
	info                     atomic.Pointer[[2]string] // the chain's name and profiles, for metrics
	digest                   atomic.Pointer[string]    // the running chain's digest, for metrics
	seen                     map[string]fileID         // the bundle files' versions last loaded or tried
}

// Run runs the daemon until ctx is done or a worker fails. It loads the chains, binds every queue
// and starts a worker on each, and tells the service manager it is ready; it reloads the chains
// when cfg.Reload asks and when the watch finds a bundle file changed; at the end of ctx, whose
// cause (context.Cause: smcd's main gives the signal) it logs, it drains the queues and stops.
// Run logs what goes wrong when it does; the error it returns, for the exit status, is why it did
// not start, why it stopped, or what went wrong in stopping.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	log := cfg.Log
	notify := notifier(cfg.NotifySocket, log)
	d, err := start(&cfg)
	if err != nil {
		log.Error("cannot start", "err", err)
		notify("STATUS=cannot start: " + err.Error())
		return err
	}
	notify("READY=1", "STATUS="+status(d))
	var watch <-chan time.Time
	if cfg.Watch > 0 {
		t := time.NewTicker(cfg.Watch)
		defer t.Stop()
		watch = t.C
	}
	for {
		select {
		case why := <-cfg.Reload:
			reload(d, notify, why)
		case <-ctx.Done():
			why := context.Cause(ctx).Error()
			log.Info("stopping", "signal", why)
			notify("STOPPING=1", "STATUS=stopping on "+why)
			if err := d.stop(); err != nil {
				log.Error("stopped with an error", "err", err)
				return err
			}
			log.Info("stopped", "packets", d.packets())
			return nil
		case <-watch:
			if d.bundleChanged() {
				reload(d, notify, "bundle file changed")
			}
		case err := <-d.failed:
			log.Error("a worker failed; stopping", "err", err)
			notify("STOPPING=1", "STATUS=a worker failed: "+err.Error())
			d.stop()
			return err
		}
	}
}

// reload reloads the chain between RELOADING=1 and READY=1, so that systemd shows smcd as
// reloading until it is done (and, under Type=notify-reload, `systemctl reload` waits for it),
// and leaves a status line that says whether it took. A failed reload keeps the running chain
// (daemon.reload).
func reload(d *daemon, notify func(...string), why string) {
	notify("RELOADING=1", "MONOTONIC_USEC="+monotonicUsec(), "STATUS=reloading: "+why)
	err := d.reload(why)
	line := status(d)
	if err != nil {
		line = "the reload (" + why + ") failed, see the log; still running: " + line
	}
	notify("READY=1", "STATUS="+line)
}

// start loads the chain, binds every queue, and starts the workers. Nothing is started when any
// queue cannot be bound.
func start(cfg *Config) (*daemon, error) {
	log := cfg.Log
	seen := versions(cfg)
	l, err := load(cfg, 0)
	if err != nil {
		return nil, err
	}
	d := &daemon{cfg: cfg, log: log, ref: nfq.NewChainSetRef(l.set), current: l, failed: make(chan error, len(cfg.Queues)),
		limiter: newRateLimiter(packetLogBurst, time.Second), totals: nfq.NewRuleTotals(), seen: seen}
	d.setInfo(l)
	if d.resp, err = nfq.NewRawResponder(cfg.ResponseMark); err != nil {
		l.close()
		return nil, err
	}
	if cfg.Audit.Dir != "" {
		audit := cfg.Audit
		audit.Errorf = func(format string, args ...any) { log.Warn(fmt.Sprintf(format, args...)) }
		if d.audit, err = auditlog.Open(audit); err != nil {
			d.closeAll()
			return nil, err
		}
	}
	for _, num := range cfg.Queues {
		qc := cfg.Queue
		qc.Num = num
		q, err := nfq.OpenQueue(qc)
		if err != nil {
			d.closeAll()
			return nil, err
		}
		d.queues = append(d.queues, q)
		w := nfq.NewCountingWorker(q, d.ref, d.resp, d.logPacket, d.totals)
		w.DropOnError, w.Direction = cfg.DropOnError, cfg.Direction
		if d.audit != nil {
			w.Audit = d.audit
		}
		d.workers = append(d.workers, w)
	}
	if err := d.exportMetrics(); err != nil {
		d.closeAll()
		return nil, err
	}
	d.loadTCPState()
	ensureProcs(len(d.workers))
	for i, w := range d.workers {
		d.wg.Add(1)
		go d.runWorker(cfg.Queues[i], w)
	}
	if err := dropCapabilities(); err != nil {
		log.Warn("kept all capabilities", "err", err)
	}
	if w := conntrackWarning(); w != "" {
		log.Warn(w)
	}
	names, profiles := l.describe()
	log.Info("started", append([]any{"bindings", names, "profiles", profiles, "queues", fmt.Sprint(cfg.Queues), "digest", l.digest()}, l.shadowAttr()...)...)
	d.warnShadowUnheard(l)
	return d, nil
}

// warnShadowUnheard warns when shadow bindings run without an audit log: what they would have
// changed is then only counted (smc_shadow_verdicts_total), never shown.
func (d *daemon) warnShadowUnheard(l *loaded) {
	if shadows := l.shadows(); shadows != "" && d.audit == nil {
		d.log.Warn("shadow bindings without --audit-dir: what they would have changed is only counted, not recorded", "shadow", shadows)
	}
}

// ensureProcs gives the Go scheduler a P for each worker and one more. A worker spends its idle
// time blocked in a receive syscall while holding its P; when no P is left idle (GOMAXPROCS
// follows the CPU affinity, so smcd pinned to one CPU gets 1), the scheduler's monitor takes the
// P back after 20 µs of every such wait and keeps polling at that interval, which cost a pinned
// smcd a quarter of its CPU in context switches (measured with perf, BENCHMARKS.md). A spare P
// lets the monitor leave a worker's syscalls alone.
func ensureProcs(workers int) {
	if goruntime.GOMAXPROCS(0) < workers+1 {
		goruntime.GOMAXPROCS(workers + 1)
	}
}

// runWorker runs one worker until the daemon stops. It is not locked to its thread: the
// worker yields to the scheduler every few milliseconds (nfq.Worker.Run), and a locked
// goroutine costs a thread handoff, four futex calls, at every yield; unlocked, it simply
// continues on the same thread, since ensureProcs leaves it a P of its own.
func (d *daemon) runWorker(num uint16, w *nfq.Worker) {
	defer d.wg.Done()
	if err := w.Run(&d.stopped); err != nil {
		d.failed <- fmt.Errorf("queue %d: %w", num, err)
	}
}

// reload loads the chain again and swaps it in; on failure the running chain stays, the error is
// logged and returned, and the watch tries again when a bundle file, or who may write it or its
// folder, changes.
//
// The bindings are read again (Config.Reread: smcd's command line and configuration file), with
// which of them run in shadow, so that a SIGHUP also picks up a changed configuration; settings
// that need the queues rebound (queues, queue length, buffers) keep their running values, with a
// warning.
//
// The loading paces itself (reloadPause): the workers, which the traffic waits for, may share its
// core, and a reload copies, hashes and verifies whole bundles. The swap itself is one atomic
// store; each worker picks the new set up between two packets.
func (d *daemon) reload(why string) error {
	if d.audit != nil {
		d.audit.Flush()
	}
	l, err := d.reread()
	if err != nil {
		d.reloadsFailed.Add(1)
		d.log.Error("reload failed; the running chain stays", "why", why, "err", err)
		return err
	}
	old := d.current
	d.ref.SetBindings(l.set)
	d.current = l
	d.setInfo(l)
	d.reloadsOK.Add(1)
	names, profiles := l.describe()
	d.log.Info("reloaded", append([]any{"why", why, "bindings", names, "profiles", profiles, "digest", l.digest()}, l.shadowAttr()...)...)
	d.warnShadowUnheard(l)
	go d.retire(old)
	return nil
}

// reread reads the configuration again (Config.Reread), notes the versions of the bundle files
// it names, and loads the chains of their bindings.
func (d *daemon) reread() (*loaded, error) {
	if d.cfg.Reread != nil {
		cfg, err := d.cfg.Reread()
		if err != nil {
			d.seen = versions(d.cfg)
			return nil, err
		}
		if fmt.Sprint(cfg.Queues) != fmt.Sprint(d.cfg.Queues) || cfg.Queue != d.cfg.Queue || cfg.Metrics != d.cfg.Metrics {
			d.log.Warn("changed queues, queue settings or metrics address take effect at the next start", "queues", fmt.Sprint(d.cfg.Queues))
		}
		d.cfg.Bindings, d.cfg.Shadow = cfg.Bindings, cfg.Shadow
	}
	d.seen = versions(d.cfg) // before loading: a file that changes meanwhile is loaded again
	return load(d.cfg, reloadPause)
}

// retire closes the old chain's bundle once no worker runs it: each worker picks up the new chain
// at its next packet or poll interval.
func (d *daemon) retire(old *loaded) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		busy := false
		for _, w := range d.workers {
			if w.Using() == old.set {
				busy = true
			}
		}
		if !busy {
			old.close()
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	d.log.Warn("a worker still runs the previous chain; its bundle stays mapped")
}

func (d *daemon) setInfo(l *loaded) {
	names, profiles := l.describe()
	d.info.Store(&[2]string{names, profiles})
	digest := l.digest()
	d.digest.Store(&digest)
}

// chainDigest is the SHA-256 of the running chain's bundles (loaded.digest).
func (d *daemon) chainDigest() string {
	if p := d.digest.Load(); p != nil {
		return *p
	}
	return "" // no chain loaded yet
}

func (d *daemon) chainInfo() (name, profiles string) {
	i := d.info.Load()
	return i[0], i[1]
}

// stop loses no packet: each worker stops its queue's intake, so that the kernel accepts new
// packets unchanged (as fail-open does; dropped with --fail-closed), runs the chain on every
// packet still queued, and only then do the queues get unbound, since the kernel drops what an
// unbound queue holds. Packets arriving after that take the rule's --queue-bypass.
func (d *daemon) stop() error {
	d.stopped.Store(true)
	d.wg.Wait()
	var errs []error
	for len(d.failed) > 0 {
		errs = append(errs, <-d.failed)
	}
	errs = append(errs, d.saveTCPState())
	return errors.Join(append(errs, d.closeAll())...)
}

func (d *daemon) closeAll() error {
	var errs []error
	for _, q := range d.queues {
		errs = append(errs, q.Close())
	}
	if d.resp != nil {
		d.resp.Close()
	}
	d.closeMetrics()
	if d.audit != nil {
		d.audit.Close() // after the workers: every record they took is written
		if lost := d.audit.Stats.LostFull.Load() + d.audit.Stats.LostWrite.Load(); lost > 0 {
			d.log.Warn("audit records lost", "buffer_full", d.audit.Stats.LostFull.Load(), "write_failed", d.audit.Stats.LostWrite.Load())
		}
	}
	d.current.close()
	return errors.Join(errs...)
}

func (d *daemon) packets() uint64 {
	var n uint64
	for _, w := range d.workers {
		n += w.Stats.Packets.Load()
	}
	return n
}
