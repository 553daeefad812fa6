package main

import (
	"bytes"
	"fmt"
	"github.com/smcproject/smc/compile/bundle"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// e2eProfile: OPTIONS get a header naming the peer (the length changes), REGISTERs are dropped,
// INVITEs from 666 are rejected with 403, MESSAGEs leave with DSCP EF.
const e2eProfile = `{"ProfileID": 1, "ProfileName": "e2e", "Rules": [
 {"MsgType": "REQUEST", "ReqMethod": "OPTIONS", "Action": "REPLACE_MSG",
  "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Via", "Output": "X-Seen: smc {$SIP.RemoteIP} {$SIP.Transport}"}]},
 {"MsgType": "REQUEST", "ReqMethod": "REGISTER", "Action": "DROP_MSG"},
 {"MsgType": "REQUEST", "ReqMethod": "INVITE",
  "Conditions": [{"Header": "From", "Macro": "GETURI_USERNAME", "Operator": "EQ", "RightOperand": "666"}],
  "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Via", "Output": "Sansay-SMC-RejectCall403: fraud"}]},
 {"MsgType": "REQUEST", "ReqMethod": "MESSAGE", "Action": "REPLACE_MSG",
  "ReplaceDefs": [{"ReplaceType": "SET_DSCP", "Output": "EF"}]}
]}`

func writeProfile(t *testing.T, src string) string {
	path := filepath.Join(t.TempDir(), "profile.json")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func request(method, from string, peer netip.Addr) string {
	return method + " sip:bob@example.com SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + netip.AddrPortFrom(peer, 5060).String() + ";branch=z9hG4bK-e2e\r\n" +
		"From: <sip:" + from + "@example.com>;tag=a1\r\nTo: <sip:bob@example.com>\r\n" +
		"Call-ID: e2e-1\r\nCSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n"
}

// UDP over IPv4 and IPv6 through smcd on a real queue: a rewrite arrives byte for byte as the
// profile says, a DSCP set by a rule is on the packet that arrives, a dropped request never
// arrives, a rejected one gets its response at the sender from the address it sent to, and the
// daemon stops cleanly on SIGTERM.
func TestE2EUDP(t *testing.T) {
	tn := newTestNet(t)
	tn.queueInput(0, "udp")
	d := tn.startSmcd("--queues", "0", "-p", writeProfile(t, e2eProfile), "--metrics", "127.0.0.1:9563")
	for _, family := range []struct {
		name string
		a, b netip.Addr
	}{{"IPv4", tn.a4, tn.b4}, {"IPv6", tn.a6, tn.b6}} {
		t.Run(family.name, func(t *testing.T) {
			to := netip.AddrPortFrom(family.b, 5060)

			got := tn.receive(to, 1, 3*time.Second)
			tn.send(to, []byte(request("OPTIONS", "alice", family.a)), 0)
			want := strings.Replace(request("OPTIONS", "alice", family.a), "z9hG4bK-e2e\r\n",
				"z9hG4bK-e2e\r\nX-Seen: smc "+family.a.String()+" UDP\r\n", 1)
			if ds := got(); len(ds) != 1 || string(ds[0].Payload) != want {
				t.Fatalf("received %+v\nwant %q", ds, want)
			}

			got = tn.receive(to, 1, 3*time.Second)
			tn.send(to, []byte(request("MESSAGE", "alice", family.a)), 0)
			if ds := got(); len(ds) != 1 || ds[0].TOS>>2 != 46 {
				t.Fatalf("MESSAGE received %+v, want DSCP 46 (EF)", ds)
			}

			got = tn.receive(to, 1, time.Second)
			tn.send(to, []byte(request("REGISTER", "alice", family.a)), 0)
			if ds := got(); len(ds) != 0 {
				t.Fatalf("a dropped REGISTER arrived: %+v", ds)
			}

			got = tn.receive(to, 1, time.Second)
			answers := tn.send(to, []byte(request("INVITE", "666", family.a)), 2*time.Second)
			if ds := got(); len(ds) != 0 {
				t.Fatalf("a rejected INVITE arrived: %+v", ds)
			}
			if len(answers) != 1 || answers[0].From != to.String() ||
				!strings.HasPrefix(string(answers[0].Payload), "SIP/2.0 403 fraud\r\n") {
				t.Fatalf("the sender got %+v, want a 403 from %s", answers, to)
			}
		})
	}
	metrics := tn.metrics("127.0.0.1:9563")
	for _, want := range []string{
		`smc_packets_total{queue="0"} 8`,
		`smc_verdicts_total{queue="0",verdict="modified"} 2`,
		`smc_verdicts_total{queue="0",verdict="accept"} 2`, // the MESSAGEs: only the packet changed
		`smc_verdicts_total{queue="0",verdict="drop"} 2`,
		`smc_verdicts_total{queue="0",verdict="reject"} 2`,
		`smc_rule_verdicts_total{profile="1",rule="0",verdict="modified"} 2`,
		`smc_rule_verdicts_total{profile="1",rule="1",verdict="drop"} 2`,
		`smc_rule_verdicts_total{profile="1",rule="2",verdict="reject"} 2`,
		`smc_responses_total{queue="0"} 2`,
		`smc_processing_seconds_count{queue="0"} 8`,
		`smc_kernel_queue_length{queue="0"} 0`,
		`smc_kernel_user_dropped_total{queue="0"} 0`,
		`smc_errors_total{kind="panic",queue="0"} 0`,
	} {
		if !strings.Contains(metrics, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", metrics)
	}
	d.stop(t)
	if !strings.Contains(d.stderr.String(), "msg=stopped packets=8") {
		t.Errorf("smcd log:\n%s", d.stderr)
	}
}

// sippProfile rewrites every INVITE on its way to the UAS: a header is added and the
// Content-Type gains a space, so the message grows and the UDP length and checksum change.
const sippProfile = `{"ProfileID": 2, "ProfileName": "sipp", "Rules": [
 {"MsgType": "REQUEST", "ReqMethod": "INVITE", "Action": "REPLACE_MSG",
  "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-Smc-Peer: {$SIP.RemoteIP}:{$SIP.RemotePort}"},
                  {"ReplaceType": "FINDSUB_LINES", "Header": "Content-Type", "RegEx1": "application/sdp", "Output": "application/sdp "}]}
]}`

func needSIPp(t *testing.T) string {
	path, err := exec.LookPath("sipp")
	if err != nil {
		t.Skip("end-to-end test: SIPp is not installed (make test installs it: apt-get install sip-tester)")
	}
	return path
}

// sippCalls runs calls from a SIPp UAC in namespace a (port 5070) to a SIPp UAS in b (port 5060)
// over transport ("u1" or "t1"), fails the test unless every call completes, and returns what the
// UAS and the UAC received and sent.
func (tn *testNet) sippCalls(t *testing.T, sipp, transport string, a, b netip.Addr, calls int) (uasLog, uacLog string) {
	t.Helper()
	return tn.sippCallsAt(t, sipp, transport, a, b, calls, 20)
}

// sippCallsAt is sippCalls with the UAC starting rate calls a second.
func (tn *testNet) sippCallsAt(t *testing.T, sipp, transport string, a, b netip.Addr, calls, rate int) (uasLog, uacLog string) {
	t.Helper()
	uasLog, uacLog, err := tn.sipp(t, sipp, sippRun{transport: transport, uasNS: tn.b, uas: b, uacNS: tn.a, uac: a, uacPort: 5070, calls: calls, rate: rate})
	if err != nil {
		t.Fatal(err)
	}
	return uasLog, uacLog
}

// sippRun is one run of SIPp calls: a UAS in namespace uasNS on address uas, port 5060, and a UAC
// in uacNS calling it from uac (port uacPort; 0: a random one, as a host that opens connections
// uses), calls of them at rate a second over transport ("u1" or "t1").
type sippRun struct {
	transport   string
	uasNS       string
	uas         netip.Addr
	uacNS       string
	uac         netip.Addr
	uacPort     int
	calls, rate int
	recvTimeout time.Duration // a response later than this fails its call; 0: SIPp's default
}

// sipp runs r and returns what the UAS and the UAC received and sent, with the UAC's error when
// a call failed.
func (tn *testNet) sipp(t *testing.T, sipp string, r sippRun) (uasLog, uacLog string, err error) {
	t.Helper()
	dir := t.TempDir()
	// The UAS runs until the test stops it: with -m, over TCP it counts a call still in its
	// closing pause as failed when the UAC closes the connection, smcd or not.
	uas := exec.Command("ip", "netns", "exec", r.uasNS, sipp, "-sn", "uas", "-t", r.transport, "-i", r.uas.String(), "-p", "5060",
		"-nostdin", "-trace_msg", "-message_file", filepath.Join(dir, "uas.log"), "-timeout", "60s")
	uas.Dir = dir
	if err := uas.Start(); err != nil {
		t.Fatal(err)
	}
	defer uas.Process.Kill()
	time.Sleep(300 * time.Millisecond)
	args := []string{"netns", "exec", r.uacNS, sipp, "-sn", "uac", "-t", r.transport, netip.AddrPortFrom(r.uas, 5060).String(),
		"-i", r.uac.String(), "-m", strconv.Itoa(r.calls), "-r", strconv.Itoa(r.rate), "-nostdin",
		"-trace_msg", "-message_file", filepath.Join(dir, "uac.log"), "-timeout", "30s", "-timeout_error"}
	if r.uacPort != 0 {
		args = append(args, "-p", strconv.Itoa(r.uacPort))
	}
	if r.recvTimeout != 0 {
		args = append(args, "-recv_timeout", strconv.Itoa(int(r.recvTimeout.Milliseconds())))
	}
	uac := exec.Command("ip", args...)
	uac.Dir = dir
	if out, err := uac.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("UAC: %v (some calls failed)\n%s", err, lastLines(out, 30))
	}
	uas.Process.Signal(syscall.SIGUSR1) // SIPp's "quit when the calls in hand end"
	uas.Wait()
	uasBytes, err := os.ReadFile(filepath.Join(dir, "uas.log"))
	if err != nil {
		t.Fatal(err)
	}
	uacBytes, err := os.ReadFile(filepath.Join(dir, "uac.log"))
	if err != nil {
		t.Fatal(err)
	}
	return string(uasBytes), string(uacBytes), nil
}

// SIPp UAC and UAS, real SIP peers, run calls through smcd over UDP: every call completes, and the
// UAS receives every INVITE as the profile rewrote it.
func TestE2ESIPp(t *testing.T) {
	sipp := needSIPp(t)
	tn := newTestNet(t)
	tn.queueInput(0, "udp")
	d := tn.startSmcd("--queues", "0", "-p", writeProfile(t, sippProfile))
	for _, family := range []struct {
		name string
		a, b netip.Addr
	}{{"IPv4", tn.a4, tn.b4}, {"IPv6", tn.a6, tn.b6}} {
		t.Run(family.name, func(t *testing.T) {
			const calls = 20
			uasLog, _ := tn.sippCalls(t, sipp, "u1", family.a, family.b, calls)
			peer := "X-Smc-Peer: " + family.a.String() + ":5070"
			if n := strings.Count(uasLog, peer); n != calls {
				t.Errorf("the UAS saw %q in %d INVITEs, want %d", peer, n, calls)
			}
			if n := strings.Count(uasLog, "Content-Type: application/sdp \r\n"); n != calls {
				t.Errorf("the UAS saw the rewritten Content-Type in %d INVITEs, want %d", n, calls)
			}
		})
	}
	d.stop(t)
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// versionProfile tags OPTIONS with the version of the profile that handled them.
func versionProfile(v int) string {
	return `{"ProfileID": 3, "ProfileName": "v` + strconv.Itoa(v) + `", "Rules": [
 {"MsgType": "REQUEST", "ReqMethod": "OPTIONS", "Action": "REPLACE_MSG",
  "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Via", "Output": "X-Version: ` + strconv.Itoa(v) + `"}]}]}`
}

func writeBundle(t *testing.T, dir string, v int) string {
	t.Helper()
	profile := filepath.Join(dir, "v"+strconv.Itoa(v)+".json")
	if err := os.WriteFile(profile, []byte(versionProfile(v)), 0o644); err != nil {
		t.Fatal(err)
	}
	progs, m, diags := bundle.CompileFiles([]string{profile})
	if progs == nil {
		t.Fatal(diags)
	}
	path := filepath.Join(dir, "chain.smcb")
	if err := bundle.WriteFile(path, progs, m); err != nil {
		t.Fatal(err)
	}
	return path
}

// Reloading under traffic loses no packet: while messages stream through, a new bundle is renamed
// into place (found by the file watch) and SIGHUP reloads again; every message arrives, each
// rewritten by one version of the chain, the later ones by the new one, and a bundle that fails
// to load leaves the running chain in place.
func TestE2EReloadUnderTraffic(t *testing.T) {
	tn := newTestNet(t)
	tn.queueInput(0, "udp")
	dir := t.TempDir()
	path := writeBundle(t, dir, 1)
	d := tn.startSmcd("--queues", "0", "--bundle", path, "--watch", "100ms")
	to := netip.AddrPortFrom(tn.b4, 5060)
	const count, rate = 3000, 1000
	got := tn.receive(to, count, 10*time.Second)
	done := tn.flood(to, count, rate, strings.Replace(request("OPTIONS", "alice", tn.a4), "e2e-1", "flood-{n}", 1))
	time.Sleep(800 * time.Millisecond)
	writeBundle(t, dir, 2) // renamed over the loaded one: the watch reloads it
	time.Sleep(800 * time.Millisecond)
	if err := os.WriteFile(path+".tmp", []byte("not a bundle"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil { // a broken bundle: the running chain stays
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	writeBundle(t, dir, 3)
	d.cmd.Process.Signal(syscall.SIGHUP)
	done()
	ds := got()
	versions := map[string]int{}
	for _, dg := range ds {
		s := string(dg.Payload)
		i := strings.Index(s, "X-Version: ")
		if i < 0 {
			t.Fatalf("a message passed without a rewrite:\n%s", s)
		}
		versions[s[i:i+12]]++
	}
	if len(ds) != count {
		t.Errorf("received %d of %d messages (%v)", len(ds), count, versions)
	}
	if versions["X-Version: 1"] == 0 || versions["X-Version: 2"] == 0 || versions["X-Version: 3"] == 0 {
		t.Errorf("versions seen: %v, want all three", versions)
	}
	d.stop(t)
	log := d.stderr.String()
	if !strings.Contains(log, "reload failed; the running chain stays") || strings.Count(log, "msg=reloaded") < 2 {
		t.Errorf("smcd log:\n%s", log)
	}
}

// With --queue-bypass in the rule, traffic flows unchanged once the daemon is gone, even killed.
func TestE2EQueueBypass(t *testing.T) {
	tn := newTestNet(t)
	tn.queueInput(0, "udp")
	d := tn.startSmcd("--queues", "0", "-p", writeProfile(t, e2eProfile))
	d.cmd.Process.Kill()
	d.cmd.Wait()
	to := netip.AddrPortFrom(tn.b4, 5060)
	got := tn.receive(to, 1, 3*time.Second)
	msg := request("OPTIONS", "alice", tn.a4)
	tn.send(to, []byte(msg), 0)
	if ds := got(); len(ds) != 1 || string(ds[0].Payload) != msg {
		t.Fatalf("after the daemon was killed, received %+v, want the message unchanged", ds)
	}
}

// tcpProfile changes the length of messages in both directions of the connection: requests gain a
// header on their way in, responses gain one on their way out.
const tcpProfile = `{"ProfileID": 4, "ProfileName": "tcp", "Rules": [
 {"MsgType": "REQUEST", "Action": "REPLACE_MSG",
  "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-Smc-In: {$SIP.RemoteIP} {$SIP.Transport}"}]},
 {"MsgType": "RESPONSE", "Action": "REPLACE_MSG",
  "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-Smc-Out: rewritten on the way out"}]}
]}`

// SIPp calls over TCP through smcd, with every message of both directions growing: the
// connection survives, every call completes, and each side sees the other's messages rewritten.
func TestE2ESIPpTCP(t *testing.T) {
	sipp := needSIPp(t)
	tn := newTestNet(t)
	tn.queueBoth(0, "tcp")
	d := tn.startSmcd("--queues", "0", "-p", writeProfile(t, tcpProfile))
	for _, family := range []struct {
		name string
		a, b netip.Addr
	}{{"IPv4", tn.a4, tn.b4}, {"IPv6", tn.a6, tn.b6}} {
		t.Run(family.name, func(t *testing.T) {
			const calls = 20
			uasLog, uacLog := tn.sippCalls(t, sipp, "t1", family.a, family.b, calls)
			// Each call: INVITE, ACK and BYE in; 180, 200 and the BYE's 200 out.
			if n := strings.Count(uasLog, "X-Smc-In: "+family.a.String()+" TCP"); n != 3*calls {
				t.Errorf("the UAS saw %d rewritten requests, want %d", n, 3*calls)
			}
			if n := strings.Count(uacLog, "X-Smc-Out: rewritten on the way out"); n != 3*calls {
				t.Errorf("the UAC saw %d rewritten responses, want %d", n, 3*calls)
			}
		})
	}
	d.stop(t)
}

// The iptables rules smcd rules prints for every role are accepted by iptables and ip6tables as
// printed, and are then in the mangle table exactly as printed. Where the kernel has nft_queue
// (not CI), the nft rules are applied too; TestRulesNftCheck checks them everywhere else.
func TestRulesApply(t *testing.T) {
	tn := newTestNet(t)
	for _, role := range []string{"server", "client", "proxy", "router"} {
		applied := tn.applyRules(t, "--format", "iptables", "--role", role, "--queues", "2:3", "--ports", "5060,5080", "--response-mark", "0x53")
		listed := map[string]string{}
		for _, ipt := range []string{"iptables", "ip6tables"} {
			out, err := exec.Command("ip", "netns", "exec", tn.b, ipt, "-t", "mangle", "-S").Output()
			if err != nil {
				t.Fatal(err)
			}
			listed[ipt] = string(out)
		}
		chains := map[string]int{"server": 2, "client": 2, "proxy": 2, "router": 1}[role]
		if len(applied) != 2*2*chains { // families × transports × chains
			t.Errorf("%s: %d rules applied:\n%s", role, len(applied), strings.Join(applied, "\n"))
		}
		for _, line := range applied {
			ipt, rule, _ := strings.Cut(line, " -t mangle ")
			if !strings.Contains(listed[ipt], rule+"\n") {
				t.Errorf("%s: %s -t mangle -S lacks %q:\n%s", role, ipt, rule, listed[ipt])
			}
		}
		tn.inB("iptables", "-t", "mangle", "-F")
		tn.inB("ip6tables", "-t", "mangle", "-F")
	}
	if !nftQueueAvailable("/") {
		return
	}
	for _, role := range []string{"server", "client", "proxy", "router"} {
		for _, queues := range []string{"0", "2:3", "0,2"} {
			batch := nftBatch(t, "--format", "nft", "--role", role, "--queues", queues)
			path := filepath.Join(t.TempDir(), "rules.nft")
			if err := os.WriteFile(path, []byte(batch), 0o644); err != nil {
				t.Fatal(err)
			}
			tn.inB("nft", "-f", path)
			tn.inB("nft", "delete", "table", "inet", "smc")
		}
	}
}

// A configuration file binds chains by peer: the IPv4 peer's messages run one chain, everything
// else another; smcd check validates the file and loads every chain.
func TestE2EConfigBindings(t *testing.T) {
	tn := newTestNet(t)
	tn.queueInput(0, "udp")
	dir := t.TempDir()
	for v := 1; v <= 2; v++ {
		if err := os.WriteFile(filepath.Join(dir, "v"+strconv.Itoa(v)+".json"), []byte(versionProfile(v)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	config := filepath.Join(dir, "smcd.json")
	text := `{"Queues": "0", "Bindings": [
  {"Name": "v4-trunk", "Direction": "inbound", "Peers": ["` + tn.a4.String() + `"], "Profiles": ["v1.json"]},
  {"Name": "default", "Profiles": ["v2.json"]}]}`
	if err := os.WriteFile(config, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	code := run([]string{"check", "--config", config}, &out, &errs)
	checked, digest, _ := strings.Cut(out.String(), "digest: ")
	if code != 0 || checked != "v4-trunk: ok, 1 profile\ndefault: ok, 1 profile\n" || strings.Count(digest, ",") != 1 {
		t.Fatalf("smcd check: %d\n%s%s", code, out.String(), errs.String())
	}
	d := tn.startSmcd("--config", config)
	check := func(v4, v6 string) {
		t.Helper()
		for _, c := range []struct {
			from, to netip.Addr
			want     string
		}{{tn.a4, tn.b4, v4}, {tn.a6, tn.b6, v6}} {
			to := netip.AddrPortFrom(c.to, 5060)
			got := tn.receive(to, 1, 3*time.Second)
			tn.send(to, []byte(request("OPTIONS", "alice", c.from)), 0)
			if ds := got(); len(ds) != 1 || !strings.Contains(string(ds[0].Payload), c.want+"\r\n") {
				t.Errorf("from %s: received %+v, want %s", c.from, ds, c.want)
			}
		}
	}
	check("X-Version: 1", "X-Version: 2")
	// SIGHUP reads the file again: the bindings swap their chains.
	swapped := strings.NewReplacer("v1.json", "v2.json", "v2.json", "v1.json").Replace(text)
	if err := os.WriteFile(config, []byte(swapped), 0o644); err != nil {
		t.Fatal(err)
	}
	d.cmd.Process.Signal(syscall.SIGHUP)
	time.Sleep(500 * time.Millisecond)
	check("X-Version: 2", "X-Version: 1")
	d.stop(t)
}

// recordProfile drops every REGISTER with an audit record of it.
const recordProfile = `{"ProfileID": 5, "ProfileName": "record", "Rules": [
 {"MsgType": "REQUEST", "ReqMethod": "REGISTER", "Action": "DROP_MSG_RECORD"}]}`

// Under load, smcd writes exactly one audit record per dropped packet, and smcc audit cat reads
// them back from the compressed, rotated files.
func TestE2EAuditUnderLoad(t *testing.T) {
	tn := newTestNet(t)
	tn.queueInput(0, "udp")
	auditDir := filepath.Join(t.TempDir(), "audit")
	d := tn.startSmcd("--queues", "0", "-p", writeProfile(t, recordProfile), "--audit-dir", auditDir,
		"--audit-max-file-size", "4K", "--metrics", "127.0.0.1:9563")
	const count, rate = 5000, 2500
	tn.flood(netip.AddrPortFrom(tn.b4, 5060), count, rate, strings.Replace(request("REGISTER", "alice", tn.a4), "e2e-1", "reg-{n}", 1))()
	time.Sleep(200 * time.Millisecond)
	metrics := tn.metrics("127.0.0.1:9563")
	d.stop(t)
	if !strings.Contains(metrics, `smc_verdicts_total{queue="0",verdict="drop"} 5000`+"\n") {
		t.Fatalf("not every REGISTER was dropped:\n%s", metrics)
	}
	smcc := filepath.Join(t.TempDir(), "smcc")
	if out, err := exec.Command("go", "build", "-o", smcc, "github.com/smcproject/smc/cmd/smcc").CombinedOutput(); err != nil {
		t.Fatalf("building smcc: %v\n%s", err, out)
	}
	out, err := exec.Command(smcc, "audit", "cat", "--kind", "drop", "--profile", "5", auditDir).Output()
	if err != nil {
		t.Fatalf("smcc audit cat: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	seen := map[string]bool{}
	for _, line := range lines {
		i := strings.Index(line, "Call-ID: reg-")
		if i < 0 {
			t.Fatalf("a record without its message: %s", line)
		}
		id := line[i : i+strings.Index(line[i:], `\r\n`)]
		if seen[id] {
			t.Fatalf("two records of %s", id)
		}
		seen[id] = true
	}
	if len(seen) != count {
		t.Errorf("%d records for %d dropped packets", len(seen), count)
	}
	files, _ := os.ReadDir(auditDir)
	if len(files) < 2 {
		t.Errorf("%d audit files; 5000 records in 4K files should rotate", len(files))
	}
}

// Untouched packets are answered with batch verdicts: under a stream of messages no rule
// changes, every one arrives unchanged, with fewer verdict messages than packets.
func TestE2EBatchVerdicts(t *testing.T) {
	tn := newTestNet(t)
	tn.queueInput(0, "udp")
	d := tn.startSmcd("--queues", "0", "-p", writeProfile(t, recordProfile), "--metrics", "127.0.0.1:9563")
	to := netip.AddrPortFrom(tn.b4, 5060)
	const count = 3000
	msg := strings.Replace(request("INVITE", "alice", tn.a4), "e2e-1", "inv-{n}", 1)
	ds := tn.floodAll(to, count, msg)
	for i, dg := range ds {
		if want := strings.Replace(msg, "{n}", strconv.Itoa(i), 1); string(dg.Payload) != want {
			t.Fatalf("message %d arrived changed:\n%q\nwant\n%q", i, dg.Payload, want)
		}
	}
	metrics := tn.metrics("127.0.0.1:9563")
	d.stop(t)
	var single, batch int
	for _, line := range strings.Split(metrics, "\n") {
		if v, ok := strings.CutPrefix(line, `smc_verdict_messages_total{kind="batch",queue="0"} `); ok {
			batch, _ = strconv.Atoi(v)
		}
		if v, ok := strings.CutPrefix(line, `smc_verdict_messages_total{kind="single",queue="0"} `); ok {
			single, _ = strconv.Atoi(v)
		}
	}
	if batch == 0 || single != 0 || batch >= count {
		t.Errorf("verdict messages: %d single, %d batch for %d untouched packets", single, batch, count)
	}
	t.Logf("%d packets answered with %d batch verdicts", count, batch)
}

// everyFifthProfile rewrites the messages whose Call-ID ends in 0 or 5 and leaves the rest alone.
const everyFifthProfile = `{"ProfileID": 6, "ProfileName": "every fifth", "Rules": [
 {"MsgType": "REQUEST", "Conditions": [{"Header": "Call-ID", "Operator": "REGEX", "RightOperand": "[05]$"}],
  "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-Fifth: yes"}]}]}`

// Untouched packets wait for a batch verdict while a rewritten one gets its own: the batch must go
// first, or a rewritten message overtakes the ones sent before it. One flow keeps its order.
func TestE2EOrderKept(t *testing.T) {
	tn := newTestNet(t)
	tn.queueInput(0, "udp")
	d := tn.startSmcd("--queues", "0", "-p", writeProfile(t, everyFifthProfile))
	to := netip.AddrPortFrom(tn.b4, 5060)
	const count = 2000
	msg := strings.Replace(request("OPTIONS", "alice", tn.a4), "e2e-1", "order-{n}", 1)
	ds := tn.floodAll(to, count, msg)
	for i, dg := range ds {
		want := strings.Replace(msg, "{n}", strconv.Itoa(i), 1)
		if i%5 == 0 {
			want = strings.Replace(want, "\r\nCSeq", "\r\nX-Fifth: yes\r\nCSeq", 1)
		}
		if string(dg.Payload) != want {
			t.Fatalf("message %d arrived as\n%q\nwant\n%q", i, dg.Payload, want)
		}
	}
	d.stop(t)
}

// floodAll sends count numbered copies of template from a to `to` at 10,000 a second and returns
// what arrived, failing unless every one did.
func (tn *testNet) floodAll(to netip.AddrPort, count int, template string) []datagram {
	tn.t.Helper()
	got := tn.receive(to, count, 10*time.Second)
	tn.flood(to, count, 10000, template)()
	ds := got()
	if len(ds) != count {
		tn.t.Fatalf("%d of %d messages arrived", len(ds), count)
	}
	return ds
}
