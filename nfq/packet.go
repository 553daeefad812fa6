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

// maxExtensionHeaders bounds the IPv6 extension header walk. A packet needs at most a hop-by-hop,
// a routing, a fragment and two destination options headers (RFC 8200 §4.1 order, each once);
// twice that leaves room for odd but legal stacks while keeping a crafted chain cheap.
const maxExtensionHeaders = 10

// Errors of the packet path, preallocated so that a worker never formats a string per packet.
var (
	// ErrTruncated reports a packet shorter than its IP header or IP length says.
	ErrTruncated = errors.New("nfq: packet shorter than its IP header or length says")
	// ErrBadHeader reports an inconsistent header: an IPv4 header length below 20 or beyond the
	// total length, a malformed IPv4 option, an IPv6 extension header or a UDP or TCP header
	// reaching past the IP length, a UDP length outside the IP payload, a TCP data offset
	// outside the segment.
	ErrBadHeader = errors.New("nfq: malformed IP, UDP or TCP header")
	// ErrUnsupported reports a packet that is not IPv4 or IPv6 carrying UDP or TCP directly:
	// another protocol, IPsec (AH or ESP: the payload cannot be rewritten without breaking it),
	// a jumbogram, more than 10 IPv6 extension headers, or a source-routed packet (its
	// checksum covers an address that is not in the IP header).
	ErrUnsupported = errors.New("nfq: not IPv4 or IPv6 carrying UDP or TCP")
	// ErrFirstFragment reports the first fragment of a fragmented datagram: it holds the
	// transport header but only the beginning of the SIP message, which cannot be rewritten
	// without the rest.
	ErrFirstFragment = errors.New("nfq: first IP fragment: the SIP message continues in later fragments")
	// ErrNotFirstFragment reports a later fragment of a datagram: no transport header at all.
	ErrNotFirstFragment = errors.New("nfq: IP fragment other than the first")
	// ErrTooLarge reports a rebuilt packet beyond the IPv4 total length or IPv6 payload length
	// limit of 65535 bytes.
	ErrTooLarge = errors.New("nfq: rebuilt packet would exceed 65535 bytes")
	// ErrBadDSCP reports a DSCP beyond 6 bits; the compiler only emits 0..63.
	ErrBadDSCP = errors.New("nfq: DSCP out of range 0..63")
)

// A Packet is a decoded IP packet. Payload is a view into the buffer given to Decode, not a
// copy: it is valid as long as that buffer is, and Rebuild needs that buffer back.
type Packet struct {
	Version          int // 4 or 6
	Src, Dst         netip.Addr
	SrcPort, DstPort uint16
	Proto            uint8  // ProtoUDP or ProtoTCP
	Payload          []byte // the UDP or TCP payload: the SIP bytes

	ipLen        int // bytes the IP header covers: IPv4 total length, or 40 + IPv6 payload length
	transportOff int // offset of the UDP or TCP header; for IPv4 the header length
	payloadOff   int // offset of Payload
}

// Decode reads pkt, an IPv4 or IPv6 packet without a link-layer header, into p. IPv6 extension
// headers (hop-by-hop, routing, fragment, destination options) are walked to the transport
// header. Bytes after the IP length (link padding) are ignored, and so are bytes between the end
// of the UDP datagram and the IP length. On error p holds nothing useful.
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
	if total > len(pkt) {
		return ErrTruncated
	}
	if ihl < 20 || total < ihl {
		return ErrBadHeader
	}
	if err := fragment4(binary.BigEndian.Uint16(pkt[6:8])); err != nil {
		return err
	}
	if err := options4(pkt[20:ihl]); err != nil {
		return err
	}
	*p = Packet{Version: 4, Proto: pkt[9], ipLen: total, transportOff: ihl,
		Src: netip.AddrFrom4([4]byte(pkt[12:16])), Dst: netip.AddrFrom4([4]byte(pkt[16:20]))}
	return nil
}

// fragment4 classifies the IPv4 flags and fragment offset field (RFC 791): DF is ignored.
func fragment4(f uint16) error {
	switch {
	case f&0x1fff != 0:
		return ErrNotFirstFragment
	case f&0x2000 != 0: // more fragments, offset 0
		return ErrFirstFragment
	}
	return nil
}

