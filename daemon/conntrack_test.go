package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The warning appears only when conntrack is loaded and checks TCP windows, and says what breaks
// and what to run.
func TestConntrackWarning(t *testing.T) {
	dir := t.TempDir()
	defer func(p string) { beLiberalPath = p }(beLiberalPath)
	for _, c := range []struct {
		value string // "": no file (conntrack not loaded)
		warn  bool
	}{{"", false}, {"0\n", true}, {"1\n", false}, {"0", true}} {
		beLiberalPath = filepath.Join(dir, "absent")
		if c.value != "" {
			beLiberalPath = filepath.Join(dir, "be_liberal")
			if err := os.WriteFile(beLiberalPath, []byte(c.value), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		w := conntrackWarning()
		if (w != "") != c.warn {
			t.Errorf("be_liberal %q: warning %q", c.value, w)
		}
		for _, part := range []string{"INVALID", "sysctl -w net.netfilter.nf_conntrack_tcp_be_liberal=1", "/etc/sysctl.d"} {
			if c.warn && !strings.Contains(w, part) {
				t.Errorf("the warning lacks %q: %s", part, w)
			}
		}
	}
}
