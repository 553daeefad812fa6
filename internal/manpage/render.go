package manpage

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
)

// Render formats a page in roff as man shows it on an 80-column terminal, with groff and every
// warning on, and returns the plain text (no bold or underline). A warning is an error: it names
// something the page's roff gets wrong, which the tests of the pages catch.
func Render(page []byte) (string, error) {
	cmd := exec.Command("groff", "-man", "-Tutf8", "-ww", "-rLL=80n", "-P-cbou")
	cmd.Stdin = bytes.NewReader(page)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		return "", fmt.Errorf("groff -man -ww: %v\n%s", err, &stderr)
	}
	return stdout.String(), nil
}

// Missing returns the first word of text that a rendered page does not have, looking for each
// word after where the one before it was found; "" when the page says all of text, in its order.
// It is how the tests check that a page says everything the help says: roff fills the text again
// and sets terms apart, but it neither drops, adds nor reorders a word.
func Missing(rendered, text string) string {
	page := words(rendered)
	i := 0
	for _, w := range words(text) {
		for i < len(page) && page[i] != w {
			i++
		}
		if i == len(page) {
			return w
		}
		i++
	}
	return ""
}

// words splits text at spaces, with the dashes and quotes a typesetter may use made ASCII again,
// and a word that a line break split after its hyphen joined again.
func words(text string) []string {
	text = strings.NewReplacer("\u2212", "-", "\u2010", "-", "\u2018", "'", "\u2019", "'", "\u201c", `"`, "\u201d", `"`).Replace(text)
	var out []string
	join := false
	for _, w := range strings.Fields(text) {
		if join {
			out[len(out)-1] += w
		} else {
			out = append(out, w)
		}
		join = strings.HasSuffix(w, "-") && len(w) > 1 && !strings.HasPrefix(w, "-")
	}
	return out
}
