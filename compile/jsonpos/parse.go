package jsonpos

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// parser is a recursive-descent reader with one token of lookahead. Tokens are lexed only when
// the parser asks for them, so that after the document ends nothing more is read (and no error
// is reported twice for the same text).
type parser struct {
	data  []byte
	lines []int // offset of the start of each line, for turning offsets into positions
	off   int   // where the next token is lexed

	tok     token // the lookahead token, when peeked
	peeked  bool
	prevBad bool // the last token consumed was an unterminated string

	stack []frame // the open arrays and objects, innermost last

	errs    []Error
	stopped bool // MaxErrors reached: every token is now EOF and every error is dropped
	eofDone bool // the end of the input is already explained by an error
	buf     []byte

	// badSpaces counts the non-ASCII spaces reported: text pasted from a document often indents
	// every line with them, and one error for the file says as much as one per character.
	badSpaces int
}

// frame is an open array or object: its kind and the offset of its opening bracket.
type frame struct {
	kind  Kind
	start int
}

// step says where the object and array loops go next.
type step uint8

const (
	stepItem step = iota // read a member or element
	stepSep              // read the ',' or closing bracket after one
	stepDone             // the container is finished
)

var bom = []byte("\xef\xbb\xbf")

// Parse reads one JSON document. It always returns a tree, partial where the input is broken,
// and nil only when the input holds no value at all; and it returns every error found, in
// position order. A leading byte-order mark is skipped, and columns on the first line count
// from after it, as an editor shows them.
func Parse(data []byte) (*Value, []Error) {
	p := &parser{data: bytes.TrimPrefix(data, bom)}
	p.lines = lineStarts(p.data)
	v := p.document()
	return v, p.finish()
}

func lineStarts(data []byte) []int {
	lines := make([]int, 1, 1+bytes.Count(data, []byte{'\n'}))
	for i, c := range data {
		if c == '\n' {
			lines = append(lines, i+1)
		}
	}
	return lines
}

func (p *parser) pos(off int) Pos {
	line := sort.SearchInts(p.lines, off+1) - 1
	return Pos{Line: line + 1, Col: off - p.lines[line] + 1}
}

// errorf records an error at the byte offset off. The same error at the same place is kept once:
// some recoveries look at the same token twice.
func (p *parser) errorf(off int, format string, args ...any) {
	if p.stopped {
		return
	}
	e := Error{Pos: p.pos(off), Msg: fmt.Sprintf(format, args...)}
	if n := len(p.errs); n > 0 && p.errs[n-1] == e {
		return
	}
	p.errs = append(p.errs, e)
	if len(p.errs) > MaxErrors {
		p.stopped = true
	}
}

// finish sorts the errors, which recovery can find slightly out of order (a string is known to
// be unterminated only after the errors inside it), and applies MaxErrors.
func (p *parser) finish() []Error {
	slices.SortStableFunc(p.errs, func(a, b Error) int {
		switch {
		case a.Pos.before(b.Pos):
			return -1
		case b.Pos.before(a.Pos):
			return 1
		}
		return 0
	})
	if len(p.errs) > MaxErrors {
		p.errs = append(p.errs[:MaxErrors], Error{Pos: p.errs[MaxErrors].Pos, Msg: "too many errors"})
	}
	return p.errs
}

func (p *parser) peek() token {
	if !p.peeked {
		p.tok = p.lex()
		p.peeked = true
	}
	return p.tok
}

func (p *parser) next() token {
	t := p.peek()
	p.peeked = false
	p.prevBad = t.bad
	return t
}

// describe names a token for "found ..." in a message.
func (p *parser) describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of input"
	case tString:
		if len(t.text) > maxShown {
			return strconv.Quote(t.text[:maxShown]) + "..."
		}
		return strconv.Quote(t.text)
	}
	return quoteText(string(p.data[t.start:t.end]))
}

func (p *parser) document() *Value {
	t := p.peek()
	if t.kind == tEOF {
		if !p.eofDone {
			p.errorf(t.start, "unexpected end of input; expected a JSON value")
		}
		return nil
	}
	if !startsValue(t.kind) {
		p.errorf(t.start, "expected a JSON value, found %s", p.describe(t))
		return nil
	}
	v := p.value()
	if p.stopped {
		return v
	}
	if p.peeked {
		if p.tok.kind != tEOF {
			p.errorf(p.tok.start, "unexpected text after the end of the document")
		}
		return v
	}
	p.skipSpace()
	if p.off < len(p.data) {
		p.errorf(p.off, "unexpected text after the end of the document")
	}
	return v
}

