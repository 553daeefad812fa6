package nfq

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

// verifySum is an independent one's-complement checker: the 16-bit words of data, summed with
// end-around carry, must give 0xffff when data includes a correct checksum.
func verifySum(parts ...[]byte) bool {
	var all []byte
	for _, p := range parts {
		all = append(all, p...)
	}
	if len(all)%2 == 1 {
		all = append(all, 0)
	}
	var s uint64
	for i := 0; i < len(all); i += 2 {
		s += uint64(binary.BigEndian.Uint16(all[i:]))
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return s == 0xffff
}

// pseudo builds the pseudo-header the transport checksum covers.
func pseudo(v6 bool, src, dst netip.Addr, proto byte, n int) []byte {
	if !v6 {
		a, b := src.As4(), dst.As4()
		return append(append(append([]byte{}, a[:]...), b[:]...), 0, proto, byte(n>>8), byte(n))
	}
	a, b := src.As16(), dst.As16()
	out := append(append([]byte{}, a[:]...), b[:]...)
	return append(out, byte(n>>24), byte(n>>16), byte(n>>8), byte(n), 0, 0, 0, proto)
}

// build makes a packet with correct lengths and checksums, computed here independently of the
// package: ext are IPv6 extension headers (each 8 bytes, next header filled in), opts IPv4 options.
func build(v6 bool, proto byte, payload []byte, ext []byte, opts []byte, tcpOpts []byte) []byte {
	src4, dst4 := netip.MustParseAddr("10.231.0.1"), netip.MustParseAddr("10.231.0.2")
	src6, dst6 := netip.MustParseAddr("fd00:231::1"), netip.MustParseAddr("fd00:231::2")
	var seg []byte
	if proto == ProtoUDP {
		seg = []byte{0x13, 0xc4, 0x13, 0xc5, 0, 0, 0, 0}
		binary.BigEndian.PutUint16(seg[4:], uint16(8+len(payload)))
	} else {
		seg = make([]byte, 20+len(tcpOpts))
		binary.BigEndian.PutUint16(seg[0:], 5060)
		binary.BigEndian.PutUint16(seg[2:], 5061)
		seg[12] = byte((20+len(tcpOpts))/4) << 4
		seg[13] = 0x18
		copy(seg[20:], tcpOpts)
	}
	seg = append(seg, payload...)
	src, dst := src4, dst4
	if v6 {
		src, dst = src6, dst6
	}
	ck := checksumOf(append(pseudo(v6, src, dst, proto, len(seg)), seg...))
	if proto == ProtoUDP {
		binary.BigEndian.PutUint16(seg[6:], ck)
	} else {
		binary.BigEndian.PutUint16(seg[16:], ck)
	}
	if !v6 {
		h := make([]byte, 20+len(opts))
		h[0] = 0x40 | byte(len(h)/4)
		h[1] = 0xb8 | 0x01 // EF with ECN ECT(1)
		binary.BigEndian.PutUint16(h[2:], uint16(len(h)+len(seg)))
		h[8], h[9] = 64, proto
		a, b := src.As4(), dst.As4()
		copy(h[12:], a[:])
		copy(h[16:], b[:])
		copy(h[20:], opts)
		binary.BigEndian.PutUint16(h[10:], checksumOf(h))
		return append(h, seg...)
	}
	h := make([]byte, 40)
	h[0], h[1] = 0x6b, 0x91 // traffic class 0xb9 (EF, ECT(1)), flow label 0x1....
	binary.BigEndian.PutUint16(h[4:], uint16(len(ext)+len(seg)))
	h[7] = 64
	a, b := src.As16(), dst.As16()
	copy(h[8:], a[:])
	copy(h[24:], b[:])
	next := &h[6]
	for i := 0; i < len(ext); i += 8 {
		*next = ext[i]
		ext[i] = 0
		next = &ext[i]
	}
	*next = proto
	return append(append(h, ext...), seg...)
}

func checksumOf(b []byte) uint16 {
	if len(b)%2 == 1 {
		b = append(b[:len(b):len(b)], 0)
	}
	var s uint64
	for i := 0; i < len(b); i += 2 {
		s += uint64(binary.BigEndian.Uint16(b[i:]))
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

var sipPayload = []byte("OPTIONS sip:a@example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n")

type sample struct {
	name string
	pkt  []byte
}

func samples() []sample {
	hop := []byte{0, 0, 1, 4, 0, 0, 0, 0}    // hop-by-hop with PadN
	dest := []byte{60, 0, 1, 4, 0, 0, 0, 0}  // destination options
	frag := []byte{44, 0, 0, 0, 0, 0, 0, 42} // atomic fragment: offset 0, M=0
	return []sample{
		{"v4-udp", build(false, ProtoUDP, sipPayload, nil, nil, nil)},
		{"v4-udp-options", build(false, ProtoUDP, sipPayload, nil, []byte{1, 1, 1, 0}, nil)},
		{"v4-tcp", build(false, ProtoTCP, sipPayload, nil, nil, nil)},
		{"v4-tcp-options", build(false, ProtoTCP, sipPayload, nil, nil, []byte{1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2})},
		{"v6-udp", build(true, ProtoUDP, sipPayload, nil, nil, nil)},
		{"v6-tcp", build(true, ProtoTCP, sipPayload, nil, nil, nil)},
		{"v6-udp-extensions", build(true, ProtoUDP, sipPayload, append(append(append([]byte{}, hop...), dest...), frag...), nil, nil)},
		{"v4-udp-odd", build(false, ProtoUDP, sipPayload[:len(sipPayload)-1], nil, nil, nil)},
	}
}

// verifyPacket checks lengths and checksums of a packet with the independent checker.
func verifyPacket(t *testing.T, name string, pkt []byte) {
	t.Helper()
	var p Packet
	if err := Decode(pkt, &p); err != nil {
		t.Fatalf("%s: rebuilt packet does not decode: %v", name, err)
	}
	if p.Version == 4 && !verifySum(pkt[:p.transportOff]) {
		t.Errorf("%s: IPv4 header checksum does not verify", name)
	}
	seg := pkt[p.transportOff:p.ipLen]
	if p.Proto == ProtoUDP && p.Version == 4 && binary.BigEndian.Uint16(seg[6:]) == 0 {
		return
	}
	if !verifySum(pseudo(p.Version == 6, p.Src, p.Dst, p.Proto, len(seg)), seg) {
		t.Errorf("%s: transport checksum does not verify", name)
	}
}

func TestDecode(t *testing.T) {
	for _, s := range samples() {
		var p Packet
		if err := Decode(s.pkt, &p); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if !bytes.Equal(p.Payload(s.pkt), sipPayload[:len(p.Payload(s.pkt))]) || len(p.Payload(s.pkt)) < len(sipPayload)-1 {
			t.Errorf("%s: payload %q", s.name, p.Payload(s.pkt))
		}
		remote, local := p.Endpoints(Inbound)
		if remote.Port() != 5060 || local.Port() != 5061 || remote.Addr() != p.Src {
			t.Errorf("%s: inbound endpoints %v %v", s.name, remote, local)
		}
		if remote, _ := p.Endpoints(Outbound); remote.Addr() != p.Dst || remote.Port() != 5061 {
			t.Errorf("%s: outbound remote %v", s.name, remote)
		}
		verifyPacket(t, s.name, s.pkt)
	}
}

func TestDecodeErrors(t *testing.T) {
	v4 := build(false, ProtoUDP, sipPayload, nil, nil, nil)
	mf := bytes.Clone(v4)
	mf[6] = 0x20 // more fragments
	off := bytes.Clone(v4)
	off[7] = 0x10 // fragment offset
	icmp := bytes.Clone(v4)
	icmp[9] = 1
	badUDP := bytes.Clone(v4)
	binary.BigEndian.PutUint16(badUDP[24:], 4)
	v6frag := build(true, ProtoUDP, sipPayload, []byte{44, 0, 0, 0, 0, 0, 0, 1}, nil, nil)
	v6frag[40+3] = 1 // M flag
	for _, tt := range []struct {
		name string
		pkt  []byte
		err  error
	}{
		{"v4 more fragments", mf, ErrFragment}, {"v4 fragment offset", off, ErrFragment},
		{"v6 first fragment", v6frag, ErrFragment}, {"icmp", icmp, ErrUnsupported},
		{"udp length", badUDP, ErrBadHeader}, {"version 5", append([]byte{0x50}, v4[1:]...), ErrUnsupported},
	} {
		var p Packet
		if err := Decode(tt.pkt, &p); !errors.Is(err, tt.err) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.err)
		}
	}
	for _, s := range samples() {
		for n := 0; n < len(s.pkt)-len(sipPayload)+1; n++ {
			var p Packet
			if err := Decode(s.pkt[:n], &p); err == nil {
				t.Errorf("%s cut at %d: decoded", s.name, n)
			}
		}
	}
}

func TestRebuild(t *testing.T) {
	for _, s := range samples() {
		var p Packet
		Decode(s.pkt, &p)
		same, err := Rebuild(nil, s.pkt, &p, p.Payload(s.pkt))
		if err != nil || !bytes.Equal(same, s.pkt) {
			t.Errorf("%s: rebuild with the same payload differs (%v)", s.name, err)
		}
		for _, payload := range [][]byte{append(bytes.Clone(sipPayload), "X-Grown: 1\r\n"...), sipPayload[:20], nil} {
			out, err := Rebuild(make([]byte, 0, 2048), s.pkt, &p, payload)
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			verifyPacket(t, s.name, out)
			var q Packet
			Decode(out, &q)
			if !bytes.Equal(q.Payload(out), payload) || q.Src != p.Src || q.DstPort != p.DstPort {
				t.Errorf("%s: rebuilt payload %q", s.name, q.Payload(out))
			}
		}
	}
}

func TestRebuildKeepsZeroUDPChecksum(t *testing.T) {
	pkt := build(false, ProtoUDP, sipPayload, nil, nil, nil)
	pkt[26], pkt[27] = 0, 0
	var p Packet
	Decode(pkt, &p)
	out, _ := Rebuild(nil, pkt, &p, []byte("grown payload"))
	if out[26] != 0 || out[27] != 0 || !verifySum(out[:20]) {
		t.Errorf("zero UDP checksum not kept, or header checksum wrong")
	}
}

func TestRebuildTooLarge(t *testing.T) {
	pkt := build(false, ProtoUDP, sipPayload, nil, nil, nil)
	var p Packet
	Decode(pkt, &p)
	if _, err := Rebuild(nil, pkt, &p, make([]byte, 65535-28)); err != nil {
		t.Errorf("largest payload refused: %v", err)
	}
	if _, err := Rebuild(nil, pkt, &p, make([]byte, 65535-27)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized payload: %v", err)
	}
}

func TestSetDSCP(t *testing.T) {
	for _, s := range samples()[:6] {
		pkt := bytes.Clone(s.pkt)
		if err := SetDSCP(pkt, 26); err != nil {
			t.Fatal(err)
		}
		var p Packet
		Decode(pkt, &p)
		var tc byte
		if p.Version == 4 {
			tc = pkt[1]
		} else {
			tc = pkt[0]<<4 | pkt[1]>>4
		}
		if tc>>2 != 26 || tc&3 != 1 {
			t.Errorf("%s: traffic class %#x, want DSCP 26 with ECN 1", s.name, tc)
		}
		verifyPacket(t, s.name, pkt)
		if p.Version == 6 && pkt[1]&0x0f != s.pkt[1]&0x0f {
			t.Errorf("%s: flow label changed", s.name)
		}
	}
}

func TestAllocs(t *testing.T) {
	pkt := build(false, ProtoUDP, sipPayload, nil, nil, nil)
	dst := make([]byte, 0, 2048)
	var p Packet
	n := testing.AllocsPerRun(100, func() {
		Decode(pkt, &p)
		dst, _ = Rebuild(dst, pkt, &p, sipPayload[:30])
		SetDSCP(dst, 46)
	})
	if n != 0 {
		t.Errorf("%v allocations per packet", n)
	}
}

// TestCaptures decodes the SIP packets of real captures and checks that rebuilding them with their
// own payload gives the same bytes, and with a changed payload a packet that verifies.
func TestCaptures(t *testing.T) {
	files, _ := filepath.Glob("../../shared/corpus/pcap/*/*.pcap")
	if len(files) == 0 {
		t.Skip("no captures at ../../shared/corpus/pcap (the shared corpus is absent)")
	}
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, pkt := range pcapPackets(data) {
			var p Packet
			if Decode(pkt, &p) != nil || (p.SrcPort != 5060 && p.DstPort != 5060) {
				continue
			}
			seg := pkt[p.transportOff:p.ipLen]
			if !verifySum(pseudo(p.Version == 6, p.Src, p.Dst, p.Proto, len(seg)), seg) || p.payloadEnd != p.ipLen {
				continue // offloaded or zero checksums, or padding: nothing to compare with
			}
			same, _ := Rebuild(nil, pkt, &p, p.Payload(pkt))
			if !bytes.Equal(same, pkt[:p.ipLen]) {
				t.Errorf("%s: rebuild with the same payload differs", filepath.Base(f))
			}
			grown, _ := Rebuild(nil, pkt, &p, append(bytes.Clone(p.Payload(pkt)), "X: 1\r\n"...))
			verifyPacket(t, filepath.Base(f), grown)
			checked++
		}
	}
	if checked == 0 {
		t.Skip("no SIP packet with a verifiable checksum in the captures")
	}
	t.Logf("%d captured SIP packets rebuilt and verified", checked)
}

