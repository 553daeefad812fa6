package smctest

import (
	"bytes"
	"fmt"
	"strconv"
)

// checkContentLength holds input.sip's Content-Length to its body as the case will be run: with
// eol: crlf every body line gains a CR, which a length counted in an editor misses, and a
// length that is too small silently cuts the body short (SIP keeps the bytes past it). A case
// that tests such a message says content-length: as-written.
func checkContentLength(msg []byte, crlf bool) error {
	head, body, ok := splitHead(msg)
	if !ok {
		return nil
	}
	value, found := headerValue(head, "content-length", "l")
	if !found {
		return nil
	}
	n, err := strconv.Atoi(string(value))
	if err == nil && n == len(body) {
		return nil
	}
	why := ""
	if crlf {
		why = " (eol: crlf ends every line with CR LF)"
	}
	return fmt.Errorf("input.sip: Content-Length is %q, but the body has %d bytes after the eol conversion%s; write %d, or add the key content-length: as-written to test a message whose length is wrong", value, len(body), why, len(body))
}

// splitHead cuts a message at the empty line that ends its headers.
func splitHead(msg []byte) (head, body []byte, ok bool) {
	for _, sep := range [][]byte{[]byte("\r\n\r\n"), []byte("\n\n")} {
		if i := bytes.Index(msg, sep); i >= 0 {
			return msg[:i], msg[i+len(sep):], true
		}
	}
	return nil, nil, false
}

// headerValue returns the trimmed value of the first header line with one of the names (in any
// case).
func headerValue(head []byte, names ...string) ([]byte, bool) {
	for _, line := range bytes.Split(head, []byte("\n")) {
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		for _, n := range names {
			if bytes.EqualFold(bytes.TrimSpace(name), []byte(n)) {
				return bytes.TrimSpace(value), true
			}
		}
	}
	return nil, false
}
