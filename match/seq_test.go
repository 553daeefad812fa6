package match

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	re2 "github.com/wasilibs/go-re2"
)

// seqPatterns are patterns the sequence engine takes, from the examples, the reference chain and
// the corners of its rules.
var seqPatterns = []string{
	`^[2-9]`, ` 18( |$)`, `[0-9]+`, ` 18`, `tgrp=[0-9]+`, `^[2-9][0-9]{9}$`, `^011`, `[a-zA-Z][a-zA-Z-]*`,
	`(?i)tag=`, `(?i);(x-[a-z-]+=[^;]*|purpose=x-[a-z]+)`, `(?i);(x-[a-z-]+|purpose=x-[a-z]+)`,
	`a|b`, `x*`, `[0-9]*`, `^`, `$`, `a?`, `^a*$`, `[^;]+;`, `.*`, `[^;]{3}`, `(?i)k+`, `[à-ÿ]+`,
	`user=([a-z]+)`, `^\+?[0-9]{1,15}$`, `[0-9]{2,4}x`, `;(a|bc|$)`, `(?i)SIP/2\.0`, `a{0,3}b`,
	// capture groups: around items, inside and around the final alternation, empty, anchored
	`tgrp=([0-9]+)`, `(x)(-*)()`, `;(a|(b)c|($))`, `a(x|y)()`, `(^a)(b$)`, `((a)b)(c?)`, `(1)8( |$)`,
	`()`, `(a|(b))`, `(?i)(tag)=([^;]*)`, `^([2-9][0-9]{2})([0-9]{7})$`,
}

// The sequence engine (and the literal one) gives RE2's leftmost-longest answer, for Find and for AppendAll, on text
// made of the characters the patterns care about, non-ASCII and invalid UTF-8 included.
func TestSeqAgainstRE2(t *testing.T) {
	alphabet := []string{"a", "b", "c", "x", "-", "=", ";", " ", "1", "8", "0", "2", "9", "+", "K", "k", "T", "t", "g",
		"purpose", "x-a", "tag=", "\u212a", "é", "\xff", "\n", "S", "I", "P", "/", ".", "user=", "tgrp="}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, src := range seqPatterns {
		m, err := New(src)
		if err != nil || m.Kind == RE2 {
			t.Fatalf("%q: kind %v, err %v; the list is of patterns RE2 is not needed for", src, m.Kind, err)
		}
		ref := re2.MustCompile(src)
		ref.Longest()
		for range 400 {
			var sb strings.Builder
			for range rng.IntN(12) {
				sb.WriteString(alphabet[rng.IntN(len(alphabet))])
			}
			compareWithRE2(t, m, ref, []byte(sb.String()))
		}
	}
}

func compareWithRE2(t *testing.T, m *Matcher, ref *re2.Regexp, b []byte) {
	t.Helper()
	s, e, ok := m.Find(b, nil)
	want := ref.FindIndex(b)
	if ok != (want != nil) || ok && (s != want[0] || e != want[1]) {
		t.Fatalf("%q on %q: Find = %d,%d,%v; RE2 %v", m.Source, b, s, e, ok, want)
	}
	got := m.AppendAll(nil, b, nil)
	var all []int
	for _, loc := range ref.FindAllIndex(b, -1) {
		all = append(all, loc...)
	}
	if !slices.Equal(got, all) {
		t.Fatalf("%q on %q: AppendAll = %v; RE2 %v", m.Source, b, got, all)
	}
	if m.Groups() != ref.NumSubexp() {
		t.Fatalf("%q: %d groups; RE2 %d", m.Source, m.Groups(), ref.NumSubexp())
	}
	if got, want := m.FindGroups(nil, b, nil), ref.FindSubmatchIndex(b); !slices.Equal(got, want) {
		t.Fatalf("%q on %q: FindGroups = %v; RE2 %v", m.Source, b, got, want)
	}
	got = m.AppendAllGroups([]int{7}, b, nil)
	all = []int{7}
	for _, loc := range ref.FindAllSubmatchIndex(b, -1) {
		all = append(all, loc...)
	}
	if !slices.Equal(got, all) {
		t.Fatalf("%q on %q: AppendAllGroups = %v; RE2 %v", m.Source, b, got, all)
	}
}

// FuzzSeqMatch compiles an arbitrary pattern as the compiler does and compares whatever engine it
// gets (sequence, literal or RE2) with RE2 itself on arbitrary text: Find and AppendAll give
// RE2's leftmost-longest answer, and FindGroups and AppendAllGroups RE2's capture groups of it. An input is the pattern's source, not an index into a list, so
// the seeds in testdata/fuzz/FuzzSeqMatch (README.md there) keep their meaning, and the fuzzer
// also reaches the sequence engine's rules for which patterns it takes. A pattern that does not
// compile, or goes past MaxPatternCost, is skipped.
func FuzzSeqMatch(f *testing.F) {
	for _, src := range seqPatterns {
		f.Add(src, []byte("x-a=1;purpose=x-b tag= 18 2125551234"))
	}
	f.Fuzz(func(t *testing.T, src string, b []byte) {
		if len(src) > 100 {
			return // compiling long patterns on RE2 dominates the run; length is not what is tested
		}
		m, err := New(src)
		if err != nil {
			return
		}
		ref, err := re2.Compile(src)
		if err != nil {
			t.Fatalf("%q compiles as a %v pattern but not on RE2: %v", src, m.Kind, err)
		}
		ref.Longest()
		compareWithRE2(t, m, ref, b)
	})
}

