package bundle

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"os"
	"slices"
	"syscall"
	"time"
	"unsafe"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/datafile"
	"github.com/smcproject/smc/match"
)

// A Bundle is an opened bundle: the compiled programs of a chain, ready for runtime.NewChain, with
// their data tables read in place from the file.
type Bundle struct {
	Name     string // the path it was opened from
	Programs []*compile.Program
	Manifest Manifest

	data     []byte   // the whole file: a read-only mapping, or memory given to Parse
	sections []entry  // the section table
	file     *os.File // the opened file, which Verify reads; nil for Parse
}

// Error is a bundle that cannot be used, with the offset of the damage when there is one.
type Error struct {
	Name   string
	Offset int64 // -1 when the problem is not at one place
	Msg    string
}

func (e *Error) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("bundle %s: %s at offset %d", e.Name, e.Msg, e.Offset)
	}
	return fmt.Sprintf("bundle %s: %s", e.Name, e.Msg)
}

// IsBundle reports whether b starts like a bundle, so that a command can accept a bundle where it
// accepts profiles without a flag.
func IsBundle(b []byte) bool { return bytes.HasPrefix(b, []byte(Magic)) }

// Open maps the bundle at path read-only and checks it (see Parse). The data tables stay on disk
// until lookups read them. Close unmaps it; the programs must not be run after that.
func Open(path string) (*Bundle, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	b, err := open(path, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return b, nil
}

// open maps and checks the opened file f. The Bundle keeps f, so that Verify reads the same file
// that is mapped even after a newer bundle has been renamed over its path.
func open(path string, f *os.File) (*Bundle, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &Error{Name: path, Offset: -1, Msg: "not a regular file"}
	}
	size := fi.Size()
	if size < headerSize {
		var head [headerSize]byte
		n, _ := f.ReadAt(head[:], 0)
		return nil, &Error{Name: path, Offset: -1, Msg: notBundle(head[:n], size)}
	}
	if size > 1<<40 {
		return nil, &Error{Name: path, Offset: -1, Msg: fmt.Sprintf("%d bytes; a bundle has at most 1 TiB", size)}
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("bundle %s: mapping it: %w", path, err)
	}
	b, err := Parse(path, data)
	if err != nil {
		syscall.Munmap(data)
		return nil, err
	}
	b.file = f
	return b, nil
}

// Close releases the mapping and the file of an opened bundle. The programs must not run after it.
func (b *Bundle) Close() error {
	if b.file == nil {
		return nil
	}
	err := errors.Join(syscall.Munmap(b.data), b.file.Close())
	b.file, b.data = nil, nil
	return err
}

// Parse checks a bundle held in data and decodes its programs; the tables are used in place, so
// data must stay unchanged while the programs run. Checking costs the same whatever the size of
// the tables: the header, the section table and the program part are checked whole (magic,
// version, sizes, every offset and length, the program part's checksum); of each table only the
// sizes and the first and last offsets. Verify reads everything.
//
// Every problem is an *Error naming the offset of the damage; no input makes Parse panic.
func Parse(name string, data []byte) (*Bundle, error) {
	if uintptr(unsafe.Pointer(unsafe.SliceData(data)))%8 != 0 {
		// The arrays are used in place and need their alignment: copy a misaligned buffer.
		aligned := make([]uint64, (len(data)+7)/8)
		data = bytesOf(aligned)[:copy(bytesOf(aligned), data)]
	}
	p := parser{name: name, data: data}
	b := p.parse()
	if p.err != nil {
		return nil, p.err
	}
	return b, nil
}

// parser checks and decodes a bundle, keeping the first error.
type parser struct {
	name string
	data []byte
	h    header
	secs []entry
	err  error
}

func (p *parser) failf(offset int64, format string, args ...any) {
	if p.err == nil {
		p.err = &Error{Name: p.name, Offset: offset, Msg: fmt.Sprintf(format, args...)}
	}
}

func (p *parser) parse() *Bundle {
	if !p.header() || !p.sectionTable() || !p.programPart() {
		return nil
	}
	b := &Bundle{Name: p.name, data: p.data, sections: p.secs}
	man := p.secs[0]
	if err := b.Manifest.unmarshal(p.bytes(man)); err != nil {
		p.failf(int64(man.offset), "corrupt %s", err)
		return nil
	}
	b.Programs = p.programs(p.secs[1])
	return b
}

