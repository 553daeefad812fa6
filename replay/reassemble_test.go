package replay

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// fragments4 splits an IPv4 packet into fragments of at most size bytes of data (a multiple of 8),
// as a sender does (RFC 791).
func fragments4(p []byte, size int) [][]byte {
	ihl := int(p[0]&0x0f) * 4
	data := p[ihl:]
	var out [][]byte
	for off := 0; off < len(data); off += size {
		end := min(off+size, len(data))
		f := append(bytes.Clone(p[:ihl]), data[off:end]...)
		binary.BigEndian.PutUint16(f[2:], uint16(len(f)))
		flags := uint16(off / 8)
		if end < len(data) {
			flags |= 0x2000
		}
		binary.BigEndian.PutUint16(f[6:], flags)
		f[10], f[11] = 0, 0
		binary.BigEndian.PutUint16(f[10:], ^onesSum(f[:ihl]))
		out = append(out, f)
	}
	return out
}

// fragments6 splits an IPv6 packet without extension headers into fragments of at most size bytes
// of data (a multiple of 8), each with a fragment header (RFC 8200 §4.5).
func fragments6(p []byte, size int, id uint32) [][]byte {
	data := p[40:]
	var out [][]byte
	for off := 0; off < len(data); off += size {
		end := min(off+size, len(data))
		f := bytes.Clone(p[:40])
		f[6] = 44
		binary.BigEndian.PutUint16(f[4:], uint16(8+end-off))
		fo := uint16(off/8) << 3
		if end < len(data) {
			fo |= 1
		}
		f = append(f, p[6], 0, byte(fo>>8), byte(fo))
		f = binary.BigEndian.AppendUint32(f, id)
		out = append(out, append(f, data[off:end]...))
	}
	return out
}

// A fragmented datagram is judged whole, as smcd sees it: passed as it was, its fragments are
// written byte for byte where they were captured, the packets between them in their places; changed,
// it is written as one packet in the place of its last fragment; fragments in any order; a
// datagram that never comes whole is written as it was.
func TestFragments(t *testing.T) {
	big := sipMessage("INVITE sip:bob@example.com SIP/2.0", "1 INVITE", string(bytes.Repeat([]byte("a=x-filler:0123456789abcdef\r\n"), 120)))
	unchanged := bytes.Replace(big, []byte("INVITE"), []byte("NOTIFY"), 2)
	for _, v6 := range []bool{false, true} {
		c, s := client4, server4
		if v6 {
			c, s = client6, server6
		}
		up := ipHeader{src: c, dst: s, id: 77, ttl: 64}
		between := ether(serverMAC, clientMAC, udpPacket(t, ipHeader{src: s, dst: c, id: 9, ttl: 64}, 4002, 4000, rtp))
		split := func(p []byte) [][]byte {
			if v6 {
				return fragments6(p, 1232, 0xabcd)
			}
			return fragments4(p, 1480)
		}
		framed := func(ps [][]byte) [][]byte {
			var fs [][]byte
			for _, p := range ps {
				fs = append(fs, ether(clientMAC, serverMAC, p))
			}
			return fs
		}
		chain := testChain(t, testProfile)

		// Passed as it was: the output is the input.
		frs := framed(split(udpPacket(t, up, 5060, 5060, unchanged)))
		in := append([][]byte{frs[0], between, frs[1], between}, frs[2:]...)
		out, sum := replayBytes(t, capture(t, linkEthernet, in...), Options{Chain: chain})
		_, got := readBack(t, out)
		if len(got) != len(in) || sum.Reassembled != 1 || sum.Fragments != len(frs) || sum.Messages != 1 {
			t.Fatalf("v6 %v: %d frames, summary %+v", v6, len(got), sum)
		}
		for i := range in {
			if !bytes.Equal(got[i].data, in[i]) || got[i].ci.Timestamp != epoch.Add(int64ms(i)) {
				t.Errorf("v6 %v: frame %d changed", v6, i+1)
			}
		}

		// Changed, fragments out of order: one packet in the place of the last to come.
		frs = framed(split(udpPacket(t, up, 5060, 5060, big)))
		last := len(frs) - 1
		in = append(append([][]byte{frs[last], between}, frs[:last]...), between)
		out, sum = replayBytes(t, capture(t, linkEthernet, in...), Options{Chain: chain})
		_, got = readBack(t, out)
		if len(got) != 3 || sum.Verdicts[1] != 1 {
			t.Fatalf("v6 %v: %d frames, summary %+v", v6, len(got), sum)
		}
		want := ether(clientMAC, serverMAC, udpPacket(t, up, 5060, 5060, withPeer(big, c.String())))
		if !bytes.Equal(got[0].data, between) || !bytes.Equal(got[1].data, want) || got[1].ci.Timestamp != epoch.Add(int64ms(len(frs))) {
			t.Errorf("v6 %v: the reassembled INVITE\n got %x\nwant %x", v6, got[1].data, want)
		}

		// Never whole: as it was.
		in = [][]byte{frs[0], between, frs[1]}
		out, sum = replayBytes(t, capture(t, linkEthernet, in...), Options{Chain: chain})
		_, got = readBack(t, out)
		if len(got) != 3 || sum.GivenUp != 2 || !bytes.Equal(got[0].data, in[0]) || !bytes.Equal(got[2].data, in[2]) {
			t.Errorf("v6 %v: an incomplete datagram: %d frames, summary %+v", v6, len(got), sum)
		}
	}
}

