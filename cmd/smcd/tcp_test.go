package main

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
