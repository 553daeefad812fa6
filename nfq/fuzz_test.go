package nfq

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite testdata/fuzz/FuzzDecode from the test samples")

// FuzzDecode: any bytes decode or fail without panicking or allocating, and the same way twice.
// For a packet that decodes:
//
//   - its headers agree with an independent walk of the bytes (refHeaders): version, addresses,
//     protocol, ports and where the payload is;
//   - rebuilt with its own payload, it is byte for byte the input when the input's lengths fill
//     it and its checksums are the ones RFC 791/768/793 compute (canonical), and in any case
//     decodes to the same packet;
//   - rebuilt with another payload (grown by a header, by one byte, cut in half, emptied), its IP
//     length, UDP length and checksums verify by the test's own RFC 1071 sums over the bytes
//     (checkRebuilt: the pseudo-header built byte by byte, IPv6's included), its headers are the
//     input's but for those fields, and its payload is the new one;
//   - SetDSCP, on the input and on a rebuilt packet, writes the DSCP, keeps the two ECN bits and
//     every other byte, and leaves a checksum that verified verifying (checkDSCP).
//
// The seed corpus is built by seeds() below (TestFuzzSeeds keeps it in step).
func FuzzDecode(f *testing.F) {
	dst := make([]byte, 0, 0x20000)
	f.Fuzz(func(t *testing.T, pkt []byte) {
		var p Packet
		allocs := testing.AllocsPerRun(1, func() {
			if Decode(pkt, &p) == nil {
				dst, _ = Rebuild(dst, pkt, &p, p.Payload)
			}
		})
		if allocs != 0 {
			t.Fatalf("%v allocations", allocs)
		}
		err := Decode(pkt, &p)
		q := Packet{Version: 9, ipLen: 1 << 20, Payload: []byte("stale")}
		if again := Decode(pkt, &q); again != err || err == nil && (!samePacket(&p, &q) || !bytes.Equal(p.Payload, q.Payload)) {
			t.Fatalf("decoding again into a used Packet: %v, %+v; first %v, %+v", again, q, err, p)
		}
		if err != nil {
			return
		}
		checkHeaders(t, pkt, &p)
		out, err := Rebuild(nil, pkt, &p, p.Payload)
		if err != nil {
			t.Fatalf("rebuild with the same payload: %v", err)
		}
		var r Packet
		if err := Decode(out, &r); err != nil {
			t.Fatalf("rebuilt packet does not decode: %v", err)
		}
		if !samePacket(&p, &r) || !bytes.Equal(r.Payload, p.Payload) || r.ipLen != len(out) {
			t.Fatalf("rebuilt packet decodes differently:\n%+v\n%+v", p, r)
		}
		if canonical(pkt, &p) && !bytes.Equal(out, pkt) {
			t.Fatalf("rebuilding a packet whose lengths and checksums are right, with its own payload, changed it:\n%x\n%x", pkt, out)
		}
		checkRebuilt(t, "the same payload", pkt, &p, p.Payload, out)
		checkDSCP(t, pkt, &p)
		for _, c := range []struct {
			name    string
			payload []byte
		}{
			{"a header more", append(bytes.Clone(p.Payload), "X-Fuzz: 1\r\n"...)},
			{"one byte more", append(bytes.Clone(p.Payload), 'x')},
			{"half the payload", p.Payload[:len(p.Payload)/2]},
			{"no payload", nil},
		} {
			out, err := Rebuild(out, pkt, &p, c.payload)
			if err == ErrTooLarge && ipLengthField(&p, len(c.payload)) > 0xffff {
				continue
			}
			if err != nil {
				t.Fatalf("rebuild with %s: %v", c.name, err)
			}
			checkRebuilt(t, c.name, pkt, &p, c.payload, out)
			checkDSCP(t, out, &p)
		}
	})
}

// ipLengthField is the IPv4 total length or IPv6 payload length of p rebuilt with n payload bytes.
func ipLengthField(p *Packet, n int) int {
	if p.Version == 6 {
		return p.payloadOff + n - 40
	}
	return p.payloadOff + n
}

// refHeaders walks the IP header, the IPv6 extension headers Decode accepts and the UDP or TCP
// header, the way RFC 791, 8200, 768 and 793 lay them out, without the package's code. It returns
// where the transport header starts and where the payload starts and ends.
func refHeaders(pkt []byte) (transport, payload, end int, proto byte) {
	if pkt[0]>>4 == 4 {
		transport, proto, end = int(pkt[0]&0x0f)*4, pkt[9], int(binary.BigEndian.Uint16(pkt[2:]))
	} else {
		transport, proto, end = 40, pkt[6], 40+int(binary.BigEndian.Uint16(pkt[4:]))
		for proto != ProtoUDP && proto != ProtoTCP {
			next := pkt[transport]
			if proto == 44 {
				transport += 8
			} else {
				transport += 8 + 8*int(pkt[transport+1])
			}
			proto = next
		}
	}
	if proto == ProtoUDP {
		return transport, transport + 8, transport + int(binary.BigEndian.Uint16(pkt[transport+4:])), proto
	}
	return transport, transport + int(pkt[transport+12]>>4)*4, end, proto
}

