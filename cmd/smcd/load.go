package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/smcproject/smc/compile/bundle"
	"github.com/smcproject/smc/nfq"
	"github.com/smcproject/smc/runtime"
)

// loaded is the chain set of the bindings with what keeps it alive: the mapped bundles its tables
// live in, and which version of each bundle file was opened.
type loaded struct {
	set     *nfq.ChainSet
	bundles []*bundle.Bundle
	ids     map[string]fileID // by bundle path
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

// load opens the bundles, or compiles the profiles, of every binding. A bundle named by several
// bindings is opened once. Nothing stays open when any fails.
func load(opts *options) (*loaded, error) {
	l := &loaded{set: &nfq.ChainSet{}, ids: map[string]fileID{}}
	opened := map[string]*runtime.Chain{}
	for _, b := range opts.bindings {
		chain, err := l.chain(b, opened)
		if err != nil {
			l.close()
			return nil, fmt.Errorf("binding %q: %w", b.name, err)
		}
		l.set.Bindings = append(l.set.Bindings, nfq.Binding{Name: b.name, Queues: b.queues, Direction: b.direction, Peers: b.peers, Chain: chain})
	}
	if len(l.set.Bindings) == 0 {
		return nil, errors.New("no chain: give --bundle, -p, or Bindings in --config")
	}
	return l, nil
}

func (l *loaded) chain(b bindingConfig, opened map[string]*runtime.Chain) (*runtime.Chain, error) {
	for _, path := range append([]string{b.bundle}, b.profiles...) {
		if path == "" {
			continue
		}
		if err := refuseWorldWritable(path); err != nil {
			return nil, err
		}
	}
	if b.bundle == "" {
		progs, _, diags := bundle.CompileFiles(b.profiles)
		if progs == nil {
			return nil, fmt.Errorf("the profiles do not compile:\n%s", diags)
		}
		return runtime.NewChain(progs...), nil
	}
	if c := opened[b.bundle]; c != nil {
		return c, nil
	}
	id, err := statID(b.bundle)
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w", b.bundle, err)
	}
	bu, err := bundle.Open(b.bundle)
	if err != nil {
		return nil, err
	}
	l.bundles = append(l.bundles, bu)
	l.ids[b.bundle] = id
	c := runtime.NewChain(bu.Programs...)
	opened[b.bundle] = c
	return c, nil
}

// refuseWorldWritable refuses a file that every user of the host may write: whoever can change
// the chain decides what happens to every call through the host.
func refuseWorldWritable(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return nil // the open that follows reports it
	}
	if st.Mode().Perm()&0o002 != 0 {
		return fmt.Errorf("%s is writable by every user of this host, who could then change what smcd does to the traffic; refusing it (chmod o-w %s)", path, path)
	}
	return nil
}

func (l *loaded) close() {
	for _, b := range l.bundles {
		b.Close()
	}
}

// changed reports whether a bundle file is no longer the version loaded.
func (l *loaded) changed() bool {
	for path, was := range l.ids {
		if id, err := statID(path); err == nil && id != was {
			return true
		}
	}
	return false
}

// remember takes the current versions of the bundle files as the ones seen, so that a broken
// file is not retried every watch interval.
func (l *loaded) remember() {
	for path := range l.ids {
		if id, err := statID(path); err == nil {
			l.ids[path] = id
		}
	}
}

// describe names the bindings and their profiles, for logs and metrics.
func (l *loaded) describe() (names, profiles string) {
	var bs, ps []string
	for _, b := range l.set.Bindings {
		bs = append(bs, b.Name)
		for _, p := range b.Chain.Programs {
			ps = append(ps, fmt.Sprintf("%s: %d %s", b.Name, p.ID, p.Name))
		}
	}
	return strings.Join(bs, ","), strings.Join(ps, "; ")
}
