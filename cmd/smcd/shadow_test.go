package main

import (
	"encoding/json"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/smcproject/smc/auditlog"
)

// shadowE2EProfile is e2eProfile with a mark beside the MESSAGEs' DSCP: OPTIONS are rewritten,
// REGISTERs dropped, INVITEs from 666 rejected with 403, MESSAGEs leave with DSCP EF and mark 42.
var shadowE2EProfile = strings.Replace(e2eProfile, `{"ReplaceType": "SET_DSCP", "Output": "EF"}`,
	`{"ReplaceType": "SET_DSCP", "Output": "EF"}, {"ReplaceType": "SET_MARK", "Output": "42"}`, 1)

// shadowCase is a message sent through smcd and the shadow record it should leave: the rule
// behind the verdict, and the record's whole text (or its beginning, when prefix is set, followed
// somewhere by the message's Call-ID line); want is "" when the chain would accept the message as
// it is and no record is due.
type shadowCase struct {
	msg           string
	profile, rule int
	want          string
	prefix        bool
}

// shadowCases are the messages of one peer, each with its own Call-ID, and their records.
func shadowCases(peer netip.Addr, tag string) []shadowCase {
	msg := func(method, from, id string) string {
		return strings.Replace(request(method, from, peer), "Call-ID: e2e-1", "Call-ID: "+tag+"-"+id, 1)
	}
	lines := func(m string, mark string) string { // every line of m, each after mark
		var b strings.Builder
		for _, l := range strings.SplitAfter(m, "\n") {
			if l != "" {
				b.WriteString(mark + l)
			}
		}
		return b.String()
	}
	options := msg("OPTIONS", "alice", "options")
	head := strings.SplitAfter(options, "\n")
	register := msg("REGISTER", "alice", "register")
	return []shadowCase{
		{options, 1, 0, "verdict: modified\n--- received\n+++ would send\n@@ -1,5 +1,6 @@\n" +
			lines(strings.Join(head[:2], ""), " ") + "+X-Seen: smc " + peer.String() + " UDP\r\n" + lines(strings.Join(head[2:5], ""), " "), false},
		{register, 1, 1, "verdict: drop\n--- received\n+++ would send\n@@ -1,8 +0,0 @@\n" + lines(register, "-"), false},
		{msg("INVITE", "666", "reject"), 1, 2, "verdict: reject 403\nSIP/2.0 403 fraud\r\n", true},
		{msg("MESSAGE", "alice", "message"), 0, -1, "verdict: accept\ndscp: 46\nmark: 42\n", false}, // no rule decided a verdict
		{msg("INVITE", "alice", "clean"), 0, 0, "", false},
	}
}

// sendShadowCases sends the cases from `from` to `to` in b, one after another, and fails the test
// unless each arrives byte for byte as it was sent, with the DS field it was sent with (0), and
// the sender gets nothing back: no response to the request the chain would have rejected.
func (tn *testNet) sendShadowCases(t *testing.T, to netip.AddrPort, cases []shadowCase) {
	t.Helper()
	got := tn.receive(to, len(cases), 5*time.Second)
	for _, c := range cases {
		wait := time.Duration(0)
		if strings.Contains(c.want, "verdict: reject") {
			wait = time.Second
		}
		if answers := tn.send(to, []byte(c.msg), wait); len(answers) != 0 {
			t.Errorf("the sender got %d answers, the first from %s:\n%s", len(answers), answers[0].From, answers[0].Payload)
		}
	}
	ds := got()
	if len(ds) != len(cases) {
		t.Fatalf("%d of %d messages arrived:\n%s", len(ds), len(cases), payloads(ds))
	}
	for i, d := range ds {
		if string(d.Payload) != cases[i].msg || d.TOS != 0 {
			t.Errorf("message %d arrived as\n%q (DS field %#x)\nwant, as sent,\n%q (0)", i, d.Payload, d.TOS, cases[i].msg)
		}
	}
}

// payloads shows what arrived, one datagram after the other.
func payloads(ds []datagram) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(string(d.Payload) + "\n")
	}
	return b.String()
}

// shadowRecord is the part of an audit record the tests look at.
type shadowRecord struct {
	Profile int64
	Rule    int
	Kind    string
	Remote  string
	Text    string
}

