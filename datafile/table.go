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
func (t *Table) NumFields(row int) int { return int(t.rowOff[row+1] - t.rowOff[row]) }

// Line returns the 1-based source line where row starts, for error messages.
func (t *Table) Line(row int) int { return int(t.lines[row]) }

// Field returns column col (1-based) of row. It is empty when the row has fewer columns, as
// SMC-SPEC §7 reads a missing column as the empty string. The result is a sub-slice of the
// table's storage, capped so that an append cannot overwrite the next field; the caller must not
// modify it.
func (t *Table) Field(row, col int) []byte {
	first, end := t.rowOff[row], t.rowOff[row+1]
	if col < 1 || col > int(end-first) {
		return nil
	}
	k := first + uint32(col) - 1
	a, b := t.fieldOff[k], t.fieldOff[k+1]
	return t.data[a:b:b]
}

// checkCol rejects column numbers that no data file can have; the compiler validates
// DataFileBSearchIndex and {$DataFile.FieldN}, so reaching this is a bug in the caller.
func checkCol(col int) {
	if col < 1 {
		panic(fmt.Sprintf("datafile: column %d out of range (columns count from 1)", col))
	}
}
