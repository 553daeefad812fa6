package nfq

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
)

func TestDecode(t *testing.T) {
	for _, s := range samples() {
		pkt := build(s.spec)
		var p Packet
		if err := Decode(pkt, &p); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		wantV, wantSrc, wantDst := 4, src4, dst4
		if s.spec.v6 {
			wantV, wantSrc, wantDst = 6, src6, dst6
		}
		if p.Version != wantV || p.Src != wantSrc || p.Dst != wantDst || p.Proto != s.spec.proto ||
			p.SrcPort != 5060 || p.DstPort != 5061 {
			t.Errorf("%s: decoded v%d %v:%d → %v:%d proto %d", s.name, p.Version, p.Src, p.SrcPort, p.Dst, p.DstPort, p.Proto)
		}
		if !bytes.Equal(p.Payload, s.spec.payload) {
			t.Errorf("%s: payload %q, want %q", s.name, p.Payload, s.spec.payload)
		}
		if p.ipLen != len(pkt) || p.payloadOff+len(p.Payload) != len(pkt) {
			t.Errorf("%s: ipLen %d payload at %d, packet of %d", s.name, p.ipLen, p.payloadOff, len(pkt))
		}
		if err := verify(pkt); err != nil {
			t.Errorf("%s: the builder made a bad packet: %v", s.name, err)
		}
	}
}

// TestDecodeIgnoresTrailer: link layers pad short frames, and the kernel may hand over a buffer
// longer than the IP length; a UDP length below the IP payload leaves bytes that are not payload.
func TestDecodeIgnoresTrailer(t *testing.T) {
	for _, s := range samples() {
		pkt := append(build(s.spec), 0xde, 0xad, 0xbe, 0xef)
		var p Packet
		if err := Decode(pkt, &p); err != nil || !bytes.Equal(p.Payload, s.spec.payload) {
			t.Errorf("%s with a trailer: %v, payload %q", s.name, err, p.Payload)
		}
	}
	pkt := build(spec{proto: ProtoUDP, payload: sipPayload})
	binary.BigEndian.PutUint16(pkt[24:], uint16(8+10)) // UDP length shorter than the IP payload
	var p Packet
	if err := Decode(pkt, &p); err != nil || !bytes.Equal(p.Payload, sipPayload[:10]) {
		t.Errorf("short UDP length: %v, payload %q", err, p.Payload)
	}
	if cap(p.Payload) != len(p.Payload) {
		t.Errorf("Payload capacity %d reaches past the payload (%d): an append would overwrite the packet", cap(p.Payload), len(p.Payload))
	}
}

func TestDecodeErrors(t *testing.T) {
	udp4 := func(edit func([]byte)) []byte {
		pkt := build(spec{proto: ProtoUDP, payload: sipPayload})
		edit(pkt)
		return pkt
	}
	tcp4 := func(edit func([]byte)) []byte {
		pkt := build(spec{proto: ProtoTCP, payload: sipPayload})
		edit(pkt)
		return pkt
	}
	udp6 := func(exts ...ext) []byte {
		return build(spec{v6: true, proto: ProtoUDP, payload: sipPayload, exts: exts})
	}
	many := make([]ext, maxExtensionHeaders+1)
	for i := range many {
		many[i] = destOpts
	}
	for _, tt := range []struct {
		name string
		pkt  []byte
		err  error
	}{
		{"empty", nil, ErrTruncated},
		{"version 5", udp4(func(b []byte) { b[0] = 0x55 }), ErrUnsupported},
		{"version 0", []byte{0}, ErrUnsupported},
		{"v4 IHL 4", udp4(func(b []byte) { b[0] = 0x44 }), ErrBadHeader},
		{"v4 IHL past total length", udp4(func(b []byte) { b[0] = 0x4f; binary.BigEndian.PutUint16(b[2:], 40) }), ErrBadHeader},
		{"v4 total length past the buffer", udp4(func(b []byte) { binary.BigEndian.PutUint16(b[2:], 0xffff) }), ErrTruncated},
		{"v4 total length 0 (TSO, BIG TCP)", udp4(func(b []byte) { b[2], b[3] = 0, 0 }), ErrBadHeader},
		{"v4 more fragments", udp4(func(b []byte) { b[6] = 0x20 }), ErrFirstFragment},
		{"v4 more fragments with DF", udp4(func(b []byte) { b[6] = 0x60 }), ErrFirstFragment},
		{"v4 fragment offset", udp4(func(b []byte) { b[7] = 0xb9 }), ErrNotFirstFragment},
		{"v4 last fragment", udp4(func(b []byte) { b[6] = 0x01 }), ErrNotFirstFragment},
		{"v4 ICMP", udp4(func(b []byte) { b[9] = 1 }), ErrUnsupported},
		{"v4 IP-in-IP", udp4(func(b []byte) { b[9] = 4 }), ErrUnsupported},
		{"v4 AH", udp4(func(b []byte) { b[9] = 51 }), ErrUnsupported},
		{"v4 loose source route", build(spec{proto: ProtoUDP, payload: sipPayload, ipOpts: []byte{1, 131, 7, 4, 10, 0, 0, 1}}), ErrUnsupported},
		{"v4 strict source route", build(spec{proto: ProtoUDP, payload: sipPayload, ipOpts: []byte{137, 7, 4, 10, 0, 0, 1, 0}}), ErrUnsupported},
		{"v4 option length 1", build(spec{proto: ProtoUDP, payload: sipPayload, ipOpts: []byte{1, 7, 1, 0}}), ErrBadHeader},
		{"v4 option past the header", build(spec{proto: ProtoUDP, payload: sipPayload, ipOpts: []byte{1, 1, 68, 3}}), ErrBadHeader},
		{"UDP length 7", udp4(func(b []byte) { b[24], b[25] = 0, 7 }), ErrBadHeader},
		{"UDP length past IP", udp4(func(b []byte) { b[24], b[25] = 0x01, 0 }), ErrBadHeader},
		{"UDP header cut by IP length", udp4(func(b []byte) { b[3] = 27 }), ErrBadHeader},
		{"TCP data offset 4", tcp4(func(b []byte) { b[32] = 0x40 }), ErrBadHeader},
		{"TCP data offset past IP", tcp4(func(b []byte) { b[32] = 0xf0; binary.BigEndian.PutUint16(b[2:], 20+56) }), ErrBadHeader},
		{"TCP header cut by IP length", tcp4(func(b []byte) { b[3] = 39 }), ErrBadHeader},
		{"v6 payload length past the buffer", func() []byte { b := udp6(); b[4] = 0xff; return b }(), ErrTruncated},
		{"v6 jumbogram", func() []byte { b := udp6(hopByHop); b[4], b[5] = 0, 0; return b }(), ErrUnsupported},
		{"v6 first fragment", udp6(hopByHop, firstFr), ErrFirstFragment},
		{"v6 later fragment", udp6(laterFr), ErrNotFirstFragment},
		{"v6 later fragment after options", udp6(hopByHop, destOpts, laterFr), ErrNotFirstFragment},
		{"v6 AH", udp6(ahHeader), ErrUnsupported},
		{"v6 routing with segments left", udp6(hopByHop, ext{43, []byte{2, 4, 1, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7}}), ErrUnsupported},
		{"v6 ICMPv6", func() []byte { b := udp6(); b[6] = 58; return b }(), ErrUnsupported},
		{"v6 no next header", func() []byte { b := udp6(); b[6] = 59; return b }(), ErrUnsupported},
		{"v6 option length past IP", func() []byte { b := udp6(destOpts); b[41] = 200; return b }(), ErrBadHeader},
		{"v6 extension header cut by IP length", func() []byte {
			b := udp6(hopByHop, destOpts)
			binary.BigEndian.PutUint16(b[4:], 12)
			return b
		}(), ErrBadHeader},
		{"v6 too many extension headers", udp6(many...), ErrUnsupported},
	} {
		var p Packet
		if err := Decode(tt.pkt, &p); err != tt.err {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.err)
		}
	}
}

