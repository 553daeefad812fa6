package torture

import (
	"encoding/binary"
	"errors"
)

// A Frame is one captured link-layer frame. Cut is set when the capture kept fewer bytes than the
// wire carried (the snap length).
type Frame struct {
	Link uint32
	Data []byte
	Cut  bool
}

// ErrNotCapture: the data is neither pcap nor pcapng.
var ErrNotCapture = errors.New("neither pcap nor pcapng")

// ReadCapture reads a classic pcap or a pcapng file. Only what the tests need is read: link
// types and frames.
func ReadCapture(data []byte) ([]Frame, error) {
	if len(data) < 24 {
		return nil, ErrNotCapture
	}
	switch binary.LittleEndian.Uint32(data) {
	case 0xa1b2c3d4, 0xa1b23c4d: // microsecond and nanosecond pcap
		return readPcap(data, binary.LittleEndian)
	case 0xd4c3b2a1, 0x4d3cb2a1:
		return readPcap(data, binary.BigEndian)
	case 0x0a0d0d0a:
		return readPcapng(data)
	}
	return nil, ErrNotCapture
}

var errCutCapture = errors.New("capture file ends inside a record")

func readPcap(data []byte, order binary.ByteOrder) ([]Frame, error) {
	link := order.Uint32(data[20:]) & 0xffff // the upper bits say FCS presence
	var out []Frame
	for off := 24; off < len(data); {
		if off+16 > len(data) {
			return out, errCutCapture
		}
		n, wire := int(order.Uint32(data[off+8:])), int(order.Uint32(data[off+12:]))
		if off+16+n > len(data) {
			return out, errCutCapture
		}
		out = append(out, Frame{link, data[off+16 : off+16+n], n < wire})
		off += 16 + n
	}
	return out, nil
}

// readPcapng reads section headers, interface descriptions and enhanced, simple and obsolete
// packet blocks; other blocks are skipped by their length.
func readPcapng(data []byte) ([]Frame, error) {
	var order binary.ByteOrder = binary.LittleEndian
	var links []uint32
	var out []Frame
	for off := 0; off < len(data); {
		if off+12 > len(data) {
			return out, errCutCapture
		}
		if binary.LittleEndian.Uint32(data[off:]) == 0x0a0d0d0a { // a new section may switch byte order
			if binary.LittleEndian.Uint32(data[off+8:]) == 0x1a2b3c4d {
				order = binary.LittleEndian
			} else {
				order = binary.BigEndian
			}
			links = links[:0]
		}
		typ, n := order.Uint32(data[off:]), int(order.Uint32(data[off+4:]))
		if n < 12 || n%4 != 0 || off+n > len(data) {
			return out, errCutCapture
		}
		body := data[off+8 : off+n-4]
		off += n
		var iface, caplen, wire int
		var pkt []byte
		switch {
		case typ == 1 && len(body) >= 2: // interface description
			links = append(links, uint32(order.Uint16(body)))
			continue
		case typ == 6 && len(body) >= 20: // enhanced packet
			iface, caplen, wire, pkt = int(order.Uint32(body)), int(order.Uint32(body[12:])), int(order.Uint32(body[16:])), body[20:]
		case typ == 3 && len(body) >= 4: // simple packet: interface 0, length from the block
			wire, pkt = int(order.Uint32(body)), body[4:]
			caplen = min(wire, len(pkt))
		case typ == 2 && len(body) >= 20: // obsolete packet block
			iface, caplen, wire, pkt = int(order.Uint16(body)), int(order.Uint32(body[12:])), int(order.Uint32(body[16:])), body[20:]
		default:
			continue
		}
		if iface >= len(links) || caplen > len(pkt) {
			return out, errCutCapture
		}
		out = append(out, Frame{links[iface], pkt[:caplen], caplen < wire})
	}
	return out, nil
}

// IPOf strips the link-layer header of a frame and returns the IP packet, or nil when the frame
// does not carry IP. One IPv4 tunnel layer (IP-in-IP, 6in4) is removed too, as the kernel would
// queue the inner packet from the tunnel device.
func IPOf(link uint32, b []byte) []byte {
	var ethertype uint16
	switch link {
	case 0: // BSD loopback: a 4-byte address family in the capturing host's byte order
		if len(b) < 4 {
			return nil
		}
		b = b[4:]
	case 1: // Ethernet, with any number of VLAN tags, and PPPoE sessions
		if len(b) < 14 {
			return nil
		}
		ethertype, b = binary.BigEndian.Uint16(b[12:]), b[14:]
		for (ethertype == 0x8100 || ethertype == 0x88a8) && len(b) >= 4 {
			ethertype, b = binary.BigEndian.Uint16(b[2:]), b[4:]
		}
		if ethertype == 0x8864 && len(b) >= 8 { // PPPoE header, then the PPP protocol
			ethertype, b = map[uint16]uint16{0x0021: 0x0800, 0x0057: 0x86dd}[binary.BigEndian.Uint16(b[6:])], b[8:]
		}
		if ethertype != 0x0800 && ethertype != 0x86dd {
			return nil
		}
	case 113: // Linux cooked capture (SLL)
		if len(b) < 16 {
			return nil
		}
		b = b[16:]
	case 276: // Linux cooked capture v2 (SLL2)
		if len(b) < 20 {
			return nil
		}
		b = b[20:]
	case 12, 14, 101, 228, 229: // raw IP
	default:
		return nil
	}
	if len(b) < 20 || b[0]>>4 != 4 && b[0]>>4 != 6 {
		return nil
	}
	if b[0]>>4 == 4 && (b[9] == 4 || b[9] == 41) && binary.BigEndian.Uint16(b[6:])&0x3fff == 0 {
		if ihl := int(b[0]&0x0f) * 4; ihl >= 20 && ihl < len(b) {
			return b[ihl:]
		}
	}
	return b
}
