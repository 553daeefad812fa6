package main

import (
	"fmt"
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
	bin := filepath.Join(dir, "smcd")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	profile := filepath.Join(dir, "p.json")
	os.WriteFile(profile, []byte(`{"ProfileID": 1, "ProfileName": "p", "Rules": [{"MsgType": "REQUEST", "Action": "DROP_MSG"}]}`), 0o644)
	queue := fmt.Sprint(33000 + os.Getpid()%1000)
	out := &lockedBuffer{}
	cmd := exec.Command(bin, "--queues", queue, "-p", profile)
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "msg=started"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("smcd did not start:\n%s", out)
		}
	}
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
