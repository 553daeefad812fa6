package nfq

import "encoding/binary"

// Rebuild sets dst to the packet orig, which p was decoded from, with p.Payload replaced by
// payload, and returns it. It fixes what the change of length invalidates: the IPv4 total length
// and header checksum or the IPv6 payload length, the UDP length, and the UDP or TCP checksum
// over the pseudo-header. An IPv4 UDP checksum of zero (not computed by the sender, RFC 768)
// stays zero; IPv6 makes the UDP checksum mandatory (RFC 8200 §8.1), so it is always computed.
// Bytes that followed the UDP datagram inside the IP length, and any after the IP length, are not
// kept. Checksums are computed afresh, not adjusted, so a packet that arrived with a wrong one
// leaves with a right one, as with the kernel's own SIP helper (nf_nat_sip).
//
// Rebuild reuses dst's capacity and does not allocate when it holds the result; dst must not
// overlap orig or payload. It returns ErrTooLarge, and dst unchanged, when the IPv4 total length
// or the IPv6 payload length would exceed 65535.
func Rebuild(dst, orig []byte, p *Packet, payload []byte) ([]byte, error) {
	n := p.payloadOff + len(payload)
	if p.Version == 6 {
		n -= 40 // the IPv6 length field leaves out the fixed header
	}
	if n > 0xffff {
		return dst, ErrTooLarge
	}
	out := append(append(dst[:0], orig[:p.payloadOff]...), payload...)
	if p.Version == 4 {
		binary.BigEndian.PutUint16(out[2:4], uint16(n))
		out[10], out[11] = 0, 0
		binary.BigEndian.PutUint16(out[10:12], checksum(out[:p.transportOff], 0))
	} else {
		binary.BigEndian.PutUint16(out[4:6], uint16(n))
	}
	seg := out[p.transportOff:]
	if p.Proto == ProtoTCP {
		seg[16], seg[17] = 0, 0
		binary.BigEndian.PutUint16(seg[16:18], checksum(seg, pseudoHeaderSum(p, len(seg))))
		return out, nil
	}
	binary.BigEndian.PutUint16(seg[4:6], uint16(len(seg)))
	if p.Version == 4 && seg[6] == 0 && seg[7] == 0 {
		return out, nil
	}
	seg[6], seg[7] = 0, 0
	c := checksum(seg, pseudoHeaderSum(p, len(seg)))
	if c == 0 {
		c = 0xffff // a computed zero is sent as its other one's-complement form (RFC 768)
	}
	binary.BigEndian.PutUint16(seg[6:8], c)
	return out, nil
}

// SetDSCP writes dscp (0..63) into the DS field of the IPv4 header or the traffic class of the
// IPv6 header of pkt, in place, keeping the two ECN bits: they belong to the path's congestion
// signalling, not to the sender's QoS choice. The IPv4 header checksum is updated incrementally
// (RFC 1624 eqn. 3) rather than recomputed, as only one word changed; IPv6 has no header
// checksum, and no pseudo-header covers the field, so the transport checksums stay valid.
func SetDSCP(pkt []byte, dscp uint8) error {
	if dscp > 63 {
		return ErrBadDSCP
	}
	if len(pkt) < 1 {
		return ErrTruncated
	}
	switch pkt[0] >> 4 {
	case 4:
		if len(pkt) < 20 {
			return ErrTruncated
		}
		old := binary.BigEndian.Uint16(pkt[0:2])
		pkt[1] = dscp<<2 | pkt[1]&0x03
		m := binary.BigEndian.Uint16(pkt[0:2])
		hc := binary.BigEndian.Uint16(pkt[10:12])
		binary.BigEndian.PutUint16(pkt[10:12], ^fold(uint64(^hc)+uint64(^old)+uint64(m)))
	case 6:
		if len(pkt) < 40 {
			return ErrTruncated
		}
		// The traffic class straddles bytes 0 and 1: version(4) tc(8) flow label(20).
		pkt[0] = 0x60 | dscp>>2
		pkt[1] = (dscp&0x03)<<6 | pkt[1]&0x3f
	default:
		return ErrUnsupported
	}
	return nil
}