func (p *parser) header() bool {
	if len(p.data) < headerSize || !IsBundle(p.data) {
		p.failf(-1, "%s", notBundle(p.data[:min(len(p.data), headerSize)], int64(len(p.data))))
		return false
	}
	if !littleEndian() {
		p.failf(-1, "bundles store arrays little-endian and are used in place; this machine is big-endian")
		return false
	}
	p.h.unmarshal(p.data)
	h := &p.h
	switch {
	case h.version != Version:
		p.failf(-1, "format version %d; this build reads version %d: compile the profiles again with the smcc of this release", h.version, Version)
	case h.fileSize != uint64(len(p.data)):
		p.failf(-1, "truncated or extended: the header says %d bytes, the file has %d; copy or compile it again", h.fileSize, len(p.data))
	case h.sections < 2 || h.sections > MaxSections:
		p.failf(12, "corrupt header: %d sections (2 to %d)", h.sections, MaxSections)
	case h.programSize < uint64(headerSize+entrySize*h.sections) || h.programSize > h.fileSize || h.programSize > MaxProgramPart:
		p.failf(24, "corrupt header: program part of %d bytes", h.programSize)
	}
	if p.err != nil {
		return false
	}
	// The checksum is over the program part with its own field zero.
	part := slices.Clone(p.data[:h.programSize])
	clear(part[32:36])
	if sum := checksum(part); sum != h.crc {
		p.failf(32, "corrupt program part: checksum %08x, the header says %08x", sum, h.crc)
		return false
	}
	return true
}

// notBundle explains a file that does not start with the magic.
func notBundle(head []byte, size int64) string {
	trimmed := bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	switch {
	case len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '['):
		return "not a bundle but JSON: a profile is given with -p, a bundle is what smcc compile writes"
	case bytes.HasPrefix(head, []byte(Magic)) || bytes.HasPrefix([]byte(Magic), head):
		return fmt.Sprintf("truncated: %d bytes, shorter than the %d-byte header", size, headerSize)
	}
	return fmt.Sprintf("not a bundle: it starts with %q, not the bundle magic %q", head[:min(len(head), 8)], Magic)
}

// sectionTable checks every entry: a known kind, inside the file, the program sections in the
// program part and first, the data sections page-aligned and after it, no two overlapping, each a
// whole number of its elements.
func (p *parser) sectionTable() bool {
	p.secs = make([]entry, p.h.sections)
	for i := range p.secs {
		at := int64(headerSize + entrySize*i)
		e := &p.secs[i]
		e.unmarshal(p.data[at:])
		end := e.offset + e.length
		_, known := kindNames[e.kind]
		switch {
		case !known:
			p.failf(at, "corrupt section table: section %d has unknown kind %d", i, e.kind)
		case end < e.offset || end > p.h.fileSize:
			p.failf(at, "corrupt section table: section %d (%s) runs past the end of the file", i, e.kind)
		case (i == 0) != (e.kind == KindManifest) || (i == 1) != (e.kind == KindPrograms):
			p.failf(at, "corrupt section table: section %d is the %s; the manifest and the programs come first", i, e.kind)
		case e.kind.program() && (e.offset < uint64(headerSize+entrySize*len(p.secs)) || end > p.h.programSize):
			p.failf(at, "corrupt section table: section %d (%s) lies outside the program part", i, e.kind)
		case !e.kind.program() && (e.offset%PageSize != 0 || e.offset < p.h.programSize):
			p.failf(at, "corrupt section table: section %d (%s) is not page-aligned after the program part", i, e.kind)
		case e.length%uint64(e.kind.elemSize()) != 0:
			p.failf(at, "corrupt section table: section %d (%s) of %d bytes is not a whole number of %d-byte elements", i, e.kind, e.length, e.kind.elemSize())
		}
		if p.err != nil {
			return false
		}
	}
	byOffset := slices.Clone(p.secs)
	slices.SortFunc(byOffset, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.offset, b.offset), cmp.Compare(a.length, b.length))
	})
	for i := 1; i < len(byOffset); i++ {
		if prev := byOffset[i-1]; prev.offset+prev.length > byOffset[i].offset {
			p.failf(int64(byOffset[i].offset), "corrupt section table: the %s section overlaps the %s section", byOffset[i].kind, prev.kind)
			return false
		}
	}
	return true
}

