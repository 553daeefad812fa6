package packaging

import (
	"bufio"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/smcproject/smc/daemon"
)

// The configuration the package installs in /etc/smc loads as smcd check loads it, and writes the
// audit log where the unit lets smcd write (LogsDirectory=), on the queues the firewall rules of
// docs/smcd.md's examples feed. testdata/packaging/passthrough.txtar shows its chain passing a
// message unchanged.
func TestDefaultConfig(t *testing.T) {
	cfg := daemon.Config{}
	if err := daemon.ReadConfigFile("etc/smc/smcd.json", &cfg, nil); err != nil {
		t.Fatal(err)
	}
	if err := daemon.Check(cfg, io.Discard); err != nil {
		t.Fatalf("smcd check: %v", err)
	}
	if logs := unitSetting(t, "LogsDirectory"); cfg.Audit.Dir != "/var/log/"+logs {
		t.Errorf("AuditDir is %s; the unit makes /var/log/%s writable", cfg.Audit.Dir, logs)
	}
	if len(cfg.Queues) != 4 || cfg.Queues[0] != 0 || cfg.Metrics != "127.0.0.1:9563" || cfg.StateDir != "" {
		t.Errorf("queues %v, metrics %q, state dir %q; want 0:3, the unit's metrics address and $STATE_DIRECTORY",
			cfg.Queues, cfg.Metrics, cfg.StateDir)
	}
}

// unitSetting is a KEY= setting of smcd's unit.
func unitSetting(t *testing.T, key string) string {
	f, err := os.Open("../cmd/smcd/smcd.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key+"="); ok {
			return v
		}
	}
	t.Fatalf("smcd.service sets no %s", key)
	return ""
}