// checkHeaders compares a decoded packet with what refHeaders and the bytes say.
func checkHeaders(t *testing.T, pkt []byte, p *Packet) {
	t.Helper()
	transport, payload, end, proto := refHeaders(pkt)
	src, dst := netip.AddrFrom4([4]byte(pkt[12:16])), netip.AddrFrom4([4]byte(pkt[16:20]))
	if p.Version == 6 {
		src, dst = netip.AddrFrom16([16]byte(pkt[8:24])), netip.AddrFrom16([16]byte(pkt[24:40]))
	}
	if p.Version != int(pkt[0]>>4) || p.Proto != proto || p.Src != src || p.Dst != dst ||
		p.SrcPort != binary.BigEndian.Uint16(pkt[transport:]) || p.DstPort != binary.BigEndian.Uint16(pkt[transport+2:]) ||
		p.transportOff != transport || p.payloadOff != payload || !bytes.Equal(p.Payload, pkt[payload:end]) {
		t.Fatalf("decoded as %+v; the bytes say transport at %d, payload %d-%d, protocol %d", *p, transport, payload, end, proto)
	}
}

// canonical reports whether Rebuild must give pkt back unchanged: the packet ends at its IP
// length, a UDP datagram fills the IP payload, and every checksum is the one the RFCs compute
// (RFC 1071's sum with the field zero; a UDP sum of zero sent as FFFF, RFC 768; an IPv4 UDP
// checksum of zero, meaning none, kept). A checksum field of FFFF where the sum gives 0000 also
// verifies, but is not what a sender computes, and Rebuild writes the computed one.
func canonical(pkt []byte, p *Packet) bool {
	transport, _, end, proto := refHeaders(pkt)
	if len(pkt) != p.ipLen || end != p.ipLen {
		return false
	}
	if p.Version == 4 && binary.BigEndian.Uint16(pkt[10:]) != refChecksum(10, pkt[:transport]) {
		return false
	}
	seg := pkt[transport:]
	pseudo := refPseudo(p.Src, p.Dst, proto, len(seg))
	if proto == ProtoTCP {
		return binary.BigEndian.Uint16(seg[16:]) == refChecksum(16, pseudo, seg)
	}
	field := binary.BigEndian.Uint16(seg[6:])
	if p.Version == 4 && field == 0 {
		return true
	}
	want := refChecksum(6, pseudo, seg)
	if want == 0 {
		want = 0xffff
	}
	return field == want
}

// refChecksum is the checksum RFC 1071 computes over parts, the last of which holds the checksum
// field at offset at, taken as zero.
func refChecksum(at int, parts ...[]byte) uint16 {
	last := bytes.Clone(parts[len(parts)-1])
	last[at], last[at+1] = 0, 0
	return ^refSum(append(parts[:len(parts)-1:len(parts)-1], last)...)
}

// checkRebuilt checks out, the packet orig (decoded as p) rebuilt with payload, against the bytes
// alone: it is orig's headers followed by payload; its IP length (IPv4 total length, IPv6
// payload length) and UDP length are its own; the IPv4 header checksum and the UDP or TCP
// checksum over the pseudo-header verify by refSum, except an IPv4 UDP checksum of zero, which
// stays zero; and no byte of the headers changed but those fields.
func checkRebuilt(t *testing.T, what string, orig []byte, p *Packet, payload, out []byte) {
	t.Helper()
	if len(out) != p.payloadOff+len(payload) || !bytes.Equal(out[p.payloadOff:], payload) {
		t.Fatalf("rebuilt with %s: %d bytes, payload %q; want %d header bytes and %q", what, len(out), out[min(len(out), p.payloadOff):], p.payloadOff, payload)
	}
	transport, _, end, proto := refHeaders(out)
	if end != len(out) || transport != p.transportOff {
		t.Fatalf("rebuilt with %s: the lengths say the packet ends at %d, it has %d bytes", what, end, len(out))
	}
	changed := map[int]bool{}
	if p.Version == 4 {
		if refSum(out[:transport]) != 0xffff {
			t.Fatalf("rebuilt with %s: IPv4 header checksum does not verify: %x", what, out[:transport])
		}
		changed[2], changed[3], changed[10], changed[11] = true, true, true, true
	} else {
		changed[4], changed[5] = true, true
	}
	seg := out[transport:]
	sumAt := transport + 16
	if proto == ProtoUDP {
		sumAt = transport + 6
		changed[transport+4], changed[transport+5] = true, true
	}
	changed[sumAt], changed[sumAt+1] = true, true
	noSum := p.Version == 4 && proto == ProtoUDP && orig[sumAt] == 0 && orig[sumAt+1] == 0
	switch {
	case noSum && (out[sumAt] != 0 || out[sumAt+1] != 0):
		t.Fatalf("rebuilt with %s: an IPv4 UDP checksum of zero (none) became %x", what, out[sumAt:sumAt+2])
	case !noSum && refSum(refPseudo(p.Src, p.Dst, proto, len(seg)), seg) != 0xffff:
		t.Fatalf("rebuilt with %s: the %d checksum does not verify over the pseudo-header", what, proto)
	case !noSum && proto == ProtoUDP && out[sumAt] == 0 && out[sumAt+1] == 0:
		t.Fatalf("rebuilt with %s: a computed UDP checksum sent as zero", what)
	}
	for i := range p.payloadOff {
		if !changed[i] && out[i] != orig[i] {
			t.Fatalf("rebuilt with %s: header byte %d changed from %#x to %#x", what, i, orig[i], out[i])
		}
	}
}

