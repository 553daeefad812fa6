package match

import (
	"fmt"
	"testing"
)

func TestPatternKinds(t *testing.T) {
	for _, tt := range []struct {
		src  string
		kind Kind
		lit  string
	}{
		{"sip:", Literal, "sip:"}, {"^011", Prefix, "011"}, {"GMT$", Suffix, "GMT"},
		{"^exact$", Exact, "exact"}, {`tgrp\=`, Literal, "tgrp="}, {"^", Prefix, ""},
		{"^SIP/2.0", Seq, ""},
		{"(?i)tag=", Seq, ""}, {"a|b", Seq, ""}, {"[0-9]+", Seq, ""}, {"^[2-9][0-9]{9}$", Seq, ""},
		{" 18( |$)", Seq, ""}, {"(?i);(x-[a-z-]+=[^;]*|purpose=x-[a-z]+)", Seq, ""}, {"[a-zA-Z][a-zA-Z-]*", Seq, ""},
		{"[0-9]+[0-9]", RE2, ""},                                      // overlapping classes: greedy is not longest
		{"a*b*a", RE2, ""},                                            // a run of a may end where the last a must match
		{"(xy|z)w", RE2, ""},                                          // an alternation before the end
		{"(ab|a)", RE2, ""},                                           // branches that start alike
		{`\bword`, RE2, ""},                                           // a word boundary
		{"[^;]{3}", Seq, ""}, {"(?i)k", Seq, ""}, {"[à-ÿ]+", Seq, ""}, // non-ASCII text goes to Go's regexp
	} {
		m, err := New(tt.src)
		if err != nil || m.Kind != tt.kind || string(m.Lit) != tt.lit {
			t.Errorf("%q: kind %v lit %q err %v; want %v %q", tt.src, m.Kind, m.Lit, err, tt.kind, tt.lit)
		}
	}
}

// TestPatternsAgreeWithRE2 checks that the byte-comparison matchers give RE2's answers.
func TestPatternsAgreeWithRE2(t *testing.T) {
	inputs := []string{"", "sip:", "xsip:sip:", "011011", "a011", "GMT", "x GMT", "exact", "exactly"}
	for _, src := range []string{"sip:", "^011", "GMT$", "^exact$", "^", "$", ""} {
		fast, _ := New(src)
		re, err := New("(?:" + src + ")")
		if err != nil {
			t.Fatal(err)
		}
		re.Kind = RE2
		if re.re == nil {
			continue
		}
		for _, in := range inputs {
			s1, e1, ok1 := fast.Find([]byte(in), nil)
			s2, e2, ok2 := re.Find([]byte(in), nil)
			all1 := fast.AppendAll(nil, []byte(in), nil)
			all2 := re.AppendAll(nil, []byte(in), nil)
			if s1 != s2 || e1 != e2 || ok1 != ok2 || fmt.Sprint(all1) != fmt.Sprint(all2) {
				t.Errorf("%q on %q: literal %d,%d,%v %v; re2 %d,%d,%v %v", src, in, s1, e1, ok1, all1, s2, e2, ok2, all2)
			}
		}
	}
}
