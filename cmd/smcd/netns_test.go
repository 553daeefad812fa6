package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The end-to-end tests run smcd on real NFQUEUE queues between two network namespaces joined by a
// veth pair: "a" (the peer that sends) and "b" (where smcd and the receiving peer run, behind an
// iptables NFQUEUE rule). They need root, ip and iptables, and skip with a message without them.
// Each test makes its own namespaces and removes them, whatever happens; traffic goes only to the
// addresses given to them: 10.231.N.1/.2 and fd00:231::N:1/:2.
//
// The test binary plays every part: run with SMCD_TEST_ROLE set, it is the daemon (the same run
// function as the smcd binary) or a small UDP peer (roles below), started inside a namespace
// with `ip netns exec`.

func TestMain(m *testing.M) {
	switch os.Getenv("SMCD_TEST_ROLE") {
	case "":
		os.Exit(m.Run())
	case "smcd":
		if os.Getenv("SMCD_TEST_MDWE") != "" {
			denyExecutableMemory()
		}
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	case "udp-recv":
		os.Exit(udpRecv(os.Args[1:]))
	case "udp-send":
		os.Exit(udpSend(os.Args[1:]))
	case "udp-flood":
		os.Exit(udpFlood(os.Args[1:]))
	case "udp-send-list":
		os.Exit(udpSendList(os.Args[1:]))
	case "http-get":
		os.Exit(httpGet(os.Args[1]))
	}
	os.Exit(3)
}

var netCount atomic.Int32

// testNet is a pair of namespaces joined by a veth pair.
type testNet struct {
	t      *testing.T
	a, b   string
	n      int
	a4, b4 netip.Addr
	a6, b6 netip.Addr
}

// needRoot skips the test unless it can make namespaces and iptables rules.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("end-to-end test: needs root to make network namespaces and NFQUEUE rules (run make test as root)")
	}
	for _, tool := range []string{"ip", "iptables", "ip6tables"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("end-to-end test: %s is not installed (make test installs it: apt-get install iptables iproute2)", tool)
		}
	}
}

func newTestNet(t *testing.T) *testNet {
	needRoot(t)
	n := int(netCount.Add(1)) + os.Getpid()%200
	tn := &testNet{t: t, n: n % 250,
		a: fmt.Sprintf("smct%d-%d-a", os.Getpid(), n), b: fmt.Sprintf("smct%d-%d-b", os.Getpid(), n)}
	tn.a4 = netip.MustParseAddr(fmt.Sprintf("10.231.%d.1", tn.n))
	tn.b4 = netip.MustParseAddr(fmt.Sprintf("10.231.%d.2", tn.n))
	tn.a6 = netip.MustParseAddr(fmt.Sprintf("fd00:231::%x:1", tn.n))
	tn.b6 = netip.MustParseAddr(fmt.Sprintf("fd00:231::%x:2", tn.n))
	t.Cleanup(func() {
		exec.Command("ip", "netns", "del", tn.a).Run()
		exec.Command("ip", "netns", "del", tn.b).Run()
	})
	va, vb := fmt.Sprintf("smcv%d-a", n%10000), fmt.Sprintf("smcv%d-b", n%10000)
	tn.must("ip", "netns", "add", tn.a)
	tn.must("ip", "netns", "add", tn.b)
	tn.must("ip", "link", "add", va, "netns", tn.a, "type", "veth", "peer", "name", vb, "netns", tn.b)
	for _, side := range []struct{ ns, dev, v4, v6 string }{{tn.a, va, tn.a4.String(), tn.a6.String()}, {tn.b, vb, tn.b4.String(), tn.b6.String()}} {
		tn.must("ip", "-n", side.ns, "addr", "add", side.v4+"/24", "dev", side.dev)
		tn.must("ip", "-n", side.ns, "addr", "add", side.v6+"/112", "dev", side.dev, "nodad")
		tn.must("ip", "-n", side.ns, "link", "set", side.dev, "up")
		tn.must("ip", "-n", side.ns, "link", "set", "lo", "up")
	}
	return tn
}

