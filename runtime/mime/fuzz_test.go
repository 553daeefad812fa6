package mime

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// FuzzMultipart reads arbitrary bodies with arbitrary boundaries and checks what must hold of
// any: reading is deterministic and does not allocate; the parts come in order inside the body,
// each with its headers before its content; a delimiter line follows each part; and the parts and
// the error are those of an independent, line-by-line reading of RFC 2046 §5.1.1 (refParts).
func FuzzMultipart(f *testing.F) {
	for _, s := range multipartSeeds() {
		f.Add(s.boundary, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, boundary string, body []byte) {
		body = body[:len(body):len(body)] // a read past the body panics
		got, err := spans(body, boundary)
		again, err2 := spans(body, boundary)
		if fmt.Sprint(got) != fmt.Sprint(again) || err != err2 {
			t.Fatalf("two readings differ: %v %v, then %v %v", got, err, again, err2)
		}
		checkOrder(t, body, boundary, got)
		want, wantErr := refParts(body, boundary)
		if fmt.Sprint(bounds(got)) != fmt.Sprint(want) || err != wantErr {
			t.Fatalf("parts %v, error %v; the line-by-line reading gives %v, %v", bounds(got), err, want, wantErr)
		}
		b := []byte(boundary)
		if n := testing.AllocsPerRun(1, func() { spansNoAlloc(body, b) }); n != 0 {
			t.Fatalf("reading allocates %v times", n)
		}
	})
}

func spans(body []byte, boundary string) ([]Part, error) {
	r := NewReader(body, []byte(boundary))
	var parts []Part
	var p Part
	for r.Next(&p) {
		parts = append(parts, p)
	}
	if r.Err() == nil && r.Epilogue() < 0 {
		return parts, fmt.Errorf("no error and no epilogue")
	}
	return parts, r.Err()
}

func spansNoAlloc(body, boundary []byte) {
	r := NewReader(body, boundary)
	var p Part
	for r.Next(&p) {
	}
}

// checkOrder checks that the parts follow each other, that each one's headers come before its
// content, that its header values lie in its headers, and that a delimiter line follows it.
func checkOrder(t *testing.T, body []byte, boundary string, parts []Part) {
	prev := 0
	for i, p := range parts {
		if !(prev <= p.Start && p.Start <= p.Content && p.Content <= p.End && p.End <= len(body)) {
			t.Fatalf("part %d at %d %d %d after %d, in %d bytes", i+1, p.Start, p.Content, p.End, prev, len(body))
		}
		headers := body[p.Start:p.Content]
		for _, v := range [][]byte{p.Type, p.Encoding} {
			if v != nil && !bytes.Contains(headers, v) {
				t.Fatalf("part %d: header value %q is not in its headers %q", i+1, v, headers)
			}
		}
		rest, dash := body[p.End:], "--"+boundary
		if !bytes.HasPrefix(rest, []byte("\r\n"+dash)) && !bytes.HasPrefix(rest, []byte("\n"+dash)) && !(p.End == p.Start && bytes.HasPrefix(rest, []byte(dash))) {
			t.Fatalf("part %d is not followed by a delimiter: %q", i+1, rest[:min(len(rest), 80)])
		}
		prev = p.End + 1
	}
}

func bounds(parts []Part) [][2]int {
	var out [][2]int
	for _, p := range parts {
		out = append(out, [2]int{p.Start, p.End})
	}
	return out
}

