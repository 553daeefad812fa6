package nfq

import (
	"errors"
	"net/netip"
)

// ErrNotUDP reports a reject of a request that did not come over UDP: its response would have to
// enter the byte stream of the connection, which a packet verdict cannot do, so the request is only
// dropped (docs/smcd.md).
var ErrNotUDP = errors.New("nfq: a reject response goes back over UDP only; the TCP request was dropped")

// A ResponseBuilder makes the packet that answers a rejected request: the generated response in a
// UDP datagram from the address and port the request was sent to, to the address and port it came
// from. It is the part of answering that needs no socket, shared by RawResponder, which sends the
// packet, and by smcc pcap, which writes it into the rewritten capture, so that both carry the
// same bytes. It keeps its buffers between calls; the zero value is ready to use.
type ResponseBuilder struct {
	buf  []byte
	tmpl []byte
	pkt  Packet
}

// Build returns the response packet for req, a request decoded by Decode: the request's addresses
// and ports swapped, a TTL or hop limit of 64, IPv4's don't-fragment bit set, lengths and checksums
// computed by Rebuild. The packet is valid until the next Build. A request that did not come over
// UDP gets ErrNotUDP.
func (b *ResponseBuilder) Build(req *Packet, response []byte) ([]byte, error) {
	if req.Proto != ProtoUDP {
		return nil, ErrNotUDP
	}
	b.tmpl = udpTemplate(b.tmpl[:0], req.Dst, req.Src, req.DstPort, req.SrcPort)
	if err := Decode(b.tmpl, &b.pkt); err != nil {
		return nil, err
	}
	out, err := Rebuild(b.buf, b.tmpl, &b.pkt, response)
	if err != nil {
		return nil, err
	}
	b.buf = out
	return out, nil
}

// udpTemplate appends an IP and UDP header with no payload, for Rebuild to complete. The UDP
// checksum field is not zero, so that Rebuild computes it for IPv4 too.
func udpTemplate(b []byte, src, dst netip.Addr, sport, dport uint16) []byte {
	if src.Is4() {
		s, d := src.As4(), dst.As4()
		b = append(b, 0x45, 0, 0, 28, 0, 0, 0x40, 0, 64, ProtoUDP, 0, 0)
		b = append(append(b, s[:]...), d[:]...)
	} else {
		s, d := src.As16(), dst.As16()
		b = append(b, 0x60, 0, 0, 0, 0, 8, ProtoUDP, 64)
		b = append(append(b, s[:]...), d[:]...)
	}
	return append(b, byte(sport>>8), byte(sport), byte(dport>>8), byte(dport), 0, 8, 0xff, 0xff)
}
