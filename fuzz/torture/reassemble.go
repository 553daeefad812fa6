package torture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"sort"
)

// ErrFragments: the fragments of a datagram leave a gap, overlap, or lack their last piece.
var ErrFragments = errors.New("IPv4 fragments that do not make a whole datagram")

// UDPDatagrams puts IPv4 fragments back together (RFC 791) and returns the UDP payloads of the
// datagrams among packets, in the order of their first fragment: fragments are grouped by source,
// destination, protocol and identification, and a datagram is whole when its pieces cover it from
// offset 0 to a last fragment without gaps. Packets that are not IPv4, datagrams that are not UDP,
// and UDP datagrams whose length field disagrees with what arrived are left out. The SIP-T
// capture of the corpus (pcap/sip-capture/sip-i.pcap) sends its INVITE in two fragments.
func UDPDatagrams(packets [][]byte) ([][]byte, error) {
	type key struct {
		src, dst [4]byte
		id       uint16
		proto    byte
	}
	type piece struct {
		off  int
		more bool
		data []byte
	}
	groups := map[key][]piece{}
	var order []key
	for _, p := range packets {
		if len(p) < 20 || p[0]>>4 != 4 {
			continue
		}
		ihl, total := int(p[0]&15)*4, int(binary.BigEndian.Uint16(p[2:]))
		if ihl < 20 || total < ihl || total > len(p) {
			continue
		}
		flags := binary.BigEndian.Uint16(p[6:])
		k := key{[4]byte(p[12:16]), [4]byte(p[16:20]), binary.BigEndian.Uint16(p[4:]), p[9]}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], piece{int(flags&0x1fff) * 8, flags&0x2000 != 0, p[ihl:total]})
	}
	var out [][]byte
	for _, k := range order {
		pieces := groups[k]
		sort.Slice(pieces, func(i, j int) bool { return pieces[i].off < pieces[j].off })
		var whole []byte
		for _, pc := range pieces {
			if pc.off != len(whole) {
				return nil, ErrFragments
			}
			whole = append(whole, pc.data...)
		}
		if pieces[len(pieces)-1].more {
			return nil, ErrFragments
		}
		if k.proto != 17 || len(whole) < 8 || int(binary.BigEndian.Uint16(whole[4:])) != len(whole) {
			continue
		}
		out = append(out, whole[8:])
	}
	return out, nil
}

// SIPTCapture is where the shared corpus keeps its SIP-T capture, relative to the corpus root.
const SIPTCapture = "pcap/sip-capture/sip-i.pcap"

// SIPTInvite returns the INVITE of the corpus's SIP-T capture, put back together from its two
// IPv4 fragments: a Sonus gateway's 1,539-byte INVITE with an ANSI IAM in a multipart body. A
// missing corpus gives the os.ReadFile error.
func SIPTInvite(root string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(root, SIPTCapture))
	if err != nil {
		return nil, err
	}
	frames, err := ReadCapture(data)
	if err != nil {
		return nil, err
	}
	var packets [][]byte
	for _, f := range frames {
		if ip := IPOf(f.Link, f.Data); ip != nil {
			packets = append(packets, ip)
		}
	}
	datagrams, err := UDPDatagrams(packets)
	if err != nil {
		return nil, err
	}
	for _, d := range datagrams {
		if bytes.HasPrefix(d, []byte("INVITE ")) {
			return d, nil
		}
	}
	return nil, errors.New(SIPTCapture + ": no INVITE among its datagrams")
}
