package gen

import "strings"

// Patterns (SMC-SPEC §3). A quarter are written out whole (fixedPatterns); the rest are composed
// of literal pieces, classes with quantifiers and alternation groups, optionally anchored and
// case-folded. All-literal compositions become the compiler's byte comparisons (plain, ^prefix,
// suffix$, ^exact$); runs of classes become its sequence matcher; groups and overlapping classes
// stay on RE2, where leftmost-longest decides the answer.
func (s *source) pattern() string {
	if s.intn(4) == 0 {
		return pick(s, fixedPatterns)
	}
	var b strings.Builder
	if s.chance(8) {
		b.WriteString("(?i)")
	}
	if s.chance(3) {
		b.WriteString("^")
	}
	for n := s.between(1, 3); n > 0; n-- {
		b.WriteString(s.atom())
	}
	if s.chance(4) {
		b.WriteString("$")
	}
	return b.String()
}

// atom is one piece of a composed pattern; literals are the most common, as in real rules.
func (s *source) atom() string {
	switch s.intn(6) {
	case 0, 1, 2:
		return pick(s, literalPieces)
	case 3, 4:
		return pick(s, classAtoms) + pick(s, quantifiers)
	}
	return pick(s, groupAtoms)
}
