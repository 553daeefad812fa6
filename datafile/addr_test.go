package datafile

import (
	"net/netip"
	"testing"
)

func TestParseAddr(t *testing.T) {
	tests := []struct {
		in   string
		want string // canonical form; "" when in is not an address
		is4  bool
	}{
		// IPv4.
		{"0.0.0.0", "0.0.0.0", true},
		{"192.0.2.1", "192.0.2.1", true},
		{"255.255.255.255", "255.255.255.255", true},
		{"10.0.0.10", "10.0.0.10", true},
		{"256.0.0.1", "", false},
		{"1.2.3", "", false},
		{"1.2.3.4.5", "", false},
		{"1.2.3.", "", false},
		{".1.2.3", "", false},
		{"1..2.3", "", false},
		{"01.2.3.4", "", false},
		{"1.2.3.00", "", false},
		{"1.2.3.1000", "", false},
		{"1.2.3.4 ", "", false},
		{" 1.2.3.4", "", false},
		{"1.2.3.-4", "", false},
		{"1.2.3.+4", "", false},
		{"0x1.2.3.4", "", false},
		{"1.2.3.4/32", "", false},
		{"", "", false},
		{".", "", false},

		// IPv6.
		{"::", "::", false},
		{"::1", "::1", false},
		{"1::", "1::", false},
		{"2001:db8::1", "2001:db8::1", false},
		{"2001:DB8::A:b", "2001:db8::a:b", false},
		{"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1", false},
		{"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8", false},
		{"1:0:0:4:0:0:0:8", "1:0:0:4::8", false},      // the longest run
		{"1:0:0:4:5:0:0:8", "1::4:5:0:0:8", false},    // the first of equal runs
		{"1:0:3:4:5:6:7:8", "1:0:3:4:5:6:7:8", false}, // a lone zero is not compressed
		{"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0", false},
		{"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8", false},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false},
		{"::ffff:192.0.2.1", "::ffff:192.0.2.1", false},
		{"::FFFF:c000:0201", "::ffff:192.0.2.1", false},
		{"::192.0.2.1", "::c000:201", false},
		{"64:ff9b::192.0.2.33", "64:ff9b::c000:221", false},
		{"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304", false},
		{"1::5:6:1.2.3.4", "1::5:6:102:304", false},
		{"fe80::1%eth0", "", false},
		{"[::1]", "", false},
		{":", "", false},
		{":::", "", false},
		{":1::", "", false},
		{"1::2:", "", false},
		{"1:", "", false},
		{"::1:", "", false},
		{"1::2::3", "", false},
		{"1:2:3:4:5:6:7:8:9", "", false},
		{"1:2:3:4:5:6:7:8::", "", false},
		{"::1:2:3:4:5:6:7:8", "", false},
		{"1:2:3:4:5:6:7", "", false},
		{"12345::", "", false},
		{"g::", "", false},
		{"1:2:3:4:5:6:7:1.2.3.4", "", false},
		{"::1.2.3.4:5", "", false},
		{"::1.2.3", "", false},
		{"::01.2.3.4", "", false},
		{"::256.1.1.1", "", false},
		{"1.2.3.4::", "", false},
		{":: ", "", false},
	}
	for _, tt := range tests {
		a, ok := ParseAddr([]byte(tt.in))
		if tt.want == "" {
			if ok || a != (Addr{}) {
				t.Errorf("ParseAddr(%q) = %v, %v; want not an address", tt.in, a, ok)
			}
			continue
		}
		if !ok || a.String() != tt.want || a.Is4() != tt.is4 || a.Is6() == tt.is4 || !a.IsValid() {
			t.Errorf("ParseAddr(%q) = %v, %v (Is4 %v); want %s (Is4 %v)", tt.in, a, ok, a.Is4(), tt.want, tt.is4)
		}
		// net/netip is the reference for what is an address and how it prints.
		ref, err := netip.ParseAddr(tt.in)
		if err != nil || ref.String() != tt.want {
			t.Errorf("netip.ParseAddr(%q) = %v, %v; the test expects %s", tt.in, ref, err, tt.want)
		}
	}
}