// value reads the value that starts at the lookahead token, which startsValue accepts. It returns
// nil only for a value nested too deeply, which it skips.
func (p *parser) value() *Value {
	t := p.peek()
	switch t.kind {
	case tLBrace, tLBrack:
		if len(p.stack) >= MaxDepth {
			p.errorf(t.start, "nesting deeper than %d", MaxDepth)
			p.skipNested(t.start)
			return nil
		}
		if t.kind == tLBrace {
			return p.object()
		}
		return p.array()
	case tWord:
		return p.word()
	}
	p.next()
	v := &Value{Pos: p.pos(t.start), End: p.pos(t.end)}
	switch t.kind {
	case tString:
		v.Kind, v.Str = String, t.text
	case tNumber:
		v.Kind, v.Str = Number, t.text
	case tTrue:
		v.Kind, v.Bool = Bool, true
	case tFalse:
		v.Kind = Bool
	case tNull:
		v.Kind = Null
	}
	return v
}

// word reads unquoted text where a value belongs. A literal in the wrong case becomes that
// literal; anything else becomes a string holding the rest of the text up to the next comma,
// bracket, quote or line end, so that `"MsgType": REQUEST,` and `"Header": sip:x@y,` are each one
// error and the checker still sees the value the writer meant.
func (p *parser) word() *Value {
	t := p.next()
	v := &Value{Pos: p.pos(t.start)}
	for _, lit := range [...]struct {
		name string
		kind Kind
		b    bool
	}{{"true", Bool, true}, {"false", Bool, false}, {"null", Null, false}} {
		if strings.EqualFold(t.text, lit.name) {
			p.errorf(t.start, "unexpected %s; did you mean %s?", quoteText(t.text), lit.name)
			v.Kind, v.Bool, v.End = lit.kind, lit.b, p.pos(t.end)
			return v
		}
	}
	end := p.unquotedEnd(t.end)
	text := string(p.data[t.start:end])
	p.off = end
	p.unquoted(t.start, end, text, "strings")
	v.Kind, v.Str, v.End = String, strings.ToValidUTF8(text, "\uFFFD"), p.pos(p.off)
	return v
}

// unquoted reports the unquoted text that runs from start to end where a string belongs (what
// names it: "strings" or "keys"). Text that starts with a byte that is not UTF-8 was not meant as
// a word at all: the file is in another encoding (Latin-1, say), and that is what to fix.
func (p *parser) unquoted(start, end int, text, what string) {
	switch r, size := utf8.DecodeRuneInString(text); {
	case r == utf8.RuneError && size == 1:
		p.errorf(start, "invalid UTF-8; save the file as UTF-8")
		p.quoteAt(end)
	case p.quoteAt(end):
		p.errorf(start, `missing '"' before %s`, quoteText(text))
	default:
		p.errorf(start, "unexpected %s; %s must be quoted", quoteText(text), what)
	}
}

// quoteAt reports whether the unquoted text that ends at end is closed by a double quote right
// after it (`"Action": DROP_MSG"`), and if so consumes the quote: the writer left out the opening
// quote only, and the closing one must not start a string that swallows the rest of the line.
func (p *parser) quoteAt(end int) bool {
	if end < len(p.data) && p.data[end] == '"' {
		p.off = end + 1
		return true
	}
	return false
}

// unquotedEnd finds where unquoted text that continues at i ends: before the next delimiter,
// line end or comment, with trailing blanks left out.
func (p *parser) unquotedEnd(i int) int {
	end := i
	for ; i < len(p.data); i++ {
		c := p.data[i]
		if c == ',' || c == '}' || c == ']' || c == '"' || c < 0x20 && c != '\t' ||
			c == '/' && i+1 < len(p.data) && (p.data[i+1] == '/' || p.data[i+1] == '*') {
			break
		}
		if c != ' ' && c != '\t' {
			end = i + 1
		}
	}
	return end
}

// skipNested moves past the array or object that opens at start without building it, counting
// brackets and skipping strings. Errors inside it would be about text nobody will use.
func (p *parser) skipNested(start int) {
	depth := 0
	i := start
scan:
	for i < len(p.data) {
		switch p.data[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				i++
				break scan
			}
		case '"':
			for i++; i < len(p.data) && p.data[i] != '"' && p.data[i] != '\n'; i++ {
				if p.data[i] == '\\' {
					i++
				}
			}
			if i >= len(p.data) {
				break scan
			}
		}
		i++
	}
	p.off = min(i, len(p.data))
	p.peeked, p.prevBad = false, false
}

func (p *parser) push(kind Kind, start int) { p.stack = append(p.stack, frame{kind, start}) }
func (p *parser) pop()                      { p.stack = p.stack[:len(p.stack)-1] }

// close consumes the closing bracket of v.
func (p *parser) close(v *Value) { v.End = p.pos(p.next().end) }

