package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smcproject/smc/compile/bundle"
)

// A profile, bundle or configuration file that every user may write is refused, with what to do.
func TestWorldWritableFilesAreRefused(t *testing.T) {
	dir := t.TempDir()
	profile := filepath.Join(dir, "p.json")
	os.WriteFile(profile, []byte(`{"ProfileID": 1, "ProfileName": "p", "Rules": [{"MsgType": "REQUEST", "Action": "DROP_MSG"}]}`), 0o644)
	config := filepath.Join(dir, "smcd.json")
	os.WriteFile(config, []byte(`{"Queues": "0"}`), 0o644)

	opts, err := parseFlags([]string{"-p", profile}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	l, err := load(opts)
	if err != nil {
		t.Fatalf("a profile only its owner writes: %v", err)
	}
	l.close()

	os.Chmod(profile, 0o666)
	if _, err := load(opts); err == nil || !strings.Contains(err.Error(), "chmod o-w "+profile) {
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
	bundled, err := parseFlags([]string{"--bundle", chain}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	if l, err := load(bundled); err != nil {
		t.Fatalf("a bundle as smcc compile writes it: %v", err)
	} else {
		l.close()
	}
	os.Chmod(chain, 0o662)
	if _, err := load(bundled); err == nil || !strings.Contains(err.Error(), "chmod o-w "+chain) {
		t.Errorf("a world-writable bundle: got %v", err)
	}
	os.Chmod(config, 0o646)
	if _, err := parseFlags([]string{"--config", config}, os.Stderr); err == nil || !strings.Contains(err.Error(), "chmod o-w "+config) {
		t.Errorf("a world-writable configuration: got %v", err)
	}
}
