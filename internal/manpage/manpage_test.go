package manpage

import (
	"bufio"
	"bytes"
	"flag"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"
)

// ParseDefaults gives back every flag of a set, as the set itself describes it, from what
// PrintDefaults prints: one-letter booleans (usage on the same line), values named in the usage
// with back quotes, usages of several lines, and defaults that are and are not the zero value.
func TestParseDefaults(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.Bool("v", false, "print more")
	fs.Bool("fail-closed", false, "drop packets when a queue is full")
	fs.Bool("watch", true, "watch the file")
	fs.String("queues", "0", "the queues: N, A:B (as --queue-balance A:B)")
	fs.String("config", "", "a configuration `FILE` (docs/smcd.md)")
	fs.Duration("every", time.Second, "how often\nto look again")
	fs.Int("n", 3, "how many")
	fs.Var(new(listValue), "p", "a profile (repeat)")
	var out bytes.Buffer
	fs.SetOutput(&out)
	fs.PrintDefaults()

	want := []Flag{
		{Name: "config", Arg: "FILE", Usage: "a configuration FILE (docs/smcd.md)"},
		{Name: "every", Arg: "duration", Usage: "how often\nto look again", Default: "1s"},
		{Name: "fail-closed", Usage: "drop packets when a queue is full"},
		{Name: "n", Arg: "int", Usage: "how many", Default: "3"},
		{Name: "p", Arg: "value", Usage: "a profile (repeat)"},
		{Name: "queues", Arg: "string", Usage: "the queues: N, A:B (as --queue-balance A:B)", Default: `"0"`},
		{Name: "v", Usage: "print more"},
		{Name: "watch", Usage: "watch the file", Default: "true"},
	}
	if got := ParseDefaults("usage: x [flags]\n\nFlags:\n" + out.String()); !reflect.DeepEqual(got, want) {
		t.Errorf("from:\n%s\ngot  %q\nwant %q", &out, got, want)
	}
}

type listValue []string

func (l *listValue) String() string     { return strings.Join(*l, ",") }
func (l *listValue) Set(v string) error { *l = append(*l, v); return nil }

func roff(text string) string {
	var out bytes.Buffer
	b := bufio.NewWriter(&out)
	writeText(b, text)
	b.Flush()
	return out.String()
}

func TestText(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"prose is filled, a label after a sentence starts a paragraph",
			"Applies the chain to one\nmessage.\nExit status: 0 when\nprocessed.\n",
			".PP\nApplies the chain to one\nmessage.\n.PP\nExit status: 0 when\nprocessed.\n"},
		{"a label inside a sentence does not",
			"the response\nStandard error: x\n",
			".PP\nthe response\nStandard error: x\n"},
		{"a list, a long term one space from its description",
			"  -p PROFILE          a profile; repeat for a chain\n                      in order\n  --transport udp|tcp {$SIP.Transport} (default udp)\n",
			".TP\n\\fB\\-p PROFILE\\fR\na profile; repeat for a chain\nin order\n.TP\n\\fB\\-\\-transport udp|tcp\\fR\n{$SIP.Transport} (default udp)\n"},
		{"prose, then a list in the same block, then prose",
			"A case holds:\n  remote  IP:PORT\n  eol     crlf or raw\nFiles: more\n",
			".PP\nA case holds:\n.TP\n\\fBremote\\fR\nIP:PORT\n.TP\n\\fBeol\\fR\ncrlf or raw\n.PP\nFiles: more\n"},
		{"indented lines that are no list stay as they are",
			"  a   b\n     c\n",
			".PP\n.RS 2\n.nf\na   b\n   c\n.fi\n.RE\n"},
		{"what roff would read as a request or an escape",
			".smcb files\n'#' lines\n\\n in Output\n",
			".PP\n\\&.smcb files\n\\&'#' lines\n\\en in Output\n"},
	} {
		if got := roff(c.text); got != c.want {
			t.Errorf("%s:\n%s\ngot:\n%s\nwant:\n%s", c.name, c.text, got, c.want)
		}
	}
}

// A page with every part renders without a warning from groff (all warnings on), and with its
// sections and text in the output.
func TestPageRenders(t *testing.T) {
	p := &Page{Name: "smcx", Section: "1", Date: "2026-12-07", Source: "smc v0.0.0", Summary: "does things",
		Synopsis: []string{"smcx run [flags] FILE", "smcx --version"},
		Sections: []Section{
			{Title: "DESCRIPTION", Text: "It runs.\n\n  -o FILE   where\n            to write\n"},
			{Title: "OPTIONS", Flags: ParseDefaults("  -queues string\n    \tthe queues (default \"0\")\n  -v\tverbose\n")},
			{Title: "COMMANDS", Sub: []Section{{Title: "smcx run", Text: "  odd   layout\n     here\n"}}},
		}}
	if _, err := exec.LookPath("groff"); err != nil {
		t.Skip("no groff (package groff-base, which make deps installs): the page is not rendered")
	}
	var src bytes.Buffer
	if err := p.Write(&src); err != nil {
		t.Fatal(err)
	}
	out, err := Render(src.Bytes())
	if err != nil {
		t.Fatalf("%v\nthe page:\n%s", err, &src)
	}
	for _, s := range []string{"NAME", "smcx - does things", "SYNOPSIS", "OPTIONS", "--queues string", `the queues (default "0")`, "smcx run", "odd   layout"} {
		if !strings.Contains(out, s) {
			t.Errorf("the rendered page has no %q:\n%s", s, out)
		}
	}
}
