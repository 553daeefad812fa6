package main

import (
	"io"
	"path/filepath"
	"testing"
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
		if opts.stateDir != c.want {
			t.Errorf("STATE_DIRECTORY=%q %q: state dir %q, want %q", c.env, c.args, opts.stateDir, c.want)
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
	if want := filepath.Join(filepath.Dir(path), "state"); opts.stateDir != want {
		t.Errorf("StateDir: %q, want %q (relative to the file, over $STATE_DIRECTORY)", opts.stateDir, want)
	}
	opts, err = parseFlags([]string{"--config", path, "--state-dir", "/srv/smc"}, io.Discard)
	if err != nil || opts.stateDir != "/srv/smc" {
		t.Errorf("the command line's --state-dir did not win: %q, %v", opts.stateDir, err)
	}
}