// unexpectedEOF reports the end of input inside v, naming the innermost open container: that is
// where a closing bracket is missing. The containers around it hit the same end silently.
func (p *parser) unexpectedEOF(v *Value) {
	v.End = p.pos(len(p.data))
	if p.eofDone {
		return
	}
	p.eofDone = true
	f := p.stack[len(p.stack)-1]
	p.errorf(len(p.data), "unexpected end of input; missing '%c' to close the %s at %s", closerOf(f.kind), f.kind, p.pos(f.start))
}

func closerOf(k Kind) byte {
	if k == Object {
		return '}'
	}
	return ']'
}

// mismatch handles a closing bracket t of the wrong kind for v, and reports whether v is done.
// There are three readings: the writer forgot v's own bracket and t closes a container around v
// (`[{"a": 1]`); t is a typo for v's bracket (`{"a": [1}, "b": 2}`); or t is a stray (`[{}}, {}]`).
// The text after t tells which, since it must fit the container that goes on after t. When
// several readings fit, or none, forgetting is the likeliest mistake and a typo the next.
func (p *parser) mismatch(v *Value, t token) bool {
	p.errorf(t.start, "expected '%c' to close the %s at %s, found %s", closerOf(v.Kind), v.Kind, v.Pos, p.describe(t))
	want := Object
	if t.kind == tRBrack {
		want = Array
	}
	top := len(p.stack) - 1 // v's frame
	owner := -1             // the innermost container around v that takes t
	for i := top - 1; i >= 0; i-- {
		if p.stack[i].kind == want {
			owner = i
			break
		}
	}
	forgot := owner >= 0 && p.fits(owner-1, t.end)
	typo := p.fits(top-1, t.end)
	switch {
	case forgot || owner >= 0 && !typo && !p.fits(top, t.end):
		v.End = p.pos(t.start)
	case typo || !p.fits(top, t.end):
		p.close(v)
	default:
		p.next() // the stray; v goes on
		return false
	}
	return true
}

// fits reports whether the text at off can come after an element or member of the container
// p.stack[i]: a comma and one more, or its closing bracket. For i < 0, no container is left open
// and only the end of input fits.
func (p *parser) fits(i, off int) bool {
	k, off := p.glance(off)
	if i < 0 {
		return k == tEOF
	}
	kind := p.stack[i].kind
	switch k {
	case tRBrace:
		return kind == Object
	case tRBrack:
		return kind == Array
	case tComma:
		k, off = p.glance(off)
		member := false
		if k == tString || k == tWord {
			k, _ = p.glance(off)
			member = k == tColon
		}
		return member == (kind == Object)
	}
	return false
}

// glance lexes the token at off roughly and silently, for the look ahead of mismatch: any string
// is tString and any other text tWord. It returns the token's kind and the offset after it.
func (p *parser) glance(off int) (tokKind, int) {
	for off < len(p.data) && (p.data[off] == ' ' || p.data[off] == '\t' || p.data[off] == '\n' || p.data[off] == '\r') {
		off++
	}
	if off >= len(p.data) {
		return tEOF, off
	}
	c := p.data[off]
	if k := punct(c); k != tEOF {
		return k, off + 1
	}
	if c == '"' {
		for off++; off < len(p.data) && p.data[off] != '"' && p.data[off] != '\n'; off++ {
			if p.data[off] == '\\' {
				off++
			}
		}
		return tString, min(off+1, len(p.data))
	}
	for off++; off < len(p.data) && !isWordEnd(p.data[off]); off++ {
	}
	return tWord, off
}

func (p *parser) object() *Value {
	open := p.next()
	v := &Value{Kind: Object, Pos: p.pos(open.start)}
	p.push(Object, open.start)
	defer p.pop()
	if p.peek().kind == tRBrace {
		p.close(v)
		return v
	}
	for s := stepItem; s != stepDone; {
		if s == stepItem {
			s = p.member(v)
		} else {
			s = p.afterMember(v)
		}
	}
	return v
}

