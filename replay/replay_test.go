package replay

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/smcproject/smc/runtime"
)

// testProfile adds a header naming the peer to INVITEs, drops REGISTERs, rejects OPTIONS with 403
// and marks MESSAGEs with DSCP EF.
const testProfile = `{"ProfileID": 7, "ProfileName": "replay test", "Rules": [
 {"MsgType": "REQUEST", "ReqMethod": "INVITE", "StoredVariables": [{"VariableName": "{$SIP.RemoteIP}", "Porting": "IMPORT"}],
  "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-Peer: {$SIP.RemoteIP}"}]},
 {"MsgType": "REQUEST", "ReqMethod": "REGISTER", "Action": "DROP_MSG"},
 {"MsgType": "REQUEST", "ReqMethod": "OPTIONS", "Action": "REPLACE_MSG",
  "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Via", "Output": "Sansay-SMC-RejectCall403: yes"}]},
 {"MsgType": "REQUEST", "ReqMethod": "MESSAGE", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "SET_DSCP", "Output": "EF"}]}
]}`

// withPeer is msg with the header testProfile adds after its Call-ID.
func withPeer(msg []byte, peer string) []byte {
	return bytes.Replace(msg, []byte("Call-ID: c1@192.0.2.10\r\n"), []byte("Call-ID: c1@192.0.2.10\r\nX-Peer: "+peer+"\r\n"), 1)
}

var (
	invite = sipMessage("INVITE sip:bob@example.com SIP/2.0", "1 INVITE", "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\n")
	ok200  = sipMessage("SIP/2.0 200 OK", "1 INVITE", "")
	reg    = sipMessage("REGISTER sip:example.com SIP/2.0", "2 REGISTER", "")
	opts   = sipMessage("OPTIONS sip:bob@example.com SIP/2.0", "3 OPTIONS", "")
	msg    = sipMessage("MESSAGE sip:bob@example.com SIP/2.0", "4 MESSAGE", "hi")
	rtp    = []byte("\x80\x00\x00\x01not SIP, an RTP packet's worth of bytes")
)

// Over UDP, each verdict gives what smcd gives live: a modified INVITE rewritten with lengths and
// checksums fixed, byte for byte as gopacket builds it; the 200 OK, the RTP packet and a frame
// without IP as they were; the REGISTER left out; the OPTIONS left out and smcd's 403 written
// after its place; the MESSAGE with DSCP EF.
func TestUDPVerdicts(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		c, s := client4, server4
		if v6 {
			c, s = client6, server6
		}
		up, down := ipHeader{src: c, dst: s, id: 1, ttl: 64}, ipHeader{src: s, dst: c, id: 2, ttl: 60}
		arp := append(append(append([]byte{}, serverMAC...), clientMAC...), 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1)
		frames := [][]byte{
			ether(clientMAC, serverMAC, udpPacket(t, up, 5060, 5060, invite)),
			ether(clientMAC, serverMAC, udpPacket(t, up, 4000, 4002, rtp)),
			arp,
			ether(serverMAC, clientMAC, udpPacket(t, down, 5060, 5060, ok200)),
			ether(clientMAC, serverMAC, udpPacket(t, up, 5060, 5060, reg)),
			ether(clientMAC, serverMAC, udpPacket(t, up, 5061, 5060, opts)),
			ether(clientMAC, serverMAC, udpPacket(t, up, 5060, 5060, msg)),
		}
		out, sum := replayBytes(t, capture(t, linkEthernet, frames...), Options{Chain: testChain(t, testProfile)})
		link, got := readBack(t, out)
		if link != linkEthernet || len(got) != 6 {
			t.Fatalf("v6 %v: link %v, %d frames, want Ethernet and 6", v6, link, len(got))
		}
		want := ether(clientMAC, serverMAC, udpPacket(t, up, 5060, 5060, withPeer(invite, c.String())))
		if !bytes.Equal(got[0].data, want) {
			t.Errorf("v6 %v: the INVITE\n got %x\nwant %x", v6, got[0].data, want)
		}
		for i, j := range map[int]int{1: 1, 2: 2, 3: 3} {
			if !bytes.Equal(got[i].data, frames[j]) {
				t.Errorf("v6 %v: frame %d changed", v6, j+1)
			}
		}
		checkResponse(t, got[4].data, c, s, "SIP/2.0 403 ")
		checkDSCP(t, got[5].data[14:], 46)
		if got[4].ci.Timestamp != epoch.Add(5e6) || got[5].ci.Timestamp != epoch.Add(6e6) {
			t.Errorf("v6 %v: times %v %v", v6, got[4].ci.Timestamp, got[5].ci.Timestamp)
		}
		if sum.Packets != 7 || sum.Written != 6 || sum.Messages != 5 || sum.NotSIP != 1 || sum.Other != 1 || sum.Responses != 1 ||
			sum.Verdicts != [4]int{2, 1, 1, 1} {
			t.Errorf("v6 %v: summary %+v", v6, sum)
		}
	}
}