// Every string that netip accepts without a zone, ParseAddr accepts as the same address.
func TestParseAddrAgreesWithNetip(t *testing.T) {
	for _, s := range []string{
		"0:0:0:0:0:0:0:0", "0::0", "a:b:c:d:e:f:0:1", "::ffff:0.0.0.0", "::ffff:255.255.255.255",
		"abcd:ef01:2345:6789:ABCD:EF01:2345:6789", "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1",
		"1:2:3:4:5::8", "1::8", "::8", "1:2:3:4::5:6", "0:0:0:0:0:0:1.2.3.4",
	} {
		ref := netip.MustParseAddr(s)
		a, ok := ParseAddr([]byte(s))
		if !ok || a != AddrFrom16(ref.As16()) || a.String() != ref.String() {
			t.Errorf("ParseAddr(%q) = %v, %v; netip says %v", s, a, ok, ref)
		}
	}
}

func TestAddrFrom(t *testing.T) {
	a4 := AddrFrom4([4]byte{192, 0, 2, 1})
	if p, _ := ParseAddr([]byte("192.0.2.1")); a4 != p || !a4.Is4() {
		t.Errorf("AddrFrom4 = %v, want 192.0.2.1", a4)
	}
	m := AddrFrom16(netip.MustParseAddr("::ffff:192.0.2.1").As16())
	if !m.Is6() || !m.Is4In6() || m.Unmap() != a4 || m.String() != "::ffff:192.0.2.1" {
		t.Errorf("mapped %v: Is6 %v Is4In6 %v Unmap %v", m, m.Is6(), m.Is4In6(), m.Unmap())
	}
	if a4.Unmap() != a4 {
		t.Errorf("Unmap of IPv4 changed it")
	}
	v6, _ := ParseAddr([]byte("2001:db8::1"))
	if v6.Unmap() != v6 || v6.Is4In6() {
		t.Errorf("Unmap of a plain IPv6 address changed it")
	}
	if (Addr{}).IsValid() || (Addr{}).String() != "invalid" {
		t.Errorf("zero Addr is valid or prints as %q", Addr{}.String())
	}
}

func TestAddrFromText(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when no address can be read
	}{
		{"192.0.2.10", "192.0.2.10"},
		{"2001:db8::1", "2001:db8::1"},
		{"IN IP4 192.0.2.10", "192.0.2.10"},
		{"IN IP6 2001:db8::10", "2001:db8::10"},
		{"IN  IP4\t192.0.2.10  ", "192.0.2.10"},
		{"  192.0.2.10", "192.0.2.10"},
		{"192.0.2.1:5060", "192.0.2.1"},
		{"192.0.2.1:0", "192.0.2.1"},
		{"192.0.2.1:65535", "192.0.2.1"},
		{"host 192.0.2.1:5060", "192.0.2.1"},
		{"[2001:db8::1]:5060", "2001:db8::1"},
		{"[2001:db8::1]", "2001:db8::1"},
		{"via [2001:db8::1]:5060", "2001:db8::1"},
		{"[::ffff:192.0.2.1]:5060", "::ffff:192.0.2.1"},
		{"2001:db8::1:5060", "2001:db8::1:5060"}, // an address in its own right, not an address and port
		{"::ffff:192.0.2.1", "::ffff:192.0.2.1"},

		{"", ""},
		{"   ", ""},
		{"junk", ""},
		{"IN IP4 example.com", ""},
		{"192.0.2.10 IN IP4", ""},
		{"192.0.2.1:", ""},
		{"192.0.2.1:65536", ""},
		{"192.0.2.1:123456", ""},
		{"192.0.2.1:50a", ""},
		{"192.0.2.1:5060:5060", ""},
		{":5060", ""},
		{"[2001:db8::1]:", ""},
		{"[2001:db8::1]:x", ""},
		{"[2001:db8::1]5060", ""},
		{"[2001:db8::1", ""},
		{"2001:db8::1]", ""},
		{"[192.0.2.1]", ""}, // brackets are for IPv6 only
		{"[192.0.2.1]:5060", ""},
		{"[]", ""},
		{"[]:5060", ""},
		{"[fe80::1%eth0]:5060", ""},
		{"::ffff:192.0.2.1:5060", ""}, // IPv6 with a port needs brackets
		{"sip:alice@192.0.2.1", ""},
		{"192.0.2.1/24", ""},
	}
	for _, tt := range tests {
		a, ok := AddrFromText([]byte(tt.in))
		if tt.want == "" {
			if ok {
				t.Errorf("AddrFromText(%q) = %v, want no address", tt.in, a)
			}
			continue
		}
		if !ok || a.String() != tt.want {
			t.Errorf("AddrFromText(%q) = %v, %v; want %s", tt.in, a, ok, tt.want)
		}
	}
}
