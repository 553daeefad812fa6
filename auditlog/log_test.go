package auditlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/smcproject/smc/runtime"
)

var env = runtime.Env{
	Remote:    netip.MustParseAddrPort("198.51.100.7:5060"),
	Local:     netip.MustParseAddrPort("192.0.2.1:5060"),
	Transport: runtime.UDP,
}

func record(i int) *runtime.AuditRecord {
	return &runtime.AuditRecord{Profile: 7, Rule: 2, Kind: runtime.AuditText, Text: []byte("record " + strconv.Itoa(i))}
}

// readAll returns the text of every record of every file in dir, in order.
func readAll(t *testing.T, dir string) []string {
	t.Helper()
	files, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	r := NewReader()
	for _, f := range files {
		if _, _, err := r.ReadFile(f, 0, func(line []byte) error {
			var rec struct{ Text string }
			if err := json.Unmarshal(line, &rec); err != nil {
				return fmt.Errorf("%q: %v", line, err)
			}
			texts = append(texts, rec.Text)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return texts
}

func wantRecords(t *testing.T, got []string, from, to int) {
	t.Helper()
	if len(got) != to-from {
		t.Fatalf("%d records, want %d", len(got), to-from)
	}
	for i, text := range got {
		if want := "record " + strconv.Itoa(from+i); text != want {
			t.Fatalf("record %d is %q, want %q", i, text, want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "audit") // Open creates it
	l, err := Open(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		if !l.Add(record(i), &env) {
			t.Fatal("Add refused a record")
		}
	}
	l.Close()
	wantRecords(t, readAll(t, dir), 0, 1000)
	if l.Stats.Written.Load() != 1000 || l.Stats.Files.Load() != 1 {
		t.Errorf("written %d, files %d", l.Stats.Written.Load(), l.Stats.Files.Load())
	}
	files, _ := List(dir)
	fi, _ := os.Stat(files[0])
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("file mode %v", fi.Mode().Perm())
	}
	// Audit records quote callers' numbers: neither the folder nor its files are for others.
	if di, _ := os.Stat(dir); di.Mode().Perm()&0o027 != 0 {
		t.Errorf("folder mode %v: group may write or others may read", di.Mode().Perm())
	}
	var line []byte
	NewReader().ReadFile(files[0], 0, func(l []byte) error {
		if line == nil {
			line = bytes.Clone(l)
		}
		return nil
	})
	var rec map[string]any
	json.Unmarshal(line, &rec)
	if rec["profile"] != 7.0 || rec["rule"] != 2.0 || rec["kind"] != "audit" || rec["remote"] != "198.51.100.7:5060" || rec["transport"] != "UDP" {
		t.Errorf("record %s", line)
	}
}

// Files rotate when they reach MaxFileBytes; reading them in name order gives every record in
// order.
func TestRotationBySize(t *testing.T) {
	dir := t.TempDir()
	l, _ := Open(Config{Dir: dir, MaxFileBytes: 200, KeepFiles: -1, KeepBytes: -1})
	for i := range 50 {
		l.Add(record(i), &env)
		if i%5 == 4 {
			l.Flush()
		}
	}
	l.Close()
	files, _ := List(dir)
	if len(files) < 3 {
		t.Errorf("%d files", len(files))
	}
	for _, f := range files[:len(files)-1] {
		if fi, _ := os.Stat(f); fi.Size() < 200 {
			t.Errorf("%s rotated at %d bytes, before 200", f, fi.Size())
		}
	}
	wantRecords(t, readAll(t, dir), 0, 50)
}

func TestRotationByAge(t *testing.T) {
	dir := t.TempDir()
	l, _ := Open(Config{Dir: dir, MaxAge: 100 * time.Millisecond, FlushInterval: 20 * time.Millisecond})
	l.Add(record(0), &env)
	l.Flush()
	time.Sleep(250 * time.Millisecond)
	l.Add(record(1), &env)
	l.Close()
	files, _ := List(dir)
	if len(files) != 2 {
		t.Errorf("%d files, want 2", len(files))
	}
	wantRecords(t, readAll(t, dir), 0, 2)
}

// Retention keeps the newest files within KeepFiles and KeepBytes.
func TestRetention(t *testing.T) {
	write := func(t *testing.T, cfg Config) ([]string, int64) {
		cfg.Dir, cfg.MaxFileBytes = t.TempDir(), 1 // a file per frame
		l, _ := Open(cfg)
		for i := range 10 {
			l.Add(record(i), &env)
			l.Flush()
		}
		l.Close()
		files, _ := List(cfg.Dir)
		var total int64
		for _, f := range files {
			fi, _ := os.Stat(f)
			total += fi.Size()
		}
		got := readAll(t, cfg.Dir)
		wantRecords(t, got, 10-len(got), 10) // the newest survive, in order
		return files, total
	}
	t.Run("count", func(t *testing.T) {
		if files, _ := write(t, Config{KeepFiles: 3, KeepBytes: -1}); len(files) != 3 {
			t.Errorf("%d files, want 3", len(files))
		}
	})
	t.Run("bytes", func(t *testing.T) {
		files, total := write(t, Config{KeepFiles: -1, KeepBytes: 300})
		// Retention runs when a file starts, so the newest file may take the total past the
		// limit until the next one starts.
		last, _ := os.Stat(files[len(files)-1])
		if total-last.Size() > 300 || len(files) >= 10 {
			t.Errorf("%d files of %d bytes for a limit of 300", len(files), total)
		}
	})
}

// A file cut anywhere inside its last frame reads without error up to the last complete frame;
// cut anywhere at all, it gives exactly the records of its complete frames.
func TestTruncated(t *testing.T) {
	dir := t.TempDir()
	l, _ := Open(Config{Dir: dir})
	var ends []int64 // file size after each frame
	for f := range 3 {
		for i := range 4 {
			l.Add(record(f*4+i), &env)
		}
		l.Flush()
		files, _ := List(dir)
		fi, _ := os.Stat(files[0])
		ends = append(ends, fi.Size())
	}
	l.Close()
	files, _ := List(dir)
	data, _ := os.ReadFile(files[0])
	cutPath := filepath.Join(t.TempDir(), "cut"+FileSuffix)
	r := NewReader()
	for n := 0; n <= len(data); n++ {
		os.WriteFile(cutPath, data[:n], 0o644)
		var got []string
		next, cut, err := r.ReadFile(cutPath, 0, func(line []byte) error {
			got = append(got, string(line))
			return nil
		})
		if err != nil {
			t.Fatalf("cut at %d: %v", n, err)
		}
		frames := 0
		for frames < len(ends) && ends[frames] <= int64(n) {
			frames++
		}
		complete := int64(0)
		if frames > 0 {
			complete = ends[frames-1]
		}
		if len(got) != 4*frames || next != complete || cut != (int64(n) > complete) {
			t.Fatalf("cut at %d: %d records, next %d, cut %v; want %d records, next %d", n, len(got), next, cut, 4*frames, complete)
		}
	}
}

// A full buffer refuses records and counts each one; the records it took are all written.
func TestFullBuffer(t *testing.T) {
	dir := t.TempDir()
	hold := make(chan struct{})
	l, _ := Open(Config{Dir: dir, BufferBytes: 4096})
	l.beforeSwap = func() { <-hold }
	accepted, refused := 0, 0
	for range 200 {
		if l.Add(record(accepted), &env) {
			accepted++
		} else {
			refused++
		}
	}
	close(hold)
	l.Close()
	if refused == 0 || l.Stats.LostFull.Load() != uint64(refused) {
		t.Fatalf("refused %d, counted %d", refused, l.Stats.LostFull.Load())
	}
	wantRecords(t, readAll(t, dir), 0, accepted)
}

// A directory that goes away loses the records of the frames that cannot be written, counted and
// reported; writing resumes when the directory is back.
func TestUnwritableDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "audit")
	var reports []string
	l, _ := Open(Config{Dir: dir, MaxFileBytes: 1, Errorf: func(f string, a ...any) { reports = append(reports, fmt.Sprintf(f, a...)) }})
	l.Add(record(0), &env)
	l.Flush()
	os.RemoveAll(dir)
	l.Add(record(1), &env)
	l.Flush()
	if l.Stats.LostWrite.Load() != 1 || len(reports) == 0 {
		t.Fatalf("lost %d, reports %q", l.Stats.LostWrite.Load(), reports)
	}
	os.MkdirAll(dir, 0o750)
	l.Add(record(2), &env)
	l.Close()
	got := readAll(t, dir)
	if len(got) != 1 || got[0] != "record 2" {
		t.Fatalf("after the directory came back: %q", got)
	}
}

// A full disk (a small tmpfs) loses the records of the frame that does not fit, counted, and
// leaves no partial frame; writing resumes when space is freed.
func TestDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounts a small tmpfs: needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	filler := filepath.Join(dir, "filler")
	os.WriteFile(filler, make([]byte, 240<<10), 0o644)
	l, _ := Open(Config{Dir: dir, KeepFiles: -1, KeepBytes: -1})
	t.Cleanup(func() { l.Close() })
	l.Add(record(0), &env)
	l.Flush()
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	noise, x := make([]byte, 64<<10), uint32(1) // barely compresses: the frame needs more than is left
	for i := range noise {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		noise[i] = letters[x%64]
	}
	l.Add(&runtime.AuditRecord{Profile: 1, Kind: runtime.AuditDrop, Text: noise}, &env)
	l.Flush()
	if l.Stats.LostWrite.Load() != 1 {
		t.Fatalf("lost %d records on a full disk, want 1", l.Stats.LostWrite.Load())
	}
	os.Remove(filler)
	l.Add(record(1), &env)
	l.Close()
	wantRecords(t, readAll(t, dir), 0, 2)
}

// The crash tests run a writer in a child process: the test binary with AUDITLOG_WRITER=DIR adds
// numbered records as fast as it can, and prints "SEQ" every 20 ms: every record below SEQ was
// accepted by then.
func TestMain(m *testing.M) {
	if dir := os.Getenv("AUDITLOG_WRITER"); dir != "" {
		os.Exit(writer(dir))
	}
	os.Exit(m.Run())
}

func writer(dir string) int {
	l, err := Open(Config{Dir: dir, KeepFiles: -1, KeepBytes: -1})
	if err != nil {
		return 1
	}
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	last := time.Now()
	for i := 0; ; i++ {
		select {
		case <-term:
			l.Close()
			fmt.Println("closed", i)
			return 0
		default:
		}
		for !l.Add(record(i), &env) {
			time.Sleep(time.Millisecond)
		}
		if time.Since(last) > 20*time.Millisecond {
			fmt.Println(i + 1)
			last = time.Now()
		}
		if i%100 == 0 {
			time.Sleep(100 * time.Microsecond) // a steady stream, not a flood
		}
	}
}

// startWriter runs the writer child and returns a function that gives the last SEQ it printed
// before now, and a channel that gets the number of records it had accepted when it closed.
func startWriter(t *testing.T, dir string) (*exec.Cmd, func() int, chan int) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "AUDITLOG_WRITER="+dir)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	seqs, closed := make(chan int, 1024), make(chan int, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "closed "); ok {
				n, _ := strconv.Atoi(rest)
				closed <- n
			}
			if n, err := strconv.Atoi(sc.Text()); err == nil {
				select {
				case seqs <- n:
				default:
					<-seqs
					seqs <- n
				}
			}
		}
		close(seqs)
		close(closed) // a writer that died without saying how many it accepted: a receive gets !ok
	}()
	latest := 0
	return cmd, func() int {
		for {
			select {
			case n, ok := <-seqs:
				if !ok {
					return latest
				}
				latest = n
			default:
				return latest
			}
		}
	}, closed
}

