package datafile

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/smcproject/smc/internal/cpuclock"
	"github.com/smcproject/smc/perf/bigdata"
)

func TestPrefixesLookup(t *testing.T) {
	tab := mustParse(t, `# prefix,route
1,nanp
1866,toll-free
186655,tf-block
44,uk
4420,london
1866,second 1866
,default
"",second default
Alice,a
+1,plus
1866555100012345678,longer than most numbers
one column
`)
	tests := []struct {
		text string
		row  int // -1: none
	}{
		{"18665551000", 2}, // 1, 1866 and 186655 are prefixes: the longest wins
		{"18660000000", 1}, // the first of the two 1866 rows
		{"1866", 1},        // a key is a prefix of itself
		{"186", 0},
		{"12125550100", 0},
		{"442079460000", 4},
		{"4412", 3},
		{"4", 6}, // no key but the empty one: the first default row
		{"", 6},
		{"+15551234", 9},
		{"alice", 6}, // case-sensitive
		{"Alice Smith", 8},
		{"1866555100012345678", 10},
		{"18665551000123456789", 10},
		{"186655510001234567", 2},
	}
	p := tab.Prefixes(1)
	for _, tt := range tests {
		row, ok := p.Lookup([]byte(tt.text))
		if !ok {
			row = -1
		}
		if row != tt.row {
			t.Errorf("Lookup(%q) = %d, want %d", tt.text, row, tt.row)
		}
	}
	// In column 2 the only empty key is row 11's, which has one column: a missing column is empty.
	p2 := tab.Prefixes(2)
	for text, want := range map[string]int{"toll-free": 1, "uk": 3, "ukraine": 3, "x": 11, "": 11, "apple": 8} {
		if row, _ := p2.Lookup([]byte(text)); row != want {
			t.Errorf("column 2: Lookup(%q) = %d, want %d", text, row, want)
		}
	}
}

func TestPrefixesNoDefault(t *testing.T) {
	p := mustParse(t, "1\n12\n123\n").Prefixes(1)
	for text, want := range map[string]int{"1": 0, "129": 1, "1234": 2, "2": -1, "": -1} {
		row, ok := p.Lookup([]byte(text))
		if !ok {
			row = -1
		}
		if row != want {
			t.Errorf("Lookup(%q) = %d, want %d", text, row, want)
		}
	}
	empty := mustParse(t, "").Prefixes(1)
	if row, ok := empty.Lookup([]byte("1")); ok {
		t.Errorf("empty table: Lookup found row %d", row)
	}
}

// linearPrefix is the lookup as SMC-SPEC §5 words it: every row in file order, keeping the first
// row of the longest key that is a prefix.
func linearPrefix(tab *Table, col int, text []byte) int {
	best, bestLen := -1, -1
	for r := range tab.Len() {
		key := tab.Field(r, col)
		if len(key) > bestLen && bytes.HasPrefix(text, key) {
			best, bestLen = r, len(key)
		}
	}
	return best
}

// TestPrefixesAgainstScan compares the index with a scan of the rows on random tables whose keys
// nest, repeat and run to many lengths, which exercises markers that lead nowhere longer.
func TestPrefixesAgainstScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	digits := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte("0123"[rng.IntN(4)])
		}
		return b.String()
	}
	for round := range 300 {
		var csv strings.Builder
		rows := rng.IntN(40)
		maxLen := 1 + rng.IntN(24)
		for range rows {
			fmt.Fprintf(&csv, "%s,x\n", digits(rng.IntN(maxLen+1)*min(1, rng.IntN(8))))
		}
		tab := mustParse(t, csv.String())
		p := tab.Prefixes(1)
		l := p.Layout()
		mapped, err := PrefixesFromLayout(p.Index(), l)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for range 200 {
			text := []byte(digits(rng.IntN(maxLen + 3)))
			want := linearPrefix(tab, 1, text)
			for name, idx := range map[string]*Prefixes{"built": p, "from layout": mapped} {
				row, ok := idx.Lookup(text)
				if !ok {
					row = -1
				}
				if row != want {
					t.Fatalf("round %d (%s): Lookup(%q) = %d, want %d\n%s", round, name, text, row, want, csv.String())
				}
			}
		}
	}
}

