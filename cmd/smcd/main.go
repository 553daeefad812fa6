// Command smcd rewrites live SIP traffic: it takes packets from the kernel through NFQUEUE, runs
// the compiled SMC chain on each, and gives the kernel its verdict. One worker per queue, each a
// goroutine with a P of its own and its own netlink socket, machine and buffers.
//
//	smcd --queues 0:1 --bundle chain.smcb
//	smcd --queues 0 -p normalize.json -p block.json
//
// See docs/smcd.md for deployment, and `smcd -h` for the flags.
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/smcproject/smc/auditlog"
	"github.com/smcproject/smc/nfq"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the daemon's settings, from its flags and configuration file.
type options struct {
	queues       []uint16
	bindings     []bindingConfig
	dropOnError  bool
	direction    *nfq.Direction
	queue        nfq.QueueConfig
	responseMark uint32
	watch        time.Duration // how often the bundle file is checked for a change; 0: never
	metrics      string        // address of the Prometheus endpoint; "": none
	args         []string      // as given, to read the configuration again on reload
	audit        auditlog.Config
	stateDir     string // where state that outlives a restart is kept; "": nowhere
	version      bool   // --version: print the build and exit
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

const usage = `usage: smcd [flags]            run the daemon
       smcd check [flags]      load the chain and open nothing: exit 0 when it loads
       smcd rules [-h]         print the firewall rules (iptables or nft) that feed the queues
       smcd --version          print the build: version, commit, Go version

Flags:
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "rules" {
		return rulesMain(args[1:], stdout, stderr)
	}
	check := len(args) > 0 && args[0] == "check"
	if check {
		args = args[1:]
	}
	opts, err := parseFlags(args, stderr)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		fmt.Fprintln(stderr, "smcd:", err)
		return 2
	}
	if opts.version {
		fmt.Fprintln(stdout, thisBuild.Line("smcd"))
		return 0
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if check {
		l, err := load(opts, 0)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		for _, b := range l.set.Bindings {
			n := len(b.Chain.Programs)
			fmt.Fprintf(stdout, "%s: ok, %d profile%s\n", b.Name, n, map[bool]string{true: "", false: "s"}[n == 1])
		}
		l.close()
		return 0
	}
	socket := os.Getenv("NOTIFY_SOCKET")
	notify := func(lines ...string) {
		if err := sdNotify(socket, lines...); err != nil {
			log.Warn("cannot notify the service manager", "socket", socket, "err", err)
		}
	}
	// The signals are caught before READY=1 tells systemd that `systemctl reload` may send SIGHUP,
	// whose default action would end smcd.
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	d, err := start(opts, log)
	if err != nil {
		log.Error("cannot start", "err", err)
		notify("STATUS=cannot start: " + err.Error())
		return 1
	}
	notify("READY=1", "STATUS="+status(d))
	var watch <-chan time.Time
	if opts.watch > 0 {
		t := time.NewTicker(opts.watch)
		defer t.Stop()
		watch = t.C
	}
	for {
		select {
		case s := <-signals:
			if s == syscall.SIGHUP {
				reload(d, notify, "SIGHUP")
				continue
			}
			log.Info("stopping", "signal", s.String())
			notify("STOPPING=1", "STATUS=stopping on "+s.String())
			err := d.stop()
			if err != nil {
				log.Error("stopped with an error", "err", err)
				return 1
			}
			log.Info("stopped", "packets", d.packets())
			return 0
		case <-watch:
			if d.bundleChanged() {
				reload(d, notify, "bundle file changed")
			}
		case err := <-d.failed:
			log.Error("a worker failed; stopping", "err", err)
			notify("STOPPING=1", "STATUS=a worker failed: "+err.Error())
			d.stop()
			return 1
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

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("smcd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	var profiles listFlag
	config := fs.String("config", "", "a configuration file: queues, settings, and chains bound to queues, directions and peers (docs/smcd.md)")
	bundle := fs.String("bundle", "", "the compiled chain to run (smcc compile), for all traffic")
	fs.Var(&profiles, "p", "a profile of the chain, in order (repeat); instead of --bundle")
	fs.String("queues", "0", "the NFQUEUE queues to serve, one worker each: N, A:B (as --queue-balance A:B), or a list N,M")
	fs.String("on-error", "accept", "what happens to a packet whose processing failed: accept (unchanged) or drop")
	fs.String("direction", "auto", "which end of a packet is the peer: auto (from the hook: received and forwarded packets come from the peer, the host's own go to it), inbound or outbound")
	fs.String("metrics", "", "serve Prometheus metrics at http://ADDR/metrics; a bare port or :PORT listens on 127.0.0.1 only, give HOST:PORT (a management address, or 0.0.0.0) to listen elsewhere")
	fs.String("queue-maxlen", strconv.Itoa(nfq.DefaultMaxLen), "packets the kernel holds per queue before fail-open applies")
	fs.String("rcvbuf", strconv.Itoa(nfq.DefaultRcvBuf), "netlink receive buffer per queue, bytes")
	closed := fs.Bool("fail-closed", false, "drop packets when a queue is full instead of accepting them unchanged (NFQA_CFG_F_FAIL_OPEN off)")
	fs.String("response-mark", "0", "packet mark of the reject responses smcd sends, so queue rules can skip them (0: none)")
	fs.String("watch", "1s", "how often to check the bundle files for a new version (0: only on SIGHUP)")
	fs.String("audit-dir", "", "write the audit records (AUDIT_RECORD, DROP_MSG_RECORD) to zstd-compressed, rotated files in this folder; read them with smcc audit cat")
	fs.String("audit-max-file-size", "64M", "start a new audit file when the current one reaches this size (K, M, G suffixes)")
	fs.String("audit-max-age", "1h", "start a new audit file when the current one is this old")
	fs.String("audit-keep-files", strconv.Itoa(auditlog.DefaultKeepFiles), "delete the oldest audit files beyond this many (-1: no limit)")
	fs.String("audit-keep-bytes", "4G", "delete the oldest audit files while they take more than this together (-1: no limit)")
	stateDir := fs.String("state-dir", defaultStateDir(os.Getenv("STATE_DIRECTORY")), "keep what must outlive a restart (the TCP connections' sequence offsets) in this folder; the default is the one systemd's StateDirectory= gives ($STATE_DIRECTORY), else none")
	version := fs.Bool("version", false, "print the build (version, commit, Go version) and exit")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *version {
		return &options{version: true}, nil
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *bundle != "" && len(profiles) > 0 {
		return nil, fmt.Errorf("give the chain as --bundle FILE or as -p PROFILE..., not both")
	}
	if *config == "" && *bundle == "" && len(profiles) == 0 {
		return nil, fmt.Errorf("give the chain: --bundle FILE, -p PROFILE..., or --config FILE")
	}
	opts := &options{queue: nfq.QueueConfig{MaxLen: nfq.DefaultMaxLen, RcvBuf: nfq.DefaultRcvBuf}, queues: []uint16{0}, watch: time.Second,
		stateDir: *stateDir,
		audit: auditlog.Config{MaxFileBytes: auditlog.DefaultMaxFileBytes, MaxAge: auditlog.DefaultMaxAge,
			KeepFiles: auditlog.DefaultKeepFiles, KeepBytes: auditlog.DefaultKeepBytes}}
	if *config != "" {
		if err := readConfig(*config, opts, set); err != nil {
			return nil, err
		}
	}
	var err error
	fs.Visit(func(f *flag.Flag) {
		if e := applySetting(opts, f.Name, f.Value.String()); e != nil && err == nil {
			err = fmt.Errorf("--%s %v", f.Name, e)
		}
	})
	if err != nil {
		return nil, err
	}
	if set["fail-closed"] {
		opts.queue.FailClosed = *closed
	}
	if *bundle != "" || len(profiles) > 0 {
		opts.bindings = []bindingConfig{{name: "all", bundle: *bundle, profiles: profiles}}
	}
	opts.args = args
	return opts, nil
}

// defaultStateDir is --state-dir's default: the folder systemd made for the unit's StateDirectory=
// and named in $STATE_DIRECTORY, the first when the unit names several (colon-separated); none
// outside systemd, where keeping state is asked for with the flag.
func defaultStateDir(env string) string {
	first, _, _ := strings.Cut(env, ":")
	return first
}

// parseQueues reads N, A:B or N,M,...
func parseQueues(s string) ([]uint16, error) {
	bad := fmt.Errorf("%q: a queue number 0..65535, a range A:B, or a list N,M", s)
	var out []uint16
	seen := map[uint16]bool{}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, ":")
		a, err := strconv.ParseUint(strings.TrimSpace(lo), 10, 16)
		if err != nil {
			return nil, bad
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(strings.TrimSpace(hi), 10, 16); err != nil || b < a {
				return nil, bad
			}
		}
		for q := a; q <= b; q++ {
			if !seen[uint16(q)] {
				seen[uint16(q)] = true
				out = append(out, uint16(q))
			}
		}
	}
	if len(out) > 1024 {
		return nil, fmt.Errorf("%q: %d queues; one worker per queue, and at most 1024", s, len(out))
	}
	return out, nil
}