// readAudit reads every record of the audit log in dir with the auditlog reader.
func readAudit(t *testing.T, dir string) []shadowRecord {
	t.Helper()
	files, err := auditlog.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	var recs []shadowRecord
	r := auditlog.NewReader()
	for _, f := range files {
		if _, _, err := r.ReadFile(f, 0, func(line []byte) error {
			var rec shadowRecord
			err := json.Unmarshal(line, &rec)
			recs = append(recs, rec)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	return recs
}

// checkShadowRecords fails the test unless the records from peer are exactly one shadow record
// per case that wants one, in the order the cases were sent, with the rule and the text it wants.
func checkShadowRecords(t *testing.T, recs []shadowRecord, peer netip.Addr, cases []shadowCase) {
	t.Helper()
	remote := netip.AddrPortFrom(peer, 5060).String()
	var mine []shadowRecord
	for _, r := range recs {
		if r.Remote == remote {
			mine = append(mine, r)
		}
	}
	var want []shadowCase
	for _, c := range cases {
		if c.want != "" {
			want = append(want, c)
		}
	}
	if len(mine) != len(want) {
		t.Fatalf("%d records from %s, want %d: %+v", len(mine), remote, len(want), mine)
	}
	for i, r := range mine {
		c := want[i]
		id := c.msg[strings.Index(c.msg, "Call-ID: "):]
		id = id[:strings.Index(id, "\r\n")+2]
		if r.Kind != "shadow" || r.Profile != int64(c.profile) || r.Rule != c.rule {
			t.Errorf("%s record %d: kind %s, profile %d, rule %d; want shadow, %d, %d", remote, i, r.Kind, r.Profile, r.Rule, c.profile, c.rule)
		}
		if c.prefix && (!strings.HasPrefix(r.Text, c.want) || !strings.Contains(r.Text, id)) || !c.prefix && r.Text != c.want {
			t.Errorf("%s record %d: text\n%q\nwant\n%q", remote, i, r.Text, c.want)
		}
	}
}

// countMarked counts the packets b receives with mark 42, seen after the queue's verdict: the
// security table's INPUT runs after the filter table's, where the queue rule is.
func (tn *testNet) countMarked() {
	for _, ipt := range []string{"iptables", "ip6tables"} {
		tn.inB(ipt, "-t", "security", "-A", "INPUT", "-p", "udp", "--dport", "5060", "-m", "mark", "--mark", "42")
	}
}

// markedPackets is what countMarked counted, for iptables or ip6tables.
func (tn *testNet) markedPackets(ipt string) int {
	tn.t.Helper()
	out, err := exec.Command("ip", "netns", "exec", tn.b, ipt, "-t", "security", "-nvxL", "INPUT").Output()
	if err != nil {
		tn.t.Fatal(err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.Contains(line, "mark match 0x2a") {
			n, _ := strconv.Atoi(f[0])
			return n
		}
	}
	tn.t.Fatalf("no mark rule in %s's security table:\n%s", ipt, out)
	return 0
}

// smcd --shadow on a real queue, IPv4 and IPv6: of messages the chain would rewrite, drop, reject,
// and mark with a DSCP, and one it would leave alone, each arrives byte for byte as sent, with
// its DS field and no mark; the sender of the request the chain would have rejected gets no
// response; the audit log, read back with the auditlog reader, holds exactly one shadow record
// for each message that would have changed, with its verdict and diff or response; and the
// metrics count the verdicts the chain would have given.
func TestE2EShadow(t *testing.T) {
	tn := newTestNet(t)
	tn.queueInput(0, "udp")
	tn.countMarked()
	auditDir := filepath.Join(t.TempDir(), "audit")
	d := tn.startSmcd("--shadow", "--queues", "0", "-p", writeProfile(t, shadowE2EProfile), "--audit-dir", auditDir,
		"--metrics", "127.0.0.1:9563")
	families := []struct {
		name string
		a, b netip.Addr
	}{{"IPv4", tn.a4, tn.b4}, {"IPv6", tn.a6, tn.b6}}
	for _, f := range families {
		tn.sendShadowCases(t, netip.AddrPortFrom(f.b, 5060), shadowCases(f.a, f.name))
	}
	if n4, n6 := tn.markedPackets("iptables"), tn.markedPackets("ip6tables"); n4 != 0 || n6 != 0 {
		t.Errorf("%d and %d packets arrived marked", n4, n6)
	}
	metrics := tn.metrics("127.0.0.1:9563")
	for _, want := range []string{
		`smc_packets_total{queue="0"} 10`,
		`smc_verdicts_total{queue="0",verdict="accept"} 10`,
		`smc_verdicts_total{queue="0",verdict="modified"} 0`,
		`smc_verdicts_total{queue="0",verdict="drop"} 0`,
		`smc_verdicts_total{queue="0",verdict="reject"} 0`,
		`smc_shadow_verdicts_total{queue="0",verdict="accept"} 4`,
		`smc_shadow_verdicts_total{queue="0",verdict="modified"} 2`,
		`smc_shadow_verdicts_total{queue="0",verdict="drop"} 2`,
		`smc_shadow_verdicts_total{queue="0",verdict="reject"} 2`,
		`smc_responses_total{queue="0"} 0`,
		`smc_verdict_messages_total{kind="single",queue="0"} 0`,
	} {
		if !strings.Contains(metrics, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", metrics)
	}
	d.stop(t) // writes the audit log out
	recs := readAudit(t, auditDir)
	for _, f := range families {
		checkShadowRecords(t, recs, f.a, shadowCases(f.a, f.name))
	}
	if len(recs) != 8 {
		t.Errorf("%d records, want 8", len(recs))
	}
}

// A configuration file's "Shadow": true puts one binding in shadow: the IPv4 peer's messages pass
// byte for byte and leave shadow records, while the IPv6 peer's, on a live binding of the same
// chain, are rewritten, marked and answered. Then the switch over: the file without Shadow and a
// SIGHUP, and the IPv4 peer's messages are rewritten too, with no more shadow records.
func TestE2EShadowBinding(t *testing.T) {
	tn := newTestNet(t)
	tn.queueInput(0, "udp")
	tn.countMarked()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "p.json"), []byte(shadowE2EProfile), 0o644); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "smcd.json")
	text := `{"Queues": "0", "AuditDir": "audit", "Bindings": [
  {"Name": "trial", "Peers": ["` + tn.a4.String() + `"], "Profiles": ["p.json"], "Shadow": true},
  {"Name": "live", "Profiles": ["p.json"]}]}`
	if err := os.WriteFile(config, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	d := tn.startSmcd("--config", config)
	if !strings.Contains(d.stderr.String(), "shadow=trial") {
		t.Errorf("the start log does not name the shadow binding:\n%s", d.stderr)
	}
	v4 := shadowCases(tn.a4, "v4")
	tn.sendShadowCases(t, netip.AddrPortFrom(tn.b4, 5060), v4)

	// The live binding, for the IPv6 peer: rewritten, and the MESSAGE marked.
	to6 := netip.AddrPortFrom(tn.b6, 5060)
	got := tn.receive(to6, 2, 3*time.Second)
	v6 := shadowCases(tn.a6, "v6")
	tn.send(to6, []byte(v6[0].msg), 0)
	tn.send(to6, []byte(v6[3].msg), 0)
	if ds := got(); len(ds) != 2 || !strings.Contains(string(ds[0].Payload), "\r\nX-Seen: smc "+tn.a6.String()+" UDP\r\n") || ds[1].TOS>>2 != 46 {
		t.Fatalf("the live binding's messages arrived as %d datagrams:\n%s", len(ds), payloads(ds))
	}
	if n4, n6 := tn.markedPackets("iptables"), tn.markedPackets("ip6tables"); n4 != 0 || n6 != 1 {
		t.Errorf("marked packets: %d IPv4 (shadow), want 0; %d IPv6 (live), want 1", n4, n6)
	}

	// The switch over.
	if err := os.WriteFile(config, []byte(strings.Replace(text, `, "Shadow": true`, "", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	d.cmd.Process.Signal(syscall.SIGHUP)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(d.stderr.String(), "msg=reloaded") {
		if time.Now().After(deadline) {
			t.Fatalf("no reload:\n%s", d.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// An idle worker waits for a packet up to its poll interval (200 ms) before it looks for a
	// new chain set, and handles a packet that comes meanwhile with the one it has.
	time.Sleep(300 * time.Millisecond)
	to4 := netip.AddrPortFrom(tn.b4, 5060)
	got = tn.receive(to4, 1, 3*time.Second)
	tn.send(to4, []byte(v4[0].msg), 0)
	if ds := got(); len(ds) != 1 || !strings.Contains(string(ds[0].Payload), "\r\nX-Seen: smc "+tn.a4.String()+" UDP\r\n") {
		t.Fatalf("after the switch over, the IPv4 peer's OPTIONS arrived as %d datagrams:\n%s", len(ds), payloads(ds))
	}
	d.stop(t)
	recs := readAudit(t, filepath.Join(dir, "audit"))
	checkShadowRecords(t, recs, tn.a4, v4)
	if len(recs) != 4 {
		t.Errorf("%d records, want the 4 of the IPv4 peer before the switch over: %+v", len(recs), recs)
	}
}

// SIPp calls over TCP through smcd --shadow with a chain that grows every message of both
// directions: every call completes, neither side sees a rewritten message, and each message has
// its shadow record, six a call (INVITE, ACK and BYE in; 180, 200 and the BYE's 200 out).
func TestE2EShadowSIPpTCP(t *testing.T) {
	sipp := needSIPp(t)
	tn := newTestNet(t)
	tn.queueBoth(0, "tcp")
	auditDir := filepath.Join(t.TempDir(), "audit")
	d := tn.startSmcd("--shadow", "--queues", "0", "-p", writeProfile(t, tcpProfile), "--audit-dir", auditDir)
	const calls = 10
	uasLog, uacLog := tn.sippCalls(t, sipp, "t1", tn.a4, tn.b4, calls)
	if strings.Contains(uasLog, "X-Smc-In") || strings.Contains(uacLog, "X-Smc-Out") {
		t.Error("a message was rewritten")
	}
	d.stop(t)
	n := 0
	for _, r := range readAudit(t, auditDir) {
		if r.Kind == "shadow" && strings.HasPrefix(r.Text, "verdict: modified\n--- received\n+++ would send\n") &&
			(strings.Contains(r.Text, "\n+X-Smc-In: "+tn.a4.String()+" TCP\r\n") || strings.Contains(r.Text, "\n+X-Smc-Out: rewritten on the way out\r\n")) {
			n++
		}
	}
	if n != 6*calls {
		t.Errorf("%d shadow records of rewrites, want %d", n, 6*calls)
	}
}
