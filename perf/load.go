package perf

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/tools/txtar"

	"github.com/smcproject/smc/compile"
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
// returns its input message with CRLF line endings, as `smcc test` runs it by default.
func LoadArchive(path string) (*Case, error) {
	a, err := txtar.ParseFile(path)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, f := range a.Files {
		files[f.Name] = f.Data
	}
	open := func(name string) ([]byte, error) {
		if b, ok := files[name]; ok {
			return b, nil
		}
		return nil, os.ErrNotExist
	}
	var progs []*compile.Program
	for _, f := range a.Files {
		if !strings.HasSuffix(f.Name, ".json") {
			continue
		}
		prog, diags := compile.Compile(f.Name, f.Data, compile.Options{OpenData: open})
		if prog == nil {
			return nil, fmt.Errorf("%s: %v", path, diags)
		}
		progs = append(progs, prog)
	}
	chain, err := runtime.NewChain(progs...)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	msg := strings.ReplaceAll(strings.ReplaceAll(string(files["input.sip"]), "\r\n", "\n"), "\n", "\r\n")
	return &Case{Name: path, Chain: chain, Message: []byte(msg)}, nil
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

// Examples loads every txtar case under the given folders.
func Examples(dirs ...string) ([]*Case, error) {
	var cases []*Case
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".txtar") {
				return err
			}
			c, err := LoadArchive(path)
			if err != nil {
				return err
			}
			c.Name = strings.TrimSuffix(filepath.ToSlash(path[len(dir)+1:]), ".txtar")
			cases = append(cases, c)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return cases, nil
}
