package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestBuildLine(t *testing.T) {
	vcs := []debug.BuildSetting{{Key: "-trimpath", Value: "true"}, {Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-05-01T10:00:00Z"}}
	for _, c := range []struct {
		bi       debug.BuildInfo
		line     string
		revision string
	}{
		{debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Settings: vcs},
			"smcd v1.2.0 (revision 0123456789abcdef0123456789abcdef01234567, 2026-05-01T10:00:00Z) go1.26.8",
			"0123456789abcdef0123456789abcdef01234567"},
		{debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.1-0.20260501100000-0123456789ab+dirty"},
			Settings: append(vcs, debug.BuildSetting{Key: "vcs.modified", Value: "true"})},
			"smcd v1.2.1-0.20260501100000-0123456789ab+dirty (revision 0123456789abcdef0123456789abcdef01234567, 2026-05-01T10:00:00Z, modified) go1.26.8",
			"0123456789abcdef0123456789abcdef01234567+modified"},
		{debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, "smcd (devel) go1.26.8", ""},
		{debug.BuildInfo{GoVersion: "go1.26.8"}, "smcd (devel) go1.26.8", ""},
	} {
		b := Of(&c.bi)
		if got := b.Line("smcd"); got != c.line {
			t.Errorf("line:\n got %s\nwant %s", got, c.line)
		}
		if got := b.RevisionLabel(); got != c.revision {
			t.Errorf("revision label %q, want %q", got, c.revision)
		}
	}
}
