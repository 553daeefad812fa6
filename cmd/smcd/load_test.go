package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	os.Chmod(config, 0o646)
	if _, err := parseFlags([]string{"--config", config}, os.Stderr); err == nil || !strings.Contains(err.Error(), "chmod o-w "+config) {
		t.Errorf("a world-writable configuration: got %v", err)
	}
}
