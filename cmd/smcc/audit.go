package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/smcproject/smc/auditlog"
)

var auditCommand = &command{
	name:    "audit",
	summary: "read the daemon's audit log: smcc audit cat [filters] DIR|FILE...",
	usage: "smcc audit cat [--since TIME] [--until TIME] [--profile ID] [--kind audit|drop|shadow]\n" +
		"                      [--follow] DIR|FILE...",
}

func init() { auditCommand.run = auditMain }

// auditFilter selects records.
type auditFilter struct {
	since, until time.Time
	profile      *int64
	kind         string
}

// recordHead is what the filters look at in a record.
type recordHead struct {
	TS      time.Time `json:"ts"`
	Profile int64     `json:"profile"`
	Kind    string    `json:"kind"`
}

func (f *auditFilter) keep(line []byte) (bool, error) {
	if f.since.IsZero() && f.until.IsZero() && f.profile == nil && f.kind == "" {
		return true, nil
	}
	var h recordHead
	if err := json.Unmarshal(line, &h); err != nil {
		return false, fmt.Errorf("not an audit record: %.80q", line)
	}
	switch {
	case !f.since.IsZero() && h.TS.Before(f.since):
		return false, nil
	case !f.until.IsZero() && !h.TS.Before(f.until):
		return false, nil
	case f.profile != nil && h.Profile != *f.profile:
		return false, nil
	case f.kind != "" && h.Kind != f.kind:
		return false, nil
	}
	return true, nil
}

func auditMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "cat" {
		fmt.Fprintf(stderr, "usage: %s\n", auditCommand.usage)
		return exitUsage
	}
	fs := newFlagSet(auditCommand, stderr)
	since := fs.String("since", "", "only records at or after TIME (RFC 3339, or a duration back from now: 15m)")
	until := fs.String("until", "", "only records before TIME (RFC 3339, or a duration back from now)")
	profile := fs.String("profile", "", "only records of the profile with this ProfileID")
	kind := fs.String("kind", "", "only records of this kind: audit (AUDIT_RECORD), drop (DROP_MSG_RECORD) or shadow (what a shadow binding would have changed)")
	follow := fs.Bool("follow", false, "after the records there are, wait for new ones and print them as they are written, like tail -f")
	paths, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return exitUsage
	}
	var f auditFilter
	now := time.Now()
	if f.since, err = parseWhen(*since, now); err != nil {
		fmt.Fprintf(stderr, "smcc audit: --since: %v\n", err)
		return exitUsage
	}
	if f.until, err = parseWhen(*until, now); err != nil {
		fmt.Fprintf(stderr, "smcc audit: --until: %v\n", err)
		return exitUsage
	}
	if *profile != "" {
		id, err := strconv.ParseInt(*profile, 10, 64)
		if err != nil {
			fmt.Fprintf(stderr, "smcc audit: --profile %q: a ProfileID\n", *profile)
			return exitUsage
		}
		f.profile = &id
	}
	if *kind != "" && *kind != "audit" && *kind != "drop" && *kind != "shadow" {
		fmt.Fprintf(stderr, "smcc audit: --kind %q: audit, drop or shadow\n", *kind)
		return exitUsage
	}
	f.kind = *kind
	if len(paths) == 0 {
		fmt.Fprintf(stderr, "usage: %s\n", auditCommand.usage)
		return exitUsage
	}
	c := &auditCat{filter: f, out: stdout, errs: stderr, offsets: map[string]int64{}, reader: auditlog.NewReader()}
	code := c.pass(paths)
	if !*follow {
		return code
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	stop := make(chan struct{})
	go func() { <-signals; close(stop) }()
	c.follow(paths, stop)
	return code
}

// follow reads the paths again every 200 ms, printing the records written since, until stop.
// New files in a folder are picked up as the writer rotates to them.
func (c *auditCat) follow(paths []string, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(200 * time.Millisecond):
			c.pass(paths)
		}
	}
}

// parseWhen reads an RFC 3339 time or a duration back from now; "" is no bound.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q: an RFC 3339 time (2026-11-23T06:00:00Z) or a duration (15m)", s)
}

// auditCat prints the records of its paths, remembering how far it got in each file, so that
// --follow prints only what is new.
type auditCat struct {
	filter  auditFilter
	out     io.Writer
	errs    io.Writer
	offsets map[string]int64
	reader  *auditlog.Reader
}

// pass reads every file of paths from where the last pass stopped, oldest first.
func (c *auditCat) pass(paths []string) int {
	code := exitOK
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			fmt.Fprintf(c.errs, "smcc audit: %v\n", err)
			code = exitFailed
			continue
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		more, err := auditlog.List(p)
		if err != nil {
			fmt.Fprintf(c.errs, "smcc audit: %v\n", err)
			code = exitFailed
		}
		files = append(files, more...)
	}
	sort.SliceStable(files, func(i, j int) bool { return filepath.Base(files[i]) < filepath.Base(files[j]) })
	for _, f := range files {
		next, _, err := c.reader.ReadFile(f, c.offsets[f], func(line []byte) error {
			keep, err := c.filter.keep(line)
			if err != nil || !keep {
				return err
			}
			_, err = fmt.Fprintf(c.out, "%s\n", line)
			return err
		})
		c.offsets[f] = next
		if err != nil {
			fmt.Fprintf(c.errs, "smcc audit: %v\n", err)
			code = exitFailed
			if errors.Is(err, syscall.EPIPE) {
				return code
			}
		}
	}
	return code
}
