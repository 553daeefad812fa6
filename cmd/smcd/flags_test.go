package main

import (
	"flag"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smcproject/smc/nfq"
)

// --state-dir defaults to the folder systemd made for StateDirectory= (the first, when the unit
// names several), and to none outside systemd; the flag and the file's StateDir override it.
func TestFlagsStateDir(t *testing.T) {
	for _, c := range []struct {
		env  string
		args []string
		want string
	}{
		{"", nil, ""},
		{"/var/lib/smc", nil, "/var/lib/smc"},
		{"/var/lib/smc:/var/lib/smc-extra", nil, "/var/lib/smc"},
		{"/var/lib/smc", []string{"--state-dir", "/srv/smc"}, "/srv/smc"},
		{"/var/lib/smc", []string{"--state-dir", ""}, ""},
	} {
		t.Setenv("STATE_DIRECTORY", c.env)
		opts, err := parseFlags(append([]string{"--bundle", "chain.smcb"}, c.args...), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if opts.StateDir != c.want {
			t.Errorf("STATE_DIRECTORY=%q %q: state dir %q, want %q", c.env, c.args, opts.StateDir, c.want)
		}
	}
}

func TestConfigStateDir(t *testing.T) {
	t.Setenv("STATE_DIRECTORY", "/var/lib/smc")
	path := writeConfig(t, `{"StateDir": "state", "Bindings": [{"Bundle": "a.smcb"}]}`)
	opts, err := parseFlags([]string{"--config", path}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(filepath.Dir(path), "state"); opts.StateDir != want {
		t.Errorf("StateDir: %q, want %q (relative to the file, over $STATE_DIRECTORY)", opts.StateDir, want)
	}
	opts, err = parseFlags([]string{"--config", path, "--state-dir", "/srv/smc"}, io.Discard)
	if err != nil || opts.StateDir != "/srv/smc" {
		t.Errorf("the command line's --state-dir did not win: %q, %v", opts.StateDir, err)
	}
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "smcd.json")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConfig(t *testing.T) {
	path := writeConfig(t, `{
  "Queues": "2:3",
  "Metrics": "127.0.0.1:9563",
  "OnError": "drop",
  "ResponseMark": "0x53",
  "FailClosed": true,
  "Bindings": [
    {"Name": "carrier-a", "Queues": "2", "Direction": "inbound", "Peers": ["198.51.100.0/24", "2001:db8:a::/48", "203.0.113.7"],
     "Bundle": "a.smcb"},
    {"Name": "default", "Profiles": ["x.json", "/etc/smc/y.json"]}
  ]
}`)
	opts, err := parseFlags([]string{"--config", path, "--metrics", "127.0.0.1:9999"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(path)
	if len(opts.Queues) != 2 || opts.Queues[0] != 2 || !opts.DropOnError || opts.ResponseMark != 0x53 || !opts.Queue.FailClosed {
		t.Errorf("settings %+v", opts)
	}
	if opts.Metrics != "127.0.0.1:9999" {
		t.Errorf("the command line's --metrics did not win: %q", opts.Metrics)
	}
	if len(opts.Bindings) != 2 {
		t.Fatalf("bindings %+v", opts.Bindings)
	}
	a, def := opts.Bindings[0], opts.Bindings[1]
	if a.Name != "carrier-a" || len(a.Queues) != 1 || a.Queues[0] != 2 || a.Direction == nil || *a.Direction != nfq.Inbound ||
		a.Bundle != filepath.Join(dir, "a.smcb") || len(a.Peers) != 3 || a.Peers[2] != netip.MustParsePrefix("203.0.113.7/32") {
		t.Errorf("binding %+v", a)
	}
	if def.Direction != nil || len(def.Profiles) != 2 || def.Profiles[0] != filepath.Join(dir, "x.json") || def.Profiles[1] != "/etc/smc/y.json" {
		t.Errorf("binding %+v", def)
	}
}

// --shadow and the file's Shadow make every binding a shadow one, the command line winning; a
// binding's own Shadow is its alone; --fail-closed, now read by the same Set, still takes. smcd
// -h lists --shadow.
func TestFlagsShadow(t *testing.T) {
	path := writeConfig(t, `{"Shadow": true, "Bindings": [{"Bundle": "a.smcb", "Shadow": true}, {"Bundle": "b.smcb"}]}`)
	for _, c := range []struct {
		args       []string
		want       bool
		failClosed bool
	}{
		{[]string{"--bundle", "a.smcb"}, false, false},
		{[]string{"--bundle", "a.smcb", "--shadow", "--fail-closed"}, true, true},
		{[]string{"--config", path}, true, false},
		{[]string{"--config", path, "--shadow=false"}, false, false},
	} {
		opts, err := parseFlags(c.args, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if opts.Shadow != c.want || opts.Queue.FailClosed != c.failClosed {
			t.Errorf("%q: shadow %v, fail-closed %v; want %v, %v", c.args, opts.Shadow, opts.Queue.FailClosed, c.want, c.failClosed)
		}
	}
	opts, _ := parseFlags([]string{"--config", path, "--shadow=false"}, io.Discard)
	if !opts.Bindings[0].Shadow || opts.Bindings[1].Shadow {
		t.Errorf("bindings %+v", opts.Bindings)
	}
	var help strings.Builder
	if _, err := parseFlags([]string{"-h"}, &help); err != flag.ErrHelp || !strings.Contains(help.String(), "-shadow\n") {
		t.Errorf("smcd -h (%v):\n%s", err, help.String())
	}
}
