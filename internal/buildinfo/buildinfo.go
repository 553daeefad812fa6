// Package buildinfo reads what the Go toolchain recorded in a binary about where it came from,
// for the --version of smcc and smcd and for smcd's smc_build_info metric, so that both commands
// describe a build in the same words.
package buildinfo

import (
	goruntime "runtime"
	"runtime/debug"
	"strings"
)

// A Build is what the Go toolchain recorded in a binary about where it came from: the module's
// version, and the commit it was built from when `go build` ran in a checkout (go test and
// -buildvcs=false record none). It answers "which build is running here?".
type Build struct {
	Version   string // the module version: a tag, a pseudo-version, or (devel)
	Revision  string // the commit's full hash
	Time      string // the commit's time, RFC 3339
	Modified  bool   // the checkout had changes that were not committed
	GoVersion string
}

// Read returns the running binary's Build.
func Read() Build {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Build{Version: "(unknown)", GoVersion: goruntime.Version()}
	}
	return Of(bi)
}

// Of takes a Build's fields from the toolchain's record.
func Of(bi *debug.BuildInfo) Build {
	b := Build{Version: bi.Main.Version, GoVersion: bi.GoVersion}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// Line is the one line --version prints:
//
//	smcd v0.0.0-20260501100000-0123456789ab+dirty (revision 0123456789ab..., 2026-05-01T10:00:00Z, modified) go1.26.8
func (b Build) Line(program string) string {
	var vcs []string
	if b.Revision != "" {
		vcs = append(vcs, "revision "+b.Revision)
	}
	if b.Time != "" {
		vcs = append(vcs, b.Time)
	}
	if b.Modified {
		vcs = append(vcs, "modified")
	}
	s := program + " " + b.Version
	if len(vcs) > 0 {
		s += " (" + strings.Join(vcs, ", ") + ")"
	}
	return s + " " + b.GoVersion
}

// RevisionLabel is the commit for a metric's label, marked +modified when the checkout had
// changes: such a binary is not what the commit holds.
func (b Build) RevisionLabel() string {
	if b.Modified {
		return b.Revision + "+modified"
	}
	return b.Revision
}

// Date is the day of the commit, YYYY-MM-DD, which dates the manual pages without making two
// builds of one commit differ; "" for a binary built outside a checkout.
func (b Build) Date() string {
	d, _, _ := strings.Cut(b.Time, "T")
	return d
}
