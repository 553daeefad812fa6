package mime

import (
	"bytes"
	"errors"

	"github.com/smcproject/smc/runtime/sip"
)

// MaxBoundary is the longest boundary read: RFC 2046 §5.1.1 allows 1 to 70 characters, and a
// longer one is not a boundary any conforming sender writes.
const MaxBoundary = 70

// Errors of a multipart body that cannot be read. They are preallocated for the packet path.
var (
	ErrBoundary    = errors.New("multipart Content-Type without a usable boundary parameter (1 to 70 characters, no line break, not ending in white space)")
	ErrNoDelimiter = errors.New("multipart body without a first boundary delimiter line")
	ErrUnclosed    = errors.New("multipart body without its close delimiter line")
)

// Multipart reports whether a Content-Type value is multipart/* and returns its boundary
// parameter (nil when it has none).
func Multipart(contentType []byte) (boundary []byte, ok bool) {
	typ, _, params, ok := MediaType(contentType)
	if !ok || !sip.EqualFold(typ, "multipart") {
		return nil, false
	}
	boundary, _ = Param(params, "boundary")
	return boundary, true
}

// A Part is one body part of a multipart body, as offsets into the body: its header section is
// body[Start:Content] (with the empty line that ends it), its content body[Content:End]. The line
// break before the next delimiter line belongs to that delimiter (RFC 2046 §5.1.1), so End is
// where that line break starts. Type and Encoding are the values of the part's Content-Type and
// Content-Transfer-Encoding headers, slices of the body, nil when absent.
type Part struct {
	Start, Content, End int
	Type, Encoding      []byte
}

// A Reader walks the parts of a multipart body, in order, without allocating:
//
//	r := mime.NewReader(body, boundary)
//	var p mime.Part
//	for r.Next(&p) { ... }
//	if r.Err() != nil { ... }
//
// Delimiter lines are `--boundary` at the start of a line (the body's first line included) with
// optional spaces and tabs after it, and the close delimiter is `--boundary--`; lines may end in
// CR LF or LF alone. The text before the first delimiter (the preamble) and after the close
// delimiter (the epilogue) is skipped. A body whose last part is not followed by a close
// delimiter is incomplete: Next stops before that part and Err returns ErrUnclosed.
type Reader struct {
	body, boundary []byte
	pos            int // where the next part starts
	epilogue       int // after the close delimiter: where the epilogue starts
	done           bool
	err            error
}

// NewReader returns a Reader of body's parts, delimited by boundary.
func NewReader(body, boundary []byte) Reader {
	r := Reader{body: body, boundary: boundary, epilogue: -1}
	if !validBoundary(boundary) {
		r.done, r.err = true, ErrBoundary
		return r
	}
	_, next, closing, ok := r.delimiter(0)
	switch {
	case !ok:
		r.done, r.err = true, ErrNoDelimiter
	case closing: // a body of no part at all
		r.done, r.epilogue = true, next
	default:
		r.pos = next
	}
	return r
}

// validBoundary reports whether a boundary can delimit lines: 1 to MaxBoundary characters, no
// line break, and no space or tab at its end, which RFC 2046 forbids and which transport padding
// after it could not be told from.
func validBoundary(b []byte) bool {
	if len(b) == 0 || len(b) > MaxBoundary || b[len(b)-1] == ' ' || b[len(b)-1] == '\t' {
		return false
	}
	return bytes.IndexByte(b, '\n') < 0 && bytes.IndexByte(b, '\r') < 0
}

// Next reads the next part into p and reports whether there was one.
func (r *Reader) Next(p *Part) bool {
	if r.done {
		return false
	}
	at, next, closing, ok := r.delimiter(r.pos)
	if !ok {
		r.done, r.err = true, ErrUnclosed
		return false
	}
	*p = Part{Start: r.pos, End: max(lineBreakBefore(r.body, at), r.pos)}
	r.readHeaders(p)
	if closing {
		r.done, r.epilogue = true, next
	}
	r.pos = next
	return true
}

