package daemon

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/smcproject/smc/compile/bundle"
	"github.com/smcproject/smc/nfq"
	"github.com/smcproject/smc/runtime"
)

// loaded is the chain set of the bindings with what keeps it alive: the private copies of the
// bundles its tables live in, and the SHA-256 of what was loaded, which names the version.
type loaded struct {
	set     *nfq.ChainSet
	bundles []*bundle.Bundle
	digests []string // one per bundle, or per binding compiled from profiles, in binding order
	pause   time.Duration
}

// reloadPause paces a reload's copying and checking of bundles (bundle.OpenPrivate): a chunk takes
// about half a millisecond, and 2 ms of pause after each keeps the reload to about a fifth of a
// core, so that a worker sharing the core at 80% of its capacity keeps up. The reference chain's
// 11.8 MiB bundle then reloads in about a tenth of a second, an 800 MiB one in about 8 s. Before
// pacing, a reload under such load let thousands of packets pass by fail-open (BENCHMARKS.md).
const reloadPause = 2 * time.Millisecond

// load opens the bundles, or compiles the profiles, of every binding; a binding is a shadow one
// when it says so or cfg.Shadow (--shadow) does. A bundle named by several bindings is opened
// once. Each bundle is opened as a private, verified copy (bundle.OpenPrivate, in the state folder
// when there is one, paced by pause), so that nothing done to the file afterwards reaches the
// running chain. Nothing stays open when any fails.
func load(cfg *Config, pause time.Duration) (*loaded, error) {
	l := &loaded{set: &nfq.ChainSet{}, pause: pause}
	opened := map[string]*runtime.Chain{}
	for _, b := range cfg.Bindings {
		chain, err := l.chain(b, opened, cfg.StateDir)
		if err != nil {
			l.close()
			return nil, fmt.Errorf("binding %q: %w", b.Name, err)
		}
		l.set.Bindings = append(l.set.Bindings, nfq.Binding{Name: b.Name, Queues: b.Queues, Direction: b.Direction, Peers: b.Peers, Chain: chain,
			Shadow: b.Shadow || cfg.Shadow})
	}
	if len(l.set.Bindings) == 0 {
		return nil, errors.New("no chain: give --bundle, -p, or Bindings in --config")
	}
	return l, nil
}

func (l *loaded) chain(b Binding, opened map[string]*runtime.Chain, copyDir string) (*runtime.Chain, error) {
	for _, path := range append([]string{b.Bundle}, b.Profiles...) {
		if path == "" {
			continue
		}
		if err := refuseUntrusted(path); err != nil {
			return nil, err
		}
	}
	if b.Bundle == "" {
		return l.compile(b.Profiles)
	}
	if c := opened[b.Bundle]; c != nil {
		return c, nil
	}
	bu, digest, err := bundle.OpenPrivate(b.Bundle, copyDir, l.pause)
	if err != nil {
		return nil, err
	}
	l.bundles = append(l.bundles, bu)
	l.digests = append(l.digests, digest)
	c, err := runtime.NewChain(bu.Programs...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Bundle, err)
	}
	opened[b.Bundle] = c
	return c, nil
}

// compile compiles a chain given as profiles. Its digest is the SHA-256 of the profiles' bytes
// one after the other, which changes whenever one of them does.
func (l *loaded) compile(profiles []string) (*runtime.Chain, error) {
	progs, _, diags := bundle.CompileFiles(profiles)
	if progs == nil {
		return nil, fmt.Errorf("the profiles do not compile:\n%s", diags)
	}
	chain, err := runtime.NewChain(progs...)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	for _, p := range profiles {
		b, _ := os.ReadFile(p) // CompileFiles has just read it
		h.Write(b)
	}
	l.digests = append(l.digests, hex.EncodeToString(h.Sum(nil)))
	return chain, nil
}

func (l *loaded) close() {
	for _, b := range l.bundles {
		b.Close()
	}
}

// digest names the version of the chain running: the SHA-256 of each bundle, as sha256sum prints
// it, comma-separated when the bindings load several.
func (l *loaded) digest() string { return strings.Join(l.digests, ",") }

// Check loads the chains of cfg's bindings as Run would, without opening anything else, and
// writes a line for each binding that loaded to w, then the digest a daemon running them reports
// (smc_chain_info's digest label, and the log's): comparing it with each host's metric tells
// whether a fleet runs what was rolled out. Its error is the first binding that did not load.
func Check(cfg Config, w io.Writer) error {
	l, err := load(&cfg, 0)
	if err != nil {
		return err
	}
	defer l.close()
	for _, b := range l.set.Bindings {
		n := len(b.Chain.Programs)
		fmt.Fprintf(w, "%s: ok, %d profile%s%s\n", b.Name, n, map[bool]string{true: "", false: "s"}[n == 1], map[bool]string{true: ", shadow"}[b.Shadow])
	}
	fmt.Fprintf(w, "digest: %s\n", l.digest())
	return nil
}

// shadows names the shadow bindings, for logs: "" when there are none.
func (l *loaded) shadows() string {
	var names []string
	for _, b := range l.set.Bindings {
		if b.Shadow {
			names = append(names, b.Name)
		}
	}
	return strings.Join(names, ",")
}

// shadowAttr is the shadow bindings as a log attribute, or nothing when there are none.
func (l *loaded) shadowAttr() []any {
	if s := l.shadows(); s != "" {
		return []any{"shadow", s}
	}
	return nil
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
