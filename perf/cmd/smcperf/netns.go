package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// The topology: namespace a (the sender) and namespace b (the consumer under test and the sink)
// joined by a veth pair, on 10.231.251.0/24, an address range of our own. In b, a mangle INPUT
// rule sends the SIP port's UDP to the queue(s) and a filter INPUT rule counts and drops what
// comes out of them, so that the kernel counts what arrived without a receiver using CPU; for
// latency the drop rule is left out and an echo role answers instead.
const (
	addrA   = "10.231.251.1"
	addrB   = "10.231.251.2"
	sipPort = "5060"
)

type topology struct {
	a, b string
}

func newTopology() (*topology, error) {
	pid := os.Getpid()
	t := &topology{a: fmt.Sprintf("smcperf%d-a", pid), b: fmt.Sprintf("smcperf%d-b", pid)}
	va, vb := fmt.Sprintf("smcpa%d", pid%100000), fmt.Sprintf("smcpb%d", pid%100000)
	steps := [][]string{
		{"ip", "netns", "add", t.a},
		{"ip", "netns", "add", t.b},
		{"ip", "link", "add", va, "netns", t.a, "type", "veth", "peer", "name", vb, "netns", t.b},
		{"ip", "-n", t.a, "addr", "add", addrA + "/24", "dev", va},
		{"ip", "-n", t.b, "addr", "add", addrB + "/24", "dev", vb},
		{"ip", "-n", t.a, "link", "set", va, "up"},
		{"ip", "-n", t.b, "link", "set", vb, "up"},
		{"ip", "-n", t.a, "link", "set", "lo", "up"},
		{"ip", "-n", t.b, "link", "set", "lo", "up"},
	}
	for _, s := range steps {
		if err := run(s...); err != nil {
			t.close()
			return nil, err
		}
	}
	return t, nil
}

// close removes the namespaces, and with them the veth pair and the rules.
func (t *topology) close() {
	exec.Command("ip", "netns", "del", t.a).Run()
	exec.Command("ip", "netns", "del", t.b).Run()
}

// setRules replaces b's INPUT rules: queues is "" for no queue, "0" for one, "0:1" for a
// balanced pair; sink adds the counting drop rule.
func (t *topology) setRules(queues string, sink bool) error {
	cmds := [][]string{{"-t", "mangle", "-F", "INPUT"}, {"-t", "filter", "-F", "INPUT"}}
	if queues != "" {
		target := []string{"--queue-num", queues}
		if strings.Contains(queues, ":") {
			target = []string{"--queue-balance", queues}
		}
		cmds = append(cmds, append([]string{"-t", "mangle", "-A", "INPUT", "-p", "udp", "--dport", sipPort, "-j", "NFQUEUE"}, target...))
	}
	if sink {
		cmds = append(cmds, []string{"-t", "filter", "-A", "INPUT", "-p", "udp", "--dport", sipPort, "-j", "DROP"})
	}
	for _, c := range cmds {
		if err := run(append([]string{"ip", "netns", "exec", t.b, "iptables"}, c...)...); err != nil {
			return err
		}
	}
	return nil
}

// sunk is the number of packets and bytes the sink rule has dropped so far.
func (t *topology) sunk() (pkts, bytes uint64, err error) {
	out, err := output("ip", "netns", "exec", t.b, "iptables-save", "-c", "-t", "filter")
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, "-A INPUT") || !strings.Contains(line, "-j DROP") {
			continue
		}
		// [packets:bytes] -A INPUT ...
		counts, _, _ := strings.Cut(strings.TrimPrefix(line, "["), "]")
		p, b, _ := strings.Cut(counts, ":")
		pkts, _ = strconv.ParseUint(p, 10, 64)
		bytes, _ = strconv.ParseUint(b, 10, 64)
		return pkts, bytes, nil
	}
	return 0, 0, fmt.Errorf("no sink rule in b")
}

// queueDrops sums, over b's queues, the packets the kernel dropped because a queue was full
// (queue_dropped) or the netlink socket would not take them (user_dropped). Under fail-open
// both stay 0 and the packets pass unhandled instead, which the consumers' counts show.
func (t *topology) queueDrops() (uint64, error) {
	out, err := output("ip", "netns", "exec", t.b, "cat", "/proc/net/netfilter/nfnetlink_queue")
	if err != nil {
		return 0, err
	}
	var sum uint64
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		// queue portid queue_total copy_mode copy_range queue_dropped user_dropped id_sequence 1
		f := strings.Fields(sc.Text())
		if len(f) < 7 {
			continue
		}
		qd, _ := strconv.ParseUint(f[5], 10, 64)
		ud, _ := strconv.ParseUint(f[6], 10, 64)
		sum += qd + ud
	}
	return sum, nil
}

func run(args ...string) error {
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

func output(args ...string) (string, error) {
	var stderr bytes.Buffer
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}
