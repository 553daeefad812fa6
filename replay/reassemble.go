package replay

import (
	"encoding/binary"
	"slices"
	"time"

	"github.com/smcproject/smc/nfq"
)

// smcd never sees an IP fragment: the kernel puts a datagram's fragments back together before the
// first netfilter hook (nf_defrag_ipv4 and nf_defrag_ipv6, in PREROUTING and OUTPUT), so the
// queue hands over the whole datagram. A defragmenter does the same for a capture, and follows
// the kernel where fragments are odd: an exact duplicate of a fragment already held is ignored,
// a fragment that overlaps another spoils its datagram (RFC 5722 for IPv6; Linux does the same for
// IPv4), and a datagram that is not whole in time is given up. A datagram given up is written as
// it was captured, fragment by fragment: smcd never judged it, and the output keeps what it did
// not judge.

// Reassembly limits.
const (
	// fragTimeout4 and fragTimeout6 are how long, in capture time, a datagram may take to
	// arrive whole: the kernel's defaults, net.ipv4.ipfrag_time and net.ipv6.ip6frag_time.
	fragTimeout4 = 30 * time.Second
	fragTimeout6 = 60 * time.Second
	// maxDatagrams bounds the datagrams waiting for fragments; past it the oldest is given up.
	// The kernel bounds them by memory (ipfrag_high_thresh, 4 MiB: about 2,800 fragments of
	// 1,500 bytes); a SIP capture has a handful at a time.
	maxDatagrams = 1024
	// maxExtensionHeaders bounds the IPv6 extension headers walked to the fragment header, as
	// nfq's decoder does.
	maxExtensionHeaders = 10
)

// fragKey names a datagram: RFC 791's source, destination, protocol and identification for
// IPv4, RFC 8200's source, destination and identification for IPv6.
type fragKey struct {
	src, dst [16]byte
	id       uint32
	proto    uint8 // IPv4 only
	v6       bool
}

// A fragment is one fragment of a datagram, read from its IP header.
type fragment struct {
	key  fragKey
	off  int  // of its data in the datagram's fragmentable part
	more bool // more fragments follow
	// nextAt (IPv6) is the offset of the byte that names the fragment header, which names
	// next: the datagram's next header once the fragment header is gone.
	nextAt int
	next   byte
	head   []byte // the IP header and extension headers before the data (not the fragment header)
	data   []byte
}

// parseFragment reads ip into f and reports whether it is a fragment. An atomic fragment (offset
// 0, no more to come; RFC 6946) is a whole datagram, not a fragment, as for the kernel and nfq.
func parseFragment(ip []byte, f *fragment) bool {
	if ip[0]>>4 == 4 {
		return parseFragment4(ip, f)
	}
	return parseFragment6(ip, f)
}

func parseFragment4(ip []byte, f *fragment) bool {
	if len(ip) < 20 {
		return false
	}
	ihl, total := int(ip[0]&0x0f)*4, int(binary.BigEndian.Uint16(ip[2:]))
	flags := binary.BigEndian.Uint16(ip[6:])
	if ihl < 20 || total < ihl || total > len(ip) || flags&0x3fff == 0 {
		return false
	}
	*f = fragment{off: int(flags&0x1fff) * 8, more: flags&0x2000 != 0, head: ip[:ihl], data: ip[ihl:total]}
	f.key = fragKey{id: uint32(binary.BigEndian.Uint16(ip[4:])), proto: ip[9]}
	copy(f.key.src[:], ip[12:16])
	copy(f.key.dst[:], ip[16:20])
	return true
}

func parseFragment6(ip []byte, f *fragment) bool {
	if len(ip) < 40 {
		return false
	}
	total := 40 + int(binary.BigEndian.Uint16(ip[4:]))
	if total == 40 || total > len(ip) {
		return false
	}
	next, off, nextAt := ip[6], 40, 6
	for range maxExtensionHeaders {
		if off+8 > total {
			return false
		}
		switch next {
		case 0, 43, 60: // hop-by-hop, routing, destination options: before the fragment header
			nextAt, next, off = off, ip[off], off+8+int(ip[off+1])*8
		case 44:
			fo := binary.BigEndian.Uint16(ip[off+2:])
			if fo&0xfff9 == 0 { // offset 0 and M clear: atomic
				return false
			}
			*f = fragment{off: int(fo>>3) * 8, more: fo&1 != 0, nextAt: nextAt, next: ip[off], head: ip[:off], data: ip[off+8 : total]}
			f.key = fragKey{src: [16]byte(ip[8:24]), dst: [16]byte(ip[24:40]), id: binary.BigEndian.Uint32(ip[off+4:]), v6: true}
			return true
		default:
			return false
		}
	}
	return false
}

// A datagram is a datagram whose fragments are arriving.
type datagram struct {
	key     fragKey
	started time.Time // capture time of its first fragment
	pieces  []piece   // by offset, none overlapping
	end     int       // length of the fragmentable part; -1 until the last fragment came
	head    []byte    // the offset-0 fragment's bytes before its data (its IP header and extension headers)
	nextAt  int
	next    byte
	link    []byte // the offset-0 fragment's link-layer header, for the reassembled frame
	slots   []int  // output slots of its fragments (output.hold)
	bad     bool   // overlapping or inconsistent fragments: to be given up
}

