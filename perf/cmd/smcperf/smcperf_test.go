package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The summary as strace 6 prints it, errors column present on some rows only.
const straceSummary = `strace: Process 14231 attached with 7 threads
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 45.10    0.012000           6      1903           recvmmsg
 40.00    0.010000           5      1781           write
 10.00    0.002000           6       290       145 futex
  4.90    0.001000           3       290           nanosleep
------ ----------- ----------- --------- --------- ----------------
100.00    0.025000           5      4264       145 total
`

func TestParseStraceSummary(t *testing.T) {
	c, err := parseStraceSummary(straceSummary)
	if err != nil {
		t.Fatal(err)
	}
	if c.total != 4264 {
		t.Errorf("total %d, want 4264", c.total)
	}
	if c.byName["futex"] != 290 || c.byName["recvmmsg"] != 1903 {
		t.Errorf("by name %v", c.byName)
	}
	if got := c.top(2, 1000); got != "recvmmsg 1.90, write 1.78" {
		t.Errorf("top: %q", got)
	}
	if _, err := parseStraceSummary("strace: attach: ptrace(PTRACE_SEIZE, 1): Operation not permitted\n"); err == nil {
		t.Error("no table: want an error")
	}
}

func TestReadMix(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.sip"), filepath.Join(dir, "b.sip")
	os.WriteFile(a, []byte("A"), 0o644)
	os.WriteFile(b, []byte("B"), 0o644)
	msgs, err := readMix(a + "*3," + b)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	for _, m := range msgs {
		got += string(m)
	}
	if got != "AAAB" {
		t.Errorf("mix %q, want AAAB", got)
	}
	if _, err := readMix(a + "*0"); err == nil {
		t.Error("a count of 0: want an error")
	}
}

func TestTrialVerdicts(t *testing.T) {
	base := trial{rate: 1000, sent: 10000, seconds: 10, asked: 10 * time.Second, sunk: 10000, handled: 10000, hasConsumer: true}
	for _, tt := range []struct {
		name     string
		change   func(*trial)
		lossless bool
	}{
		{"all through", func(*trial) {}, true},
		{"0.05% lost", func(t *trial) { t.sunk = 9995 }, true},
		{"0.2% lost", func(t *trial) { t.sunk = 9980 }, false},
		{"a queue drop", func(t *trial) { t.queueDrops = 1 }, false},
		{"0.01% passed unhandled by fail-open", func(t *trial) { t.handled = 9999 }, true},
		{"0.2% passed unhandled by fail-open", func(t *trial) { t.handled = 9980 }, false},
		{"the sender fell behind", func(t *trial) { t.seconds = 11 }, false},
		{"no consumer, B0", func(t *trial) { t.hasConsumer, t.handled = false, 0 }, true},
	} {
		tr := base
		tt.change(&tr)
		if got := tr.lossless(); got != tt.lossless {
			t.Errorf("%s: lossless %v, want %v (%s)", tt.name, got, tt.lossless, tr)
		}
	}
	behind := base
	behind.handled = 8000
	if p := behind.consumerPace(); p != 800 {
		t.Errorf("pace %d, want 800", p)
	}
}

func TestAddSection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "B.md")
	os.WriteFile(path, []byte("# Benchmarks\n\nIntro.\n\n## 2026-11-22 — old\n\nold numbers\n"), 0o644)
	if err := addSection(path, "## 2026-11-23 — new\n\nnew numbers\n\n"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "# Benchmarks\n\nIntro.\n\n## 2026-11-23 — new\n\nnew numbers\n\n## 2026-11-22 — old\n\nold numbers\n"
	if string(got) != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// The soak's judgement: a flat memory line with nothing lost passes; growth past the allowance,
// a lost packet, one that passed without the chain, or a reload that did not take fails.
func TestSoakJudge(t *testing.T) {
	flat := make([]uint64, 60)
	growing := make([]uint64, 60)
	for i := range flat {
		flat[i] = 40000 + uint64(i%3)*100  // the runtime's small wobble
		growing[i] = 40000 + uint64(i)*200 // 200 kB a second
	}
	tests := []struct {
		name     string
		r        soakRun
		rss      []uint64
		problems int
	}{
		{"flat", soakRun{sent: 1000, sunk: 1000, handled: 1000, reloads: 4, reloadsLogged: 4}, flat, 0},
		{"growing", soakRun{sent: 1000, sunk: 1000, handled: 1000, reloads: 4, reloadsLogged: 4}, growing, 1},
		{"lost", soakRun{sent: 1000, sunk: 999, handled: 999, reloads: 4, reloadsLogged: 4}, flat, 1},
		{"passed by fail-open", soakRun{sent: 1000, sunk: 1000, handled: 993, reloads: 4, reloadsLogged: 4}, flat, 1},
		{"reload failed", soakRun{sent: 1000, sunk: 1000, handled: 1000, reloads: 4, reloadsLogged: 3}, flat, 1},
		{"too short", soakRun{sent: 1000, sunk: 1000, handled: 1000}, flat[:8], 1},
	}
	for _, tt := range tests {
		tt.r.judge(tt.rss)
		if len(tt.r.problems) != tt.problems {
			t.Errorf("%s: problems %q, want %d", tt.name, tt.r.problems, tt.problems)
		}
	}
}
