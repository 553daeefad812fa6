package datafile

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
)

// Networks is a longest-prefix-match index over one column of IPv4 and IPv6 addresses and CIDR
// networks, for the IP_LOOKUP operators.
//
// The networks of a file nest and overlap, but the address space they cut it into does not: it is
// a sorted run of ranges, each answered by the most specific network that covers it, or by none.
// The index stores that run, so a lookup is one binary search for the last range that starts at
// or below the address, however deeply the networks nest.
type Networks struct {
	// Range i of IPv4 is [v4Start[i], v4Start[i+1]) (the last one runs to 255.255.255.255) and
	// selects row v4Row[i], or noRow. v4Start[0] is 0, so every address falls in some range.
	v4Start []uint32
	v4Row   []uint32

	// The same for IPv6, with range i starting at the 128-bit address whose halves are
	// v6Start[2i] (high) and v6Start[2i+1] (low): interleaved, so one binary search step reads
	// one cache line rather than two.
	v6Start []uint64
	v6Row   []uint32

	// vNBucket[b] is the first range whose start has b as its top 16 bits, or a later one
	// (len(vNRow) for b = 65536). A lookup searches only the ranges of its address's bucket and
	// the one before them: a handful of steps in one or two cache lines instead of the twenty
	// of a search over a million ranges, most of them cache misses.
	v4Bucket []uint32
	v6Bucket []uint32
}

// buckets is the number of entries of a bucket array: one per value of the top 16 bits of an
// address, and one past the last.
const buckets = 1<<16 + 1

// Networks builds a longest-prefix-match index over column col (1-based). Each key is an address
// (a /32 or /128 network) or a network in CIDR notation. The most specific network that contains
// an address selects its row; for identical networks, the first row in file order.
//
// IPv4 and IPv6 are separate spaces. A key written IPv4-mapped (::ffff:10.0.0.0/104, or an address
// ::ffff:10.0.0.1) is the IPv4 network it maps (10.0.0.0/8), as Lookup treats mapped addresses as
// IPv4; a shorter IPv6 prefix such as ::/0 is IPv6 only and matches no IPv4 address.
//
// A key that is not an address or network, a prefix length out of range and host bits set under
// the mask are errors naming the line. Build it once, when the profile is compiled.
func (t *Table) Networks(col int) (*Networks, error) {
	checkCol(col)
	ps := make([]prefix, 0, t.Len())
	n4 := 0 // IPv4 networks
	for r := 0; r < t.Len(); r++ {
		p, msg := parsePrefix(t.Field(r, col))
		if msg != "" {
			return nil, &Error{Name: t.name, Line: t.Line(r), Msg: msg}
		}
		p.row = uint32(r)
		ps = append(ps, p)
		if p.is4 {
			n4++
		}
	}
	// IPv4 first, then IPv6, each in the order flatten needs.
	slices.SortFunc(ps, func(a, b prefix) int {
		if a.is4 != b.is4 {
			if a.is4 {
				return -1
			}
			return 1
		}
		return a.compare(b)
	})
	b4 := flatten(ps[:n4], u128{lo: 1<<32 - 1})
	b6 := flatten(ps[n4:], u128{hi: ^uint64(0), lo: ^uint64(0)})
	n := &Networks{
		v4Start: make([]uint32, len(b4)),
		v4Row:   make([]uint32, len(b4)),
		v6Start: make([]uint64, 2*len(b6)),
		v6Row:   make([]uint32, len(b6)),
	}
	for i, b := range b4 {
		n.v4Start[i], n.v4Row[i] = uint32(b.start.lo), b.row
	}
	for i, b := range b6 {
		n.v6Start[2*i], n.v6Start[2*i+1], n.v6Row[i] = b.start.hi, b.start.lo, b.row
	}
	n.v4Bucket = bucketize(len(b4), func(i int) uint32 { return n.v4Start[i] >> 16 })
	n.v6Bucket = bucketize(len(b6), func(i int) uint32 { return uint32(n.v6Start[2*i] >> 48) })
	return n, nil
}

// bucketize returns the bucket array of n sorted range starts whose top 16 bits are top(i).
func bucketize(n int, top func(i int) uint32) []uint32 {
	b := make([]uint32, buckets)
	i := 0
	for v := range b {
		for i < n && top(i) < uint32(v) {
			i++
		}
		b[v] = uint32(i)
	}
	return b
}