type piece struct {
	off  int
	data []byte
}

// A defragmenter holds the datagrams whose fragments are arriving.
type defragmenter struct {
	pending map[fragKey]*datagram
	order   []*datagram // by first fragment, oldest first; may hold datagrams already done
	buf     []byte      // the last reassembled datagram
}

func newDefragmenter() *defragmenter {
	return &defragmenter{pending: map[fragKey]*datagram{}}
}

// add takes fragment f, whose frame went to output slot slot with link header link, and returns
// its datagram, and whether that is whole or spoiled (then no longer held).
func (d *defragmenter) add(f *fragment, slot int, link []byte, at time.Time) (dg *datagram, done bool) {
	dg = d.pending[f.key]
	if dg == nil {
		dg = &datagram{key: f.key, started: at, end: -1}
		d.pending[f.key] = dg
		d.order = append(d.order, dg)
	}
	dg.slots = append(dg.slots, slot)
	dg.insert(f, link)
	if dg.bad || dg.whole() {
		delete(d.pending, f.key)
		return dg, true
	}
	return dg, false
}

// insert adds f's data to the datagram, or marks it bad.
func (dg *datagram) insert(f *fragment, link []byte) {
	end := f.off + len(f.data)
	switch {
	case f.more && len(f.data)%8 != 0, // only the last fragment may end off the 8-byte grid
		!f.more && dg.end >= 0 && end != dg.end, // two different ends
		dg.end >= 0 && end > dg.end:
		dg.bad = true
		return
	}
	i, dup := dg.find(f.off, end)
	if dup {
		return
	}
	if i < 0 {
		dg.bad = true
		return
	}
	if !f.more {
		dg.end = end
		dg.bad = len(dg.pieces) > 0 && dg.pieces[len(dg.pieces)-1].off+len(dg.pieces[len(dg.pieces)-1].data) > end
	}
	dg.pieces = slices.Insert(dg.pieces, i, piece{f.off, slices.Clone(f.data)})
	if f.off == 0 {
		dg.head, dg.nextAt, dg.next = slices.Clone(f.head), f.nextAt, f.next
		dg.link = slices.Clone(link)
	}
}

// find returns where a piece [off, end) goes among the pieces: dup for an exact duplicate, -1 when
// it overlaps one.
func (dg *datagram) find(off, end int) (i int, dup bool) {
	i, _ = slices.BinarySearchFunc(dg.pieces, off, func(p piece, off int) int { return p.off - off })
	if i < len(dg.pieces) && dg.pieces[i].off == off && len(dg.pieces[i].data) == end-off {
		return i, true
	}
	if i > 0 && dg.pieces[i-1].off+len(dg.pieces[i-1].data) > off || i < len(dg.pieces) && dg.pieces[i].off < end {
		return -1, false
	}
	return i, false
}

// whole reports whether the pieces cover the datagram from 0 to its end.
func (dg *datagram) whole() bool {
	if dg.end < 0 || dg.head == nil {
		return false
	}
	at := 0
	for _, p := range dg.pieces {
		if p.off != at {
			return false
		}
		at += len(p.data)
	}
	return at == dg.end
}

// assemble returns the whole datagram as the kernel hands it to netfilter: the offset-0 fragment's
// headers without what made it a fragment (IPv4's offset and more-fragments flag, IPv6's fragment
// header), the lengths and the IPv4 header checksum set, then the data. It reports false when the
// datagram would be longer than IP allows (65,535 bytes), which the kernel drops. The datagram is
// valid until the next assemble.
func (d *defragmenter) assemble(dg *datagram) ([]byte, bool) {
	b := append(d.buf[:0], dg.head...)
	for _, p := range dg.pieces {
		b = append(b, p.data...)
	}
	d.buf = b
	if dg.key.v6 {
		if len(b)-40 > 0xffff {
			return nil, false
		}
		b[dg.nextAt] = dg.next
		binary.BigEndian.PutUint16(b[4:], uint16(len(b)-40))
		return b, true
	}
	if len(b) > 0xffff {
		return nil, false
	}
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
	binary.BigEndian.PutUint16(b[6:], 0)
	b[10], b[11] = 0, 0
	binary.BigEndian.PutUint16(b[10:], nfq.Checksum(b[:len(dg.head)]))
	return b, true
}

// expire takes out, to be given up, the datagrams whose time is up at now, and the oldest ones
// while more than keep wait.
func (d *defragmenter) expire(now time.Time, keep int) []*datagram {
	var out []*datagram
	for _, dg := range d.order {
		if d.pending[dg.key] != dg {
			continue // done already
		}
		age := now.Sub(dg.started)
		if age <= fragTimeout4 && len(d.pending) <= keep {
			break // every datagram after it is younger still
		}
		if age > dg.timeout() || len(d.pending) > keep {
			delete(d.pending, dg.key)
			out = append(out, dg)
		}
	}
	d.order = slices.DeleteFunc(d.order, func(dg *datagram) bool { return d.pending[dg.key] != dg })
	return out
}

func (dg *datagram) timeout() time.Duration {
	if dg.key.v6 {
		return fragTimeout6
	}
	return fragTimeout4
}
