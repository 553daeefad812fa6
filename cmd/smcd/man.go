package main

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/smcproject/smc/internal/buildinfo"
	"github.com/smcproject/smc/internal/manpage"
)

// writeManPage writes smcd(8) for `smcd --man`, which make install and make package run on the
// binary they install. The flag is not in the usage: the page is for the build, and says nothing
// the usage does not.
func writeManPage(stdout, stderr io.Writer) int {
	if err := manPage(thisBuild).Write(stdout); err != nil {
		fmt.Fprintln(stderr, "smcd:", err)
		return 1
	}
	return 0
}

// usageLine is a line of the usage: "usage: smcd check [flags]      load the chain ...".
var usageLine = regexp.MustCompile(`^(?:usage:)? +(smcd(?: \S+)*)  +(.+)$`)

// manPage is smcd(8), made from what `smcd -h` and `smcd rules -h` print: the usage's command
// lines and the flags of the daemon and of smcd rules. Only the files and the documents to read
// next are its own.
func manPage(b buildinfo.Build) *manpage.Page {
	p := &manpage.Page{Name: "smcd", Section: "8", Date: b.Date(), Source: "smc " + b.Version, Summary: about}
	var lines [][]string
	width := 0
	for _, l := range strings.Split(usage, "\n") {
		if m := usageLine.FindStringSubmatch(l); m != nil {
			lines = append(lines, m)
			width = max(width, len(m[1]))
		}
	}
	var commands strings.Builder
	var sub []manpage.Section
	for _, m := range lines {
		p.Synopsis = append(p.Synopsis, m[1])
		fmt.Fprintf(&commands, "  %-*s  %s\n", width, m[1], m[2])
		if name, ok := strings.CutPrefix(m[1], "smcd "); ok && !strings.HasPrefix(name, "-") && !strings.HasPrefix(name, "[") {
			name, _, _ = strings.Cut(name, " ")
			sub = append(sub, subcommand(name, m[2]))
		}
	}
	p.Sections = []manpage.Section{
		{Title: "DESCRIPTION", Text: "smcd " + about + ".\n\n" + commands.String()},
		{Title: "OPTIONS", Flags: manpage.ParseDefaults(helpOutput(func(w io.Writer) { parseFlags([]string{"-h"}, w) }))},
		{Title: "COMMANDS", Sub: sub},
		{Title: "FILES", Text: manFiles},
		{Title: "SEE ALSO", Text: manSeeAlso},
	}
	return p
}

// subcommand is the subsection of smcd NAME, which the usage says does what: check reads the
// daemon's options (run hands them to parseFlags), and rules has its own flag set.
func subcommand(name, what string) manpage.Section {
	s := manpage.Section{Title: "smcd " + name, Text: what + ".\n"}
	switch name {
	case "check":
		s.Text += "It takes the daemon's options (OPTIONS).\n"
	case "rules":
		s.Flags = manpage.ParseDefaults(helpOutput(func(w io.Writer) { rulesMain([]string{"-h"}, io.Discard, w) }))
	}
	return s
}

// helpOutput is what f prints as the help of a flag set.
func helpOutput(f func(w io.Writer)) string {
	var b bytes.Buffer
	f(&b)
	return b.String()
}

const manFiles = `
  /etc/smc/smcd.json   the configuration file (--config): settings, and the chains bound to queues,
                       directions and peers. The Debian package's unit runs smcd with it, and the
                       package installs one that passes every message unchanged
  /etc/smc/            the configuration, bundles and profiles, root:smc 0750 (files 0640); smcd
                       refuses a file or folder there that every user may write
  /var/log/smc/        the audit log (--audit-dir), created by systemd for the smc user
  /var/lib/smc/        what smcd keeps across restarts (--state-dir), created by systemd
`

const manSeeAlso = `
smcc(1), systemd.exec(5), iptables-extensions(8) (NFQUEUE), nft(8). The documents installed with
smc, in /usr/share/doc/smc (PREFIX/share/doc/smc after make install): smcd.md, deploying the
daemon (the configuration file, the firewall rules, the systemd unit, metrics, reloads);
bundles.md; limits.md; semantics.md.
`
