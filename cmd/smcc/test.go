package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
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
	files, err := findCases(paths)
	if err != nil {
		fmt.Fprintf(stderr, "smcc test: %v\n", err)
		return exitUsage
	}
	return runCases(files, filter, *verbose, *viaBundle, stdout)
}

// findCases expands folders into the .txtar files below them, sorted.
func findCases(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".txtar") {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(files)
	return files, nil
}

func runCases(files []string, filter *regexp.Regexp, verbose, viaBundle bool, out io.Writer) int {
	passed, failed, unreadable := 0, 0, 0
	for _, path := range files {
		if !filter.MatchString(path) {
			continue
		}
		tc, err := loadCase(path)
		if err != nil {
			fmt.Fprintf(out, "FAIL %s: unreadable case: %v\n", path, err)
			unreadable++
			failed++
			continue
		}
		diffs := tc.run(false)
		if viaBundle && len(diffs) == 0 {
			for _, d := range tc.run(true) {
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
