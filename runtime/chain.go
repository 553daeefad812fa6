// Package runtime runs compiled SMC programs on SIP messages. A Chain is the immutable, shared
// form of the profiles applied to one message; each worker owns a Machine, which keeps every
// buffer it needs between messages.
package runtime

import (
	"fmt"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/runtime/sipmsg"
)

// A Chain is an ordered list of programs applied to one message, with one header name table for
// all of them, so a message's header names are interned once whatever the number of profiles.
type Chain struct {
	Programs []*compile.Program
	names    *sipmsg.NameTable
	ids      [][]uint16     // ids[p][n]: the chain ID of Programs[p].HeaderName[n]
	consts   [][]constBytes // consts[p][t]: what is known of template t of Programs[p] before a message
}

// constBytes is what a template is before any message: the text of a template without
// references, which conditions then compare with as it is instead of expanding it per message;
// and whether it names capture groups, which an Output then expands at each match.
type constBytes struct {
	text   []byte
	ok     bool
	groups bool
}

// NewChain links programs into a chain. It is the one place a chain is built, whatever the
// programs came from (profiles, a bundle, a test case), so it holds every chain to the limits of
// one: at most compile.MaxProfiles programs, and header names that fit the chain's one name table
// (sipmsg.MaxNames; compiled programs always fit, as compile.MaxHeaderNames is set for that).
func NewChain(progs ...*compile.Program) (*Chain, error) {
	if err := compile.CheckChainLength(len(progs)); err != nil {
		return nil, err
	}
	c := &Chain{Programs: progs, names: sipmsg.NewNameTable()}
	for i, p := range progs {
		ids := make([]uint16, len(p.HeaderName))
		for n, name := range p.HeaderName {
			id, err := c.names.Intern(name)
			if err != nil {
				return nil, fmt.Errorf("profile %d of the chain (%d %s): header %q: %w", i+1, p.ID, p.Name, name, err)
			}
			ids[n] = id
		}
		c.ids = append(c.ids, ids)
		consts := make([]constBytes, len(p.Templates))
		for t := range p.Templates {
			text, ok := p.Templates[t].Const()
			consts[t] = constBytes{[]byte(text), ok, p.Templates[t].Groups()}
		}
		c.consts = append(c.consts, consts)
	}
	return c, nil
}

// Names returns the chain's header name table.
func (c *Chain) Names() *sipmsg.NameTable { return c.names }
