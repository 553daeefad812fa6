package bundle

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smcproject/smc/internal/smctest"
)

// copyFixture copies testdata/chain into a new folder and returns the profile's path there.
func copyFixture(t *testing.T) string {
	dir := t.TempDir()
	entries, err := os.ReadDir("testdata/chain")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("testdata/chain", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "profile.json")
}

func compileTo(t *testing.T, profile, out string) {
	t.Helper()
	progs, m, diags := CompileFiles([]string{profile})
	if progs == nil {
		t.Fatal(diags)
	}
	if err := WriteFile(out, progs, m); err != nil {
		t.Fatal(err)
	}
}

// The operator's update: change a data file, compile again, and put the new bundle in place with a
// rename. A process that opened the old bundle keeps answering from it, unharmed and verifiable,
// until it opens the new one; nothing is left behind in the folder.
func TestDataUpdate(t *testing.T) {
	profile := copyFixture(t)
	dir := filepath.Dir(profile)
	msg, err := os.ReadFile(filepath.Join(dir, "invite.sip"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "chain.smcb")
	compileTo(t, profile, path)
	old, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	carrier := func(b *Bundle) string {
		out := run(smctest.MustChain(t, b.Programs...), msg).output
		i := strings.Index(out, "X-Carrier: ")
		if i < 0 {
			return ""
		}
		return out[i+len("X-Carrier: ") : i+strings.Index(out[i:], "\r\n")]
	}
	if got := carrier(old); got != "carrier-7 (fraud)" {
		t.Fatalf("before the update: %q", got)
	}

	numbers := filepath.Join(dir, "numbers.csv")
	b, _ := os.ReadFile(numbers)
	if err := os.WriteFile(numbers, []byte(strings.Replace(string(b), "carrier-7,fraud", "carrier-70,fraud ring", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	compileTo(t, profile, path)

	if got := carrier(old); got != "carrier-7 (fraud)" {
		t.Errorf("the opened old bundle now says %q", got)
	}
	if err := old.Verify(); err != nil {
		t.Errorf("the opened old bundle no longer verifies: %v", err)
	}
	updated, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer updated.Close()
	if got := carrier(updated); got != "carrier-70 (fraud ring)" {
		t.Errorf("after the update: %q", got)
	}
	if updated.Manifest.Data[0].SHA256 == old.Manifest.Data[0].SHA256 {
		t.Error("the manifest did not record the new data file")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// A write that fails leaves what was at the path as it was and no temporary file behind.
func TestWriteFileFailure(t *testing.T) {
	profile := copyFixture(t)
	dir := filepath.Dir(profile)
	path := filepath.Join(dir, "chain.smcb")
	// A folder in the way: the rename at the end fails.
	if err := os.MkdirAll(filepath.Join(path, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	progs, m, _ := CompileFiles([]string{profile})
	if err := WriteFile(path, progs, m); err == nil {
		t.Fatal("WriteFile over a folder succeeded")
	}
	if _, err := os.Stat(filepath.Join(path, "inside")); err != nil {
		t.Errorf("the folder was touched: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
