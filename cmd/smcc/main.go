// Command smcc compiles, checks, disassembles, runs and tests SMC profiles offline, and replays
// packet captures through them.
//
// See `smcc help` for the commands and flags, and "Using smcc" in the README for a walk through them.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/smcproject/smc/internal/buildinfo"
)

// Exit codes shared by the subcommands (SMC-SPEC §10).
const (
	exitOK      = 0
	exitFailed  = 1 // a profile does not compile, or a test case fails
	exitUsage   = 2 // bad flags, or an unreadable file or test case
	programName = "smcc"
)

type command struct {
	name    string
	summary string
	usage   string
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands []*command

func init() {
	commands = []*command{runCommand, testCommand, pcapCommand, compileCommand, checkCommand, disasmCommand, auditCommand, helpCommand}
}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

var stdin io.Reader = os.Stdin

func dispatch(args []string, in io.Reader, stdout, stderr io.Writer) int {
	stdin = in
	if len(args) == 0 {
		writeHelp(stderr, nil)
		return exitUsage
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		return helpCommand.run(nil, stdout, stderr)
	}
	if args[0] == "--version" || args[0] == "-version" {
		fmt.Fprintln(stdout, buildinfo.Read().Line(programName)) // as smcd --version, to compare the two
		return exitOK
	}
	if args[0] == "--man" {
		return writeManPage(stdout, stderr)
	}
	fmt.Fprintf(stderr, "%s: unknown command %q; run '%s help'\n", programName, args[0], programName)
	return exitUsage
}
