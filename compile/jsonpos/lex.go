package jsonpos

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tLBrace
	tRBrace
	tLBrack
	tRBrack
	tComma
	tColon
	tString
	tNumber
	tTrue
	tFalse
	tNull
	tWord // unquoted text: always an error, but the parser decides which one
)

// token is one lexical token; start and end are byte offsets.
type token struct {
	kind       tokKind
	start, end int
	text       string // tString: decoded; tNumber, tWord: as written
	// bad marks a string that ran into the end of its line. Where it was meant to end is a guess,
	// so the parser does not blame the text after it for a missing comma or colon.
	bad bool
}

// startsValue reports whether a token can begin a value: the parser's test for "the writer left
// out a comma (or colon) here" rather than "this token is out of place".
func startsValue(k tokKind) bool {
	return k == tLBrace || k == tLBrack || k >= tString
}

// lex reads the token at p.off, reporting the lexical errors in it and in the space before it.
func (p *parser) lex() token {
	p.skipSpace()
	start := p.off
	if p.stopped || start >= len(p.data) {
		return token{kind: tEOF, start: len(p.data), end: len(p.data)}
	}
	c := p.data[start]
	if k := punct(c); k != tEOF {
		p.off++
		return token{kind: k, start: start, end: p.off}
	}
	switch {
	case c == '"':
		return p.lexString(start, 1, `"`)
	case c == '\'':
		p.errorf(start, "strings use double quotes, not '")
		return p.lexString(start, 1, "'")
	case c == '-' || isDigit(c) || (c == '+' || c == '.') && start+1 < len(p.data) && isDigit(p.data[start+1]):
		return p.lexNumber(start)
	case c >= utf8.RuneSelf:
		// Text pasted from a word processor or a PDF of the guide comes with typographic quotes.
		r, size := utf8.DecodeRune(p.data[start:])
		if closers := curlyClosers(r); closers != "" {
			p.errorf(start, "strings use double quotes, not %c", r)
			return p.lexString(start, size, closers)
		}
	}
	return p.lexWord(start)
}

