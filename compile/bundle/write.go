package bundle

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"unsafe"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/datafile"
)

// FileMode is the permission of a written bundle: readable by its owner and group (the daemon's),
// writable by nobody but its owner, and not readable by everyone, since the data lists it carries
// (blocked numbers, fraud sources) are not for every local user.
const FileMode = 0o640

// section is a section about to be written: its entry and its bytes.
type section struct {
	entry
	data []byte
}

// layout is a bundle ready to be written: every section with its offset, and the header.
type layout struct {
	header   header
	sections []section
	table    []byte // header and section table, marshalled
}

// Encode writes the bundle of a chain to w. The programs' data tables and indexes become data
// sections; identical inputs give identical bytes, so a bundle can be compared by its checksum.
func Encode(w io.Writer, progs []*compile.Program, m Manifest) error {
	l, err := plan(progs, m)
	if err != nil {
		return err
	}
	if _, err := w.Write(l.table); err != nil {
		return err
	}
	at := uint64(len(l.table))
	for _, s := range l.sections {
		if pad := s.offset - at; pad > 0 {
			if _, err := w.Write(make([]byte, pad)); err != nil {
				return err
			}
		}
		if _, err := w.Write(s.data); err != nil {
			return err
		}
		at = s.offset + s.length
	}
	return nil
}

// WriteFile writes the bundle to path atomically: into a temporary file in the same folder, synced
// to disk, then renamed over path. A daemon that has the old bundle open keeps reading the old
// file (its mapping holds the old inode) until it loads the new one; no reader ever sees half a
// bundle.
func WriteFile(path string, progs []*compile.Program, m Manifest) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(FileMode); err != nil {
		return err
	}
	if err := Encode(tmp, progs, m); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// plan lays out the sections of a chain.
func plan(progs []*compile.Program, m Manifest) (*layout, error) {
	if !littleEndian() {
		return nil, errors.New("bundles store arrays little-endian and are used in place; this machine is big-endian")
	}
	e := &encoder{tables: map[*datafile.Table]int{}, indexes: map[*datafile.Index]int{}, nets: map[*datafile.Networks]int{},
		prefixes: map[*datafile.Prefixes]int{}}
	var data []section
	add := func(k Kind, b []byte) int {
		data = append(data, section{entry: entry{kind: k, length: uint64(len(b)), crc: checksum(b)}, data: b})
		return len(data) + 1 // sections 0 and 1 are the manifest and the programs
	}
	if err := compile.CheckChainLength(len(progs)); err != nil {
		return nil, err
	}
	tables, indexes, nets, prefixes := collect(progs)
	if len(tables) > MaxTables {
		return nil, fmt.Errorf("the chain uses %d data tables; a bundle holds at most %d", len(tables), MaxTables)
	}
	e.uint(uint64(len(tables)))
	for i, t := range tables {
		e.tables[t] = i
		l := t.Layout()
		e.str(t.Name())
		e.uint(uint64(add(KindTableData, l.Data)))
		e.uint(uint64(add(KindTableFieldOff, bytesOf(l.FieldOff))))
		e.uint(uint64(add(KindTableRowOff, bytesOf(l.RowOff))))
		e.uint(uint64(add(KindTableLines, bytesOf(l.Lines))))
	}
	e.uint(uint64(len(indexes)))
	for i, ix := range indexes {
		e.indexes[ix] = i
		slots, probe := ix.Slots()
		e.uint(uint64(e.tables[ix.Table()]))
		e.uint(uint64(ix.Column()))
		e.bool(ix.Fold())
		e.uint(uint64(ix.Keys()))
		e.uint(uint64(probe))
		e.uint(uint64(add(KindIndexSlots, bytesOf(slots))))
	}
	e.uint(uint64(len(prefixes)))
	for i, p := range prefixes {
		e.prefixes[p] = i
		l := p.Layout()
		e.uint(uint64(e.indexes[p.Index()]))
		e.uint(uint64(l.Default + 1))
		e.uint(uint64(len(l.Lengths)))
		for _, n := range l.Lengths {
			e.uint(uint64(n))
		}
		e.uint(uint64(add(KindPrefixFilter, bytesOf(l.Filter))))
	}
	e.uint(uint64(len(nets)))
	for i, n := range nets {
		e.nets[n.n] = i
		l := n.n.Layout()
		e.uint(uint64(e.tables[n.table]))
		e.uint(uint64(n.col))
		e.uint(uint64(add(KindNetsV4Start, bytesOf(l.V4Start))))
		e.uint(uint64(add(KindNetsV4Row, bytesOf(l.V4Row))))
		e.uint(uint64(add(KindNetsV4Bucket, bytesOf(l.V4Bucket))))
		e.uint(uint64(add(KindNetsV6Start, bytesOf(l.V6Start))))
		e.uint(uint64(add(KindNetsV6Row, bytesOf(l.V6Row))))
		e.uint(uint64(add(KindNetsV6Bucket, bytesOf(l.V6Bucket))))
	}
	e.uint(uint64(len(progs)))
	for _, p := range progs {
		e.program(p)
	}
	manifest := m.marshal()
	all := append([]section{
		{entry: entry{kind: KindManifest, length: uint64(len(manifest)), crc: checksum(manifest)}, data: manifest},
		{entry: entry{kind: KindPrograms, length: uint64(len(e.b)), crc: checksum(e.b)}, data: e.b},
	}, data...)
	return place(all)
}

