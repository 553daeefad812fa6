// Command smcd rewrites live SIP traffic: it takes packets from the kernel through NFQUEUE, runs
// the compiled SMC chain on each, and gives the kernel its verdict. One worker per queue, each a
// goroutine with a P of its own and its own netlink socket, machine and buffers.
//
//	smcd --queues 0:1 --bundle chain.smcb
//	smcd --queues 0 -p normalize.json -p block.json
//
// See docs/smcd.md for deployment, and `smcd -h` for the flags. The daemon itself is package
// daemon; this command reads the command line (flags.go), prints the firewall rules (rules.go),
// and turns the signals into the daemon's stop and reloads.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/smcproject/smc/daemon"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// about says what smcd does, in its usage and in the NAME of its manual page.
const about = "rewrites live SIP traffic, running a compiled SMC chain on the packets the kernel queues to it (NFQUEUE)"

const usage = `usage: smcd [flags]            run the daemon
       smcd check [flags]      load the chain and open nothing: exit 0 when it loads
       smcd rules [-h]         print the firewall rules (iptables or nft) that feed the queues
       smcd --version          print the build: version, commit, Go version

Flags:
`

// run is smcd with its arguments, and returns its exit status: 0, 1 when the daemon or the check
// failed, 2 for a command line it does not take.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && args[0] == "--man" {
		return writeManPage(stdout, stderr)
	}
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
	if check {
		if err := daemon.Check(opts.Config, stdout); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}
	cfg := opts.Config
	cfg.Log = slog.New(slog.NewTextHandler(stderr, nil))
	reg := prometheus.NewRegistry()
	cfg.Registerer, cfg.Gatherer = reg, reg
	cfg.NotifySocket = os.Getenv("NOTIFY_SOCKET")
	cfg.Reread = func() (daemon.Config, error) {
		opts, err := parseFlags(args, io.Discard)
		if err != nil {
			return daemon.Config{}, err
		}
		return opts.Config, nil
	}
	// The signals are caught before the daemon's READY=1 tells systemd that `systemctl reload` may
	// send SIGHUP, whose default action would end smcd.
	ctx, reload := signals()
	cfg.Reload = reload
	if err := daemon.Run(ctx, cfg); err != nil {
		return 1 // the daemon has logged why
	}
	return 0
}

// signals turns SIGTERM and SIGINT into the end of the returned context, with the signal as its
// cause, which the daemon logs; and each SIGHUP into a reload, sent on the channel.
func signals() (context.Context, <-chan string) {
	ctx, cancel := context.WithCancelCause(context.Background())
	reload := make(chan string)
	caught := make(chan os.Signal, 4)
	signal.Notify(caught, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	go func() {
		for s := range caught {
			if s == syscall.SIGHUP {
				reload <- "SIGHUP"
				continue
			}
			cancel(stopSignal{s})
			return // the rest are caught and ignored while the daemon stops
		}
	}()
	return ctx, reload
}

// stopSignal is the cause of the daemon's stop: the signal, which the log and the service
// manager's status name ("stopping on terminated").
type stopSignal struct{ os.Signal }

func (s stopSignal) Error() string { return s.Signal.String() }
