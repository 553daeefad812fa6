package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/smcproject/smc/internal/buildinfo"
	"github.com/smcproject/smc/internal/manpage"
)

// smcc(1) renders without a warning from groff and says everything smcc help says: the list of
// commands, and each command's usage and help text, word for word, so a command added to the
// help is in the manual too.
func TestManPage(t *testing.T) {
	if _, err := exec.LookPath("groff"); err != nil {
		t.Skip("no groff (package groff-base, which make deps installs): the page is not rendered")
	}
	var src, stderr bytes.Buffer
	if code := dispatch([]string{"--man"}, nil, &src, &stderr); code != exitOK || stderr.Len() > 0 {
		t.Fatalf("smcc --man: exit %d, %s", code, &stderr)
	}
	page, err := manpage.Render(src.Bytes())
	if err != nil {
		t.Fatalf("%v\nthe page:\n%s", err, &src)
	}
	for _, h := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "FILES", "SEE ALSO"} {
		if !strings.Contains(page, "\n"+h+"\n") {
			t.Errorf("smcc(1) has no section %s", h)
		}
	}
	if manpage.Missing(page, "NAME smcc - "+about+" SYNOPSIS") != "" {
		t.Errorf("smcc(1)'s NAME is not the help's: %q", about)
	}
	for _, c := range commands {
		var help bytes.Buffer
		writeHelp(&help, c)
		if w := manpage.Missing(page, help.String()); w != "" {
			t.Errorf("smcc(1) does not say what smcc help %s says, from %q on", c.name, w)
		}
	}
	var list bytes.Buffer
	for _, c := range commands {
		list.WriteString(c.usage + "\n")
	}
	for _, topic := range topicOrder {
		list.WriteString("smcc help " + topic + " " + topicSummary[topic] + "\n")
	}
	if w := manpage.Missing(page, list.String()); w != "" {
		t.Errorf("smcc(1) does not list every command and topic, from %q on", w)
	}
}

// The page is dated by the commit and names the version, so that two builds of one commit make
// the same page.
func TestManPageDate(t *testing.T) {
	p := manPage(buildinfo.Build{Version: "v1.2.3", Time: "2026-12-07T21:22:25Z"})
	if p.Date != "2026-12-07" || p.Source != "smc v1.2.3" {
		t.Errorf("date %q, source %q", p.Date, p.Source)
	}
}
