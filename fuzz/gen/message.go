package gen

import (
	"fmt"
	"strings"
)

// Messages (SMC-SPEC §2): requests and responses with the usual headers in their long, compact
// and case-varied forms, repeated and folded headers, directive lines from the peer, an SDP body
// or none, CRLF or LF endings (now and then mixed), a Content-Length that is right, absent, too
// small or too large, and now and then bytes that are not SIP at all.

// uriHeaders are the groups of headerForms whose values are name-addrs.
var uriHeaders = map[string]bool{"From": true, "To": true, "Contact": true, "P-Asserted-Identity": true,
	"Refer-To": true, "Referred-By": true, "Route": true, "Record-Route": true, "Diversion": true}

var requestURIs = []string{"sip:bob@example.com", "sip:+18005551234@192.0.2.10:5060;user=phone", "sips:[2001:db8::1]:5061",
	"tel:+15551234", "sip:alice:pw@host;transport=udp?x=y", "sip:18665551000@192.168.0.10", "sip:é@example.com"}

// msgWriter writes a message's lines with their endings.
type msgWriter struct {
	*source
	b   strings.Builder
	eol string
}

// line writes one line; one time in twenty it gets the other line ending.
func (w *msgWriter) line(text string) {
	w.b.WriteString(text)
	eol := w.eol
	if w.chance(20) {
		eol = map[string]string{"\r\n": "\n", "\n": "\r\n"}[eol]
	}
	w.b.WriteString(eol)
}

func (s *source) message() []byte {
	if s.chance(24) {
		return s.garbage()
	}
	w := &msgWriter{source: s, eol: pick(s, []string{"\r\n", "\r\n", "\n"})}
	method := pick(s, methods)
	w.line(s.startLine(method))
	body := s.body(w.eol)
	var ctype string
	if s.chance(3) {
		body, ctype = s.xmlBody(w.eol)
	}
	headers := s.headers(method)
	if ctype != "" {
		at := s.intn(len(headers) + 1)
		headers = append(headers[:at], append([]string{"Content-Type: " + ctype}, headers[at:]...)...)
	}
	if cl, ok := s.contentLength(len(body)); ok {
		at := s.intn(len(headers) + 1)
		headers = append(headers[:at], append([]string{cl}, headers[at:]...)...)
	}
	for _, h := range headers {
		w.line(h)
	}
	if !s.chance(32) { // without the empty line the message does not parse
		w.b.WriteString(w.eol)
	}
	w.b.WriteString(body)
	return []byte(w.b.String())
}

// garbage is up to 64 bytes of 7-bit text: not SIP, or SIP only by accident.
func (s *source) garbage() []byte {
	b := make([]byte, s.intn(65))
	for i := range b {
		b[i] = s.byte() & 0x7f
	}
	return b
}

func (s *source) startLine(method string) string {
	version := "SIP/2.0"
	if s.chance(10) {
		version = "sip/2.0"
	}
	switch k := s.intn(20); {
	case k < 12:
		return method + " " + pick(s, requestURIs) + " " + version
	case k < 19:
		line := fmt.Sprintf("%s %d", version, pick(s, codes))
		if r := pick(s, reasons); r != "" {
			line += " " + r
		}
		return line
	}
	return pick(s, []string{"INVITE sip:x SIP/3.0", "SIP/2.0 99 Low", "INVITE  sip:x SIP/2.0", "HELLO", "SIP/2.0 700 x"})
}

// headers are the transaction headers (usually) and up to eight others, in shuffled order.
func (s *source) headers(method string) []string {
	var out []string
	if !s.chance(4) {
		for _, g := range [][]string{headerForms[2], headerForms[0], headerForms[1], headerForms[3], headerForms[5]} {
			out = append(out, s.header(g, method))
		}
	}
	for n := s.intn(9); n > 0; n-- {
		g := pick(s, headerForms)
		if g[0] == "Content-Length" {
			continue // contentLength decides about it
		}
		at := s.intn(len(out) + 1)
		out = append(out[:at], append([]string{s.header(g, method)}, out[at:]...)...)
	}
	if s.chance(16) {
		out = append(out, fmt.Sprintf("Sansay-SMC-RejectCall%d: from the peer", pick(s, []int{403, 486, 700})))
	}
	return out
}

// header writes one header line of a group: any form of its name, any spacing around the colon,
// a value that fits it, and sometimes a continuation line.
func (s *source) header(group []string, method string) string {
	name := pick(s, group)
	var value string
	switch {
	case uriHeaders[group[0]]:
		value = pick(s, uriValues)
	case group[0] == "CSeq":
		value = fmt.Sprintf("%d %s", s.intn(1000), method)
	default:
		value = pick(s, plainValues)
	}
	line := name + pick(s, []string{": ", ":", " : ", "\t: ", ":  "}) + value
	if s.chance(10) {
		line += pick(s, []string{"\r\n", "\n"}) + pick(s, []string{"\t", " ", "  "}) + pick(s, []string{"more", ";p=1", ""})
	}
	return line
}

// body is SDP, or nothing; its last line sometimes has no line ending.
func (s *source) body(eol string) string {
	if s.chance(2) {
		return ""
	}
	var b strings.Builder
	n := s.between(1, 8)
	for i := 0; i < n; i++ {
		b.WriteString(pick(s, sdpLines))
		if i < n-1 || !s.chance(4) {
			b.WriteString(eol)
		}
	}
	return b.String()
}

// contentLength is the header for a body of n bytes: right, missing, too small (extra bytes are
// kept) or too large (the message does not parse).
func (s *source) contentLength(n int) (string, bool) {
	switch k := s.intn(8); {
	case k == 0 || k == 1:
		return "", false
	case k == 6 && n > 0:
		n -= s.between(1, n)
	case k == 7:
		n++
	}
	return fmt.Sprintf("%s%s%d%s", pick(s, []string{"Content-Length", "l", "content-length"}),
		pick(s, []string{": ", ":", " :  "}), n, pick(s, []string{"", " "})), true
}
