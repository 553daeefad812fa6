// Package auditlog writes and reads the daemon's audit log: the records of AUDIT_RECORD and
// DROP_MSG_RECORD (SMC-SPEC §9) as JSON lines, compressed with zstd, in files rotated by size and
// age and kept within a count and a total size.
//
// The packet path never waits on the disk. Workers hand records to Add, which formats them into a
// bounded in-memory buffer under a short lock and returns; one writer goroutine takes the whole
// buffer at least once a second, compresses it into one zstd frame, and appends the frame to the
// current file. Each frame decodes on its own, so a file cut short by a crash is readable up to
// its last complete frame, and a crash loses at most the records of the last second. When the
// buffer is full, Add counts the record as lost and the packet goes on; when the disk fails, the
// frame's records are counted as lost, the error is reported, and writing resumes with a new file
// when it can.
package auditlog

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/smcproject/smc/runtime"
)

// Config sets up a Log. Zero values take the defaults.
type Config struct {
	Dir string

	MaxFileBytes  int64         // rotate when the current file reaches this size (default 64 MiB)
	MaxAge        time.Duration // rotate when the current file is this old (default 1 h)
	KeepFiles     int           // delete the oldest files beyond this many (default 168: a week of hours; -1: no limit)
	KeepBytes     int64         // delete the oldest files while all of them take more (default 4 GiB; -1: no limit)
	BufferBytes   int           // the in-memory buffer between the workers and the writer (default 16 MiB)
	FlushInterval time.Duration // the longest a record waits in memory (default and at most 1 s)

	// Errorf hears about write errors and losses, at most once a second; nil: silent.
	Errorf func(format string, args ...any)
}

// Defaults.
const (
	DefaultMaxFileBytes = 64 << 20
	DefaultMaxAge       = time.Hour
	DefaultKeepFiles    = 168
	DefaultKeepBytes    = 4 << 30
	DefaultBufferBytes  = 16 << 20
)

func (c Config) withDefaults() Config {
	if c.MaxFileBytes == 0 {
		c.MaxFileBytes = DefaultMaxFileBytes
	}
	if c.MaxAge == 0 {
		c.MaxAge = DefaultMaxAge
	}
	if c.KeepFiles == 0 {
		c.KeepFiles = DefaultKeepFiles
	}
	if c.KeepBytes == 0 {
		c.KeepBytes = DefaultKeepBytes
	}
	if c.BufferBytes == 0 {
		c.BufferBytes = DefaultBufferBytes
	}
	if c.FlushInterval <= 0 || c.FlushInterval > time.Second {
		c.FlushInterval = time.Second
	}
	return c
}

// Stats count what became of the records.
type Stats struct {
	Written   atomic.Uint64 // in a frame on disk
	LostFull  atomic.Uint64 // refused by Add: the buffer was full
	LostWrite atomic.Uint64 // in a frame that could not be written
	Frames    atomic.Uint64
	Files     atomic.Uint64 // files started
	Errors    atomic.Uint64 // write, sync, rotation and retention errors
}

// A Log is an audit log being written.
type Log struct {
	cfg   Config
	Stats Stats

	mu      sync.Mutex
	active  []byte // records waiting for the writer
	records int    // in active
	scratch []byte // one record being formatted
	closed  bool

	wake    chan struct{}
	flushes chan chan struct{}
	done    chan struct{}
	stopped chan struct{}

	// The writer's own state.
	enc       *zstd.Encoder
	spare     []byte
	frame     []byte
	file      *os.File
	fileName  string
	fileStart time.Time
	fileSize  int64
	lastSync  time.Time
	lastErr   time.Time
	// reportedFull is LostFull when it was last reported.
	reportedFull uint64

	beforeSwap func() // tests: hold the writer before it takes the buffer
}

// Open starts a log writing into cfg.Dir, which is created (mode 0750) if needed.
func Open(cfg Config) (*Log, error) {
	cfg = cfg.withDefaults()
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	// The content checksum is the encoder's default; the reader refuses frames without one.
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
		zstd.WithEncoderCRC(true))
	if err != nil {
		return nil, err
	}
	l := &Log{cfg: cfg, enc: enc,
		active: make([]byte, 0, cfg.BufferBytes), spare: make([]byte, 0, cfg.BufferBytes),
		wake: make(chan struct{}, 1), flushes: make(chan chan struct{}), done: make(chan struct{}), stopped: make(chan struct{})}
	go l.run()
	return l, nil
}

// Add appends the record, stamped with the current time, for the writer. It never blocks on the
// disk and does not allocate; it returns false, and counts the record as lost, when the buffer is
// full or the log closed.
func (l *Log) Add(rec *runtime.AuditRecord, env *runtime.Env) bool {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		l.Stats.LostFull.Add(1)
		return false
	}
	l.scratch = append(rec.AppendJSON(l.scratch[:0], time.Now(), env), '\n')
	if len(l.active)+len(l.scratch) > cap(l.active) {
		l.mu.Unlock()
		l.Stats.LostFull.Add(1)
		return false
	}
	l.active = append(l.active, l.scratch...)
	l.records++
	half := len(l.active) > cap(l.active)/2
	l.mu.Unlock()
	if half {
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
	return true
}

// Flush writes what is buffered and syncs the file; it returns when that is done.
func (l *Log) Flush() {
	ack := make(chan struct{})
	select {
	case l.flushes <- ack:
		<-ack
	case <-l.stopped:
	}
}

// Close writes what is buffered, syncs and closes the file, and stops the writer. Records added
// after Close are lost, counted.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	close(l.done)
	<-l.stopped
	return nil
}

