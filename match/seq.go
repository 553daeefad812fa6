package match

import (
	"bytes"
	"encoding/binary"
	"regexp/syntax"
	"unicode"
	"unicode/utf8"
)

// A sequence matcher runs the patterns SIP rules are mostly made of without RE2: a chain of byte
// classes, each repeated (`tgrp=[0-9]+`, `^[2-9][0-9]{9}$`, `(?i)tag=`, `[a-zA-Z][a-zA-Z-]*`),
// optionally ending in an alternation whose branches start differently (` 18( |$)`,
// `(?i);(x-[a-z-]+=[^;]*|purpose=x-[a-z]+)`). It accepts a pattern only when the match at any
// start position is unique: every repeated class is disjoint from what can follow it, and the
// branches of the alternation are told apart by their first byte. Then greedy matching from the
// leftmost start that succeeds is exactly RE2's leftmost-longest match, in one pass, without
// allocating. Anything else (back-to-back overlapping classes, alternations elsewhere, word
// boundaries, classes with some but not all non-ASCII runes) stays on RE2.
//
// Capture groups are kept, not handed to RE2: since the match at a start position is unique, so
// is every group's span, and a group is a range of items (seqGroup) whose ends are read off the
// greedy walk that found the match, walked again. Measured (BenchmarkGroups, `go test -bench
// Groups ./match`, two-core machine): every match and group of `tgrp=([0-9]+)` in a Contact value
// costs 106 ns and no allocation here, 2.0 µs and 12 allocations on go-re2's FindAllSubmatchIndex;
// of `([0-9]+)`, with six matches, 0.5 µs against 8.1 µs and 45 allocations. A FINDSUB runs on
// every selected line of every message, and the rules that capture are mostly of this shape (a
// parameter's value, a run of digits), so the twentyfold difference and the allocations are worth
// the few lines of seqGroup.
//
// The engine matches ASCII text only, byte by byte, with each class cut down to its ASCII members:
// on ASCII text that is exactly what RE2 does, whatever the class holds beyond ASCII (`[^;]`, `.`,
// and (?i)[a-z], which also matches U+017F and the Kelvin sign). A text with any byte from 0x80
// on, rare in SIP headers, goes to RE2 itself, which has its own rules for invalid UTF-8 (it
// matches no class; Go's regexp would read it as U+FFFD). So does a search whose work exceeds a
// linear budget (a pathological text such as a long run that nearly matches at every start).

// byteSet is a set of bytes.
type byteSet [4]uint64

func (s *byteSet) add(c byte)      { s[c>>6] |= 1 << (c & 63) }
func (s *byteSet) has(c byte) bool { return s[c>>6]&(1<<(c&63)) != 0 }
func (s *byteSet) union(t byteSet) {
	s[0], s[1], s[2], s[3] = s[0]|t[0], s[1]|t[1], s[2]|t[2], s[3]|t[3]
}
func (s byteSet) intersects(t byteSet) bool {
	return s[0]&t[0] != 0 || s[1]&t[1] != 0 || s[2]&t[2] != 0 || s[3]&t[3] != 0
}

// seqItem is one class repeated min to max times (max -1: no limit).
type seqItem struct {
	class    byteSet
	min, max int
}

// seqBranch is one branch of the final alternation: items, or the end of the text.
type seqBranch struct {
	items []seqItem
	end   bool
	first byteSet
}

// seqGroup is a capture group as item boundaries: it starts before item start and ends before
// item end of its part of the pattern, the main items (branch -1) or one branch of the final
// alternation. In the main items, boundary len(items) is before the alternation and
// len(items)+1 after it, the end of the match.
type seqGroup struct {
	n, branch  int
	start, end int
}

// capSpan is a capture group as a range of flattened nodes, from to to (exclusive).
type capSpan struct{ n, from, to int }

// seqProgram is a compiled sequence pattern.
type seqProgram struct {
	begin, end bool // anchored at the start / end of the text
	items      []seqItem
	branches   []seqBranch // the final alternation, if any
	groups     []seqGroup

	// A match can only start at one of these bytes (nFirst of them: 1 or 2, for a literal or a
	// case-folded letter), so an unanchored search jumps from one to the next with IndexByte.
	first  [2]byte
	nFirst int
}

