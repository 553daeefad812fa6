package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/smcproject/smc/compile"
)

// smcc help, and each quick reference of the language, as reviewed golden files
// (testdata/help/; go test -update rewrites them, review the diff). A quick reference is one
// screen: at most 30 lines of at most 100 characters.
func TestHelpGolden(t *testing.T) {
	for _, topic := range append([]string{""}, topicOrder...) {
		name := topic
		if name == "" {
			name = "index"
		}
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := []string{"help"}
			if topic != "" {
				args = append(args, topic)
			}
			if code := dispatch(args, nil, &stdout, &stderr); code != exitOK || stderr.Len() > 0 {
				t.Fatalf("exit %d, %s", code, &stderr)
			}
			golden := filepath.Join("testdata", "help", name+".txt")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				os.WriteFile(golden, stdout.Bytes(), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(stdout.Bytes(), want) {
				t.Errorf("smcc help %s differs from %s; run go test -update and review the diff", topic, golden)
			}
			lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
			if topic != "" && len(lines) > 30 {
				t.Errorf("%d lines; a quick reference fits a screen (30)", len(lines))
			}
			for i, l := range lines {
				if len([]rune(l)) > 100 {
					t.Errorf("line %d has %d characters (at most 100)", i+1, len([]rune(l)))
				}
			}
		})
	}
}

// Each quick reference names every word of its kind that the compiler accepts, so that a new
// operator, replace type or variable cannot be added without its line.
func TestHelpTopicsNameEveryWord(t *testing.T) {
	words := compile.Words()
	for _, tt := range []struct {
		topic string
		words []string
		form  string // how the topic writes a word; %s is the word
	}{
		{"selectors", words.HeaderAttrs, "%s"},
		{"macros", words.Macros, "%s"},
		{"variables", words.Reserved, "{$%s}"},
		{"operators", words.Operators, "%s"},
		{"actions", words.Actions, "%s"},
		{"actions", words.ReplaceTypes, "%s"},
	} {
		text := topicText[tt.topic]
		for _, w := range tt.words {
			if !containsWord(text, strings.Replace(tt.form, "%s", w, 1)) {
				t.Errorf("smcc help %s does not name %s", tt.topic, w)
			}
		}
	}
}

// containsWord reports whether word occurs in text with no letter, digit or '_' right before or
// after it, so that EQ is not found inside BSEARCH_EQ.
func containsWord(text, word string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], word)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(word)
		if (start == 0 || !isWordByte(text[start-1])) && (end == len(text) || !isWordByte(text[end])) {
			return true
		}
		i = start + 1
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// helpTexts returns what smcc help prints: the index, each command's help and each quick
// reference, by the command line that prints it.
func helpTexts(t *testing.T) map[string]string {
	t.Helper()
	texts := map[string]string{}
	topics := []string{""}
	for _, c := range commands {
		topics = append(topics, c.name)
	}
	for _, topic := range append(topics, topicOrder...) {
		args := []string{"help"}
		if topic != "" {
			args = append(args, topic)
		}
		var stdout, stderr bytes.Buffer
		if code := dispatch(args, nil, &stdout, &stderr); code != exitOK || stdout.Len() == 0 {
			t.Fatalf("smcc %s: exit %d, %s", strings.Join(args, " "), code, &stderr)
		}
		texts["smcc "+strings.Join(args, " ")] = stdout.String()
	}
	return texts
}

// smcc help sends the reader to the language reference, and every document a help text names is
// one the repository has.
func TestHelpNamesExistingDocs(t *testing.T) {
	texts := helpTexts(t)
	if !strings.Contains(texts["smcc help"], "docs/language.md") {
		t.Errorf("smcc help does not point at the language reference, docs/language.md:\n%s", texts["smcc help"])
	}
	doc := regexp.MustCompile(`\bdocs/[A-Za-z0-9_-]+\.md\b`)
	for name, text := range texts {
		for _, path := range doc.FindAllString(text, -1) {
			if _, err := os.Stat(filepath.Join(repo, path)); err != nil {
				t.Errorf("%s names %s: %v", name, path, err)
			}
		}
	}
}

// The user's texts (README.md, docs/*.md, everything smcc help prints) name no issue of the
// project's tracker ("issue 12", "issues 3 and 4", "#12"): a user does not have it, so a text
// says what it means instead. (&#13; in an XML example is not an issue number.)
func TestUserTextsNameNoIssue(t *testing.T) {
	texts := helpTexts(t)
	docs, _ := filepath.Glob(filepath.Join(repo, "docs", "*.md"))
	if len(docs) < 5 {
		t.Fatalf("%d documents in docs/; there are more", len(docs))
	}
	for _, path := range append(docs, filepath.Join(repo, "README.md")) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(repo, path)
		texts[rel] = string(b)
	}
	issue := regexp.MustCompile(`(?i)\bissues? (no\.? ?)?#?[0-9]|(^|[^&\w])#[0-9]+\b`)
	for name, text := range texts {
		for i, line := range strings.Split(text, "\n") {
			if m := issue.FindString(line); m != "" {
				t.Errorf("%s:%d names an issue (%q): %s", name, i+1, strings.TrimSpace(m), line)
			}
		}
	}
}

// Every command's help fits a terminal's width, as the quick references do: at most 100
// characters a line.
func TestCommandHelpWidth(t *testing.T) {
	for _, c := range commands {
		var stdout, stderr bytes.Buffer
		dispatch([]string{"help", c.name}, nil, &stdout, &stderr)
		if stdout.Len() == 0 {
			t.Errorf("smcc help %s printed nothing (stderr %q)", c.name, &stderr)
		}
		for i, l := range strings.Split(stdout.String(), "\n") {
			if len([]rune(l)) > 100 {
				t.Errorf("smcc help %s: line %d has %d characters (at most 100)", c.name, i+1, len([]rune(l)))
			}
		}
	}
}
