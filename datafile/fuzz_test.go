package datafile

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

// FuzzParseAddr holds ParseAddr to net/netip, which accepts the same text forms plus zones, and
// checks that it never allocates.
func FuzzParseAddr(f *testing.F) {
	for _, s := range []string{"192.0.2.1", "::", "::ffff:1.2.3.4", "2001:db8::1", "1:2:3:4:5:6:7:8", "01.2.3.4", "1::2::3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := ParseAddr([]byte(s))
		ref, err := netip.ParseAddr(s)
		if ref.Zone() != "" {
			err = errZone
		}
		if ok != (err == nil) {
			t.Fatalf("ParseAddr(%q) ok = %v; netip: %v", s, ok, err)
		}
		if ok && (a.String() != ref.String() || a.Is4() != ref.Is4()) {
			t.Fatalf("ParseAddr(%q) = %v; netip: %v", s, a, ref)
		}
		b := []byte(s)
		if n := testing.AllocsPerRun(10, func() { ParseAddr(b); AddrFromText(b) }); n != 0 {
			t.Fatalf("ParseAddr/AddrFromText(%q): %v allocations", s, n)
		}
	})
}

var errZone = errors.New("zones are not addresses here")

// FuzzParse parses arbitrary data as a data file and checks what it gets against simple readings:
//
//   - Written back as CSV with every field quoted, the table parses again to the same fields.
//   - Its Layout, wrapped again by FromLayout (as a mapped bundle is), gives the same fields.
//   - The exact and ASCII-folded indexes of columns 1 and 2 find, for every row's key, the first
//     row in file order whose key is equal (or equal under ASCII folding), found by a linear scan.
//   - When column 1 builds a network index, the first and last address of every row's network
//     find the row of the most specific network that holds them (the first row in file order for
//     identical networks), found by a linear scan with net/netip.
//   - The prefix index of columns 1 and 2 finds, for every key, each of its prefixes and the key
//     with a byte more, the first row of the longest key that is a prefix (SMC-SPEC §5), as a
//     linear scan does, and so does the index rebuilt from its layout.
//
// The seeds in testdata/fuzz/FuzzParse are the data files of the examples and of the conformance
// suite (testdata/README.md).
func FuzzParse(f *testing.F) {
	for _, s := range []string{"a,b\nc\n", "\"a\"\"b\",\" c \"\r\n# x\n\n", "\xEF\xBB\xBFk,\"1\n2\"", "a\"b", "\"a\"b"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := Parse("fuzz.csv", data)
		if err != nil {
			return
		}
		checkQuotedRoundTrip(t, tab)
		again, err := FromLayout("layout", tab.Layout())
		if err != nil {
			t.Fatalf("FromLayout of a parsed table: %v", err)
		}
		if got, want := dump(again), dump(tab); got != want {
			t.Fatalf("FromLayout = %q, want %q", got, want)
		}
		if tab.Len() > 300 {
			return // the linear scans below are quadratic
		}
		for col := 1; col <= 2; col++ {
			checkIndex(t, tab, col, false)
			checkIndex(t, tab, col, true)
			checkPrefixes(t, tab, col)
		}
		if nets, err := tab.Networks(1); err == nil {
			checkNetworks(t, tab, nets)
		}
	})
}

func checkQuotedRoundTrip(t *testing.T, tab *Table) {
	var out bytes.Buffer
	for r := 0; r < tab.Len(); r++ {
		for c := 1; c <= tab.NumFields(r); c++ {
			if c > 1 {
				out.WriteByte(',')
			}
			out.WriteByte('"')
			out.Write(bytes.ReplaceAll(tab.Field(r, c), []byte{'"'}, []byte(`""`)))
			out.WriteByte('"')
		}
		out.WriteByte('\n')
	}
	again, err := Parse("again.csv", out.Bytes())
	if err != nil {
		t.Fatalf("reparse of %q: %v", out.Bytes(), err)
	}
	if got, want := dump(again), dump(tab); got != want {
		t.Fatalf("reparse = %q, want %q", got, want)
	}
}