// place gives every section its offset: the program sections right after the section table (each
// 8-byte aligned), the data sections each on a page of its own. It then marshals the header and
// section table, with the checksum of the program part.
func place(all []section) (*layout, error) {
	if len(all) > MaxSections {
		return nil, fmt.Errorf("the chain needs %d sections; a bundle holds at most %d", len(all), MaxSections)
	}
	at := uint64(headerSize + entrySize*len(all))
	l := &layout{sections: all}
	for i := range all {
		s := &all[i]
		align := uint64(8)
		if !s.kind.program() {
			align = PageSize
		}
		at = (at + align - 1) &^ (align - 1)
		s.offset = at
		at += s.length
		if s.kind.program() {
			l.header.programSize = at
		}
	}
	if l.header.programSize > MaxProgramPart {
		return nil, fmt.Errorf("the compiled programs take %d bytes; a bundle holds at most %d", l.header.programSize, MaxProgramPart)
	}
	l.header.version, l.header.sections, l.header.fileSize = Version, uint32(len(all)), at
	// The checksum covers the program part as written, padding included, with the field zero.
	part := make([]byte, l.header.programSize)
	l.header.marshal(part)
	for i, s := range all {
		s.marshal(part[headerSize+entrySize*i:])
		if s.kind.program() {
			copy(part[s.offset:], s.data)
		}
	}
	l.header.crc = checksum(part)
	l.header.marshal(part)
	l.table = part[:headerSize+entrySize*len(all)]
	// The program sections are written from part, so what is written is what was summed.
	for i := range all {
		if all[i].kind.program() {
			all[i].data = part[all[i].offset : all[i].offset+all[i].length]
		}
	}
	return l, nil
}

// netsUse is a network index with the table and column it was built over.
type netsUse struct {
	n     *datafile.Networks
	table *datafile.Table
	col   int
}

// collect lists the distinct tables and indexes the programs use, in the order they first appear.
func collect(progs []*compile.Program) (tables []*datafile.Table, indexes []*datafile.Index, nets []netsUse, prefixes []*datafile.Prefixes) {
	seenT, seenI, seenN := map[*datafile.Table]bool{}, map[*datafile.Index]bool{}, map[*datafile.Networks]bool{}
	seenP := map[*datafile.Prefixes]bool{}
	addTable := func(t *datafile.Table) {
		if !seenT[t] {
			seenT[t] = true
			tables = append(tables, t)
		}
	}
	addIndex := func(ix *datafile.Index) {
		if ix != nil && !seenI[ix] {
			seenI[ix] = true
			addTable(ix.Table())
			indexes = append(indexes, ix)
		}
	}
	for _, p := range progs {
		for _, t := range p.Tables {
			addTable(t.Data)
			addIndex(t.KeyIndex)
		}
		for _, c := range p.Conds {
			addIndex(c.Index)
			if c.Nets != nil && !seenN[c.Nets] {
				seenN[c.Nets] = true
				nets = append(nets, netsUse{c.Nets, p.Tables[c.Table].Data, c.Column})
			}
			if c.Prefixes != nil && !seenP[c.Prefixes] {
				seenP[c.Prefixes] = true
				addIndex(c.Prefixes.Index())
				prefixes = append(prefixes, c.Prefixes)
			}
		}
	}
	return tables, indexes, nets, prefixes
}

// bytesOf returns the memory of s as bytes; on a little-endian machine that is the on-disk form.
func bytesOf[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
}

// view returns b as a slice of T. The caller has checked that len(b) is a multiple of T's size
// and that b is aligned for T (data sections start on a page).
func view[T any](b []byte) []T {
	var zero T
	n := len(b) / int(unsafe.Sizeof(zero))
	if n == 0 {
		return []T{}
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n)
}