// compileSeq returns the sequence program of re (simplified), or nil when the pattern is not one.
func compileSeq(re *syntax.Regexp) *seqProgram {
	var caps []capSpan
	subs := flatten(re, nil, &caps)
	p := &seqProgram{}
	shift := 0
	if len(subs) > 0 && subs[0].Op == syntax.OpBeginText {
		p.begin, subs, shift = true, subs[1:], 1
	}
	if len(subs) > 0 && subs[len(subs)-1].Op == syntax.OpEndText {
		p.end, subs = true, subs[:len(subs)-1]
	}
	nodes := len(subs)
	if len(subs) > 0 && subs[len(subs)-1].Op == syntax.OpAlternate {
		for i, b := range subs[len(subs)-1].Sub {
			br, ok := p.compileBranch(b, i)
			if !ok {
				return nil
			}
			p.branches = append(p.branches, br)
		}
		subs = subs[:len(subs)-1]
		if !branchesDistinct(p.branches) {
			return nil
		}
	}
	items, at, ok := compileItems(subs)
	if !ok {
		return nil
	}
	p.items = items
	at = append(at, len(items)+1) // the node after the last: the end of the match
	for _, c := range caps {
		from, to := min(max(c.from-shift, 0), nodes), min(max(c.to-shift, 0), nodes)
		p.groups = append(p.groups, seqGroup{n: c.n, branch: -1, start: at[from], end: at[to]})
	}
	var after byteSet
	for _, b := range p.branches {
		after.union(b.first)
	}
	if !deterministic(p.items, after) {
		return nil
	}
	for _, b := range p.branches {
		if !deterministic(b.items, byteSet{}) {
			return nil
		}
	}
	p.startBytes()
	return p
}

// startBytes finds the one or two bytes every match starts with, if there are so few.
func (p *seqProgram) startBytes() {
	if p.begin || len(p.items) == 0 || p.items[0].min < 1 {
		return
	}
	for c := 0; c < utf8.RuneSelf; c++ {
		if p.items[0].class.has(byte(c)) {
			if p.nFirst == len(p.first) {
				p.nFirst = 0
				return
			}
			p.first[p.nFirst] = byte(c)
			p.nFirst++
		}
	}
}

// nextStart returns the first position from s on where a match can start, or len(b)+1.
func (p *seqProgram) nextStart(b []byte, s int) int {
	if p.nFirst == 0 || s >= len(b) {
		return s
	}
	i := bytes.IndexByte(b[s:], p.first[0])
	if p.nFirst == 2 {
		if j := bytes.IndexByte(b[s:], p.first[1]); j >= 0 && (i < 0 || j < i) {
			i = j
		}
	}
	if i < 0 {
		return len(b) + 1
	}
	return s + i
}

// flatten returns the nodes of a concatenation, with captures unwrapped into caps as the range
// of nodes each covers.
func flatten(re *syntax.Regexp, out []*syntax.Regexp, caps *[]capSpan) []*syntax.Regexp {
	switch re.Op {
	case syntax.OpConcat:
		for _, s := range re.Sub {
			out = flatten(s, out, caps)
		}
		return out
	case syntax.OpCapture:
		at := len(*caps)
		*caps = append(*caps, capSpan{n: re.Cap, from: len(out)})
		out = flatten(re.Sub[0], out, caps)
		(*caps)[at].to = len(out)
		return out
	case syntax.OpEmptyMatch:
		return out
	}
	return append(out, re)
}

// compileBranch compiles branch i of the final alternation, adding its capture groups to p.
func (p *seqProgram) compileBranch(re *syntax.Regexp, i int) (seqBranch, bool) {
	var caps []capSpan
	subs := flatten(re, nil, &caps)
	if len(subs) == 1 && subs[0].Op == syntax.OpEndText {
		for _, c := range caps {
			p.groups = append(p.groups, seqGroup{n: c.n, branch: i})
		}
		return seqBranch{end: true}, true
	}
	items, at, ok := compileItems(subs)
	if !ok || len(items) == 0 || items[0].min < 1 {
		return seqBranch{}, false
	}
	for _, c := range caps {
		p.groups = append(p.groups, seqGroup{n: c.n, branch: i, start: at[c.from], end: at[c.to]})
	}
	return seqBranch{items: items, first: items[0].class}, true
}

