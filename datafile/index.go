package datafile

import (
	"bytes"
	"fmt"
	"math/bits"
)

// Index is an exact-match index over one column of a Table, for the BSEARCH operators and the
// random-row selection of SMC-SPEC §7.
//
// It is an open-addressing hash table with linear probing. Each slot holds a tag (the low half of
// the key's hash), the row, where the key's bytes are in the table, and a copy of the key's first
// 16 bytes, so a lookup of a key that short (a phone number, an IPv4 address, most hosts) reads
// one slot, one cache line, and nothing else: one random memory access on a ten-million-row
// table, where a binary search over the rows costs dozens. Without the copy a hit read the key in
// the table too, which measured 300 to 380 ns on a mapped ten-million-row list against 230 for a
// miss. Building the sorted index this replaced took 52 s on that list and a lookup about 1 µs;
// see BENCHMARKS.md for this one.
//
// The hash is fixed (hashKey, documented in FORMAT.md of the bundle) because a compiled bundle
// stores the slots and the daemon looks keys up in them as they are on disk. Keys come from the
// operator's file, not from the network, so nobody can flood a bucket; the longest probe sequence
// is measured when the table is built and bounds every lookup.
type Index struct {
	t        *Table
	col      int
	fold     bool
	slots    []Slot
	maxProbe uint32 // the most slots any present key's lookup reads, minus one
	keys     int    // distinct keys
}

// A Slot is one entry of an Index's hash table. Row is noRow in an empty slot. The layout is part
// of the bundle format (32 bytes, little-endian on disk and in memory, two to a cache line).
type Slot struct {
	Tag    uint32 // the low 32 bits of the key's hash (the high bits choose the home slot)
	Row    uint32 // the first row in file order with the key
	KeyOff uint32 // the key's bytes are the table's data[KeyOff : KeyOff+KeyLen]
	KeyLen uint32
	Head   [headLen]byte // the key's first bytes, zero-padded: all of a key of up to headLen bytes
}

// headLen is how much of a key a slot holds: 16 bytes take a 15-digit E.164 number with its "+",
// and keep a slot at half a cache line.
const headLen = 16

// loadFactor is the share of slots in use, in percent. At 50% a lookup of a present key reads
// 1.5 slots on average and a lookup of an absent key 2.5 (Knuth's linear probing estimates), and
// two slots fill a 64-byte cache line. Measured on a mapped ten-million-row list, 60% took 245 ns
// for a hit and 230 ns for a miss, 50% 180 and 170: the absent keys, which are most lookups in a
// block list, read one cache line less.
const loadFactor = 50

// Index builds an exact-match index over column col (1-based). With fold, keys compare ASCII
// case-insensitively (only A-Z and a-z fold, as SIP's case-insensitive tokens are ASCII); the
// BSEARCH_I_ operators use such an index. A row without column col has the empty key, which is a
// key like any other; when several rows have the same key, the first in file order is the one
// found. Build it once, when the profile is compiled.
func (t *Table) Index(col int, fold bool) *Index {
	checkCol(col)
	n := t.Len()
	ix := &Index{t: t, col: col, fold: fold, slots: make([]Slot, n*100/loadFactor+1)}
	for i := range ix.slots {
		ix.slots[i].Row = noRow
	}
	for r := range n {
		ix.insert(uint32(r))
	}
	return ix
}

// insert adds row r unless a row with the same key is there already.
func (ix *Index) insert(r uint32) {
	key := ix.t.Field(int(r), ix.col)
	h := hashKey(key, ix.fold)
	tag := uint32(h)
	i := ix.home(h)
	for probe := uint32(0); ; probe++ {
		s := &ix.slots[i]
		if s.Row == noRow {
			off := uint32(0)
			if len(key) > 0 {
				off = ix.t.fieldOff[int(ix.t.rowOff[r])+ix.col-1]
			}
			*s = Slot{Tag: tag, Row: r, KeyOff: off, KeyLen: uint32(len(key))}
			copy(s.Head[:], key)
			ix.maxProbe = max(ix.maxProbe, probe)
			ix.keys++
			return
		}
		if s.Tag == tag && ix.matches(s, key) {
			return // a duplicate: the first row in file order stays
		}
		if i++; i == len(ix.slots) {
			i = 0
		}
	}
}

// home is the first slot a key with hash h is looked for in: the hash scaled to the table size
// (Lemire's multiply-shift), which needs no power-of-two table.
func (ix *Index) home(h uint64) int {
	hi, _ := bits.Mul64(h, uint64(len(ix.slots)))
	return int(hi)
}

// Lookup returns the row whose key equals key (ASCII case-insensitively for a folded index); when
// several rows have that key, the first in file order. It does not allocate.
func (ix *Index) Lookup(key []byte) (row int, ok bool) {
	if s := ix.find(key); s != nil {
		return int(s.Row), true
	}
	return -1, false
}

