package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/smcproject/smc/internal/smctest"
)

var testCommand = &command{
	name:    "test",
	summary: "run txtar test cases",
	usage:   "smcc test [-v] [-run REGEXP] [--bundle] PATH...",
}

func init() { testCommand.run = testMain }

func testMain(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet(testCommand, stderr)
	verbose := fs.Bool("v", false, "print passing cases too")
	pattern := fs.String("run", "", "run only cases whose path matches")
	viaBundle := fs.Bool("bundle", false, "also run every case through a compiled bundle")
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	filter, err := regexp.Compile(*pattern)
	if err == nil && len(paths) == 0 {
		err = fmt.Errorf("give at least one .txtar file or folder")
	}
	if err != nil {
		fmt.Fprintf(stderr, "smcc test: %v\n", err)
		fs.Usage()
		return exitUsage
	}
	files, err := smctest.Find(paths)
	if err != nil {
		fmt.Fprintf(stderr, "smcc test: %v\n", err)
		return exitUsage
	}
	return runCases(files, filter, *verbose, *viaBundle, stdout)
}

func runCases(files []string, filter *regexp.Regexp, verbose, viaBundle bool, out io.Writer) int {
	passed, failed, unreadable := 0, 0, 0
	for _, path := range files {
		if !filter.MatchString(path) {
			continue
		}
		tc, err := smctest.Load(path)
		if err != nil {
			fmt.Fprintf(out, "FAIL %s: unreadable case: %v\n", path, err)
			unreadable++
			failed++
			continue
		}
		diffs := runCase(tc, false)
		if viaBundle && len(diffs) == 0 {
			for _, d := range runCase(tc, true) {
				diffs = append(diffs, "from the bundle: "+d)
			}
		}
		if len(diffs) == 0 {
			passed++
			if verbose {
				fmt.Fprintf(out, "ok   %s\n", path)
			}
			continue
		}
		failed++
		fmt.Fprintf(out, "FAIL %s\n", path)
		for _, d := range diffs {
			fmt.Fprintf(out, "    %s\n", strings.ReplaceAll(d, "\n", "\n    "))
		}
	}
	fmt.Fprintf(out, "%d passed, %d failed\n", passed, failed)
	switch {
	case unreadable > 0:
		return exitUsage
	case failed > 0:
		return exitFailed
	}
	return exitOK
}

// runCase runs a case and returns what differs from its expectations. With throughBundle, the
// compiled chain goes through a bundle first, encoded and opened again as a deployment would.
func runCase(tc *smctest.Case, throughBundle bool) []string {
	chain, problems := tc.Chain()
	if problems != nil {
		return problems
	}
	if throughBundle {
		var err error
		if chain, err = viaBundle(tc.Path, chain.Programs); err != nil {
			return []string{fmt.Sprintf("the bundle does not open: %v", err)}
		}
	}
	return tc.Run(chain)
}
