package main

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// smcd started as root keeps CAP_NET_ADMIN and CAP_NET_RAW only, in every set, once its queue
// is bound. The test builds smcd as make build does (without cgo, which capability changes on
// every thread need) and binds a queue no rule feeds.
func TestSmcdDropsCapabilities(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: smcd binds a queue and starts with every capability")
	}
	dir := t.TempDir()
	bin := buildSmcd(t, dir)
	profile := filepath.Join(dir, "p.json")
	os.WriteFile(profile, []byte(`{"ProfileID": 1, "ProfileName": "p", "Rules": [{"MsgType": "REQUEST", "Action": "DROP_MSG"}]}`), 0o644)
	queue := fmt.Sprint(33000 + os.Getpid()%1000)
	out := &lockedBuffer{}
	cmd := exec.Command(bin, "--queues", queue, "-p", profile)
	startAndWait(t, cmd, out, "smcd did not start")
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		name, value, _ := strings.Cut(line, ":")
		switch name {
		case "CapEff", "CapPrm", "CapBnd":
			if v := strings.TrimSpace(value); v != "0000000000003000" {
				t.Errorf("%s = %s, want 0000000000003000 (CAP_NET_ADMIN, CAP_NET_RAW)", name, v)
			}
		case "CapInh", "CapAmb":
			if v := strings.TrimSpace(value); v != "0000000000000000" {
				t.Errorf("%s = %s, want none", name, v)
			}
		}
	}
	if strings.Contains(out.String(), "kept all capabilities") {
		t.Errorf("smcd log:\n%s", out)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("smcd after dropping its capabilities: %v\n%s", err, out)
	}
}

// buildSmcd builds smcd into dir as make build does: without cgo.
func buildSmcd(t *testing.T, dir string) string {
	bin := filepath.Join(dir, "smcd")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// smcd runs as a dedicated user with only CAP_NET_ADMIN and CAP_NET_RAW given to it (as the
// systemd unit's User= and AmbientCapabilities= do; setpriv here): it binds its queue, rewrites,
// and sends a reject's response from the raw socket, without being root.
func TestE2EDedicatedUser(t *testing.T) {
	if _, err := exec.LookPath("setpriv"); err != nil {
		t.Skip("needs setpriv (util-linux) to start smcd as another user")
	}
	tn := newTestNet(t)
	tn.queueInput(0, "udp")
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} { // the user must reach the profile
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := buildSmcd(t, dir)
	profile := filepath.Join(dir, "p.json")
	os.WriteFile(profile, []byte(e2eProfile), 0o644)
	out := &lockedBuffer{}
	cmd := exec.Command("ip", "netns", "exec", tn.b, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
		"--inh-caps=-all,+net_admin,+net_raw", "--ambient-caps=-all,+net_admin,+net_raw", "--", bin, "--queues", "0", "-p", profile)
	startAndWait(t, cmd, out, "smcd did not start as user 65534")
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if !strings.Contains(string(status), "\nUid:\t65534\t65534\t65534\t65534\n") || !strings.Contains(string(status), "\nCapEff:\t0000000000003000\n") {
		t.Fatalf("smcd is not the dedicated user with two capabilities:\n%s", status)
	}
	to := netip.AddrPortFrom(tn.b4, 5060)
	got := tn.receive(to, 1, 3*time.Second)
	tn.send(to, []byte(request("OPTIONS", "alice", tn.a4)), 0)
	if ds := got(); len(ds) != 1 || !strings.Contains(string(ds[0].Payload), "\r\nX-Seen: smc "+tn.a4.String()+" UDP\r\n") {
		t.Fatalf("the OPTIONS arrived as %+v", ds)
	}
	answers := tn.send(to, []byte(request("INVITE", "666", tn.a4)), 2*time.Second)
	if len(answers) != 1 || !strings.HasPrefix(string(answers[0].Payload), "SIP/2.0 403 fraud\r\n") {
		t.Fatalf("the rejected INVITE got %+v, want a 403", answers)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("smcd as user 65534: %v\n%s", err, out)
	}
}

// startAndWait starts smcd's command with its standard error in out, stops it when the test ends,
// and waits up to 10 s for its "started" line, failing with why otherwise.
func startAndWait(t *testing.T, cmd *exec.Cmd, out *lockedBuffer, why string) {
	t.Helper()
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "msg=started"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s:\n%s", why, out)
		}
	}
}
