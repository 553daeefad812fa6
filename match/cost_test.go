package match

import (
	"fmt"
	"regexp/syntax"
	"strings"
	"testing"
)

func TestPatternCostLimit(t *testing.T) {
	for _, src := range []string{`.{1000}`, `(?i)[a-z]{1000}`, `\pL{100}`, `[0-9]{1,12}`} {
		if _, err := New(src); err != nil {
			t.Errorf("%q refused: %v", src, err)
		}
	}
	for _, src := range []string{`\pL{1000}`, `[\p{L}\p{N}]{1000}`, `(\pL{100}){10}`} {
		if _, err := New(src); err == nil || !strings.Contains(err.Error(), "pattern too large") {
			t.Errorf("%q: %v, want pattern too large", src, err)
		}
	}
}

// class is a character class of k disjoint single characters: k ranges, so each instruction of it
// costs 1 + k in patternCost.
func class(k int) string {
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < k; i++ {
		fmt.Fprintf(&b, `\x{%x}`, 0x100+2*i)
	}
	b.WriteString("]")
	return b.String()
}

// A pattern of exactly MaxPatternCost compiles; one of MaxPatternCost+1 does not.
func TestPatternCostExact(t *testing.T) {
	// 999 instructions of cost 100, one of cost 98 (or 99), and the match and fail instructions.
	at, past := class(99)+"{999}"+class(97), class(99)+"{999}"+class(98)
	for _, tt := range []struct {
		src  string
		cost int
		ok   bool
	}{{at, MaxPatternCost, true}, {past, MaxPatternCost + 1, false}} {
		re, err := syntax.Parse(tt.src, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		if c := patternCost(re.Simplify()); c != tt.cost {
			t.Fatalf("cost %d, want %d", c, tt.cost)
		}
		m, err := New(tt.src)
		if (err == nil) != tt.ok {
			t.Fatalf("cost %d: error %v", tt.cost, err)
		}
		if tt.ok && m.Cost != tt.cost {
			t.Errorf("Matcher.Cost %d, want %d", m.Cost, tt.cost)
		}
		if !tt.ok && !strings.Contains(err.Error(), "pattern too large: it expands to a program of cost 100001, at most 100000") {
			t.Errorf("error %v", err)
		}
	}
}
