package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/smcproject/smc/auditlog"
	"github.com/smcproject/smc/daemon"
	"github.com/smcproject/smc/nfq"
)

// options are what smcd's command line asks for: the daemon's configuration, or only the build.
type options struct {
	daemon.Config
	version bool // --version: print the build and exit
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// parseFlags reads the command line into the daemon's configuration: the defaults, then the
// configuration file's settings (--config, daemon.ReadConfigFile), then the flags given, which
// win. Each setting's flag and its default are here; what it means is in daemon.Config.Set.
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("smcd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "smcd "+about+".\n\n"+usage)
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
	fs.Bool("fail-closed", false, "drop packets when a queue is full instead of accepting them unchanged (NFQA_CFG_F_FAIL_OPEN off)")
	fs.Bool("shadow", false, "run every binding's chain in the shadow of live traffic: every packet passes as it came, and what the chain would have changed is counted and written to the audit log (kind shadow)")
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
	opts := &options{Config: daemon.Config{Queue: nfq.QueueConfig{MaxLen: nfq.DefaultMaxLen, RcvBuf: nfq.DefaultRcvBuf}, Queues: []uint16{0}, Watch: time.Second,
		StateDir: *stateDir,
		Audit: auditlog.Config{MaxFileBytes: auditlog.DefaultMaxFileBytes, MaxAge: auditlog.DefaultMaxAge,
			KeepFiles: auditlog.DefaultKeepFiles, KeepBytes: auditlog.DefaultKeepBytes}}}
	if *config != "" {
		if err := daemon.ReadConfigFile(*config, &opts.Config, set); err != nil {
			return nil, err
		}
	}
	var err error
	fs.Visit(func(f *flag.Flag) {
		if e := opts.Set(f.Name, f.Value.String()); e != nil && err == nil {
			err = fmt.Errorf("--%s %v", f.Name, e)
		}
	})
	if err != nil {
		return nil, err
	}
	if *bundle != "" || len(profiles) > 0 {
		opts.Bindings = []daemon.Binding{{Name: "all", Bundle: *bundle, Profiles: profiles}}
	}
	return opts, nil
}

// defaultStateDir is --state-dir's default: the folder systemd made for the unit's StateDirectory=
// and named in $STATE_DIRECTORY, the first when the unit names several (colon-separated); none
// outside systemd, where keeping state is asked for with the flag.
func defaultStateDir(env string) string {
	first, _, _ := strings.Cut(env, ":")
	return first
}