// member reads one key, colon and value into obj.
func (p *parser) member(obj *Value) step {
	t := p.peek()
	switch t.kind {
	case tString, tWord, tNumber, tTrue, tFalse, tNull:
		// a key, possibly a wrong one
	case tEOF:
		p.unexpectedEOF(obj)
		return stepDone
	case tRBrace:
		p.close(obj)
		return stepDone
	case tRBrack:
		if p.mismatch(obj, t) {
			return stepDone
		}
		return stepItem
	case tLBrace, tLBrack:
		p.errorf(t.start, "expected a string key, found %s", p.describe(t))
		p.value()
		return stepSep
	default:
		p.errorf(t.start, "expected a string key, found %s", p.describe(t))
		p.next()
		return stepItem
	}
	p.next()
	key := t.text
	switch t.kind {
	case tWord:
		key = strings.ToValidUTF8(key, "\uFFFD")
		p.unquoted(t.start, t.end, t.text, "keys")
	case tNumber, tTrue, tFalse, tNull:
		p.errorf(t.start, "expected a string key, found %s", p.describe(t))
	}
	c := p.peek()
	switch {
	case c.kind == tColon:
		p.next()
	case t.bad:
		// The key ran to the end of its line, so its colon and value went with it; the next
		// line most likely starts the next member.
		return stepItem
	case c.kind == tEOF:
		p.unexpectedEOF(obj)
		return stepDone
	case c.kind == tWord && c.text[0] == '=':
		// `"a" = 1`, `"a" => 1`: another language's colon. Take it as one.
		op := "="
		if strings.HasPrefix(c.text, "=>") {
			op = "=>"
		}
		p.errorf(c.start, "expected ':' after key %s, found '%s'", strconv.Quote(key), op)
		p.peeked = false
		p.off = c.start + len(op)
	default:
		p.errorf(c.start, "missing ':' after key %s", strconv.Quote(key))
		if !startsValue(c.kind) {
			return stepSep // a key with no value: `{"a"}`, `{"a", "b": 1}`
		}
	}
	c = p.peek()
	switch {
	case c.kind == tEOF:
		p.unexpectedEOF(obj)
		return stepDone
	case !startsValue(c.kind):
		p.errorf(c.start, "expected a value for key %s, found %s", strconv.Quote(key), p.describe(c))
		return stepSep
	}
	if val := p.value(); val != nil {
		obj.Members = append(obj.Members, Member{Key: key, KeyPos: p.pos(t.start), Value: val})
	}
	return stepSep
}

// afterMember reads what follows a member: a comma, the closing brace, or something that shows
// what the writer left out.
func (p *parser) afterMember(obj *Value) step {
	t := p.peek()
	switch t.kind {
	case tComma:
		p.next()
		if p.peek().kind == tRBrace {
			p.errorf(t.start, "trailing ',' before '}'")
			p.close(obj)
			return stepDone
		}
		return stepItem
	case tRBrace:
		p.close(obj)
		return stepDone
	case tEOF:
		p.unexpectedEOF(obj)
		return stepDone
	case tRBrack:
		if p.mismatch(obj, t) {
			return stepDone
		}
		return stepSep
	case tString, tWord:
		// The next key: the comma is missing. After an unterminated string the comma most
		// likely went into the string, which is already reported.
		if !p.prevBad {
			p.errorf(t.start, "missing ',' between members")
		}
		return stepItem
	}
	p.errorf(t.start, "expected ',' or '}' after an object member, found %s", p.describe(t))
	if t.kind == tColon {
		p.next()
		t = p.peek()
	}
	if startsValue(t.kind) {
		p.value() // more of the value before: one error for all of it
	}
	return stepSep
}

func (p *parser) array() *Value {
	open := p.next()
	v := &Value{Kind: Array, Pos: p.pos(open.start)}
	p.push(Array, open.start)
	defer p.pop()
	if p.peek().kind == tRBrack {
		p.close(v)
		return v
	}
	for s := stepItem; s != stepDone; {
		if s == stepItem {
			s = p.element(v)
		} else {
			s = p.afterElement(v)
		}
	}
	return v
}

// element reads one element into arr.
func (p *parser) element(arr *Value) step {
	t := p.peek()
	switch {
	case startsValue(t.kind):
		if e := p.value(); e != nil {
			arr.Elems = append(arr.Elems, e)
		}
		return stepSep
	case t.kind == tEOF:
		p.unexpectedEOF(arr)
		return stepDone
	case t.kind == tRBrack:
		p.close(arr)
		return stepDone
	case t.kind == tRBrace:
		if p.mismatch(arr, t) {
			return stepDone
		}
		return stepItem
	}
	p.errorf(t.start, "expected a value, found %s", p.describe(t))
	p.next()
	return stepItem
}

// afterElement reads what follows an element: a comma, the closing bracket, or something that
// shows what the writer left out.
func (p *parser) afterElement(arr *Value) step {
	t := p.peek()
	switch {
	case t.kind == tComma:
		p.next()
		if p.peek().kind == tRBrack {
			p.errorf(t.start, "trailing ',' before ']'")
			p.close(arr)
			return stepDone
		}
		return stepItem
	case t.kind == tRBrack:
		p.close(arr)
		return stepDone
	case t.kind == tEOF:
		p.unexpectedEOF(arr)
		return stepDone
	case t.kind == tRBrace:
		if p.mismatch(arr, t) {
			return stepDone
		}
		return stepSep
	case t.kind == tColon:
		// `["a": 1]`: object syntax in an array. Read on as if it were a comma.
		p.errorf(t.start, "expected ',' or ']' after an array element, found ':'")
		p.next()
		return stepItem
	}
	if !p.prevBad {
		p.errorf(t.start, "missing ',' between elements")
	}
	return stepItem
}
