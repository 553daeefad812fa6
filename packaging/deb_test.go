// Package packaging holds what builds the Debian package (deb.sh, make package) and its tests:
// the package is built, installed into this host with dpkg -i, checked as an operator would, and
// purged. There is no Go code to build here, only the tests.
package packaging

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// marker says that this test installed the package, until it has purged it: a package left by a
// run that was killed before its cleanup is this test's to purge, any other is the host's.
const marker = "/var/tmp/smc-package-test.installed"

// The package installs into this host what the issue asks for, and removes it all again: the
// binaries, the unit running as the smc user it creates, the manual pages written from the help,
// the documents, and the default configuration as conffiles that a reinstall keeps and a purge
// removes. It needs root, and purges the package when it ends, passed or failed. It skips on a
// host where smcd is installed otherwise, which it would overwrite.
func TestDebianPackage(t *testing.T) {
	hostAllowsInstalling(t)
	deb := buildPackage(t)
	t.Run("lintian", func(t *testing.T) { lintian(t, deb) })

	userBefore := exists("getent", "passwd", "smc")
	t.Cleanup(func() { restoreHost(t, userBefore) })
	if err := os.WriteFile(marker, []byte(deb+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dpkg(t, "-i", deb)

	t.Run("files", func(t *testing.T) { installedFiles(t) })
	t.Run("user", func(t *testing.T) { systemUser(t) })
	t.Run("version", func(t *testing.T) {
		for _, cmd := range []string{"smcd", "smcc"} {
			out := output(t, "/usr/bin/"+cmd, "--version")
			if !strings.HasPrefix(out, cmd+" ") || strings.Count(out, "\n") != 1 {
				t.Errorf("%s --version printed %q", cmd, out)
			}
		}
	})
	t.Run("check", func(t *testing.T) {
		// As root, and as the smc user, who must be able to read what the package installed.
		// The digest is the one smc_chain_info will report: the profile's SHA-256.
		profile, err := os.ReadFile("/etc/smc/passthrough.json")
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("passthrough: ok, 1 profile\ndigest: %x\n", sha256.Sum256(profile))
		if out := output(t, "/usr/bin/smcd", "check", "--config", "/etc/smc/smcd.json"); out != want {
			t.Errorf("smcd check printed %q, want %q", out, want)
		}
		if _, err := exec.LookPath("setpriv"); err != nil {
			t.Skip("no setpriv (package util-linux): smcd check does not run as the smc user")
		}
		out := output(t, "setpriv", "--reuid=smc", "--regid=smc", "--clear-groups", "--",
			"/usr/bin/smcd", "check", "--config", "/etc/smc/smcd.json")
		if out != want {
			t.Errorf("smcd check as the smc user printed %q, want %q", out, want)
		}
	})
	t.Run("unit", func(t *testing.T) { unit(t) })
	t.Run("man", func(t *testing.T) { manPages(t, deb) })
	t.Run("conffiles", func(t *testing.T) { conffiles(t, deb) })
	t.Run("remove", func(t *testing.T) { remove(t) })
	t.Run("purge", func(t *testing.T) { purge(t) })
}

// hostAllowsInstalling skips the test where it cannot or must not install the package.
func hostAllowsInstalling(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the test installs the package into this host with dpkg -i")
	}
	for _, tool := range []string{"dpkg", "dpkg-deb", "git", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s: the package is neither built nor installed", tool)
		}
	}
	if _, err := exec.LookPath("systemd-sysusers"); err != nil {
		t.Skip("no systemd-sysusers, which the package depends on (systemd, or systemd-standalone-sysusers, which make deps installs)")
	}
	if status := packageStatus(); status != "" && status != "not-installed" {
		if _, err := os.Stat(marker); err != nil {
			t.Skipf("the smc package is on this host (%s); the test would replace and purge it", status)
		}
		t.Logf("purging the smc package an interrupted run of this test left (%s)", status)
		if out, err := exec.Command("dpkg", "-P", "smc").CombinedOutput(); err != nil {
			t.Fatalf("dpkg -P smc: %v\n%s", err, out)
		}
	}
	if _, err := os.Stat("/usr/bin/smcd"); err == nil {
		t.Skip("/usr/bin/smcd is on this host and not from the smc package; the test would overwrite it")
	}
}

// packageStatus is the smc package's state (installed, config-files, ...), "" when dpkg has never
// heard of it.
func packageStatus() string {
	out, err := exec.Command("dpkg-query", "-W", "-f=${db:Status-Status}", "smc").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// buildPackage runs deb.sh, as make package does, into a temporary folder.
func buildPackage(t *testing.T) string {
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "deb.sh", t.TempDir())
	// Not the flags of a make that runs this test; the Makefile's own GOFLAGS, which keep the
	// commit in the binaries.
	cmd.Env = append(os.Environ(), "MAKEFLAGS=", "MAKELEVEL=", "GOFLAGS=-mod=mod")
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if e, ok := err.(*exec.ExitError); ok {
			stderr = e.Stderr
		}
		t.Fatalf("deb.sh: %v\n%s%s", err, out, stderr)
	}
	deb := strings.TrimSpace(string(out))
	if !regexp.MustCompile(`/smc_[0-9][^_]*_[a-z0-9]+\.deb$`).MatchString(deb) {
		t.Fatalf("deb.sh printed %q, not the path of a package", deb)
	}
	return deb
}

