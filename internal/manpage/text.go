package manpage

import (
	"bufio"
	"regexp"
	"strings"
)

// A help text, as smcc help prints one, is blocks of lines separated by blank lines. In a block,
// lines at the left margin are prose, wrapped for a terminal: they become paragraphs that roff
// fills again. Indented lines are a list of terms and their descriptions in two columns,
//
//	  -p PROFILE          a profile; repeat for a chain (applied in the order given). A file that is a
//	                      bundle (see smcc compile) is recognised and must be given alone
//	  --transport udp|tcp {$SIP.Transport} (default udp)
//
// whose description column is the one most of its lines agree on (a long term may leave a single
// space before it), and whose continuation lines start in that column. Indented lines that do not
// read so are kept as they are, unfilled.

// writeText writes a help text in roff.
func writeText(b *bufio.Writer, text string) {
	lines := strings.Split(strings.Trim(text, "\n"), "\n")
	for len(lines) > 0 {
		if strings.TrimSpace(lines[0]) == "" {
			lines = lines[1:]
			continue
		}
		in := indent(lines[0]) > 0
		n := 1
		for n < len(lines) && strings.TrimSpace(lines[n]) != "" && (indent(lines[n]) > 0) == in {
			n++
		}
		if in {
			writeIndented(b, lines[:n])
		} else {
			writeProse(b, lines[:n])
		}
		lines = lines[n:]
	}
}

// labelled is a line that opens with a label, "Exit status:" or "Standard error:", which after a
// finished sentence starts a paragraph of its own, as it does on the terminal.
var labelled = regexp.MustCompile(`^[A-Z][a-z]+( [a-z]+)?: `)

func writeProse(b *bufio.Writer, lines []string) {
	b.WriteString(".PP\n")
	for i, l := range lines {
		if i > 0 && strings.HasSuffix(lines[i-1], ".") && labelled.MatchString(l) {
			b.WriteString(".PP\n")
		}
		writeLine(b, l)
	}
}

// An entry is a term of an indented list and its description's lines.
type entry struct {
	term string
	desc []string
}

func writeIndented(b *bufio.Writer, lines []string) {
	entries, ok := readList(lines)
	if !ok {
		b.WriteString(".PP\n.RS 2\n.nf\n")
		for _, l := range lines {
			writeLine(b, strings.TrimPrefix(l, "  "))
		}
		b.WriteString(".fi\n.RE\n")
		return
	}
	for _, e := range entries {
		b.WriteString(".TP\n")
		b.WriteString(`\fB` + escape(e.term) + `\fR` + "\n")
		for _, d := range e.desc {
			writeLine(b, d)
		}
	}
}

// readList reads indented lines as a list of terms and descriptions, or says they are not one.
func readList(lines []string) ([]entry, bool) {
	base := indent(lines[0])
	col := descColumn(lines, base)
	if col <= base {
		return nil, false
	}
	var out []entry
	for _, l := range lines {
		switch in := indent(l); {
		case in == base && len(l) > col && l[col-1] == ' ' && l[col] != ' ':
			out = append(out, entry{term: strings.TrimSpace(l[:col]), desc: []string{l[col:]}})
		case in == col && len(out) > 0:
			out[len(out)-1].desc = append(out[len(out)-1].desc, l[col:])
		default:
			return nil, false
		}
	}
	return out, true
}

// descColumn is the column where most lines' descriptions start: after the first run of two or
// more spaces in a term's line, or at a continuation line's indentation.
func descColumn(lines []string, base int) int {
	votes := map[int]int{}
	best := 0
	for _, l := range lines {
		c := indent(l)
		if c == base {
			gap := strings.Index(l[base:], "  ")
			if gap < 0 {
				continue
			}
			c = base + gap + indent(l[base+gap:])
		}
		votes[c]++
		if votes[c] > votes[best] || votes[c] == votes[best] && c < best {
			best = c
		}
	}
	return best
}

func indent(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }
