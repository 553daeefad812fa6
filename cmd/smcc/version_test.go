package main

import (
	"bytes"
	goruntime "runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionLine(t *testing.T) {
	vcs := []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-05-01T10:00:00Z"}, {Key: "vcs.modified", Value: "false"}}
	for _, c := range []struct {
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Settings: vcs}, true,
			"smcc v1.2.0 (revision 0123456789abcdef0123456789abcdef01234567, 2026-05-01T10:00:00Z) go1.26.8"},
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.1-0.20260501100000-0123456789ab+dirty"},
			Settings: append(vcs[:3:3], debug.BuildSetting{Key: "vcs.modified", Value: "true"})}, true,
			"smcc v1.2.1-0.20260501100000-0123456789ab+dirty (revision 0123456789abcdef0123456789abcdef01234567, 2026-05-01T10:00:00Z, modified) go1.26.8"},
		{&debug.BuildInfo{GoVersion: "go1.26.8"}, true, "smcc (devel) go1.26.8"},
		{nil, false, "smcc (unknown) " + goruntime.Version()},
	} {
		if got := versionLine(c.bi, c.ok); got != c.want {
			t.Errorf("\n got %s\nwant %s", got, c.want)
		}
	}
}

func TestVersionFlag(t *testing.T) {
	for _, arg := range []string{"--version", "-version"} {
		var stdout, stderr bytes.Buffer
		if code := dispatch([]string{arg}, nil, &stdout, &stderr); code != exitOK || stderr.Len() > 0 {
			t.Errorf("%s: exit %d, %s", arg, code, &stderr)
		}
		if out := stdout.String(); !strings.HasPrefix(out, "smcc ") || !strings.HasSuffix(out, " "+goruntime.Version()+"\n") ||
			strings.Count(out, "\n") != 1 {
			t.Errorf("%s printed %q", arg, out)
		}
	}
}