// lintian finds no error in the package; its warnings and notes are logged.
func lintian(t *testing.T, deb string) {
	if _, err := exec.LookPath("lintian"); err != nil {
		t.Skip("no lintian (make deps installs it): the package is not checked")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "lintian", "--fail-on", "error", deb).CombinedOutput()
	if err != nil {
		t.Fatalf("lintian: %v\n%s", err, out)
	}
	if report := strings.TrimSpace(strings.ReplaceAll(string(out), "running with root privileges is not recommended!", "")); report != "" {
		t.Logf("lintian:\n%s", report)
	}
}

// restoreHost purges the package, and removes the smc user when the test created it: the package
// leaves the user behind by design, the test does not.
func restoreHost(t *testing.T, userBefore bool) {
	if status := packageStatus(); status != "" && status != "not-installed" {
		if out, err := exec.Command("dpkg", "-P", "smc").CombinedOutput(); err != nil {
			t.Errorf("cleanup: dpkg -P smc: %v\n%s", err, out)
			return // the marker stays, for the next run to purge it
		}
	}
	os.Remove(marker)
	if !userBefore && exists("getent", "passwd", "smc") {
		exec.Command("userdel", "smc").Run()
		if exists("getent", "group", "smc") {
			exec.Command("groupdel", "smc").Run()
		}
	}
}

func exists(name string, args ...string) bool { return exec.Command(name, args...).Run() == nil }