// Lookup returns the row of the most specific network that contains a. An IPv4-mapped IPv6
// address is looked up as the IPv4 address it carries. It does not allocate.
func (n *Networks) Lookup(a Addr) (row int, ok bool) {
	a = a.Unmap()
	var r int
	switch a.z {
	case 4:
		v := a.v4()
		lo, hi := bucketRange(n.v4Bucket, v>>16, len(n.v4Row))
		r = search32(n.v4Start, lo, hi, v)
		if r < 0 {
			return -1, false
		}
		r = int(n.v4Row[r])
	case 6:
		lo, hi := bucketRange(n.v6Bucket, uint32(a.hi>>48), len(n.v6Row))
		r = search128(n.v6Start, lo, hi, a.hi, a.lo)
		if r < 0 {
			return -1, false
		}
		r = int(n.v6Row[r])
	default:
		return -1, false
	}
	if r == int(noRow) {
		return -1, false
	}
	return r, true
}

// bucketRange returns the ranges to search for an address in bucket b: from the last range of
// the buckets before (which covers the address when no range of b starts at or below it) to the
// end of b. The bounds are clamped so that a damaged bucket array cannot make a search read
// outside the ranges.
func bucketRange(bucket []uint32, b uint32, ranges int) (lo, hi int) {
	if int(b)+1 >= len(bucket) {
		return 0, ranges
	}
	lo, hi = int(bucket[b]), int(bucket[b+1])
	hi = min(hi, ranges)
	lo = max(min(lo, hi)-1, 0)
	return lo, hi
}

// search32 returns the index of the last element of s[lo:hi] that is <= v, or -1.
func search32(s []uint32, lo, hi int, v uint32) int {
	hi = min(hi, len(s))
	first := lo
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s[m] <= v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == first {
		return -1
	}
	return lo - 1
}

// search128 is search32 for the interleaved 128-bit starts of Networks.v6Start.
func search128(s []uint64, l, h int, hi, lo uint64) int {
	h = min(h, len(s)/2)
	first := l
	for l < h {
		m := int(uint(l+h) >> 1)
		if sh, sl := s[2*m], s[2*m+1]; sh < hi || sh == hi && sl <= lo {
			l = m + 1
		} else {
			h = m
		}
	}
	if l == first {
		return -1
	}
	return l - 1
}

// NetworksLayout is the storage of a Networks index, for storing it in a bundle.
type NetworksLayout struct {
	V4Start, V4Row, V4Bucket []uint32
	V6Start                  []uint64
	V6Row, V6Bucket          []uint32
}

// Layout returns the index's storage; the caller must not modify it.
func (n *Networks) Layout() NetworksLayout {
	return NetworksLayout{n.v4Start, n.v4Row, n.v4Bucket, n.v6Start, n.v6Row, n.v6Bucket}
}

// NetworksFromLayout makes a Networks index of storage returned by Layout, for example the
// bytes of a mapped bundle, checking sizes and the first range of each family but not reading
// the arrays: lookups clamp every index they read, so a damaged array gives wrong rows, never a
// read outside it.
func NetworksFromLayout(l NetworksLayout) (*Networks, error) {
	switch {
	case len(l.V4Row) == 0 || len(l.V4Start) != len(l.V4Row) || len(l.V4Row) > 2*MaxRows+1:
		return nil, fmt.Errorf("%d IPv4 range starts for %d rows", len(l.V4Start), len(l.V4Row))
	case len(l.V6Row) == 0 || len(l.V6Start) != 2*len(l.V6Row) || len(l.V6Row) > 2*MaxRows+1:
		return nil, fmt.Errorf("%d IPv6 range starts for %d rows", len(l.V6Start)/2, len(l.V6Row))
	case len(l.V4Bucket) != buckets || len(l.V6Bucket) != buckets:
		return nil, fmt.Errorf("bucket arrays of %d and %d entries, not %d", len(l.V4Bucket), len(l.V6Bucket), buckets)
	case l.V4Start[0] != 0 || l.V6Start[0] != 0 || l.V6Start[1] != 0:
		return nil, fmt.Errorf("the first range does not start at address 0")
	}
	return &Networks{v4Start: l.V4Start, v4Row: l.V4Row, v6Start: l.V6Start, v6Row: l.V6Row,
		v4Bucket: l.V4Bucket, v6Bucket: l.V6Bucket}, nil
}

// u128 is an address as a number, for building; IPv4 uses the low 32 bits.
type u128 struct{ hi, lo uint64 }

func (a u128) compare(b u128) int {
	if c := cmp.Compare(a.hi, b.hi); c != 0 {
		return c
	}
	return cmp.Compare(a.lo, b.lo)
}

// next returns a+1; the caller makes sure a is not the top of the space.
func (a u128) next() u128 {
	a.lo++
	if a.lo == 0 {
		a.hi++
	}
	return a
}

// A prefix is one key of the file as the range of addresses it covers.
type prefix struct {
	first, last u128
	bits        int // the prefix length in its own family (0..32 for IPv4)
	row         uint32
	is4         bool
}

