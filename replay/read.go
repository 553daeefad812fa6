package replay

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// The capture is read by pcapgo, from gopacket: classic pcap in either byte order, with
// microsecond or nanosecond timestamps, gzip-compressed or not, and pcapng. This file only counts
// where each packet starts, so that an error can name its offset, and adds the two checks pcapgo
// leaves out (see readFrame and checkBlocks).

// maxFrame is the longest frame accepted: libpcap's and Wireshark's largest snap length
// (MAXIMUM_SNAPLEN, WTAP_MAX_PACKET_SIZE_STANDARD). The link types read here carry an IP packet of
// at most 65,535 bytes, so a longer record means a corrupt length field, which would otherwise
// make the reader allocate up to 4 GiB.
const maxFrame = 262144

// readBuffer is the size of the read buffer. pcapng blocks are checked whole in it before pcapgo
// reads them (checkBlocks), so it holds the largest packet block, a frame of maxFrame bytes and its
// 32 bytes of block framing, with room for the blocks before it.
const readBuffer = 2 * maxFrame

// ErrNotCapture reports an input that is neither pcap nor pcapng.
var ErrNotCapture = errors.New("not a pcap or pcapng capture")

// errTruncated reports a capture that ends inside a packet or a block.
var errTruncated = errors.New("the capture ends inside a packet")

// A CaptureError is a capture that cannot be read on from Packet on: the 1-based number Packet
// would have had, and the byte offset (in the uncompressed capture) of the record or block that
// holds it. Everything before it was read and is written out.
type CaptureError struct {
	Packet int
	Offset int64
	Err    error
}

func (e *CaptureError) Error() string {
	return fmt.Sprintf("packet %d at byte offset %d: %v", e.Packet, e.Offset, e.Err)
}

func (e *CaptureError) Unwrap() error { return e.Err }

// A frame is one captured packet. data is valid until the next read: whatever keeps a frame
// copies it.
type frame struct {
	num  int // 1-based, as Wireshark numbers frames
	ci   gopacket.CaptureInfo
	data []byte
}

// packetReader is what pcapgo's two readers have in common.
type packetReader interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

// A captureReader hands out the frames of a capture in order.
type captureReader struct {
	in       *countingReader
	buf      *bufio.Reader // the one pcapgo reads through, so that in.n - buf.Buffered() is the position
	pr       packetReader
	link     layers.LinkType
	nanos    bool             // timestamps finer than microseconds: write a nanosecond pcap
	ng       bool             // pcapng: check each block before pcapgo reads it
	ngOrder  binary.ByteOrder // of the current pcapng section
	num      int
	lastTime time.Time
}

// countingReader counts the bytes read from the capture.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// newCaptureReader reads the capture's header and picks pcapgo's reader for its format.
func newCaptureReader(in io.Reader) (*captureReader, error) {
	r := &captureReader{in: &countingReader{r: in}}
	r.buf = bufio.NewReaderSize(r.in, readBuffer)
	magic, err := r.buf.Peek(4)
	if err != nil {
		return nil, &CaptureError{Packet: 1, Err: fmt.Errorf("%w: %d bytes", ErrNotCapture, len(magic))}
	}
	if binary.LittleEndian.Uint32(magic) == ngBlockSection {
		r.ngOrder = binary.LittleEndian
		return r, r.openPcapng()
	}
	return r, r.openPcap(magic)
}

func (r *captureReader) openPcap(magic []byte) error {
	p, err := pcapgo.NewReader(r.buf)
	if err != nil {
		return &CaptureError{Packet: 1, Err: fmt.Errorf("%w: %v", ErrNotCapture, err)}
	}
	// pcapgo refuses a record longer than the header's snap length; Wireshark takes any up to
	// its maximum, and so does this reader, as snap lengths of 0 are common.
	p.SetSnaplen(maxFrame)
	r.pr, r.link = p, p.LinkType()
	// A microsecond capture stays one; a nanosecond or a compressed one (whose magic is inside
	// the compression) is written with nanoseconds, which lose nothing.
	m := binary.LittleEndian.Uint32(magic)
	r.nanos = m != 0xa1b2c3d4 && m != 0xd4c3b2a1
	return nil
}

