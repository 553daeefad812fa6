package datafile

import (
	"fmt"
	"io"
	"os"
)

// Limits on one data file. Exceeding one is an error that names the line.
const (
	// MaxRows bounds the rows of one file. Indexes store row numbers as uint32 with ^uint32(0)
	// meaning "no row", and fifty million rows of short keys already take a few GiB; a list
	// longer than that belongs in a database, not in a file read at every profile compile.
	MaxRows = 50_000_000

	// MaxFieldLen bounds one field, in bytes after unescaping. What a rule keys on is a SIP
	// value (a number, a URI, a host), far below 4 KiB; a longer field is nearly always a stray
	// quote that swallowed the lines after it, and the limit reports it where it starts instead
	// of leaving a lookup that silently misses.
	MaxFieldLen = 4096

	// MaxRowLen bounds one row: the bytes of its fields together, after unescaping. A row is a
	// key and the few values a rule copies into a message, and a SIP message over UDP is at most
	// 64 KiB; a row of 16 KiB is already a file that is not a list of keys.
	MaxRowLen = 16384

	// MaxFields bounds the fields of one row. Rules name columns one at a time with
	// {$DataFile.FieldN}, so real files have a handful; a row with more than 64 is most likely a
	// file that is not CSV at all (a log, a binary).
	MaxFields = 64

	// MaxFileSize bounds the bytes of one file. Field offsets are uint32 (4 bytes per field in
	// the mapped layout too), and the unescaped field bytes never outgrow the file.
	MaxFileSize = 1<<32 - 1
)

// maxRows and maxFileSize are the limits as the parser applies them; tests lower them to reach
// the limits without generating gigabytes.
var (
	maxRows           = MaxRows
	maxFileSize int64 = MaxFileSize
)

// noRow marks "no row" where an index stores row numbers; MaxRows keeps real rows below it.
const noRow = ^uint32(0)

// Error is a problem with a data file, at a line when Line > 0. Callers that report errors in
// their own format (a profile compiler naming the rule) can take it apart with errors.As.
type Error struct {
	Name string // the file, as given to Parse or Load
	Line int    // 1-based; 0 when the problem is the whole file
	Msg  string
}

// Error formats the error as NAME:LINE: message, the form editors jump to.
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Name, e.Line, e.Msg)
	}
	return e.Name + ": " + e.Msg
}

// Table is one data file: rows of fields, in file order.
//
// The fields of all rows are stored back to back in data. Field k (counting over the whole file)
// is data[fieldOff[k]:fieldOff[k+1]]; the fields of row r are k in [rowOff[r], rowOff[r+1]); row r
// came from source line lines[r]. Both offset arrays start with a 0 so that no lookup needs a
// special case for the first element.
type Table struct {
	name     string
	data     []byte
	fieldOff []uint32
	rowOff   []uint32
	lines    []uint32
}

// Load reads and parses the data file at path; errors name the path.
func Load(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Check the size before reading so that a wrong path to a huge file fails at once.
	if fi, err := f.Stat(); err == nil && fi.Size() > maxFileSize {
		return nil, tooBig(path, fi.Size())
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return Parse(path, data)
}

func tooBig(name string, size int64) error {
	return &Error{Name: name, Msg: fmt.Sprintf("file is %d bytes; a data file may have at most %d", size, maxFileSize)}
}

// Name returns the name the table was parsed or loaded with.
func (t *Table) Name() string { return t.name }

// Len returns the number of rows.
func (t *Table) Len() int { return len(t.lines) }

// NumFields returns the number of fields of row as written in the file.
func (t *Table) NumFields(row int) int {
	first, end, ok := t.rowFields(row)
	if !ok {
		return 0
	}
	return int(end - first)
}

// Line returns the 1-based source line where row starts, for error messages and traces.
func (t *Table) Line(row int) int {
	if uint(row) >= uint(len(t.lines)) {
		return 0
	}
	return int(t.lines[row])
}

// Field returns column col (1-based) of row. It is empty when the row has fewer columns, as
// SMC-SPEC §7 reads a missing column as the empty string. The result is a sub-slice of the
// table's storage, capped so that an append cannot overwrite the next field; the caller must not
// modify it.
//
// Every offset is checked before it is used, because a table mapped from a bundle is read in
// place: a damaged file gives empty fields, never a read outside the mapping.
func (t *Table) Field(row, col int) []byte {
	first, end, ok := t.rowFields(row)
	if !ok || col < 1 || col > int(end-first) {
		return nil
	}
	k := int(first) + col - 1
	if k+1 >= len(t.fieldOff) {
		return nil
	}
	a, b := t.fieldOff[k], t.fieldOff[k+1]
	if a > b || int(b) > len(t.data) {
		return nil
	}
	return t.data[a:b:b]
}

// rowFields returns the range of field numbers of row.
func (t *Table) rowFields(row int) (first, end uint32, ok bool) {
	if uint(row) >= uint(len(t.lines)) || row+1 >= len(t.rowOff) {
		return 0, 0, false
	}
	first, end = t.rowOff[row], t.rowOff[row+1]
	return first, end, first <= end
}

// Layout is the storage of a Table: every field's bytes back to back, and the offset arrays that
// cut them into fields and rows (see Table). A bundle stores these arrays as they are and maps
// them back with FromLayout.
type Layout struct {
	Data     []byte
	FieldOff []uint32 // len: fields + 1
	RowOff   []uint32 // len: rows + 1
	Lines    []uint32 // len: rows
}

// Layout returns the table's storage; the caller must not modify it.
func (t *Table) Layout() Layout {
	return Layout{Data: t.data, FieldOff: t.fieldOff, RowOff: t.rowOff, Lines: t.lines}
}

// FromLayout makes a Table of storage returned by Layout, for example the bytes of a mapped
// bundle. It checks the sizes and the first and last offsets, which costs the same whatever the
// size of the table and touches no page in between; lookups check every other offset as they
// read it (see Field).
func FromLayout(name string, l Layout) (*Table, error) {
	rows, fields := len(l.Lines), len(l.FieldOff)-1
	switch {
	case rows > MaxRows:
		return nil, fmt.Errorf("%d rows; a table has at most %d", rows, MaxRows)
	case len(l.RowOff) != rows+1:
		return nil, fmt.Errorf("%d row offsets for %d rows", len(l.RowOff), rows)
	case fields < 0 || fields > rows*MaxFields:
		return nil, fmt.Errorf("%d field offsets for %d rows", len(l.FieldOff), rows)
	case uint64(len(l.Data)) > MaxFileSize:
		return nil, fmt.Errorf("%d bytes of fields; a table has at most %d", len(l.Data), uint64(MaxFileSize))
	case l.RowOff[0] != 0 || l.RowOff[rows] != uint32(fields):
		return nil, fmt.Errorf("row offsets run from %d to %d, not from 0 to %d", l.RowOff[0], l.RowOff[rows], fields)
	case l.FieldOff[0] != 0 || l.FieldOff[fields] != uint32(len(l.Data)):
		return nil, fmt.Errorf("field offsets run from %d to %d, not from 0 to %d", l.FieldOff[0], l.FieldOff[fields], len(l.Data))
	}
	return &Table{name: name, data: l.Data, fieldOff: l.FieldOff, rowOff: l.RowOff, lines: l.Lines}, nil
}

// checkCol rejects column numbers that no data file can have; the compiler validates
// DataFileBSearchIndex and {$DataFile.FieldN}, so reaching this is a bug in the caller.
func checkCol(col int) {
	if col < 1 {
		panic(fmt.Sprintf("datafile: column %d out of range (columns count from 1)", col))
	}
}
