package nfq

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// corpusDir holds real captures collected for the project (see SOURCES.md beside it). They are
// read in place, never copied here: several carry licences we do not ship.
const corpusDir = "../../shared/corpus/pcap"

// TestCaptures runs every IP packet of the real captures through Decode, and every SIP packet
// through Rebuild: with its own payload it must come back byte for byte wherever the capture's
// checksums are right (senders with checksum offload capture wrong ones), and with a changed
// payload it must verify.
func TestCaptures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*"))
	files = slices.DeleteFunc(files, func(f string) bool {
		fi, err := os.Stat(f)
		return err != nil || !fi.Mode().IsRegular()
	})
	if len(files) == 0 {
		t.Skipf("no captures under %s: the shared corpus is absent", corpusDir)
	}
	total := 0
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Skipf("unreadable: %v", err)
			}
			frames, err := readCapture(data)
			if err != nil {
				t.Skipf("not a capture this reader parses: %v", err)
			}
			st := checkCapture(t, frames)
			total += st.rebuilt
			t.Logf("%d frames: %d IP, %d SIP (%d byte-identical, %d rebuilt), errors %v",
				len(frames), st.ip, st.sip, st.identical, st.rebuilt, st.errs)
			switch filepath.Base(f) {
			case "ipv6frag.pcap":
				if st.errs[ErrFirstFragment] == 0 || st.errs[ErrNotFirstFragment] == 0 {
					t.Errorf("IPv6 fragments not recognised: %v", st.errs)
				}
			case "sip-frag.pcap":
				if st.errs[ErrNotFirstFragment] != 1 {
					t.Errorf("the trailing IPv4 fragment not recognised: %v", st.errs)
				}
			case "sip-over-tcp.pcap": // sip-tcp.pcap has offloaded checksums
				if st.sip == 0 || st.identical != st.sip {
					t.Errorf("SIP over TCP not all rebuilt identically")
				}
			}
		})
	}
	if total == 0 {
		t.Skip("no SIP packet in the captures")
	}
}

type captureStats struct {
	ip, sip, identical, rebuilt int
	errs                        map[error]int
}

func checkCapture(t *testing.T, frames []frame) captureStats {
	st := captureStats{errs: map[error]int{}}
	for i, fr := range frames {
		pkt := ipOf(fr.link, fr.data)
		if pkt == nil {
			continue
		}
		st.ip++
		var p Packet
		if err := Decode(pkt, &p); err != nil {
			st.errs[err]++
			if err == ErrBadHeader || err == ErrTruncated && !fr.cut {
				t.Errorf("frame %d: %v\n%x", i+1, err, pkt)
			}
			continue
		}
		if !isSIP(&p) {
			continue
		}
		st.sip++
		if same := sameBytesExpected(pkt, &p); same {
			out, err := Rebuild(nil, pkt, &p, p.Payload)
			if err != nil || !bytes.Equal(out, pkt[:p.ipLen]) {
				t.Errorf("frame %d: rebuild with the same payload differs (%v)\n got %x\nwant %x", i+1, err, out, pkt[:p.ipLen])
			}
			st.identical++
		}
		for _, payload := range [][]byte{
			append(bytes.Clone(p.Payload), "X-Smc: rewritten\r\n"...),
			p.Payload[:len(p.Payload)/2],
		} {
			out, err := Rebuild(make([]byte, 0, 4096), pkt, &p, payload)
			if err != nil {
				t.Fatalf("frame %d: %v", i+1, err)
			}
			if err := verify(out); err != nil {
				t.Errorf("frame %d rebuilt with %d payload bytes: %v", i+1, len(payload), err)
			}
			if err := SetDSCP(out, 46); err != nil || verify(out) != nil {
				t.Errorf("frame %d: after SetDSCP: %v %v", i+1, err, verify(out))
			}
		}
		st.rebuilt++
	}
	return st
}

// isSIP: the SIP port, or a first line that names the SIP version (captures use other ports too).
func isSIP(p *Packet) bool {
	line, _, _ := bytes.Cut(p.Payload, []byte("\r\n"))
	return p.SrcPort == 5060 || p.DstPort == 5060 || bytes.Contains(line, []byte("SIP/2.0"))
}

// sameBytesExpected says whether Rebuild with the packet's own payload must give the packet back:
// the captured checksums are right and there is no padding after a UDP datagram.
func sameBytesExpected(pkt []byte, p *Packet) bool {
	if p.payloadOff+len(p.Payload) != p.ipLen {
		return false
	}
	if p.Version == 4 && refSum(pkt[:p.transportOff]) != 0xffff {
		return false
	}
	seg := pkt[p.transportOff:p.ipLen]
	if p.Version == 4 && p.Proto == ProtoUDP && seg[6] == 0 && seg[7] == 0 {
		return true
	}
	return transportVerifies(pkt, p)
}

// frame is one captured link-layer frame. cut is set when the capture kept fewer bytes than the
// wire carried (the snap length).
type frame struct {
	link uint32
	data []byte
	cut  bool
}

var errNotCapture = errors.New("neither pcap nor pcapng")

// readCapture reads a classic pcap or a pcapng file. Only what the test needs is read: link
// types and frames.
func readCapture(data []byte) ([]frame, error) {
	if len(data) < 24 {
		return nil, errNotCapture
	}
	switch binary.LittleEndian.Uint32(data) {
	case 0xa1b2c3d4, 0xa1b23c4d: // microsecond and nanosecond pcap
		return readPcap(data, binary.LittleEndian)
	case 0xd4c3b2a1, 0x4d3cb2a1:
		return readPcap(data, binary.BigEndian)
	case 0x0a0d0d0a:
		return readPcapng(data)
	}
	return nil, errNotCapture
}

var errCutCapture = errors.New("capture file ends inside a record")

func readPcap(data []byte, order binary.ByteOrder) ([]frame, error) {
	link := order.Uint32(data[20:]) & 0xffff // the upper bits say FCS presence
	var out []frame
	for off := 24; off < len(data); {
		if off+16 > len(data) {
			return out, errCutCapture
		}
		n, wire := int(order.Uint32(data[off+8:])), int(order.Uint32(data[off+12:]))
		if off+16+n > len(data) {
			return out, errCutCapture
		}
		out = append(out, frame{link, data[off+16 : off+16+n], n < wire})
		off += 16 + n
	}
	return out, nil
}

// readPcapng reads section headers, interface descriptions and enhanced, simple and obsolete
// packet blocks; other blocks are skipped by their length.
func readPcapng(data []byte) ([]frame, error) {
	var order binary.ByteOrder = binary.LittleEndian
	var links []uint32
	var out []frame
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
		out = append(out, frame{links[iface], pkt[:caplen], caplen < wire})
	}
	return out, nil
}

// ipOf strips the link-layer header of a frame and returns the IP packet, or nil when the frame
// does not carry IP. One IPv4 tunnel layer (IP-in-IP, 6in4) is removed too, as the kernel would
// queue the inner packet from the tunnel device.
func ipOf(link uint32, b []byte) []byte {
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
