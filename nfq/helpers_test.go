package nfq

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// This file builds test packets and checks them without the package's own checksum code: the
// sums here are the plain RFC 1071 loop over 16-bit words, so a bug in the package's 64-bit
// summation cannot hide itself.

// refSum is the one's-complement sum of the concatenated parts, the obvious way.
func refSum(parts ...[]byte) uint16 {
	var all []byte
	for _, p := range parts {
		all = append(all, p...)
	}
	if len(all)%2 == 1 {
		all = append(all, 0)
	}
	var s uint64
	for i := 0; i < len(all); i += 2 {
		s += uint64(all[i])<<8 | uint64(all[i+1])
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}

// refPseudo builds the pseudo-header of RFC 768 (IPv4) or RFC 8200 §8.1 (IPv6) byte by byte.
func refPseudo(src, dst netip.Addr, proto byte, n int) []byte {
	if src.Is4() {
		a, b := src.As4(), dst.As4()
		return append(append(a[:], b[:]...), 0, proto, byte(n>>8), byte(n))
	}
	a, b := src.As16(), dst.As16()
	return append(append(a[:], b[:]...), byte(n>>24), byte(n>>16), byte(n>>8), byte(n), 0, 0, 0, proto)
}

var (
	errIPLength  = errors.New("IP length field does not match the packet")
	errIPSum     = errors.New("IPv4 header checksum does not verify")
	errUDPLength = errors.New("UDP length does not match the segment")
	errL4Sum     = errors.New("transport checksum does not verify")
)

// verify checks a packet's lengths and checksums with the reference sums. It takes the header
// offsets from Decode (tested separately against the builder) but every length and sum it checks
// against the bytes themselves. The packet must end at its IP length.
func verify(pkt []byte) error {
	var p Packet
	if err := Decode(pkt, &p); err != nil {
		return err
	}
	if p.Version == 4 {
		if int(binary.BigEndian.Uint16(pkt[2:])) != len(pkt) {
			return errIPLength
		}
		if refSum(pkt[:p.transportOff]) != 0xffff {
			return errIPSum
		}
	} else if int(binary.BigEndian.Uint16(pkt[4:]))+40 != len(pkt) {
		return errIPLength
	}
	seg := pkt[p.transportOff:]
	if p.Proto == ProtoUDP {
		if int(binary.BigEndian.Uint16(seg[4:])) != len(seg) {
			return errUDPLength
		}
		if p.Version == 4 && seg[6] == 0 && seg[7] == 0 {
			return nil
		}
	}
	if refSum(refPseudo(p.Src, p.Dst, p.Proto, len(seg)), seg) != 0xffff {
		return errL4Sum
	}
	return nil
}

// transportVerifies says whether the transport checksum of a captured packet is right as
// captured; senders with checksum offload leave it wrong.
func transportVerifies(pkt []byte, p *Packet) bool {
	seg := pkt[p.transportOff:p.ipLen]
	return refSum(refPseudo(p.Src, p.Dst, p.Proto, len(seg)), seg) == 0xffff
}

// ext is an IPv6 extension header for the builder: kind is its protocol number; body is what
// follows the next-header byte (length byte included), 7 bytes plus a multiple of 8.
type ext struct {
	kind byte
	body []byte
}

var (
	hopByHop   = ext{0, []byte{0, 1, 4, 0, 0, 0, 0}}                                                  // PadN option
	destOpts   = ext{60, []byte{1, 1, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}}                         // two units
	routing    = ext{43, []byte{0, 4, 0, 0, 0, 0, 0}}                                                 // type 4, no segments left
	atomicFrag = ext{44, []byte{0, 0, 0, 0, 0, 0, 42}}                                                // offset 0, M=0 (RFC 6946)
	firstFr    = ext{44, []byte{0, 0, 1, 0, 0, 0, 42}}                                                // offset 0, M=1
	laterFr    = ext{44, []byte{0, 0x05, 0x48, 0, 0, 0, 42}}                                          // offset 169 units
	ahHeader   = ext{51, []byte{4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}} // AH with ICV
)

// spec describes a test packet; build makes it with right lengths and checksums.
type spec struct {
	v6      bool
	proto   byte
	payload []byte
	ipOpts  []byte // IPv4 options, a multiple of 4 bytes
	exts    []ext  // IPv6 extension headers in order
	tcpOpts []byte // a multiple of 4 bytes
	frag    uint16 // IPv4 flags and fragment offset
	tos     byte   // IPv4 DS field or IPv6 traffic class
	noSum   bool   // IPv4 UDP without checksum
}

var (
	src4, dst4 = netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("198.51.100.2")
	src6, dst6 = netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8:ffff::2")
)

func build(s spec) []byte {
	src, dst := src4, dst4
	if s.v6 {
		src, dst = src6, dst6
	}
	var seg []byte
	if s.proto == ProtoUDP {
		seg = []byte{0x13, 0xc4, 0x13, 0xc5, 0, 0, 0, 0} // 5060 → 5061
		binary.BigEndian.PutUint16(seg[4:], uint16(8+len(s.payload)))
	} else {
		seg = make([]byte, 20, 20+len(s.tcpOpts))
		binary.BigEndian.PutUint16(seg[0:], 5060)
		binary.BigEndian.PutUint16(seg[2:], 5061)
		binary.BigEndian.PutUint32(seg[4:], 0x01020304)
		seg[12] = byte((20+len(s.tcpOpts))/4) << 4
		seg[13] = 0x18 // PSH, ACK
		binary.BigEndian.PutUint16(seg[14:], 64240)
		seg = append(seg, s.tcpOpts...)
	}
	seg = append(seg, s.payload...)
	sumAt := 16
	if s.proto == ProtoUDP {
		sumAt = 6
	}
	if !s.noSum {
		binary.BigEndian.PutUint16(seg[sumAt:], ^refSum(refPseudo(src, dst, s.proto, len(seg)), seg))
	}
	if !s.v6 {
		h := make([]byte, 20, 20+len(s.ipOpts))
		h = append(h, s.ipOpts...)
		h[0], h[1] = 0x40|byte(len(h)/4), s.tos
		binary.BigEndian.PutUint16(h[2:], uint16(len(h)+len(seg)))
		binary.BigEndian.PutUint16(h[4:], 0x1234)
		binary.BigEndian.PutUint16(h[6:], s.frag)
		h[8], h[9] = 64, s.proto
		a, b := src.As4(), dst.As4()
		copy(h[12:], a[:])
		copy(h[16:], b[:])
		binary.BigEndian.PutUint16(h[10:], ^refSum(h))
		return append(h, seg...)
	}
	h := make([]byte, 40)
	h[0], h[1], h[2], h[3] = 0x60|s.tos>>4, s.tos<<4|0x0a, 0xbc, 0xde // flow label 0xabcde
	h[7] = 64
	a, b := src.As16(), dst.As16()
	copy(h[8:], a[:])
	copy(h[24:], b[:])
	next := &h[6]
	for _, e := range s.exts {
		*next = e.kind
		h = append(h, 0)
		next = &h[len(h)-1]
		h = append(h, e.body...)
	}
	*next = s.proto
	binary.BigEndian.PutUint16(h[4:], uint16(len(h)-40+len(seg)))
	return append(h, seg...)
}

var sipPayload = []byte("OPTIONS sip:alice@example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n" +
	"Content-Length: 0\r\n\r\n")

type sample struct {
	name string
	spec spec
}

// samples are well-formed packets covering every header layout Decode walks.
func samples() []sample {
	tcpOpts := []byte{1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2} // NOP NOP timestamps
	odd := sipPayload[:len(sipPayload)-1]
	return []sample{
		{"v4-udp", spec{proto: ProtoUDP, payload: sipPayload, tos: 0xb9}},
		{"v4-udp-odd", spec{proto: ProtoUDP, payload: odd}},
		{"v4-udp-nosum", spec{proto: ProtoUDP, payload: sipPayload, noSum: true}},
		{"v4-udp-ipopts", spec{proto: ProtoUDP, payload: sipPayload, ipOpts: []byte{1, 1, 148, 4, 0, 0, 1, 0}}},
		{"v4-udp-df", spec{proto: ProtoUDP, payload: sipPayload, frag: 0x4000}},
		{"v4-udp-empty", spec{proto: ProtoUDP}},
		{"v4-tcp", spec{proto: ProtoTCP, payload: sipPayload, tos: 0x62}},
		{"v4-tcp-opts", spec{proto: ProtoTCP, payload: odd, tcpOpts: tcpOpts, ipOpts: make([]byte, 40)}},
		{"v4-tcp-empty", spec{proto: ProtoTCP}},
		{"v6-udp", spec{v6: true, proto: ProtoUDP, payload: sipPayload, tos: 0xb9}},
		{"v6-udp-odd", spec{v6: true, proto: ProtoUDP, payload: odd}},
		{"v6-tcp", spec{v6: true, proto: ProtoTCP, payload: sipPayload, tcpOpts: tcpOpts, tos: 0x03}},
		{"v6-udp-exts", spec{v6: true, proto: ProtoUDP, payload: sipPayload,
			exts: []ext{hopByHop, destOpts, routing, atomicFrag, destOpts}}},
		{"v6-tcp-exts", spec{v6: true, proto: ProtoTCP, payload: odd, exts: []ext{hopByHop, atomicFrag}}},
	}
}