func (tn *testNet) must(name string, args ...string) {
	tn.t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		tn.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// inB runs a command in namespace b.
func (tn *testNet) inB(name string, args ...string) {
	tn.must("ip", append([]string{"netns", "exec", tn.b, name}, args...)...)
}

// queueInput sends b's incoming UDP (and TCP) SIP traffic on port 5060 to queue num.
func (tn *testNet) queueInput(num int, proto string) {
	for _, ipt := range []string{"iptables", "ip6tables"} {
		tn.inB(ipt, "-A", "INPUT", "-p", proto, "--dport", "5060", "-j", "NFQUEUE", "--queue-num", strconv.Itoa(num), "--queue-bypass")
	}
}

// queueBoth sends both directions of b's SIP connections on port 5060 to queue num: what b
// receives and what it sends back, as TCP length changes need.
func (tn *testNet) queueBoth(num int, proto string) {
	tn.queueInput(num, proto)
	for _, ipt := range []string{"iptables", "ip6tables"} {
		tn.inB(ipt, "-A", "OUTPUT", "-p", proto, "--sport", "5060", "-j", "NFQUEUE", "--queue-num", strconv.Itoa(num), "--queue-bypass")
	}
}

// role starts the test binary in a role inside namespace ns.
func (tn *testNet) role(ns, role string, args ...string) *exec.Cmd {
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns, os.Args[0]}, args...)...)
	cmd.Env = append(os.Environ(), "SMCD_TEST_ROLE="+role)
	return cmd
}

// smcdProcess is smcd running in namespace b.
type smcdProcess struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
}

// lockedBuffer is a bytes.Buffer that the process writes while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (tn *testNet) startSmcd(args ...string) *smcdProcess {
	tn.t.Helper()
	d := &smcdProcess{cmd: tn.role(tn.b, "smcd", args...), stderr: &lockedBuffer{}}
	d.cmd.Stderr = d.stderr
	if err := d.cmd.Start(); err != nil {
		tn.t.Fatal(err)
	}
	tn.t.Cleanup(func() { d.cmd.Process.Kill(); d.cmd.Wait() })
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(d.stderr.String(), "msg=started") {
		if time.Now().After(deadline) {
			tn.t.Fatalf("smcd did not start:\n%s", d.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return d
}

// stop sends SIGTERM and expects a clean exit.
func (d *smcdProcess) stop(t *testing.T) {
	t.Helper()
	d.cmd.Process.Signal(syscall.SIGTERM)
	if err := d.cmd.Wait(); err != nil {
		t.Fatalf("smcd exited with %v:\n%s", err, d.stderr)
	}
}

// datagram is what the UDP roles report, one JSON line each.
type datagram struct {
	From    string
	Payload []byte
	TOS     int // DS field / traffic class as received, -1 when unknown
}

// receive starts a receiver on addr in b that reports up to n datagrams, waiting at most wait.
func (tn *testNet) receive(addr netip.AddrPort, n int, wait time.Duration) func() []datagram {
	cmd := tn.role(tn.b, "udp-recv", addr.String(), strconv.Itoa(n), wait.String())
	var out bytes.Buffer
	cmd.Stdout = &out
	stderr, err := cmd.StderrPipe()
	if err != nil {
		tn.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tn.t.Fatal(err)
	}
	// Nothing is sent before the receiver is bound: on a loaded machine a fixed pause was not
	// always enough, and a datagram sent to an unbound port is lost.
	bound := make(chan struct{})
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if sc.Text() == udpRecvBound {
				close(bound)
				continue
			}
			fmt.Fprintln(os.Stderr, sc.Text())
		}
	}()
	select {
	case <-bound:
	case <-copied:
	case <-time.After(30 * time.Second):
		tn.t.Fatal("the UDP receiver did not bind in 30 s")
	}
	return func() []datagram {
		<-copied
		cmd.Wait()
		return parseDatagrams(tn.t, out.Bytes())
	}
}

// udpRecvBound is the line the udp-recv role writes to stderr once its socket is bound.
const udpRecvBound = "bound"

// send sends payload from a to addr and returns the datagrams that come back within wait.
func (tn *testNet) send(to netip.AddrPort, payload []byte, wait time.Duration) []datagram {
	cmd := tn.role(tn.a, "udp-send", to.String(), string(payload), wait.String())
	out, err := cmd.Output()
	if err != nil {
		tn.t.Fatalf("udp-send: %v", err)
	}
	return parseDatagrams(tn.t, out)
}

func parseDatagrams(t *testing.T, out []byte) []datagram {
	var ds []datagram
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var d datagram
		if err := json.Unmarshal(line, &d); err != nil {
			t.Fatalf("bad report %q: %v", line, err)
		}
		ds = append(ds, d)
	}
	return ds
}