// checkIndex looks up every row's key in column col and compares with a linear scan.
func checkIndex(t *testing.T, tab *Table, col int, fold bool) {
	ix := tab.Index(col, fold)
	first := func(key []byte) int {
		for r := 0; r < tab.Len(); r++ {
			if k := tab.Field(r, col); bytes.Equal(k, key) || fold && bytes.Equal(asciiLower(k), asciiLower(key)) {
				return r
			}
		}
		return -1
	}
	for r := 0; r < tab.Len(); r++ {
		key := tab.Field(r, col)
		for _, k := range [][]byte{key, append(bytes.Clone(key), 'x')} {
			want := first(k)
			row, ok := ix.Lookup(k)
			if ok != (want >= 0) || ok && row != want {
				t.Fatalf("Index(%d, fold %v).Lookup(%q) = %d, %v; a linear scan finds row %d", col, fold, k, row, ok, want)
			}
		}
	}
}

// checkPrefixes routes every row's key, its prefixes and the key with a byte more through the
// prefix index, built and rebuilt from its layout, and compares with a linear scan.
func checkPrefixes(t *testing.T, tab *Table, col int) {
	p := tab.Prefixes(col)
	again, err := PrefixesFromLayout(p.Index(), p.Layout())
	if err != nil {
		t.Fatalf("PrefixesFromLayout of a built index: %v", err)
	}
	for r := 0; r < tab.Len(); r++ {
		key := tab.Field(r, col)
		texts := [][]byte{append(bytes.Clone(key), 'x')}
		for n := 0; n <= len(key); n++ {
			texts = append(texts, key[:n])
		}
		for _, text := range texts {
			want := linearPrefix(tab, col, text)
			for _, ix := range []*Prefixes{p, again} {
				row, ok := ix.Lookup(text)
				if ok != (want >= 0) || ok && row != want {
					t.Fatalf("Prefixes(%d).Lookup(%q) = %d, %v; a linear scan finds row %d", col, text, row, ok, want)
				}
			}
		}
	}
}

// asciiLower folds A-Z only, as the folded index does (bytes.EqualFold also folds Unicode).
func asciiLower(b []byte) []byte {
	out := bytes.Clone(b)
	for i, c := range out {
		if 'A' <= c && c <= 'Z' {
			out[i] = c + 'a' - 'A'
		}
	}
	return out
}

// checkNetworks looks up the first and last address of every row's network and compares with a
// linear scan over the rows' networks read by net/netip.
func checkNetworks(t *testing.T, tab *Table, nets *Networks) {
	prefixes := make([]netip.Prefix, tab.Len())
	for r := range prefixes {
		key := string(tab.Field(r, 1))
		p, err := netip.ParsePrefix(key)
		if err != nil {
			a, err := netip.ParseAddr(key)
			if err != nil {
				t.Fatalf("Networks accepted %q, which net/netip does not read", key)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 { // a mapped network is the IPv4 network it maps
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		prefixes[r] = p
	}
	best := func(a netip.Addr) int {
		row := -1
		for r, p := range prefixes {
			if p.Contains(a) && (row < 0 || p.Bits() > prefixes[row].Bits()) {
				row = r
			}
		}
		return row
	}
	for _, p := range prefixes {
		for _, a := range []netip.Addr{p.Addr(), lastAddr(p)} {
			da, _ := ParseAddr([]byte(a.String()))
			row, ok := nets.Lookup(da)
			// Lookup takes an IPv4-mapped address for the IPv4 address it carries, which no
			// IPv6 network holds: the last address of ::/80 is ::ffff:255.255.255.255, which
			// only IPv4 networks (and mapped ones, read as IPv4) can hold.
			if want := best(a.Unmap()); ok != (want >= 0) || row != want {
				t.Fatalf("Networks.Lookup(%v) = %d, %v; a linear scan finds row %d", a, row, ok, want)
			}
		}
	}
}

func dump(t *Table) string {
	got, _ := rows(t)
	var b bytes.Buffer
	for _, row := range got {
		for _, f := range row {
			b.WriteString(f)
			b.WriteByte(0)
		}
		b.WriteByte(1)
	}
	return b.String()
}
