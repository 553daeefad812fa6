package datafile

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func mustAddr(t testing.TB, s string) Addr {
	t.Helper()
	a, ok := ParseAddr([]byte(s))
	if !ok {
		t.Fatalf("ParseAddr(%q) failed", s)
	}
	return a
}

func mustNetworks(t testing.TB, in string) *Networks {
	t.Helper()
	n, err := mustParse(t, in).Networks(1)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

type lookupCase struct {
	addr string
	row  int // -1: no network
}

func checkLookups(t *testing.T, n *Networks, tests []lookupCase) {
	t.Helper()
	for _, tt := range tests {
		row, ok := n.Lookup(mustAddr(t, tt.addr))
		if !ok {
			row = -1
		}
		if row != tt.row {
			t.Errorf("Lookup(%s) = %d, want %d", tt.addr, row, tt.row)
		}
	}
}

func TestNetworksLookup(t *testing.T) {
	tests := []struct {
		name  string
		table string
		cases []lookupCase
	}{
		{
			"nested, most specific wins",
			"10.0.0.0/8\n10.1.0.0/16\n10.1.2.0/24\n10.1.2.3\n",
			[]lookupCase{
				{"9.255.255.255", -1}, {"10.0.0.0", 0}, {"10.0.255.255", 0}, {"10.1.0.0", 1},
				{"10.1.2.0", 2}, {"10.1.2.2", 2}, {"10.1.2.3", 3}, {"10.1.2.4", 2}, {"10.1.2.255", 2},
				{"10.1.3.0", 1}, {"10.1.255.255", 1}, {"10.2.0.0", 0}, {"10.255.255.255", 0},
				{"11.0.0.0", -1},
			},
		},
		{
			"nested in file order from most specific",
			"10.1.2.3/32\n10.1.2.0/24\n10.0.0.0/8\n",
			[]lookupCase{{"10.1.2.3", 0}, {"10.1.2.4", 1}, {"10.9.9.9", 2}, {"11.0.0.0", -1}},
		},
		{
			"nested networks ending together",
			"10.0.0.0/8\n10.255.0.0/16\n10.255.255.0/24\n10.255.255.255\n",
			[]lookupCase{
				{"10.254.255.255", 0}, {"10.255.0.0", 1}, {"10.255.254.255", 1}, {"10.255.255.0", 2},
				{"10.255.255.254", 2}, {"10.255.255.255", 3}, {"11.0.0.0", -1},
			},
		},
		{
			"default route",
			"0.0.0.0/0\n192.168.0.0/16\n",
			[]lookupCase{
				{"0.0.0.0", 0}, {"192.167.255.255", 0}, {"192.168.1.1", 1}, {"192.169.0.0", 0},
				{"255.255.255.255", 0},
			},
		},
		{
			"adjacent ranges",
			"192.168.50.0/23\n192.168.52.0/24\n192.168.53.0/24\n",
			[]lookupCase{
				{"192.168.49.255", -1}, {"192.168.50.0", 0}, {"192.168.51.255", 0}, {"192.168.52.0", 1},
				{"192.168.52.255", 1}, {"192.168.53.0", 2}, {"192.168.53.255", 2}, {"192.168.54.0", -1},
			},
		},
		{
			"adjacent ranges, same row twice",
			"10.0.0.0/8\n10.0.0.0/8\n11.0.0.0/8\n",
			[]lookupCase{{"10.0.0.1", 0}, {"11.0.0.1", 2}},
		},
		{
			"identical networks: first row wins",
			"10.0.0.0/8\n172.16.0.0/12\n10.0.0.0/8\n172.16.0.0/12\n",
			[]lookupCase{{"10.1.1.1", 0}, {"172.16.0.1", 1}, {"172.31.255.255", 1}, {"172.32.0.0", -1}},
		},
		{
			"host addresses",
			"192.0.2.1\n192.0.2.2/32\n2001:db8::1\n2001:db8::2/128\n",
			[]lookupCase{
				{"192.0.2.0", -1}, {"192.0.2.1", 0}, {"192.0.2.2", 1}, {"192.0.2.3", -1},
				{"2001:db8::", -1}, {"2001:db8::1", 2}, {"2001:db8::2", 3}, {"2001:db8::3", -1},
			},
		},
		{
			"top of IPv4",
			"255.255.255.255\n255.255.255.0/24\n0.0.0.0\n",
			[]lookupCase{
				{"255.255.255.255", 0}, {"255.255.255.254", 1}, {"255.255.255.0", 1},
				{"255.255.254.255", -1}, {"0.0.0.0", 2}, {"0.0.0.1", -1},
			},
		},
		{
			"top of IPv6",
			"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\nffff:ffff:ffff:ffff::/64\n::/0\n::\n",
			[]lookupCase{
				{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0}, {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 1},
				{"ffff:ffff:ffff:ffff::", 1}, {"ffff:ffff:ffff:fffe:ffff:ffff:ffff:ffff", 2},
				{"::", 3}, {"::1", 2}, {"2001:db8::1", 2},
			},
		},
		{
			"IPv6 across the 64-bit halves",
			"2001:db8::/32\n2001:db8:0:1::/64\n2001:db8:0:1:8000::/65\n2001:db8:0:2::/63\n",
			[]lookupCase{
				{"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", -1}, {"2001:db8::", 0},
				{"2001:db8:0:0:ffff:ffff:ffff:ffff", 0}, {"2001:db8:0:1::", 1},
				{"2001:db8:0:1:7fff:ffff:ffff:ffff", 1}, {"2001:db8:0:1:8000::", 2},
				{"2001:db8:0:1:ffff:ffff:ffff:ffff", 2}, {"2001:db8:0:2::", 3},
				{"2001:db8:0:3:ffff:ffff:ffff:ffff", 3}, {"2001:db8:0:4::", 0},
				{"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 0}, {"2001:db9::", -1},
			},
		},
		{
			"IPv4 and IPv6 are separate spaces",
			"::/0\n",
			[]lookupCase{{"::", 0}, {"::1.2.3.4", 0}, {"1.2.3.4", -1}, {"::ffff:1.2.3.4", -1}, {"0.0.0.0", -1}},
		},
		{
			"IPv4 default does not match IPv6",
			"0.0.0.0/0\n",
			[]lookupCase{{"1.2.3.4", 0}, {"::", -1}, {"::1.2.3.4", -1}, {"::ffff:1.2.3.4", 0}},
		},
		{
			"IPv4-mapped addresses look up as IPv4",
			"192.0.2.0/24\n2001:db8::/32\n",
			[]lookupCase{{"::ffff:192.0.2.7", 0}, {"::ffff:c000:207", 0}, {"::ffff:192.0.3.7", -1}, {"2001:db8::1", 1}},
		},
		{
			"IPv4-mapped networks are IPv4 networks",
			"::ffff:10.0.0.0/104\n::ffff:10.1.2.3\n::ffff:0:0/96\n::fffe:0:0/95\n",
			[]lookupCase{
				{"10.9.9.9", 0}, {"::ffff:10.9.9.9", 0}, {"10.1.2.3", 1}, {"11.0.0.0", 2},
				{"255.255.255.255", 2}, {"::fffe:0:0", 3}, {"::", -1},
			},
		},
		{
			"mixed IPv4 and IPv6",
			"192.0.2.0/24\n2001:db8::/32\n192.0.2.128/25\n2001:db8:1::/48\n",
			[]lookupCase{
				{"192.0.2.1", 0}, {"192.0.2.129", 2}, {"2001:db8::1", 1}, {"2001:db8:1::1", 3},
				{"2001:db9::", -1}, {"192.0.3.0", -1},
			},
		},
		{
			"empty table",
			"# no rows\n",
			[]lookupCase{{"0.0.0.0", -1}, {"255.255.255.255", -1}, {"::", -1}, {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", -1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLookups(t, mustNetworks(t, tt.table), tt.cases)
		})
	}
}

func TestNetworksLookupInvalidAddr(t *testing.T) {
	n := mustNetworks(t, "0.0.0.0/0\n::/0\n")
	if row, ok := n.Lookup(Addr{}); ok {
		t.Errorf("Lookup(Addr{}) = %d, want not found", row)
	}
}

func TestNetworksColumn(t *testing.T) {
	tab := mustParse(t, "office,10.0.0.0/8\nlab,10.1.0.0/16\n")
	n, err := tab.Networks(2)
	if err != nil {
		t.Fatal(err)
	}
	checkLookups(t, n, []lookupCase{{"10.1.0.1", 1}, {"10.2.0.1", 0}})
	if _, err := tab.Networks(1); err == nil || err.Error() != `f.csv:1: "office" is not an IP address or network` {
		t.Errorf("Networks(1) error = %v", err)
	}
}

func TestNetworksErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"10.0.0.0/8\n192.168.1.1/24\n", "f.csv:2: 192.168.1.1/24: host bits set; did you mean 192.168.1.0/24?"},
		{"10.0.0.1/0\n", "f.csv:1: 10.0.0.1/0: host bits set; did you mean 0.0.0.0/0?"},
		{"2001:db8::1/32\n", "f.csv:1: 2001:db8::1/32: host bits set; did you mean 2001:db8::/32?"},
		{"2001:db8:0:0:8000::/64\n", "f.csv:1: 2001:db8:0:0:8000::/64: host bits set; did you mean 2001:db8::/64?"},
		{"::1/127\n", "f.csv:1: ::1/127: host bits set; did you mean ::/127?"},
		{"::ffff:10.0.0.1/104\n", "f.csv:1: ::ffff:10.0.0.1/104: host bits set; did you mean ::ffff:10.0.0.0/104?"},
		{"10.0.0.0/33\n", "f.csv:1: 10.0.0.0/33: prefix length 33 out of range (0..32)"},
		{"::/129\n", "f.csv:1: ::/129: prefix length 129 out of range (0..128)"},
		{"10.0.0.0/\n", `f.csv:1: 10.0.0.0/: prefix length "" is not a decimal number`},
		{"10.0.0.0/08\n", `f.csv:1: 10.0.0.0/08: prefix length "08" is not a decimal number`},
		{"10.0.0.0/-1\n", `f.csv:1: 10.0.0.0/-1: prefix length "-1" is not a decimal number`},
		{"10.0.0.0/1000\n", `f.csv:1: 10.0.0.0/1000: prefix length "1000" is not a decimal number`},
		{"10.0.0.0/8/8\n", `f.csv:1: 10.0.0.0/8/8: prefix length "8/8" is not a decimal number`},
		{"# comment\n\nexample.com\n", `f.csv:3: "example.com" is not an IP address or network`},
		{"10.0.0.0\n,x\n", `f.csv:2: "" is not an IP address or network`},
		{"fe80::1%eth0\n", `f.csv:1: "fe80::1%eth0" is not an IP address or network`},
		{"[::1]\n", `f.csv:1: "[::1]" is not an IP address or network`},
		{"10.0.0/24\n", `f.csv:1: "10.0.0/24" is not an IP address or network`},
		{"/24\n", `f.csv:1: "/24" is not an IP address or network`},
	}
	for _, tt := range tests {
		_, err := mustParse(t, tt.in).Networks(1)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Networks(%q) error = %v, want %q", tt.in, err, tt.want)
		}
	}
}

