package datafile

import (
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
	if got := len(tab.Index(1, false).rows); got != 3 {
		t.Errorf("exact index has %d entries, want 3", got)
	}
	if got := len(tab.Index(1, true).rows); got != 2 {
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

func TestCompareFold(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"a", "A", 0},
		{"abc", "ABD", -1},
		{"ABD", "abc", 1},
		{"ab", "ABC", -1},
		{"Z", "a", 1},  // z > a once folded, though 'Z' < 'a' in bytes
		{"_", "a", -1}, // '_' (0x5f) sorts before 'a' (0x61) but after 'A' (0x41): folding changes order
	}
	for _, tt := range tests {
		if got := compareFold([]byte(tt.a), []byte(tt.b)); got != tt.want {
			t.Errorf("compareFold(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
