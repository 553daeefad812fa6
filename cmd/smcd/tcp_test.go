package main

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// SIPp calls over TCP through smcd with bindings limited to one direction (issue 16, 1): a
// binding that runs the chain on the packets received from the peer only leaves the packets sent
// to it unbound, but they belong to a connection whose length changed and must be renumbered all
// the same. With one inbound binding only the requests grow; with an inbound and an outbound
// binding both directions grow, each under its own binding. Every call completes either way.
func TestE2ESIPpTCPDirectionBindings(t *testing.T) {
	sipp := needSIPp(t)
	for _, c := range []struct {
		name      string
		bindings  string
		responses int // rewritten responses the UAC sees per call
	}{
		{"inbound only", `{"Name": "peer-a", "Direction": "inbound", "Peers": [PEERS], "Profiles": ["tcp.json"]}`, 0},
		{"inbound and outbound", `{"Name": "from-a", "Direction": "inbound", "Peers": [PEERS], "Profiles": ["tcp.json"]},
   {"Name": "to-a", "Direction": "outbound", "Peers": [PEERS], "Profiles": ["tcp.json"]}`, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			tn := newTestNet(t)
			tn.queueBoth(0, "tcp")
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "tcp.json"), []byte(tcpProfile), 0o644); err != nil {
				t.Fatal(err)
			}
			peers := `"` + tn.a4.String() + `", "` + tn.a6.String() + `"`
			config := filepath.Join(dir, "smcd.json")
			text := `{"Queues": "0:1", "Bindings": [` + strings.ReplaceAll(c.bindings, "PEERS", peers) + `]}`
			if err := os.WriteFile(config, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			// Queues 0:1 as in the report; only queue 0 gets traffic here.
			d := tn.startSmcd("--config", config)
			for _, family := range []struct {
				name string
				a, b netip.Addr
			}{{"IPv4", tn.a4, tn.b4}, {"IPv6", tn.a6, tn.b6}} {
				const calls = 10
				uasLog, uacLog := tn.sippCalls(t, sipp, "t1", family.a, family.b, calls)
				if n := strings.Count(uasLog, "X-Smc-In: "+family.a.String()+" TCP"); n != 3*calls {
					t.Errorf("%s: the UAS saw %d rewritten requests, want %d", family.name, n, 3*calls)
				}
				if n := strings.Count(uacLog, "X-Smc-Out: rewritten on the way out"); n != c.responses*calls {
					t.Errorf("%s: the UAC saw %d rewritten responses, want %d", family.name, n, c.responses*calls)
				}
			}
			d.stop(t)
		})
	}
}

// A restart keeps the TCP connections smcd resized (issue 16, 2): the stop saves their offsets in
// the state folder and the next start loads them. SIPp keeps one TCP connection for all its
// calls, every message of both directions grows, and smcd is restarted while the calls run; the
// rules queue TCP without --queue-bypass, as docs/smcd.md advises, so the packets of the seconds
// without smcd wait for TCP's retransmission instead of passing untranslated.
func TestE2ETCPSurvivesRestart(t *testing.T) {
	sipp := needSIPp(t)
	tn := newTestNet(t)
	for _, ipt := range []string{"iptables", "ip6tables"} {
		tn.inB(ipt, "-A", "INPUT", "-p", "tcp", "--dport", "5060", "-j", "NFQUEUE", "--queue-num", "0")
		tn.inB(ipt, "-A", "OUTPUT", "-p", "tcp", "--sport", "5060", "-j", "NFQUEUE", "--queue-num", "0")
	}
	state := t.TempDir()
	profile := writeProfile(t, tcpProfile)
	args := []string{"--queues", "0", "-p", profile, "--state-dir", state}
	d := tn.startSmcd(args...)
	restarted := make(chan *smcdProcess, 1)
	go func() {
		time.Sleep(1500 * time.Millisecond)
		d.cmd.Process.Signal(syscall.SIGTERM)
		d.cmd.Wait()
		restarted <- tn.startSmcd(args...)
	}()
	const calls = 40
	uasLog, uacLog := tn.sippCallsAt(t, sipp, "t1", tn.a4, tn.b4, calls, 10)
	d2 := <-restarted
	// The segments dropped while no smcd ran come again after the ones sent later: they fill a
	// hole whose length is fixed by what followed, and pass with their numbers translated but
	// their bytes unchanged (docs/smcd.md). Every other message is rewritten.
	const inFlight = 4
	if n := strings.Count(uasLog, "X-Smc-In: "+tn.a4.String()+" TCP"); n < 3*calls-inFlight {
		t.Errorf("the UAS saw %d rewritten requests, want at least %d", n, 3*calls-inFlight)
	}
	if n := strings.Count(uacLog, "X-Smc-Out: rewritten on the way out"); n < 3*calls-inFlight {
		t.Errorf("the UAC saw %d rewritten responses, want at least %d", n, 3*calls-inFlight)
	}
	if log := d2.stderr.String(); !strings.Contains(log, "msg=\"loaded TCP offsets\" queue=0 connections=1") {
		t.Errorf("the second smcd did not load the connection:\n%s", log)
	}
	d2.stop(t)
}
