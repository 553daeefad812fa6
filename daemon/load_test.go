package daemon

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/smcproject/smc/compile/bundle"
	"github.com/smcproject/smc/runtime"
)

// A profile, bundle or configuration file that every user may write is refused, with what to do.
func TestWorldWritableFilesAreRefused(t *testing.T) {
	dir := t.TempDir()
	profile := filepath.Join(dir, "p.json")
	os.WriteFile(profile, []byte(`{"ProfileID": 1, "ProfileName": "p", "Rules": [{"MsgType": "REQUEST", "Action": "DROP_MSG"}]}`), 0o644)
	config := filepath.Join(dir, "smcd.json")
	os.WriteFile(config, []byte(`{"Queues": "0"}`), 0o644)

	opts := &Config{Bindings: []Binding{{Name: "all", Profiles: []string{profile}}}}
	l, err := load(opts, 0)
	if err != nil {
		t.Fatalf("a profile only its owner writes: %v", err)
	}
	l.close()

	os.Chmod(profile, 0o666)
	if _, err := load(opts, 0); err == nil || !strings.Contains(err.Error(), "chmod o-w "+profile) {
		t.Errorf("a world-writable profile: got %v", err)
	}
	progs, m, diags := bundle.CompileFiles([]string{profile})
	if progs == nil {
		t.Fatal(diags)
	}
	chain := filepath.Join(dir, "chain.smcb")
	if err := bundle.WriteFile(chain, progs, m); err != nil {
		t.Fatal(err)
	}
	bundled := &Config{Bindings: []Binding{{Name: "all", Bundle: chain}}}
	if l, err := load(bundled, 0); err != nil {
		t.Fatalf("a bundle as smcc compile writes it: %v", err)
	} else {
		l.close()
	}
	os.Chmod(chain, 0o662)
	if _, err := load(bundled, 0); err == nil || !strings.Contains(err.Error(), "chmod o-w "+chain) {
		t.Errorf("a world-writable bundle: got %v", err)
	}
	os.Chmod(config, 0o646)
	if err := ReadConfigFile(config, &Config{}, nil); err == nil || !strings.Contains(err.Error(), "chmod o-w "+config) {
		t.Errorf("a world-writable configuration: got %v", err)
	}
}

// A chain file in a folder every user may write, or owned by another user than root and smcd's,
// is refused with the command that fixes it.
func TestUntrustedFolderAndOwnerAreRefused(t *testing.T) {
	dir := t.TempDir()
	profile := filepath.Join(dir, "p.json")
	os.WriteFile(profile, []byte(`{"ProfileID": 1, "ProfileName": "p", "Rules": [{"MsgType": "REQUEST", "Action": "DROP_MSG"}]}`), 0o644)
	opts := &Config{Bindings: []Binding{{Name: "all", Profiles: []string{profile}}}}
	os.Chmod(dir, 0o777)
	if _, err := load(opts, 0); err == nil || !strings.Contains(err.Error(), "chmod o-w "+dir) {
		t.Errorf("a folder every user may write: got %v", err)
	}
	os.Chmod(dir, 0o755)
	if os.Geteuid() != 0 {
		t.Skip("the owner check needs root to give the file away")
	}
	os.Chown(profile, 4242, 4242)
	if _, err := load(opts, 0); err == nil || !strings.Contains(err.Error(), "chown root "+profile) {
		t.Errorf("a file of user 4242: got %v", err)
	}
	os.Chown(profile, 0, 0)
	if l, err := load(opts, 0); err != nil {
		t.Errorf("after the fix: %v", err)
	} else {
		l.close()
	}
}

// A reload that failed is tried again when the file's mode, or its folder's, is fixed, and not
// before: the watch compares the versions seen before the failed load.
func TestFailedReloadRetriedWhenFixed(t *testing.T) {
	dir := t.TempDir()
	path := writeBundle(t, dir, 1)
	opts := &Config{Bindings: []Binding{{Name: "all", Bundle: path}}}
	d := &daemon{cfg: opts, seen: versions(opts)}
	os.Chmod(path, 0o646)
	if !d.bundleChanged() {
		t.Fatal("a chmod is no change")
	}
	if _, err := d.reread(); err == nil {
		t.Fatal("a world-writable bundle loaded")
	}
	if d.bundleChanged() {
		t.Fatal("the failed version is tried again and again")
	}
	os.Chmod(path, 0o640)
	if !d.bundleChanged() {
		t.Fatal("the fixed mode is not tried")
	}
	l, err := d.reread()
	if err != nil {
		t.Fatal(err)
	}
	l.close()
	os.Chmod(dir, 0o757)
	if !d.bundleChanged() {
		t.Error("the folder's mode is not watched")
	}
}

// writeBundle compiles a profile that tags OPTIONS with version v into dir/chain.smcb, as smcd's
// end-to-end tests do (cmd/smcd, e2e_test.go).
func writeBundle(t *testing.T, dir string, v int) string {
	t.Helper()
	profile := filepath.Join(dir, "v"+strconv.Itoa(v)+".json")
	src := `{"ProfileID": 3, "ProfileName": "v` + strconv.Itoa(v) + `", "Rules": [
 {"MsgType": "REQUEST", "ReqMethod": "OPTIONS", "Action": "REPLACE_MSG",
  "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Via", "Output": "X-Version: ` + strconv.Itoa(v) + `"}]}]}`
	if err := os.WriteFile(profile, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	progs, m, diags := bundle.CompileFiles([]string{profile})
	if progs == nil {
		t.Fatal(diags)
	}
	path := filepath.Join(dir, "chain.smcb")
	if err := bundle.WriteFile(path, progs, m); err != nil {
		t.Fatal(err)
	}
	return path
}

// smcd runs a bundle with a prefix lookup as smcc run runs its profile: the least-cost-routing
// example, compiled with its routing table and loaded as a private copy, tags an INVITE with the
// route of the called number's longest prefix.
func TestLoadBundleWithPrefixLookup(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"16-lcr-prefix-routing.json", "lcr-routes.csv"} {
		b, err := os.ReadFile(filepath.Join("../examples/interop", name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	progs, m, diags := bundle.CompileFiles([]string{filepath.Join(dir, "16-lcr-prefix-routing.json")})
	if progs == nil {
		t.Fatal(diags)
	}
	path := filepath.Join(dir, "lcr.smcb")
	if err := bundle.WriteFile(path, progs, m); err != nil {
		t.Fatal(err)
	}
	l, err := load(&Config{Bindings: []Binding{{Name: "all", Bundle: path}}, StateDir: t.TempDir()}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	msg := "INVITE sip:442079460000@sbc.example.com;user=phone SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-74b3\r\nFrom: <sip:alice@example.com>;tag=1\r\n" +
		"To: <sip:442079460000@sbc.example.com>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
	res := runtime.NewMachine(l.set.Bindings[0].Chain).Run([]byte(msg), &runtime.Env{})
	if !strings.Contains(string(res.Output), "\r\nCall-ID: c1\r\nX-Route: uk-london-direct;rate=0.0080\r\n") {
		t.Errorf("verdict %v, output:\n%s", res.Verdict, res.Output)
	}
}
