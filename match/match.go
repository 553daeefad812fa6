package match

import (
	"bytes"
	"fmt"
	"regexp/syntax"
	"unicode/utf8"

	re2 "github.com/wasilibs/go-re2"
)

// Kind is how a Matcher finds its pattern. Patterns that are plain or anchored literals are
// found by byte comparison; everything else runs on RE2. Both give RE2's leftmost-longest answer,
// because for a literal the leftmost match is the only one.
type Kind uint8

const (
	Literal Kind = iota + 1 // lit: the first occurrence
	Prefix                  // ^lit
	Suffix                  // lit$
	Exact                   // ^lit$
	RE2                     // anything else
	Seq                     // a sequence of classes (seq.go); RE2 for non-ASCII text
)

var kindNames = [...]string{"", "literal", "prefix", "suffix", "exact", "re2", "seq"}

func (k Kind) String() string { return kindNames[k] }

// A Matcher is a compiled RegEx1, RegEx2 or REGEX operand.
type Matcher struct {
	Source string
	Kind   Kind
	Cost   int // patternCost, summed against compile.MaxPatternTotalCost; 0 for a literal
	Lit    []byte
	re     *re2.Regexp
	seq    *seqProgram
	groups int // capture groups, numbered as RE2 numbers them
}

// Stats counts what the searches of one user of the matchers cost beyond their engine. Each
// runtime.Machine keeps its own and passes it to every search; the Matchers, shared by every
// worker, hold no counter.
type Stats struct {
	// RegexFallbacks counts the searches of a sequence pattern that went to RE2: text with a
	// byte from 0x80 on, or a search past its linear budget (seq.go). Such a search costs what
	// an RE2 pattern's does, allocations included. It is counted on that path only; the
	// sequence engine's own searches do not touch it.
	RegexFallbacks uint64
}

// fellBack counts a search that went to RE2.
func (st *Stats) fellBack() {
	if st != nil {
		st.RegexFallbacks++
	}
}

// New compiles a pattern: a literal or anchored literal becomes a byte comparison, anything else
// the sequence engine or RE2 (leftmost-longest), within MaxPatternCost. The compiler calls it for
// every RegEx1, RegEx2 and REGEX operand; a bundle stores patterns as their source and calls it
// again when it is opened. The literal classification uses Go's regexp/syntax, which parses the
// same RE2 syntax as go-re2.
func New(src string) (*Matcher, error) {
	parsed, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil, err
	}
	simple := parsed.Simplify()
	if m := literalMatcher(src, simple); m != nil {
		return m, nil // a literal has no capture group: literalMatcher refuses OpCapture
	}
	cost := patternCost(simple)
	if cost > MaxPatternCost {
		return nil, fmt.Errorf("pattern too large: it expands to a program of cost %d, at most %d; use fewer or smaller repetitions of character classes", cost, MaxPatternCost)
	}
	re, err := re2.Compile(src)
	if err != nil {
		return nil, err
	}
	re.Longest()
	groups := parsed.MaxCap()
	if seq := compileSeq(parsed); seq != nil { // before Simplify, which spells out counted repetitions
		return &Matcher{Source: src, Kind: Seq, seq: seq, re: re, Cost: cost, groups: groups}, nil
	}
	return &Matcher{Source: src, Kind: RE2, re: re, Cost: cost, groups: groups}, nil
}

// Groups is the number of the pattern's capture groups, numbered as RE2 numbers them (each "("
// that is not "(?"); a literal kind has none.
func (m *Matcher) Groups() int { return m.groups }

// literalMatcher returns a byte-comparison matcher when re is a literal, possibly anchored at the
// start and/or end of the text, and nil otherwise.
func literalMatcher(src string, re *syntax.Regexp) *Matcher {
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	begin, end := false, false
	if len(subs) > 0 && subs[0].Op == syntax.OpBeginText {
		begin, subs = true, subs[1:]
	}
	if len(subs) > 0 && subs[len(subs)-1].Op == syntax.OpEndText {
		end, subs = true, subs[:len(subs)-1]
	}
	var lit []byte
	switch {
	case len(subs) == 0:
	case len(subs) == 1 && subs[0].Op == syntax.OpEmptyMatch:
	case len(subs) == 1 && subs[0].Op == syntax.OpLiteral && subs[0].Flags&syntax.FoldCase == 0:
		for _, r := range subs[0].Rune {
			lit = utf8.AppendRune(lit, r)
		}
	default:
		return nil
	}
	kind := Literal
	switch {
	case begin && end:
		kind = Exact
	case begin:
		kind = Prefix
	case end:
		kind = Suffix
	}
	return &Matcher{Source: src, Kind: kind, Lit: lit}
}