// The flattened ranges are as few as the networks allow: equal neighbours are merged.
func TestNetworksRanges(t *testing.T) {
	n := mustNetworks(t, "10.0.0.0/8\n10.0.0.0/9\n10.128.0.0/9\n0.0.0.0/0\n")
	// 0/0 covers everything; the /8 is split into two /9s with their own rows.
	want := []string{"0.0.0.0 row 3", "10.0.0.0 row 1", "10.128.0.0 row 2", "11.0.0.0 row 3"}
	var got []string
	for i, s := range n.v4Start {
		got = append(got, fmt.Sprintf("%s row %d", AddrFrom4(be4(s)), int32(n.v4Row[i])))
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("ranges = %q, want %q", got, want)
	}
}

// TestNetworksRandom checks Lookup against a linear scan for the most specific network, over
// random networks that are made to nest, overlap and repeat.
func TestNetworksRandom(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { checkRandom(t, rand.New(rand.NewPCG(seed, 0))) })
	}
}

func checkRandom(t *testing.T, rng *rand.Rand) {
	// A few bases and masks per family keep the networks close together, so they nest; the
	// extremes of both spaces are among the bases.
	var bases []netip.Addr
	for range 8 {
		bases = append(bases, randAddr(rng, true), randAddr(rng, false))
	}
	bases = append(bases,
		netip.MustParseAddr("0.0.0.0"), netip.MustParseAddr("255.255.255.255"),
		netip.MustParseAddr("::"), netip.MustParseAddr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))

	const numPrefixes = 3000
	var prefixes []netip.Prefix
	var csv strings.Builder
	for range numPrefixes {
		base := bases[rng.IntN(len(bases))]
		bits := rng.IntN(base.BitLen() + 1)
		if rng.IntN(4) > 0 { // mostly long prefixes: many small networks inside a few big ones
			bits = base.BitLen() - rng.IntN(base.BitLen()/4+1)
		}
		p := netip.PrefixFrom(jitter(rng, base, bits), bits).Masked()
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			// Networks reads this as an IPv4 network: so must the brute force.
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		prefixes = append(prefixes, p)
		if p.Addr().Is4() && rng.IntN(5) == 0 {
			// The same network written IPv4-mapped.
			fmt.Fprintf(&csv, "::ffff:%s/%d,x\n", p.Addr(), p.Bits()+96)
		} else {
			fmt.Fprintf(&csv, "%s,x\n", p)
		}
	}
	n := mustNetworks(t, csv.String())

	for range 5000 {
		a := jitter(rng, bases[rng.IntN(len(bases))], rng.IntN(33))
		if rng.IntN(3) == 0 { // the first or last address of a network, where ranges change
			p := prefixes[rng.IntN(len(prefixes))]
			a = p.Addr()
			if rng.IntN(2) == 0 {
				a = lastAddr(p)
			}
		}
		want := bruteForce(prefixes, a)
		q := AddrFrom16(a.As16())
		if a.Is4() {
			q = AddrFrom4(a.As4())
			if rng.IntN(4) == 0 {
				q = AddrFrom16(a.As16()) // IPv4-mapped: must find the same row
			}
		}
		row, ok := n.Lookup(q)
		if !ok {
			row = -1
		}
		if row != want {
			t.Fatalf("Lookup(%v) = %d, want %d (%v)", q, row, want, prefixAt(prefixes, want))
		}
	}
}

