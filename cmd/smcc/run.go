package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/runtime"
)

var runCommand = &command{
	name:    "run",
	summary: "apply a chain of profiles to one SIP message",
	usage: "smcc run [-p PROFILE]... [--bundle BUNDLE] [--remote IP:PORT] [--local IP:PORT]\n" +
		"                [--transport udp|tcp] [--time RFC3339] [--rand N] [--trace] [MESSAGE_FILE | -]",
}

func init() { runCommand.run = runMain }

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
	remote := fs.String("remote", smctest.DefaultRemote, "peer address")
	local := fs.String("local", smctest.DefaultLocal, "local address")
	transport := fs.String("transport", "udp", "udp or tcp")
	at := fs.String("time", "", "RFC 3339 time")
	randN := fs.Int("rand", 0, "value of every {$SMC.RandN}")
	trace := fs.Bool("trace", false, "trace to stderr")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	env, err := smctest.NewEnv(*remote, *local, *transport, *at, *randN)
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
	fmt.Fprintf(stderr, "verdict: %s\n", smctest.VerdictString(res))
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