// Find returns the leftmost-longest match of the pattern in b. A search that goes to RE2 is
// counted in st, which may be nil.
func (m *Matcher) Find(b []byte, st *Stats) (start, end int, ok bool) {
	switch m.Kind {
	case Literal:
		if i := bytes.Index(b, m.Lit); i >= 0 {
			return i, i + len(m.Lit), true
		}
	case Prefix:
		if bytes.HasPrefix(b, m.Lit) {
			return 0, len(m.Lit), true
		}
	case Suffix:
		if bytes.HasSuffix(b, m.Lit) {
			return len(b) - len(m.Lit), len(b), true
		}
	case Exact:
		if bytes.Equal(b, m.Lit) {
			return 0, len(b), true
		}
	case RE2:
		if loc := m.re.FindIndex(b); loc != nil {
			return loc[0], loc[1], true
		}
	case Seq:
		budget := searchBudget(len(b))
		s, e := outOfBudget, 0
		if ascii(b) {
			s, e = m.seq.find(b, 0, &budget)
		}
		if s == outOfBudget {
			st.fellBack()
			if loc := m.re.FindIndex(b); loc != nil {
				return loc[0], loc[1], true
			}
			return 0, 0, false
		}
		return s, e, s >= 0
	}
	return 0, 0, false
}

// AppendAll appends the start and end of every successive non-overlapping match in b to dst, with
// the rules of Go's FindAllIndex: after an empty match the search moves on one byte, and an empty
// match right after a previous match is not reported. A search that goes to RE2 is counted in st,
// which may be nil.
func (m *Matcher) AppendAll(dst []int, b []byte, st *Stats) []int {
	switch m.Kind {
	case Literal:
		if len(m.Lit) == 0 {
			// An empty match at every character boundary, as RE2 gives: not inside a UTF-8
			// sequence, where an edit would split a character (a byte that is not UTF-8 is one).
			for i := 0; i < len(b); {
				dst = append(dst, i, i)
				_, w := utf8.DecodeRune(b[i:])
				i += w
			}
			return append(dst, len(b), len(b))
		}
		for pos := 0; ; {
			i := bytes.Index(b[pos:], m.Lit)
			if i < 0 {
				return dst
			}
			dst = append(dst, pos+i, pos+i+len(m.Lit))
			pos += i + len(m.Lit)
		}
	case RE2:
		for _, loc := range m.re.FindAllIndex(b, -1) {
			dst = append(dst, loc[0], loc[1])
		}
		return dst
	case Seq:
		if out, ok := m.seq.findAll(dst, b); ok {
			return out
		}
		st.fellBack()
		for _, loc := range m.re.FindAllIndex(b, -1) {
			dst = append(dst, loc[0], loc[1])
		}
		return dst
	}
	if s, e, ok := m.Find(b, st); ok {
		dst = append(dst, s, e)
	}
	return dst
}

// FindGroups appends to dst the leftmost-longest match in b and its capture groups, as Find
// finds it: 2 × (Groups() + 1) numbers, the start and end of the match, then of each group, with
// -1, -1 for a group that took no part in the match. It appends nothing when there is no match.
// A search that goes to RE2 is counted in st, which may be nil.
func (m *Matcher) FindGroups(dst []int, b []byte, st *Stats) []int {
	switch {
	case m.Kind == RE2:
		return append(dst, m.re.FindSubmatchIndex(b)...)
	case m.Kind == Seq && m.groups > 0:
		budget := searchBudget(len(b))
		s, e := outOfBudget, 0
		if ascii(b) {
			s, e = m.seq.find(b, 0, &budget)
		}
		if s == outOfBudget {
			st.fellBack()
			return append(dst, m.re.FindSubmatchIndex(b)...)
		}
		if s < 0 {
			return dst
		}
		return m.seq.appendGroups(dst, b, s, e, m.groups)
	}
	if s, e, ok := m.Find(b, st); ok {
		dst = append(dst, s, e)
	}
	return dst
}

// AppendAllGroups is AppendAll with each match's capture groups: it appends 2 × (Groups() + 1)
// numbers per match, as FindGroups does for one.
func (m *Matcher) AppendAllGroups(dst []int, b []byte, st *Stats) []int {
	switch {
	case m.Kind == RE2:
		return appendRE2All(dst, m.re, b)
	case m.Kind == Seq && m.groups > 0:
		if out, ok := m.seq.findAllGroups(dst, b, m.groups); ok {
			return out
		}
		st.fellBack()
		return appendRE2All(dst, m.re, b)
	}
	return m.AppendAll(dst, b, st)
}

func appendRE2All(dst []int, re *re2.Regexp, b []byte) []int {
	for _, loc := range re.FindAllSubmatchIndex(b, -1) {
		dst = append(dst, loc...)
	}
	return dst
}

// String describes the matcher for the disassembler and traces: the pattern as written and how
// it runs (on RE2, or as a byte comparison with the literal it compares).
func (m *Matcher) String() string {
	if m.Kind == RE2 || m.Kind == Seq {
		return fmt.Sprintf("%q (%s)", m.Source, m.Kind)
	}
	return fmt.Sprintf("%q (%s %q)", m.Source, m.Kind, m.Lit)
}