// find returns the slot that holds key, or nil. It reads at most maxProbe + 1 slots.
func (ix *Index) find(key []byte) *Slot { return ix.findHash(key, hashKey(key, ix.fold)) }

// findHash is find with the key's hash, hashKey(key, ix.fold), already computed.
func (ix *Index) findHash(key []byte, h uint64) *Slot {
	if len(ix.slots) == 0 {
		return nil
	}
	tag := uint32(h)
	i := ix.home(h)
	for probe := uint32(0); probe <= ix.maxProbe; probe++ {
		s := &ix.slots[i]
		if s.Row == noRow {
			break
		}
		if s.Tag == tag && ix.matches(s, key) {
			return s
		}
		if i++; i == len(ix.slots) {
			i = 0
		}
	}
	return nil
}

// matches reports whether the slot holds key. A key of up to headLen bytes is compared with the
// slot's copy alone; the rest of a longer one with the table's bytes.
func (ix *Index) matches(s *Slot, key []byte) bool {
	if int(s.KeyLen) != len(key) {
		return false
	}
	head := min(len(key), headLen)
	if !ix.equal(s.Head[:head], key[:head]) {
		return false
	}
	if len(key) <= headLen {
		return true
	}
	rest := ix.slotKey(s)
	return rest != nil && ix.equal(rest[headLen:], key[headLen:])
}

// slotKey returns the key bytes a slot points at, or nil when they lie outside the table's data,
// which only a damaged bundle can cause: the lookup then misses instead of reading out of range.
func (ix *Index) slotKey(s *Slot) []byte {
	a, b := uint64(s.KeyOff), uint64(s.KeyOff)+uint64(s.KeyLen)
	if b > uint64(len(ix.t.data)) {
		return nil
	}
	return ix.t.data[a:b:b]
}

func (ix *Index) equal(a, b []byte) bool {
	if ix.fold {
		return equalFold(a, b)
	}
	return bytes.Equal(a, b)
}

// Table returns the table the index was built over.
func (ix *Index) Table() *Table { return ix.t }

// Column returns the 1-based column the index was built over.
func (ix *Index) Column() int { return ix.col }

// Fold reports whether the index compares keys ASCII case-insensitively.
func (ix *Index) Fold() bool { return ix.fold }

// Keys returns the number of distinct keys.
func (ix *Index) Keys() int { return ix.keys }

// Slots returns the hash table and the longest probe, for storing the index in a bundle; the
// caller must not modify them.
func (ix *Index) Slots() (slots []Slot, maxProbe uint32) { return ix.slots, ix.maxProbe }

// IndexFromSlots rebuilds an index stored with Slots over the same table, for example from the
// bytes of a mapped bundle. It does not read the slots, so its cost does not depend on their
// number; lookups in slots that do not belong to the table miss or return wrong rows but never
// read outside the table.
func IndexFromSlots(t *Table, col int, fold bool, slots []Slot, maxProbe uint32, keys int) (*Index, error) {
	switch {
	case col < 1 || col > MaxFields:
		return nil, fmt.Errorf("index column %d out of range (1..%d)", col, MaxFields)
	case len(slots) == 0 || len(slots) > 2*MaxRows*100/loadFactor:
		return nil, fmt.Errorf("index of %d slots; an index has 1 to %d", len(slots), 2*MaxRows*100/loadFactor)
	case uint64(maxProbe) >= uint64(len(slots)):
		return nil, fmt.Errorf("index probe length %d not below its %d slots", maxProbe, len(slots))
	case keys < 0 || keys > t.Len() || keys >= len(slots):
		return nil, fmt.Errorf("index of %d keys over %d rows in %d slots", keys, t.Len(), len(slots))
	}
	return &Index{t: t, col: col, fold: fold, slots: slots, maxProbe: maxProbe, keys: keys}, nil
}

// hashKey is the index's hash of a key: 64-bit FNV-1a over its bytes (ASCII-lowercased when
// fold), finished with MurmurHash3's fmix64 so that the high and low bits both depend on every
// byte. Keys are short (numbers, hosts), where FNV's byte loop costs a few nanoseconds.
func hashKey(key []byte, fold bool) uint64 {
	h := uint64(fnvOffset)
	if fold {
		for _, c := range key {
			h = (h ^ uint64(lowerASCII(c))) * fnvPrime
		}
	} else {
		for _, c := range key {
			h = (h ^ uint64(c)) * fnvPrime
		}
	}
	return fmix64(h)
}

// The parameters of 64-bit FNV-1a. The hash of a key runs byte by byte, so the hashes of all the
// prefixes of a text are the steps of one pass over it (Prefixes.Lookup).
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// fmix64 is MurmurHash3's finaliser, which makes every bit of the result depend on every bit of h.
func fmix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// equalFold reports whether a and b are equal once ASCII letters are lowercased.
func equalFold(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
