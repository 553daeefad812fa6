package daemon

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smcproject/smc/internal/smctest"
)

func TestSdNotify(t *testing.T) {
	for _, socket := range []string{
		filepath.Join(t.TempDir(), "notify"),
		fmt.Sprintf("@smcd-test-notify-%d", os.Getpid()),
	} {
		c := smctest.ListenNotify(t, socket)
		if err := sdNotify(socket, "READY=1", "STATUS=cannot start:\nfile:1:2: error"); err != nil {
			t.Fatalf("%s: %v", socket, err)
		}
		if got := smctest.NextNotify(t, c, time.Second); got != "READY=1\nSTATUS=cannot start: file:1:2: error" {
			t.Errorf("%s: received %q", socket, got)
		}
	}
}

// Without NOTIFY_SOCKET (not started by systemd) there is nothing to tell and no error.
func TestSdNotifyWithoutSocket(t *testing.T) {
	if err := sdNotify("", "READY=1"); err != nil {
		t.Errorf("sdNotify without a socket: %v", err)
	}
}

func TestSdNotifyErrors(t *testing.T) {
	if err := sdNotify("vsock:2:1234", "READY=1"); !errors.Is(err, errNotifySocket) {
		t.Errorf("a vsock address: %v, want errNotifySocket", err)
	}
	if err := sdNotify(filepath.Join(t.TempDir(), "none"), "READY=1"); err == nil {
		t.Error("a socket nobody listens on: no error")
	}
}

// MONOTONIC_USEC is CLOCK_MONOTONIC, the clock systemd compares it with: the same one Linux
// counts /proc/uptime on, give or take the suspended time (none on a test machine).
func TestMonotonicUsec(t *testing.T) {
	usec, err := strconv.ParseInt(monotonicUsec(), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	uptime, err := os.ReadFile("/proc/uptime")
	if err != nil {
		t.Skip(err)
	}
	up, _ := strconv.ParseFloat(strings.Fields(string(uptime))[0], 64)
	if d := float64(usec)/1e6 - up; d < -2 || d > 2 {
		t.Errorf("MONOTONIC_USEC %d is %.1f s from the uptime %.1f s", usec, d, up)
	}
}

func TestFormatQueues(t *testing.T) {
	for _, c := range []struct {
		in   []uint16
		want string
	}{
		{[]uint16{0}, "0"},
		{[]uint16{0, 1, 2, 3}, "0:3"},
		{[]uint16{1, 4, 2, 3}, "1,4,2:3"},
		{[]uint16{0, 1, 5, 7, 8}, "0:1,5,7:8"},
		{[]uint16{65534, 65535, 0}, "65534:65535,0"},
	} {
		if got := formatQueues(c.in); got != c.want {
			t.Errorf("formatQueues(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}
