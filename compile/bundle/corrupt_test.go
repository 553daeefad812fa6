package bundle

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"testing"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/datafile"
	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/match"
)

// reseal recomputes the checksums of the program sections and of the program part after a test
// has edited a bundle, so that the edit reaches the checks behind the checksum. It leaves bytes it
// cannot make sense of alone.
func reseal(b []byte) []byte {
	if len(b) < headerSize {
		return b
	}
	var h header
	h.unmarshal(b)
	if h.programSize > uint64(len(b)) || uint64(headerSize)+uint64(entrySize)*uint64(h.sections) > h.programSize {
		return b
	}
	for i := range int(h.sections) {
		at := headerSize + entrySize*i
		var e entry
		e.unmarshal(b[at:])
		if e.kind.program() && e.offset+e.length <= h.programSize && e.offset+e.length >= e.offset {
			e.crc = checksum(b[e.offset : e.offset+e.length])
			e.marshal(b[at:])
		}
	}
	clear(b[32:36])
	le.PutUint32(b[32:], checksum(b[:h.programSize]))
	return b
}

// sectionAt returns the index of the first section of kind k, and its entry.
func sectionAt(t *testing.T, b []byte, k Kind) (int, entry) {
	var h header
	h.unmarshal(b)
	for i := range int(h.sections) {
		var e entry
		e.unmarshal(b[headerSize+entrySize*i:])
		if e.kind == k {
			return i, e
		}
	}
	t.Fatalf("no %s section", k)
	return 0, entry{}
}

func fixtureBundle(t *testing.T) []byte {
	progs, m, _ := fixture(t)
	return encode(t, progs, m)
}

func wantError(t *testing.T, b []byte, fragment string) {
	t.Helper()
	_, err := Parse("x.smcb", b)
	if err == nil {
		t.Fatalf("accepted; want an error with %q", fragment)
	}
	if !strings.Contains(err.Error(), fragment) {
		t.Fatalf("error %q, want one with %q", err, fragment)
	}
	if !strings.HasPrefix(err.Error(), "bundle x.smcb: ") {
		t.Fatalf("error %q does not name the bundle", err)
	}
}

// A bundle cut short anywhere is an error that says so.
func TestTruncated(t *testing.T) {
	b := fixtureBundle(t)
	var h header
	h.unmarshal(b)
	for n := 0; n < len(b); n++ {
		if n > int(h.programSize)+64 && n%257 != 0 && n != len(b)-1 {
			continue // every byte of the program part, then a sample of the data sections
		}
		switch {
		case n == 0:
			wantError(t, b[:n], "truncated: 0 bytes")
		case n < headerSize:
			wantError(t, b[:n], "truncated")
		default:
			wantError(t, b[:n], "truncated or extended: the header says")
		}
	}
	wantError(t, append(slices.Clone(b), 0), "truncated or extended")
}

// Any change to a byte of the program part is caught by its checksum or by an earlier check.
func TestEveryByteOfProgramPart(t *testing.T) {
	b := fixtureBundle(t)
	var h header
	h.unmarshal(b)
	for i := range int(h.programSize) {
		c := slices.Clone(b)
		c[i] ^= 0x5a
		if _, err := Parse("x.smcb", c); err == nil {
			t.Fatalf("byte %d changed: accepted", i)
		}
	}
}

func TestNotABundle(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"profile", `{"ProfileID": 1, "Rules": []}` + strings.Repeat(" ", 64), "not a bundle but JSON: a profile is given with -p"},
		{"text", strings.Repeat("hello world\n", 10), `not a bundle: it starts with "hello wo"`},
		{"ELF", "\x7fELF\x02\x01\x01" + strings.Repeat("\x00", 100), `not a bundle: it starts with "\x7fELF`},
		{"zeros", strings.Repeat("\x00", 4096), "not a bundle"},
		{"magic only", Magic, "truncated: 8 bytes, shorter than the 64-byte header"},
		{"empty", "", "truncated: 0 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantError(t, []byte(tt.in), tt.want) })
	}
}

