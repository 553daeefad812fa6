package reference

// The limits of docs/semantics.md ("What parses", "Output is bounded") and docs/limits.md: a
// message past the parse limits is not parsed; a chain that takes the message past the output
// limits gets nothing, and the message passes unchanged.
const (
	maxSize       = 65535 // a message parsed, a message sent, an expansion, a response
	maxLines      = 1024  // start line, header lines (with continuations), body lines
	maxLineLength = 8192  // a start or header line, continuations included
	maxAudits     = 64    // audit records kept per message
	maxAuditText  = 4 * maxSize
	maxFields     = 64 // the highest DataFileBSearchIndex and {$DataFile.FieldN} (docs/semantics.md §4)
)

// tooLong reports whether a message's start or header lines go past maxLineLength.
func (m *message) tooLong() bool {
	for _, l := range m.lines {
		if l.section != body && len(l.text) > maxLineLength {
			return true
		}
	}
	return false
}

// checkSize notes an overflow when the message is past an output limit; it reports whether the
// message is within them. The spec's engine checks after every edit, and so does this.
func (st *state) checkSize() bool {
	m := st.msg
	if len(m.bytes()) > maxSize || len(m.lines) > maxLines || m.tooLong() {
		st.overflow = true
	}
	return !st.overflow
}

// addAudit keeps an audit record unless it goes past maxAudits, or, for an AUDIT_RECORD, past
// maxAuditText bytes of text in all; such a record is lost and the message goes on.
func (st *state) addAudit(kind, text string) {
	if len(st.res.Audit) == maxAudits || kind == "audit" && st.auditText+len(text) > maxAuditText {
		return
	}
	if kind == "audit" {
		st.auditText += len(text)
	}
	st.res.Audit = append(st.res.Audit, Audit{Kind: kind, Profile: st.prof.ID, Rule: st.rule.Index, Text: text})
}