// refParts reads a multipart body line by line, as RFC 2046 §5.1.1 describes it and apart from
// the Reader's code: a line is a delimiter when, without its line ending and the spaces and tabs
// before that, it is "--" boundary, and the close delimiter when it is "--" boundary "--"; only the
// close delimiter may be the body's last, unterminated line. A part runs from after one delimiter
// line to the line break before the next.
func refParts(body []byte, boundary string) ([][2]int, error) {
	b := []byte(boundary)
	if len(b) == 0 || len(b) > MaxBoundary || bytes.ContainsAny(b, "\r\n") || bytes.HasSuffix(b, []byte(" ")) || bytes.HasSuffix(b, []byte("\t")) {
		return nil, ErrBoundary
	}
	var parts [][2]int
	start := -1
	for pos := 0; pos < len(body); {
		end, next := len(body), len(body)
		if i := bytes.IndexByte(body[pos:], '\n'); i >= 0 {
			end, next = pos+i, pos+i+1
		}
		terminated := end < len(body)
		text := body[pos:end]
		if terminated {
			text = bytes.TrimSuffix(text, []byte("\r"))
		}
		line := bytes.TrimRight(text, " \t")
		dash := append([]byte("--"), b...)
		closing := bytes.Equal(line, append(dash, '-', '-'))
		if closing || terminated && bytes.Equal(line, dash) {
			if start >= 0 {
				stop := pos
				if stop > start && body[stop-1] == '\n' {
					stop--
					if stop > start && body[stop-1] == '\r' {
						stop--
					}
				}
				parts = append(parts, [2]int{start, stop})
			}
			if closing {
				return parts, nil
			}
			start = next
		}
		pos = next
	}
	if start < 0 {
		return nil, ErrNoDelimiter
	}
	return parts, ErrUnclosed
}

// multipartSeeds are the seed corpus: the shapes of TestReaderShapes and a few more.
func multipartSeeds() []struct{ boundary, body string } {
	isup := "\x01\x00\x60\x01\x0a\x00\x02\x09\x07\x03\x10\x55\x15\x32\x54\x76\x0a\x07\x03\x13\x55\x05\x00\x11\x11\x00"
	return []struct{ boundary, body string }{
		{"unique-boundary-1", "--unique-boundary-1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\nc=IN IP4 192.0.2.1\r\n--unique-boundary-1\r\nContent-Type: application/ISUP;version=itu-t92+\r\nContent-Disposition: signal;handling=optional\r\n\r\n" + isup + "\r\n--unique-boundary-1--\r\n"},
		{"b", "--b\nContent-Type: application/sdp\n\nv=0\n--b\nContent-Type: application/isup\n\n" + isup + "\n--b--\n"},
		{"b", "This is a preamble.\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\nThis is the epilogue.\r\n"},
		{"simple boundary", "--simple boundary  \r\nContent-Type: a/b\r\n\r\nx\r\n--simple boundary--\t\r\n"},
		{"b", "--b\r\n\r\nno headers\r\n--b\r\n--b\r\nContent-Type: a/b\r\n--b--"},
		{"b", "--b\r\ncontent-type:\r\n application/ISUP;\r\n\tversion=ansi88\r\nCONTENT-TRANSFER-ENCODING : binary\r\n\r\n" + isup + "\r\n--b--\r\n"},
		{"b", "--b\r\nContent-Type: text/plain\r\n\r\n--bx\r\nsee --b\r\n--b--\r\n"},
		{"b", "--b\r\nContent-Type: a/b\r\n\r\nx\r\n--b\r\nContent-Type: application/isup\r\n\r\n" + isup},
		{"b", "x--b\r\n\r\nx\r\n"},
		{"b", "--b--"},
		{"sonus-content-delim", "--sonus-content-delim\r\nContent-Disposition: session; handling=required\r\nContent-Length:   4\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n\r\n--sonus-content-delim\r\nContent-Type: application/isup; version=ansi88; base=ansi88\r\n\r\n\x01\x10\x60\x00\x0a\r\n--sonus-content-delim--\r\n"},
	}
}

var writeSeeds = flag.Bool("seeds", false, "write the seed corpus of FuzzMultipart to testdata/fuzz")

// TestWriteSeeds writes the seed corpus (go test -run WriteSeeds -seeds), so that it is made from
// the seeds above and nothing else.
func TestWriteSeeds(t *testing.T) {
	if !*writeSeeds {
		t.Skip("run with -seeds to write testdata/fuzz/FuzzMultipart")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzMultipart")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range multipartSeeds() {
		data := "go test fuzz v1\nstring(" + strconv.Quote(s.boundary) + ")\n[]byte(" + strconv.Quote(s.body) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