// branchesDistinct: the branches' first bytes do not overlap, and at most one is the end.
func branchesDistinct(bs []seqBranch) bool {
	var seen byteSet
	ends := 0
	for _, b := range bs {
		if b.end {
			ends++
			continue
		}
		if seen.intersects(b.first) {
			return false
		}
		seen.union(b.first)
	}
	return ends <= 1
}

// compileItems compiles nodes into items; at[k] is the item node k starts at, and at[len(subs)]
// the number of items.
func compileItems(subs []*syntax.Regexp) (items []seqItem, at []int, ok bool) {
	for _, s := range subs {
		at = append(at, len(items))
		switch s.Op {
		case syntax.OpLiteral:
			for _, r := range s.Rune {
				it, ok := runeItem(r, s.Flags&syntax.FoldCase != 0)
				if !ok {
					return nil, nil, false
				}
				items = append(items, it)
			}
		case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
			it, ok := singleItem(s.Sub[0])
			if !ok {
				return nil, nil, false
			}
			switch s.Op {
			case syntax.OpStar:
				it.min, it.max = 0, -1
			case syntax.OpPlus:
				it.min, it.max = 1, -1
			case syntax.OpQuest:
				it.min, it.max = 0, 1
			default:
				it.min, it.max = s.Min, s.Max
			}
			items = append(items, it)
		default:
			it, ok := singleItem(s)
			if !ok {
				return nil, nil, false
			}
			items = append(items, it)
		}
	}
	return items, append(at, len(items)), true
}

// singleItem is a node matching one character: a one-rune literal, a class, any character.
func singleItem(re *syntax.Regexp) (seqItem, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) != 1 {
			return seqItem{}, false
		}
		return runeItem(re.Rune[0], re.Flags&syntax.FoldCase != 0)
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		it := seqItem{min: 1, max: 1}
		for c := 0; c < utf8.RuneSelf; c++ {
			if c != '\n' || re.Op == syntax.OpAnyChar {
				it.class.add(byte(c))
			}
		}
		return it, true
	case syntax.OpCharClass:
		return classItem(re.Rune)
	}
	return seqItem{}, false
}

func runeItem(r rune, fold bool) (seqItem, bool) {
	if r >= utf8.RuneSelf {
		return seqItem{}, false
	}
	it := seqItem{min: 1, max: 1}
	it.class.add(byte(r))
	if fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < utf8.RuneSelf { // k also folds to the Kelvin sign, which ASCII text lacks
				it.class.add(byte(f))
			}
		}
	}
	return it, true
}

// classItem turns a class's ranges into the set of its ASCII bytes.
func classItem(ranges []rune) (seqItem, bool) {
	it := seqItem{min: 1, max: 1}
	for i := 0; i < len(ranges); i += 2 {
		for c := ranges[i]; c <= ranges[i+1] && c < utf8.RuneSelf; c++ {
			it.class.add(byte(c))
		}
	}
	return it, true
}

// deterministic reports whether greedy matching of items is the only way to match them: each
// item that can take a variable count is disjoint from everything that can come right after it
// (the following items up to the first one that must match, then after).
func deterministic(items []seqItem, after byteSet) bool {
	for i, it := range items {
		if it.min == it.max {
			continue
		}
		var follow byteSet
		open := true
		for _, next := range items[i+1:] {
			follow.union(next.class)
			if next.min > 0 {
				open = false
				break
			}
		}
		if open {
			follow.union(after)
		}
		if it.class.intersects(follow) {
			return false
		}
	}
	return true
}

// run takes as many bytes of the item's class from pos as it may; it returns how many.
func (it *seqItem) run(b []byte, pos int) int {
	n := 0
	for pos < len(b) && (it.max < 0 || n < it.max) && it.class.has(b[pos]) {
		pos++
		n++
	}
	return n
}

// runItems matches items greedily from pos; it returns the end, or -1.
func runItems(items []seqItem, b []byte, pos int, budget *int) int {
	for i := range items {
		it := &items[i]
		n := 0 // it.run, written out: the call kept runItems from being inlined into matchAt
		for pos < len(b) && (it.max < 0 || n < it.max) && it.class.has(b[pos]) {
			pos++
			n++
		}
		*budget -= n + 1
		if n < it.min {
			return -1
		}
	}
	return pos
}

