// Package manpage writes the manual pages of smcc and smcd, in roff with the man(7) macros, from
// the help the commands print: their usage lines, their help texts and their flag sets. The
// pages are made from the built binaries when the package is built (`smcc --man`, `smcd --man`),
// so a command or flag added to the help is in the manual without anyone copying it there.
//
// A help text is plain text laid out for a terminal, and text.go reads that layout: paragraphs,
// and indented lists of a term and its description in two columns. Flag sets are read from what
// the flag package's PrintDefaults prints (flags.go), which is what `smcd -h` shows.
package manpage

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// A Page is one manual page.
type Page struct {
	Name     string    // the command: smcc
	Section  string    // the manual section: 1 for commands, 8 for daemons
	Date     string    // the date of what it describes, YYYY-MM-DD (the commit's); "" leaves it out
	Source   string    // the software and its version: smc v0.1.0
	Summary  string    // the NAME line's description of the command
	Synopsis []string  // the command lines, one a line, as the usage shows them
	Sections []Section // DESCRIPTION, OPTIONS, FILES, SEE ALSO, ...
}

// A Section is a titled part of a page: help text, then flags, then its subsections.
type Section struct {
	Title string    // upper case for a section (.SH), any case for a subsection (.SS)
	Text  string    // help text, as the command prints it (see text.go)
	Flags []Flag    // listed after the text
	Sub   []Section // subsections, one level only
}

// Write writes the page to w in roff.
func (p *Page) Write(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, ".TH %s %s %s %s %s\n", quote(strings.ToUpper(p.Name)), p.Section, quote(p.Date), quote(p.Source), quote("smc manual"))
	// Left-aligned and unhyphenated: option names and paths must not be split.
	b.WriteString(".nh\n.ad l\n")
	b.WriteString(".SH NAME\n")
	fmt.Fprintf(b, "%s \\- %s\n", escape(p.Name), escape(p.Summary))
	b.WriteString(".SH SYNOPSIS\n")
	for i, s := range p.Synopsis {
		if i > 0 {
			b.WriteString(".br\n")
		}
		writeLine(b, s)
	}
	for _, s := range p.Sections {
		fmt.Fprintf(b, ".SH %s\n", quote(s.Title))
		writeSection(b, s)
		for _, sub := range s.Sub {
			fmt.Fprintf(b, ".SS %s\n", quote(sub.Title))
			writeSection(b, sub)
		}
	}
	return b.Flush()
}

func writeSection(b *bufio.Writer, s Section) {
	writeText(b, s.Text)
	for _, f := range s.Flags {
		f.write(b)
	}
}

// writeLine writes one line of text, escaped, as a line of its own.
func writeLine(b *bufio.Writer, s string) {
	b.WriteString(escape(s))
	b.WriteByte('\n')
}

// escape makes text safe to stand in a roff line: a backslash is roff's escape character, a
// hyphen would be typeset as one (and could not be copied as an option's dash), and a line that
// starts with a period or an apostrophe would be read as a request.
func escape(s string) string {
	s = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// quote makes s one argument of a request (.TH, .SH, .TP's term).
func quote(s string) string {
	return `"` + strings.ReplaceAll(escape(s), `"`, `\(dq`) + `"`
}