// TestDecodeExtensionLimit: the longest chain Decode walks is maxExtensionHeaders long.
func TestDecodeExtensionLimit(t *testing.T) {
	exts := make([]ext, maxExtensionHeaders)
	for i := range exts {
		exts[i] = destOpts
	}
	pkt := build(spec{v6: true, proto: ProtoUDP, payload: sipPayload, exts: exts})
	var p Packet
	if err := Decode(pkt, &p); err != nil || !bytes.Equal(p.Payload, sipPayload) {
		t.Errorf("%d extension headers: %v", maxExtensionHeaders, err)
	}
}

// TestDecodeTruncated cuts every sample at every length: the IP length always tells, so the
// error is always ErrTruncated, and nothing panics.
func TestDecodeTruncated(t *testing.T) {
	for _, s := range samples() {
		pkt := build(s.spec)
		for n := range len(pkt) {
			var p Packet
			if err := Decode(bytes.Clone(pkt[:n]), &p); err != ErrTruncated {
				t.Errorf("%s cut at %d of %d: %v, want ErrTruncated", s.name, n, len(pkt), err)
			}
		}
	}
}

// TestDecodeCorrupted flips every byte of every sample: Decode may accept or refuse, but must not
// panic, and what it accepts lies inside the packet.
func TestDecodeCorrupted(t *testing.T) {
	for _, s := range samples() {
		pkt := build(s.spec)
		for i := range pkt {
			for _, x := range []byte{0xff, 0x80, 0x0f, 0x01} {
				b := bytes.Clone(pkt)
				b[i] ^= x
				var p Packet
				if Decode(b, &p) == nil && (p.payloadOff+len(p.Payload) > p.ipLen || p.ipLen > len(b)) {
					t.Errorf("%s byte %d ^ %#x: payload [%d:+%d] outside IP length %d", s.name, i, x, p.payloadOff, len(p.Payload), p.ipLen)
				}
			}
		}
	}
}

func TestEndpoints(t *testing.T) {
	p := Packet{Src: src6, Dst: dst4, SrcPort: 5060, DstPort: 5080}
	src, dst := netip.AddrPortFrom(src6, 5060), netip.AddrPortFrom(dst4, 5080)
	for _, tt := range []struct {
		d             Direction
		remote, local netip.AddrPort
	}{
		{Inbound, src, dst},
		{Outbound, dst, src},
	} {
		if r, l := p.Endpoints(tt.d); r != tt.remote || l != tt.local {
			t.Errorf("direction %d: remote %v local %v, want %v %v", tt.d, r, l, tt.remote, tt.local)
		}
	}
}

// TestErrorsDistinct: the worker counts errors by identity, so no two may be the same value.
func TestErrorsDistinct(t *testing.T) {
	all := []error{ErrTruncated, ErrBadHeader, ErrUnsupported, ErrFirstFragment, ErrNotFirstFragment, ErrTooLarge, ErrBadDSCP}
	for i, a := range all {
		for _, b := range all[i+1:] {
			if errors.Is(a, b) {
				t.Errorf("%v and %v are the same error", a, b)
			}
		}
	}
}
