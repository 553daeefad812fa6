package main

import (
	"fmt"
	"syscall"

	"github.com/smcproject/smc/compile/bundle"
	"github.com/smcproject/smc/runtime"
)

// loaded is a chain with what keeps it alive: the mapped bundle its tables live in.
type loaded struct {
	name   string
	chain  *runtime.Chain
	bundle *bundle.Bundle // nil for profiles compiled at start
	id     fileID         // of the bundle file when it was opened
}

// fileID tells one version of a file from the next: a new bundle renamed into place has a new
// inode; one rewritten in place (which the docs say not to do) a new size or time.
type fileID struct {
	dev, ino uint64
	size     int64
	mtime    int64
}

func statID(path string) (fileID, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return fileID{}, err
	}
	return fileID{uint64(st.Dev), st.Ino, st.Size, st.Mtim.Nano()}, nil
}

// load opens the bundle, or compiles the profiles, of opts.
func load(opts *options) (*loaded, error) {
	if opts.bundle == "" {
		progs, _, diags := bundle.CompileFiles(opts.profiles)
		if progs == nil {
			return nil, fmt.Errorf("the profiles do not compile:\n%s", diags)
		}
		return &loaded{name: opts.profiles[0], chain: runtime.NewChain(progs...)}, nil
	}
	id, err := statID(opts.bundle)
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w", opts.bundle, err)
	}
	b, err := bundle.Open(opts.bundle)
	if err != nil {
		return nil, err
	}
	return &loaded{name: opts.bundle, chain: runtime.NewChain(b.Programs...), bundle: b, id: id}, nil
}

func (l *loaded) close() {
	if l.bundle != nil {
		l.bundle.Close()
	}
}

// changed reports whether the bundle file is no longer the one loaded.
func (l *loaded) changed(path string) bool {
	id, err := statID(path)
	return err == nil && id != l.id
}
