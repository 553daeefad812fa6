package replay

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// ngCapture writes frames as a pcapng of one Ethernet interface with nanosecond times, 7 ns past
// each millisecond from epoch, followed by an interface statistics block; offsets[i] is where the
// block of frame i starts.
func ngCapture(t *testing.T, frames ...[]byte) (data []byte, offsets []int) {
	t.Helper()
	var buf bytes.Buffer
	w, err := pcapgo.NewNgWriter(&buf, linkEthernet)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range frames {
		w.Flush()
		offsets = append(offsets, buf.Len())
		ci := gopacket.CaptureInfo{Timestamp: epoch.Add(time.Duration(i)*time.Millisecond + 7), CaptureLength: len(f), Length: len(f)}
		if err := w.WritePacket(ci, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.WriteInterfaceStats(0, pcapgo.NgInterfaceStatistics{LastUpdate: epoch, PacketsReceived: uint64(len(frames))}); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	return buf.Bytes(), offsets
}

// A pcapng is written as a pcap of its link type, with its nanosecond times; the statistics block
// after the last packet is no damage.
func TestPcapng(t *testing.T) {
	up := ipHeader{src: client4, dst: server4, id: 1, ttl: 64}
	frames := [][]byte{ether(clientMAC, serverMAC, udpPacket(t, up, 5060, 5060, invite)), ether(clientMAC, serverMAC, udpPacket(t, up, 4000, 4002, rtp))}
	in, _ := ngCapture(t, frames...)
	out, sum := replayBytes(t, in, Options{Chain: testChain(t, testProfile)})
	link, got := readBack(t, out)
	if link != linkEthernet || len(got) != 2 || sum.Verdicts[1] != 1 {
		t.Fatalf("link %v, %d frames, %+v", link, len(got), sum)
	}
	for i := range got {
		if want := epoch.Add(time.Duration(i)*time.Millisecond + 7); !got[i].ci.Timestamp.Equal(want) {
			t.Errorf("frame %d at %v, want %v", i+1, got[i].ci.Timestamp, want)
		}
	}
	if !bytes.Equal(got[1].data, frames[1]) {
		t.Error("the RTP frame changed")
	}
}

// A capture cut short, or with a record no link carries, is an error that names the packet and
// its offset; what came before it is written.
func TestDamagedCapture(t *testing.T) {
	up := ipHeader{src: client4, dst: server4, id: 1, ttl: 64}
	frames := [][]byte{
		ether(clientMAC, serverMAC, udpPacket(t, up, 5060, 5060, invite)),
		ether(clientMAC, serverMAC, udpPacket(t, up, 4000, 4002, rtp)),
		ether(clientMAC, serverMAC, udpPacket(t, up, 4000, 4002, rtp)),
	}
	pcap := capture(t, linkEthernet, frames...)
	third := 24 + 16 + len(frames[0]) + 16 + len(frames[1])
	hugeLen := bytes.Clone(pcap)
	hugeLen[third+8], hugeLen[third+9], hugeLen[third+10], hugeLen[third+11] = 0xff, 0xff, 0xff, 0x7f
	ng, offsets := ngCapture(t, frames...)
	badBlock := bytes.Clone(ng)
	badBlock[offsets[2]+4] = 13
	for _, tt := range []struct {
		name   string
		data   []byte
		packet int
		offset int64
	}{
		{"pcap cut inside a packet", pcap[:third+16+20], 3, int64(third)},
		{"pcap cut inside a record header", pcap[:third+5], 3, int64(third)},
		{"pcap with a 2 GiB record", hugeLen, 3, int64(third)},
		{"pcapng cut inside a packet", ng[:offsets[2]+40], 3, int64(offsets[2])},
		{"pcapng cut inside a block header", ng[:offsets[2]+6], 3, int64(offsets[2])},
		{"pcapng with a block length off the 4-byte grid", badBlock, 3, int64(offsets[2])},
	} {
		var out bytes.Buffer
		sum, err := Run(bytes.NewReader(tt.data), &out, Options{Chain: testChain(t, testProfile)})
		var ce *CaptureError
		if !errors.As(err, &ce) || ce.Packet != tt.packet || ce.Offset != tt.offset {
			t.Errorf("%s: %v, want packet %d at offset %d", tt.name, err, tt.packet, tt.offset)
			continue
		}
		if _, got := readBack(t, out.Bytes()); len(got) != 2 || sum.Packets != 2 || sum.Verdicts[1] != 1 {
			t.Errorf("%s: %d frames written before the damage, want 2", tt.name, len(got))
		}
	}
	if _, err := Run(bytes.NewReader([]byte("INVITE sip:bob@example.com SIP/2.0\r\n")), &bytes.Buffer{}, Options{Chain: testChain(t, testProfile)}); !errors.Is(err, ErrNotCapture) {
		t.Errorf("a SIP message read as a capture: %v", err)
	}
	if _, err := Run(bytes.NewReader(capture(t, layers.LinkTypeFDDI)), &bytes.Buffer{}, Options{Chain: testChain(t, testProfile)}); err == nil {
		t.Error("an FDDI capture was read")
	}
}
