package main

import (
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smcproject/smc/nfq"
)

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
	if len(opts.queues) != 2 || opts.queues[0] != 2 || !opts.dropOnError || opts.responseMark != 0x53 || !opts.queue.FailClosed {
		t.Errorf("settings %+v", opts)
	}
	if opts.metrics != "127.0.0.1:9999" {
		t.Errorf("the command line's --metrics did not win: %q", opts.metrics)
	}
	if len(opts.bindings) != 2 {
		t.Fatalf("bindings %+v", opts.bindings)
	}
	a, def := opts.bindings[0], opts.bindings[1]
	if a.name != "carrier-a" || len(a.queues) != 1 || a.queues[0] != 2 || a.direction == nil || *a.direction != nfq.Inbound ||
		a.bundle != filepath.Join(dir, "a.smcb") || len(a.peers) != 3 || a.peers[2] != netip.MustParsePrefix("203.0.113.7/32") {
		t.Errorf("binding %+v", a)
	}
	if def.direction != nil || len(def.profiles) != 2 || def.profiles[0] != filepath.Join(dir, "x.json") || def.profiles[1] != "/etc/smc/y.json" {
		t.Errorf("binding %+v", def)
	}
}

// Every mistake in a configuration file is reported with its line and column.
func TestConfigErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{`{"Queues": "0", "Bindings": [{"Bundle": "a.smcb", "Peer": ["10.0.0.0/8"]}]}`, `:1:51: unknown key "Peer" in a binding`},
		{`{"Queues": "0", "Bindings": [{"Bundle": "a.smcb", "Peers": ["10.0.0.1/8"]}]}`, `:1:61: peer "10.0.0.1/8" has host bits set; did you mean 10.0.0.0/8?`},
		{`{"Queues": "0", "Bindings": [{"Bundle": "a.smcb", "Peers": ["trunk-a"]}]}`, `:1:61: peer "trunk-a" is not an address or a network`},
		{`{"Queues": "0", "Bindings": [{"Bundle": "a.smcb", "Profiles": ["b.json"]}]}`, `:1:30: binding "binding 0": give its chain as a Bundle or as Profiles (one of the two)`},
		{`{"Queues": "9:1", "Bindings": [{"Bundle": "a.smcb"}]}`, `:1:12: Queues: "9:1": a queue number`},
		{`{"Queues": "0", "Bindings": [{"Bundle": "a.smcb", "Direction": "in"}]}`, `:1:64: Direction "in": inbound or outbound`},
		{`{"Queues": "0"}`, `:1:1: no Bindings`},
		{`{"Queue": "0", "Bindings": [{"Bundle": "a.smcb"}]}`, `:1:2: unknown key "Queue"`},
		{`{"Queues": "0", "Bindings": [{"Bundle": "a.smcb"}],}`, `:1:51: trailing`},
	} {
		path := writeConfig(t, c.text)
		_, err := parseFlags([]string{"--config", path}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), path+c.want) {
			t.Errorf("%s:\nerror %v\nwant %s%s", c.text, err, path, c.want)
		}
	}
}
