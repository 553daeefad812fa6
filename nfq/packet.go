// Package nfq is the packet side of smc: it decodes the IP packets the kernel queues through
// NFQUEUE, finds the SIP payload of UDP and TCP packets, and rebuilds a packet whose payload a
// chain changed, with lengths and checksums fixed. Every function works on the caller's buffers
// and does not allocate. The NFQUEUE worker that feeds it comes with the daemon (issue 4).
package nfq

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// Protocol numbers of the transports SIP runs over.
const (
	ProtoTCP = 6
	ProtoUDP = 17
)

// Decoding errors, preallocated so the packet path never formats a string.
var (
	ErrTruncated        = errors.New("packet shorter than its headers say")
	ErrBadHeader        = errors.New("malformed IP, UDP or TCP header")
	ErrUnsupported      = errors.New("not IPv4 or IPv6 carrying UDP or TCP")
	ErrFragment         = errors.New("IP fragment: the SIP message is not whole in this packet")
	ErrTooLarge         = errors.New("rebuilt packet would exceed 65535 bytes")
	errExtensionLoop    = errors.New("too many IPv6 extension headers")
	maxExtensionHeaders = 8 // more than any real packet carries; bounds the walk
)

// A Packet is a decoded IP packet: addresses, ports and offsets into the caller's buffer.
type Packet struct {
	Version          int // 4 or 6
	Src, Dst         netip.Addr
	SrcPort, DstPort uint16
	Proto            uint8 // ProtoUDP or ProtoTCP

	ipLen        int // bytes of the packet the IP header covers (total length)
	transportOff int // offset of the UDP or TCP header
	payloadOff   int // offset of the payload
	payloadEnd   int // end of the payload: the UDP length, or the IP length for TCP
}

// Payload returns the transport payload of pkt, which must be the buffer p was decoded from.
func (p *Packet) Payload(pkt []byte) []byte { return pkt[p.payloadOff:p.payloadEnd] }

// Decode reads pkt, an IPv4 or IPv6 packet without a link-layer header, into p. Bytes after the
// IP length are ignored, as the kernel may pad.
func Decode(pkt []byte, p *Packet) error {
	if len(pkt) < 1 {
		return ErrTruncated
	}
	var err error
	switch pkt[0] >> 4 {
	case 4:
		err = p.decode4(pkt)
	case 6:
		err = p.decode6(pkt)
	default:
		return ErrUnsupported
	}
	if err != nil {
		return err
	}
	return p.decodeTransport(pkt)
}

func (p *Packet) decode4(pkt []byte) error {
	if len(pkt) < 20 {
		return ErrTruncated
	}
	ihl := int(pkt[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(pkt[2:4]))
	if ihl < 20 || total < ihl {
		return ErrBadHeader
	}
	if total > len(pkt) {
		return ErrTruncated
	}
	if frag := binary.BigEndian.Uint16(pkt[6:8]); frag&0x3fff != 0 { // MF set or an offset
		return ErrFragment
	}
	*p = Packet{Version: 4, Proto: pkt[9], ipLen: total, transportOff: ihl,
		Src: netip.AddrFrom4([4]byte(pkt[12:16])), Dst: netip.AddrFrom4([4]byte(pkt[16:20]))}
	return nil
}

// decode6 walks the extension headers to the transport header.
func (p *Packet) decode6(pkt []byte) error {
	if len(pkt) < 40 {
		return ErrTruncated
	}
	total := 40 + int(binary.BigEndian.Uint16(pkt[4:6]))
	if total > len(pkt) {
		return ErrTruncated
	}
	*p = Packet{Version: 6, ipLen: total,
		Src: netip.AddrFrom16([16]byte(pkt[8:24])), Dst: netip.AddrFrom16([16]byte(pkt[24:40]))}
	next, off := pkt[6], 40
	for i := 0; ; i++ {
		if i > maxExtensionHeaders {
			return errExtensionLoop
		}
		switch next {
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if off+8 > total {
				return ErrTruncated
			}
			next, off = pkt[off], off+8+int(pkt[off+1])*8
		case 44: // fragment
			if off+8 > total {
				return ErrTruncated
			}
			if binary.BigEndian.Uint16(pkt[off+2:off+4])&0xfff9 != 0 { // an offset or more fragments
				return ErrFragment
			}
			next, off = pkt[off], off+8
		default:
			if off > total {
				return ErrTruncated
			}
			p.Proto, p.transportOff = next, off
			return nil
		}
	}
}

func (p *Packet) decodeTransport(pkt []byte) error {
	t := pkt[p.transportOff:p.ipLen]
	switch p.Proto {
	case ProtoUDP:
		if len(t) < 8 {
			return ErrTruncated
		}
		if n := int(binary.BigEndian.Uint16(t[4:6])); n < 8 || n > len(t) {
			return ErrBadHeader
		}
		p.payloadOff = p.transportOff + 8
		p.payloadEnd = p.transportOff + int(binary.BigEndian.Uint16(t[4:6]))
	case ProtoTCP:
		if len(t) < 20 {
			return ErrTruncated
		}
		off := int(t[12]>>4) * 4
		if off < 20 || off > len(t) {
			return ErrBadHeader
		}
		p.payloadOff, p.payloadEnd = p.transportOff+off, p.ipLen
	default:
		return ErrUnsupported
	}
	p.SrcPort = binary.BigEndian.Uint16(t[0:2])
	p.DstPort = binary.BigEndian.Uint16(t[2:4])
	return nil
}

// Direction is the side of the host a queued packet was seen on.
type Direction uint8

const (
	// Inbound packets are received or forwarded (PREROUTING, INPUT, FORWARD): the source is the peer.
	Inbound Direction = iota
	// Outbound packets are sent by the host (OUTPUT, POSTROUTING): the destination is the peer.
	Outbound
)

// Endpoints returns the peer's and the local address of the packet (SMC-SPEC §4: SIP.RemoteIP is
// the source of a packet the host receives or forwards, the destination of one it sends).
func (p *Packet) Endpoints(d Direction) (remote, local netip.AddrPort) {
	src, dst := netip.AddrPortFrom(p.Src, p.SrcPort), netip.AddrPortFrom(p.Dst, p.DstPort)
	if d == Outbound {
		return dst, src
	}
	return src, dst
}
