package runtime

import (
	"bytes"

	"github.com/smcproject/smc/runtime/sip"
	"github.com/smcproject/smc/runtime/sipmsg"
)

// Directives (SMC-SPEC §6): lines whose name starts with Sansay-SMC- are never sent. After each
// rule in scope they are removed, and the first one in message order that is a known directive
// decides: RejectCallNNN rejects the request with NNN, BlockMedia with 488.

// directives removes the directive lines and acts on them. It reports whether the message was
// rejected or dropped, which ends processing.
func (m *Machine) directives() bool {
	code := 0
	for i := 0; i < m.msg.Len(); {
		if !m.msg.Line(i).Directive {
			i++
			continue
		}
		text := m.msg.Text(i)
		c := directiveCode(directiveName(text))
		switch {
		case c == 0:
			m.addWarning(text)
		case code == 0:
			code = c
			m.reason = m.reasonPhrase(m.reason[:0], text)
		}
		if m.trace != nil {
			m.trace.printf("    directive %q (msg:%d) removed\n", text, m.msg.PhysicalLine(i))
		}
		m.msg.DeleteLine(i)
	}
	if code == 0 {
		return false
	}
	m.reject(code)
	return true
}

// directiveName is the text before the first colon, trimmed.
func directiveName(text []byte) []byte {
	if i := bytes.IndexByte(text, ':'); i >= 0 {
		text = text[:i]
	}
	return bytes.TrimSpace(text)
}

// directiveCode returns the status code a directive asks for, or 0 for an unknown directive.
func directiveCode(name []byte) int {
	const reject = "Sansay-SMC-RejectCall"
	if sip.EqualFold(name, "Sansay-SMC-BlockMedia") {
		return 488
	}
	if len(name) != len(reject)+3 || !sipmsg.HasPrefixFold(name, reject) {
		return 0
	}
	d := name[len(reject):]
	if d[0] < '0' || d[0] > '9' || d[1] < '0' || d[1] > '9' || d[2] < '0' || d[2] > '9' {
		return 0
	}
	code := int(d[0]-'0')*100 + int(d[1]-'0')*10 + int(d[2]-'0')
	if code < 400 || code > 699 {
		return 0
	}
	return code
}

// reject ends the message with a generated response; a response or an ACK cannot be answered
// and is dropped instead.
func (m *Machine) reject(code int) {
	m.decided()
	if m.msg.Kind != sipmsg.StartRequest || string(m.msg.Method()) == "ACK" {
		m.result.Verdict = Drop
		m.trace.note("a response or an ACK cannot be rejected: verdict drop")
		return
	}
	m.result.Verdict, m.result.Code = Reject, code
	m.resp = m.buildResponse(m.resp[:0], code, m.reason)
	m.result.Response = m.resp
	if len(m.resp) > MaxOutputSize {
		m.fail(ErrResponseTooLarge)
		return
	}
	if m.trace != nil {
		m.trace.printf("    verdict reject %d\n", code)
	}
}

// buildResponse writes the response of SMC-SPEC §8, from the request as it was received, with
// reason as its reason phrase, or the standard one when reason is empty.
func (m *Machine) buildResponse(dst []byte, code int, reason []byte) []byte {
	req := &m.orig
	if req.Parse(m.in, m.chain.names) != nil {
		req = &m.msg // cannot happen: the same bytes parsed before
	}
	dst = append(dst, "SIP/2.0 "...)
	dst = appendInt(dst, code)
	dst = append(dst, ' ')
	switch std := sip.Reason(code); {
	case len(reason) > 0:
		dst = append(dst, reason...)
	case std != "":
		dst = append(dst, std...)
	default:
		dst = append(dst, "Rejected"...)
	}
	dst = append(dst, "\r\n"...)
	for i := 1; i < req.BodyStart(); i++ {
		if req.Line(i).Name == sipmsg.IDVia {
			dst = appendHeader(dst, "Via", req.Value(i))
		}
	}
	dst = appendFirst(dst, req, sipmsg.IDFrom, "From")
	if i := req.Find(sipmsg.IDTo); i >= 0 {
		dst = appendHeader(dst, "To", req.Value(i))
		if _, _, ok := sip.HeaderParam(req.Value(i), "tag"); !ok {
			dst = dst[:len(dst)-2]
			dst = append(dst, ";tag=smc"...)
			dst = appendHex32(dst, toTag(req))
			dst = append(dst, "\r\n"...)
		}
	}
	dst = appendFirst(dst, req, sipmsg.IDCallID, "Call-ID")
	dst = appendFirst(dst, req, sipmsg.IDCSeq, "CSeq")
	return append(dst, "Content-Length: 0\r\n\r\n"...)
}

func appendFirst(dst []byte, req *sipmsg.Message, id uint16, name string) []byte {
	if i := req.Find(id); i >= 0 {
		return appendHeader(dst, name, req.Value(i))
	}
	return dst
}

func appendHeader(dst []byte, name string, value []byte) []byte {
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	dst = append(dst, value...)
	return append(dst, "\r\n"...)
}

// toTag is the 32-bit FNV-1a hash of the Call-ID value, a zero byte and the From tag, so that a
// retransmitted request gets the same tag.
func toTag(req *sipmsg.Message) uint32 {
	var callID, fromTag []byte
	if i := req.Find(sipmsg.IDCallID); i >= 0 {
		callID = req.Value(i)
	}
	if i := req.Find(sipmsg.IDFrom); i >= 0 {
		v := req.Value(i)
		if s, e, ok := sip.HeaderParam(v, "tag"); ok {
			fromTag = v[s:e]
		}
	}
	h := fnv1a(2166136261, callID)
	h = fnv1a(h, []byte{0})
	return fnv1a(h, fromTag)
}

func fnv1a(h uint32, b []byte) uint32 {
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}

func appendHex32(dst []byte, v uint32) []byte {
	const hex = "0123456789abcdef"
	for shift := 28; shift >= 0; shift -= 4 {
		dst = append(dst, hex[v>>uint(shift)&0xf])
	}
	return dst
}

// addWarning records an unknown directive line that was removed.
func (m *Machine) addWarning(text []byte) {
	off, keep := m.warningStart()
	if !keep {
		return
	}
	m.warnBuf = append(m.warnBuf, "removed unknown directive line: "...)
	m.warnBuf = append(m.warnBuf, text...)
	m.warningEnd(WarnDirective, off)
}