func prefixAt(ps []netip.Prefix, i int) any {
	if i < 0 {
		return "no network"
	}
	return ps[i]
}

// bruteForce returns the first of the longest prefixes that contain a, or -1. Like Lookup, it
// looks up an IPv4-mapped address as IPv4.
func bruteForce(ps []netip.Prefix, a netip.Addr) int {
	a = a.Unmap()
	best := -1
	for i, p := range ps {
		if p.Contains(a) && (best < 0 || p.Bits() > ps[best].Bits()) {
			best = i
		}
	}
	return best
}

func randAddr(rng *rand.Rand, is4 bool) netip.Addr {
	if is4 {
		var b [4]byte
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return netip.AddrFrom4(b)
	}
	var b [16]byte
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	if b[0] == 0 {
		b[0] = 1 // keep random IPv6 bases out of the IPv4-mapped range
	}
	return netip.AddrFrom16(b)
}

// jitter returns a with random bits below the top bits (of up to bits+8) flipped, so results
// stay near a.
func jitter(rng *rand.Rand, a netip.Addr, bits int) netip.Addr {
	keep := min(a.BitLen(), bits+rng.IntN(9))
	b := a.AsSlice()
	for i := keep; i < a.BitLen(); i++ {
		if rng.IntN(2) == 0 {
			b[i/8] ^= 0x80 >> (i % 8)
		}
	}
	r, _ := netip.AddrFromSlice(b)
	return r
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	r, _ := netip.AddrFromSlice(b)
	return r
}

