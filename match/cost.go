package match

import "regexp/syntax"

// MaxPatternCost bounds the size of one compiled pattern: the instructions of its program after
// repetitions are expanded, each weighted by its character ranges. RE2 builds a byte automaton
// whose size follows this number; measured here, \pL{1000} (cost about 650,000) takes 1.6 s to
// compile on go-re2 and .{1000} (3,000) 12 ms. At 100,000 a pattern compiles in well under a
// quarter of a second, and no realistic SIP pattern comes near it.
const MaxPatternCost = 100_000

// patternCost is the size of the pattern's program with each instruction weighted by the
// character ranges it tests, or MaxPatternCost+1 when it does not compile.
func patternCost(re *syntax.Regexp) int {
	prog, err := syntax.Compile(re)
	if err != nil {
		return MaxPatternCost + 1
	}
	cost := 0
	for _, inst := range prog.Inst {
		cost += 1 + len(inst.Rune)/2
	}
	return cost
}
