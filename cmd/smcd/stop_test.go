package main

import (
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"
)

// SIGTERM under a flood loses nothing (issue 16, 2): smcd stops the kernel's intake, gives every
// packet still queued its verdict, and only then unbinds, since the kernel drops what a queue
// holds when it is unbound. To have packets queued at the moment of the stop, smcd is paused
// (SIGSTOP) while the flood fills its queue, then gets SIGTERM and SIGCONT together.
func TestE2EStopUnderFloodLosesNothing(t *testing.T) {
	tn := newTestNet(t)
	tn.queueInput(0, "udp")
	d := tn.startSmcd("--queues", "0", "-p", writeProfile(t, e2eProfile))
	to := netip.AddrPortFrom(tn.b4, 5060)
	const count, rate = 10000, 10000
	got := tn.receive(to, count, 10*time.Second)
	done := tn.flood(to, count, rate, strings.Replace(request("OPTIONS", "alice", tn.a4), "e2e-1", "flood-{n}", 1))
	time.Sleep(300 * time.Millisecond)
	d.cmd.Process.Signal(syscall.SIGSTOP)
	time.Sleep(200 * time.Millisecond) // about 2,000 packets queue up
	d.cmd.Process.Signal(syscall.SIGTERM)
	d.cmd.Process.Signal(syscall.SIGCONT)
	if err := d.cmd.Wait(); err != nil {
		t.Fatalf("smcd exited with %v:\n%s", err, d.stderr)
	}
	done()
	ds := got()
	rewritten := 0
	for _, dg := range ds {
		if strings.Contains(string(dg.Payload), "X-Seen: smc ") {
			rewritten++
		}
	}
	if len(ds) != count {
		t.Errorf("%d of %d messages arrived (%d rewritten): the stop lost %d", len(ds), count, rewritten, count-len(ds))
	}
	if rewritten < 4000 {
		t.Errorf("only %d messages were rewritten: the queue did not back up as the test needs", rewritten)
	}
	t.Logf("%d of %d arrived, %d rewritten by smcd", len(ds), count, rewritten)
}
