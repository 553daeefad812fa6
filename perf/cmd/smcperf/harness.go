package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// A harness owns what a run of smcperf builds and creates: the binaries, the bundle of the
// reference chain, and the namespaces.
type harness struct {
	settings
	self, smcd, smcc, nfqloop, bundle string
	clean, dirty                      string // the pass-through and rewriting messages
	net                               *topology
	tmp                               string // removed at close when the harness made it
	senderCPU, consumerCPU            string // taskset lists
	allCPUs                           string

	mu      sync.Mutex
	running map[*exec.Cmd]bool // the consumers and roles started, to kill on an interrupt
}

func newHarness(s settings) (*harness, error) {
	h := &harness{settings: s}
	var err error
	if h.self, err = os.Executable(); err != nil {
		return nil, err
	}
	if h.work == "" {
		if h.tmp, err = os.MkdirTemp("", "smcperf-"); err != nil {
			return nil, err
		}
		h.work = h.tmp
	}
	h.clean, h.dirty = filepath.Join(h.bench, "invite-clean.sip"), filepath.Join(h.bench, "invite-dirty.sip")
	if err := h.build(); err != nil {
		h.close()
		return nil, err
	}
	h.pickCPUs()
	if h.net, err = newTopology(); err != nil {
		h.close()
		return nil, err
	}
	return h, nil
}

// build compiles smcd, smcc, the C baselines (not for a soak, which runs smcd alone) and the
// reference chain's bundle into the work folder. It runs from the repository's root, as `make
// perf` does.
func (h *harness) build() error {
	h.smcd = filepath.Join(h.work, "smcd")
	h.smcc = filepath.Join(h.work, "smcc")
	h.nfqloop = filepath.Join(h.work, "nfqloop")
	h.bundle = filepath.Join(h.work, "reference.smcb")
	steps := [][]string{
		{"env", "CGO_ENABLED=0", "go", "build", "-o", h.smcd, "./cmd/smcd"}, // as make build does
		{"go", "build", "-o", h.smcc, "./cmd/smcc"},
		{h.smcc, "compile", "-o", h.bundle, filepath.Join(h.bench, "10-security.json"), filepath.Join(h.bench, "20-normalize.json")},
	}
	if h.soakFor == 0 {
		steps = append(steps, []string{"cc", "-O2", "-Wall", "-o", h.nfqloop, "perf/c/nfqloop.c", "-lnetfilter_queue", "-lmnl"})
	}
	for _, s := range steps {
		if err := run(s...); err != nil {
			return err
		}
	}
	return nil
}

// pickCPUs puts the sender, whose CPU also carries the receiving half of the kernel's network
// path, on CPU 0 and a one-queue consumer on CPU 1, so that every consumer gets one CPU of its
// own; a two-queue consumer may use them all.
func (h *harness) pickCPUs() {
	n := runtime.NumCPU()
	h.senderCPU, h.consumerCPU, h.allCPUs = "0", "0", "0-"+strconv.Itoa(n-1)
	if n > 1 {
		h.consumerCPU = "1"
	}
}

func (h *harness) cpusFor(c *consumer) string {
	if c.queues != "0" {
		return h.allCPUs
	}
	return h.consumerCPU
}

// closeOnSignal removes what the harness made when it is interrupted (Ctrl-C, SIGTERM): the
// processes it started and the namespaces.
func (h *harness) closeOnSignal() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		s := <-sig
		h.mu.Lock()
		for cmd := range h.running {
			if cmd.Process != nil {
				cmd.Process.Kill()
			}
		}
		h.mu.Unlock()
		h.close()
		fmt.Fprintf(os.Stderr, "smcperf: %v: stopped, namespaces removed\n", s)
		os.Exit(130)
	}()
}

// track registers a started process to be killed on an interrupt; untrack forgets it.
func (h *harness) track(cmd *exec.Cmd) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.running == nil {
		h.running = map[*exec.Cmd]bool{}
	}
	h.running[cmd] = true
}

func (h *harness) untrack(cmd *exec.Cmd) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.running, cmd)
}

func (h *harness) close() {
	if h.net != nil {
		h.net.close()
	}
	if h.tmp != "" {
		os.RemoveAll(h.tmp)
	}
}

// send runs the send role in a and returns its report.
func (h *harness) send(mix string, rate int, dur time.Duration) (sendReport, error) {
	var rep sendReport
	out, err := h.role(h.net.a, "send", "-dst", addrB+":"+sipPort, "-rate", strconv.Itoa(rate), "-dur", dur.String(), "-mix", mix)
	if err != nil {
		return rep, err
	}
	err = json.Unmarshal(out, &rep)
	return rep, err
}

// role runs this binary in a role inside namespace ns, on the sender's CPU, and returns its
// standard output.
func (h *harness) role(ns, role string, args ...string) ([]byte, error) {
	cmd := h.roleCmd(ns, role, args...)
	h.track(cmd)
	defer h.untrack(cmd)
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return nil, fmt.Errorf("%s role: %v\n%s", role, err, ee.Stderr)
		}
		return nil, fmt.Errorf("%s role: %v", role, err)
	}
	return out, nil
}

func (h *harness) roleCmd(ns, role string, args ...string) *exec.Cmd {
	argv := append([]string{"netns", "exec", ns, "taskset", "-c", h.senderCPU, h.self}, args...)
	cmd := exec.Command("ip", argv...)
	cmd.Env = append(os.Environ(), "SMCPERF_ROLE="+role)
	return cmd
}

// The traffic mixes.
func (h *harness) mixClean() string { return h.clean }
func (h *harness) mixDirty() string { return h.dirty }
func (h *harness) mixMixed() string { return h.clean + "*9," + h.dirty }
