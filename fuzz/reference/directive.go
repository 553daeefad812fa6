package reference

import (
	"fmt"
	"hash/fnv"
	"strings"
	"unicode/utf8"
)

// Directives (SMC-SPEC §6) and the response a reject generates (SMC-SPEC §8).

const directivePrefix = "sansay-smc-"

// isDirective: a header line whose name starts with Sansay-SMC-, or a body line that does.
func isDirective(l line) bool {
	switch l.section {
	case header:
		return strings.HasPrefix(lowerASCII(headerName(l.text)), directivePrefix)
	case body:
		return strings.HasPrefix(lowerASCII(l.text), directivePrefix)
	}
	return false
}

// directives removes every directive line and acts on the first known one in message order
// (docs/semantics.md "Directives"). It reports whether the message was rejected or dropped.
func (st *state) directives() bool {
	code, reason := 0, ""
	for i := 0; i < len(st.msg.lines); {
		if !isDirective(st.msg.lines[i]) {
			i++
			continue
		}
		if c := directiveCode(st.msg.lines[i].text); code == 0 {
			code, reason = c, reasonPhrase(st.msg.lines[i].text)
		}
		st.delete(i)
	}
	if code == 0 {
		return false
	}
	st.reject(code, reason)
	return true
}

// reasonPhrase is the reason phrase a directive line gives (SMC-SPEC §6, docs/semantics.md
// "Directives"): the text after its first colon with spaces and tabs trimmed, when that is an RFC
// 3261 Reason-Phrase; "" (the standard phrase) otherwise.
func reasonPhrase(text string) string {
	_, value, found := strings.Cut(text, ":")
	value = strings.Trim(value, " \t")
	if !found || !isReasonPhrase(value) {
		return ""
	}
	return value
}

// isReasonPhrase follows RFC 3261 §25.1: Reason-Phrase = *(reserved / unreserved / escaped /
// UTF8-NONASCII / UTF8-CONT / SP / HTAB), the UTF-8 read as valid UTF-8.
func isReasonPhrase(v string) bool {
	const reserved = ";/?:@&=+$,"
	const mark = "-_.!~*'()"
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 0x80, c == ' ', c == '\t', isAlnum(c), strings.IndexByte(reserved+mark, c) >= 0:
		case c == '%' && i+2 < len(v) && isHexDigit(v[i+1]) && isHexDigit(v[i+2]):
			i += 2
		default:
			return false
		}
	}
	return utf8.ValidString(v)
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) }

