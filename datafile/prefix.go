package datafile

import (
	"fmt"
	"slices"
)

// Prefixes is a longest-prefix index over one column of a Table, for the BSEARCH_PREFIX operators
// (number routing): the row of the longest key that is a prefix of the text looked up, the first
// in file order among rows with that key, and the first row whose key is empty (the default row)
// when no other key is a prefix.
//
// It is binary search on prefix lengths (Waldvogel, Varghese, Turner and Plattner, "Scalable High
// Speed IP Routing Lookups", SIGCOMM 1997) over slots of the exact index's kind. The distinct
// lengths of the keys are sorted; a lookup probes the hash for the text's first lengths[mid] bytes
// and continues in the longer half when something is there, in the shorter half when nothing is.
// So that the way to a long key is not lost, each key leaves a marker (its own prefix, pointing
// at its own bytes) at every length where that search must turn longer, and every entry carries
// the row of the longest key that is a prefix of it: a marker hit that leads nowhere longer
// still answers. A lookup reads at most ceil(log2(lengths+1)) slots, four for E.164 prefixes of 1
// to 12 digits, each one cache line for keys up to 16 bytes. Probing every length instead reads
// twelve, and a binary search over the sorted keys twenty on a million rows, each step a
// dependent read of a key somewhere else in the table; docs/design.md and BENCHMARKS.md have the
// numbers.
type Prefixes struct {
	hash    Index    // keys and markers; Slot.Row is the row of the longest key that is a prefix of the entry
	lengths []uint32 // the distinct lengths of the non-empty keys, ascending
	def     uint32   // the first row whose key is empty, or noRow
}

// noBest is the Row of a marker that no key is a prefix of. It differs from noRow, which marks an
// empty slot, and from every row (MaxRows keeps rows far below it).
const noBest = noRow - 1

// Prefixes builds a longest-prefix index over column col (1-based). Keys compare byte for byte
// (case-sensitively). A row without column col has the empty key, as for Index, which makes it a
// default row. Build it once, when the profile is compiled.
func (t *Table) Prefixes(col int) *Prefixes {
	checkCol(col)
	p := &Prefixes{hash: Index{t: t, col: col}, def: noRow}
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
	p.rehash(keys)
	// Every key before any marker, so that a marker never takes the place of a key with the same
	// bytes; in file order, so that the first row of a duplicated key is the one kept.
	for r := range t.Len() {
		if key := t.Field(r, col); len(key) > 0 {
			p.add(key, p.keyOff(r), uint32(r))
		}
	}
	for r := range t.Len() {
		p.addMarkers(r)
	}
	p.rehash(p.hash.keys) // the final size, at the load factor of the exact index
	p.resolve()
	return p
}

// keyOff is where row r's (non-empty) key starts in the table's data.
func (p *Prefixes) keyOff(r int) uint32 {
	t := p.hash.t
	return t.fieldOff[int(t.rowOff[r])+p.hash.col-1]
}

// addMarkers leaves row r's key's markers: its prefixes at the lengths where a lookup of the key
// continues in the longer half. The loop is Lookup's, steered towards the key's own length.
func (p *Prefixes) addMarkers(r int) {
	key := p.hash.t.Field(r, p.hash.col)
	if len(key) == 0 {
		return
	}
	j, _ := slices.BinarySearch(p.lengths, uint32(len(key)))
	off := p.keyOff(r)
	for lo, hi := 0, len(p.lengths)-1; lo <= hi; {
		mid := int(uint(lo+hi) >> 1)
		switch {
		case mid == j:
			return
		case mid < j:
			p.add(key[:p.lengths[mid]], off, noBest)
			lo = mid + 1
		default:
			hi = mid - 1
		}
	}
}

// add inserts an entry for key, whose bytes are at off in the table, unless one is there.
func (p *Prefixes) add(key []byte, off, row uint32) {
	ix := &p.hash
	if ix.find(key) != nil {
		return
	}
	if (ix.keys+1)*100/loadFactor+1 > len(ix.slots) {
		p.rehash(2 * (ix.keys + 1))
	}
	p.put(key, Slot{Row: row, KeyOff: off, KeyLen: uint32(len(key))})
}

// put places s, the entry of key, in the first empty slot from key's home.
func (p *Prefixes) put(key []byte, s Slot) {
	ix := &p.hash
	h := hashKey(key, false)
	s.Tag = uint32(h)
	copy(s.Head[:], key)
	i := ix.home(h)
	for probe := uint32(0); ; probe++ {
		if ix.slots[i].Row == noRow {
			ix.slots[i] = s
			ix.maxProbe = max(ix.maxProbe, probe)
			ix.keys++
			return
		}
		if i++; i == len(ix.slots) {
			i = 0
		}
	}
}

// rehash moves the entries into a table sized for entries at the load factor.
func (p *Prefixes) rehash(entries int) {
	ix := &p.hash
	old := ix.slots
	ix.slots = make([]Slot, entries*100/loadFactor+1)
	for i := range ix.slots {
		ix.slots[i].Row = noRow
	}
	ix.maxProbe, ix.keys = 0, 0
	for i := range old {
		if s := &old[i]; s.Row != noRow {
			p.put(ix.slotKey(s), *s)
		}
	}
}