func int64ms(i int) time.Duration { return time.Duration(i) * time.Millisecond }

// Odd fragments are handled as the kernel handles them: an exact duplicate is ignored, an overlap
// spoils the datagram, which is then written as it was.
func TestFragmentOverlap(t *testing.T) {
	up := ipHeader{src: client4, dst: server4, id: 5, ttl: 64}
	big := sipMessage("INVITE sip:bob@example.com SIP/2.0", "1 INVITE", string(bytes.Repeat([]byte("a=x:y\r\n"), 400)))
	frs := fragments4(udpPacket(t, up, 5060, 5060, big), 1480)
	overlap := fragments4(udpPacket(t, up, 5060, 5060, big), 1024)[1] // starts inside the first
	chain := testChain(t, testProfile)

	dup := append([][]byte{frs[0], frs[0]}, frs[1:]...)
	_, sum := replayBytes(t, capture(t, linkRaw, dup...), Options{Chain: chain})
	if sum.Reassembled != 1 || sum.Verdicts[1] != 1 || sum.GivenUp != 0 {
		t.Errorf("duplicate: %+v", sum)
	}
	bad := append([][]byte{frs[0], overlap}, frs[1:]...)
	out, sum := replayBytes(t, capture(t, linkRaw, bad...), Options{Chain: chain})
	_, got := readBack(t, out)
	if sum.Reassembled != 0 || sum.GivenUp != len(bad) || len(got) != len(bad) || !slices.EqualFunc(got, bad, func(c captured, b []byte) bool { return bytes.Equal(c.data, b) }) {
		t.Errorf("overlap: %d frames, %+v", len(got), sum)
	}
}

// The reassembled datagram is what the kernel hands over: IPv4 with no fragment offset or flag
// and its checksum right, IPv6 without the fragment header; gopacket decodes it as whole.
func TestAssemble(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		c, s := client4, server4
		if v6 {
			c, s = client6, server6
		}
		whole := udpPacket(t, ipHeader{src: c, dst: s, id: 3, ttl: 64}, 5060, 5060, bytes.Repeat([]byte("x"), 3000))
		frs := fragments4(whole, 1480)
		if v6 {
			frs = fragments6(whole, 1232, 1)
		}
		d := newDefragmenter()
		var dg *datagram
		for i, p := range frs {
			var f fragment
			if !parseFragment(p, &f) {
				t.Fatalf("v6 %v: fragment %d not recognised", v6, i)
			}
			dg, _ = d.add(&f, i, nil, epoch)
		}
		got, ok := d.assemble(dg)
		if !ok || !bytes.Equal(got, whole) {
			t.Errorf("v6 %v: reassembled\n got %x\nwant %x", v6, got, whole)
		}
		first := layers.LayerTypeIPv4
		if v6 {
			first = layers.LayerTypeIPv6
		}
		if p := gopacket.NewPacket(got, first, gopacket.Default); p.ErrorLayer() != nil || p.Layer(layers.LayerTypeUDP) == nil {
			t.Errorf("v6 %v: gopacket: %v", v6, p)
		}
	}
}