func TestPrefixesFromLayoutChecks(t *testing.T) {
	tab := mustParse(t, "1\n12\n,default\n")
	p := tab.Prefixes(1)
	good := p.Layout()
	if good.Default != 2 || len(good.Lengths) != 2 || len(good.Filter) != 1 {
		t.Fatalf("layout %+v", good)
	}
	tests := []struct {
		name string
		ix   *Index
		edit func(l *PrefixesLayout)
	}{
		{"no index", nil, func(*PrefixesLayout) {}},
		{"a folded index", tab.Index(1, true), func(*PrefixesLayout) {}},
		{"no filter", p.Index(), func(l *PrefixesLayout) { l.Filter = nil }},
		{"filter of 3 words", p.Index(), func(l *PrefixesLayout) { l.Filter = make([]uint64, 3) }},
		{"filter past the rows'", p.Index(), func(l *PrefixesLayout) { l.Filter = make([]uint64, 2) }},
		{"lengths descend", p.Index(), func(l *PrefixesLayout) { l.Lengths = []uint32{2, 1} }},
		{"length 0", p.Index(), func(l *PrefixesLayout) { l.Lengths = []uint32{0, 2} }},
		{"length past a field", p.Index(), func(l *PrefixesLayout) { l.Lengths = []uint32{1, MaxFieldLen + 1} }},
		{"too many lengths", p.Index(), func(l *PrefixesLayout) { l.Lengths = make([]uint32, MaxFieldLen+1) }},
		{"default past rows", p.Index(), func(l *PrefixesLayout) { l.Default = 3 }},
		{"default below -1", p.Index(), func(l *PrefixesLayout) { l.Default = -2 }},
	}
	for _, tt := range tests {
		l := good
		tt.edit(&l)
		if _, err := PrefixesFromLayout(tt.ix, l); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	if _, err := PrefixesFromLayout(p.Index(), good); err != nil {
		t.Errorf("the index's own layout: %v", err)
	}
}

// TestPrefixesDamaged gives lookups a filter of any bits and slots that point outside the table,
// as a damaged bundle can: they miss or answer wrongly, but never read outside the table or
// return a row past it.
func TestPrefixesDamaged(t *testing.T) {
	tab := mustParse(t, "1,a\n12,b\n123,c\n")
	p := tab.Prefixes(1)
	slots, probe := p.Index().Slots()
	slots = slices.Clone(slots)
	for i := range slots {
		if slots[i].Row != noRow {
			slots[i].KeyOff, slots[i].Row = 1<<31, uint32(1000+i)
		}
	}
	ix, err := IndexFromSlots(tab, 1, false, slots, probe, p.Index().Keys())
	if err != nil {
		t.Fatal(err)
	}
	for _, filter := range []uint64{0, ^uint64(0)} {
		l := p.Layout()
		l.Filter = []uint64{filter}
		for _, idx := range []*Index{p.Index(), ix} {
			damaged, err := PrefixesFromLayout(idx, l)
			if err != nil {
				t.Fatal(err)
			}
			for _, text := range []string{"1", "12", "1234", "9", ""} {
				if row, ok := damaged.Lookup([]byte(text)); ok && row >= tab.Len() {
					t.Errorf("Lookup(%q) = row %d of %d", text, row, tab.Len())
				}
			}
		}
	}
}

// TestPrefixesManyLengths: a table of more key lengths than a lookup hashes in its one pass
// (maxHashed) still finds the longest prefix.
func TestPrefixesManyLengths(t *testing.T) {
	var csv strings.Builder
	long := strings.Repeat("7", 100)
	for n := 1; n <= 100; n += 2 {
		fmt.Fprintf(&csv, "%s,%d\n", long[:n], n)
	}
	tab := mustParse(t, csv.String())
	p := tab.Prefixes(1)
	if len(p.lengths) <= maxHashed {
		t.Fatalf("%d lengths, not more than %d", len(p.lengths), maxHashed)
	}
	for _, n := range []int{1, 2, 40, 99, 100, 150} {
		text := []byte(strings.Repeat("7", n) + "x")
		if row, want := mustLookup(p, text), linearPrefix(tab, 1, text); row != want {
			t.Errorf("%d sevens: row %d, want %d", n, row, want)
		}
	}
}

func mustLookup(p *Prefixes, text []byte) int {
	row, ok := p.Lookup(text)
	if !ok {
		return -1
	}
	return row
}

func TestPrefixesDoNotAllocate(t *testing.T) {
	p := mustParse(t, "1\n1866\n186655\n,default\n"+strings.Repeat("9", 40)+"\n").Prefixes(1)
	texts := [][]byte{[]byte("18665551000"), []byte("2"), nil, []byte(strings.Repeat("9", 50))}
	if n := testing.AllocsPerRun(100, func() {
		for _, text := range texts {
			p.Lookup(text)
		}
	}); n != 0 {
		t.Errorf("%v allocations per run, want 0", n)
	}
}

// benchPrefixes returns the routing table of perf/bigdata (bigdata.PrefixRows rows of E.164
// prefixes of 1 to 12 digits and a default row) and numbers to route: half extend a prefix of
// the table to 11 to 13 digits, half are random numbers of a calling code.
func benchPrefixes(b *testing.B) (*Table, [][]byte) {
	var csv bytes.Buffer
	if err := bigdata.WritePrefixes(&csv, bigdata.PrefixRows); err != nil {
		b.Fatal(err)
	}
	tab, err := Parse("prefixes.csv", csv.Bytes())
	if err != nil {
		b.Fatal(err)
	}
	return tab, bigdata.RouteNumbers(tab.Len(), func(r int) []byte { return tab.Field(r, 1) })
}

// BenchmarkPrefixesLookup routes numbers through a million-row table from the heap; beside it,
// BenchmarkIndexLookupExact1M looks the table's own keys up exactly (BSEARCH_EQ) in the same
// table, for comparison.
func BenchmarkPrefixesLookup(b *testing.B) {
	tab, numbers := benchPrefixes(b)
	p := tab.Prefixes(1)
	b.Run("prefix", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuclock.Now()
		for i := 0; b.Loop(); i++ {
			p.Lookup(numbers[i&(len(numbers)-1)])
		}
		cpuclock.Report(b, start)
	})
	ix := tab.Index(1, false)
	keys := make([][]byte, len(numbers))
	rng := rand.New(rand.NewPCG(9, 10))
	for i := range keys {
		keys[i] = tab.Field(rng.IntN(tab.Len()), 1)
	}
	b.Run("exact", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuclock.Now()
		for i := 0; b.Loop(); i++ {
			ix.Lookup(keys[i&(len(keys)-1)])
		}
		cpuclock.Report(b, start)
	})
}
