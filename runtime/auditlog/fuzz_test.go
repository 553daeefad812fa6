package auditlog

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadFile reads damaged log files: whatever the bytes, the reader does not panic, stops at
// the first thing that is not a complete frame, and gives the same records when it reads the
// same file again from the offset it returned.
func FuzzReadFile(f *testing.F) {
	dir := f.TempDir()
	l, _ := Open(Config{Dir: dir})
	for i := range 30 {
		l.Add(record(i), &env)
		if i%10 == 9 {
			l.Flush()
		}
	}
	l.Close()
	files, _ := List(dir)
	good, _ := os.ReadFile(files[0])
	f.Add(good)
	f.Add(good[:len(good)-3])
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd})
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f"+FileSuffix)
		os.WriteFile(path, data, 0o644)
		r := NewReader()
		n := 0
		next, _, err := r.ReadFile(path, 0, func([]byte) error { n++; return nil })
		if next < 0 || next > int64(len(data)) {
			t.Fatalf("next %d of %d bytes", next, len(data))
		}
		if err == nil {
			again, _, err := r.ReadFile(path, next, func([]byte) error { n++; return nil })
			if err != nil || again != next {
				t.Fatalf("reading on from %d: %d, %v", next, again, err)
			}
		}
	})
}
