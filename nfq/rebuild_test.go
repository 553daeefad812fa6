package nfq

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// payloads are the replacements Rebuild is tried with: grown, shrunk, odd, empty.
func payloads() map[string][]byte {
	return map[string][]byte{
		"grown":  append(bytes.Clone(sipPayload), "P-Asserted-Identity: <sip:+15551234567@example.com>\r\n"...),
		"shrunk": sipPayload[:20],
		"odd":    sipPayload[:21],
		"empty":  nil,
		"same":   sipPayload,
	}
}

// TestRebuildSame: rebuilding with the payload a packet has gives the packet back, byte for byte.
func TestRebuildSame(t *testing.T) {
	for _, s := range samples() {
		pkt := build(s.spec)
		var p Packet
		if err := Decode(pkt, &p); err != nil {
			t.Fatal(err)
		}
		out, err := Rebuild(nil, pkt, &p, p.Payload)
		if err != nil || !bytes.Equal(out, pkt) {
			t.Errorf("%s: rebuild with the same payload differs (%v)\n got %x\nwant %x", s.name, err, out, pkt)
		}
	}
}

func TestRebuild(t *testing.T) {
	for _, s := range samples() {
		pkt := build(s.spec)
		var p Packet
		if err := Decode(pkt, &p); err != nil {
			t.Fatal(err)
		}
		for name, payload := range payloads() {
			out, err := Rebuild(make([]byte, 0, 2048), pkt, &p, payload)
			if err != nil {
				t.Fatalf("%s %s: %v", s.name, name, err)
			}
			if err := verify(out); err != nil {
				t.Errorf("%s %s: %v", s.name, name, err)
			}
			var q Packet
			if err := Decode(out, &q); err != nil {
				t.Fatalf("%s %s: rebuilt packet does not decode: %v", s.name, name, err)
			}
			if !bytes.Equal(q.Payload, payload) || q.Src != p.Src || q.Dst != p.Dst || q.SrcPort != p.SrcPort ||
				q.DstPort != p.DstPort || q.Proto != p.Proto || q.transportOff != p.transportOff {
				t.Errorf("%s %s: rebuilt packet decodes as %+v", s.name, name, q)
			}
			if want := len(pkt) - len(s.spec.payload) + len(payload); len(out) != want {
				t.Errorf("%s %s: %d bytes, want %d", s.name, name, len(out), want)
			}
			// Everything before the length and checksum fields is the original's.
			if !bytes.Equal(out[p.transportOff:p.transportOff+4], pkt[p.transportOff:p.transportOff+4]) ||
				!bytes.Equal(out[12:p.transportOff], pkt[12:p.transportOff]) {
				t.Errorf("%s %s: addresses, ports or extension headers changed", s.name, name)
			}
			if s.spec.noSum && (out[26] != 0 || out[27] != 0) {
				t.Errorf("%s %s: IPv4 UDP checksum %#x, want it left at zero", s.name, name, out[26:28])
			}
		}
	}
}

// TestRebuildPadding: bytes after the UDP datagram inside the IP length are dropped, so the
// rebuilt lengths agree with each other.
func TestRebuildPadding(t *testing.T) {
	pkt := append(build(spec{proto: ProtoUDP, payload: sipPayload}), 0, 0, 0, 0)
	binary.BigEndian.PutUint16(pkt[2:], uint16(len(pkt)))
	binary.BigEndian.PutUint16(pkt[10:], 0)
	binary.BigEndian.PutUint16(pkt[10:], ^refSum(pkt[:20]))
	var p Packet
	if err := Decode(pkt, &p); err != nil {
		t.Fatal(err)
	}
	out, err := Rebuild(nil, pkt, &p, p.Payload)
	if err != nil || !bytes.Equal(out, build(spec{proto: ProtoUDP, payload: sipPayload})) {
		t.Errorf("padding kept or lengths wrong (%v): %x", err, out)
	}
}

// TestRebuildUDPZeroSum: a UDP checksum that comes out zero is sent as 0xffff, since zero means
// "no checksum" (RFC 768); IPv6 must carry one.
func TestRebuildUDPZeroSum(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		pkt := build(spec{v6: v6, proto: ProtoUDP, payload: []byte{0, 0}})
		var p Packet
		if err := Decode(pkt, &p); err != nil {
			t.Fatal(err)
		}
		// Choose the two payload bytes so that the sum of everything else is cancelled.
		seg := bytes.Clone(pkt[p.transportOff:])
		seg[6], seg[7] = 0, 0
		x := ^refSum(refPseudo(p.Src, p.Dst, ProtoUDP, len(seg)), seg)
		out, err := Rebuild(nil, pkt, &p, []byte{byte(x >> 8), byte(x)})
		if err != nil || verify(out) != nil {
			t.Fatalf("v6=%v: %v %v", v6, err, verify(out))
		}
		if sum := binary.BigEndian.Uint16(out[p.transportOff+6:]); sum != 0xffff {
			t.Errorf("v6=%v: UDP checksum %#04x, want 0xffff", v6, sum)
		}
	}
}