// Err returns why the body could not be read to its close delimiter, or nil.
func (r *Reader) Err() error { return r.err }

// Epilogue returns where the epilogue starts (the end of the body when it has none), once Next
// has returned false without an error; -1 before that.
func (r *Reader) Epilogue() int { return r.epilogue }

// delimiter finds the first delimiter line at or after the line start from. It returns where the
// line starts, where the line after it starts (or the end of the body), and whether it is the
// close delimiter.
func (r *Reader) delimiter(from int) (at, next int, closing, ok bool) {
	for i := from; i < len(r.body); {
		if next, closing, ok := r.delimiterAt(i); ok {
			return i, next, closing, true
		}
		j := bytes.IndexByte(r.body[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return 0, 0, false, false
}

// delimiterAt reports whether the line at i is a delimiter line: `--boundary`, then `--` for the
// close delimiter, then spaces and tabs (RFC 2046's transport padding), then the line break. A
// close delimiter may also end the body without a line break.
func (r *Reader) delimiterAt(i int) (next int, closing, ok bool) {
	b := r.body[i:]
	n := 2 + len(r.boundary)
	if len(b) < n || b[0] != '-' || b[1] != '-' || !bytes.Equal(b[2:n], r.boundary) {
		return 0, false, false
	}
	if len(b) >= n+2 && b[n] == '-' && b[n+1] == '-' {
		closing, n = true, n+2
	}
	for n < len(b) && (b[n] == ' ' || b[n] == '\t') {
		n++
	}
	switch {
	case n == len(b):
		return i + n, closing, closing
	case b[n] == '\n':
		return i + n + 1, closing, true
	case b[n] == '\r' && n+1 < len(b) && b[n+1] == '\n':
		return i + n + 2, closing, true
	}
	return 0, false, false
}

// lineBreakBefore returns where the line break that ends just before the line start at begins.
func lineBreakBefore(b []byte, at int) int {
	if at > 0 && b[at-1] == '\n' {
		at--
		if at > 0 && b[at-1] == '\r' {
			at--
		}
	}
	return at
}

// readHeaders reads the part's header lines, up to the empty line that ends them, and records
// where its content starts. A part with no empty line before its end is all headers, with no
// content. Lines that are not `name: value` are skipped.
func (r *Reader) readHeaders(p *Part) {
	var field *[]byte // the header being read, for its continuation lines
	valueStart := 0
	for i := p.Start; i < p.End; {
		end, next := p.End, p.End
		if j := bytes.IndexByte(r.body[i:p.End], '\n'); j >= 0 {
			end, next = i+j, i+j+1
		}
		if end > i && r.body[end-1] == '\r' {
			end--
		}
		line := r.body[i:end]
		switch {
		case len(line) == 0:
			p.Content = next
			return
		case line[0] == ' ' || line[0] == '\t':
			if field != nil {
				*field = trimValue(r.body[valueStart:end])
			}
		default:
			field, valueStart = p.field(line)
			valueStart += i
			if field != nil {
				*field = trimValue(r.body[valueStart:end])
			}
		}
		i = next
	}
	p.Content = p.End
}

// field returns where the value of the header line goes, and the offset of the value in line;
// nil for a header the runtime does not read, or a line that is no header.
func (p *Part) field(line []byte) (*[]byte, int) {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return nil, 0
	}
	name := bytes.TrimRight(line[:colon], " \t")
	switch {
	case p.Type == nil && sip.EqualFold(name, "Content-Type"):
		return &p.Type, colon + 1
	case p.Encoding == nil && sip.EqualFold(name, "Content-Transfer-Encoding"):
		return &p.Encoding, colon + 1
	}
	return nil, 0
}

// trimValue trims white space around a header value, keeping it a slice of the body: an empty
// value stays non-nil, so that a header given empty is told from one not given.
func trimValue(v []byte) []byte {
	s, e := skipSpace(v, 0), len(v)
	for e > s && (v[e-1] == ' ' || v[e-1] == '\t' || v[e-1] == '\r' || v[e-1] == '\n') {
		e--
	}
	return v[s:e:e]
}