// checkResponse checks a reject's response frame: Ethernet and IP addresses and ports turned
// around, the response in it.
func checkResponse(t *testing.T, f []byte, client, server netip.Addr, start string) {
	t.Helper()
	p := gopacket.NewPacket(f, layers.LayerTypeEthernet, gopacket.Default)
	eth, _ := p.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
	udp, _ := p.Layer(layers.LayerTypeUDP).(*layers.UDP)
	if eth == nil || udp == nil || p.NetworkLayer() == nil {
		t.Fatalf("response frame not Ethernet, IP and UDP: %v", p)
	}
	src, dst := p.NetworkLayer().NetworkFlow().Endpoints()
	if eth.SrcMAC.String() != serverMAC.String() || eth.DstMAC.String() != clientMAC.String() ||
		src.String() != server.String() || dst.String() != client.String() || udp.SrcPort != 5060 || udp.DstPort != 5061 {
		t.Errorf("response from %v %v:%d to %v %v:%d", eth.SrcMAC, src, udp.SrcPort, eth.DstMAC, dst, udp.DstPort)
	}
	if !strings.HasPrefix(string(udp.Payload), start) {
		t.Errorf("response %q", udp.Payload)
	}
	if want := udpPacket(t, ipHeader{src: server, dst: client, ttl: 64}, 5060, 5061, udp.Payload); !bytes.Equal(f[14:], fixResponseHeader(want)) {
		t.Errorf("response packet\n got %x\nwant %x", f[14:], fixResponseHeader(want))
	}
}

// fixResponseHeader gives an IPv4 packet gopacket built the don't-fragment bit smcd's responses
// carry, with the header checksum that goes with it.
func fixResponseHeader(p []byte) []byte {
	if p[0]>>4 != 4 {
		return p
	}
	p = bytes.Clone(p)
	p[6] |= 0x40
	p[10], p[11] = 0, 0
	binary.BigEndian.PutUint16(p[10:], ^onesSum(p[:20]))
	return p
}

// onesSum is the one's-complement sum of b's 16-bit words: 0xffff over a header whose checksum
// holds.
func onesSum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return uint16(sum)
}

// checkDSCP checks the DS field of an IP packet and that its IPv4 header checksum holds.
func checkDSCP(t *testing.T, ip []byte, dscp uint8) {
	t.Helper()
	got := ip[1] >> 2
	if ip[0]>>4 == 6 {
		got = (ip[0]&0x0f)<<2 | ip[1]>>6
	} else if onesSum(ip[:20]) != 0xffff {
		t.Errorf("IPv4 header checksum wrong after DSCP")
	}
	if got != dscp {
		t.Errorf("DSCP %d, want %d", got, dscp)
	}
}

