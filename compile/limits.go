package compile

import (
	"fmt"
	"io"
	"os"

	"github.com/smcproject/smc/compile/jsonpos"
	"github.com/smcproject/smc/match"
)

// Limits on a profile and a chain, beside MaxVariables (compile.go) and match.MaxPatternCost
// (one pattern). Each is far above what a real profile needs, and each bounds something that would
// otherwise grow with a profile that is wrong or hostile: the memory of the compiler and of the
// Program, the time to compile it, the work per message. Going past one is a compile error at the
// place that goes past it, which says what to do; Verify holds programs from bundles to the same
// limits. docs/limits.md lists every limit of the project.
const (
	// MaxProfileSize bounds a profile file. The largest profile the project knows (the
	// reference chain's 20-normalize.json) is 9 KB and the guide's are under 2 KB; a megabyte is
	// a hundred times that, and bounds what the JSON reader builds (a tree node of about 100
	// bytes per value) before any other limit is checked.
	MaxProfileSize = 1 << 20

	// MaxRules bounds the rules of one profile. The guide's profiles have one to three, the
	// reference chain's largest twelve. The dispatch table keeps a list of the response rules for
	// each of the 600 status codes, so 1,024 rules bound it at 600 × 1,024 entries, and a message
	// visits at most MaxProfiles × MaxRules rules.
	MaxRules = 1024

	// MaxHeaderNames bounds the distinct header names (case-insensitive) that one profile's
	// selectors name. A chain interns the names of all its profiles into one table with 16-bit
	// IDs: MaxProfiles × MaxHeaderNames (64,000) and the 22 names every table holds stay below
	// its 65,535 (sipmsg.MaxNames). Real profiles name a few dozen.
	MaxHeaderNames = 1000

	// MaxPatterns bounds the distinct patterns (RegEx1, RegEx2, REGEX operands) of one profile.
	// Each RE2 pattern holds a compiled program and a DFA cache of its own in go-re2; the
	// reference chain has 13 patterns.
	MaxPatterns = 1024

	// MaxPatternTotalCost bounds the patterns of one profile together, in the unit of
	// match.MaxPatternCost: ten patterns of the largest size. Compiling them takes a few seconds
	// at most, where MaxPatterns patterns of match.MaxPatternCost each would take minutes and
	// gigabytes.
	MaxPatternTotalCost = 10 * match.MaxPatternCost

	// MaxTemplateLen bounds an Output, a RightOperand and a CONDITION_LITERAL Header as written:
	// the largest message (sipmsg.MaxMessageSize, 65,535 bytes). A longer text could never be
	// part of a message; at run time, an expansion past the same length makes the message pass
	// unchanged (runtime.MaxOutputSize).
	MaxTemplateLen = 65535

	// MaxProfiles bounds the profiles of one chain. An SBC binds one or two SMC profiles to a
	// trunk, and a chain of 64 already runs up to 65,536 rules on every message. With
	// MaxHeaderNames it keeps the chain's header name table within its 16-bit IDs.
	MaxProfiles = 64
)

// maxPatternTotalCost is MaxPatternTotalCost as the compiler applies it; tests lower it, to reach
// it without compiling ten of the largest patterns.
var maxPatternTotalCost = MaxPatternTotalCost

// CheckChainLength reports a chain of more than MaxProfiles profiles. runtime.NewChain, which
// builds every chain, checks it; so do writing and opening a bundle, and compiling the profiles of
// a chain, which reports it at the first profile past the limit.
func CheckChainLength(n int) error {
	if n > MaxProfiles {
		return fmt.Errorf("the chain has %d profiles; a chain holds at most %d (compile.MaxProfiles): merge profiles, or bind separate chains to separate peers", n, MaxProfiles)
	}
	return nil
}

// ReadProfile reads a profile file, but no more than one byte past MaxProfileSize, so that a file
// given by mistake (a capture, a log) is not read whole; Compile then reports it as too large.
func ReadProfile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxProfileSize+1))
}

// profileTooLarge is the diagnostic of a profile over MaxProfileSize.
func profileTooLarge(file string) Diagnostics {
	return Diagnostics{{File: file, Pos: jsonpos.Pos{Line: 1, Col: 1},
		Msg: fmt.Sprintf("the profile is larger than %d bytes (compile.MaxProfileSize): split its rules into several profiles of a chain", MaxProfileSize)}}
}
