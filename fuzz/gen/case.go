package gen

import (
	"net/netip"
	"os"
	"time"
)

// A Case is one generated test: a chain of profiles, the data files they name, a message, and
// the environment of its packet.
type Case struct {
	Profiles [][]byte // JSON text, in chain order
	Data     map[string][]byte
	Message  []byte
	Env      Env

	// Flawed is the 1-based number of a profile that New made invalid on purpose, with one
	// mistake that SMC-SPEC.md (or docs/semantics.md) says is an error, described by Flaw; 0
	// when every profile is legal.
	Flawed int
	Flaw   string
}

// Env is what the packet says about the message, and the fixed time and random number.
type Env struct {
	Remote, Local netip.AddrPort
	TCP           bool
	Now           time.Time
	Rand          int // every {$SMC.RandN}; small numbers key rows of keys.csv
}

var times = []time.Time{
	time.Date(2021, 3, 18, 21, 6, 48, 0, time.UTC),
	time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 11, 22, 10, 0, 0, 123456789, time.UTC),
	time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("X", -5*3600)),
}

// New generates the case the bytes b describe. Decisions added to the generator go after the
// existing ones, so that the committed corpus keeps describing the cases it was found as.
func New(b []byte) *Case {
	s := &source{b: b}
	c := &Case{Env: s.env()}
	var trees []object
	var indents []string
	for n := s.between(1, 3); n > 0; n-- {
		trees = append(trees, s.profile(len(trees)+1))
		indents = append(indents, s.indent())
	}
	c.Data = s.dataFiles()
	c.Message = s.message()
	if s.chance(16) {
		c.Flawed = s.intn(len(trees)) + 1
		c.Flaw = s.flaw(trees[c.Flawed-1])
	}
	c.Message = s.vary(trees, c.Flawed, c.Message)
	c.Message = s.varySDP(c, trees, c.Message)
	s.prefixLookups(trees, c.Flawed, c.Data)
	for i, t := range trees {
		c.Profiles = append(c.Profiles, marshal(t, indents[i]))
	}
	return c
}

func (s *source) env() Env {
	return Env{
		Remote: netip.MustParseAddrPort(pick(s, addrPorts)),
		Local:  netip.MustParseAddrPort(pick(s, addrPorts)),
		TCP:    s.chance(3),
		Now:    pick(s, times),
		Rand:   pick(s, []int{1, 2, 3, 5, 7, 1000}),
	}
}

// Open returns a data file of the case by name, for compile.Options.OpenData and
// reference.Decode.
func (c *Case) Open(name string) ([]byte, error) {
	if b, ok := c.Data[name]; ok {
		return b, nil
	}
	return nil, os.ErrNotExist
}