// TestRebuildTooLarge: the IPv4 total length and the IPv6 payload length are 16 bits.
func TestRebuildTooLarge(t *testing.T) {
	for _, s := range samples() {
		pkt := build(s.spec)
		var p Packet
		if err := Decode(pkt, &p); err != nil {
			t.Fatal(err)
		}
		limit := 0xffff - p.payloadOff // largest payload
		if s.spec.v6 {
			limit += 40
		}
		big := make([]byte, limit+1)
		out, err := Rebuild(nil, pkt, &p, big[:limit])
		if err != nil || verify(out) != nil {
			t.Errorf("%s: largest payload (%d bytes): %v %v", s.name, limit, err, verify(out))
		}
		if out, err := Rebuild(nil, pkt, &p, big); err != ErrTooLarge || out != nil {
			t.Errorf("%s: payload of %d bytes: %v, want ErrTooLarge and dst back", s.name, limit+1, err)
		}
	}
}

// TestRebuildReusesDst: dst's capacity is used, whatever its length.
func TestRebuildReusesDst(t *testing.T) {
	pkt := build(spec{proto: ProtoUDP, payload: sipPayload})
	var p Packet
	Decode(pkt, &p)
	dst := make([]byte, 7, 1024)
	out, _ := Rebuild(dst, pkt, &p, sipPayload)
	if &out[0] != &dst[:1][0] || !bytes.Equal(out, pkt) {
		t.Errorf("dst not reused")
	}
}

func TestSetDSCP(t *testing.T) {
	for _, s := range samples() {
		orig := build(s.spec)
		for dscp := range uint8(64) {
			pkt := bytes.Clone(orig)
			if err := SetDSCP(pkt, dscp); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if err := verify(pkt); err != nil {
				t.Fatalf("%s DSCP %d: %v", s.name, dscp, err)
			}
			var tc, otc byte
			if s.spec.v6 {
				tc, otc = pkt[0]<<4|pkt[1]>>4, orig[0]<<4|orig[1]>>4
			} else {
				tc, otc = pkt[1], orig[1]
			}
			if tc>>2 != dscp || tc&3 != otc&3 {
				t.Errorf("%s: traffic class %#02x, want DSCP %d with ECN %d", s.name, tc, dscp, otc&3)
			}
			// Only the DS field (and the IPv4 checksum) changed; the incremental checksum is the
			// one a full computation gives.
			want := bytes.Clone(orig)
			if s.spec.v6 {
				want[0], want[1] = 0x60|tc>>4, tc<<4|orig[1]&0x0f
			} else {
				want[1] = tc
				want[10], want[11] = 0, 0
				binary.BigEndian.PutUint16(want[10:], ^refSum(want[:p4len(want)]))
			}
			if !bytes.Equal(pkt, want) {
				t.Errorf("%s DSCP %d:\n got %x\nwant %x", s.name, dscp, pkt, want)
			}
		}
	}
}

func p4len(pkt []byte) int { return int(pkt[0]&0x0f) * 4 }

func TestSetDSCPErrors(t *testing.T) {
	v4 := build(spec{proto: ProtoUDP, payload: sipPayload})
	for _, tt := range []struct {
		name string
		pkt  []byte
		dscp uint8
		err  error
	}{
		{"dscp 64", v4, 64, ErrBadDSCP},
		{"empty", nil, 0, ErrTruncated},
		{"v4 header cut", v4[:19], 0, ErrTruncated},
		{"v6 header cut", build(spec{v6: true, proto: ProtoUDP})[:39], 0, ErrTruncated},
		{"version 5", []byte{0x50, 0, 0, 0}, 0, ErrUnsupported},
	} {
		if err := SetDSCP(bytes.Clone(tt.pkt), tt.dscp); err != tt.err {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.err)
		}
	}
}

// TestAllocs holds the zero-allocation contract of the packet path.
func TestAllocs(t *testing.T) {
	for _, s := range samples() {
		pkt := build(s.spec)
		dst := make([]byte, 0, 2048)
		grown := payloads()["grown"]
		var p Packet
		for name, f := range map[string]func(){
			"Decode":  func() { Decode(pkt, &p) },
			"Rebuild": func() { dst, _ = Rebuild(dst, pkt, &p, grown) },
			"SetDSCP": func() { SetDSCP(pkt, 46) },
		} {
			Decode(pkt, &p)
			if n := testing.AllocsPerRun(100, f); n != 0 {
				t.Errorf("%s %s: %v allocations", s.name, name, n)
			}
		}
	}
}

// bench600 is a 600-byte IPv4 UDP packet, the size of a small INVITE.
func bench600() ([]byte, []byte) {
	payload := bytes.Repeat([]byte("x"), 600-28)
	return build(spec{proto: ProtoUDP, payload: payload}), payload
}

func BenchmarkDecode(b *testing.B) {
	pkt, _ := bench600()
	var p Packet
	b.ReportAllocs()
	b.SetBytes(int64(len(pkt)))
	for b.Loop() {
		Decode(pkt, &p)
	}
}

func BenchmarkRebuild(b *testing.B) {
	pkt, payload := bench600()
	var p Packet
	Decode(pkt, &p)
	grown := append(bytes.Clone(payload), "X-Grown: 1\r\n"...)
	dst := make([]byte, 0, 2048)
	b.ReportAllocs()
	b.SetBytes(int64(len(pkt)))
	for b.Loop() {
		dst, _ = Rebuild(dst, pkt, &p, grown)
	}
}

func BenchmarkSetDSCP(b *testing.B) {
	pkt, _ := bench600()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		SetDSCP(pkt, uint8(i&63))
	}
}