// Edits behind a valid checksum, as a buggy or hostile writer would make them, are each reported
// as what they are, at the offset where they are.
func TestDamagedStructure(t *testing.T) {
	edit32 := func(off int, v uint32) func([]byte) { return func(b []byte) { le.PutUint32(b[off:], v) } }
	edit64 := func(off int, v uint64) func([]byte) { return func(b []byte) { le.PutUint64(b[off:], v) } }
	entryField := func(k Kind, field int, v uint64) func(*testing.T, []byte) {
		return func(t *testing.T, b []byte) {
			i, _ := sectionAt(t, b, k)
			at := headerSize + entrySize*i + field
			if field == 0 {
				edit32(at, uint32(v))(b)
			} else {
				edit64(at, v)(b)
			}
		}
	}
	const kindField, offsetField, lengthField = 0, 8, 16
	tests := []struct {
		name string
		edit func(*testing.T, []byte)
		want string
	}{
		{"version", func(_ *testing.T, b []byte) { edit32(8, 3)(b) }, "format version 3; this build reads version 2: compile the profiles again"},
		// A bundle of the previous release: its programs lack what version 2 added (FORMAT.md).
		{"version 1", func(_ *testing.T, b []byte) { edit32(8, 1)(b) }, "format version 1; this build reads version 2: compile the profiles again with the smcc of this release"},
		{"no sections", func(_ *testing.T, b []byte) { edit32(12, 0)(b) }, "corrupt header: 0 sections (2 to 16384) at offset 12"},
		{"too many sections", func(_ *testing.T, b []byte) { edit32(12, MaxSections+1)(b) }, "corrupt header: 16385 sections"},
		{"program part smaller than its table", func(_ *testing.T, b []byte) { edit64(24, 100)(b) }, "corrupt header: program part of 100 bytes"},
		{"unknown kind", entryField(KindIndexSlots, kindField, 99), "has unknown kind 99"},
		{"past the end", entryField(KindTableData, lengthField, 1<<40), "runs past the end of the file"},
		{"offset overflow", entryField(KindTableData, offsetField, ^uint64(0)-10), "runs past the end of the file"},
		{"misaligned data", entryField(KindTableLines, offsetField, 4096*3+4), "is not page-aligned after the program part"},
		{"data in the program part", entryField(KindTableLines, offsetField, 0), "is not page-aligned after the program part"},
		{"programs first", entryField(KindManifest, kindField, uint64(KindPrograms)), "the manifest and the programs come first"},
		{"element size", entryField(KindTableRowOff, lengthField, 6), "of 6 bytes is not a whole number of 4-byte elements"},
		{"overlap", func(t *testing.T, b []byte) {
			_, e := sectionAt(t, b, KindTableData)
			entryField(KindTableFieldOff, offsetField, e.offset)(t, b)
		}, "overlaps"},
		{"programs cut short", func(t *testing.T, b []byte) {
			_, e := sectionAt(t, b, KindPrograms)
			entryField(KindPrograms, lengthField, e.length-3)(t, b)
		}, "corrupt programs section at offset"},
		{"table offsets disagree with the data", func(t *testing.T, b []byte) {
			_, e := sectionAt(t, b, KindTableFieldOff)
			le.PutUint32(b[e.offset+e.length-4:], 1<<20)
		}, "corrupt table numbers.csv: field offsets run from 0 to 1048576"},
		{"wrong kind for a table array", func(t *testing.T, b []byte) {
			// The first table's row offsets become its lines: the programs name a row
			// offset section where there is none.
			entryField(KindTableRowOff, kindField, uint64(KindTableLines))(t, b)
		}, "is not a table row offsets section"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := fixtureBundle(t)
			tt.edit(t, b)
			wantError(t, reseal(b), tt.want)
		})
	}
}

// Programs that decode but break the runtime's assumptions are refused when the bundle opens.
func TestUnsafePrograms(t *testing.T) {
	tests := []struct {
		name string
		edit func(p *compile.Program)
		want string
	}{
		{"backward jump", func(p *compile.Program) {
			for i := range p.Insts {
				if p.Insts[i].Op == compile.OpJumpFalse {
					p.Insts[i].Arg = int32(p.Rules[0].Start)
					return
				}
			}
		}, "is not after it inside rule"},
		{"condition selector", func(p *compile.Program) { p.Conds[0].Sel = 1000 }, "condition 0 selector: index 1000 out of range"},
		{"template variable", func(p *compile.Program) { p.Templates[0].Parts[0].Var = 5 }, "template 0 part 0 variable: index 5 out of range"},
		{"rule range", func(p *compile.Program) { p.Rules[1].End = len(p.Insts) + 1 }, "rule 1: instructions"},
		{"unknown operation", func(p *compile.Program) { p.Insts[0].Op = 200 }, "unknown operation 200"},
		{"response codes", func(p *compile.Program) { p.Rules[5].Scope.Codes = []string{"2"} }, `rule 5: response code pattern "2" is not 3 characters`},
		{"DSCP", func(p *compile.Program) {
			for i := range p.Defs {
				if p.Defs[i].Type == compile.ReplaceSetDSCP {
					p.Defs[i].Value = 64
				}
			}
		}, "DSCP 64 out of range"},
		{"pattern", func(p *compile.Program) { p.Matchers[0] = &match.Matcher{Source: "(unclosed"} }, `pattern 0 "(unclosed"`},
		{"lookup without index", func(p *compile.Program) { p.Conds[0].Index = nil }, "no BSEARCH_EQ index over column 1 of table 0"},
		{"prefix lookup without index", func(p *compile.Program) { p.Conds[prefixCond(p)].Prefixes = nil }, "no prefix index over column 1 of table 4"},
		{"prefix lookup on another column", func(p *compile.Program) { p.Conds[prefixCond(p)].Column = 2 }, "no prefix index over column 2 of table 4"},
		{"prefix lookup of another table", func(p *compile.Program) { p.Conds[prefixCond(p)].Table = 0 }, "no prefix index over column 1 of table 0"},
	}
	progs, m, _ := fixture(t)
	good := encode(t, progs, m)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Parse("x.smcb", good)
			if err != nil {
				t.Fatal(err)
			}
			tt.edit(b.Programs[0])
			wantError(t, encode(t, b.Programs, m), tt.want)
		})
	}
}

