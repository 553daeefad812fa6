package datafile

import (
	"fmt"
	"math/bits"
	"slices"
)

// Prefixes is a longest-prefix index over one column of a Table, for the BSEARCH_PREFIX operators
// (number routing): the row of the longest key that is a prefix of the text looked up, the first
// in file order among rows with that key, and the first row whose key is empty (the default row)
// when no other key is a prefix.
//
// It is the column's exact index (Index, not folded) with two things beside it: the distinct
// lengths of the keys, and a Bloom filter of the keys. A lookup hashes the text's prefix of every
// key length in one pass (FNV-1a runs byte by byte, so each prefix's hash is a step of the
// text's), then tries the lengths from the longest down: where the filter says no key of that
// length has those bytes, which it says from a few megabytes that stay in the caches, the hash
// table is not read; where it may, the hash table answers, and the first key found is the
// longest. A routed number therefore costs about one read of the hash table, as an exact lookup
// does, plus the filter's words, however many lengths and rows the table has; a filter false
// positive (about one in seventy) costs one more read. docs/design.md says what else was tried.
type Prefixes struct {
	ix      *Index   // exact, not folded: every key and its first row
	lengths []uint32 // the distinct lengths of the non-empty keys, ascending
	filter  []uint64 // a power of two of words; each non-empty key sets two bits of one word
	def     uint32   // the first row whose key is empty, or noRow
}

// Prefixes builds a longest-prefix index over column col (1-based), with an exact index of its
// own. Keys compare byte for byte (case-sensitively). A row without column col has the empty key,
// as for Index, which makes it a default row. Build it once, when the profile is compiled.
func (t *Table) Prefixes(col int) *Prefixes { return NewPrefixes(t.Index(col, false)) }

// NewPrefixes builds a longest-prefix index over the column of ix, which must not be folded; the
// index is shared, so that a column searched exactly and by prefix holds its keys once.
func NewPrefixes(ix *Index) *Prefixes {
	if ix.fold {
		panic("datafile: a prefix index over a case-folded index")
	}
	t, col := ix.t, ix.col
	p := &Prefixes{ix: ix, def: noRow}
	seen := make([]bool, MaxFieldLen+1)
	keys := 0
	for r := range t.Len() {
		n := len(t.Field(r, col))
		if n == 0 && p.def == noRow {
			p.def = uint32(r)
		}
		if n > 0 && !seen[n] {
			seen[n] = true
			p.lengths = append(p.lengths, uint32(n))
		}
		keys += min(n, 1)
	}
	slices.Sort(p.lengths)
	p.filter = make([]uint64, filterWords(keys))
	for r := range t.Len() {
		if key := t.Field(r, col); len(key) > 0 {
			h := hashKey(key, false)
			p.filter[p.word(h)] |= filterBits(h)
		}
	}
	return p
}

// filterWords is the size of the filter for keys keys: 16 bits a key, rounded up to a power of
// two words. With two bits a key in one 64-bit word, about one absent prefix in seventy passes
// (a blocked Bloom filter of 4 keys a word on average sets 12% of its bits: 0.118² ≈ 1.4%), and a
// million keys take 2 MiB, which the caches keep where 64 MiB of slots they cannot.
func filterWords(keys int) int {
	return 1 << bits.Len(uint(max(1, (keys+3)/4)-1))
}

// word is the filter word of a hash: bits the hash table does not use for the home slot (its
// high bits) or the tag (its low 32).
func (p *Prefixes) word(h uint64) uint64 { return h >> 32 & uint64(len(p.filter)-1) }

// filterBits are the two bits of its word that a key with hash h sets.
func filterBits(h uint64) uint64 { return 1<<(h&63) | 1<<(h>>6&63) }

// maxHashed bounds the key lengths whose prefixes a lookup hashes in its one pass, to keep the
// hashes on the stack; E.164 numbers have at most 15 digits. The hash of a longer table's other
// lengths is computed when it is needed.
const maxHashed = 32

