package main

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/fuzz/torture"
	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/runtime"
)

// corpusRoot is the shared corpus of material written by others (../shared/corpus beside the
// repository, where CI has it too).
const corpusRoot = "../../../shared/corpus"

// TestE2ETortureCorpus sends the whole torture corpus (RFC 4475, RFC 5118, PROTOS c07-sip, the
// SIP datagrams of the captures) through smcd on a real queue, one UDP datagram each, and checks
// every datagram that arrives against what the Machine makes of the message offline: rewritten
// byte for byte as the torture profile says, dropped where it drops, passed unchanged when it is
// not SIP; and the counters say how many were not SIP, and that nothing panicked.
func TestE2ETortureCorpus(t *testing.T) {
	msgs, err := torture.Load(corpusRoot)
	if err != nil {
		t.Skipf("torture corpus: %v", err)
	}
	tn := newTestNet(t)
	tn.queueInput(0, "udp")
	profile := writeProfile(t, torture.Profile)
	d := tn.startSmcd("--queues", "0", "-p", profile, "--metrics", "127.0.0.1:9563")

	want, notSIP, drops := expectTortured(t, profile, msgs, netip.AddrPortFrom(tn.a4, 5060), netip.AddrPortFrom(tn.b4, 5060))
	to := netip.AddrPortFrom(tn.b4, 5060)
	got := tn.receive(to, len(want), 2*time.Minute)
	tn.sendList(to, msgs, 4000)
	arrived := got()
	if missing, unexpected := unmatched(arrived, want); len(missing) > 0 || unexpected > 0 {
		t.Fatalf("of %d datagrams expected, %d arrived; %d arrived that the Machine does not give; missing: %v",
			len(want), len(arrived), unexpected, missing)
	}
	for i := range arrived { // one flow through one queue: the order is kept too
		if !bytes.Equal(arrived[i].Payload, want[i].payload) {
			t.Fatalf("datagram %d arrived out of order: %s was expected there", i, want[i].name)
		}
	}
	metrics := tn.metrics("127.0.0.1:9563")
	for _, line := range []string{
		fmt.Sprintf(`smc_packets_total{queue="0"} %d`, len(msgs)),
		fmt.Sprintf(`smc_errors_total{kind="not_sip",queue="0"} %d`, notSIP),
		fmt.Sprintf(`smc_verdicts_total{queue="0",verdict="drop"} %d`, drops),
		`smc_errors_total{kind="panic",queue="0"} 0`,
		`smc_kernel_user_dropped_total{queue="0"} 0`,
	} {
		if !strings.Contains(metrics, line+"\n") {
			t.Errorf("metrics lack %s", line)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", metrics)
	}
	d.stop(t)
	t.Logf("%d messages sent, %d arrived as the Machine says, %d not SIP, %d dropped", len(msgs), len(arrived), notSIP, drops)
}

// unmatched returns the names of the expected datagrams that did not arrive as expected (at most
// 20), and the number of arrivals that nothing expected.
func unmatched(arrived []datagram, want []arrival) (missing []string, unexpected int) {
	count := map[string]int{}
	for _, d := range arrived {
		count[string(d.Payload)]++
	}
	for _, w := range want {
		if count[string(w.payload)] > 0 {
			count[string(w.payload)]--
		} else if len(missing) < 20 {
			missing = append(missing, w.name)
		}
	}
	for _, n := range count {
		unexpected += n
	}
	return missing, unexpected
}

type arrival struct {
	name    string
	payload []byte
}

// expectTortured runs every message through the Machine, as smcd sees it, and returns what must
// arrive, in order, with the number of messages that are not SIP and of drops.
func expectTortured(t *testing.T, profile string, msgs []torture.Message, remote, local netip.AddrPort) (want []arrival, notSIP, drops int) {
	prog, diags := compile.CompileFile(profile)
	if prog == nil {
		t.Fatalf("torture profile: %v", diags)
	}
	m := runtime.NewMachine(smctest.MustChain(t, prog))
	env := &runtime.Env{Remote: remote, Local: local, Now: time.Now()}
	for _, msg := range msgs {
		res := m.Run(msg.Data, env)
		if res.ParseError != nil {
			notSIP++
		}
		switch res.Verdict {
		case runtime.Accept, runtime.Modified:
			want = append(want, arrival{msg.Name, bytes.Clone(res.Output)})
		case runtime.Drop:
			drops++
		default:
			t.Fatalf("%s: verdict %v: the torture profile rejects nothing", msg.Name, res.Verdict)
		}
	}
	return want, notSIP, drops
}

// sendList sends every message from a to `to`, one datagram each, paced at rate a second.
func (tn *testNet) sendList(to netip.AddrPort, msgs []torture.Message, rate int) {
	tn.t.Helper()
	var list bytes.Buffer
	for _, m := range msgs {
		fmt.Fprintf(&list, "%d ", len(m.Data))
		list.Write(m.Data)
	}
	file := filepath.Join(tn.t.TempDir(), "messages")
	if err := os.WriteFile(file, list.Bytes(), 0o644); err != nil {
		tn.t.Fatal(err)
	}
	cmd := tn.role(tn.a, "udp-send-list", to.String(), file, strconv.Itoa(rate))
	if out, err := cmd.CombinedOutput(); err != nil {
		tn.t.Fatalf("udp-send-list: %v\n%s", err, out)
	}
}

// udpSendList: TO FILE PER-SECOND. Sends each message of FILE ("LENGTH " and that many bytes,
// one after the other) as one datagram from port 5060, paced.
func udpSendList(args []string) int {
	to := netip.MustParseAddrPort(args[0])
	data, err := os.ReadFile(args[1])
	rate, _ := strconv.Atoi(args[2])
	if err != nil || rate <= 0 {
		fmt.Fprintln(os.Stderr, "udp-send-list:", err, rate)
		return 2
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{Port: 5060})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	start := time.Now()
	for i := 0; len(data) > 0; i++ {
		num, rest, _ := bytes.Cut(data, []byte(" "))
		n, err := strconv.Atoi(string(num))
		if err != nil || n > len(rest) {
			fmt.Fprintln(os.Stderr, "udp-send-list: bad list at message", i)
			return 2
		}
		if ahead := time.Duration(i)*time.Second/time.Duration(rate) - time.Since(start); ahead > 0 {
			time.Sleep(ahead)
		}
		if _, err := conn.WriteToUDPAddrPort(rest[:n], to); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		data = rest[n:]
	}
	return 0
}