func isHexDigit(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// directiveCode is the status code a directive line asks for, 0 for an unknown directive. Its
// name is the text before the first colon, trimmed.
func directiveCode(text string) int {
	name, _, _ := strings.Cut(text, ":")
	name = lowerASCII(strings.TrimSpace(name))
	if name == directivePrefix+"blockmedia" {
		return 488
	}
	digits, ok := strings.CutPrefix(name, directivePrefix+"rejectcall")
	if !ok || len(digits) != 3 || !isDigit(digits[0]) || !isDigit(digits[1]) || !isDigit(digits[2]) {
		return 0
	}
	code := int(digits[0]-'0')*100 + int(digits[1]-'0')*10 + int(digits[2]-'0')
	if code < 400 || code > 699 {
		return 0
	}
	return code
}

// reject ends the message with a generated response whose reason phrase is reason, or the
// standard one when it is ""; a response or an ACK is dropped instead.
func (st *state) reject(code int, reason string) {
	if st.msg.kind() != request || st.msg.method() == "ACK" {
		st.res.Verdict = "drop"
		return
	}
	st.res.Verdict, st.res.Code = "reject", code
	if st.res.Response = buildResponse(st.orig, code, reason); len(st.res.Response) > maxSize {
		st.overflow = true
	}
}

// buildResponse writes the response of SMC-SPEC §8 to the request as it was received
// (docs/semantics.md "Generated responses"), with CRLF line endings.
func buildResponse(received *message, code int, reason string) []byte {
	if reason == "" {
		reason = reasons[code]
	}
	if reason == "" {
		reason = "Rejected"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 %d %s\r\n", code, reason)
	for i, l := range received.lines {
		if l.section == header && canonical(headerName(l.text)) == "via" {
			b.WriteString("Via: " + received.value(i) + "\r\n")
		}
	}
	first := func(name string) (string, bool) {
		if i := received.find(name); i >= 0 {
			return received.value(i), true
		}
		return "", false
	}
	if v, ok := first("from"); ok {
		b.WriteString("From: " + v + "\r\n")
	}
	if v, ok := first("to"); ok {
		if _, tagged := headerParam(v, "tag"); !tagged {
			v += fmt.Sprintf(";tag=smc%08x", toTag(received))
		}
		b.WriteString("To: " + v + "\r\n")
	}
	for _, name := range []string{"Call-ID", "CSeq"} {
		if v, ok := first(name); ok {
			b.WriteString(name + ": " + v + "\r\n")
		}
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	return []byte(b.String())
}

// toTag is the 32-bit FNV-1a hash of the Call-ID value, a zero byte and the From tag; an absent
// header or tag counts as empty.
func toTag(received *message) uint32 {
	callID, fromTag := "", ""
	if i := received.find("call-id"); i >= 0 {
		callID = received.value(i)
	}
	if i := received.find("from"); i >= 0 {
		fromTag, _ = headerParam(received.value(i), "tag")
	}
	h := fnv.New32a()
	h.Write([]byte(callID + "\x00" + fromTag))
	return h.Sum32()
}

// headerParam finds a header parameter of a name-addr or addr-spec value: the parameters after
// the '>', or after the addr-spec, which ends at the first ';'. Names compare case-insensitively.
func headerParam(v, name string) (string, bool) {
	var rest string
	if lt, gt := angleBrackets(v); lt >= 0 {
		rest = v[gt+1:]
	} else if i := strings.IndexByte(v, ';'); i >= 0 {
		rest = v[i:]
	}
	params := strings.Split(rest, ";")
	for _, p := range params[1:] {
		n, val, _ := strings.Cut(p, "=")
		if equalFold(strings.Trim(n, " \t\r\n"), name) {
			return strings.Trim(val, " \t\r\n"), true
		}
	}
	return "", false
}

// reasons are the standard reason phrases: those of RFC 3261 §21, RFC 8197 and RFC 8688, and of
// the other RFCs in the IANA SIP response code registry (docs/semantics.md "Generated
// responses"). Written from the RFCs, not from the engine's table.
var reasons = map[int]string{
	400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
	405: "Method Not Allowed", 406: "Not Acceptable", 407: "Proxy Authentication Required",
	408: "Request Timeout", 410: "Gone", 412: "Conditional Request Failed", 413: "Request Entity Too Large",
	414: "Request-URI Too Long", 415: "Unsupported Media Type", 416: "Unsupported URI Scheme",
	417: "Unknown Resource-Priority", 420: "Bad Extension", 421: "Extension Required",
	422: "Session Interval Too Small", 423: "Interval Too Brief", 424: "Bad Location Information",
	425: "Bad Alert Message", 428: "Use Identity Header", 429: "Provide Referrer Identity",
	430: "Flow Failed", 433: "Anonymity Disallowed", 436: "Bad Identity Info",
	437: "Unsupported Credential", 438: "Invalid Identity Header", 439: "First Hop Lacks Outbound Support",
	440: "Max-Breadth Exceeded", 469: "Bad Info Package", 470: "Consent Needed",
	480: "Temporarily Unavailable", 481: "Call/Transaction Does Not Exist", 482: "Loop Detected",
	483: "Too Many Hops", 484: "Address Incomplete", 485: "Ambiguous", 486: "Busy Here",
	487: "Request Terminated", 488: "Not Acceptable Here", 489: "Bad Event", 491: "Request Pending",
	493: "Undecipherable", 494: "Security Agreement Required",
	500: "Server Internal Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
	504: "Server Time-out", 505: "Version Not Supported", 513: "Message Too Large",
	555: "Push Notification Service Not Supported", 580: "Precondition Failure",
	600: "Busy Everywhere", 603: "Decline", 604: "Does Not Exist Anywhere", 606: "Not Acceptable",
	607: "Unwanted", 608: "Rejected",
}
