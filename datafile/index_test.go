package datafile

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func mustParse(t testing.TB, in string) *Table {
	t.Helper()
	tab, err := Parse("f.csv", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestIndexLookup(t *testing.T) {
	tab := mustParse(t, `# key,value
1800,free
alice,a1
Alice,a2
1900,premium
alice,a3
,empty key
"",second empty key
ALICE,a4
bob
zz,last
b,short
`)
	tests := []struct {
		col  int
		fold bool
		key  string
		row  int // -1: not found
	}{
		{1, false, "1800", 0},
		{1, false, "1900", 3},
		{1, false, "alice", 1}, // rows 1 and 4: the first wins
		{1, false, "Alice", 2},
		{1, false, "ALICE", 7},
		{1, false, "aLiCe", -1},
		{1, false, "", 5}, // rows 5 and 6: an empty key is a key
		{1, false, "bob", 8},
		{1, false, "b", 10},
		{1, false, "bo", -1},
		{1, false, "bobby", -1},
		{1, false, "zz", 9},
		{1, false, "zzz", -1},
		{1, false, "0", -1},
		{1, false, "18000", -1},

		{1, true, "alice", 1}, // alice, Alice, alice, ALICE fold together; row 1 is first
		{1, true, "ALICE", 1},
		{1, true, "aLiCe", 1},
		{1, true, "BOB", 8},
		{1, true, "Zz", 9},
		{1, true, "", 5},
		{1, true, "alic", -1},
		{1, true, "alicf", -1},

		// Column 2: the row "bob" has no column 2, so its key there is the empty string.
		{2, false, "free", 0},
		{2, false, "a4", 7},
		{2, false, "", 8},
		{2, true, "A4", 7},
		{2, true, "EMPTY KEY", 5},
		// Column 3: every key is empty; the first row wins.
		{3, false, "", 0},
		{3, false, "x", -1},
	}
	for _, tt := range tests {
		ix := tab.Index(tt.col, tt.fold)
		row, ok := ix.Lookup([]byte(tt.key))
		if tt.row < 0 {
			if ok {
				t.Errorf("Index(%d, %v).Lookup(%q) = %d, want not found", tt.col, tt.fold, tt.key, row)
			}
			continue
		}
		if !ok || row != tt.row {
			t.Errorf("Index(%d, %v).Lookup(%q) = %d, %v; want %d", tt.col, tt.fold, tt.key, row, ok, tt.row)
		}
	}
}

// Only ASCII letters fold: bytes that differ by 0x20 elsewhere stay distinct.
func TestIndexFoldASCIIOnly(t *testing.T) {
	tab := mustParse(t, "@\n[\nä\nÄ\n")
	ix := tab.Index(1, true)
	tests := []struct {
		key string
		row int
	}{
		{"@", 0},
		{"`", -1}, // '@'|0x20
		{"[", 1},
		{"{", -1}, // '['|0x20
		{"ä", 2},
		{"Ä", 3},
	}
	for _, tt := range tests {
		row, ok := ix.Lookup([]byte(tt.key))
		if !ok {
			row = -1
		}
		if row != tt.row {
			t.Errorf("Lookup(%q) = %d, want %d", tt.key, row, tt.row)
		}
	}
}

func TestIndexEmptyTable(t *testing.T) {
	tab := mustParse(t, "# nothing\n\n")
	for _, fold := range []bool{false, true} {
		ix := tab.Index(1, fold)
		for _, key := range []string{"", "a"} {
			if row, ok := ix.Lookup([]byte(key)); ok {
				t.Errorf("fold %v: Lookup(%q) = %d in an empty table", fold, key, row)
			}
		}
	}
}

// Duplicates are dropped from the index: one entry per distinct key.
func TestIndexDeduplicates(t *testing.T) {
	tab := mustParse(t, "a\nb\na\nA\nb\n")
	if got := tab.Index(1, false).Keys(); got != 3 {
		t.Errorf("exact index has %d entries, want 3", got)
	}
	if got := tab.Index(1, true).Keys(); got != 2 {
		t.Errorf("folded index has %d entries, want 2", got)
	}
}

func TestIndexColumnZeroPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Index(0, false) did not panic")
		}
	}()
	mustParse(t, "a\n").Index(0, false)
}

