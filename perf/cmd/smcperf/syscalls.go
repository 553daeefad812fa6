package main

import (
	"fmt"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A syscallCount is strace's summary: calls by syscall, over every thread of the process.
type syscallCount struct {
	total  uint64
	byName map[string]uint64
}

// top returns the most frequent syscalls, as "name n".
func (s *syscallCount) top(n int, per uint64) string {
	type kv struct {
		name  string
		calls uint64
	}
	var all []kv
	for k, v := range s.byName {
		all = append(all, kv{k, v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].calls > all[j].calls })
	var parts []string
	for i := 0; i < len(all) && i < n; i++ {
		parts = append(parts, fmt.Sprintf("%s %.2f", all[i].name, float64(all[i].calls)/float64(per)))
	}
	return strings.Join(parts, ", ")
}

// straceProcess is strace -c attached to a consumer.
type straceProcess struct {
	cmd *exec.Cmd
	out *syncBuffer
}

// startStrace attaches strace to every thread of the consumer and waits until it has.
func startStrace(p *process) (*straceProcess, error) {
	if p == nil {
		return nil, fmt.Errorf("strace: no consumer to trace")
	}
	s := &straceProcess{out: &syncBuffer{}}
	s.cmd = exec.Command("strace", "-c", "-f", "-p", strconv.Itoa(p.cmd.Process.Pid))
	s.cmd.Stderr = s.out
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("strace: %v (make perf installs it: apt-get install strace)", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.out.String(), "attached") {
		if time.Now().After(deadline) {
			s.cmd.Process.Kill()
			s.cmd.Wait()
			return nil, fmt.Errorf("strace did not attach:\n%s", s.out)
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // the other threads
	return s, nil
}

// stop detaches strace and reads its summary.
func (s *straceProcess) stop() (*syscallCount, error) {
	s.cmd.Process.Signal(syscall.SIGINT)
	s.cmd.Wait()
	return parseStraceSummary(s.out.String())
}

// parseStraceSummary reads the table strace -c prints:
//
//	% time     seconds  usecs/call     calls    errors syscall
//	------ ----------- ----------- --------- --------- ----------------
//	 60.00    0.001000          10       100           recvfrom
//	...
//	100.00    0.001667                   167         5 total
func parseStraceSummary(out string) (*syscallCount, error) {
	c := &syscallCount{byName: map[string]uint64{}}
	inTable := false
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) > 0 && f[0] == "%":
			inTable = true
		case !inTable || len(f) < 5 || strings.HasPrefix(f[0], "-") || f[len(f)-1] == "total":
		default:
			calls, err := strconv.ParseUint(f[3], 10, 64)
			if err != nil {
				continue
			}
			c.byName[f[len(f)-1]] = calls
			c.total += calls
		}
	}
	if !inTable {
		return nil, fmt.Errorf("no strace summary in:\n%s", out)
	}
	return c, nil
}