// programPart checks the checksums of the program sections; the part's checksum covers their
// bytes too, so this only catches a writer that got them wrong.
func (p *parser) programPart() bool {
	for i := range 2 {
		if e := p.secs[i]; checksum(p.bytes(e)) != e.crc {
			p.failf(int64(e.offset), "corrupt %s section: checksum mismatch", e.kind)
			return false
		}
	}
	return true
}

func (p *parser) bytes(e entry) []byte {
	return p.data[e.offset : e.offset+e.length : e.offset+e.length]
}

// section returns the bytes of section i, which must be of kind k.
func (p *parser) section(d *decoder, i int, k Kind) []byte {
	if i < 2 || i >= len(p.secs) || p.secs[i].kind != k {
		d.failf("section %d is not a %s section", i, k)
		return nil
	}
	return p.bytes(p.secs[i])
}

// programs decodes the chain: the tables and indexes first, then the programs that refer to them.
func (p *parser) programs(e entry) []*compile.Program {
	d := &decoder{b: p.bytes(e), base: e.offset}
	s := &structures{}
	p.tables(d, s)
	p.indexes(d, s)
	p.prefixes(d, s)
	p.networks(d, s)
	progs := make([]*compile.Program, d.count(8))
	if err := compile.CheckChainLength(len(progs)); err != nil {
		d.failf("%v", err)
		progs = nil
	}
	for i := range progs {
		progs[i] = d.program(s)
	}
	if d.err == nil && d.off != len(d.b) {
		d.failf("%d bytes after the last program", len(d.b)-d.off)
	}
	if d.err != nil {
		p.failf(-1, "%v", d.err)
		return nil
	}
	for i, prog := range progs {
		if err := link(prog); err != nil {
			p.failf(-1, "program %d (%s): %v", i, prog.File, err)
			return nil
		}
	}
	return progs
}

func (p *parser) tables(d *decoder, s *structures) {
	n := d.count(5)
	if n > MaxTables {
		d.failf("%d tables (at most %d)", n, MaxTables)
		return
	}
	for range n {
		name := d.str()
		secs := [4]int{d.small(), d.small(), d.small(), d.small()}
		l := datafile.Layout{
			Data:     p.section(d, secs[0], KindTableData),
			FieldOff: view[uint32](p.section(d, secs[1], KindTableFieldOff)),
			RowOff:   view[uint32](p.section(d, secs[2], KindTableRowOff)),
			Lines:    view[uint32](p.section(d, secs[3], KindTableLines)),
		}
		if d.err != nil {
			return
		}
		t, err := datafile.FromLayout(name, l)
		if err != nil {
			// The arrays disagree: the damage is in the data sections, at the table's first.
			p.failf(int64(p.secs[secs[0]].offset), "corrupt table %s: %v", name, err)
			d.failf("")
			return
		}
		s.tables = append(s.tables, t)
	}
}

func (p *parser) indexes(d *decoder, s *structures) {
	for range d.count(6) {
		t := pick(d, s.tables, d.small(), "table")
		col, fold, keys, probe := d.small(), d.bool(), d.small(), d.uint()
		slots := view[datafile.Slot](p.section(d, d.small(), KindIndexSlots))
		if d.err != nil {
			return
		}
		if probe > uint64(len(slots)) {
			d.failf("index probe length %d over %d slots", probe, len(slots))
			return
		}
		ix, err := datafile.IndexFromSlots(t, col, fold, slots, uint32(probe), keys)
		if err != nil {
			d.failf("index over %s: %v", t.Name(), err)
			return
		}
		s.indexes = append(s.indexes, ix)
	}
}

func (p *parser) networks(d *decoder, s *structures) {
	for range d.count(8) {
		pick(d, s.tables, d.small(), "table")
		d.small() // the column, for disassembly
		first := d.small()
		l := datafile.NetworksLayout{
			V4Start:  view[uint32](p.section(d, first, KindNetsV4Start)),
			V4Row:    view[uint32](p.section(d, d.small(), KindNetsV4Row)),
			V4Bucket: view[uint32](p.section(d, d.small(), KindNetsV4Bucket)),
			V6Start:  view[uint64](p.section(d, d.small(), KindNetsV6Start)),
			V6Row:    view[uint32](p.section(d, d.small(), KindNetsV6Row)),
			V6Bucket: view[uint32](p.section(d, d.small(), KindNetsV6Bucket)),
		}
		if d.err != nil {
			return
		}
		n, err := datafile.NetworksFromLayout(l)
		if err != nil {
			p.failf(int64(p.secs[first].offset), "corrupt network index: %v", err)
			d.failf("")
			return
		}
		s.nets = append(s.nets, n)
	}
}

