package main

import (
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The failure the warning is about, end to end, behind a rule that drops INVALID packets: a TCP
// call whose messages smcd grows fails, because the peer's acknowledgements of the grown bytes
// are INVALID to conntrack (the drop rule counts them); the same call completes when smcd changes
// no length, and when nf_conntrack_tcp_be_liberal is 1 in the namespace (a per-namespace
// setting: the host's is left alone).
func TestConntrackInvalidDrop(t *testing.T) {
	sipp := needSIPp(t)
	for _, c := range []struct {
		name          string
		grow, liberal bool
	}{{"grown", true, false}, {"unchanged", false, false}, {"grown,be_liberal=1", true, true}} {
		t.Run(c.name, func(t *testing.T) {
			tn := newTestNet(t)
			tn.applyRules(t, "--format", "iptables", "--role", "server", "--transports", "tcp")
			tn.inB("iptables", "-A", "INPUT", "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP")
			if c.liberal {
				tn.inB("sh", "-c", "echo 1 > /proc/sys/net/netfilter/nf_conntrack_tcp_be_liberal")
			}
			profile := versionProfile(1) // rewrites OPTIONS only, which a call does not send
			if c.grow {
				profile = tcpProfile
			}
			d := tn.startSmcd("--queues", "0", "-p", writeProfile(t, profile))
			uasLog, _, err := tn.sippTCP(t, sipp, tn.b, tn.b4, tn.a, tn.a4, 1, 3*time.Second)
			dropped := tn.invalidDropped(t)
			if fails := c.grow && !c.liberal; fails != (err != nil) || fails != (dropped > 0) {
				t.Errorf("want the call to fail: %v; got %v, %d INVALID packets dropped", fails, err, dropped)
			}
			if grown := strings.Contains(uasLog, "X-Smc-In: "); err == nil && grown != c.grow {
				t.Errorf("the UAS saw the requests grown: %v, want %v", grown, c.grow)
			}
			d.stop(t)
		})
	}
}

var dropCounter = regexp.MustCompile(`(?m)^\s*(\d+)\s+\d+\s+DROP\b.*ctstate INVALID`)

// invalidDropped reads the packet counter of b's INVALID drop rule.
func (tn *testNet) invalidDropped(t *testing.T) int {
	t.Helper()
	out, err := exec.Command("ip", "netns", "exec", tn.b, "iptables", "-L", "INPUT", "-v", "-x", "-n").Output()
	m := dropCounter.FindSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("iptables -L INPUT: %v\n%s", err, out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}
