package compile

import (
	"fmt"
	"path/filepath"

	"github.com/smcproject/smc/compile/jsonpos"
)

// A SourceFile is a file read to compile a chain, as CompileFiles hands it to its caller.
type SourceFile struct {
	Path    string // a profile's path as given; a data file's joined to its profile's folder
	Content []byte
	Data    bool // a data file one of the rules names, not a profile
}

// CompileFiles compiles the profiles at paths into the programs of one chain, in chain order, each
// as CompileFile does. The diagnostics of every profile come together, and a chain of more than
// MaxProfiles profiles is an error at the first profile past it. The programs are nil when any
// diagnostic is an error; runtime.NewChain links them. smcc run and compile, smcd and perf all
// compile a chain's files here.
//
// read, when not nil, sees each file as it is read: a profile, then the data files its rules name
// (a file named by several rules, each time), so that a caller can record what the chain was
// compiled from.
func CompileFiles(paths []string, read func(SourceFile)) ([]*Program, Diagnostics) {
	var (
		progs []*Program
		all   Diagnostics
	)
	for _, path := range paths {
		prog, diags := compileFile(path, read)
		all = append(all, diags...)
		progs = append(progs, prog)
	}
	if err := CheckChainLength(len(paths)); err != nil {
		all = append(all, Diagnostic{File: paths[MaxProfiles], Pos: jsonpos.Pos{Line: 1, Col: 1}, Msg: err.Error()})
	}
	if all.HasErrors() {
		return nil, all
	}
	return progs, all
}

// compileFile reads and compiles the profile at path, its data files relative to its folder, and
// hands each file it reads to read, when not nil.
func compileFile(path string, read func(SourceFile)) (*Program, Diagnostics) {
	src, err := ReadProfile(path)
	if err != nil {
		return nil, Diagnostics{{File: path, Pos: jsonpos.Pos{Line: 1, Col: 1}, Msg: fmt.Sprintf("cannot read the profile: %v", err)}}
	}
	if read != nil {
		read(SourceFile{Path: path, Content: src})
	}
	dir := filepath.Dir(path)
	return Compile(path, src, Options{OpenData: func(name string) ([]byte, error) {
		b, err := ReadData(dir, name)
		if err == nil && read != nil {
			read(SourceFile{Path: filepath.Join(dir, name), Content: b, Data: true})
		}
		return b, err
	}})
}
