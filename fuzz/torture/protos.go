package torture

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// loadProtos reads the PROTOS c07-sip cases kept as single files (cases/NNNNNNN, the 4020 cases
// of at most 16 KiB; the larger ones sit only in the tar.xz, which the standard library cannot
// read). Each case's first segment, the test INVITE, is made a wire message by substituting the
// placeholders the PROTOS runner fills in; its teardown segment is a second message.
func loadProtos(root string) ([]Message, error) {
	files, err := filepath.Glob(filepath.Join(root, "protos", "cases", "[0-9]*"))
	if err != nil {
		return nil, err
	}
	var ms []Message
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		segments, err := protosSegments(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for i, seg := range segments {
			name := fmt.Sprintf("protos/%s#%d", filepath.Base(f), i+1)
			ms = append(ms, Message{Name: name, Group: "protos", Data: Substitute(seg)})
		}
	}
	return ms, nil
}

var errProtosSegment = errors.New("not a PROTOS case: a segment is not \"LENGTH \" and that many bytes")

// protosSegments splits a case into its length-prefixed segments ("<decimal length> <bytes>").
func protosSegments(data []byte) ([][]byte, error) {
	var segs [][]byte
	for len(data) > 0 {
		num, rest, ok := bytes.Cut(data, []byte(" "))
		n, err := strconv.Atoi(string(num))
		if !ok || err != nil || n < 0 || n > len(rest) {
			return nil, errProtosSegment
		}
		segs = append(segs, rest[:n])
		data = rest[n:]
	}
	return segs, nil
}

// protosValues are what this project's tests put in for the PROTOS placeholders: addresses of
// the documentation ranges and fixed identifiers, so that every run sees the same messages.
var protosValues = [][2]string{
	{"<Teardown-Method>", "CANCEL"},
	{"<From-Address>", "192.0.2.1"},
	{"<From-IP>", "192.0.2.1"},
	{"<Local-Port>", "5060"},
	{"<Branch-ID>", "7f3a"},
	{"<Call-ID>", "protos-c07"},
	{"<CSeq>", "1"},
	{"<From>", "protos@192.0.2.1"},
	{"<To>", "target@192.0.2.2"},
}

// Substitute fills a PROTOS template's placeholders; <Content-Length> becomes the length of what
// follows the first empty line (0 when there is none), as the PROTOS runner computes it.
func Substitute(template []byte) []byte {
	msg := bytes.Clone(template)
	for _, kv := range protosValues {
		msg = bytes.ReplaceAll(msg, []byte(kv[0]), []byte(kv[1]))
	}
	const cl = "<Content-Length>"
	if !bytes.Contains(msg, []byte(cl)) {
		return msg
	}
	body := 0
	if i := bytes.Index(msg, []byte("\r\n\r\n")); i >= 0 {
		body = len(msg) - i - 4
	}
	return bytes.ReplaceAll(msg, []byte(cl), []byte(strconv.Itoa(body)))
}
