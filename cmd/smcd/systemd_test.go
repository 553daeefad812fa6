package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// makeInstall runs make install of the checkout into root, with stand-ins for the binaries (make
// install copies what make build made; it does not build), and returns where the unit went.
func makeInstall(t *testing.T, root string, vars ...string) {
	t.Helper()
	bin := t.TempDir()
	for _, name := range []string{"smcd", "smcc"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	args := append([]string{"-C", "../..", "install", "BIN=" + bin, "DESTDIR=" + root}, vars...)
	if out, err := exec.Command("make", args...).CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
}

// unitSettings reads a unit file's KEY=VALUE lines; a key given twice keeps the last.
func unitSettings(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok && !strings.HasPrefix(k, "#") {
			out[k] = v
		}
	}
	return out
}

// make install puts every file where the unit and the docs say, and the unit names nothing that
// is not there: its ExecStart and Documentation paths follow PREFIX.
func TestSystemdInstall(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	for _, c := range []struct {
		vars          []string
		prefix, units string
	}{
		{nil, "/usr/local", "/usr/local/lib/systemd/system"},
		{[]string{"PREFIX=/usr"}, "/usr", "/usr/lib/systemd/system"},
	} {
		root := t.TempDir()
		makeInstall(t, root, c.vars...)
		for _, f := range []string{c.prefix + "/bin/smcd", c.prefix + "/bin/smcc", c.units + "/smcd.service",
			"/usr/lib/sysusers.d/smc.conf", c.prefix + "/share/doc/smc/smcd.md", c.prefix + "/share/doc/smc/bundles.md"} {
			if _, err := os.Stat(root + f); err != nil {
				t.Errorf("PREFIX=%s: make install did not install %s", c.prefix, f)
			}
		}
		unit := unitSettings(t, root+c.units+"/smcd.service")
		if exe := strings.Fields(unit["ExecStart"])[0]; exe != c.prefix+"/bin/smcd" {
			t.Errorf("PREFIX=%s: ExecStart runs %s", c.prefix, exe)
		}
		for _, doc := range strings.Fields(unit["Documentation"]) {
			path, ok := strings.CutPrefix(doc, "file://")
			if doc == "man:smcd(8)" {
				path, ok = c.prefix+"/share/man/man8/smcd.8", true
			}
			if _, err := os.Stat(root + path); !ok || err != nil {
				t.Errorf("PREFIX=%s: Documentation=%s is not an installed file", c.prefix, doc)
			}
		}
	}
}

// systemd-analyze verify finds nothing to say about the installed unit: no unknown key, no bad
// value, its commands there and executable. The unit is verified from a copy whose ExecStart
// points into the install root, since verify looks for the binary on this host; for the same
// reason it does not look for the manual page the unit names (--man=no), which the package's test
// does with the page installed.
func TestSystemdAnalyzeVerify(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Skip("no systemd-analyze (package systemd): the unit is not verified")
	}
	root := t.TempDir()
	makeInstall(t, root)
	unit, err := os.ReadFile(root + "/usr/local/lib/systemd/system/smcd.service")
	if err != nil {
		t.Fatal(err)
	}
	copy := filepath.Join(t.TempDir(), "smcd.service")
	os.WriteFile(copy, []byte(strings.ReplaceAll(string(unit), "=/usr/local/bin/", "="+root+"/usr/local/bin/")), 0o644)
	out, err := exec.Command("systemd-analyze", "verify", "--man=no", copy).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	os.Remove(root + "/usr/local/bin/smcd")
	if out, _ := exec.Command("systemd-analyze", "verify", "--man=no", copy).CombinedOutput(); !strings.Contains(string(out), "smcd is not executable") {
		t.Errorf("verify did not look for the binary:\n%s", out)
	}
}

// The unit's command line is one smcd takes, and every folder it makes smcd write to is one
// systemd creates for the smc user and leaves writable under ProtectSystem=strict.
func TestSystemdUnitFlags(t *testing.T) {
	unit := unitSettings(t, "smcd.service")
	args := strings.Fields(unit["ExecStart"])[1:]
	opts, err := parseFlags(args, io.Discard)
	if err != nil {
		t.Fatalf("ExecStart=%s: %v", unit["ExecStart"], err)
	}
	if unit["ProtectSystem"] != "strict" || unit["User"] != "smc" || unit["Type"] != "notify" {
		t.Errorf("ProtectSystem=%s User=%s Type=%s", unit["ProtectSystem"], unit["User"], unit["Type"])
	}
	writable := []string{"/var/log/" + unit["LogsDirectory"], "/var/lib/" + unit["StateDirectory"]}
	if opts.Audit.Dir != "" && opts.Audit.Dir != writable[0] {
		t.Errorf("--audit-dir %s is read-only under ProtectSystem=strict; LogsDirectory= makes %s", opts.Audit.Dir, writable[0])
	}
	t.Setenv("STATE_DIRECTORY", writable[1])
	if opts, _ := parseFlags(args, io.Discard); opts.StateDir != writable[1] {
		t.Errorf("under the unit, --state-dir is %q, want %s (StateDirectory=)", opts.StateDir, writable[1])
	}
}

