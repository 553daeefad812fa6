package replay

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/runtime"
)

// The tests build their packets with gopacket's layers, which compute lengths and checksums with
// code of their own: a rewritten packet is compared byte for byte with the packet gopacket builds
// from the same headers and the expected payload.

var (
	client4, server4 = netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("198.51.100.2")
	client6, server6 = netip.MustParseAddr("2001:db8::10"), netip.MustParseAddr("2001:db8:ffff::2")
	clientMAC        = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x10}
	serverMAC        = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x02}
	epoch            = time.Date(2026, 12, 8, 9, 30, 0, 123456000, time.UTC)
)

// testChain compiles a profile written for a test.
func testChain(t testing.TB, profile string) *runtime.Chain {
	t.Helper()
	prog, diags := compile.Compile("test.json", []byte(profile), compile.Options{})
	if prog == nil {
		t.Fatal(diags)
	}
	chain, err := runtime.NewChain(prog)
	if err != nil {
		t.Fatal(err)
	}
	return chain
}

// ipHeader is the IP header of a test packet.
type ipHeader struct {
	src, dst netip.Addr
	id       uint16
	ttl      uint8
}

func (h ipHeader) layer(proto layers.IPProtocol) gopacket.NetworkLayer {
	if h.src.Is4() {
		return &layers.IPv4{Version: 4, TTL: h.ttl, Id: h.id, Protocol: proto, SrcIP: h.src.AsSlice(), DstIP: h.dst.AsSlice()}
	}
	return &layers.IPv6{Version: 6, HopLimit: h.ttl, NextHeader: proto, SrcIP: h.src.AsSlice(), DstIP: h.dst.AsSlice()}
}

// udpPacket returns an IP packet carrying payload in UDP.
func udpPacket(t testing.TB, h ipHeader, sport, dport uint16, payload []byte) []byte {
	t.Helper()
	ip := h.layer(layers.IPProtocolUDP)
	udp := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
	udp.SetNetworkLayerForChecksum(ip)
	return serialize(t, ip.(gopacket.SerializableLayer), udp, gopacket.Payload(payload))
}

// tcpSeg is a TCP segment of a test.
type tcpSeg struct {
	sport, dport uint16
	seq, ack     uint32
	syn, fin     bool
	payload      []byte
}

func tcpPacket(t testing.TB, h ipHeader, s tcpSeg) []byte {
	t.Helper()
	ip := h.layer(layers.IPProtocolTCP)
	tcp := &layers.TCP{SrcPort: layers.TCPPort(s.sport), DstPort: layers.TCPPort(s.dport), Seq: s.seq, Ack: s.ack,
		SYN: s.syn, FIN: s.fin, ACK: !s.syn || s.ack != 0, PSH: len(s.payload) > 0, Window: 65535}
	tcp.SetNetworkLayerForChecksum(ip)
	return serialize(t, ip.(gopacket.SerializableLayer), tcp, gopacket.Payload(s.payload))
}

func serialize(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return bytes.Clone(buf.Bytes())
}

// ether frames an IP packet in Ethernet from src to dst.
func ether(src, dst net.HardwareAddr, ip []byte) []byte {
	t := uint16(etherTypeIPv4)
	if ip[0]>>4 == 6 {
		t = etherTypeIPv6
	}
	b := append(append(append([]byte{}, dst...), src...), byte(t>>8), byte(t))
	return append(b, ip...)
}

// linkFrame frames an IP packet for a link type.
func linkFrame(link layers.LinkType, ip []byte) []byte {
	proto := uint16(etherTypeIPv4)
	if ip[0]>>4 == 6 {
		proto = etherTypeIPv6
	}
	var h []byte
	switch link {
	case linkEthernet:
		return ether(clientMAC, serverMAC, ip)
	case linkSLL: // received (0), ARPHRD_ETHER, the sender's address
		h = binary.BigEndian.AppendUint16(nil, 0)
		h = binary.BigEndian.AppendUint16(h, 1)
		h = binary.BigEndian.AppendUint16(h, 6)
		h = append(append(h, clientMAC...), 0, 0)
		h = binary.BigEndian.AppendUint16(h, proto)
	case linkSLL2:
		h = binary.BigEndian.AppendUint16(nil, proto)
		h = append(h, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6)
		h = append(append(h, clientMAC...), 0, 0)
	case linkNull:
		family := uint32(2)
		if proto == etherTypeIPv6 {
			family = 30
		}
		h = binary.LittleEndian.AppendUint32(nil, family)
	}
	return append(h, ip...)
}

// capture writes frames, one millisecond apart from epoch, as a pcap of link type link.
func capture(t testing.TB, link layers.LinkType, frames ...[]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := pcapgo.NewWriterNanos(&buf)
	if err := w.WriteFileHeader(65535, link); err != nil {
		t.Fatal(err)
	}
	for i, f := range frames {
		ci := gopacket.CaptureInfo{Timestamp: epoch.Add(time.Duration(i) * time.Millisecond), CaptureLength: len(f), Length: len(f)}
		if err := w.WritePacket(ci, f); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// A captured frame, as the tests read the output.
type captured struct {
	ci   gopacket.CaptureInfo
	data []byte
}

// readBack reads a pcap the replay wrote, or a pcapng, with pcapgo alone.
func readBack(t testing.TB, b []byte) (layers.LinkType, []captured) {
	t.Helper()
	var r interface {
		ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
		LinkType() layers.LinkType
	}
	var err error
	if bytes.HasPrefix(b, []byte{0x0a, 0x0d, 0x0d, 0x0a}) {
		r, err = pcapgo.NewNgReader(bytes.NewReader(b), pcapgo.DefaultNgReaderOptions)
	} else {
		r, err = pcapgo.NewReader(bytes.NewReader(b))
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []captured
	for {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			return r.LinkType(), out
		}
		out = append(out, captured{ci, data})
	}
}

// replayBytes runs a replay of capture in memory.
func replayBytes(t testing.TB, in []byte, opts Options) ([]byte, *Summary) {
	t.Helper()
	var out bytes.Buffer
	sum, err := Run(bytes.NewReader(in), &out, opts)
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), sum
}

// sipMessage is a SIP request or response with a body.
func sipMessage(start, cseq, body string) []byte {
	return []byte(start + "\r\n" +
		"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1\r\n" +
		"From: <sip:alice@example.com>;tag=a\r\nTo: <sip:bob@example.com>\r\n" +
		"Call-ID: c1@192.0.2.10\r\nCSeq: " + cseq + "\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
}