// resolve gives every marker the row of the longest key that is a prefix of it, found by probing
// the shorter lengths from the longest down. Markers are told apart from keys by their Row, so
// the answers are collected first and written after.
func (p *Prefixes) resolve() {
	ix := &p.hash
	type answer struct{ slot, row uint32 }
	var answers []answer
	for i := range ix.slots {
		s := &ix.slots[i]
		if s.Row != noBest {
			continue
		}
		key := ix.slotKey(s)
		j, _ := slices.BinarySearch(p.lengths, s.KeyLen)
		for k := j - 1; k >= 0; k-- {
			if e := ix.find(key[:p.lengths[k]]); e != nil && e.Row != noBest {
				answers = append(answers, answer{uint32(i), e.Row})
				break
			}
		}
	}
	for _, a := range answers {
		ix.slots[a.slot].Row = a.row
	}
}

// Lookup returns the row of the longest key that is a prefix of text (the first such row in file
// order), else the default row (the first with an empty key), else none. It reads at most
// ceil(log2(distinct key lengths + 1)) entries and does not allocate.
func (p *Prefixes) Lookup(text []byte) (row int, ok bool) {
	best := p.def
	for lo, hi := 0, len(p.lengths)-1; lo <= hi; {
		mid := int(uint(lo+hi) >> 1)
		if n := p.lengths[mid]; uint64(n) <= uint64(len(text)) {
			if s := p.hash.find(text[:n]); s != nil {
				if s.Row != noBest {
					best = s.Row
				}
				lo = mid + 1
				continue
			}
		}
		hi = mid - 1
	}
	// A damaged bundle can hold any number here: it gives no row rather than one past the table.
	if uint64(best) >= uint64(p.hash.t.Len()) {
		return -1, false
	}
	return int(best), true
}

// Table returns the table the index was built over.
func (p *Prefixes) Table() *Table { return p.hash.t }

// Column returns the 1-based column the index was built over.
func (p *Prefixes) Column() int { return p.hash.col }

// PrefixesLayout is the storage of a Prefixes, for a bundle: the hash slots of the keys and
// markers, the distinct key lengths, and the default row.
type PrefixesLayout struct {
	Slots    []Slot
	MaxProbe uint32   // the most slots a present entry's lookup reads, minus one
	Entries  int      // keys and markers in Slots
	Lengths  []uint32 // ascending, each 1..MaxFieldLen
	Default  int      // the first row with an empty key, or -1
}

// Layout returns the index's storage; the caller must not modify it.
func (p *Prefixes) Layout() PrefixesLayout {
	def := -1
	if p.def != noRow {
		def = int(p.def)
	}
	return PrefixesLayout{Slots: p.hash.slots, MaxProbe: p.hash.maxProbe, Entries: p.hash.keys, Lengths: p.lengths, Default: def}
}

// maxMarkers bounds the markers of one key: one per step of a binary search over at most
// MaxFieldLen lengths.
const maxMarkers = 13

// PrefixesFromLayout rebuilds an index stored with Layout over the same table, for example from
// the bytes of a mapped bundle. It reads the lengths (at most MaxFieldLen of them) but not the
// slots, so its cost does not depend on the table's size; lookups in slots that do not belong to
// the table give wrong rows or none, but never read outside the table.
func PrefixesFromLayout(t *Table, col int, l PrefixesLayout) (*Prefixes, error) {
	switch {
	case col < 1 || col > MaxFields:
		return nil, fmt.Errorf("prefix index column %d out of range (1..%d)", col, MaxFields)
	case l.Entries < 0 || l.Entries > t.Len()*(1+maxMarkers):
		return nil, fmt.Errorf("prefix index of %d entries over %d rows", l.Entries, t.Len())
	case len(l.Slots) != l.Entries*100/loadFactor+1:
		return nil, fmt.Errorf("prefix index of %d entries in %d slots, not %d", l.Entries, len(l.Slots), l.Entries*100/loadFactor+1)
	case uint64(l.MaxProbe) >= uint64(len(l.Slots)):
		return nil, fmt.Errorf("prefix index probe length %d not below its %d slots", l.MaxProbe, len(l.Slots))
	case len(l.Lengths) > MaxFieldLen:
		return nil, fmt.Errorf("prefix index of %d key lengths (at most %d)", len(l.Lengths), MaxFieldLen)
	case l.Default < -1 || l.Default >= t.Len():
		return nil, fmt.Errorf("prefix index default row %d out of range (%d rows)", l.Default, t.Len())
	}
	for i, n := range l.Lengths {
		if n < 1 || n > MaxFieldLen || i > 0 && n <= l.Lengths[i-1] {
			return nil, fmt.Errorf("prefix index key length %d at %d: lengths must ascend within 1..%d", n, i, MaxFieldLen)
		}
	}
	p := &Prefixes{hash: Index{t: t, col: col, slots: l.Slots, maxProbe: l.MaxProbe, keys: l.Entries}, lengths: l.Lengths, def: noRow}
	if l.Default >= 0 {
		p.def = uint32(l.Default)
	}
	return p, nil
}
