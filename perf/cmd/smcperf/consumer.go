package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A consumer is a program that serves the queue in a measurement: a baseline or smcd.
type consumer struct {
	name    string
	argv    func(h *harness) []string // the command, run in namespace b
	env     []string
	ready   string         // output that says the queue is bound
	handled *regexp.Regexp // output at exit with the number of packets handled
	queues  string         // the queue rule's target: "0" or "0:1"
}

var (
	cHandled    = regexp.MustCompile(`handled (\d+)`)
	smcdHandled = regexp.MustCompile(`msg=stopped packets=(\d+)`)
)

func nfqloop(mode string) func(*harness) []string {
	return func(h *harness) []string { return []string{h.nfqloop, mode, "0"} }
}

func smcd(queues string) func(*harness) []string {
	return func(h *harness) []string {
		return []string{h.smcd, "--bundle", h.bundle, "--queues", queues, "--watch", "0"}
	}
}

var (
	consumerB1  = &consumer{name: "B1", argv: nfqloop("accept"), ready: "ready", handled: cHandled, queues: "0"}
	consumerB1m = &consumer{name: "B1m", argv: nfqloop("modify"), ready: "ready", handled: cHandled, queues: "0"}
	consumerB1b = &consumer{name: "B1b", argv: nfqloop("batch"), ready: "ready", handled: cHandled, queues: "0"}
	consumerB3  = &consumer{name: "B3", argv: func(h *harness) []string { return []string{h.self, "-queue", "0"} },
		env: []string{"SMCPERF_ROLE=naive"}, ready: "ready", handled: cHandled, queues: "0"}
	consumerSmcd  = &consumer{name: "smcd", argv: smcd("0"), ready: "msg=started", handled: smcdHandled, queues: "0"}
	consumerSmcd2 = &consumer{name: "smcd ×2", argv: smcd("0:1"), ready: "msg=started", handled: smcdHandled, queues: "0:1"}
)

// A running consumer.
type process struct {
	c       *consumer
	cmd     *exec.Cmd
	out     *syncBuffer
	done    chan struct{} // closed when the process has exited
	waitErr error         // how it exited, once done is closed
}

// start runs the consumer in b on the given CPUs (taskset's list) and waits until its queue is
// bound.
func (h *harness) start(c *consumer, cpus string) (*process, error) {
	argv := append([]string{"ip", "netns", "exec", h.net.b, "taskset", "-c", cpus}, c.argv(h)...)
	p := &process{c: c, cmd: exec.Command(argv[0], argv[1:]...), out: &syncBuffer{}}
	p.cmd.Env = append(os.Environ(), c.env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	h.track(p.cmd)
	p.done = make(chan struct{})
	go func() { p.waitErr = p.cmd.Wait(); h.untrack(p.cmd); close(p.done) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(p.out.String(), c.ready) {
		if time.Now().After(deadline) || p.exited() {
			p.cmd.Process.Kill()
			<-p.done
			return nil, fmt.Errorf("%s did not start:\n%s", c.name, p.out)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return p, nil
}

// exited tells whether the process has gone.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM and returns the number of packets the consumer says it handled.
func (p *process) stop() (uint64, error) {
	if p.exited() {
		return 0, fmt.Errorf("%s exited during the measurement (%v):\n%s", p.c.name, p.waitErr, p.out)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		if p.waitErr != nil {
			return 0, fmt.Errorf("%s exited with %v:\n%s", p.c.name, p.waitErr, p.out)
		}
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		return 0, fmt.Errorf("%s did not stop on SIGTERM:\n%s", p.c.name, p.out)
	}
	m := p.c.handled.FindStringSubmatch(p.out.String())
	if m == nil {
		return 0, fmt.Errorf("%s did not say how many packets it handled:\n%s", p.c.name, p.out)
	}
	return strconv.ParseUint(m[1], 10, 64)
}

// cpuTime is the CPU time the process's threads have used so far, from the scheduler's
// nanosecond accounting (/proc/PID/task/*/schedstat), finer than the clock ticks of
// /proc/PID/stat.
func (p *process) cpuTime() (time.Duration, error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", p.cmd.Process.Pid))
	if err != nil || len(tasks) == 0 {
		return 0, fmt.Errorf("%s: no schedstat for pid %d", p.c.name, p.cmd.Process.Pid)
	}
	var sum time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue // a thread that has just exited
		}
		f := strings.Fields(string(b))
		if len(f) > 0 {
			ns, _ := strconv.ParseInt(f[0], 10, 64)
			sum += time.Duration(ns)
		}
	}
	return sum, nil
}

// syncBuffer collects a process's output while the harness reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
