package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smcproject/smc/internal/smctest"
)

// A private copy answers as the file did even after the file is truncated and written over in
// place, which would fault a mapping of the file itself; a corrupt data section is refused when
// opened, not at the first lookup; the digest is the file's SHA-256. Both kinds of unnamed copy
// are tried: O_TMPFILE in a folder, and a memfd.
func TestOpenPrivate(t *testing.T) {
	for _, copyDir := range []string{t.TempDir(), ""} {
		profile := copyFixture(t)
		dir := filepath.Dir(profile)
		msg, err := os.ReadFile(filepath.Join(dir, "invite.sip"))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "chain.smcb")
		compileTo(t, profile, path)
		good, _ := os.ReadFile(path)
		b, digest, err := OpenPrivate(path, copyDir, 0)
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(good); digest != hex.EncodeToString(sum[:]) {
			t.Errorf("digest %s", digest)
		}
		want := run(smctest.MustChain(t, b.Programs...), msg).output
		if err := os.Truncate(path, 0); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(path, []byte("garbage"), 0o640)
		if got := run(smctest.MustChain(t, b.Programs...), msg).output; got != want || b.Verify() != nil {
			t.Errorf("after the file was overwritten: %q, want %q", got, want)
		}
		b.Close()
		if entries, _ := os.ReadDir(copyDir); copyDir != "" && len(entries) != 0 {
			t.Errorf("the copy left %d files behind", len(entries))
		}

		corrupt := []byte(string(good))
		corrupt[len(corrupt)-10] ^= 1
		os.WriteFile(path, corrupt, 0o640)
		if _, _, err := OpenPrivate(path, copyDir, 0); err == nil || !strings.Contains(err.Error(), "corrupt") {
			t.Errorf("a corrupt data section: %v", err)
		}
	}
}

// BenchmarkOpenPrivate opens the reference chain of ../shared/bench as smcd does, a private copy
// checked whole, in a folder (O_TMPFILE) and in memory (memfd); Open, which maps the file and
// checks only its structure, is the baseline.
func BenchmarkOpenPrivate(b *testing.B) {
	bench := filepath.Join("..", "..", "..", "shared", "bench")
	if _, err := os.Stat(bench); err != nil {
		b.Skip("no reference chain at ../shared/bench")
	}
	path := filepath.Join(b.TempDir(), "reference.smcb")
	compileFilesTo(b, path, filepath.Join(bench, "10-security.json"), filepath.Join(bench, "20-normalize.json"))
	benchmarkOpens(b, path)
}

// BenchmarkBigOpenPrivate is BenchmarkOpenPrivate on the carrier-scale bundle (make bench-big).
func BenchmarkBigOpenPrivate(b *testing.B) {
	benchmarkOpens(b, bigBundle(b))
}

func benchmarkOpens(b *testing.B, path string) {
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	opens := map[string]func() (*Bundle, error){
		"mapped":       func() (*Bundle, error) { return Open(path) },
		"copy-tmpfile": func() (*Bundle, error) { bu, _, err := OpenPrivate(path, dir, 0); return bu, err },
		"copy-memfd":   func() (*Bundle, error) { bu, _, err := OpenPrivate(path, "", 0); return bu, err },
	}
	for _, name := range []string{"mapped", "copy-tmpfile", "copy-memfd"} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(st.Size())
			for b.Loop() {
				bu, err := opens[name]()
				if err != nil {
					b.Fatal(err)
				}
				bu.Close()
			}
		})
	}
}

func compileFilesTo(b *testing.B, out string, profiles ...string) {
	b.Helper()
	progs, m, diags := CompileFiles(profiles)
	if progs == nil {
		b.Fatal(diags)
	}
	if err := WriteFile(out, progs, m); err != nil {
		b.Fatal(err)
	}
}