// A writer killed with SIGKILL loses at most the records of its last second.
func TestKillLosesAtMostOneSecond(t *testing.T) {
	dir := t.TempDir()
	cmd, latest, _ := startWriter(t, dir)
	time.Sleep(1500 * time.Millisecond)
	safe := latest() // accepted more than a second (and a little) before the kill
	time.Sleep(1100 * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()
	got := readAll(t, dir)
	if safe == 0 || len(got) < safe {
		t.Fatalf("%d records survived; every record accepted a second before the kill (%d) should have", len(got), safe)
	}
	wantRecords(t, got, 0, len(got))
}

// A writer stopped with SIGTERM loses nothing.
func TestTermLosesNothing(t *testing.T) {
	dir := t.TempDir()
	cmd, latest, closed := startWriter(t, dir)
	time.Sleep(700 * time.Millisecond)
	for deadline := time.Now().Add(30 * time.Second); latest() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) { // the writer prints only once it handles SIGTERM
			cmd.Process.Kill()
			t.Fatal("the writer printed nothing in 30 s")
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	accepted, ok := <-closed // before Wait, which closes the pipe the line comes through
	cmd.Wait()
	if !ok || accepted == 0 {
		t.Fatalf("the writer did not report the records it accepted (%d, %v)", accepted, ok)
	}
	wantRecords(t, readAll(t, dir), 0, accepted)
}