func TestEqualFold(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"", "", true},
		{"a", "A", true},
		{"abc", "ABD", false},
		{"ab", "ABC", false},
		{"Z", "z", true},
		{"_", "\x7f", false}, // '_' is not a letter: no folding puts it next to DEL
		{"@", "`", false},    // 0x40 and 0x60 differ by the case bit but are not letters
		{"[", "{", false},
	}
	for _, tt := range tests {
		if got := equalFold([]byte(tt.a), []byte(tt.b)); got != tt.want {
			t.Errorf("equalFold(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// The hash index finds what a scan of the rows finds, on tables with many duplicates, case
// variants, empty keys and short rows, for keys present and absent.
func TestIndexAgreesWithScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for round := range 20 {
		var csv strings.Builder
		words := []string{"", "a", "A", "ab", "AB", "aB", "1800", "+14155550123", "x_y", "X_Y"}
		for range 500 + round*100 {
			switch rng.IntN(4) {
			case 0:
				csv.WriteString(words[rng.IntN(len(words))] + "\n")
			case 1:
				fmt.Fprintf(&csv, "%d,v\n", rng.IntN(300))
			default:
				fmt.Fprintf(&csv, "%s%d,v\n", words[rng.IntN(len(words))], rng.IntN(50))
			}
		}
		tab := mustParse(t, csv.String())
		for _, fold := range []bool{false, true} {
			ix := tab.Index(1, fold)
			distinct := map[string]bool{}
			for r := range tab.Len() {
				distinct[foldIf(string(tab.Field(r, 1)), fold)] = true
			}
			if ix.Keys() != len(distinct) {
				t.Fatalf("round %d fold %v: %d keys, want %d", round, fold, ix.Keys(), len(distinct))
			}
			for q := range 2000 {
				key := fmt.Sprintf("%s%d", words[rng.IntN(len(words))], rng.IntN(60))
				if q%3 == 0 {
					key = words[rng.IntN(len(words))]
				}
				want := -1
				for r := range tab.Len() {
					if foldIf(string(tab.Field(r, 1)), fold) == foldIf(key, fold) {
						want = r
						break
					}
				}
				row, ok := ix.Lookup([]byte(key))
				if !ok {
					row = -1
				}
				if row != want {
					t.Fatalf("round %d fold %v: Lookup(%q) = %d, want %d", round, fold, key, row, want)
				}
			}
		}
	}
}

// Keys that share their first 16 bytes, the part a slot holds, are told apart by the rest, in
// both cases of a folded index.
func TestIndexLongKeys(t *testing.T) {
	tab := mustParse(t, "sip:+15551234567@a.example,1\nsip:+15551234567@b.example,2\nsip:+1555123456,3\nSIP:+15551234567@A.EXAMPLE,4\n")
	for _, fold := range []bool{false, true} {
		ix := tab.Index(1, fold)
		for key, want := range map[string]int{
			"sip:+15551234567@a.example": 0, "sip:+15551234567@b.example": 1, "sip:+1555123456": 2,
			"SIP:+15551234567@A.EXAMPLE": map[bool]int{false: 3, true: 0}[fold],
			"sip:+15551234567@B.example": map[bool]int{false: -1, true: 1}[fold],
			"sip:+15551234567@c.example": -1, "sip:+15551234567": -1, "sip:+1555123456x": -1,
		} {
			if r, ok := ix.Lookup([]byte(key)); r != want || ok != (want >= 0) {
				t.Errorf("fold %v: Lookup(%q) = %d %v, want %d", fold, key, r, ok, want)
			}
		}
	}
}

func foldIf(s string, fold bool) string {
	if !fold {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerASCII(c)
	}
	return string(b)
}

// An index rebuilt from its slots answers like the original, and a damaged one never reads outside
// the table: slots pointing past the data miss (keys of up to 16 bytes are compared with the
// slot's own copy and never read the data).
func TestIndexFromSlots(t *testing.T) {
	tab := mustParse(t, "alice,1\nbob,2\ncarol,3\nsip:someone@example.com,4\n")
	ix := tab.Index(1, false)
	slots, probe := ix.Slots()
	back, err := IndexFromSlots(tab, 1, false, slots, probe, ix.Keys())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"alice", "bob", "carol", "dave", "sip:someone@example.com", "sip:someone@example.org"} {
		r1, ok1 := ix.Lookup([]byte(k))
		r2, ok2 := back.Lookup([]byte(k))
		if r1 != r2 || ok1 != ok2 {
			t.Errorf("Lookup(%q): %d %v, rebuilt %d %v", k, r1, ok1, r2, ok2)
		}
	}
	damaged := slices.Clone(slots)
	for i := range damaged {
		damaged[i].KeyOff += 1 << 30
	}
	back, _ = IndexFromSlots(tab, 1, false, damaged, probe, ix.Keys())
	if r, ok := back.Lookup([]byte("sip:someone@example.com")); ok {
		t.Errorf("damaged index found row %d", r)
	}
	if r, ok := back.Lookup([]byte("bob")); !ok || r != 1 {
		t.Errorf("short key in a damaged index: row %d %v, want 1 from the slot's copy", r, ok)
	}
	for _, bad := range []struct {
		col   int
		slots []Slot
		probe uint32
		keys  int
	}{
		{0, slots, probe, 4},
		{1, nil, 0, 0},
		{1, slots, uint32(len(slots)), 4},
		{1, slots, probe, 5}, // more keys than rows
		{1, slots, probe, -1},
	} {
		if _, err := IndexFromSlots(tab, bad.col, false, bad.slots, bad.probe, bad.keys); err == nil {
			t.Errorf("IndexFromSlots(col %d, %d slots, probe %d, keys %d) accepted", bad.col, len(bad.slots), bad.probe, bad.keys)
		}
	}
}

// A table made of damaged storage gives empty fields instead of reading outside its arrays.
func TestFromLayoutDamaged(t *testing.T) {
	tab := mustParse(t, "alice,1\nbob,2\n")
	l := tab.Layout()
	if _, err := FromLayout("t", l); err != nil {
		t.Fatal(err)
	}
	bad := Layout{Data: l.Data, FieldOff: slices.Clone(l.FieldOff), RowOff: slices.Clone(l.RowOff), Lines: l.Lines}
	bad.FieldOff[1] = 1 << 30 // past the data
	bad.RowOff[1] = 7         // past the fields
	back, err := FromLayout("t", bad)
	if err != nil {
		t.Fatal(err)
	}
	for r := -1; r <= 2; r++ {
		for c := 0; c <= 3; c++ {
			_ = back.Field(r, c)
			_ = back.NumFields(r)
			_ = back.Line(r)
		}
	}
	for _, l := range []Layout{
		{Data: l.Data, FieldOff: l.FieldOff, RowOff: l.RowOff[:2], Lines: l.Lines},
		{Data: l.Data, FieldOff: nil, RowOff: l.RowOff, Lines: l.Lines},
		{Data: l.Data[:3], FieldOff: l.FieldOff, RowOff: l.RowOff, Lines: l.Lines},
		{Data: l.Data, FieldOff: l.FieldOff[:3], RowOff: l.RowOff, Lines: l.Lines},
	} {
		if _, err := FromLayout("t", l); err == nil {
			t.Errorf("FromLayout accepted %d bytes, %d field offsets, %d row offsets", len(l.Data), len(l.FieldOff), len(l.RowOff))
		}
	}
}
