package manpage

import (
	"bufio"
	"regexp"
	"strings"
)

// A Flag is one flag of a command, as the flag package prints it.
type Flag struct {
	Name    string // without dashes: queues, p
	Arg     string // the name of its value (string, duration, FILE); "" for a boolean
	Usage   string // what it does; lines separated by \n
	Default string // as printed: "0:3" with the quotes of a string; "" for the zero value
}

// defaultSuffix is what PrintDefaults appends to a flag's usage when its default is not the zero
// value of its type.
var defaultSuffix = regexp.MustCompile(`(?s)^(.*) \(default (.*)\)$`)

// ParseDefaults reads the flags out of what flag.FlagSet.PrintDefaults printed (the output of
// `smcd -h`, say): each flag's line is "  -name arg", followed by its usage on lines that start
// with four spaces and a tab (or on the same line, after a tab, for a one-letter boolean). Lines
// of any other form, a usage message before the flags, are skipped.
func ParseDefaults(text string) []Flag {
	var flags []Flag
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, "  -"):
			head, usage, _ := strings.Cut(line[len("  -"):], "\t")
			name, arg, _ := strings.Cut(head, " ")
			flags = append(flags, Flag{Name: name, Arg: arg, Usage: usage})
		case strings.HasPrefix(line, "    \t") && len(flags) > 0:
			f := &flags[len(flags)-1]
			if f.Usage != "" {
				f.Usage += "\n"
			}
			f.Usage += line[len("    \t"):]
		}
	}
	for i := range flags {
		if m := defaultSuffix.FindStringSubmatch(flags[i].Usage); m != nil {
			flags[i].Usage, flags[i].Default = m[1], m[2]
		}
	}
	return flags
}

// Option is the flag as the project's documents write it: --queues, and -p for a single letter.
func (f Flag) Option() string {
	if len(f.Name) == 1 {
		return "-" + f.Name
	}
	return "--" + f.Name
}

func (f Flag) write(b *bufio.Writer) {
	b.WriteString(".TP\n")
	b.WriteString(`\fB` + escape(f.Option()) + `\fR`)
	if f.Arg != "" {
		b.WriteString(` \fI` + escape(f.Arg) + `\fR`)
	}
	b.WriteByte('\n')
	usage := f.Usage
	if f.Default != "" {
		usage += " (default " + f.Default + ")" // as PrintDefaults says it
	}
	for _, l := range strings.Split(usage, "\n") {
		writeLine(b, l)
	}
}
