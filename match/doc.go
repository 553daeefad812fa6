// Package match compiles the patterns of SMC rules (RegEx1, RegEx2 and the REGEX operand,
// SMC-SPEC §3 and §5) and finds them in message text without allocating where it can.
//
// It plays for patterns the role datafile plays for tables: a Matcher is built once, when a
// profile is compiled (or a bundle opened, which stores a pattern as its source), and read per
// message by the runtime. Each pattern gets the cheapest engine that gives RE2's leftmost-longest
// answer:
//
//	Literal, Prefix, Suffix, Exact   a plain or anchored literal: a byte comparison (match.go)
//	Seq                              repeated byte classes: one greedy pass; RE2 for non-ASCII (seq.go)
//	RE2                              anything else: go-re2
//
// New holds a pattern to MaxPatternCost, the size of the program RE2 would build for it (cost.go);
// the compiler holds the patterns of a profile together to a multiple of it.
//
// A Matcher is immutable once built and safe to share between goroutines. What a search costs
// beyond its engine, such as a sequence pattern's search that went to RE2, is counted in the
// caller's Stats, one per runtime.Machine, so the shared Matcher holds no counter.
package match