// checkDSCP sets the DSCP of a copy of pkt to a few values and checks that the DS field (IPv4) or
// traffic class (IPv6) holds it above the untouched ECN bits, that no other byte but the IPv4
// header checksum changed, and that an IPv4 header checksum that verified still does. The
// transport checksums do not cover the field, so a packet whose checksums verified still verifies.
func checkDSCP(t *testing.T, pkt []byte, p *Packet) {
	t.Helper()
	for _, dscp := range []uint8{0, 46, 63, byte(len(pkt)) & 63} {
		out := bytes.Clone(pkt)
		if err := SetDSCP(out, dscp); err != nil {
			t.Fatalf("SetDSCP(%d): %v", dscp, err)
		}
		// IPv4: version and header length, then DSCP(6) ECN(2). IPv6: version(4), traffic class
		// DSCP(6) ECN(2), flow label(20).
		var ds, ecn, oldECN byte
		same := true
		if p.Version == 4 {
			ds, ecn, oldECN = out[1]>>2, out[1]&3, pkt[1]&3
			same = out[0] == pkt[0]
		} else {
			ds, ecn, oldECN = (out[0]&0x0f)<<2|out[1]>>6, out[1]>>4&3, pkt[1]>>4&3
			same = out[0]>>4 == 6 && out[1]&0x0f == pkt[1]&0x0f
		}
		if !same || ds != dscp || ecn != oldECN {
			t.Fatalf("SetDSCP(%d): %x became %x: DSCP %d, ECN %d (was %d)", dscp, pkt[:2], out[:2], ds, ecn, oldECN)
		}
		for i := 2; i < len(out); i++ {
			if out[i] != pkt[i] && !(p.Version == 4 && (i == 10 || i == 11)) {
				t.Fatalf("SetDSCP(%d) changed byte %d", dscp, i)
			}
		}
		if p.Version == 4 && refSum(pkt[:p.transportOff]) == 0xffff && refSum(out[:p.transportOff]) != 0xffff {
			t.Fatalf("SetDSCP(%d): the IPv4 header checksum no longer verifies: %x", dscp, out[:p.transportOff])
		}
	}
}

func samePacket(p, q *Packet) bool {
	return p.Version == q.Version && p.Src == q.Src && p.Dst == q.Dst && p.SrcPort == q.SrcPort &&
		p.DstPort == q.DstPort && p.Proto == q.Proto && p.transportOff == q.transportOff && p.payloadOff == q.payloadOff
}

// seeds are the fuzzing starting points: every sample, plus packets at each refusal Decode
// makes, so the fuzzer starts next to every branch.
func seeds() map[string][]byte {
	out := map[string][]byte{}
	for _, s := range samples() {
		out[s.name] = build(s.spec)
	}
	out["v4-first-fragment"] = build(spec{proto: ProtoUDP, payload: sipPayload, frag: 0x2000})
	out["v6-first-fragment"] = build(spec{v6: true, proto: ProtoUDP, payload: sipPayload, exts: []ext{hopByHop, firstFr}})
	out["v6-later-fragment"] = build(spec{v6: true, proto: ProtoUDP, payload: sipPayload, exts: []ext{laterFr}})
	out["v6-ah"] = build(spec{v6: true, proto: ProtoTCP, payload: sipPayload, exts: []ext{ahHeader}})
	out["v4-source-route"] = build(spec{proto: ProtoUDP, payload: sipPayload, ipOpts: []byte{1, 131, 7, 4, 10, 0, 0, 1}})
	out["v6-routing-segments-left"] = build(spec{v6: true, proto: ProtoUDP, payload: sipPayload,
		exts: []ext{{43, []byte{2, 4, 1, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7}}}})
	exts := make([]ext, maxExtensionHeaders)
	for i := range exts {
		exts[i] = destOpts
	}
	out["v6-extension-limit"] = build(spec{v6: true, proto: ProtoUDP, payload: sipPayload, exts: exts})
	padded := append(build(spec{proto: ProtoUDP, payload: sipPayload}), 0, 0, 0, 0)
	binary.BigEndian.PutUint16(padded[2:], uint16(len(padded)))
	out["v4-udp-padding"] = padded
	return out
}

// TestFuzzSeeds keeps the committed seed corpus in step with the samples: run with -update-seeds
// after changing them.
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	for name, pkt := range seeds() {
		file := filepath.Join(dir, "seed-"+name)
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", pkt)
		if *updateSeeds {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got, err := os.ReadFile(file); err != nil || string(got) != want {
			t.Errorf("%s is missing or stale (%v): run go test -run TestFuzzSeeds -update-seeds", file, err)
		}
	}
}
