package auditlog

import (
	"encoding/binary"
	"errors"
)

// The writer puts each flush of records into a zstd frame of its own (RFC 8878), so every frame
// decodes without the ones before it. A file cut short by a crash or a full disk ends in at most
// one incomplete frame. The reader finds where the complete frames end by walking the frame
// structure (headers and block sizes) without decompressing, and decodes only those. Every frame
// carries the checksum of its content, which the decoder verifies, so damage inside a frame is
// found rather than read as records.

const (
	frameMagic     = 0xFD2FB528
	skippableMagic = 0x184D2A50 // to 0x184D2A5F
	blockHeaderLen = 3
	checksumLen    = 4
)

var errBadFrame = errors.New("not a zstd frame")

// frameLen returns the length of the complete frame at the start of b, 0 when b ends inside it,
// or errBadFrame when b does not start with a frame.
func frameLen(b []byte) (int, error) {
	if len(b) < 4 {
		return 0, nil
	}
	magic := binary.LittleEndian.Uint32(b)
	if magic&^0xF == skippableMagic {
		if len(b) < 8 {
			return 0, nil
		}
		n := 8 + int64(binary.LittleEndian.Uint32(b[4:]))
		if n > int64(len(b)) {
			return 0, nil
		}
		return int(n), nil
	}
	if magic != frameMagic {
		return 0, errBadFrame
	}
	if len(b) < 5 {
		return 0, nil
	}
	desc := b[4]
	if desc&0x08 != 0 { // reserved bit
		return 0, errBadFrame
	}
	if desc&0x04 == 0 {
		// No content checksum. The writer always writes one (Open), so this is damage: bytes
		// that happen to read as a frame header without one would make the decoder take what
		// follows, real frames included, for the content of a raw block, unchecked.
		return 0, errBadFrame
	}
	singleSegment := desc&0x20 != 0
	n := 5
	if !singleSegment {
		n++ // window descriptor
	}
	n += [4]int{0, 1, 2, 4}[desc&0x03] // dictionary ID
	switch desc >> 6 {                 // frame content size
	case 0:
		if singleSegment {
			n++
		}
	case 1:
		n += 2
	case 2:
		n += 4
	case 3:
		n += 8
	}
	for {
		if len(b) < n+blockHeaderLen {
			return 0, nil
		}
		h := uint32(b[n]) | uint32(b[n+1])<<8 | uint32(b[n+2])<<16
		last, kind, size := h&1 != 0, (h>>1)&3, int(h>>3)
		n += blockHeaderLen
		switch kind {
		case 0, 2: // raw, compressed
			n += size
		case 1: // RLE: one byte repeated size times
			n++
		default:
			return 0, errBadFrame
		}
		if n > len(b) {
			return 0, nil
		}
		if last {
			break
		}
	}
	if desc&0x04 != 0 {
		n += checksumLen
	}
	if n > len(b) {
		return 0, nil
	}
	return n, nil
}

// completeFrames returns the length of the longest prefix of b made of complete frames, and
// whether what follows it is a frame cut short (true) rather than the end of b (false) or bytes
// that are not a frame at all (err).
func completeFrames(b []byte) (n int, cut bool, err error) {
	for n < len(b) {
		k, err := frameLen(b[n:])
		if err != nil {
			return n, false, err
		}
		if k == 0 {
			return n, true, nil
		}
		n += k
	}
	return n, false, nil
}
