package runtime_test

import (
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
		})
	}
}
