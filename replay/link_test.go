package replay

import (
	"bytes"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// Every link type keeps its framing: a rewritten packet keeps its frame's link header, and a
// response gets its request's, turned around (Ethernet addresses swapped, a Linux cooked header
// marked as sent by the host, without an address).
func TestLinkTypes(t *testing.T) {
	up := ipHeader{src: client4, dst: server4, id: 1, ttl: 64}
	up6 := ipHeader{src: client6, dst: server6, ttl: 64}
	for _, tt := range []struct {
		name string
		link layers.LinkType
		h    ipHeader
		resp func(req, resp []byte) bool // checks the response's link header against the request's
	}{
		{"Ethernet", linkEthernet, up, func(q, r []byte) bool {
			return bytes.Equal(r[0:6], q[6:12]) && bytes.Equal(r[6:12], q[0:6]) && bytes.Equal(r[12:14], q[12:14])
		}},
		{"Linux cooked", linkSLL, up6, func(q, r []byte) bool {
			return r[1] == sllOutgoing && r[5] == 0 && bytes.Equal(r[6:14], make([]byte, 8)) && bytes.Equal(r[14:16], q[14:16])
		}},
		{"Linux cooked v2", linkSLL2, up, func(q, r []byte) bool {
			return r[10] == sllOutgoing && r[11] == 0 && bytes.Equal(r[:10], q[:10]) && bytes.Equal(r[12:20], make([]byte, 8))
		}},
		{"BSD loopback", linkNull, up6, func(q, r []byte) bool { return bytes.Equal(q[:4], r[:4]) }},
		{"raw IP", linkRaw, up, func(q, r []byte) bool { return r[0]>>4 == 4 }},
		{"raw IPv4", linkIPv4, up, func(q, r []byte) bool { return r[0]>>4 == 4 }},
		{"raw IPv6", linkIPv6, up6, func(q, r []byte) bool { return r[0]>>4 == 6 }},
	} {
		inv := linkFrame(tt.link, udpPacket(t, tt.h, 5060, 5060, invite))
		req := linkFrame(tt.link, udpPacket(t, tt.h, 5061, 5060, opts))
		out, sum := replayBytes(t, capture(t, tt.link, inv, req), Options{Chain: testChain(t, testProfile)})
		link, got := readBack(t, out)
		if link != tt.link || len(got) != 2 || sum.Responses != 1 {
			t.Errorf("%s: link %v, %d frames, %+v", tt.name, link, len(got), sum)
			continue
		}
		want := linkFrame(tt.link, udpPacket(t, tt.h, 5060, 5060, withPeer(invite, tt.h.src.String())))
		if !bytes.Equal(got[0].data, want) {
			t.Errorf("%s: the INVITE\n got %x\nwant %x", tt.name, got[0].data, want)
		}
		n := len(req) - len(udpPacket(t, tt.h, 5061, 5060, opts))
		if !tt.resp(req, got[1].data) || !bytes.Contains(got[1].data[n:], []byte("SIP/2.0 403 ")) {
			t.Errorf("%s: the response's frame %x", tt.name, got[1].data)
		}
	}
}

// VLAN tags stay on a rewritten frame; frames of other ether types are no IP.
func TestEthernetTags(t *testing.T) {
	ip := udpPacket(t, ipHeader{src: client4, dst: server4, ttl: 64}, 5060, 5060, invite)
	tagged := append(append(append([]byte{}, serverMAC...), clientMAC...), 0x88, 0xa8, 0, 10, 0x81, 0x00, 0, 20, 0x08, 0x00)
	if off := ipOffset(linkEthernet, append(tagged, ip...)); off != len(tagged) {
		t.Errorf("two tags: IP at %d, want %d", off, len(tagged))
	}
	arp := append(append(append([]byte{}, serverMAC...), clientMAC...), 0x08, 0x06, 0, 1)
	if off := ipOffset(linkEthernet, arp); off != -1 {
		t.Errorf("ARP: IP at %d", off)
	}
	out, _ := replayBytes(t, capture(t, linkEthernet, append(tagged, ip...)), Options{Chain: testChain(t, testProfile)})
	_, got := readBack(t, out)
	if !bytes.HasPrefix(got[0].data, tagged) || !bytes.Contains(got[0].data, []byte("X-Peer: ")) {
		t.Errorf("tagged frame %x", got[0].data)
	}
}

// A PPPoE session's length follows its rewritten packet.
func TestPPPoE(t *testing.T) {
	ip := udpPacket(t, ipHeader{src: client4, dst: server4, ttl: 64}, 5060, 5060, invite)
	head := append(append(append([]byte{}, serverMAC...), clientMAC...), 0x88, 0x64, 0x11, 0, 0x18, 0xe5, 0, 0, 0, 0x21)
	head[18], head[19] = byte((len(ip)+2)>>8), byte(len(ip)+2)
	out, _ := replayBytes(t, capture(t, linkEthernet, append(head, ip...)), Options{Chain: testChain(t, testProfile)})
	_, got := readBack(t, out)
	f := got[0].data
	if n := int(f[18])<<8 | int(f[19]); !bytes.Contains(f, []byte("X-Peer: ")) || n != len(f)-20 {
		t.Errorf("PPPoE length %d for %d bytes after its header", n, len(f)-20)
	}
}
