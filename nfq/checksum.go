package nfq

import (
	"encoding/binary"
	"math/bits"
)

// The Internet checksum (RFC 1071) is the one's complement of the one's-complement sum of the
// data as big-endian 16-bit words. Because 2^16 ≡ 1 modulo 0xffff, that sum can be taken over
// 64-bit words with end-around carry and folded at the end (RFC 1071 §2(C), "parallel
// summation"): eight bytes per addition instead of two.

// Checksum returns the Internet checksum of data: what an IPv4 header's checksum field holds when
// data is that header with the field zero. It is the sum Rebuild uses, exported for the headers
// smcc pcap builds itself (the datagrams it reassembles from fragments), so that there is one.
func Checksum(data []byte) uint16 { return checksum(data, 0) }

// checksum returns the Internet checksum of data, starting from the partial sum initial (a
// pseudo-header sum, or 0).
func checksum(data []byte, initial uint32) uint16 {
	return ^fold(sum(uint64(initial), data))
}

// sum adds data to the one's-complement partial sum s. An odd last byte is padded with zero, so
// only the last piece of a checksummed area may have an odd length.
func sum(s uint64, data []byte) uint64 {
	var c uint64
	for len(data) >= 32 {
		s, c = bits.Add64(s, binary.BigEndian.Uint64(data), c)
		s, c = bits.Add64(s, binary.BigEndian.Uint64(data[8:]), c)
		s, c = bits.Add64(s, binary.BigEndian.Uint64(data[16:]), c)
		s, c = bits.Add64(s, binary.BigEndian.Uint64(data[24:]), c)
		data = data[32:]
	}
	for len(data) >= 8 {
		s, c = bits.Add64(s, binary.BigEndian.Uint64(data), c)
		data = data[8:]
	}
	s, c = bits.Add64(s, c, 0) // end-around carry: 2^64 ≡ 1 modulo 0xffff
	s += c                     // c is 1 only when s wrapped to 0
	var t uint64               // the last 0..7 bytes
	if len(data) >= 4 {
		t += uint64(binary.BigEndian.Uint32(data))
		data = data[4:]
	}
	if len(data) >= 2 {
		t += uint64(binary.BigEndian.Uint16(data))
		data = data[2:]
	}
	if len(data) == 1 {
		t += uint64(data[0]) << 8
	}
	s, c = bits.Add64(s, t, 0)
	return s + c
}

// fold reduces a 64-bit partial sum to 16 bits with end-around carry.
func fold(s uint64) uint16 {
	s = s>>32 + s&0xffffffff // < 2^33
	s = s>>16 + s&0xffff     // < 2^18
	s = s>>16 + s&0xffff     // ≤ 0x10002
	s = s>>16 + s&0xffff     // < 2^16
	return uint16(s)
}

// pseudoHeaderSum is the partial sum of the pseudo-header that the UDP and TCP checksums cover:
// addresses, protocol and segment length (RFC 768 and RFC 9293 §3.1 for IPv4, RFC 8200 §8.1 for
// IPv6). Both layouts give the same sum since zero bytes add nothing and the length fits 32 bits.
func pseudoHeaderSum(p *Packet, segLen int) uint32 {
	var s uint64
	if p.Version == 4 {
		a, b := p.Src.As4(), p.Dst.As4()
		s = uint64(binary.BigEndian.Uint32(a[:])) + uint64(binary.BigEndian.Uint32(b[:]))
	} else {
		a, b := p.Src.As16(), p.Dst.As16()
		s = sum(sum(0, a[:]), b[:])
	}
	return uint32(fold(s + uint64(p.Proto) + uint64(segLen)))
}
