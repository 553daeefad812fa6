package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/compile/bundle"
	"github.com/smcproject/smc/runtime"
)

var compileCommand = &command{
	name:    "compile",
	summary: "compile a chain of profiles and its data files into a bundle",
	usage:   "smcc compile [-o BUNDLE] PROFILE...",
}

func init() { compileCommand.run = compileMain }

func compileMain(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet(compileCommand, stderr)
	out := fs.String("o", "", "the bundle to write (default: the first profile's name with .smcb)")
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "smcc compile: give at least one profile")
		fs.Usage()
		return exitUsage
	}
	if *out == "" {
		*out = paths[0][:len(paths[0])-len(filepath.Ext(paths[0]))] + ".smcb"
	}
	start := time.Now()
	progs, manifest, diags := bundle.CompileFiles(paths)
	for _, d := range diags {
		fmt.Fprintln(stderr, d)
	}
	if progs == nil {
		return exitFailed
	}
	if err := refuseInput(*out, manifest); err != nil {
		fmt.Fprintf(stderr, "smcc compile: %v\n", err)
		return exitUsage
	}
	if err := bundle.WriteFile(*out, progs, manifest); err != nil {
		fmt.Fprintf(stderr, "smcc compile: %v\n", err)
		return exitFailed
	}
	fi, err := os.Stat(*out)
	if err != nil {
		fmt.Fprintf(stderr, "smcc compile: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "%s: %s, %s, %s, %s in %.2f s, peak memory %s\n", *out,
		plural(len(progs), "profile"), plural(len(manifest.Data), "data file"), plural(rows(progs), "row"),
		sizeString(fi.Size()), time.Since(start).Seconds(), sizeString(peakMemory()))
	return exitOK
}

// refuseInput stops a bundle from overwriting one of the files it is compiled from.
func refuseInput(out string, m bundle.Manifest) error {
	outInfo, err := os.Stat(out)
	if err != nil {
		return nil // a new file
	}
	for _, s := range append(m.Profiles, m.Data...) {
		if in, err := os.Stat(s.Path); err == nil && os.SameFile(in, outInfo) {
			return fmt.Errorf("-o %s would overwrite the input %s", out, s.Path)
		}
	}
	return nil
}

// rows counts the rows of the distinct data tables of the programs.
func rows(progs []*compile.Program) int {
	seen, n := map[any]bool{}, 0
	for _, p := range progs {
		for _, t := range p.Tables {
			if !seen[t.Data] {
				seen[t.Data] = true
				n += t.Data.Len()
			}
		}
	}
	return n
}

func sizeString(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// peakMemory is the process's peak resident memory, which is what a compile on a deploy host
// needs free.
func peakMemory() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Maxrss * 1024 // kilobytes on Linux
}

// isBundle reports whether the file at path starts with the bundle magic.
func isBundle(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(bundle.Magic))
	n, _ := io.ReadFull(f, head)
	return bundle.IsBundle(head[:n])
}

// loadChain compiles the profiles, or opens the bundle: given with --bundle, or as the only -p
// file (a bundle is recognised by its first bytes). A bundle holds a whole chain, so it cannot be
// combined with profiles.
func loadChain(profiles []string, bundlePath string, w io.Writer) (*runtime.Chain, bool) {
	for _, p := range profiles {
		if isBundle(p) {
			if bundlePath != "" || len(profiles) > 1 {
				fmt.Fprintf(w, "%s is a bundle, which holds a whole chain: give it alone\n", p)
				return nil, false
			}
			bundlePath, profiles = p, nil
		}
	}
	if bundlePath == "" {
		return compileChain(profiles, w)
	}
	if len(profiles) > 0 {
		fmt.Fprintln(w, "give profiles or a bundle, not both: a bundle holds a whole chain")
		return nil, false
	}
	b, err := bundle.Open(bundlePath) // mapped until the process exits
	if err != nil {
		fmt.Fprintln(w, err)
		return nil, false
	}
	chain, err := runtime.NewChain(b.Programs...)
	if err != nil {
		fmt.Fprintf(w, "%s: %v\n", bundlePath, err)
		return nil, false
	}
	return chain, true
}

// viaBundle encodes the programs into a bundle in memory and opens it again, so that a test case
// runs the chain exactly as a deployed bundle would.
func viaBundle(name string, progs []*compile.Program) (*runtime.Chain, error) {
	var buf bytes.Buffer
	if err := bundle.Encode(&buf, progs, bundle.Manifest{}); err != nil {
		return nil, err
	}
	b, err := bundle.Parse(name, buf.Bytes())
	if err != nil {
		return nil, err
	}
	if err := b.Verify(); err != nil {
		return nil, err
	}
	return runtime.NewChain(b.Programs...)
}

// checkBundle opens a bundle and verifies the checksums of all its sections.
func checkBundle(path string, stdout io.Writer) int {
	b, err := bundle.Open(path)
	if err == nil {
		defer b.Close()
		err = b.Verify()
	}
	if err != nil {
		fmt.Fprintln(stdout, err)
		var be *bundle.Error
		if !errors.As(err, &be) {
			return exitUsage
		}
		return exitFailed
	}
	fmt.Fprintf(stdout, "%s: ok, bundle of %s and %s, every checksum verified\n", path,
		plural(len(b.Programs), "profile"), plural(len(b.Manifest.Data), "data file"))
	return exitOK
}

// disasmBundle prints what a bundle was compiled from, then its programs.
func disasmBundle(path string, stdout, stderr io.Writer) int {
	b, err := bundle.Open(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailed
	}
	defer b.Close()
	fmt.Fprintf(stdout, "bundle %s: format %d, %s\n", path, bundle.Version, plural(len(b.Programs), "profile"))
	for _, s := range b.Manifest.Profiles {
		fmt.Fprintf(stdout, "  profile %s\n", s)
	}
	for _, s := range b.Manifest.Data {
		fmt.Fprintf(stdout, "  data    %s\n", s)
	}
	for _, p := range b.Programs {
		fmt.Fprintln(stdout)
		p.Disassemble(stdout)
	}
	return exitOK
}
