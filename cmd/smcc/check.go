package main

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/smcproject/smc/compile"
)

var checkCommand = &command{
	name:    "check",
	summary: "report every error and warning of profiles; verify bundles",
	usage:   "smcc check PROFILE|BUNDLE...",
}

var disasmCommand = &command{
	name:    "disasm",
	summary: "print the compiled program of profiles or bundles",
	usage:   "smcc disasm PROFILE|BUNDLE...",
}

func init() {
	checkCommand.run = checkMain
	disasmCommand.run = disasmMain
}

// checkMain writes diagnostics to stdout, since they are what the user asked for, and a summary
// line per profile.
func checkMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "usage: %s\n", checkCommand.usage)
		return exitUsage
	}
	status := exitOK
	for _, path := range args {
		if _, err := os.Stat(path); err != nil {
			fmt.Fprintf(stderr, "smcc check: %v\n", err)
			return exitUsage
		}
		if isBundle(path) {
			status = max(status, checkBundle(path, stdout))
			continue
		}
		prog, diags := compile.CompileFile(path)
		for _, d := range diags {
			fmt.Fprintln(stdout, d)
		}
		errs, warns := len(diags.Errors()), len(diags.Warnings())
		if prog == nil {
			status = exitFailed
			fmt.Fprintf(stdout, "%s: %s, %s\n", path, plural(errs, "error"), plural(warns, "warning"))
			continue
		}
		fmt.Fprintf(stdout, "%s: ok, profile %d %q, %s, %s\n", path, prog.ID, prog.Name, plural(len(prog.Rules), "rule"), plural(warns, "warning"))
	}
	return status
}

func disasmMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "usage: %s\n", disasmCommand.usage)
		return exitUsage
	}
	status := exitOK
	for i, path := range args {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if isBundle(path) {
			status = max(status, disasmBundle(path, stdout, stderr))
			continue
		}
		prog, diags := compile.CompileFile(path)
		for _, d := range diags {
			fmt.Fprintln(stderr, d)
		}
		if prog == nil {
			status = exitFailed
			continue
		}
		prog.Disassemble(stdout)
	}
	return status
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return grouped(n) + " " + word + "s"
}

// grouped formats n with commas between groups of three digits, as 10,000,000 reads at a glance
// where 10000000 does not.
func grouped(n int) string {
	if n < 0 {
		return "-" + grouped(-n)
	}
	s := strconv.Itoa(n)
	head := (len(s)-1)%3 + 1
	out := s[:head]
	for i := head; i < len(s); i += 3 {
		out += "," + s[i:i+3]
	}
	return out
}