func (r *captureReader) openPcapng() error {
	if err := r.checkBlocks(); err != nil {
		return err
	}
	p, err := pcapgo.NewNgReader(r.buf, pcapgo.NgReaderOptions{ErrorOnMismatchingLinkType: true})
	if err != nil {
		return &CaptureError{Packet: 1, Err: err}
	}
	r.pr, r.link, r.ng = p, p.LinkType(), true
	if iface, err := p.Interface(0); err == nil {
		r.nanos = iface.Resolution().ToDuration() < time.Microsecond
	}
	return nil
}

// next returns the next frame, io.EOF after the last, or a *CaptureError.
func (r *captureReader) next(f *frame) error {
	off := r.position()
	if r.ng {
		if err := r.checkBlocks(); err != nil {
			return err
		}
	}
	r.num++
	data, ci, err := r.pr.ZeroCopyReadPacketData()
	switch {
	case err == io.EOF:
		// Between two records of a pcap, or after whole pcapng blocks (checkBlocks).
		return io.EOF
	case err == io.ErrUnexpectedEOF:
		return &CaptureError{Packet: r.num, Offset: off, Err: errTruncated}
	case errors.Is(err, pcapgo.ErrNgLinkTypeMismatch):
		return &CaptureError{Packet: r.num, Offset: off,
			Err: fmt.Errorf("an interface of another link type than the first's (%v): a pcap holds one", r.link)}
	case err != nil:
		return &CaptureError{Packet: r.num, Offset: off, Err: err}
	case len(data) > maxFrame:
		return &CaptureError{Packet: r.num, Offset: off, Err: fmt.Errorf("a frame of %d bytes, more than any link carries (%d)", len(data), maxFrame)}
	}
	if ci.Timestamp.IsZero() {
		// A pcapng simple packet block has no time; pcapgo's writer would write the time of
		// writing instead, which makes the output differ from run to run.
		ci.Timestamp = r.lastTime
	}
	r.lastTime = ci.Timestamp
	*f = frame{num: r.num, ci: ci, data: data}
	return nil
}

// position is the offset of the next byte pcapgo reads.
func (r *captureReader) position() int64 { return r.in.n - int64(r.buf.Buffered()) }

// pcapng block types (the pcapng specification, draft-ietf-opsawg-pcapng): the section header,
// whose type reads the same in both byte orders, and the three that carry a packet.
const (
	ngBlockSection  = 0x0a0d0d0a
	ngBlockPacket   = 2 // obsolete, still written by old tools
	ngBlockSimple   = 3
	ngBlockEnhanced = 6
	ngByteOrder     = 0x1a2b3c4d // the section header's byte-order magic
)

// checkBlocks walks the pcapng blocks from the read position to the next packet block, in the
// read buffer, before pcapgo reads them: pcapgo's NgReader takes a block cut short for the end of
// the capture, which would make a truncated capture look whole. It reads only what frames a block
// (its type and length, and a section header's byte order), never a block's content. It returns
// io.EOF when the capture ends, cleanly, before another packet; a block too long for the buffer is
// left to pcapgo.
func (r *captureReader) checkBlocks() error {
	pos := r.position()
	for off := 0; off+12 <= readBuffer; {
		head, _ := r.buf.Peek(off + 12)
		switch n := len(head) - off; {
		case n == 0:
			return io.EOF
		case n < 12:
			return &CaptureError{Packet: r.num + 1, Offset: pos + int64(off), Err: errTruncated}
		}
		if binary.LittleEndian.Uint32(head[off:]) == ngBlockSection {
			r.ngOrder = binary.LittleEndian
			if binary.BigEndian.Uint32(head[off+8:]) == ngByteOrder {
				r.ngOrder = binary.BigEndian
			}
		}
		typ := r.ngOrder.Uint32(head[off:])
		length := int(r.ngOrder.Uint32(head[off+4:]))
		if length < 12 || length%4 != 0 {
			return &CaptureError{Packet: r.num + 1, Offset: pos + int64(off), Err: fmt.Errorf("a pcapng block of length %d", length)}
		}
		if off+length > readBuffer {
			return nil
		}
		if b, _ := r.buf.Peek(off + length); len(b) < off+length {
			return &CaptureError{Packet: r.num + 1, Offset: pos + int64(off), Err: errTruncated}
		}
		if typ == ngBlockEnhanced || typ == ngBlockSimple || typ == ngBlockPacket {
			return nil
		}
		off += length
	}
	return nil
}