// pcapPackets returns the IP packets of a classic pcap file (Ethernet, Linux cooked or raw IP).
func pcapPackets(data []byte) [][]byte {
	if len(data) < 24 {
		return nil
	}
	var order binary.ByteOrder
	switch binary.LittleEndian.Uint32(data) {
	case 0xa1b2c3d4, 0xa1b23c4d:
		order = binary.LittleEndian
	case 0xd4c3b2a1, 0x4d3cb2a1:
		order = binary.BigEndian
	default:
		return nil // pcapng or unknown
	}
	link := order.Uint32(data[20:])
	var out [][]byte
	for off := 24; off+16 <= len(data); {
		n := int(order.Uint32(data[off+8:]))
		if off+16+n > len(data) {
			break
		}
		frame := data[off+16 : off+16+n]
		off += 16 + n
		switch link {
		case 1: // Ethernet, possibly with one VLAN tag
			if len(frame) < 14 {
				continue
			}
			et, hdr := binary.BigEndian.Uint16(frame[12:]), 14
			if et == 0x8100 && len(frame) >= 18 {
				et, hdr = binary.BigEndian.Uint16(frame[16:]), 18
			}
			if et == 0x0800 || et == 0x86dd {
				out = append(out, frame[hdr:])
			}
		case 113: // Linux cooked
			if len(frame) >= 16 {
				out = append(out, frame[16:])
			}
		case 101, 228, 229: // raw IP
			out = append(out, frame)
		}
	}
	return out
}

