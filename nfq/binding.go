package nfq

import (
	"net/netip"
	"slices"
	"sync/atomic"

	"github.com/smcproject/smc/runtime"
)

// A Binding attaches a chain to part of the traffic, as session border controllers bind SMC
// profiles to trunks: the packets of some queues, seen in one direction, to or from some peers.
type Binding struct {
	Name      string
	Queues    []uint16       // empty: every queue
	Direction *Direction     // nil: both directions
	Peers     []netip.Prefix // empty: any peer; else the peer's address (SIP.RemoteIP) is in one
	Chain     *runtime.Chain
	// Shadow runs the chain without acting on its verdicts: every packet passes as it came, and
	// the messages it would have changed are counted and recorded (shadow.go). It lets new rules
	// meet live traffic before they are trusted with it.
	Shadow bool
}

// matches reports whether a packet of queue q, seen in direction d, with peer address peer, is
// the binding's.
func (b *Binding) matches(q uint16, d Direction, peer netip.Addr) bool {
	if len(b.Queues) > 0 && !slices.Contains(b.Queues, q) {
		return false
	}
	if b.Direction != nil && *b.Direction != d {
		return false
	}
	if len(b.Peers) == 0 {
		return true
	}
	peer = peer.Unmap()
	for _, p := range b.Peers {
		if p.Contains(peer) {
			return true
		}
	}
	return false
}

// A ChainSet is what the workers run: bindings in order; a packet takes the first that matches,
// and a packet that matches none passes unchanged (counted as unbound).
type ChainSet struct {
	Bindings []Binding
}

// Single is the set of one chain for all traffic.
func Single(c *runtime.Chain) *ChainSet {
	return &ChainSet{Bindings: []Binding{{Name: "all", Chain: c}}}
}

// A ChainRef holds the chain set the workers run; Set swaps it atomically between packets.
type ChainRef struct{ p atomic.Pointer[ChainSet] }

// NewChainRef returns a ChainRef holding one chain for all traffic.
func NewChainRef(c *runtime.Chain) *ChainRef { return NewChainSetRef(Single(c)) }

// NewChainSetRef returns a ChainRef holding s.
func NewChainSetRef(s *ChainSet) *ChainRef {
	r := &ChainRef{}
	r.p.Store(s)
	return r
}

// Load returns the current set.
func (r *ChainRef) Load() *ChainSet { return r.p.Load() }

// Set makes c the one chain of every worker from its next packet on.
func (r *ChainRef) Set(c *runtime.Chain) { r.p.Store(Single(c)) }

// SetBindings makes s the set of every worker from its next packet on.
func (r *ChainRef) SetBindings(s *ChainSet) { r.p.Store(s) }