// A text that makes the greedy search quadratic runs out of budget and is answered by the
// fallback, with the same result.
func TestSeqBudget(t *testing.T) {
	m, _ := New(`x[^y]*y`)
	if m.Kind != Seq {
		t.Fatalf("kind %v", m.Kind)
	}
	b := []byte(strings.Repeat("x", 20000))
	budget := searchBudget(len(b))
	if s, _ := m.seq.find(b, 0, &budget); s != outOfBudget {
		t.Fatalf("the search did not run out of budget")
	}
	if _, _, ok := m.Find(b, nil); ok {
		t.Fatal("found a match")
	}
	b = append(b, 'y')
	if s, e, ok := m.Find(b, nil); !ok || s != 0 || e != len(b) {
		t.Fatalf("Find = %d %d %v", s, e, ok)
	}
}

// Stats.RegexFallbacks counts the searches that went to RE2, and only those.
func TestSeqFallbacks(t *testing.T) {
	m, _ := New(`x[^y]*y`)
	for _, tt := range []struct {
		text string
		want uint64
	}{
		{"axbyc", 0},
		{"axéby", 1},                    // non-ASCII
		{strings.Repeat("x", 20000), 1}, // past the budget
	} {
		var st Stats
		m.Find([]byte(tt.text), &st)
		if got := st.RegexFallbacks; got != tt.want {
			t.Errorf("Find(%.20q): %d fallbacks, want %d", tt.text, got, tt.want)
		}
		st = Stats{}
		m.AppendAll(nil, []byte(tt.text), &st)
		if got := st.RegexFallbacks; got != tt.want {
			t.Errorf("AppendAll(%.20q): %d fallbacks, want %d", tt.text, got, tt.want)
		}
	}
}

// The engine does not allocate, capture groups included.
func TestSeqAllocs(t *testing.T) {
	m, _ := New(`(?i);(x-([a-z-]+)=[^;]*|purpose=x-[a-z]+)`)
	b := []byte("<sip:+15551234567@example.com;user=phone>;tag=abc;x-foo=bar")
	dst := make([]int, 0, 16)
	var st Stats
	if n := testing.AllocsPerRun(100, func() {
		m.Find(b, &st)
		dst = m.AppendAll(dst[:0], b, &st)
		dst = m.FindGroups(dst[:0], b, &st)
		dst = m.AppendAllGroups(dst[:0], b, &st)
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
	if got := m.FindGroups(nil, b, nil); !slices.Equal(got, []int{49, 59, 50, 59, 52, 55}) {
		t.Errorf("FindGroups = %v", got)
	}
}

// BenchmarkGroups: a match and its groups by the sequence engine and by RE2 itself, the
// measurement behind keeping groups in the sequence engine (seq.go).
func BenchmarkGroups(b *testing.B) {
	text := []byte("<sip:+15551234567@198.51.100.7:5060;transport=udp;tgrp=1234;trunk-context=example.com>")
	for _, src := range []string{`tgrp=([0-9]+)`, `([0-9]+)`} {
		m, _ := New(src)
		ref := re2.MustCompile(src)
		ref.Longest()
		dst := make([]int, 0, 64)
		b.Run(src+"/seq", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				dst = m.AppendAllGroups(dst[:0], text, nil)
			}
		})
		b.Run(src+"/re2", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				ref.FindAllSubmatchIndex(text, -1)
			}
		})
	}
}

// BenchmarkSeqFind: the patterns of the reference chain on header values of realistic length.
func BenchmarkSeqFind(b *testing.B) {
	for _, c := range []struct{ src, text string }{
		{`tgrp=[0-9]+`, "<sip:+15551234567@198.51.100.7:5060;transport=udp;tgrp=1234;trunk-context=example.com>"},
		{` 18( |$)`, " 31000 RTP/AVP 0 8 18 101"},
		{`(?i);(x-[a-z-]+=[^;]*|purpose=x-[a-z]+)`, "<http://www.example.com/alice/photo.jpg>;purpose=icon;x-foo=bar"},
		{`^[2-9][0-9]{9}$`, "2125551234"},
	} {
		m, _ := New(c.src)
		text := []byte(c.text)
		b.Run(c.src, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				m.Find(text, nil)
			}
		})
	}
}

// An empty pattern matches at every character boundary, as RE2 does: never inside a UTF-8
// sequence, and at every byte of text that is not UTF-8. FuzzSeqMatch found the literal engine
// matching inside U+0347 (found-empty-match-inside-utf8).
func TestEmptyPatternBoundaries(t *testing.T) {
	m, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := re2.Compile("")
	ref.Longest()
	for _, text := range []string{"", "a", "\u0347", "a€b", "\xff\xfe", "a\xe2\x82", "\xe2\x82\xac\x80", "𝄞x"} {
		compareWithRE2(t, m, ref, []byte(text))
	}
	if got := m.AppendAll(nil, []byte("a€"), nil); !slices.Equal(got, []int{0, 0, 1, 1, 4, 4}) {
		t.Errorf("AppendAll on a€ = %v", got)
	}
}
