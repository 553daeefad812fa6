package compile

import (
	"fmt"
	"sort"
	"strings"

	"github.com/smcproject/smc/compile/jsonpos"
)

// Severity tells an error, which stops the profile from compiling, from a warning.
type Severity uint8

const (
	SeverityError   Severity = iota // the profile cannot be compiled
	SeverityWarning                 // compiled, but probably not what was meant
)

// A Diagnostic is one finding of the compiler, at a position in a profile file.
type Diagnostic struct {
	File     string
	Pos      jsonpos.Pos
	Severity Severity
	Msg      string
}

// String formats the diagnostic as FILE:LINE:COL: message, with "warning: " before the message of
// a warning, like a C compiler, so that editors can jump to it.
func (d Diagnostic) String() string {
	if d.Severity == SeverityWarning {
		return fmt.Sprintf("%s:%d:%d: warning: %s", d.File, d.Pos.Line, d.Pos.Col, d.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", d.File, d.Pos.Line, d.Pos.Col, d.Msg)
}

// Diagnostics is every finding of one compilation, errors and warnings, in file and position order.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Errors returns the diagnostics that are errors.
func (ds Diagnostics) Errors() Diagnostics { return ds.filter(SeverityError) }

// Warnings returns the diagnostics that are warnings.
func (ds Diagnostics) Warnings() Diagnostics { return ds.filter(SeverityWarning) }

func (ds Diagnostics) filter(s Severity) Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// Error makes Diagnostics usable as an error: one diagnostic per line.
func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

func (ds Diagnostics) sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		return a.Pos.Col < b.Pos.Col
	})
}

// suggest returns the candidate closest to word, or "" when none is close enough to be what the
// author meant: a match but for case and separators (IEQ for I_EQ, HeaderSectionOnly for
// HEADER_SECTION_ONLY), or an edit distance of at most a third of the word.
func suggest(word string, candidates []string) string {
	best, bestDist := "", len(word)/3+1
	for _, c := range candidates {
		if strings.EqualFold(c, word) {
			return c
		}
	}
	for _, c := range candidates {
		if strings.EqualFold(withoutSeparators(c), withoutSeparators(word)) {
			return c
		}
	}
	for _, c := range candidates {
		if d := editDistance(strings.ToUpper(word), strings.ToUpper(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// withoutSeparators drops the characters that authors write, leave out or swap in names: _ - . and
// space.
func withoutSeparators(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune("_-. ", r) {
			return -1
		}
		return r
	}, s)
}

// editDistance is the Levenshtein distance, with a transposition counted as one edit.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// NearName returns the candidate an author most likely meant by name, as the compiler suggests
// keys and values, or "" when none is near: for the tools around the compiler (a test case's
// archive suggests its files the way a profile's folder does).
func NearName(name string, candidates []string) string {
	if s := suggest(name, candidates); s != name {
		return s
	}
	return ""
}

// didYouMean formats the suggestion part of a message, or "" when there is none.
func didYouMean(word string, candidates []string) string {
	if s := suggest(word, candidates); s != "" && s != word {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}
