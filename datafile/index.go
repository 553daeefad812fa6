package datafile

import (
	"bytes"
	"cmp"
	"slices"
)

// Index is an exact-match index over one column of a Table, for the BSEARCH operators.
//
// It holds one row number per distinct key, sorted by key, so a lookup is one binary search that
// compares against the table's own field bytes: no key is copied, and the index costs four bytes
// per row.
type Index struct {
	t    *Table
	col  int
	fold bool
	rows []uint32 // sorted by key; for each key, the first row in file order that has it
}

// Index builds an exact-match index over column col (1-based). With fold, keys compare ASCII
// case-insensitively (only A-Z and a-z fold, as SIP's case-insensitive tokens are ASCII); the
// BSEARCH_I_ operators use such an index. A row without column col has the empty key, which is a
// key like any other. Build it once, when the profile is compiled.
func (t *Table) Index(col int, fold bool) *Index {
	checkCol(col)
	ix := &Index{t: t, col: col, fold: fold, rows: make([]uint32, t.Len())}
	for i := range ix.rows {
		ix.rows[i] = uint32(i)
	}
	// Ties broken by row number make the order total, so the first row of each key in file
	// order sorts first and an unstable sort gives the same result as a stable one.
	slices.SortFunc(ix.rows, func(a, b uint32) int {
		if c := ix.compare(ix.key(a), ix.key(b)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	// Keep the first row of each key: duplicates can never be returned, so they only cost
	// binary search steps.
	ix.rows = slices.CompactFunc(ix.rows, func(a, b uint32) bool {
		return ix.compare(ix.key(a), ix.key(b)) == 0
	})
	ix.rows = slices.Clip(ix.rows)
	return ix
}

// Table returns the table the index was built over.
func (ix *Index) Table() *Table { return ix.t }

// Column returns the 1-based column the index was built over.
func (ix *Index) Column() int { return ix.col }

// Fold reports whether the index compares keys ASCII case-insensitively.
func (ix *Index) Fold() bool { return ix.fold }

// Lookup returns the row whose key equals key (ASCII case-insensitively for a folded index); when
// several rows have that key, the first in file order. It does not allocate.
func (ix *Index) Lookup(key []byte) (row int, ok bool) {
	lo, hi := 0, len(ix.rows)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ix.compare(ix.key(ix.rows[m]), key) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(ix.rows) && ix.compare(ix.key(ix.rows[lo]), key) == 0 {
		return int(ix.rows[lo]), true
	}
	return -1, false
}

func (ix *Index) key(row uint32) []byte { return ix.t.Field(int(row), ix.col) }

func (ix *Index) compare(a, b []byte) int {
	if ix.fold {
		return compareFold(a, b)
	}
	return bytes.Compare(a, b)
}

// compareFold is bytes.Compare on the ASCII-lowercased bytes, without making them.
func compareFold(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		ca, cb := lowerASCII(a[i]), lowerASCII(b[i])
		if ca != cb {
			return cmp.Compare(ca, cb)
		}
	}
	return cmp.Compare(len(a), len(b))
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