// udpRecv: LISTEN COUNT WAIT. Reports each datagram with the DS field it arrived with.
func udpRecv(args []string) int {
	addr := netip.MustParseAddrPort(args[0])
	n, _ := strconv.Atoi(args[1])
	wait, _ := time.ParseDuration(args[2])
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(addr))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	raw, _ := conn.SyscallConn()
	raw.Control(func(fd uintptr) {
		// Bursts of thousands of messages wait here while reports are written; FORCE passes
		// rmem_max (the roles run as root).
		syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, 8<<20)
		if addr.Addr().Is4() {
			syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_RECVTOS, 1)
		} else {
			syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IPV6, syscall.IPV6_RECVTCLASS, 1)
		}
	})
	conn.SetReadDeadline(time.Now().Add(wait))
	fmt.Fprintln(os.Stderr, udpRecvBound)
	buf, oob := make([]byte, 65536), make([]byte, 256)
	for range n {
		k, oobn, _, from, err := conn.ReadMsgUDPAddrPort(buf, oob)
		if err != nil {
			break
		}
		report(datagram{From: unmap(from), Payload: buf[:k], TOS: tosOf(oob[:oobn])})
	}
	return 0
}

func tosOf(oob []byte) int {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return -1
	}
	for _, m := range msgs {
		if (m.Header.Level == syscall.IPPROTO_IP && m.Header.Type == syscall.IP_TOS) && len(m.Data) >= 1 {
			return int(m.Data[0])
		}
		if m.Header.Level == syscall.IPPROTO_IPV6 && m.Header.Type == syscall.IPV6_TCLASS && len(m.Data) >= 4 {
			return int(m.Data[0]) // host order int; small values sit in the first byte on little-endian
		}
	}
	return -1
}

// udpSend: TO PAYLOAD WAIT. Sends from port 5060 and reports what comes back.
func udpSend(args []string) int {
	to := netip.MustParseAddrPort(args[0])
	wait, _ := time.ParseDuration(args[2])
	conn, err := net.ListenUDP("udp", &net.UDPAddr{Port: 5060})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := conn.WriteToUDPAddrPort([]byte(args[1]), to); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	conn.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 65536)
	for {
		k, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return 0
		}
		report(datagram{From: unmap(from), Payload: buf[:k], TOS: -1})
	}
}

// udpFlood: TO COUNT PER-SECOND TEMPLATE. Sends COUNT messages, paced, each the template with
// "{n}" replaced by its number.
func udpFlood(args []string) int {
	to := netip.MustParseAddrPort(args[0])
	count, _ := strconv.Atoi(args[1])
	rate, _ := strconv.Atoi(args[2])
	conn, err := net.ListenUDP("udp", &net.UDPAddr{Port: 5060})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	start := time.Now()
	for i := range count {
		if ahead := time.Duration(i)*time.Second/time.Duration(rate) - time.Since(start); ahead > 0 {
			time.Sleep(ahead)
		}
		msg := strings.ReplaceAll(args[3], "{n}", strconv.Itoa(i))
		if _, err := conn.WriteToUDPAddrPort([]byte(msg), to); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

// flood sends count numbered messages from a to `to`, paced at rate a second, in the background;
// the returned function waits for the end.
func (tn *testNet) flood(to netip.AddrPort, count, rate int, template string) func() {
	cmd := tn.role(tn.a, "udp-flood", to.String(), strconv.Itoa(count), strconv.Itoa(rate), template)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tn.t.Fatal(err)
	}
	return func() {
		if err := cmd.Wait(); err != nil {
			tn.t.Errorf("udp-flood: %v", err)
		}
	}
}

// httpGet: URL. Prints the body.
func httpGet(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer resp.Body.Close()
	io.Copy(os.Stdout, resp.Body)
	return 0
}

// metrics fetches smcd's metrics from inside namespace b.
func (tn *testNet) metrics(addr string) string {
	out, err := tn.role(tn.b, "http-get", "http://"+addr+"/metrics").Output()
	if err != nil {
		tn.t.Fatalf("metrics: %v", err)
	}
	return string(out)
}

// unmap shows an IPv4 peer of a dual-stack socket as IPv4.
func unmap(a netip.AddrPort) string { return netip.AddrPortFrom(a.Addr().Unmap(), a.Port()).String() }

func report(d datagram) {
	b, _ := json.Marshal(d)
	os.Stdout.Write(append(b, '\n'))
}

// denyExecutableMemory is what systemd's MemoryDenyWriteExecute= does, from the kernel
// (PR_SET_MDWE, Linux 6.3): no memory may become executable once written.
func denyExecutableMemory() {
	const prSetMDWE, mdweRefuseExecGain = 65, 1
	if err := unix.Prctl(prSetMDWE, mdweRefuseExecGain, 0, 0, 0); err != nil {
		fmt.Fprintln(os.Stderr, "PR_SET_MDWE:", err)
		os.Exit(4)
	}
}
