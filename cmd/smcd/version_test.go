package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestBuildLine(t *testing.T) {
	vcs := []debug.BuildSetting{{Key: "-trimpath", Value: "true"}, {Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-05-01T10:00:00Z"}}
	for _, c := range []struct {
		bi       debug.BuildInfo
		line     string
		revision string
	}{
		{debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Settings: vcs},
			"smcd v1.2.0 (revision 0123456789abcdef0123456789abcdef01234567, 2026-05-01T10:00:00Z) go1.26.8",
			"0123456789abcdef0123456789abcdef01234567"},
		{debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.1-0.20260501100000-0123456789ab+dirty"},
			Settings: append(vcs, debug.BuildSetting{Key: "vcs.modified", Value: "true"})},
			"smcd v1.2.1-0.20260501100000-0123456789ab+dirty (revision 0123456789abcdef0123456789abcdef01234567, 2026-05-01T10:00:00Z, modified) go1.26.8",
			"0123456789abcdef0123456789abcdef01234567+modified"},
		{debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, "smcd (devel) go1.26.8", ""},
		{debug.BuildInfo{GoVersion: "go1.26.8"}, "smcd (devel) go1.26.8", ""},
	} {
		b := buildOf(&c.bi)
		if got := b.line("smcd"); got != c.line {
			t.Errorf("line:\n got %s\nwant %s", got, c.line)
		}
		if got := b.revisionLabel(); got != c.revision {
			t.Errorf("revision label %q, want %q", got, c.revision)
		}
	}
}

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