func (p *parser) prefixes(d *decoder, s *structures) {
	for range d.count(4) {
		ix, def := pick(d, s.indexes, d.small(), "index"), d.small()-1
		n := d.count(1)
		if n > datafile.MaxFieldLen {
			d.failf("prefix index of %d key lengths (at most %d)", n, datafile.MaxFieldLen)
			return
		}
		lengths := make([]uint32, n)
		for i := range lengths {
			lengths[i] = uint32(min(d.uint(), datafile.MaxFieldLen+1)) // PrefixesFromLayout refuses the excess
		}
		filter := view[uint64](p.section(d, d.small(), KindPrefixFilter))
		if d.err != nil {
			return
		}
		px, err := datafile.PrefixesFromLayout(ix, datafile.PrefixesLayout{Lengths: lengths, Filter: filter, Default: def})
		if err != nil {
			d.failf("prefix index over %s: %v", ix.Table().Name(), err)
			return
		}
		s.prefixes = append(s.prefixes, px)
	}
}

// link makes a decoded program runnable: it checks it, compiles its patterns and rebuilds its
// dispatch table.
func link(p *compile.Program) error {
	if len(p.Matchers) > compile.MaxPatterns {
		return fmt.Errorf("%d patterns (at most %d)", len(p.Matchers), compile.MaxPatterns)
	}
	cost := 0
	for i, m := range p.Matchers {
		compiled, err := match.New(m.Source)
		if err != nil {
			return fmt.Errorf("pattern %d %q: %v", i, m.Source, err)
		}
		if cost += compiled.Cost; cost > compile.MaxPatternTotalCost {
			return fmt.Errorf("patterns of cost %d (at most %d)", cost, compile.MaxPatternTotalCost)
		}
		p.Matchers[i] = compiled
	}
	if err := p.Verify(); err != nil {
		return err
	}
	p.Link()
	return nil
}

// Verify reads every data section and checks its checksum, which Open does not do so that opening
// costs the same whatever the size of the tables. It reads with the file's descriptor, not
// through the mapping, so the daemon's resident memory does not grow by the size of the tables.
// Run it after copying a bundle to a machine and before putting it in place (`smcc check`).
func (b *Bundle) Verify() error { return b.verify(0) }

// PaceChunk is how much OpenPrivate copies or verifies between two pauses: about half a
// millisecond of work.
const PaceChunk = 256 << 10

// verify is Verify with pause slept after every PaceChunk bytes read (OpenPrivate).
func (b *Bundle) verify(pause time.Duration) error {
	if b.data == nil {
		return &Error{Name: b.Name, Offset: -1, Msg: "closed"}
	}
	buf := make([]byte, 1<<20)
	if pause > 0 {
		buf = buf[:PaceChunk]
	}
	for i, e := range b.sections[2:] {
		sum, err := b.sectionChecksum(b.file, e, buf, pause)
		if err != nil {
			return err
		}
		if sum != e.crc {
			return &Error{Name: b.Name, Offset: int64(e.offset), Msg: fmt.Sprintf("corrupt %s section %d: checksum %08x, the section table says %08x", e.kind, i+2, sum, e.crc)}
		}
	}
	return nil
}

func (b *Bundle) sectionChecksum(f *os.File, e entry, buf []byte, pause time.Duration) (uint32, error) {
	if f == nil {
		return checksum(b.data[e.offset : e.offset+e.length]), nil
	}
	var sum uint32
	for off, end := int64(e.offset), int64(e.offset+e.length); off < end; {
		n := min(int64(len(buf)), end-off)
		if _, err := f.ReadAt(buf[:n], off); err != nil {
			return 0, fmt.Errorf("bundle %s: reading %s at offset %d: %w", b.Name, e.kind, off, err)
		}
		sum = crc32Update(sum, buf[:n])
		off += n
		if pause > 0 {
			time.Sleep(pause)
		}
	}
	return sum, nil
}
