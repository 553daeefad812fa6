package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"
)

func TestVersionFlag(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"-version"}, {"--queues", "0", "--version"}} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 0 || stderr.Len() > 0 {
			t.Errorf("%q: exit %d, %s", args, code, &stderr)
		}
		if out := stdout.String(); !strings.HasPrefix(out, "smcd ") || !strings.HasSuffix(out, " "+goruntime.Version()+"\n") ||
			strings.Count(out, "\n") != 1 {
			t.Errorf("%q printed %q", args, out)
		}
	}
}

// A binary built in the checkout names the commit it was built from, as one that make build
// builds does (the Makefile's GOFLAGS replace any -buildvcs=false of the environment); smcc and
// smcd of one build print the same line.
func TestVersionOfABuild(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skip("not in a git checkout, or no git: the build records no commit")
	}
	// The go command stamps a build only where .git is a folder: in a worktree made by git
	// worktree add, .git is a file, and no build records its commit.
	if top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output(); err == nil {
		if fi, err := os.Stat(filepath.Join(strings.TrimSpace(string(top)), ".git")); err == nil && !fi.IsDir() {
			t.Skip("a git worktree (.git is a file): the go command records no commit in its builds")
		}
	}
	dir := t.TempDir()
	smcd, smcc := versionOf(t, dir, "smcd"), versionOf(t, dir, "smcc")
	if want := "(revision " + strings.TrimSpace(string(head)) + ", "; !strings.Contains(smcd, want) {
		t.Errorf("smcd --version printed %q, want the commit: %s", smcd, want)
	}
	if want := "smcc" + strings.TrimPrefix(smcd, "smcd"); smcc != want {
		t.Errorf("smcc --version printed %q, want the same build as smcd: %q", smcc, want)
	}
}

// versionOf builds cmd/program into dir with the VCS stamp and returns what --version prints.
func versionOf(t *testing.T, dir, program string) string {
	bin := filepath.Join(dir, program)
	build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, "../"+program)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", program, err)
	}
	return string(out)
}
