package main

import (
	"fmt"
	"io"
	"strings"
)

var helpCommand = &command{
	name:    "help",
	summary: "show help for smcc, one of its commands, or a quick reference of the language",
	usage:   "smcc help [COMMAND | TOPIC]",
}

func init() {
	helpCommand.run = func(args []string, stdout, stderr io.Writer) int {
		if len(args) == 0 {
			writeHelp(stdout, nil)
			return exitOK
		}
		for _, c := range commands {
			if c.name == args[0] {
				writeHelp(stdout, c)
				return exitOK
			}
		}
		if text, ok := topicText[args[0]]; ok {
			fmt.Fprint(stdout, strings.TrimLeft(text, "\n"))
			return exitOK
		}
		fmt.Fprintf(stderr, "smcc help: unknown command or topic %q; run 'smcc help' for the list\n", args[0])
		return exitUsage
	}
}

func writeHelp(w io.Writer, c *command) {
	if c != nil {
		fmt.Fprintf(w, "usage: %s\n\n%s\n", c.usage, strings.TrimLeft(helpText[c.name], "\n"))
		return
	}
	fmt.Fprintf(w, "smcc %s.\n\nusage: smcc COMMAND [ARGUMENTS]\n\ncommands:\n", about)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nlanguage quick references:\n")
	for _, t := range topicOrder {
		fmt.Fprintf(w, "  %-9s %s\n", t, topicSummary[t])
	}
	fmt.Fprint(w, "\n"+helpFooter)
}

// about says what smcc does, in the help and in the NAME of its manual page.
const about = "compiles, checks, disassembles, runs and tests SMC profiles (SIP message manipulation rules)"

const helpFooter = `Run 'smcc help COMMAND' for a command's flags and output, 'smcc help TOPIC' for a quick
reference. The language is described, with examples, in docs/language.md.
`