// The sysusers.d file creates the smc user and group the unit names, a system account without a
// login shell.
func TestSystemdSysusers(t *testing.T) {
	if _, err := exec.LookPath("systemd-sysusers"); err != nil {
		t.Skip("no systemd-sysusers (package systemd)")
	}
	root := t.TempDir()
	os.Mkdir(filepath.Join(root, "etc"), 0o755)
	conf, _ := filepath.Abs("smc.sysusers") // --root would take a relative name inside root
	if out, err := exec.Command("systemd-sysusers", "--root="+root, conf).CombinedOutput(); err != nil {
		t.Fatalf("systemd-sysusers: %v\n%s", err, out)
	}
	passwd, _ := os.ReadFile(filepath.Join(root, "etc/passwd"))
	group, _ := os.ReadFile(filepath.Join(root, "etc/group"))
	user := regexp.MustCompile(`(?m)^smc:x:(\d+):(\d+):[^:]*:/:/usr/sbin/nologin$`).FindSubmatch(passwd)
	if user == nil || !regexp.MustCompile(`(?m)^smc:x:`+string(user[2])+`:$`).Match(group) {
		t.Errorf("passwd:\n%s\ngroup:\n%s", passwd, group)
	}
}

// The bundle update recipe of docs/bundles.md runs as written, with a test folder for /etc/smc
// and the group of user 65534 for smc: the live bundle is replaced by rename, and the daemon's
// user can read the new one.
func TestSystemdBundleRecipe(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the recipe gives the bundle to root and the daemon's group")
	}
	recipe := bundleRecipe(t)
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} { // the daemon's user must reach the bundle
		os.Chmod(d, 0o755)
	}
	etc := filepath.Join(dir, "etc/smc") // as docs/bundles.md says: root:smc 0750
	os.Mkdir(filepath.Dir(etc), 0o755)
	os.Mkdir(etc, 0o750)
	os.Chown(etc, 0, 65534)
	bin := filepath.Join(dir, "bin")
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "smcc"), "../smcc").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for i, name := range []string{"normalize.json", "block.json"} {
		profile := fmt.Sprintf(`{"ProfileID": %d, "ProfileName": %q, "Rules": [{"MsgType": "REQUEST", "Action": "DROP_MSG"}]}`, i+1, name)
		os.WriteFile(filepath.Join(dir, name), []byte(profile), 0o644)
	}
	live := filepath.Join(etc, "chain.smcb")
	os.WriteFile(live, []byte("the old bundle"), 0o640)
	var before syscall.Stat_t
	syscall.Stat(live, &before)

	recipe = strings.ReplaceAll(recipe, "/etc/smc/", etc+"/")
	recipe = strings.ReplaceAll(recipe, "-g smc ", "-g 65534 ")
	cmd := exec.Command("sh", "-ex")
	cmd.Stdin, cmd.Dir = strings.NewReader(recipe), dir
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the recipe failed: %v\n%s", err, out)
	}
	var after syscall.Stat_t
	if err := syscall.Stat(live, &after); err != nil {
		t.Fatal(err)
	}
	if after.Ino == before.Ino || after.Uid != 0 || after.Gid != 65534 || after.Mode&0o7777 != 0o640 {
		t.Errorf("the live bundle: inode %d (was %d), %d:%d, mode %o; want a new inode, 0:65534, 0640",
			after.Ino, before.Ino, after.Uid, after.Gid, after.Mode&0o7777)
	}
	if _, err := exec.LookPath("setpriv"); err != nil {
		return
	}
	check := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", filepath.Join(bin, "smcc"), "check", live)
	if out, err := check.CombinedOutput(); err != nil {
		t.Errorf("the daemon's user cannot read the new bundle: %v\n%s", err, out)
	}
}

// bundleRecipe is the shell block of docs/bundles.md that installs a bundle for the smc group.
func bundleRecipe(t *testing.T) string {
	doc, err := os.ReadFile("../../docs/bundles.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range strings.Split(string(doc), "```sh\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		if strings.Contains(block, "install -o root -g smc") {
			return block
		}
	}
	t.Fatal("docs/bundles.md has no recipe that installs a bundle with install -o root -g smc")
	return ""
}

// The unit must not set MemoryDenyWriteExecute=: go-re2 compiles its WebAssembly module to machine
// code (wazero), which a process denied executable memory cannot do, and smcd then panics at the
// first pattern. The kernel's PR_SET_MDWE is the same restriction systemd applies with seccomp:
// smcd check under it fails on a profile with a pattern, and passes without it.
func TestUnitAllowsTheRegexEngine(t *testing.T) {
	if v, ok := unitSettings(t, "smcd.service")["MemoryDenyWriteExecute"]; ok {
		t.Errorf("smcd.service sets MemoryDenyWriteExecute=%s", v)
	}
	profile := writeProfile(t, `{"ProfileID": 1, "ProfileName": "re", "Rules": [{"MsgType": "REQUEST",
  "Conditions": [{"Header": "User-Agent", "Operator": "REGEX", "RightOperand": "friendly-(scanner|probe)"}], "Action": "DROP_MSG"}]}`)
	check := func(mdwe string) error {
		cmd := exec.Command(os.Args[0], "check", "-p", profile)
		cmd.Env = append(os.Environ(), "SMCD_TEST_ROLE=smcd", "SMCD_TEST_MDWE="+mdwe)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%v: %s", err, lastLines(out, 3))
		}
		return nil
	}
	if err := check(""); err != nil {
		t.Fatalf("smcd check: %v", err)
	}
	if err := check("1"); err == nil {
		t.Error("smcd check passed with executable memory denied: the engine no longer needs it, and the unit could set MemoryDenyWriteExecute=yes")
	} else if strings.Contains(err.Error(), "PR_SET_MDWE") {
		t.Skipf("this kernel has no PR_SET_MDWE: %v", err)
	}
}