func BenchmarkDecodeRebuild(b *testing.B) {
	payload := bytes.Repeat([]byte("x"), 572)
	pkt := build(false, ProtoUDP, payload, nil, nil, nil)
	dst := make([]byte, 0, 2048)
	var p Packet
	b.ReportAllocs()
	b.SetBytes(int64(len(pkt)))
	for b.Loop() {
		Decode(pkt, &p)
		dst, _ = Rebuild(dst, pkt, &p, payload[:500])
	}
}

// FuzzDecode: any bytes decode or fail without panicking; a decoded packet rebuilt with its own
// payload decodes to the same packet, and rebuilt with another payload verifies.
func FuzzDecode(f *testing.F) {
	for _, s := range samples() {
		f.Add(s.pkt)
	}
	f.Fuzz(func(t *testing.T, pkt []byte) {
		var p Packet
		if Decode(pkt, &p) != nil {
			return
		}
		out, err := Rebuild(nil, pkt, &p, p.Payload(pkt))
		if err != nil {
			t.Fatalf("rebuild of a decoded packet: %v", err)
		}
		var q Packet
		if err := Decode(out, &q); err != nil {
			t.Fatalf("rebuilt packet does not decode: %v", err)
		}
		if q.Src != p.Src || q.Dst != p.Dst || q.SrcPort != p.SrcPort || q.DstPort != p.DstPort || !bytes.Equal(q.Payload(out), p.Payload(pkt)) {
			t.Fatalf("rebuilt packet decodes differently")
		}
		if p.Version == 4 && !verifySum(out[:p.transportOff]) {
			t.Fatalf("IPv4 header checksum does not verify")
		}
	})
}