// run is the writer.
func (l *Log) run() {
	defer close(l.stopped)
	tick := time.NewTicker(l.cfg.FlushInterval)
	defer tick.Stop()
	for {
		var ack chan struct{}
		stop := false
		select {
		case <-l.wake:
		case <-tick.C:
		case ack = <-l.flushes:
		case <-l.done:
			stop = true
		}
		l.writeBuffered()
		l.reportFull()
		if time.Since(l.fileStart) >= l.cfg.MaxAge && l.file != nil {
			l.closeFile()
		}
		if ack != nil || stop {
			l.sync()
		}
		if ack != nil {
			close(ack)
		}
		if stop {
			l.closeFile()
			l.enc.Close()
			return
		}
	}
}

// reportFull reports the records refused since the last report because the buffer was full.
func (l *Log) reportFull() {
	if n := l.Stats.LostFull.Load(); n > l.reportedFull && time.Since(l.lastErr) >= time.Second {
		l.report("audit log: %d records lost: the buffer was full (%d bytes); the disk is too slow or the records too many", n-l.reportedFull, l.cfg.BufferBytes)
		l.reportedFull = n
	}
}

// writeBuffered takes the buffered records and writes them as one frame.
func (l *Log) writeBuffered() {
	if l.beforeSwap != nil {
		l.beforeSwap()
	}
	l.mu.Lock()
	l.active, l.spare = l.spare[:0], l.active
	records := l.records
	l.records = 0
	l.mu.Unlock()
	if records == 0 {
		return
	}
	l.frame = l.enc.EncodeAll(l.spare, l.frame[:0])
	if err := l.writeFrame(); err != nil {
		l.Stats.LostWrite.Add(uint64(records))
		l.report("audit log: %d records lost: %v", records, err)
		return
	}
	l.Stats.Written.Add(uint64(records))
	l.Stats.Frames.Add(1)
	if time.Since(l.lastSync) >= time.Second {
		l.sync()
	}
	if l.fileSize >= l.cfg.MaxFileBytes {
		l.closeFile()
	}
}

// writeFrame appends l.frame to the current file, starting one if needed. On an error the file
// is abandoned (truncated back to its last complete frame when possible), so the next frame
// starts a new one once the disk takes writes again.
func (l *Log) writeFrame() error {
	if l.file == nil {
		if err := l.startFile(); err != nil {
			l.Stats.Errors.Add(1)
			return err
		}
	}
	n, err := l.file.Write(l.frame)
	if err != nil {
		l.Stats.Errors.Add(1)
		if n > 0 {
			l.file.Truncate(l.fileSize) // no partial frame behind us, if the disk lets us
		}
		l.file.Close()
		l.file = nil
		return err
	}
	l.fileSize += int64(n)
	return nil
}

// FilePrefix and FileSuffix frame the names of the log's files; between them is the UTC time the
// file was started, so that names sort in time order.
const (
	FilePrefix = "audit-"
	FileSuffix = ".jsonl.zst"
	timeLayout = "20060102T150405.000000000Z"
)

func (l *Log) startFile() error {
	now := time.Now().UTC()
	for {
		name := filepath.Join(l.cfg.Dir, FilePrefix+now.Format(timeLayout)+FileSuffix)
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o640)
		if errors.Is(err, os.ErrExist) {
			now = now.Add(time.Nanosecond)
			continue
		}
		if err != nil {
			return err
		}
		l.file, l.fileName, l.fileStart, l.fileSize = f, name, now, 0
		l.Stats.Files.Add(1)
		l.retain()
		return nil
	}
}

func (l *Log) sync() {
	if l.file == nil {
		return
	}
	if err := l.file.Sync(); err != nil {
		l.Stats.Errors.Add(1)
		l.report("audit log: sync %s: %v", l.fileName, err)
	}
	l.lastSync = time.Now()
}

func (l *Log) closeFile() {
	if l.file == nil {
		return
	}
	l.sync()
	if err := l.file.Close(); err != nil {
		l.Stats.Errors.Add(1)
		l.report("audit log: close %s: %v", l.fileName, err)
	}
	l.file = nil
}

// retain deletes the oldest files while there are more than KeepFiles or they take more than
// KeepBytes together; the current file is never deleted.
func (l *Log) retain() {
	files, err := List(l.cfg.Dir)
	if err != nil {
		l.Stats.Errors.Add(1)
		l.report("audit log: retention: %v", err)
		return
	}
	var total int64
	sizes := make([]int64, len(files))
	for i, f := range files {
		if fi, err := os.Stat(f); err == nil {
			sizes[i] = fi.Size()
			total += sizes[i]
		}
	}
	for i, f := range files {
		over := (l.cfg.KeepFiles > 0 && len(files)-i > l.cfg.KeepFiles) || (l.cfg.KeepBytes > 0 && total > l.cfg.KeepBytes)
		if !over || f == l.fileName {
			break
		}
		if err := os.Remove(f); err != nil {
			l.Stats.Errors.Add(1)
			l.report("audit log: retention: %v", err)
			continue
		}
		total -= sizes[i]
	}
}

// report passes a problem to Errorf, at most once a second.
func (l *Log) report(format string, args ...any) {
	if l.cfg.Errorf == nil || time.Since(l.lastErr) < time.Second {
		return
	}
	l.lastErr = time.Now()
	l.cfg.Errorf(format, args...)
}

// List returns the log files in dir, oldest first.
func List(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, FilePrefix) && strings.HasSuffix(n, FileSuffix) && e.Type().IsRegular() {
			files = append(files, filepath.Join(dir, n))
		}
	}
	sort.Strings(files)
	return files, nil
}