// parsePrefix parses an address or CIDR network; it returns the error message when b is neither.
func parsePrefix(b []byte) (prefix, string) {
	text, bitsText, slash := bytes.Cut(b, []byte{'/'})
	a, ok := ParseAddr(text)
	if !ok {
		return prefix{}, fmt.Sprintf("%q is not an IP address or network", b)
	}
	width := 128
	if a.Is4() {
		width = 32
	}
	bits := width
	if slash {
		if bits, ok = parseBits(bitsText); !ok {
			return prefix{}, fmt.Sprintf("%s: prefix length %q is not a decimal number", b, bitsText)
		}
		if bits > width {
			return prefix{}, fmt.Sprintf("%s: prefix length %d out of range (0..%d)", b, bits, width)
		}
	}
	if a.Is4() {
		v := a.v4()
		host := ^uint32(0) >> bits // Go defines a shift by 32 as 0: a /32 has no host bits
		if v&host != 0 {
			return prefix{}, hostBitsSet(b, AddrFrom4(be4(v&^host)), bits)
		}
		return prefix{first: u128{lo: uint64(v)}, last: u128{lo: uint64(v | host)}, bits: bits, is4: true}, ""
	}
	host := u128{hi: ^uint64(0) >> min(bits, 64), lo: ^uint64(0) >> max(bits-64, 0)}
	if a.hi&host.hi != 0 || a.lo&host.lo != 0 {
		return prefix{}, hostBitsSet(b, Addr{hi: a.hi &^ host.hi, lo: a.lo &^ host.lo, z: 6}, bits)
	}
	if a.Is4In6() && bits >= 96 {
		// The network lies in ::ffff:0:0/96: it is the IPv4 network it maps.
		v, host := a.v4(), ^uint32(0)>>(bits-96)
		return prefix{first: u128{lo: uint64(v)}, last: u128{lo: uint64(v | host)}, bits: bits - 96, is4: true}, ""
	}
	return prefix{first: u128{a.hi, a.lo}, last: u128{a.hi | host.hi, a.lo | host.lo}, bits: bits}, ""
}

func hostBitsSet(b []byte, network Addr, bits int) string {
	return fmt.Sprintf("%s: host bits set; did you mean %s/%d?", b, network, bits)
}

func be4(v uint32) [4]byte { return [4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }

// parseBits parses a prefix length: decimal digits without sign or leading zero.
func parseBits(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 3 || len(b) > 1 && b[0] == '0' {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// A bound starts a range of the flattened space: from start up to the next bound's start, row
// answers (noRow: no network covers the range).
type bound struct {
	start u128
	row   uint32
}

// compare orders prefixes of one family for flatten: by address; at the same first address the
// wider network first, so that it is under the narrower one on the stack; then in file order, so
// that of identical networks the first row is the one kept.
func (a prefix) compare(b prefix) int {
	if c := a.first.compare(b.first); c != 0 {
		return c
	}
	if c := cmp.Compare(a.bits, b.bits); c != 0 {
		return c
	}
	return cmp.Compare(a.row, b.row)
}

// flatten turns the prefixes of one family, sorted by prefix.compare, whose space ends at top,
// into the sorted bounds of non-overlapping ranges. CIDR networks are either nested or disjoint,
// so a sweep in address order with a stack of the networks that cover the current address sees
// at every point the most specific network on top.
func flatten(ps []prefix, top u128) []bound {
	ps = slices.CompactFunc(ps, func(a, b prefix) bool { return a.first == b.first && a.bits == b.bits })

	// Each network adds at most two bounds: where it starts and where it ends.
	out := make([]bound, 1, 1+2*len(ps))
	out[0].row = noRow
	var stack []prefix
	pop := func() {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if p.last == top {
			return // nothing follows it; the networks under it end at the top too
		}
		row := noRow
		if len(stack) > 0 {
			row = stack[len(stack)-1].row
		}
		out = emit(out, p.last.next(), row)
	}
	for _, p := range ps {
		for len(stack) > 0 && stack[len(stack)-1].last.compare(p.first) < 0 {
			pop()
		}
		stack = append(stack, p)
		out = emit(out, p.first, p.row)
	}
	for len(stack) > 0 {
		pop()
	}
	return out
}

// emit appends a bound. Bounds come in non-decreasing order of start; a later bound at the same
// start replaces the earlier one (it is the more specific network, or the one that covers the
// address after a network ends), and a bound with the row of the range before it is not needed.
func emit(out []bound, start u128, row uint32) []bound {
	if n := len(out); n > 0 && out[n-1].start == start {
		out = out[:n-1]
	}
	if n := len(out); n > 0 && out[n-1].row == row {
		return out
	}
	return append(out, bound{start, row})
}
