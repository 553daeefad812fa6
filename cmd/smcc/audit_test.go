package main

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smcproject/smc/auditlog"
	"github.com/smcproject/smc/runtime"
)

var auditEnv = runtime.Env{Remote: netip.MustParseAddrPort("198.51.100.7:5060"), Local: netip.MustParseAddrPort("192.0.2.1:5060")}

// writeAuditLog writes records across several files: profile 1 audits, profile 2 drops.
func writeAuditLog(t *testing.T, dir string, n int) time.Time {
	l, err := auditlog.Open(auditlog.Config{Dir: dir, MaxFileBytes: 300})
	if err != nil {
		t.Fatal(err)
	}
	var middle time.Time
	for i := range n {
		rec := &runtime.AuditRecord{Profile: 1, Kind: runtime.AuditText, Text: []byte("r" + itoa(i))}
		if i%2 == 1 {
			rec.Profile, rec.Kind = 2, runtime.AuditDrop
		}
		if i == n/2 {
			l.Flush()
			time.Sleep(20 * time.Millisecond)
			middle = time.Now()
		}
		l.Add(rec, &auditEnv)
		if i%4 == 3 {
			l.Flush()
		}
	}
	l.Close()
	return middle
}

func itoa(i int) string { return fmt.Sprintf("%02d", i) }

// syncBuffer is a bytes.Buffer that one goroutine writes while another reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func auditTexts(out string) []string {
	var texts []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if i := strings.Index(line, `"text":"`); i >= 0 {
			texts = append(texts, strings.TrimSuffix(line[i+8:], `"}`))
		}
	}
	return texts
}

func TestAuditCat(t *testing.T) {
	dir := t.TempDir()
	middle := writeAuditLog(t, dir, 20)
	files, _ := auditlog.List(dir)
	if len(files) < 3 {
		t.Fatalf("%d files; the test wants records across several", len(files))
	}
	cases := []struct {
		args []string
		want string
	}{
		{nil, "r00 r01 r02 r03 r04 r05 r06 r07 r08 r09 r10 r11 r12 r13 r14 r15 r16 r17 r18 r19"},
		{[]string{"--profile", "2"}, "r01 r03 r05 r07 r09 r11 r13 r15 r17 r19"},
		{[]string{"--kind", "audit"}, "r00 r02 r04 r06 r08 r10 r12 r14 r16 r18"},
		{[]string{"--since", middle.UTC().Format(time.RFC3339Nano)}, "r10 r11 r12 r13 r14 r15 r16 r17 r18 r19"},
		{[]string{"--until", middle.UTC().Format(time.RFC3339Nano), "--kind", "drop"}, "r01 r03 r05 r07 r09"},
	}
	for _, c := range cases {
		var out, errs bytes.Buffer
		args := append(append([]string{"audit", "cat"}, c.args...), dir)
		if code := dispatch(args, nil, &out, &errs); code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errs.String())
		}
		if got := strings.Join(auditTexts(out.String()), " "); got != c.want {
			t.Errorf("%v:\n got %s\nwant %s", c.args, got, c.want)
		}
	}
	// Files given one by one, in any order, come out in time order too.
	var out bytes.Buffer
	dispatch(append([]string{"audit", "cat"}, files[2], files[0], files[1]), nil, &out, &bytes.Buffer{})
	if got := auditTexts(out.String()); len(got) == 0 || got[0] != "r00" {
		t.Errorf("files out of order: %v", got)
	}
	for _, bad := range [][]string{{"audit"}, {"audit", "cat"}, {"audit", "cat", "--kind", "x", dir}, {"audit", "cat", "--since", "yesterday", dir}} {
		if code := dispatch(bad, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", bad, code, exitUsage)
		}
	}
}

// --kind picks each kind of record, shadow mode's included.
func TestAuditCatKinds(t *testing.T) {
	dir := t.TempDir()
	l, err := auditlog.Open(auditlog.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for i, kind := range []runtime.AuditKind{runtime.AuditText, runtime.AuditShadow, runtime.AuditDrop, runtime.AuditShadow} {
		l.Add(&runtime.AuditRecord{Profile: 1, Kind: kind, Text: []byte("r" + itoa(i))}, &auditEnv)
	}
	l.Close()
	for kind, want := range map[string]string{"audit": "r00", "drop": "r02", "shadow": "r01 r03"} {
		var out, errs bytes.Buffer
		if code := dispatch([]string{"audit", "cat", "--kind", kind, dir}, nil, &out, &errs); code != 0 {
			t.Fatalf("--kind %s: exit %d: %s", kind, code, errs.String())
		}
		if got := strings.Join(auditTexts(out.String()), " "); got != want {
			t.Errorf("--kind %s: %s, want %s", kind, got, want)
		}
	}
}

// --follow prints records written after it started, from files the writer rotates to as well.
func TestAuditFollow(t *testing.T) {
	dir := t.TempDir()
	writeAuditLog(t, dir, 4)
	var out syncBuffer
	c := &auditCat{out: &out, errs: os.Stderr, offsets: map[string]int64{}, reader: auditlog.NewReader()}
	c.pass([]string{dir})
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { c.follow([]string{dir}, stop); close(done) }()
	l, _ := auditlog.Open(auditlog.Config{Dir: dir, MaxFileBytes: 1})
	for i := 4; i < 8; i++ {
		l.Add(&runtime.AuditRecord{Profile: 1, Kind: runtime.AuditText, Text: []byte("r" + itoa(i))}, &auditEnv)
		l.Flush()
	}
	deadline := time.Now().Add(3 * time.Second)
	for len(auditTexts(out.String())) < 8 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	<-done
	l.Close()
	if got := strings.Join(auditTexts(out.String()), " "); got != "r00 r01 r02 r03 r04 r05 r06 r07" {
		t.Errorf("followed: %s", got)
	}
}
