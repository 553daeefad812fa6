// Package bundle writes and opens compiled bundles: the file `smcc compile` produces from a chain of
// profiles and every data file their rules name, and that `smcc run --bundle` and the daemon load.
//
// The layout is documented in FORMAT.md beside this file. In short: a header with a magic, a
// version and a CRC-32C over the program part; a section table; the program part (a manifest and
// the encoded programs), read into the heap and checked whole when the bundle is opened; and
// page-aligned data sections (the tables and their indexes) that are used in place through a
// read-only memory map, so opening costs the same whatever their size and their pages are read
// only by lookups.
package bundle

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"unsafe"

	"github.com/smcproject/smc/datafile"
)

// Magic opens every bundle. Like PNG's, it has a byte with the high bit set (0x89) and a CR LF,
// LF pair, so that a transfer that mangles binary or line endings breaks it visibly.
const Magic = "\x89SMCB\r\n\n"

// Version is the format version this package writes and reads. Any change to the layout or to the
// meaning of a field gets a new version; a reader refuses the versions it does not know.
// FORMAT.md lists what each version changed.
const Version = 2

// Sizes of the fixed parts, in bytes.
const (
	headerSize = 64
	entrySize  = 32

	// PageSize aligns the data sections: a mapped section starts on a page of its own, so its
	// arrays are aligned for any element type and madvise can address it.
	PageSize = 4096
)

// Limits on a bundle. Each is far above what a real chain needs and low enough that a damaged
// header cannot make the loader allocate or read without bound.
const (
	// MaxSections bounds the section table: a table takes 4 sections, an exact index 1, a
	// network index 6, a prefix index 1.
	MaxSections = 4 * 4096

	// MaxTables bounds the distinct data tables of a chain: one per data file, and real
	// chains name a handful.
	MaxTables = 1024

	// MaxProgramPart bounds the header, section table, manifest and programs together: they
	// are read into memory and checked whole when a bundle opens. Compiled profiles are
	// kilobytes; 64 MiB leaves room for thousands of large ones.
	MaxProgramPart = 64 << 20
)

// Kind says what a section holds.
type Kind uint32

const (
	KindManifest Kind = 1 // text: what the bundle was compiled from
	KindPrograms Kind = 2 // the encoded chain

	KindTableData     Kind = 16 // bytes: the fields of a table back to back
	KindTableFieldOff Kind = 17 // uint32: where each field starts, and the end
	KindTableRowOff   Kind = 18 // uint32: the first field of each row, and the end
	KindTableLines    Kind = 19 // uint32: the source line of each row
	KindIndexSlots    Kind = 20 // 32-byte slots of an exact index
	KindNetsV4Start   Kind = 21 // uint32
	KindNetsV4Row     Kind = 22 // uint32
	KindNetsV4Bucket  Kind = 23 // uint32, 65537 entries
	KindNetsV6Start   Kind = 24 // uint64 pairs (high, low)
	KindNetsV6Row     Kind = 25 // uint32
	KindNetsV6Bucket  Kind = 26 // uint32, 65537 entries
	KindPrefixFilter  Kind = 27 // uint64: the Bloom filter of a prefix index (version 2)
)

var kindNames = map[Kind]string{
	KindManifest: "manifest", KindPrograms: "programs",
	KindTableData: "table data", KindTableFieldOff: "table field offsets", KindTableRowOff: "table row offsets",
	KindTableLines: "table lines", KindIndexSlots: "index slots",
	KindNetsV4Start: "IPv4 range starts", KindNetsV4Row: "IPv4 range rows", KindNetsV4Bucket: "IPv4 buckets",
	KindNetsV6Start: "IPv6 range starts", KindNetsV6Row: "IPv6 range rows", KindNetsV6Bucket: "IPv6 buckets",
	KindPrefixFilter: "prefix filter",
}

func (k Kind) String() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return fmt.Sprintf("kind %d", uint32(k))
}

// program reports whether sections of kind k belong to the program part.
func (k Kind) program() bool { return k == KindManifest || k == KindPrograms }

// elemSize is the size of one element of a data section; its length is a multiple of it.
func (k Kind) elemSize() int {
	switch k {
	case KindTableData, KindManifest, KindPrograms:
		return 1
	case KindIndexSlots:
		return int(unsafe.Sizeof(datafile.Slot{}))
	case KindNetsV6Start:
		return 16
	case KindPrefixFilter:
		return 8
	}
	return 4
}

// header is the first headerSize bytes of a bundle.
//
//	0  [8]byte  Magic
//	8  uint32   Version
//	12 uint32   section count
//	16 uint64   file size
//	24 uint64   program part size: header, section table and program sections
//	32 uint32   CRC-32C (Castagnoli) of the program part, computed with this field zero
//	36 [28]byte zero
type header struct {
	version     uint32
	sections    uint32
	fileSize    uint64
	programSize uint64
	crc         uint32
}

func (h *header) marshal(b []byte) {
	copy(b, Magic)
	le.PutUint32(b[8:], h.version)
	le.PutUint32(b[12:], h.sections)
	le.PutUint64(b[16:], h.fileSize)
	le.PutUint64(b[24:], h.programSize)
	le.PutUint32(b[32:], h.crc)
	clear(b[36:headerSize])
}

func (h *header) unmarshal(b []byte) {
	h.version = le.Uint32(b[8:])
	h.sections = le.Uint32(b[12:])
	h.fileSize = le.Uint64(b[16:])
	h.programSize = le.Uint64(b[24:])
	h.crc = le.Uint32(b[32:])
}

// entry is one section table entry.
//
//	0  uint32 Kind
//	4  uint32 zero
//	8  uint64 offset from the start of the file
//	16 uint64 length in bytes
//	24 uint32 CRC-32C of the section's bytes
//	28 uint32 zero
type entry struct {
	kind   Kind
	offset uint64
	length uint64
	crc    uint32
}

func (e *entry) marshal(b []byte) {
	le.PutUint32(b, uint32(e.kind))
	le.PutUint32(b[4:], 0)
	le.PutUint64(b[8:], e.offset)
	le.PutUint64(b[16:], e.length)
	le.PutUint32(b[24:], e.crc)
	le.PutUint32(b[28:], 0)
}

func (e *entry) unmarshal(b []byte) {
	e.kind = Kind(le.Uint32(b))
	e.offset = le.Uint64(b[8:])
	e.length = le.Uint64(b[16:])
	e.crc = le.Uint32(b[24:])
}

var le = binary.LittleEndian

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func checksum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// littleEndian reports whether this machine stores integers little-endian, as the mapped arrays
// are: the data sections are used in place, so a big-endian machine cannot read them.
func littleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}

func crc32Update(sum uint32, b []byte) uint32 { return crc32.Update(sum, castagnoli, b) }