func punct(c byte) tokKind {
	switch c {
	case '{':
		return tLBrace
	case '}':
		return tRBrace
	case '[':
		return tLBrack
	case ']':
		return tRBrack
	case ',':
		return tComma
	case ':':
		return tColon
	}
	return tEOF
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// curlyClosers returns the characters that may end a string opened by the typographic quote r, or
// "" when r is not one. Any quote of the family closes it, since writers (and autocorrect) mix them.
func curlyClosers(r rune) string {
	switch r {
	case '“', '”', '„':
		return "“”\""
	case '‘', '’':
		return "‘’'"
	}
	return ""
}

// isSpaceRune reports whether r is a space outside ASCII that a copy and paste can bring in:
// JSON does not allow it, but it is plainly meant as space, so the lexer skips it after the error.
func isSpaceRune(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}

// skipSpace moves past white space, reporting comments, control characters and non-ASCII spaces
// and skipping them too: each is an error of its own, never a reason to misread what follows.
func (p *parser) skipSpace() {
	for p.off < len(p.data) {
		c := p.data[p.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.off++
		case c == '/' && p.off+1 < len(p.data) && (p.data[p.off+1] == '/' || p.data[p.off+1] == '*'):
			p.skipComment()
		case c < 0x20:
			p.errorf(p.off, "unexpected control character %U", rune(c))
			p.off++
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(p.data[p.off:])
			if !isSpaceRune(r) {
				return
			}
			if p.badSpaces == 0 {
				p.errorf(p.off, "unexpected %U, a space that JSON does not allow; use an ASCII space%s", r, moreSpaces(p.data[p.off+size:]))
			}
			p.badSpaces++
			p.off += size
		default:
			return
		}
	}
}

// moreSpaces tells how many more non-ASCII spaces follow, so one error covers them all.
func moreSpaces(rest []byte) string {
	n := 0
	for len(rest) > 0 {
		r, size := utf8.DecodeRune(rest)
		if r >= utf8.RuneSelf && isSpaceRune(r) {
			n++
		}
		rest = rest[size:]
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d more follow in the file; replace them all)", n)
}

func (p *parser) skipComment() {
	start := p.off
	if p.data[start+1] == '/' {
		p.off = len(p.data)
		if i := bytes.IndexByte(p.data[start:], '\n'); i >= 0 {
			p.off = start + i
		}
		p.errorf(start, "comments are not allowed in JSON")
		return
	}
	i := bytes.Index(p.data[start+2:], []byte("*/"))
	if i < 0 {
		p.errorf(start, "unterminated comment; comments are not allowed in JSON")
		p.eofDone = true // the comment swallowed the rest; saying so again at the end adds nothing
		p.off = len(p.data)
		return
	}
	p.errorf(start, "comments are not allowed in JSON")
	p.off = start + 2 + i + 2
}

// lexString reads a string whose opening quote is openLen bytes at start and which any rune of
// closers ends. An error inside the string keeps the string going, so that the rest of the file
// is read as the writer meant it; only a line break ends an unterminated string, because JSON
// strings never span lines and the next line most likely holds the next member.
func (p *parser) lexString(start, openLen int, closers string) token {
	i := start + openLen
	if closers == `"` {
		// Most strings need no decoding.
		for j := i; j < len(p.data); j++ {
			c := p.data[j]
			if c == '"' {
				p.off = j + 1
				return token{kind: tString, start: start, end: p.off, text: string(p.data[i:j])}
			}
			if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
				break
			}
		}
	}
	b := p.buf[:0]
	defer func() { p.buf = b[:0] }()
	badUTF8 := false
	for {
		if i >= len(p.data) {
			p.errorf(start, `unterminated string; missing closing '"'`)
			p.eofDone = true // the string swallowed the rest of the file
			p.off = i
			return token{kind: tString, start: start, end: i, text: string(b), bad: true}
		}
		c := p.data[i]
		switch {
		case c == '\n' || c == '\r' && i+1 < len(p.data) && p.data[i+1] == '\n':
			p.errorf(start, `unterminated string; missing closing '"'`)
			p.off = i
			return token{kind: tString, start: start, end: i, text: string(b), bad: true}
		case c == '\\':
			b, i = p.escape(b, i, closers)
		case c < 0x20:
			p.errorf(i, "control character %U in a string; write it as %s", rune(c), escapeFor(c))
			b = append(b, c)
			i++
		case c < utf8.RuneSelf:
			if strings.IndexByte(closers, c) >= 0 {
				p.off = i + 1
				return token{kind: tString, start: start, end: p.off, text: string(b)}
			}
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRune(p.data[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				// One error per string: a file saved as Latin-1 would otherwise give one per
				// accented letter. Each byte decodes as U+FFFD, as encoding/json does.
				if !badUTF8 {
					p.errorf(i, "invalid UTF-8 in a string")
					badUTF8 = true
				}
				b = utf8.AppendRune(b, utf8.RuneError)
			case strings.ContainsRune(closers, r):
				p.off = i + size
				return token{kind: tString, start: start, end: p.off, text: string(b)}
			default:
				b = append(b, p.data[i:i+size]...)
			}
			i += size
		}
	}
}

// escapeFor is how to write the control character c inside a JSON string.
func escapeFor(c byte) string {
	switch c {
	case '\b':
		return `\b`
	case '\f':
		return `\f`
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	}
	return fmt.Sprintf(`\u%04x`, c)
}

// escape decodes the escape sequence whose backslash is at i, appending it to b, and returns the
// offset after it. An invalid escape keeps the escaped character, which is what a writer of `\$`
// meant, and the string goes on.
func (p *parser) escape(b []byte, i int, closers string) ([]byte, int) {
	if i+1 >= len(p.data) {
		return b, i + 1 // the string is unterminated; that is the error to report
	}
	c := p.data[i+1]
	switch c {
	case '"', '\\', '/':
		return append(b, c), i + 2
	case 'b':
		return append(b, '\b'), i + 2
	case 'f':
		return append(b, '\f'), i + 2
	case 'n':
		return append(b, '\n'), i + 2
	case 'r':
		return append(b, '\r'), i + 2
	case 't':
		return append(b, '\t'), i + 2
	case 'u':
		return p.unicodeEscape(b, i)
	case '\n', '\r':
		return b, i + 1 // the line ends inside the string: report that, not the backslash
	}
	if c == '\'' && closers == "'" {
		// In a single-quoted string \' is what the writer meant; the quotes are already reported.
		return append(b, c), i + 2
	}
	r, size := utf8.DecodeRune(p.data[i+1:])
	switch {
	case r == utf8.RuneError && size == 1:
		p.errorf(i, `invalid escape: '\' followed by invalid UTF-8`)
	case unicode.IsPrint(r):
		p.errorf(i, `invalid escape '\%c'`, r)
	default:
		p.errorf(i, `invalid escape: '\' followed by %U`, r)
	}
	return utf8.AppendRune(b, r), i + 1 + size
}

// unicodeEscape decodes \uXXXX at i, and a following low surrogate when XXXX is a high one. A
// surrogate that is not part of a pair decodes as U+FFFD, as encoding/json does, and the next
// escape is read on its own.
func (p *parser) unicodeEscape(b []byte, i int) ([]byte, int) {
	r, n := hex4(p.data[i+2:])
	if n < 4 {
		shown := i + 2
		for shown < len(p.data) && shown < i+6 && p.data[shown] > ' ' && p.data[shown] < utf8.RuneSelf && p.data[shown] != '"' && p.data[shown] != '\\' {
			shown++
		}
		p.errorf(i, `invalid escape '%s'; \u needs four hex digits`, p.data[i:shown])
		return utf8.AppendRune(b, utf8.RuneError), i + 2 + n
	}
	j := i + 6
	if utf16.IsSurrogate(r) {
		if bytes.HasPrefix(p.data[j:], []byte(`\u`)) {
			if r2, n2 := hex4(p.data[j+2:]); n2 == 4 {
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					return utf8.AppendRune(b, dec), j + 6
				}
			}
		}
		p.errorf(i, `lone surrogate '%s'; a character above U+FFFF needs a high and a low surrogate`, p.data[i:j])
		r = utf8.RuneError
	}
	return utf8.AppendRune(b, r), j
}

