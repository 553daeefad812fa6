package main

import (
	"bytes"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/smcproject/smc/internal/manpage"
)

// smcd(8) renders without a warning from groff and says everything smcd -h and smcd rules -h
// say: each command line of the usage, and every flag with its usage and default, so a flag
// added to smcd is in the manual too.
func TestManPage(t *testing.T) {
	if _, err := exec.LookPath("groff"); err != nil {
		t.Skip("no groff (package groff-base, which make deps installs): the page is not rendered")
	}
	var src, stderr bytes.Buffer
	if code := run([]string{"--man"}, &src, &stderr); code != 0 || stderr.Len() > 0 {
		t.Fatalf("smcd --man: exit %d, %s", code, &stderr)
	}
	page, err := manpage.Render(src.Bytes())
	if err != nil {
		t.Fatalf("%v\nthe page:\n%s", err, &src)
	}
	for _, h := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "FILES", "SEE ALSO"} {
		if !strings.Contains(page, "\n"+h+"\n") {
			t.Errorf("smcd(8) has no section %s", h)
		}
	}
	usageText := strings.ReplaceAll(strings.TrimSuffix(usage, "Flags:\n"), "usage:", "")
	if w := manpage.Missing(page, "smcd - "+about+"\n"+usageText); w != "" {
		t.Errorf("smcd(8) does not say what smcd's usage says, from %q on", w)
	}
	daemon, rules := helpOutput(func(w io.Writer) { run([]string{"-h"}, io.Discard, w) }),
		helpOutput(func(w io.Writer) { run([]string{"rules", "-h"}, io.Discard, w) })
	for _, h := range []struct{ name, text string }{{"smcd -h", daemon}, {"smcd rules -h", rules}} {
		flags := manpage.ParseDefaults(h.text)
		if len(flags) < 5 {
			t.Fatalf("%s lists %d flags:\n%s", h.name, len(flags), h.text)
		}
		var want strings.Builder
		for _, f := range flags {
			want.WriteString(f.Option() + " " + f.Arg + " " + f.Usage)
			if f.Default != "" {
				want.WriteString(" (default " + f.Default + ")")
			}
			want.WriteString("\n")
		}
		if w := manpage.Missing(page, want.String()); w != "" {
			t.Errorf("smcd(8) does not say what %s says, from %q on", h.name, w)
		}
	}
}