// matchAt returns the end of the match starting at s, or -1.
func (p *seqProgram) matchAt(b []byte, s int, budget *int) int {
	pos := runItems(p.items, b, s, budget)
	if pos < 0 {
		return -1
	}
	if len(p.branches) > 0 {
		chosen := p.branch(b, pos)
		if chosen < 0 {
			return -1
		}
		if pos = runItems(p.branches[chosen].items, b, pos, budget); pos < 0 {
			return -1
		}
	}
	if p.end && pos != len(b) {
		return -1
	}
	return pos
}

// branch returns the branch of the alternation that can match at pos, or -1.
func (p *seqProgram) branch(b []byte, pos int) int {
	for i := range p.branches {
		br := &p.branches[i]
		if br.end && pos == len(b) || !br.end && pos < len(b) && br.first.has(b[pos]) {
			return i
		}
	}
	return -1
}

// appendGroups appends the match s, e and its n capture groups (-1, -1 for a group in a branch
// not taken), walking again the items that found the match: the walk is unique, so it passes
// the same boundaries.
func (p *seqProgram) appendGroups(dst []int, b []byte, s, e, n int) []int {
	base := len(dst)
	dst = append(dst, s, e)
	for range n {
		dst = append(dst, -1, -1)
	}
	caps := dst[base:]
	pos := p.walkGroups(caps, -1, p.items, b, s)
	if len(p.branches) > 0 {
		chosen := p.branch(b, pos)
		pos = p.walkGroups(caps, chosen, p.branches[chosen].items, b, pos)
	}
	for _, g := range p.groups { // the groups that end after the alternation (or are empty there)
		if g.branch < 0 && g.start == len(p.items)+1 {
			caps[2*g.n] = pos
		}
		if g.branch < 0 && g.end == len(p.items)+1 {
			caps[2*g.n+1] = pos
		}
	}
	return dst
}

// walkGroups runs items from pos, setting the ends of branch's groups at each boundary they
// name; it returns the end.
func (p *seqProgram) walkGroups(caps []int, branch int, items []seqItem, b []byte, pos int) int {
	for j := 0; ; j++ {
		for _, g := range p.groups {
			if g.branch != branch {
				continue
			}
			if g.start == j {
				caps[2*g.n] = pos
			}
			if g.end == j {
				caps[2*g.n+1] = pos
			}
		}
		if j == len(items) {
			return pos
		}
		pos += items[j].run(b, pos)
	}
}

// outOfBudget marks a search that ran out of its budget.
const outOfBudget = -2

// find returns the leftmost match at or after from, or outOfBudget.
func (p *seqProgram) find(b []byte, from int, budget *int) (int, int) {
	for s := p.nextStart(b, from); s <= len(b); s = p.nextStart(b, s+1) {
		if p.begin && s != 0 {
			break
		}
		if e := p.matchAt(b, s, budget); e >= 0 {
			return s, e
		}
		if *budget < 0 {
			return outOfBudget, 0
		}
	}
	return -1, 0
}

// searchBudget is the work a search may do before RE2 takes over: linear in the text.
func searchBudget(n int) int { return 8*n + 256 }

// findAll appends every successive non-overlapping match to dst with the rules of Go's
// FindAllIndex, and reports false when the search ran out of budget (dst is then unchanged).
func (p *seqProgram) findAll(dst []int, b []byte) ([]int, bool) { return p.findAllGroups(dst, b, 0) }

// findAllGroups is findAll with the n capture groups of each match after it, as appendGroups
// appends them; with n 0, the matches alone.
func (p *seqProgram) findAllGroups(dst []int, b []byte, n int) ([]int, bool) {
	if !ascii(b) {
		return dst, false
	}
	budget := searchBudget(len(b))
	start := len(dst)
	for pos, prevEnd := 0, -1; pos <= len(b); {
		s, e := p.find(b, pos, &budget)
		if s == outOfBudget {
			return dst[:start], false
		}
		if s < 0 {
			break
		}
		accept := true
		if e == s {
			if s == prevEnd {
				accept = false // no empty match right after a match
			}
			if s < len(b) {
				_, w := utf8.DecodeRune(b[s:])
				pos = s + w
			} else {
				pos = len(b) + 1
			}
		} else {
			pos = e
		}
		prevEnd = e
		switch {
		case !accept:
		case n > 0:
			dst = p.appendGroups(dst, b, s, e, n)
		default:
			dst = append(dst, s, e)
		}
	}
	return dst, true
}

// ascii reports whether b holds only ASCII bytes, eight at a time.
func ascii(b []byte) bool {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
