package runtime_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/smcproject/smc/internal/smctest"
)

// TestCases runs every txtar case of the project (SMC-SPEC §10): the conformance suite under
// testdata/ and the examples. Each case file is a subtest named by its path from the repository's
// root, so that one case, or one folder of them, can be picked:
//
//	go test ./runtime -run 'TestCases/testdata/spec/s05-conditions'
//
// The cases are read and checked by internal/smctest, as `smcc test` reads and checks them;
// cmd/smcc's TestBundleCases runs them again through a bundle.
func TestCases(t *testing.T) {
	paths, err := smctest.Find([]string{"../testdata", "../examples"})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 300 {
		t.Fatalf("found %d cases; the suites have more", len(paths))
	}
	for _, path := range paths {
		t.Run(strings.TrimPrefix(path, "../"), func(t *testing.T) {
			c, err := smctest.Load(path)
			runCase(t, c, err)
		})
	}
}

// TestLanguageReference runs the examples of docs/language.md: every block fenced as txtar is a
// case, a subtest named by its line in the file, so that the reference cannot say what the
// engine does not do.
func TestLanguageReference(t *testing.T) {
	const path = "../docs/language.md"
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blocks := fencedBlocks(string(src), "txtar")
	if len(blocks) < 9 {
		t.Fatalf("found %d examples in %s; it has more", len(blocks), path)
	}
	for _, b := range blocks {
		name := fmt.Sprintf("docs/language.md:%d", b.line)
		t.Run(name, func(t *testing.T) {
			c, err := smctest.Parse(name, []byte(b.text))
			runCase(t, c, err)
		})
	}
}

// runCase runs a case that read as err says, and reports each way it fails.
func runCase(t *testing.T, c *smctest.Case, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unreadable case: %v", err)
	}
	chain, problems := c.Chain()
	if problems != nil {
		t.Fatal(strings.Join(problems, "\n"))
	}
	for _, d := range c.Run(chain) {
		t.Error(d)
	}
}

// A fencedBlock is the text of a Markdown code block and the line of its opening fence.
type fencedBlock struct {
	line int
	text string
}

// fencedBlocks returns the code blocks of src whose fence names lang.
func fencedBlocks(src, lang string) []fencedBlock {
	var blocks []fencedBlock
	lines := strings.SplitAfter(src, "\n")
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```"+lang {
			continue
		}
		start := i
		var b strings.Builder
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			b.WriteString(lines[i])
		}
		blocks = append(blocks, fencedBlock{start + 1, b.String()})
	}
	return blocks
}
