package datafile

import (
	"bytes"
	"fmt"
)

// Parse parses data as a CSV data file (SMC-SPEC §7); name is used in error messages.
//
// The dialect is RFC 4180 with the leniencies of a hand-edited file: fields are trimmed of spaces
// and tabs outside quotes (inside quotes every byte is kept, line breaks included); lines that are
// blank or whose first non-blank character is '#' are skipped; rows may be ragged; lines end in LF
// or CRLF; a UTF-8 byte order mark is skipped. A quote inside an unquoted field, text after a
// closing quote and an unclosed quote are errors, because each one means the file does not say
// what its author thinks it says.
//
// The table does not keep data.
func Parse(name string, data []byte) (*Table, error) {
	if int64(len(data)) > maxFileSize {
		return nil, tooBig(name, int64(len(data)))
	}
	// Size every array once: unescaped fields never outgrow the input, a row ends at a line
	// end and a field at a comma or a line end. Counting is cheap next to growing arrays of
	// millions of entries by copying.
	lines := bytes.Count(data, []byte{'\n'}) + 1
	fields := lines + bytes.Count(data, []byte{','})
	p := parser{
		name: name,
		src:  data,
		line: 1,
		t: &Table{
			name:     name,
			data:     make([]byte, 0, len(data)),
			fieldOff: append(make([]uint32, 0, 1+fields), 0),
			rowOff:   append(make([]uint32, 0, 1+min(lines, maxRows)), 0),
			lines:    make([]uint32, 0, min(lines, maxRows)),
		},
	}
	if bytes.HasPrefix(data, utf8BOM) {
		p.pos = len(utf8BOM)
	}
	for p.pos < len(p.src) {
		if p.skipLine() {
			continue
		}
		if err := p.record(); err != nil {
			return nil, err
		}
	}
	return p.t, nil
}

var utf8BOM = []byte("\xEF\xBB\xBF")

type parser struct {
	name string
	src  []byte
	pos  int
	line int // of src[pos]
	t    *Table
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return &Error{Name: p.name, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// skipLine skips a blank or comment line at the start of a record and reports whether it did.
func (p *parser) skipLine() bool {
	i := skipBlanks(p.src, p.pos)
	switch {
	case p.atEOL(i):
		p.pos = i
		p.endLine()
		return true
	case p.src[i] == '#':
		if nl := bytes.IndexByte(p.src[i:], '\n'); nl >= 0 {
			p.pos = i + nl + 1
			p.line++
		} else {
			p.pos = len(p.src)
		}
		return true
	}
	return false
}

// record parses one row, up to and including its line end.
func (p *parser) record() error {
	t := p.t
	line := p.line
	if t.Len() >= maxRows {
		return p.errorf(line, "more than %d rows", maxRows)
	}
	start := len(t.data)
	for n := 1; ; n++ {
		if n > MaxFields {
			return p.errorf(p.line, "more than %d fields in a row", MaxFields)
		}
		if err := p.field(); err != nil {
			return err
		}
		if n := len(t.data) - start; n > MaxRowLen {
			return p.errorf(line, "row is %d bytes long; the limit is %d", n, MaxRowLen)
		}
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		p.endLine()
		break
	}
	t.rowOff = append(t.rowOff, uint32(len(t.fieldOff)-1))
	t.lines = append(t.lines, uint32(line))
	return nil
}

// field parses one field and leaves p.pos at the comma or line end after it.
func (p *parser) field() error {
	p.pos = skipBlanks(p.src, p.pos)
	line := p.line
	start := len(p.t.data)
	quoted := p.pos < len(p.src) && p.src[p.pos] == '"'
	var err error
	if quoted {
		err = p.quoted()
	} else {
		err = p.unquoted()
	}
	if err != nil {
		return err
	}
	if n := len(p.t.data) - start; n > MaxFieldLen {
		hint := ""
		if quoted {
			hint = " (is a quote not closed?)"
		}
		return p.errorf(line, "field is %d bytes long; the limit is %d%s", n, MaxFieldLen, hint)
	}
	p.t.fieldOff = append(p.t.fieldOff, uint32(len(p.t.data)))
	return nil
}

func (p *parser) quoted() error {
	open := p.line
	p.pos++ // the opening quote
	for {
		q := bytes.IndexByte(p.src[p.pos:], '"')
		if q < 0 {
			return p.errorf(open, "quoted field is not closed")
		}
		chunk := p.src[p.pos : p.pos+q]
		p.line += bytes.Count(chunk, []byte{'\n'})
		p.t.data = append(p.t.data, chunk...)
		p.pos += q + 1
		if p.pos < len(p.src) && p.src[p.pos] == '"' {
			p.t.data = append(p.t.data, '"')
			p.pos++
			continue
		}
		break
	}
	p.pos = skipBlanks(p.src, p.pos)
	if !p.atEOL(p.pos) && p.src[p.pos] != ',' {
		return p.errorf(p.line, `text after the closing quote of a field; write "" for a quote inside quotes`)
	}
	return nil
}

func (p *parser) unquoted() error {
	end := p.pos
	for end < len(p.src) && p.src[end] != ',' && p.src[end] != '\n' {
		if p.src[end] == '"' {
			return p.errorf(p.line, `quote inside an unquoted field; quote the whole field and write "" for the quote`)
		}
		end++
	}
	v := p.src[p.pos:end]
	if len(v) > 0 && v[len(v)-1] == '\r' && (end == len(p.src) || p.src[end] == '\n') {
		v = v[:len(v)-1]
	}
	p.t.data = append(p.t.data, trimBlanksRight(v)...)
	p.pos = end
	return nil
}

// atEOL reports whether src[i] ends a line: end of input, LF, or CR before LF or end of input.
func (p *parser) atEOL(i int) bool {
	if i >= len(p.src) || p.src[i] == '\n' {
		return true
	}
	return p.src[i] == '\r' && (i+1 == len(p.src) || p.src[i+1] == '\n')
}

// endLine consumes the line end at p.pos, which atEOL accepted.
func (p *parser) endLine() {
	if p.pos < len(p.src) && p.src[p.pos] == '\r' {
		p.pos++
	}
	if p.pos < len(p.src) && p.src[p.pos] == '\n' {
		p.pos++
		p.line++
	}
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func skipBlanks(b []byte, i int) int {
	for i < len(b) && isBlank(b[i]) {
		i++
	}
	return i
}

func trimBlanksRight(b []byte) []byte {
	for len(b) > 0 && isBlank(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}
