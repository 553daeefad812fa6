package packaging

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// version.sh gives each state of a history the Debian version docs/smcd.md describes, and dpkg
// orders them as the history goes: no tag, a pre-release, its release, commits after it.
func TestVersion(t *testing.T) {
	for _, tool := range []string{"git", "dpkg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s", tool)
		}
	}
	script, _ := filepath.Abs("version.sh")
	dir := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t",
			"GIT_COMMITTER_EMAIL=t@example.org", "GIT_COMMITTER_DATE=2026-12-07T23:30:00-02:00", "GIT_AUTHOR_DATE=2026-12-07T23:30:00-02:00")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	commit := func() string {
		git("commit", "-q", "--allow-empty", "-m", "c")
		return git("rev-parse", "--short=7", "HEAD")
	}
	version := func() string {
		cmd := exec.Command("sh", script)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("version.sh: %v\n%s", err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	os.WriteFile(filepath.Join(dir, "f"), []byte("1"), 0o644)
	git("add", "f")
	var got, want []string
	check := func(w string) {
		t.Helper()
		got, want = append(got, version()), append(want, w)
	}
	// The commits' time is 01:30 on the 8th in UTC, which names the day.
	check("0.0~git20261208." + commit())
	os.WriteFile(filepath.Join(dir, "f"), []byte("2"), 0o644)
	check("0.0~git20261208." + git("rev-parse", "--short=7", "HEAD") + "+dirty")
	git("checkout", "-q", "f")
	commit()
	git("tag", "v1.2.0-rc1")
	check("1.2.0~rc1")
	git("tag", "v1.2.0")
	check("1.2.0")
	check("1.2.0+git20261208." + commit())
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("version %d: %s, want %s", i, got[i], want[i])
		}
		if err := exec.Command("dpkg", "--validate-version", got[i]).Run(); err != nil {
			t.Errorf("%s is not a valid Debian version", got[i])
		}
		if i > 0 {
			if err := exec.Command("dpkg", "--compare-versions", got[i-1], "lt", got[i]).Run(); err != nil {
				t.Errorf("dpkg does not order %s before %s", got[i-1], got[i])
			}
		}
	}
}
