package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/runtime"
)

var testCommand = &command{
	name:    "test",
	summary: "run txtar test cases",
	usage:   "smcc test [-v] [-run REGEXP] [--update] [--trace] [--bundle] PATH...",
}

func init() { testCommand.run = testMain }

func testMain(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet(testCommand, stderr)
	verbose := fs.Bool("v", false, "print passing cases too")
	pattern := fs.String("run", "", "run only cases whose path matches")
	viaBundle := fs.Bool("bundle", false, "also run every case through a compiled bundle")
	update := fs.Bool("update", false, "rewrite each failing case to expect what the chain produced")
	trace := fs.Bool("trace", false, "print the trace of each failing case")
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
	return runCases(files, filter, caseOptions{*verbose, *viaBundle, *update, *trace}, stdout)
}

// caseOptions are smcc test's flags.
type caseOptions struct {
	verbose, viaBundle, update, trace bool
}

func runCases(files []string, filter *regexp.Regexp, opt caseOptions, out io.Writer) int {
	verbose, viaBundle := opt.verbose, opt.viaBundle
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
		fmt.Fprintf(out, "FAIL %s\n", path)
		for _, d := range diffs {
			fmt.Fprintf(out, "    %s\n", strings.ReplaceAll(d, "\n", "\n    "))
		}
		if opt.trace {
			writeCaseTrace(tc, out)
		}
		if opt.update {
			if err := updateCase(tc); err != nil {
				fmt.Fprintf(out, "    not updated: %s\n", strings.ReplaceAll(err.Error(), "\n", "\n    "))
			} else {
				fmt.Fprintf(out, "    updated: the case now expects what the chain produced; review the diff\n")
				passed++
				continue
			}
		}
		failed++
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

// writeCaseTrace writes the trace smcc run --trace would write for the case's message.
func writeCaseTrace(tc *smctest.Case, out io.Writer) {
	chain, problems := tc.Chain()
	if problems != nil {
		return // the diffs said why
	}
	var trace bytes.Buffer
	m := runtime.NewMachine(chain)
	m.SetTrace(&trace)
	m.Run(tc.Input, tc.Env)
	fmt.Fprintf(out, "    trace:\n")
	for _, line := range strings.SplitAfter(trace.String(), "\n") {
		if line != "" {
			fmt.Fprintf(out, "      %s", line)
		}
	}
}

// updateCase rewrites a failing case so that it expects what its chain produces, after checking
// that the rewritten case passes; a case that passes without the bundle, or whose profiles do not
// compile, is not rewritten.
func updateCase(tc *smctest.Case) error {
	chain, problems := tc.Chain()
	if problems != nil {
		return errors.New("its profiles do not compile")
	}
	if tc.Run(chain) == nil {
		return errors.New("the case passes from its profiles; only the bundle differs, which no case can expect")
	}
	src, err := os.ReadFile(tc.Path)
	if err != nil {
		return err
	}
	updated, err := tc.Updated(src, runtime.NewMachine(chain).Run(tc.Input, tc.Env))
	if err != nil {
		return err
	}
	again, err := smctest.Parse(tc.Path, updated)
	if err != nil {
		return fmt.Errorf("the rewritten case would not read: %v", err)
	}
	if diffs := again.Run(chain); diffs != nil {
		return fmt.Errorf("the rewritten case would still fail: %s", strings.Join(diffs, "; "))
	}
	return smctest.WriteFileAtomic(tc.Path, updated)
}
