package main

import (
	"bytes"
	"os"
	"os/exec"
	goruntime "runtime"
	"strings"
	"testing"
)

func TestVersionFlag(t *testing.T) {
	for _, arg := range []string{"--version", "-version"} {
		var stdout, stderr bytes.Buffer
		if code := dispatch([]string{arg}, nil, &stdout, &stderr); code != exitOK || stderr.Len() > 0 {
			t.Errorf("%s: exit %d, %s", arg, code, &stderr)
		}
		if out := stdout.String(); !strings.HasPrefix(out, "smcc ") || !strings.HasSuffix(out, " "+goruntime.Version()+"\n") ||
			strings.Count(out, "\n") != 1 {
			t.Errorf("%s printed %q", arg, out)
		}
	}
}

// make smcc builds the offline tool alone: one go build, with no step that needs root or the
// daemon's system packages (the README sends newcomers there).
func TestMakeSmccBuildsOnlySmcc(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	cmd := exec.Command("make", "-C", repo, "--no-print-directory", "-n", "smcc", "GO=go")
	cmd.Env = append(os.Environ(), "MAKEFLAGS=", "MAKELEVEL=") // not the flags of a make that runs this test
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n smcc: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "go build -buildvcs=auto -o bin/smcc ./cmd/smcc" {
		t.Errorf("make -n smcc runs:\n%s\nwant only: go build -buildvcs=auto -o bin/smcc ./cmd/smcc", got)
	}
}