// A packet from a --local address is one the host sends: its peer is its destination.
func TestLocalDirection(t *testing.T) {
	up := ipHeader{src: client4, dst: server4, id: 1, ttl: 64}
	in := capture(t, linkEthernet, ether(clientMAC, serverMAC, udpPacket(t, up, 5060, 5060, invite)))
	for _, tt := range []struct {
		local []netip.Prefix
		peer  string
	}{
		{nil, client4.String()},
		{[]netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}, server4.String()},
		{[]netip.Prefix{netip.MustParsePrefix("203.0.113.1/32")}, client4.String()},
	} {
		out, _ := replayBytes(t, in, Options{Chain: testChain(t, testProfile), Local: tt.local})
		_, got := readBack(t, out)
		if !bytes.Contains(got[0].data, []byte("X-Peer: "+tt.peer+"\r\n")) {
			t.Errorf("local %v: peer is not %s:\n%s", tt.local, tt.peer, got[0].data[42:])
		}
	}
}

// Over TCP, the INVITE grows by the added header, and the later numbers of the connection move as
// smcd moves them: the client's sequence numbers by the growth. The server's acknowledgements
// pass as captured: the server never saw the longer INVITE, so they already count the client's
// bytes as the client sent them, which is what smcd gives the client back live.
func TestTCPSequenceShift(t *testing.T) {
	up, down := ipHeader{src: client4, dst: server4, id: 1, ttl: 64}, ipHeader{src: server4, dst: client4, id: 2, ttl: 64}
	ack := sipMessage("ACK sip:bob@example.com SIP/2.0", "1 ACK", "")
	c0, s0 := uint32(1000), uint32(5000)
	cAfterInvite := c0 + 1 + uint32(len(invite))
	segs := []struct {
		h ipHeader
		s tcpSeg
	}{
		{up, tcpSeg{sport: 40000, dport: 5060, seq: c0, syn: true}},
		{down, tcpSeg{sport: 5060, dport: 40000, seq: s0, ack: c0 + 1, syn: true}},
		{up, tcpSeg{sport: 40000, dport: 5060, seq: c0 + 1, ack: s0 + 1}},
		{up, tcpSeg{sport: 40000, dport: 5060, seq: c0 + 1, ack: s0 + 1, payload: invite}},
		{down, tcpSeg{sport: 5060, dport: 40000, seq: s0 + 1, ack: cAfterInvite, payload: ok200}},
		{up, tcpSeg{sport: 40000, dport: 5060, seq: cAfterInvite, ack: s0 + 1 + uint32(len(ok200)), payload: ack}},
		{down, tcpSeg{sport: 5060, dport: 40000, seq: s0 + 1 + uint32(len(ok200)), ack: cAfterInvite + uint32(len(ack))}},
	}
	var frames [][]byte
	for _, s := range segs {
		frames = append(frames, ether(clientMAC, serverMAC, tcpPacket(t, s.h, s.s)))
	}
	out, sum := replayBytes(t, capture(t, linkEthernet, frames...), Options{Chain: testChain(t, testProfile)})
	_, got := readBack(t, out)
	if len(got) != len(frames) {
		t.Fatalf("%d frames, want %d", len(got), len(frames))
	}
	grown := withPeer(invite, client4.String())
	n := uint32(len(grown) - len(invite))
	want := map[int]tcpSeg{
		3: {sport: 40000, dport: 5060, seq: c0 + 1, ack: s0 + 1, payload: grown},
		4: segs[4].s, // the server acknowledged the INVITE as sent: smcd's mark starts after it
		5: {sport: 40000, dport: 5060, seq: cAfterInvite + n, ack: s0 + 1 + uint32(len(ok200)), payload: ack},
		6: segs[6].s, // acknowledges the ACK as the client sent it, not n less
	}
	for i, s := range want {
		w := ether(clientMAC, serverMAC, tcpPacket(t, segs[i].h, s))
		if !bytes.Equal(got[i].data, w) {
			t.Errorf("frame %d\n got %x\nwant %x", i+1, got[i].data, w)
		}
	}
	for i := range 3 {
		if !bytes.Equal(got[i].data, frames[i]) {
			t.Errorf("frame %d changed", i+1)
		}
	}
	if sum.Verdicts[runtime.Modified] != 1 || sum.Messages != 3 {
		t.Errorf("summary %+v", sum)
	}
}
