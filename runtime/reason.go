package runtime

import "unicode/utf8"

// The reason phrase of a generated response (SMC-SPEC §6, §8; docs/semantics.md "Directives"): a
// RejectCall or BlockMedia directive's value, the text after its first colon with spaces and tabs
// around it trimmed, is the reason phrase of the response; an empty value gives the standard one.
// A value that RFC 3261's Reason-Phrase cannot hold (a line break, a control character, one of
// " # < > [ \ ] ^ ` { | }, a % not followed by two hex digits, bytes that are not UTF-8) is not
// sent: the response gets the standard phrase, and a warning says why. The response is what the
// requester parses, so smc never writes one it could not.

// reasonPhrase appends to dst the reason phrase a directive line gives: its value, or nothing when
// the value is empty or cannot be a Reason-Phrase.
func (m *Machine) reasonPhrase(dst, text []byte) []byte {
	value := directiveValue(text)
	if len(value) == 0 {
		return dst
	}
	if !validReasonPhrase(value) {
		m.badReasonPhrase(text)
		return dst
	}
	return append(dst, value...)
}

// directiveValue is the text after the first colon, spaces and tabs trimmed; empty without a colon.
func directiveValue(text []byte) []byte {
	i := 0
	for i < len(text) && text[i] != ':' {
		i++
	}
	if i == len(text) {
		return nil
	}
	v := text[i+1:]
	v = v[spaceLen(v):]
	for len(v) > 0 && isSpace(v[len(v)-1]) {
		v = v[:len(v)-1]
	}
	return v
}

// validReasonPhrase reports whether v is an RFC 3261 Reason-Phrase: reserved, unreserved and
// escaped characters, SP, HTAB, and UTF-8 beyond ASCII.
func validReasonPhrase(v []byte) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 0x80:
			continue // checked as UTF-8 below
		case c == '%':
			if i+2 >= len(v) || !isHex(v[i+1]) || !isHex(v[i+2]) {
				return false
			}
		case c == '\t', c >= 0x20 && c < 0x7f && !isReasonExcluded(c):
		default:
			return false
		}
	}
	return utf8.Valid(v)
}

// isReasonExcluded reports the printable ASCII characters a Reason-Phrase cannot hold: neither
// reserved nor unreserved.
func isReasonExcluded(c byte) bool {
	switch c {
	case '"', '#', '<', '>', '[', '\\', ']', '^', '`', '{', '|', '}':
		return true
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// badReasonPhrase warns that a directive's value was not used as the reason phrase.
func (m *Machine) badReasonPhrase(text []byte) {
	if m.trace != nil {
		m.trace.note("the directive's value is not a reason phrase (RFC 3261 Reason-Phrase): the standard phrase is used")
	}
	off, keep := m.warningStart()
	if !keep {
		return
	}
	m.warnBuf = append(m.warnBuf, "value of directive line is not a reason phrase, the standard phrase is used: "...)
	m.warnBuf = append(m.warnBuf, text...)
	m.warningEnd(WarnReasonPhrase, off)
}
