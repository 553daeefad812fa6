package compile

import (
	"bytes"
	"fmt"
	"regexp"
	"unicode/utf8"

	"github.com/smcproject/smc/compile/jsonpos"
)

// A file that is not a profile at all (a SIP message given where the profile goes, a compiled
// bundle, a YAML draft) makes the JSON reader report one error per line it cannot read, and none
// of them says what happened. sniff recognises such files before the reader runs, so that they get
// one error that does.

// sipStartLine is a request line or a status line (RFC 3261 §7.1, §7.2), the first line of a SIP
// message.
var sipStartLine = regexp.MustCompile(`^([A-Za-z!%'*+._~-]+ [^ \r\n]+ SIP/2\.0|SIP/2\.0 [1-6][0-9][0-9]( |\r?$))`)

// binarySample is how much of the file is looked at to call it binary: enough for any header or
// magic number, and for a share of bytes that text never has.
const binarySample = 512

// sniff returns the position and text of the one error for a file that is not a JSON profile,
// or ok false for a file the JSON reader should read (JSON, however broken).
func sniff(src []byte) (pos jsonpos.Pos, msg string, ok bool) {
	if isBinary(src) {
		return jsonpos.Pos{Line: 1, Col: 1}, "this is a binary file, not a profile: a profile is a JSON text file (a bundle that smcc compile wrote is given with --bundle)", true
	}
	firstLine, _, _ := bytes.Cut(src, []byte("\n"))
	if sipStartLine.Match(firstLine) {
		return jsonpos.Pos{Line: 1, Col: 1}, "this is a SIP message, not a profile: give the profile with -p and the message as the last argument (smcc run -p PROFILE MESSAGE)", true
	}
	line, col, c := firstSignificant(src)
	if c == 0 || bytes.IndexByte([]byte("{[\"-0123456789tfn"), c) >= 0 {
		return jsonpos.Pos{}, "", false // empty, or JSON: the reader says what is wrong with it
	}
	return jsonpos.Pos{Line: line, Col: col}, fmt.Sprintf("this file is not JSON: a profile is a JSON object that starts with '{', and this one starts with %q", firstLineText(src, line)), true
}

// isBinary reports a file with a NUL byte in its first binarySample bytes, or with more than one
// in ten of them control characters or bytes that are not UTF-8, which no text editor writes.
func isBinary(src []byte) bool {
	sample := src[:min(len(src), binarySample)]
	if bytes.IndexByte(sample, 0) >= 0 {
		return true
	}
	odd := 0
	for i := 0; i < len(sample); {
		r, n := utf8.DecodeRune(sample[i:])
		if (r == utf8.RuneError && n <= 1 && len(sample)-i >= utf8.UTFMax) || r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			odd++
		}
		i += n
	}
	return odd*10 > len(sample)
}

// firstSignificant returns the line, column and value of the first byte that is not white space
// (nor a UTF-8 byte order mark), or 0 when there is none.
func firstSignificant(src []byte) (line, col int, c byte) {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	line, col = 1, 1
	for _, b := range src {
		switch b {
		case '\n':
			line, col = line+1, 1
		case ' ', '\t', '\r':
			col++
		default:
			return line, col, b
		}
	}
	return 0, 0, 0
}

// firstLineText is line n of src without its line end, cut to 40 bytes for the message.
func firstLineText(src []byte, n int) string {
	lines := bytes.Split(src, []byte("\n"))
	text := bytes.TrimSpace(lines[n-1])
	if len(text) > 40 {
		return string(text[:40]) + "..."
	}
	return string(text)
}
