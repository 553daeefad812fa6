package perf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/runtime"
)

// A Case is a chain and the message it runs on, taken from a txtar test case or the reference
// chain, ready to benchmark or fuzz.
type Case struct {
	Name    string
	Chain   *runtime.Chain
	Message []byte
}

// LoadArchive compiles the profiles of a txtar test case (SMC-SPEC §10) with its data files and
// returns its input message, read as `smcc test` reads them (internal/smctest): with CRLF line
// endings unless the case says eol: raw.
func LoadArchive(path string) (*Case, error) {
	tc, err := smctest.Load(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	chain, problems := tc.Chain()
	if problems != nil {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return &Case{Name: path, Chain: chain, Message: tc.Input}, nil
}

// LoadReference compiles the reference chain in dir (../shared/bench) and returns one case per
// message file there.
func LoadReference(dir string) ([]*Case, error) {
	progs, diags := compile.CompileFiles([]string{filepath.Join(dir, "10-security.json"), filepath.Join(dir, "20-normalize.json")}, nil)
	if progs == nil {
		return nil, diags
	}
	chain, err := runtime.NewChain(progs...)
	if err != nil {
		return nil, err
	}
	msgs, _ := filepath.Glob(filepath.Join(dir, "*.sip"))
	var cases []*Case
	for _, m := range msgs {
		b, err := os.ReadFile(m)
		if err != nil {
			return nil, err
		}
		cases = append(cases, &Case{Name: strings.TrimSuffix(filepath.Base(m), ".sip"), Chain: chain, Message: b})
	}
	return cases, nil
}

// Examples loads every txtar case under the given folders, each named by its path below its
// folder without .txtar.
func Examples(dirs ...string) ([]*Case, error) {
	var cases []*Case
	for _, dir := range dirs {
		paths, err := smctest.Find([]string{dir})
		if err != nil {
			return nil, err
		}
		for _, path := range paths {
			c, err := LoadArchive(path)
			if err != nil {
				return nil, err
			}
			c.Name = strings.TrimSuffix(filepath.ToSlash(path[len(dir)+1:]), ".txtar")
			cases = append(cases, c)
		}
	}
	return cases, nil
}