// An index rebuilt from its storage answers like the original; damaged bucket arrays and rows give
// wrong or no rows, never a read outside the arrays.
func TestNetworksFromLayout(t *testing.T) {
	n := mustNetworks(t, "10.0.0.0/8\n10.1.0.0/16\n2001:db8::/32\n192.0.2.1\n")
	l := n.Layout()
	back, err := NetworksFromLayout(l)
	if err != nil {
		t.Fatal(err)
	}
	addrs := []string{"10.1.2.3", "10.2.0.0", "192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db9::", "::ffff:10.1.0.0"}
	for _, s := range addrs {
		a := mustAddr(t, s)
		r1, ok1 := n.Lookup(a)
		r2, ok2 := back.Lookup(a)
		if r1 != r2 || ok1 != ok2 {
			t.Errorf("Lookup(%s): %d %v, rebuilt %d %v", s, r1, ok1, r2, ok2)
		}
	}
	damaged := NetworksLayout{
		V4Start: l.V4Start, V4Row: l.V4Row, V6Start: l.V6Start, V6Row: l.V6Row,
		V4Bucket: slices.Clone(l.V4Bucket), V6Bucket: slices.Clone(l.V6Bucket),
	}
	for i := range damaged.V4Bucket {
		damaged.V4Bucket[i] = uint32(i * 7919)
		damaged.V6Bucket[i] = ^uint32(0) - uint32(i)
	}
	back, err = NetworksFromLayout(damaged)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range addrs {
		back.Lookup(mustAddr(t, s))
	}
	for _, bad := range []NetworksLayout{
		{V4Start: l.V4Start[1:], V4Row: l.V4Row, V4Bucket: l.V4Bucket, V6Start: l.V6Start, V6Row: l.V6Row, V6Bucket: l.V6Bucket},
		{V4Start: l.V4Start, V4Row: l.V4Row, V4Bucket: l.V4Bucket[1:], V6Start: l.V6Start, V6Row: l.V6Row, V6Bucket: l.V6Bucket},
		{V4Start: l.V4Start, V4Row: l.V4Row, V4Bucket: l.V4Bucket, V6Start: l.V6Start[2:], V6Row: l.V6Row[1:], V6Bucket: l.V6Bucket},
		{V4Start: l.V4Start, V4Row: l.V4Row, V4Bucket: l.V4Bucket, V6Start: nil, V6Row: nil, V6Bucket: l.V6Bucket},
	} {
		if _, err := NetworksFromLayout(bad); err == nil {
			t.Errorf("NetworksFromLayout accepted %d/%d IPv4 starts/rows, %d/%d IPv6", len(bad.V4Start), len(bad.V4Row), len(bad.V6Start), len(bad.V6Row))
		}
	}
}
