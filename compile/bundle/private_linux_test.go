package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smcproject/smc/runtime"
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
		b, digest, err := OpenPrivate(path, copyDir)
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(good); digest != hex.EncodeToString(sum[:]) {
			t.Errorf("digest %s", digest)
		}
		want := run(runtime.NewChain(b.Programs...), msg).output
		if err := os.Truncate(path, 0); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(path, []byte("garbage"), 0o640)
		if got := run(runtime.NewChain(b.Programs...), msg).output; got != want || b.Verify() != nil {
			t.Errorf("after the file was overwritten: %q, want %q", got, want)
		}
		b.Close()
		if entries, _ := os.ReadDir(copyDir); copyDir != "" && len(entries) != 0 {
			t.Errorf("the copy left %d files behind", len(entries))
		}

		corrupt := []byte(string(good))
		corrupt[len(corrupt)-10] ^= 1
		os.WriteFile(path, corrupt, 0o640)
		if _, _, err := OpenPrivate(path, copyDir); err == nil || !strings.Contains(err.Error(), "corrupt") {
			t.Errorf("a corrupt data section: %v", err)
		}
	}
}
