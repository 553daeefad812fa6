package replay

import (
	"fmt"
	"io"
	"strings"

	"github.com/smcproject/smc/nfq"
	"github.com/smcproject/smc/runtime"
)

// A Summary is what a replay did, for the user to check against what the chain should do.
type Summary struct {
	Packets int // frames read
	Written int // frames written

	Messages  int    // SIP messages the chain ran on
	Verdicts  [4]int // by runtime.Verdict
	Responses int    // responses of rejects written
	Unparsed  int    // messages with a start line that the parser refused: passed unchanged

	NotSIP int // packets whose UDP or TCP payload does not start with a SIP start line
	Other  int // packets that are not UDP or TCP over IPv4 or IPv6 (nor fragments of such)

	Reassembled int // datagrams put together from fragments
	Fragments   int // the fragments they were made of
	GivenUp     int // fragments written as they were: their datagram never came whole, or was spoiled

	// Errors counts, by smcd's smc_errors_total kinds, what the worker could not do as the chain
	// asked: the same packets pass unchanged live.
	Errors map[nfq.ErrKind]uint64

	chain *runtime.Chain
	rules [][][4]int // [program][rule][verdict]
}

func newSummary(chain *runtime.Chain) *Summary {
	s := &Summary{chain: chain, rules: make([][][4]int, len(chain.Programs)), Errors: map[nfq.ErrKind]uint64{}}
	for i, p := range chain.Programs {
		s.rules[i] = make([][4]int, len(p.Rules))
	}
	return s
}

// count adds one message's result.
func (s *Summary) count(res *runtime.Result) {
	s.Messages++
	s.Verdicts[res.Verdict]++
	if res.ParseError != nil {
		s.Unparsed++
	}
	if res.Program >= 0 && res.Program < len(s.rules) && res.Rule >= 0 && res.Rule < len(s.rules[res.Program]) {
		s.rules[res.Program][res.Rule][res.Verdict]++
	}
}

// takeErrors copies the worker's error counts, leaving out the kinds the summary already shows
// as packets that are not SIP (decode errors: not UDP or TCP) and the link-layer kinds a capture
// cannot have.
func (s *Summary) takeErrors(st *nfq.Stats) {
	for _, k := range nfq.ErrKinds() {
		switch k {
		case nfq.ErrKindUnsupported, nfq.ErrKindFragment, nfq.ErrKindVerdict, nfq.ErrKindNetlink:
			continue
		}
		if n := st.Errors[k].Load(); n > 0 {
			s.Errors[k] = n
		}
	}
}

// RuleCount is the verdicts one rule decided.
type RuleCount struct {
	Profile  int64  // ProfileID
	Name     string // ProfileName
	Rule     int    // 0-based, as traces count
	Line     int    // of the rule in its profile
	Verdicts [4]int
}

// Rules returns the count of every rule that decided a verdict, in chain order.
func (s *Summary) Rules() []RuleCount {
	var out []RuleCount
	for i, rules := range s.rules {
		p := s.chain.Programs[i]
		for j, v := range rules {
			if v != [4]int{} {
				out = append(out, RuleCount{Profile: p.ID, Name: p.Name, Rule: j, Line: p.Rules[j].Line, Verdicts: v})
			}
		}
	}
	return out
}

// Print writes the summary, a few lines a reader takes in at a glance.
func (s *Summary) Print(w io.Writer) {
	fmt.Fprintf(w, "packets:      %d read, %d written\n", s.Packets, s.Written)
	fmt.Fprintf(w, "SIP messages: %d: %s", s.Messages, verdictList(s.Verdicts))
	if s.Responses > 0 {
		fmt.Fprintf(w, "; %d responses written", s.Responses)
	}
	fmt.Fprintln(w)
	for _, r := range s.Rules() {
		fmt.Fprintf(w, "  profile %d %q rule %d (json:%d): %s\n", r.Profile, r.Name, r.Rule, r.Line, verdictList(r.Verdicts))
	}
	fmt.Fprintf(w, "not SIP:      %d packets whose UDP or TCP payload has no SIP start line, %d messages that did not parse, %d packets not UDP or TCP over IP\n",
		s.NotSIP, s.Unparsed, s.Other)
	fmt.Fprintf(w, "reassembled:  %d datagrams from %d fragments", s.Reassembled, s.Fragments)
	if s.GivenUp > 0 {
		fmt.Fprintf(w, "; %d fragments never came whole and were written as they were", s.GivenUp)
	}
	fmt.Fprintln(w)
	if len(s.Errors) > 0 {
		var kinds []string
		for _, k := range nfq.ErrKinds() {
			if n := s.Errors[k]; n > 0 {
				kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
			}
		}
		fmt.Fprintf(w, "as smcd counts them (smc_errors_total): %s\n", strings.Join(kinds, ", "))
	}
}

// verdictList writes the non-zero counts of v, or "none".
func verdictList(v [4]int) string {
	var parts []string
	for i, n := range v {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", runtime.Verdict(i), n))
		}
	}
	if parts == nil {
		return "none"
	}
	return strings.Join(parts, ", ")
}