// Lookup returns the row of the longest key that is a prefix of text (the first such row in file
// order), else the default row (the first with an empty key), else none. It does not allocate.
func (p *Prefixes) Lookup(text []byte) (row int, ok bool) {
	var hashes [maxHashed]uint64
	fit, _ := slices.BinarySearch(p.lengths, uint32(min(len(text), MaxFieldLen)+1)) // the lengths up to len(text)
	h, j := uint64(fnvOffset), 0
	for i := 0; i < len(text) && j < min(fit, maxHashed); i++ {
		h = (h ^ uint64(text[i])) * fnvPrime
		if p.lengths[j] == uint32(i+1) {
			hashes[j] = fmix64(h)
			j++
		}
	}
	for k := fit - 1; k >= 0; k-- {
		key := text[:p.lengths[k]]
		h := hashes[min(k, maxHashed-1)]
		if k >= maxHashed {
			h = hashKey(key, false)
		}
		w := filterBits(h)
		if p.filter[p.word(h)]&w != w {
			continue
		}
		if s := p.ix.findHash(key, h); s != nil {
			return p.row(s.Row)
		}
	}
	return p.row(p.def)
}

// row returns r, or none when it is past the table, which only a damaged bundle can hold.
func (p *Prefixes) row(r uint32) (int, bool) {
	if uint64(r) >= uint64(p.ix.t.Len()) {
		return -1, false
	}
	return int(r), true
}

// Index returns the exact index the prefix index searches.
func (p *Prefixes) Index() *Index { return p.ix }

// Table returns the table the index was built over.
func (p *Prefixes) Table() *Table { return p.ix.t }

// Column returns the 1-based column the index was built over.
func (p *Prefixes) Column() int { return p.ix.col }

// PrefixesLayout is what a Prefixes holds beside its exact index, for a bundle.
type PrefixesLayout struct {
	Lengths []uint32 // ascending, each 1..MaxFieldLen
	Filter  []uint64 // a power of two of words
	Default int      // the first row with an empty key, or -1
}

// Layout returns the index's storage; the caller must not modify it.
func (p *Prefixes) Layout() PrefixesLayout {
	def := -1
	if p.def != noRow {
		def = int(p.def)
	}
	return PrefixesLayout{Lengths: p.lengths, Filter: p.filter, Default: def}
}

// PrefixesFromLayout rebuilds an index stored with Layout over ix, the exact index it was built
// with, for example from the bytes of a mapped bundle. It reads the lengths (at most MaxFieldLen
// of them) but not the filter, so its cost does not depend on the table's size; a damaged filter
// makes lookups read the hash table more often or less, never outside it.
func PrefixesFromLayout(ix *Index, l PrefixesLayout) (*Prefixes, error) {
	switch n := len(l.Filter); {
	case ix == nil || ix.fold:
		return nil, fmt.Errorf("a prefix index needs an exact index that is not case-folded")
	case n == 0 || n&(n-1) != 0 || n > filterWords(ix.t.Len()):
		return nil, fmt.Errorf("prefix filter of %d words; it has a power of two up to %d for %d rows", n, filterWords(ix.t.Len()), ix.t.Len())
	case len(l.Lengths) > MaxFieldLen:
		return nil, fmt.Errorf("prefix index of %d key lengths (at most %d)", len(l.Lengths), MaxFieldLen)
	case l.Default < -1 || l.Default >= ix.t.Len():
		return nil, fmt.Errorf("prefix index default row %d out of range (%d rows)", l.Default, ix.t.Len())
	}
	for i, n := range l.Lengths {
		if n < 1 || n > MaxFieldLen || i > 0 && n <= l.Lengths[i-1] {
			return nil, fmt.Errorf("prefix index key length %d at %d: lengths must ascend within 1..%d", n, i, MaxFieldLen)
		}
	}
	p := &Prefixes{ix: ix, lengths: l.Lengths, filter: l.Filter, def: noRow}
	if l.Default >= 0 {
		p.def = uint32(l.Default)
	}
	return p, nil
}