var helpText = map[string]string{
	"run": `
Applies the chain (the -p profiles, in order) to one SIP message, read from MESSAGE_FILE or
standard input ("-" or no file).

  -p PROFILE          a profile; repeat for a chain (applied in the order given). A file that is a
                      bundle (see smcc compile) is recognised and must be given alone
  --bundle BUNDLE     a compiled bundle instead of profiles
  --remote IP:PORT    the peer's address for {$SIP.RemoteIP}/{$SIP.RemotePort}
                      (default 192.0.2.1:5060)
  --local IP:PORT     the local address for {$SIP.LocalIP}/{$SIP.LocalPort}
                      (default 192.0.2.2:5060)
  --transport udp|tcp {$SIP.Transport} (default udp)
  --time RFC3339      fixes {$SMC.Date} and the audit records' time (default: now)
  --rand N            fixes every {$SMC.RandN} to N (default: random)
  --trace             writes a step-by-step trace to stderr: scope, variables, conditions,
                      actions with their line numbers, and the decoded ISUP IAM ("isup:" lines)
                      when a rule reads an {$ISUP.*} variable

Standard output: the resulting message (verdict accept or modified), the generated response
(reject), or nothing (drop).
Standard error: compile warnings, the trace (with --trace), then
"verdict: accept|modified|drop|reject NNN", "dscp: N" and "mark: N" when a rule set them, one JSON
line per audit record, and warnings.
A message that is not SIP passes unchanged with verdict accept and a "note:" line saying why; so
does a message the rules would make longer than 65535 bytes (docs/limits.md). The trace of one
message stops at 1 MiB with a line that says so.

Exit status: 0 when the message was processed, 1 when a profile does not compile, 2 for usage
errors.
`,
	"test": `
Runs txtar test cases: each PATH is a .txtar file or a folder searched recursively for them.

  -v          print a line for every passing case too
  -run REGEXP run only the cases whose path matches REGEXP
  --trace     print, for each failing case, the trace smcc run --trace would print
  --update    rewrite each failing case to expect what its chain produced (the verdict, dscp and
              mark keys, want.sip, want.reject.sip), every other byte kept; review the diff
  --bundle    run every case a second time through a bundle (compiled and opened in memory,
              as smcc compile and the daemon do); it passes only when both runs do

A case's comment holds "key: value" lines ('#' lines are ignored):
  remote, local  IP:PORT, as in smcc run (defaults 192.0.2.1:5060, 192.0.2.2:5060)
  transport      udp or tcp (default udp)
  time           RFC 3339 time for {$SMC.Date} (default 2000-01-01T00:00:00Z)
  rand           the value of every {$SMC.RandN} (default 1)
  eol            crlf: every LF not preceded by CR in the message files becomes CRLF (the default);
                 raw: the bytes as they are
  verdict        accept, modified, drop or reject NNN (required)
  dscp, mark     the packet attributes the chain must set; when absent, none may be set
  profile        a profile file, relative to the case's folder (or absolute), run before the
                 archive's own profiles; repeat for several. Its DataFiles are read beside it
  audit          exact: every audit record must hold a line of want.audit (default: contains)
  content-length as-written: input.sip's Content-Length is wrong on purpose; otherwise it must
                 count the body after the eol conversion, and a case where it does not is unreadable
Files: every *.json is a profile, applied in archive order; input.sip is the message; want.sip the
expected output (required for accept and modified; for accept it must equal the input);
want.reject.sip (optional) the expected generated response; want.audit (optional) strings, one per
line, each of which must occur in some audit record's text; any other file is a data file.

Output: a line per failing case with its path and a diff, a line per passing case with -v, then
"N passed, M failed"; a case --update rewrote counts as passed.
Exit status: 0 when every case passes, 1 when any fails, 2 for usage errors or an unreadable case.
`,
	"pcap": `
Runs the chain over a packet capture (pcap or pcapng: Ethernet, Linux cooked v1 and v2, raw IP,
loopback) as smcd would have run it over the same packets live, and writes to OUT (- for standard
output) a pcap of the same link type and timestamps holding what smcd would have let through.

  -p PROFILE        a profile; repeat for a chain (applied in the order given)
  --bundle BUNDLE   a compiled bundle instead of profiles
  --local ADDR[/BITS]  an address or network of this host; repeat. A packet from one is one the
                    host sends: its peer ({$SIP.RemoteIP}) is its destination. Every other packet
                    is received: its peer is its source
  --diff            print a unified diff of every message the chain changed, headed by its packet
                    number, and a line for each it dropped or rejected (to standard output, or to
                    standard error when the capture goes there)

A UDP or TCP payload that starts with a SIP start line is a SIP message and goes through the chain,
IPv4 and IPv6; every other packet is written as it was. IP fragments are put back together first,
as the kernel does before smcd sees a packet. Verdicts: accept writes the packet as it was;
modified writes the rewritten packet, lengths and checksums fixed, and on TCP the later sequence
and acknowledgement numbers of that connection translated as smcd translates them; drop leaves the
packet out; reject leaves the request out and writes smcd's response after it (UDP only, as live);
SET_DSCP is applied. A fragmented datagram passed as it was keeps its fragments; one the chain
changed is written as one reassembled packet in the place of its last fragment, as smcd hands it
back to the kernel, which fragments it again for the link. {$SMC.Date} is the packet's time.

Standard error: a line for each packet the chain could not be applied to as asked (as smcd logs
it), then a summary: packets read and written, SIP messages by verdict and by rule, packets that are
not SIP, datagrams reassembled. A capture cut short or damaged is an error naming the packet and
its byte offset; the packets before it are written.
Exit status: 0 when the capture was processed, 1 when a profile does not compile or OUT cannot be
written, 2 for usage errors and for a capture that cannot be read to its end.
`,
	"compile": `
Compiles the chain (the profiles, in the order given) and every data file its rules name into one
bundle file, which smcc run --bundle and the daemon load. Data tables are stored with their indexes,
ready to be used in place through a memory map; docs/bundles.md describes the format's guarantees
and how to update a data file in production.

  -o BUNDLE   the file to write (default: the first profile's name with .smcb). It is written to a
              temporary file in the same folder and renamed over BUNDLE, so a reader never sees
              half a bundle; mode 0640

Standard error: every error and warning, as smcc check prints them.
Standard output: one line with the profiles, data files, rows, size, time taken and peak memory.
Exit status: 0 when the bundle was written, 1 when a profile does not compile or the bundle cannot
be written, 2 for usage errors.
`,
	"check": `
Compiles each profile and reports every error and warning as FILE:LINE:COL: message, with a
suggestion where one fits. Data files are read as the rules name them.
A bundle (recognised by its first bytes) is opened and every section's checksum verified, which
is what to run after copying a bundle to a machine and before putting it in place.
Exit status: 0 when every profile compiles (warnings allowed) and every bundle verifies, 1 when any
has an error, 2 for usage errors.
`,
	"disasm": `
Compiles each profile and prints its program: the rules with their scope, the instructions with
the selectors, patterns (and whether each runs as a byte comparison or on RE2), templates and data
tables they use, and the dispatch table that sends each message to the rules in its scope.
For a bundle: the format version and what it was compiled from (each profile and data file with
its SHA-256 digest and size), then the program of each profile.
Exit status: 0, or 1 when a profile does not compile or a bundle does not open.
`,
	"audit": `
Prints the records of the daemon's audit log (smcd --audit-dir), one JSON line each, in time order
across the rotated, compressed files: give the folder, or files. A file cut short by a crash is
read up to its last complete frame.

  --since TIME   only records at or after TIME: RFC 3339 (2026-11-23T06:00:00Z) or a duration
                 back from now (15m)
  --until TIME   only records before TIME
  --profile ID   only records of the profile with this ProfileID
  --kind KIND    audit (AUDIT_RECORD), drop (DROP_MSG_RECORD) or shadow (a message a shadow
                 binding would have changed: the verdict and a diff, or the response)
  --follow       then wait for new records and print them as they are written, like tail -f,
                 until interrupted

Exit status: 0, 1 when a file cannot be read or holds a damaged frame (the records before it are
printed), 2 for usage errors.
`,
	"help": `
Shows the list of commands, or one command's flags, output and exit status.
`,
}
