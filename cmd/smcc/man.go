package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/smcproject/smc/internal/buildinfo"
	"github.com/smcproject/smc/internal/manpage"
)

// writeManPage writes smcc(1) for `smcc --man`, which make install and make package run on the
// binary they install. The flag is not in the help: the page is for the build, and says nothing
// the help does not.
func writeManPage(stdout, stderr io.Writer) int {
	if err := manPage(buildinfo.Read()).Write(stdout); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", programName, err)
		return exitFailed
	}
	return exitOK
}

// manPage is smcc(1), made from the help: what smcc is, the commands with their usage and help
// texts, and the quick references. Only the files and the documents to read next are its own.
func manPage(b buildinfo.Build) *manpage.Page {
	p := &manpage.Page{Name: programName, Section: "1", Date: b.Date(), Source: "smc " + b.Version, Summary: about,
		Synopsis: []string{"smcc COMMAND [ARGUMENTS]"}}
	cmds := manpage.Section{Title: "COMMANDS"}
	for _, c := range commands {
		p.Synopsis = append(p.Synopsis, c.usage)
		text := helpText[c.name]
		if strings.TrimSpace(text) == "" {
			text = c.summary + "."
		}
		cmds.Sub = append(cmds.Sub, manpage.Section{Title: c.name, Text: "usage: " + c.usage + "\n\n" + text})
	}
	p.Synopsis = append(p.Synopsis, "smcc --version")
	var topics strings.Builder
	for _, t := range topicOrder {
		fmt.Fprintf(&topics, "  smcc help %-10s %s\n", t, topicSummary[t])
	}
	p.Sections = []manpage.Section{
		{Title: "DESCRIPTION", Text: "smcc " + about + ".\n\n" + helpFooter +
			"\n--version prints the build: the version, the commit it was built from, and the Go release.\n"},
		cmds,
		{Title: "LANGUAGE QUICK REFERENCES", Text: topics.String()},
		{Title: "FILES", Text: manFiles},
		{Title: "SEE ALSO", Text: manSeeAlso},
	}
	return p
}

const manFiles = `
  /etc/smc/       where smcd reads its configuration, smcd.json, and the bundles smcc compile
                  writes, root:smc 0640 (smcd(8))
  /var/log/smc/   smcd's audit log, which smcc audit cat reads
`

const manSeeAlso = `
smcd(8). The documents installed with smc, in /usr/share/doc/smc (PREFIX/share/doc/smc after make
install): language.md, the language with examples; semantics.md, how smc reads it; limits.md;
bundles.md; smcd.md.
`
