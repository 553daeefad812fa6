package main

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"

	"github.com/smcproject/smc/replay"
)

var pcapCommand = &command{
	name:    "pcap",
	summary: "run a chain over a packet capture; write the capture as smcd would pass it",
	usage:   "smcc pcap [-p PROFILE]... [--bundle BUNDLE] [--local ADDR[/BITS]]... [--diff] -o OUT IN",
}

func init() { pcapCommand.run = pcapMain }

func pcapMain(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet(pcapCommand, stderr)
	var profiles, locals listFlag
	fs.Var(&profiles, "p", "profile (repeat for a chain)")
	bundlePath := fs.String("bundle", "", "compiled bundle (instead of profiles)")
	fs.Var(&locals, "local", "an address or network of this host (repeat)")
	diff := fs.Bool("diff", false, "print a unified diff of every changed message")
	outPath := fs.String("o", "", "the capture to write")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage
	}
	local, err := pcapCheckArgs(files, locals, profiles, *bundlePath, *outPath)
	if err != nil {
		fmt.Fprintf(stderr, "smcc pcap: %v\n", err)
		fs.Usage()
		return exitUsage
	}
	chain, ok := loadChain(profiles, *bundlePath, stderr)
	if !ok {
		return exitFailed
	}
	in, err := openCapture(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "smcc pcap: %v\n", err)
		return exitUsage
	}
	defer in.Close()
	opts := replay.Options{Chain: chain, Local: local, Notes: stderr}
	if *diff {
		opts.Diff = stdout
		if *outPath == "-" {
			opts.Diff = stderr // standard output carries the capture
		}
	}
	return writeReplay(in, files[0], *outPath, opts, stdout, stderr)
}

// pcapCheckArgs checks the arguments that need no file, and parses the --local addresses.
func pcapCheckArgs(files, locals, profiles []string, bundlePath, outPath string) ([]netip.Prefix, error) {
	switch {
	case len(files) != 1:
		return nil, errors.New("give one capture to read")
	case outPath == "":
		return nil, errors.New("give the capture to write with -o (- for standard output)")
	case len(profiles) == 0 && bundlePath == "":
		return nil, errors.New("give at least one profile with -p, or a bundle with --bundle")
	}
	var local []netip.Prefix
	for _, l := range locals {
		p, err := netip.ParsePrefix(l)
		if err != nil {
			a, aerr := netip.ParseAddr(l)
			if aerr != nil {
				return nil, fmt.Errorf("--local %s: not an address or a network (ADDR or ADDR/BITS)", l)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		local = append(local, p.Masked())
	}
	return local, nil
}

func openCapture(path string) (io.ReadCloser, error) {
	if path == "-" {
		return io.NopCloser(stdin), nil
	}
	return os.Open(path)
}

// writeReplay runs the replay of in, named inName, into outPath, "-" for standard output. A file
// is written under a temporary name in its folder and renamed when done, so that no reader sees
// half a capture; a capture that cannot be read to its end still gets what was read before the
// damage, and exit status 2, as an unreadable message gets from smcc run.
func writeReplay(in io.Reader, inName, outPath string, opts replay.Options, stdout, stderr io.Writer) int {
	var out io.Writer = stdout
	var tmp *os.File
	if outPath != "-" {
		var err error
		if tmp, err = os.CreateTemp(filepath.Dir(outPath), "."+filepath.Base(outPath)+".tmp-*"); err != nil {
			fmt.Fprintf(stderr, "smcc pcap: %v\n", err)
			return exitFailed
		}
		defer os.Remove(tmp.Name()) // fails harmlessly once renamed
		defer tmp.Close()
		out = tmp
	}
	sum, err := replay.Run(in, out, opts)
	if sum == nil { // not a capture this command reads: nothing written
		fmt.Fprintf(stderr, "smcc pcap: %s: %v\n", inName, err)
		return exitUsage
	}
	sum.Print(stderr)
	if tmp != nil {
		if ferr := finishFile(tmp, outPath); ferr != nil {
			fmt.Fprintf(stderr, "smcc pcap: %v\n", ferr)
			return exitFailed
		}
	}
	var capErr *replay.CaptureError
	switch {
	case errors.As(err, &capErr):
		fmt.Fprintf(stderr, "smcc pcap: %s: %v; the packets before it were written\n", inName, err)
		return exitUsage
	case err != nil:
		fmt.Fprintf(stderr, "smcc pcap: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// finishFile syncs and closes the written capture and renames it into place.
func finishFile(tmp *os.File, path string) error {
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
