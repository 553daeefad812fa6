package runtime

import "github.com/smcproject/smc/runtime/sip"

// The URI parts of a line (the macros of SMC-SPEC §3), found once per line and message. Rules ask
// several macros of one header (the reference chain reads the display name, the user and the host
// of one P-Asserted-Identity, and the user of it and of From again in another profile), and each
// would otherwise read the value again. An entry holds while the message is as it was when the
// entry was made: any edit can renumber or rewrite lines, so it makes every entry stale.

// lineParts are the parts of one line's text[from:to], found during run number run after the
// message's edits-th edit.
type lineParts struct {
	run, edits int
	from, to   int
	parts      sip.Parts
}

// partsOf returns the parts of line i, whose text is text: those of the header value or body line
// value text[from:to], or of the start line's Request-URI.
func (m *Machine) partsOf(i int, text []byte, from, to int) *sip.Parts {
	for i >= len(m.parts) {
		m.parts = append(m.parts, lineParts{})
	}
	p := &m.parts[i]
	if p.run == m.runs && p.edits == m.msg.Edits() && p.from == from && p.to == to {
		return &p.parts
	}
	p.run, p.edits, p.from, p.to = m.runs, m.msg.Edits(), from, to
	if i == 0 {
		p.parts.ReadRequestURI(text)
	} else {
		p.parts.ReadHeader(text[from:to], from)
	}
	return &p.parts
}