// dpkg runs dpkg with args, without a terminal to ask on, and fails t on a failure, a warning or
// an error in its output.
func dpkg(t *testing.T, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "dpkg", args...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	out, err := cmd.CombinedOutput()
	if err != nil || regexp.MustCompile(`(?i)warning|error`).Match(out) {
		t.Fatalf("dpkg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// output runs a command and returns its standard output, failing t when it fails.
func output(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		var stderr []byte
		if e, ok := err.(*exec.ExitError); ok {
			stderr = e.Stderr
		}
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr)
	}
	return string(out)
}

// A file the package installs, with its owner, group and mode once configured.
type installed struct {
	path         string
	owner, group string
	mode         fs.FileMode
}

// packaged is every file and folder of the package that the tests look at, as the postinst leaves
// them: the configuration is smcd's to read and no one else's (docs/smcd.md, File permissions).
var packaged = []installed{
	{"/usr/bin/smcd", "root", "root", 0o755},
	{"/usr/bin/smcc", "root", "root", 0o755},
	{"/lib/systemd/system/smcd.service", "root", "root", 0o644},
	{"/usr/lib/sysusers.d/smc.conf", "root", "root", 0o644},
	{"/usr/share/man/man1/smcc.1.gz", "root", "root", 0o644},
	{"/usr/share/man/man8/smcd.8.gz", "root", "root", 0o644},
	{"/usr/share/doc/smc/smcd.md", "root", "root", 0o644},
	{"/usr/share/doc/smc/language.md", "root", "root", 0o644},
	{"/usr/share/doc/smc/copyright", "root", "root", 0o644},
	{"/usr/share/doc/smc/changelog.gz", "root", "root", 0o644},
	{"/etc/smc", "root", "smc", fs.ModeDir | 0o750},
	{"/etc/smc/smcd.json", "root", "smc", 0o640},
	{"/etc/smc/passthrough.json", "root", "smc", 0o640},
}

func installedFiles(t *testing.T) {
	for _, f := range packaged {
		st, err := os.Stat(f.path)
		if err != nil {
			t.Errorf("not installed: %v", err)
			continue
		}
		sys := st.Sys().(*syscall.Stat_t)
		owner, group := nameOf("passwd", sys.Uid), nameOf("group", sys.Gid)
		if owner != f.owner || group != f.group || st.Mode() != f.mode {
			t.Errorf("%s: %s:%s %v, want %s:%s %v", f.path, owner, group, st.Mode(), f.owner, f.group, f.mode)
		}
	}
}

// nameOf is the name of a uid (db passwd) or gid (db group).
func nameOf(db string, id uint32) string {
	out, err := exec.Command("getent", db, strconv.FormatUint(uint64(id), 10)).Output()
	if err != nil {
		return strconv.FormatUint(uint64(id), 10)
	}
	name, _, _ := strings.Cut(string(out), ":")
	return name
}

// The postinst created the smc user the unit runs as, from the package's sysusers.d file: a
// system account with its own group and no login.
func systemUser(t *testing.T) {
	out := output(t, "getent", "passwd", "smc")
	m := regexp.MustCompile(`^smc:x:(\d+):(\d+):[^:]*:/:/usr/sbin/nologin\n$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the smc user: %q", out)
	}
	if len(m[1]) > 3 { // system accounts are below 1000 (SYS_UID_MAX)
		t.Errorf("the smc user has uid %s, not a system account's", m[1])
	}
	if group := output(t, "getent", "group", "smc"); !strings.HasPrefix(group, "smc:x:"+m[2]+":") {
		t.Errorf("the smc group: %q, want gid %s", group, m[2])
	}
}

// The unit runs the packaged configuration as the smc user, and systemd-analyze verify, which
// also looks for the binary and the manual page it names, finds nothing to say about it.
func unit(t *testing.T) {
	text, err := os.ReadFile("/lib/systemd/system/smcd.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nExecStart=/usr/bin/smcd --config /etc/smc/smcd.json\n", "\nUser=smc\n",
		"\nAmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW\n", "\nDocumentation=man:smcd(8) file:///usr/share/doc/smc/smcd.md "} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the unit has no line %q", strings.TrimSpace(want))
		}
	}
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Skip("no systemd-analyze (package systemd): the unit is not verified")
	}
	out, err := exec.Command("systemd-analyze", "verify", "/lib/systemd/system/smcd.service").CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// man shows both pages, found by name, without a warning from groff, and each names the
// package's version.
func manPages(t *testing.T, deb string) {
	version := strings.Split(filepath.Base(deb), "_")[1]
	if _, err := exec.LookPath("man"); err != nil {
		t.Skip("no man (package man-db, which make deps installs): the pages are not rendered")
	}
	for _, page := range []struct{ section, name, says string }{
		{"1", "smcc", "smcc - compiles, checks"}, {"8", "smcd", "smcd - rewrites live SIP traffic"},
	} {
		cmd := exec.Command("man", "--warnings", page.section, page.name)
		cmd.Env = append(os.Environ(), "MANPAGER=cat", "MANWIDTH=80", "LANG=C.UTF-8")
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Errorf("man %s %s: %v\n%s", page.section, page.name, err, stderr.String())
		}
		out := stdout.String()
		for _, s := range []string{"NAME", page.says, "SYNOPSIS", "DESCRIPTION", "FILES", "SEE ALSO", "smc " + version} {
			if !strings.Contains(out, s) {
				t.Errorf("man %s %s does not say %q:\n%s", page.section, page.name, s, out)
			}
		}
	}
}

// The configuration is the package's conffiles: an administrator's change survives installing
// the package again, with nothing asked.
func conffiles(t *testing.T, deb string) {
	listed := output(t, "dpkg-query", "-W", "-f=${Conffiles}", "smc")
	for _, f := range []string{"/etc/smc/smcd.json", "/etc/smc/passthrough.json"} {
		if !strings.Contains(listed, " "+f+" ") {
			t.Errorf("%s is not a conffile of the package:\n%s", f, listed)
		}
	}
	changed := strings.Replace(readFile(t, "/etc/smc/smcd.json"), "127.0.0.1:9563", "127.0.0.1:9564", 1)
	if err := os.WriteFile("/etc/smc/smcd.json", []byte(changed), 0o640); err != nil {
		t.Fatal(err)
	}
	dpkg(t, "-i", deb)
	if got := readFile(t, "/etc/smc/smcd.json"); got != changed {
		t.Errorf("installing the package again replaced the changed configuration:\n%s", got)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// dpkg -r removes the package but its configuration, as it does every package's.
func remove(t *testing.T) {
	dpkg(t, "-r", "smc")
	for _, f := range packaged {
		_, err := os.Stat(f.path)
		if kept := strings.HasPrefix(f.path, "/etc/"); kept != (err == nil) {
			t.Errorf("after dpkg -r: %s is there: %v, want %v", f.path, err == nil, kept)
		}
	}
	if status := packageStatus(); status != "config-files" {
		t.Errorf("after dpkg -r the package is %q, want config-files", status)
	}
}

// dpkg -P removes what is left: the configuration, what smcd wrote (made here as the unit's
// LogsDirectory= and StateDirectory= would), and the unit's state. The smc user stays.
func purge(t *testing.T) {
	for _, dir := range []string{"/var/log/smc", "/var/lib/smc"} {
		os.MkdirAll(dir, 0o750)
		os.WriteFile(filepath.Join(dir, "written-by-smcd"), nil, 0o640)
	}
	dpkg(t, "-P", "smc")
	for _, path := range []string{"/etc/smc", "/var/log/smc", "/var/lib/smc", "/etc/systemd/system/smcd.service",
		"/var/lib/systemd/deb-systemd-helper-masked/smcd.service", "/var/lib/systemd/deb-systemd-helper-enabled/smcd.service.dsh-also"} {
		if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("after dpkg -P, %s is still there (%v)", path, err)
		}
	}
	if status := packageStatus(); status != "not-installed" && status != "" {
		t.Errorf("after dpkg -P the package is %q", status)
	}
	if !exists("getent", "passwd", "smc") {
		t.Error("dpkg -P removed the smc user, which Debian leaves (docs/smcd.md)")
	}
}
