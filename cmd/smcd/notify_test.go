package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/smcproject/smc/internal/smctest"
)

// smcd under Type=notify: READY=1 with a status once its queue is bound, RELOADING=1 and
// READY=1 around a reload (a failed one said in the status), STOPPING=1 on SIGTERM. A chain that
// does not load says why and never READY=1, which is what fails `systemctl start`. The queue is
// one no rule feeds.
func TestSmcdNotifyProtocol(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: smcd binds a queue")
	}
	dir := t.TempDir()
	bin := buildSmcd(t, dir)
	socket := filepath.Join(dir, "notify")
	c := smctest.ListenNotify(t, socket)
	profile := filepath.Join(dir, "p.json")
	os.WriteFile(profile, []byte(`{"ProfileID": 7, "ProfileName": "p", "Rules": [{"MsgType": "REQUEST", "Action": "DROP_MSG"}]}`), 0o644)
	queue := fmt.Sprint(34000 + os.Getpid()%1000)

	cmd := exec.Command(bin, "--queues", queue, "-p", profile, "--watch", "0")
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+socket)
	out := &lockedBuffer{}
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	want := "READY=1\nSTATUS=queues " + queue + "; bindings all; profiles all: 7 p"
	if got := smctest.NextNotify(t, c, 10*time.Second); !strings.HasPrefix(got, want) {
		t.Fatalf("at start: %q, want %q\n%s", got, want, out)
	}

	cmd.Process.Signal(syscall.SIGHUP)
	reloading := strings.Split(smctest.NextNotify(t, c, 5*time.Second), "\n")
	if len(reloading) != 3 || reloading[0] != "RELOADING=1" || !strings.HasPrefix(reloading[1], "MONOTONIC_USEC=") ||
		reloading[2] != "STATUS=reloading: SIGHUP" {
		t.Fatalf("at SIGHUP: %q", reloading)
	}
	if sent, _ := strconv.ParseInt(strings.TrimPrefix(reloading[1], "MONOTONIC_USEC="), 10, 64); sent <= 0 {
		t.Errorf("MONOTONIC_USEC is not a time: %q", reloading[1])
	}
	if got := smctest.NextNotify(t, c, 5*time.Second); !strings.HasPrefix(got, want) {
		t.Errorf("after the reload: %q, want %q", got, want)
	}

	os.WriteFile(profile, []byte(`{"ProfileID": 7, "Rules": [}`), 0o644)
	cmd.Process.Signal(syscall.SIGHUP)
	smctest.NextNotify(t, c, 5*time.Second) // RELOADING=1
	if got := smctest.NextNotify(t, c, 5*time.Second); !strings.HasPrefix(got, "READY=1\nSTATUS=the reload (SIGHUP) failed, see the log; still running: queues "+queue) {
		t.Errorf("after a failed reload: %q", got)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	if got := smctest.NextNotify(t, c, 5*time.Second); got != "STOPPING=1\nSTATUS=stopping on terminated" {
		t.Errorf("at SIGTERM: %q", got)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("smcd: %v\n%s", err, out)
	}

	broken := exec.Command(bin, "--queues", queue, "-p", profile)
	broken.Env = cmd.Env
	brokenOut, err := broken.CombinedOutput()
	if err == nil {
		t.Fatal("smcd started with a broken profile")
	}
	if got := smctest.NextNotify(t, c, 5*time.Second); !strings.HasPrefix(got, "STATUS=cannot start: binding \"all\"") || strings.Contains(got, "\n") {
		t.Errorf("a start that failed: %q\n%s", got, brokenOut)
	}
}