// options4 walks the IPv4 options (RFC 791) to refuse source routing: the transport checksum of
// a source-routed packet covers the final destination, which is not the header's destination
// (RFC 1122 §3.3.5, §4.2.3.2), so a rebuilt checksum would be wrong, and so would SIP.LocalIP.
func options4(opts []byte) error {
	for len(opts) > 0 {
		switch opts[0] {
		case 0: // end of options
			return nil
		case 1: // no operation
			opts = opts[1:]
			continue
		case 131, 137: // loose, strict source route
			return ErrUnsupported
		}
		if len(opts) < 2 || opts[1] < 2 || int(opts[1]) > len(opts) {
			return ErrBadHeader
		}
		opts = opts[opts[1]:]
	}
	return nil
}

// decode6 walks the extension headers to the transport header. Each step checks only that the
// next header's fixed part is inside the IP length; the transport step checks the rest.
func (p *Packet) decode6(pkt []byte) error {
	if len(pkt) < 40 {
		return ErrTruncated
	}
	plen := int(binary.BigEndian.Uint16(pkt[4:6]))
	total := 40 + plen
	if total > len(pkt) {
		return ErrTruncated
	}
	if plen == 0 { // a jumbogram (RFC 2675), or nothing after the header
		return ErrUnsupported
	}
	*p = Packet{Version: 6, ipLen: total,
		Src: netip.AddrFrom16([16]byte(pkt[8:24])), Dst: netip.AddrFrom16([16]byte(pkt[24:40]))}
	next, off := pkt[6], 40
	for range maxExtensionHeaders + 1 {
		switch next {
		case 0, 43, 60: // hop-by-hop, routing, destination options: length in 8-byte units
			if off+8 > total {
				return ErrBadHeader
			}
			if next == 43 && pkt[off+3] != 0 {
				// Segments left: the destination is not the final one, which the transport
				// checksum covers instead (RFC 8200 §8.1).
				return ErrUnsupported
			}
			next, off = pkt[off], off+8+int(pkt[off+1])*8
		case 44: // fragment (RFC 8200 §4.5)
			if off+8 > total {
				return ErrBadHeader
			}
			if err := fragment6(binary.BigEndian.Uint16(pkt[off+2 : off+4])); err != nil {
				return err
			}
			next, off = pkt[off], off+8
		case ProtoUDP, ProtoTCP:
			if off > total {
				return ErrBadHeader
			}
			p.Proto, p.transportOff = next, off
			return nil
		default:
			return ErrUnsupported
		}
	}
	return ErrUnsupported
}

// fragment6 classifies the offset and M flag of an IPv6 fragment header. Offset 0 without M is
// an atomic fragment (RFC 6946): the whole datagram, decoded as usual.
func fragment6(f uint16) error {
	switch {
	case f>>3 != 0:
		return ErrNotFirstFragment
	case f&1 != 0:
		return ErrFirstFragment
	}
	return nil
}

func (p *Packet) decodeTransport(pkt []byte) error {
	t := pkt[p.transportOff:p.ipLen]
	end := p.ipLen
	switch p.Proto {
	case ProtoUDP:
		if len(t) < 8 {
			return ErrBadHeader
		}
		n := int(binary.BigEndian.Uint16(t[4:6]))
		if n < 8 || n > len(t) {
			return ErrBadHeader
		}
		p.payloadOff, end = p.transportOff+8, p.transportOff+n
	case ProtoTCP:
		if len(t) < 20 {
			return ErrBadHeader
		}
		off := int(t[12]>>4) * 4
		if off < 20 || off > len(t) {
			return ErrBadHeader
		}
		p.payloadOff = p.transportOff + off
	default:
		return ErrUnsupported
	}
	p.SrcPort = binary.BigEndian.Uint16(t[0:2])
	p.DstPort = binary.BigEndian.Uint16(t[2:4])
	p.Payload = pkt[p.payloadOff:end:end]
	return nil
}

// Direction is the side of the host a queued packet was seen on, known from the hook of the
// queue it came from. It decides which end of the packet is the peer.
type Direction uint8

const (
	// Inbound packets are received or forwarded (PREROUTING, INPUT, FORWARD): the source is the
	// peer.
	Inbound Direction = iota
	// Outbound packets are sent by the host (OUTPUT, POSTROUTING): the destination is the peer.
	Outbound
)

// Endpoints returns the peer's and the local address and port of the packet: SIP.RemoteIP and
// SIP.LocalIP with their ports (SMC-SPEC §4).
func (p *Packet) Endpoints(d Direction) (remote, local netip.AddrPort) {
	src, dst := netip.AddrPortFrom(p.Src, p.SrcPort), netip.AddrPortFrom(p.Dst, p.DstPort)
	if d == Outbound {
		return dst, src
	}
	return src, dst
}
