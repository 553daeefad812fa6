package datafile

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// Lookups run once per condition per message: zero allocations is part of their contract.
func TestLookupsDoNotAllocate(t *testing.T) {
	tab := mustParse(t, "1800,a\nAlice,b\n10.0.0.0/8,c\n2001:db8::/32,d\n")
	exact, fold := tab.Index(1, false), tab.Index(1, true)
	nets, err := mustParse(t, "10.0.0.0/8\n10.1.0.0/16\n2001:db8::/32\n").Networks(1)
	if err != nil {
		t.Fatal(err)
	}
	key, foldKey, missing := []byte("1800"), []byte("ALICE"), []byte("1900")
	v4, v6, mapped := mustAddr(t, "10.1.2.3"), mustAddr(t, "2001:db8::1"), mustAddr(t, "::ffff:10.1.2.3")
	texts := [][]byte{
		[]byte("10.1.2.3"), []byte("IN IP4 192.0.2.10"), []byte("192.0.2.1:5060"),
		[]byte("[2001:db8::1]:5060"), []byte("[2001:db8::1]"), []byte("junk"),
	}
	tests := []struct {
		name string
		f    func()
	}{
		{"Index.Lookup exact", func() { exact.Lookup(key); exact.Lookup(missing) }},
		{"Index.Lookup fold", func() { fold.Lookup(foldKey); fold.Lookup(missing) }},
		{"Networks.Lookup", func() { nets.Lookup(v4); nets.Lookup(v6); nets.Lookup(mapped) }},
		{"ParseAddr", func() {
			ParseAddr([]byte("192.0.2.1"))
			ParseAddr([]byte("2001:db8::ffff:192.0.2.1"))
			ParseAddr([]byte("nonsense"))
		}},
		{"AddrFromText", func() {
			for _, l := range texts {
				AddrFromText(l)
			}
		}},
		{"Table.Field", func() { tab.Field(1, 2); tab.Field(1, 9) }},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(100, tt.f); n != 0 {
			t.Errorf("%s: %v allocations per run, want 0", tt.name, n)
		}
	}
}

const benchRows = 100_000

// benchTable returns a table of benchRows rows: a phone number, a mixed-case user name, and an
// IPv4 or IPv6 network; and keys to look up, every tenth one missing.
func benchTable(b *testing.B) (tab *Table, numbers, users [][]byte, addrs []Addr) {
	rng := rand.New(rand.NewPCG(1, 2))
	var csv strings.Builder
	for i := range benchRows {
		n := rng.Uint32()
		fmt.Fprintf(&csv, "+1555%07d,User%06dAbC,", i, i)
		switch i % 4 {
		case 0:
			fmt.Fprintf(&csv, "%d.%d.0.0/16\n", n>>24, n>>16&0xff)
		case 1, 2:
			fmt.Fprintf(&csv, "%d.%d.%d.0/24\n", n>>24, n>>16&0xff, n>>8&0xff)
		case 3:
			fmt.Fprintf(&csv, "2001:db8:%x::/48\n", n&0xffff)
		}
	}
	tab, err := Parse("bench.csv", []byte(csv.String()))
	if err != nil {
		b.Fatal(err)
	}
	for i := range 1024 {
		r := rng.IntN(benchRows)
		if i%10 == 0 {
			r += benchRows
		}
		numbers = append(numbers, fmt.Appendf(nil, "+1555%07d", r))
		users = append(users, fmt.Appendf(nil, "uSER%06dabc", r))
		addrs = append(addrs, AddrFrom4([4]byte{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())}))
	}
	return tab, numbers, users, addrs
}

func BenchmarkIndexLookupExact(b *testing.B) {
	tab, numbers, _, _ := benchTable(b)
	ix := tab.Index(1, false)
	b.ReportAllocs()
	b.SetBytes(int64(len(numbers[0])))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ix.Lookup(numbers[i%len(numbers)])
	}
}

func BenchmarkIndexLookupFold(b *testing.B) {
	tab, _, users, _ := benchTable(b)
	ix := tab.Index(2, true)
	b.ReportAllocs()
	b.SetBytes(int64(len(users[0])))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ix.Lookup(users[i%len(users)])
	}
}

func BenchmarkNetworksLookup(b *testing.B) {
	tab, _, _, addrs := benchTable(b)
	nets, err := tab.Networks(3)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		nets.Lookup(addrs[i%len(addrs)])
	}
}

func BenchmarkAddrFromText(b *testing.B) {
	l := []byte("IN IP4 192.0.2.10")
	b.ReportAllocs()
	b.SetBytes(int64(len(l)))
	for b.Loop() {
		AddrFromText(l)
	}
}

func BenchmarkParse(b *testing.B) {
	var csv strings.Builder
	for i := range benchRows {
		fmt.Fprintf(&csv, "+1555%07d, \"User %d, \"\"the\"\" user\" ,10.%d.%d.0/24\n", i, i, i>>8&0xff, i&0xff)
	}
	data := []byte(csv.String())
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("bench.csv", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuild(b *testing.B) {
	tab, _, _, _ := benchTable(b)
	b.Run("Index", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tab.Index(1, false)
		}
	})
	b.Run("IndexFold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tab.Index(2, true)
		}
	})
	b.Run("Networks", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := tab.Networks(3); err != nil {
				b.Fatal(err)
			}
		}
	})
}