// captureAt writes frames with the given times after epoch.
func captureAt(t *testing.T, link layers.LinkType, at []time.Duration, frames [][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := pcapgo.NewWriterNanos(&buf)
	w.WriteFileHeader(65535, link)
	for i, f := range frames {
		w.WritePacket(gopacket.CaptureInfo{Timestamp: epoch.Add(at[i]), CaptureLength: len(f), Length: len(f)}, f)
	}
	return buf.Bytes()
}

// The limits of reassembly: a datagram has the kernel's time to come whole (30 s for IPv4, 60 s for
// IPv6, in capture time), at most maxDatagrams wait at once, and at most maxHeld packets wait
// behind them; past each, the oldest datagram is given up and written as it was.
func TestFragmentLimits(t *testing.T) {
	chain := testChain(t, testProfile)
	big := sipMessage("INVITE sip:bob@example.com SIP/2.0", "1 INVITE", string(bytes.Repeat([]byte("a=x:y\r\n"), 300)))
	other := udpPacket(t, ipHeader{src: server4, dst: client4, ttl: 64}, 4002, 4000, rtp)
	for _, tt := range []struct {
		v6      bool
		gap     time.Duration
		givenUp bool
	}{
		{false, fragTimeout4, false}, {false, fragTimeout4 + time.Millisecond, true},
		{true, fragTimeout6, false}, {true, fragTimeout6 + time.Millisecond, true},
	} {
		frs := fragments4(udpPacket(t, ipHeader{src: client4, dst: server4, id: 1, ttl: 64}, 5060, 5060, big), 1480)
		if tt.v6 {
			frs = fragments6(udpPacket(t, ipHeader{src: client6, dst: server6, ttl: 64}, 5060, 5060, big), 1232, 1)
		}
		frames := append([][]byte{frs[0], other}, frs[1:]...)
		at := []time.Duration{0, tt.gap}
		for range frs[1:] {
			at = append(at, tt.gap)
		}
		_, sum := replayBytes(t, captureAt(t, linkRaw, at, frames), Options{Chain: chain})
		if got := sum.Reassembled == 0; got != tt.givenUp {
			t.Errorf("v6 %v, %v between fragments: %+v", tt.v6, tt.gap, sum)
		}
	}

	for _, n := range []int{maxDatagrams, maxDatagrams + 1} {
		// The first fragments of n datagrams, then the rest of those that can still come whole.
		var firsts, lasts [][]byte
		for id := range n {
			frs := fragments4(udpPacket(t, ipHeader{src: client4, dst: server4, id: uint16(id), ttl: 64}, 5060, 5060, big), 1480)
			firsts = append(firsts, frs[0])
			if id >= n-maxDatagrams {
				lasts = append(lasts, frs[1:]...)
			}
		}
		_, sum := replayBytes(t, capture(t, linkRaw, append(firsts, lasts...)...), Options{Chain: chain})
		if sum.Reassembled != maxDatagrams || sum.GivenUp != n-maxDatagrams {
			t.Errorf("%d datagrams at once: %d reassembled, %d fragments given up", n, sum.Reassembled, sum.GivenUp)
		}
	}

	for _, n := range []int{maxHeld - 1, maxHeld} {
		frs := fragments4(udpPacket(t, ipHeader{src: client4, dst: server4, id: 1, ttl: 64}, 5060, 5060, big), 1480)
		frames := [][]byte{frs[0]}
		for range n {
			frames = append(frames, other)
		}
		frames = append(frames, frs[1:]...)
		at := make([]time.Duration, len(frames)) // all at once: no timeout
		out, sum := replayBytes(t, captureAt(t, linkRaw, at, frames), Options{Chain: chain})
		_, got := readBack(t, out)
		if (sum.Reassembled == 1) != (n < maxHeld) || !bytes.Equal(got[0].data, frs[0]) && n == maxHeld {
			t.Errorf("%d packets behind a fragment: %+v", n, sum)
		}
	}
}
