package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "smcd.json")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
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
		err := ReadConfigFile(path, &Config{}, nil)
		if err == nil || !strings.Contains(err.Error(), path+c.want) {
			t.Errorf("%s:\nerror %v\nwant %s%s", c.text, err, path, c.want)
		}
	}
}
