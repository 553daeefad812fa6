package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/runtime"
)

var runCommand = &command{
	name:    "run",
	summary: "apply a chain of profiles to one SIP message",
	usage:   "smcc run [-p PROFILE]... [--bundle BUNDLE] [--remote IP:PORT] [--local IP:PORT] [--transport udp|tcp] [--time RFC3339] [--rand N] [--trace] [MESSAGE_FILE | -]",
}

func init() { runCommand.run = runMain }

// Defaults of SMC-SPEC §10.
const (
	defaultRemote = "192.0.2.1:5060"
	defaultLocal  = "192.0.2.2:5060"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// parseInterleaved parses flags that may come before or after the positional arguments, as users
// write both `smcc run -p a.json msg.sip` and `smcc run msg.sip -p a.json`.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func newFlagSet(c *command, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintf(stderr, "usage: %s\nRun 'smcc help %s' for details.\n", c.usage, c.name) }
	return fs
}

func runMain(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet(runCommand, stderr)
	var profiles listFlag
	fs.Var(&profiles, "p", "profile (repeat for a chain)")
	bundlePath := fs.String("bundle", "", "compiled bundle (instead of profiles)")
	remote := fs.String("remote", defaultRemote, "peer address")
	local := fs.String("local", defaultLocal, "local address")
	transport := fs.String("transport", "udp", "udp or tcp")
	at := fs.String("time", "", "RFC 3339 time")
	randN := fs.Int("rand", 0, "value of every {$SMC.RandN}")
	trace := fs.Bool("trace", false, "trace to stderr")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	env, err := makeEnv(*remote, *local, *transport, *at, *randN)
	if err == nil && len(files) > 1 {
		err = errors.New("give one message file")
	}
	if err == nil && len(profiles) == 0 && *bundlePath == "" {
		err = errors.New("give at least one profile with -p, or a bundle with --bundle")
	}
	if err != nil {
		fmt.Fprintf(stderr, "smcc run: %v\n", err)
		fs.Usage()
		return exitUsage
	}
	msg, err := readMessage(files)
	if err != nil {
		fmt.Fprintf(stderr, "smcc run: %v\n", err)
		return exitUsage
	}
	chain, ok := loadChain(profiles, *bundlePath, stderr)
	if !ok {
		return exitFailed
	}
	m := runtime.NewMachine(chain)
	if *trace {
		m.SetTrace(stderr)
	}
	res := m.Run(msg, env)
	writeResult(stdout, stderr, res, env)
	return exitOK
}

func readMessage(files []string) ([]byte, error) {
	if len(files) == 0 || files[0] == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(files[0])
}

// makeEnv checks the flags that describe the packet; `at` empty means the clock.
func makeEnv(remote, local, transport, at string, randN int) (*runtime.Env, error) {
	env := &runtime.Env{Rand: randN}
	var err error
	if env.Remote, err = netip.ParseAddrPort(remote); err != nil {
		return nil, fmt.Errorf("remote %q is not IP:PORT", remote)
	}
	if env.Local, err = netip.ParseAddrPort(local); err != nil {
		return nil, fmt.Errorf("local %q is not IP:PORT", local)
	}
	switch strings.ToLower(transport) {
	case "udp":
	case "tcp":
		env.Transport = runtime.TCP
	default:
		return nil, fmt.Errorf("transport %q is not udp or tcp", transport)
	}
	if at != "" {
		if env.Now, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return nil, fmt.Errorf("time %q is not an RFC 3339 time", at)
		}
	}
	if randN < 0 {
		return nil, fmt.Errorf("rand must be a positive number")
	}
	return env, nil
}

// compileChain compiles the profiles in order, writing every diagnostic to w.
func compileChain(paths []string, w io.Writer) (*runtime.Chain, bool) {
	progs, diags := compile.CompileFiles(paths, nil)
	for _, d := range diags {
		fmt.Fprintln(w, d)
	}
	if progs == nil {
		return nil, false
	}
	chain, err := runtime.NewChain(progs...)
	if err != nil {
		fmt.Fprintln(w, err)
		return nil, false
	}
	return chain, true
}

// writeResult prints a result as SMC-SPEC §10 describes.
func writeResult(stdout, stderr io.Writer, res *runtime.Result, env *runtime.Env) {
	switch res.Verdict {
	case runtime.Accept, runtime.Modified:
		stdout.Write(res.Output)
	case runtime.Reject:
		stdout.Write(res.Response)
	}
	if res.ParseError != nil {
		fmt.Fprintf(stderr, "note: not parsed as SIP: %v; passed unchanged\n", res.ParseError)
	}
	if res.Overflow != nil {
		fmt.Fprintf(stderr, "note: %v (the limit is runtime.MaxOutputSize, docs/limits.md); passed unchanged\n", res.Overflow)
	}
	if res.AuditLost > 0 {
		fmt.Fprintf(stderr, "note: %d audit records lost: a message keeps at most %d records and %d bytes of their text\n", res.AuditLost, runtime.MaxAuditRecords, runtime.MaxAuditText)
	}
	fmt.Fprintf(stderr, "verdict: %s\n", verdictString(res))
	if res.DSCP >= 0 {
		fmt.Fprintf(stderr, "dscp: %d\n", res.DSCP)
	}
	if res.HasMark {
		fmt.Fprintf(stderr, "mark: %d\n", res.Mark)
	}
	ts := env.Now
	if ts.IsZero() {
		ts = time.Now()
	}
	for i := range res.Audit {
		line := res.Audit[i].AppendJSON(nil, ts, env)
		stderr.Write(append(line, '\n'))
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "warning: profile %d rule %d: %s\n", w.Profile, w.Rule, w.Text)
	}
}

func verdictString(res *runtime.Result) string {
	if res.Verdict == runtime.Reject {
		return "reject " + strconv.Itoa(res.Code)
	}
	return res.Verdict.String()
}