// prefixCond is the fixture's BSEARCH_PREFIX condition.
func prefixCond(p *compile.Program) int {
	for i, c := range p.Conds {
		if c.Operator == compile.CmpInPrefixes {
			return i
		}
	}
	panic("the fixture has no BSEARCH_PREFIX condition")
}

// A prefix index whose numbers in the programs section disagree with its table or its index is
// refused when the bundle opens, with the reason (datafile.PrefixesFromLayout checks them; here
// the decoder's side of it).
func TestDamagedPrefixIndex(t *testing.T) {
	progs, m, _ := fixture(t)
	px := progs[0].Conds[prefixCond(progs[0])].Prefixes
	l := px.Layout()
	_, indexes, _, _ := collect(progs)
	number := map[*datafile.Index]int{}
	for i, ix := range indexes {
		number[ix] = i
	}
	folded := progs[0].Conds[1].Index
	if len(l.Lengths) != 1 || l.Default != -1 || !folded.Fold() {
		t.Fatalf("the fixture's prefix index (%+v) or folded index is not as this test expects", l)
	}
	// The index as the programs section holds it (FORMAT.md): exact index, default row + 1,
	// lengths, each length, its filter's section.
	at := func(v ...int) []byte {
		var b []byte
		for _, x := range v {
			b = binary.AppendUvarint(b, uint64(x))
		}
		return b
	}
	filter, _ := sectionAt(t, encode(t, progs, m), KindPrefixFilter)
	enc := at(number[px.Index()], 0, 1, int(l.Lengths[0]), filter)
	tests := []struct {
		name string
		edit []byte // written over enc, then the rest of enc as it was
		want string
	}{
		{"default past the rows", at(number[px.Index()], 9), "prefix index default row 8 out of range (2 rows)"},
		{"length 0", at(number[px.Index()], 0, 1, 0), "prefix index key length 0 at 0"},
		{"more lengths than bytes", at(number[px.Index()], 0, 100000), "list of 100000 entries in"},
		{"index out of range", at(9), "index 9 out of range"},
		{"a folded index", at(number[folded]), "a prefix index needs an exact index that is not case-folded"},
	}
	good := encode(t, progs, m)
	_, e := sectionAt(t, good, KindPrograms)
	programs := good[e.offset : e.offset+e.length]
	pos := bytes.Index(programs, enc)
	if pos < 0 || bytes.Count(programs, enc) != 1 {
		t.Fatalf("the fixture's prefix index % x is not once in the programs section", enc)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := slices.Clone(good)
			copy(b[e.offset+uint64(pos):], tt.edit)
			wantError(t, reseal(b), tt.want)
		})
	}
}

// A damaged data section opens (checking it would read the whole table) but never makes a lookup
// read outside the mapping; Verify finds the damage.
func TestDamagedData(t *testing.T) {
	_, _, msg := fixture(t)
	for _, k := range []Kind{KindTableData, KindTableFieldOff, KindTableRowOff, KindIndexSlots, KindNetsV4Start, KindNetsV4Bucket, KindNetsV6Bucket, KindPrefixFilter} {
		t.Run(k.String(), func(t *testing.T) {
			b := fixtureBundle(t)
			_, e := sectionAt(t, b, k)
			first, end := e.offset+uint64(k.elemSize()), e.offset+e.length-4
			if k == KindPrefixFilter { // opening checks no entry of a filter, and the fixture's has one
				first, end = e.offset, e.offset+e.length
			}
			for i := first; i < end; i += 3 {
				b[i] ^= 0xa5 // every third byte, but not the first and last entries, which Parse checks
			}
			opened, err := Parse("x.smcb", b)
			if err != nil {
				t.Fatal(err)
			}
			run(smctest.MustChain(t, opened.Programs...), msg)
			err = opened.Verify()
			if err == nil || !strings.Contains(err.Error(), "corrupt "+k.String()+" section") {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}

// The manifest survives the round trip; a damaged one behind a valid checksum is an error.
func TestManifest(t *testing.T) {
	_, m, _ := fixture(t)
	var back Manifest
	if err := back.unmarshal(m.marshal()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.marshal(), m.marshal()) {
		t.Fatalf("manifest round trip:\n%s\n%s", back.marshal(), m.marshal())
	}
	for _, bad := range []string{"", "smc-bundle-manifest 2\n", "smc-bundle-manifest 1\nprofile sha256:00 1 p\n", "smc-bundle-manifest 1\nthing sha256:" + strings.Repeat("00", 32) + " 1 p\n", "smc-bundle-manifest 1"} {
		if err := new(Manifest).unmarshal([]byte(bad)); err == nil {
			t.Errorf("manifest %q accepted", bad)
		}
	}
}
