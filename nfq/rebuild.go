package nfq

import "encoding/binary"

// Rebuild appends to dst[:0] the packet pkt (decoded into p) with its payload replaced by
// payload: the IPv4 total length and header checksum, or the IPv6 payload length, the UDP length,
// and the UDP or TCP checksum are fixed. An IPv4 UDP checksum of zero (none) stays zero. Bytes that
// followed a UDP payload inside the IP length (padding) are not kept. dst and pkt must not overlap.
func Rebuild(dst, pkt []byte, p *Packet, payload []byte) ([]byte, error) {
	n := p.payloadOff + len(payload)
	if n > 0xffff || p.Version == 6 && n-40 > 0xffff {
		return dst, ErrTooLarge
	}
	out := append(append(dst[:0], pkt[:p.payloadOff]...), payload...)
	if p.Version == 4 {
		binary.BigEndian.PutUint16(out[2:4], uint16(n))
		ihl := p.transportOff
		out[10], out[11] = 0, 0
		binary.BigEndian.PutUint16(out[10:12], ^fold(sum(0, out[:ihl])))
	} else {
		binary.BigEndian.PutUint16(out[4:6], uint16(n-40))
	}
	seg := out[p.transportOff:]
	switch p.Proto {
	case ProtoUDP:
		binary.BigEndian.PutUint16(seg[4:6], uint16(len(seg)))
		if p.Version == 4 && binary.BigEndian.Uint16(pkt[p.transportOff+6:]) == 0 {
			return out, nil
		}
		seg[6], seg[7] = 0, 0
		c := transportChecksum(p, seg)
		if c == 0 {
			c = 0xffff // zero means "no checksum" in UDP (RFC 768)
		}
		binary.BigEndian.PutUint16(seg[6:8], c)
	case ProtoTCP:
		seg[16], seg[17] = 0, 0
		binary.BigEndian.PutUint16(seg[16:18], transportChecksum(p, seg))
	}
	return out, nil
}

// transportChecksum is the Internet checksum (RFC 1071) of seg with the pseudo-header of RFC 768
// and RFC 8200 §8.1.
func transportChecksum(p *Packet, seg []byte) uint16 {
	var s uint32
	if p.Version == 4 {
		a, b := p.Src.As4(), p.Dst.As4()
		s = sum(sum(0, a[:]), b[:])
	} else {
		a, b := p.Src.As16(), p.Dst.As16()
		s = sum(sum(0, a[:]), b[:])
	}
	s += uint32(p.Proto) + uint32(len(seg)>>16) + uint32(len(seg)&0xffff)
	return ^fold(sum(s, seg))
}

// sum adds b as big-endian 16-bit words to s, padding an odd last byte with zero.
func sum(s uint32, b []byte) uint32 {
	for len(b) >= 2 {
		s += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

// fold folds the carries of a one's-complement sum into 16 bits.
func fold(s uint32) uint16 {
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}

// SetDSCP writes dscp (0..63) into the IPv4 DS field or the IPv6 traffic class, keeping the ECN
// bits. The IPv4 header checksum is updated incrementally (RFC 1624); IPv6 has none, and the
// transport pseudo-headers do not cover the field.
func SetDSCP(pkt []byte, dscp uint8) error {
	if len(pkt) < 2 || dscp > 63 {
		return ErrBadHeader
	}
	switch pkt[0] >> 4 {
	case 4:
		if len(pkt) < 20 {
			return ErrTruncated
		}
		old := binary.BigEndian.Uint16(pkt[0:2])
		pkt[1] = dscp<<2 | pkt[1]&0x03
		updated := binary.BigEndian.Uint16(pkt[0:2])
		hc := binary.BigEndian.Uint16(pkt[10:12])
		s := uint32(^hc) + uint32(^old) + uint32(updated) // HC' = ~(~HC + ~m + m')
		binary.BigEndian.PutUint16(pkt[10:12], ^fold(s))
	case 6:
		tc := (pkt[0]&0x0f)<<4 | pkt[1]>>4
		tc = dscp<<2 | tc&0x03
		pkt[0] = 0x60 | tc>>4
		pkt[1] = tc<<4 | pkt[1]&0x0f
	default:
		return ErrUnsupported
	}
	return nil
}
