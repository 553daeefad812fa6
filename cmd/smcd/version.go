package main

import (
	goruntime "runtime"
	"runtime/debug"
	"strings"
)

// build is what the Go toolchain recorded in this binary about where it came from: the module's
// version, and the commit it was built from when `go build` ran in a checkout (go test and
// -buildvcs=false record none). It answers "which build is running here?", in `smcd --version`
// and in the smc_build_info metric.
type build struct {
	version   string // the module version: a tag, a pseudo-version, or (devel)
	revision  string // the commit's full hash
	time      string // the commit's time, RFC 3339
	modified  bool   // the checkout had changes that were not committed
	goVersion string
}

// thisBuild is read once: the build information does not change while smcd runs.
var thisBuild = readBuild()

func readBuild() build {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return build{version: "(unknown)", goVersion: goruntime.Version()}
	}
	return buildOf(bi)
}

// buildOf takes the fields of build from the toolchain's record.
func buildOf(bi *debug.BuildInfo) build {
	b := build{version: bi.Main.Version, goVersion: bi.GoVersion}
	if b.version == "" {
		b.version = "(devel)"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.revision = s.Value
		case "vcs.time":
			b.time = s.Value
		case "vcs.modified":
			b.modified = s.Value == "true"
		}
	}
	return b
}

// line is the one line --version prints:
//
//	smcd v0.0.0-20260501100000-0123456789ab+dirty (revision 0123456789ab..., 2026-05-01T10:00:00Z, modified) go1.26.8
func (b build) line(program string) string {
	var vcs []string
	if b.revision != "" {
		vcs = append(vcs, "revision "+b.revision)
	}
	if b.time != "" {
		vcs = append(vcs, b.time)
	}
	if b.modified {
		vcs = append(vcs, "modified")
	}
	s := program + " " + b.version
	if len(vcs) > 0 {
		s += " (" + strings.Join(vcs, ", ") + ")"
	}
	return s + " " + b.goVersion
}

// revisionLabel is the commit for smc_build_info, marked +modified when the checkout had changes:
// such a binary is not what the commit holds.
func (b build) revisionLabel() string {
	if b.modified {
		return b.revision + "+modified"
	}
	return b.revision
}