// hex4 decodes up to four hex digits at the start of s, returning how many there were.
func hex4(s []byte) (rune, int) {
	var r rune
	for n := range 4 {
		if n >= len(s) {
			return r, n
		}
		c := s[n]
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return r, n
		}
	}
	return r, 4
}

// lexNumber reads a number. It takes every character that could belong to a mistyped number
// (0x1F, 1_000, 1.5.2, -Infinity) so that one bad number is one error naming all of it.
func (p *parser) lexNumber(start int) token {
	i := start
	for i < len(p.data) && isNumberByte(p.data[i]) {
		i++
	}
	p.off = i
	lit := string(p.data[start:i])
	if why, ok := checkNumber(lit); !ok {
		p.errorf(start, "invalid number %s%s", quoteText(lit), why)
	}
	return token{kind: tNumber, start: start, end: i, text: lit}
}

func isNumberByte(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '.' || c == '+' || c == '-' || c == '_'
}

// checkNumber tests s against the number grammar of RFC 8259 §6, saying what is wrong when it
// can tell.
func checkNumber(s string) (why string, ok bool) {
	i := 0
	if s[0] == '+' {
		if isNaNInf(s[1:]) {
			return "; JSON has no NaN or Infinity", false
		}
		return "; a number cannot start with '+'", false
	}
	if s[0] == '-' {
		i++
	}
	rest := s[i:]
	switch {
	case isNaNInf(rest):
		return "; JSON has no NaN or Infinity", false
	case rest == "":
		return "; a digit must follow '-'", false
	case rest[0] == '.':
		return "; a digit must come before '.'", false
	case strings.HasPrefix(rest, "0x") || strings.HasPrefix(rest, "0X"):
		return "; hexadecimal numbers are not allowed", false
	case !isDigit(rest[0]):
		return "; a digit must follow '-'", false
	case rest[0] == '0' && len(rest) > 1 && isDigit(rest[1]):
		return "; leading zeros are not allowed", false
	}
	i = skipDigits(s, i)
	if i < len(s) && s[i] == '.' {
		j := skipDigits(s, i+1)
		if j == i+1 {
			return "; a digit must follow '.'", false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := skipDigits(s, i)
		if j == i {
			return "; the exponent needs a digit", false
		}
		i = j
	}
	return "", i == len(s)
}

func skipDigits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

func isNaNInf(s string) bool {
	return strings.EqualFold(s, "NaN") || strings.EqualFold(s, "Infinity") || strings.EqualFold(s, "Inf")
}

// lexWord reads unquoted text up to the next space or punctuation. The parser decides whether
// that is a literal, a key, or the start of an unquoted value.
func (p *parser) lexWord(start int) token {
	i := start
	for i < len(p.data) {
		c := p.data[i]
		if c < utf8.RuneSelf {
			if isWordEnd(c) || c == '/' && i+1 < len(p.data) && (p.data[i+1] == '/' || p.data[i+1] == '*') {
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(p.data[i:])
		if i > start && (isSpaceRune(r) || curlyClosers(r) != "") {
			break
		}
		i += size
	}
	if i == start {
		i++ // cannot happen, as lex only gets here on a word character; but never stall
	}
	p.off = i
	lit := string(p.data[start:i])
	t := token{kind: tWord, start: start, end: i, text: lit}
	switch {
	case lit == "true":
		t.kind = tTrue
	case lit == "false":
		t.kind = tFalse
	case lit == "null":
		t.kind = tNull
	case isNaNInf(strings.TrimPrefix(lit, "+")):
		p.errorf(start, "invalid number %s; JSON has no NaN or Infinity", quoteText(lit))
		t.kind = tNumber
	}
	return t
}

func isWordEnd(c byte) bool {
	switch c {
	case ' ', '{', '}', '[', ']', ',', ':', '"', '\'':
		return true
	}
	return c < 0x20
}

// maxShown is how much of the offending text a message quotes: enough to recognise it, short
// enough that a whole line pasted without quotes does not flood the terminal.
const maxShown = 40

// quoteText quotes offending text for a message, in single quotes, so that it stands out from
// the JSON double quotes around it. Bytes that would not print show as Go escapes.
func quoteText(s string) string {
	var sb strings.Builder
	sb.WriteByte('\'')
	for i, r := range s {
		if i >= maxShown {
			sb.WriteString("...")
			break
		}
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&sb, `\x%02x`, s[i])
		case unicode.IsPrint(r):
			sb.WriteRune(r)
		default:
			q := strconv.QuoteRune(r)
			sb.WriteString(q[1 : len(q)-1])
		}
	}
	sb.WriteByte('\'')
	return sb.String()
}
