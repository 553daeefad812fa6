package replay

import (
	"encoding/binary"
	"fmt"

	"github.com/gopacket/gopacket/layers"
)

// The link layers replay reads, by their pcap LINKTYPE_ numbers (tcpdump.org/linktypes.html), and
// where the IP packet starts in a frame of each. smcd sees IP packets without a link layer, so the
// link header only matters for writing: a rewritten packet keeps its frame's header, and a
// response gets its request's, turned around.
const (
	linkNull     = 0   // BSD loopback: a 4-byte address family in the capturing host's order
	linkEthernet = 1   // Ethernet II, with VLAN tags
	linkRawBSD   = 12  // raw IP, as DLT_RAW is numbered on most BSDs
	linkRawOpen  = 14  // raw IP, as OpenBSD numbers DLT_RAW
	linkRaw      = 101 // raw IP: the packet starts with its IPv4 or IPv6 header
	linkLoop     = 108 // OpenBSD loopback: the address family in network order
	linkSLL      = 113 // Linux cooked capture (tcpdump -i any)
	linkIPv4     = 228 // raw IPv4
	linkIPv6     = 229 // raw IPv6
	linkSLL2     = 276 // Linux cooked capture v2 (tcpdump -i any, libpcap 1.10 and later)
)

// Link-layer values read and written here.
const (
	etherTypeIPv4  = 0x0800
	etherTypeIPv6  = 0x86dd
	etherTypeVLAN  = 0x8100 // 802.1Q
	etherTypeQinQ  = 0x88a8 // 802.1ad
	etherTypePPPoE = 0x8864 // a PPPoE session (RFC 2516): 6 bytes of PPPoE, then PPP's protocol
	pppIPv4        = 0x0021
	pppIPv6        = 0x0057
	sllOutgoing    = 4 // packet type PACKET_OUTGOING: sent by the capturing host
	maxVLANTags    = 2 // 802.1ad stacks two; more is not a frame any switch forwards
)

// checkLink refuses a capture whose link type replay cannot find IP packets in.
func checkLink(l layers.LinkType) error {
	switch l {
	case linkNull, linkEthernet, linkRawBSD, linkRawOpen, linkRaw, linkLoop, linkSLL, linkIPv4, linkIPv6, linkSLL2:
		return nil
	}
	return fmt.Errorf("link type %d (%v) is not one smcc pcap reads: Ethernet, Linux cooked v1 and v2, raw IP and loopback", uint32(l), l)
}

// ipOffset returns where the IPv4 or IPv6 packet of a frame starts, or -1 when the frame carries
// something else (ARP, PPPoE, a truncated header).
func ipOffset(link layers.LinkType, f []byte) int {
	off := linkHeaderLength(link, f)
	if off < 0 || off >= len(f) {
		return -1
	}
	if v := f[off] >> 4; v != 4 && v != 6 {
		return -1
	}
	return off
}

// linkHeaderLength returns the length of the link-layer header of a frame that carries IP, or -1.
func linkHeaderLength(link layers.LinkType, f []byte) int {
	switch link {
	case linkEthernet:
		return etherHeaderLength(f)
	case linkSLL:
		if len(f) < 16 || !isIPEtherType(binary.BigEndian.Uint16(f[14:])) {
			return -1
		}
		return 16
	case linkSLL2:
		if len(f) < 20 || !isIPEtherType(binary.BigEndian.Uint16(f[0:])) {
			return -1
		}
		return 20
	case linkNull, linkLoop:
		if len(f) < 4 {
			return -1
		}
		return 4 // the family is checked by the IP version that follows
	}
	return 0 // raw IP
}

// etherHeaderLength returns the length of an Ethernet header and its VLAN tags when the frame
// carries IP, or -1.
func etherHeaderLength(f []byte) int {
	off := 12
	for range maxVLANTags + 1 {
		if len(f) < off+2 {
			return -1
		}
		switch t := binary.BigEndian.Uint16(f[off:]); {
		case isIPEtherType(t):
			return off + 2
		case t == etherTypeVLAN || t == etherTypeQinQ:
			off += 4
		case t == etherTypePPPoE && len(f) >= off+10:
			if p := binary.BigEndian.Uint16(f[off+8:]); p != pppIPv4 && p != pppIPv6 {
				return -1
			}
			return off + 10
		default:
			return -1
		}
	}
	return -1
}

// setLinkLength fixes the one length a link header of ours holds, PPPoE's, in a frame built with
// a new IP packet after a link header of ipOff bytes: the length of what follows the PPPoE header.
func setLinkLength(link layers.LinkType, f []byte, ipOff int) {
	if link == linkEthernet && ipOff >= 22 && binary.BigEndian.Uint16(f[ipOff-10:]) == etherTypePPPoE {
		binary.BigEndian.PutUint16(f[ipOff-4:], uint16(len(f)-(ipOff-2)))
	}
}

func isIPEtherType(t uint16) bool { return t == etherTypeIPv4 || t == etherTypeIPv6 }

// appendResponseHeader appends the link-layer header of a frame that answers req, whose link header
// is req[:ipOff]: the same framing, turned around where it says which way the packet went. On
// Ethernet the two addresses swap; a Linux cooked header says the capturing host sent it and, not
// knowing that host's own address, gives none.
func appendResponseHeader(b []byte, link layers.LinkType, req []byte, ipOff int) []byte {
	start := len(b)
	b = append(b, req[:ipOff]...)
	h := b[start:]
	switch link {
	case linkEthernet:
		copy(h[0:6], req[6:12])
		copy(h[6:12], req[0:6])
	case linkSLL:
		binary.BigEndian.PutUint16(h[0:], sllOutgoing)
		binary.BigEndian.PutUint16(h[4:], 0)
		clear(h[6:14])
	case linkSLL2:
		h[10], h[11] = sllOutgoing, 0
		clear(h[12:20])
	}
	return b
}
