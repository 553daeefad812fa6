package runtime

import (
	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/runtime/isup"
	"github.com/smcproject/smc/runtime/mime"
	"github.com/smcproject/smc/runtime/sip"
	"github.com/smcproject/smc/runtime/sipmsg"
)

// What the body is, beyond its lines: its MIME parts and its ISUP message. Both are read from the
// message as received (its Content-Type value and its body before any rule ran), at most once per
// message and only when a rule asks: {$ISUP.*} decodes the IAM (SMC-SPEC §4), and a
// BODY_SECTION_ONLY selector in a multipart body reads the parts (docs/semantics.md). Neither
// allocates: both keep spans of the received message.

// MaxTextParts bounds the text parts remembered of a multipart body, so that the Machine holds
// them in a fixed array. SIP-I and SIP-T bodies have two parts, SDP and ISUP, and RFC 5621's
// bodies a handful; the lines of a text part past this many are never selected, as though it
// were binary.
const MaxTextParts = 32

// bodyView is the Machine's reading of the received body.
type bodyView struct {
	ctype, body []byte // the received Content-Type value (nil when none) and body

	isupRun int // the run the IAM was decoded in; the IAM is stale when it is not m.runs
	iam     isup.IAM

	mimeRun   int  // likewise for the parts
	multipart bool // a multipart body read to its close delimiter: only text parts' lines are selected
	nText     int
	text      [MaxTextParts][2]int // the content of each text part, as offsets in body
	textEnd   int                  // where the delimiter line after the first text part starts
}

// receive records where the received message's Content-Type and body are, right after parsing.
func (m *Machine) receive() {
	m.bv.ctype, m.bv.body = nil, m.msg.ReceivedBody()
	if i := m.msg.Find(sipmsg.IDContentType); i >= 0 {
		m.bv.ctype = m.msg.Value(i)
	}
}

// iam returns the message's IAM, decoding it the first time a rule of this message asks.
func (m *Machine) iam() *isup.IAM {
	if m.bv.isupRun != m.runs {
		m.bv.isupRun = m.runs
		b, err := m.bv.iam.DecodeBody(m.bv.ctype, m.bv.body)
		if m.trace != nil {
			for _, l := range isup.View(b, &m.bv.iam, err) {
				m.trace.printf("    isup: %s\n", l)
			}
		}
	}
	return &m.bv.iam
}

// appendISUP appends an {$ISUP.*} variable's value.
func (m *Machine) appendISUP(dst []byte, r compile.Reserved) []byte {
	d := m.iam()
	switch r {
	case compile.ResISUPIsPresent:
		if d.Present() {
			return append(dst, '1')
		}
		return append(dst, '0')
	case compile.ResISUPNCI:
		return d.AppendNCI(dst)
	case compile.ResISUPFCI:
		return d.AppendFCI(dst)
	case compile.ResISUPCPC:
		return d.AppendCPC(dst)
	case compile.ResISUPCPN:
		return d.Calling.AppendDigits(dst)
	case compile.ResISUPCdPN:
		return d.Called.AppendDigits(dst)
	case compile.ResISUPJIP:
		return d.JIP.AppendDigits(dst)
	case compile.ResISUPOLI:
		return d.AppendOLI(dst)
	}
	return dst
}

// readParts reads the received body's MIME parts the first time a body selector of this message
// runs. A body is read as multipart when its Content-Type is multipart/* and it can be read to
// its close delimiter; any other body, a damaged multipart one included, is one text.
func (m *Machine) readParts() {
	if m.bv.mimeRun == m.runs {
		return
	}
	m.bv.mimeRun, m.bv.multipart, m.bv.nText = m.runs, false, 0
	boundary, ok := mime.Multipart(m.bv.ctype)
	if !ok {
		return
	}
	r := mime.NewReader(m.bv.body, boundary)
	var p mime.Part
	for r.Next(&p) {
		if !textPart(&p) || m.bv.nText == MaxTextParts {
			continue
		}
		if m.bv.nText == 0 {
			m.bv.textEnd = afterLineBreak(m.bv.body, p.End)
		}
		m.bv.text[m.bv.nText] = [2]int{p.Content, p.End}
		m.bv.nText++
	}
	m.bv.multipart = r.Err() == nil
}

// afterLineBreak returns where the line starts whose line break (RFC 2046: the delimiter's) starts
// at end.
func afterLineBreak(body []byte, end int) int {
	switch {
	case end < len(body) && body[end] == '\n':
		return end + 1
	case end+1 < len(body) && body[end] == '\r' && body[end+1] == '\n':
		return end + 2
	}
	return end
}

// textPart reports whether a body part holds text lines that BODY_SECTION_ONLY selects: any part
// but the binary ones, which are application/ISUP and application/QSIG (RFC 3204) and a part
// whose Content-Transfer-Encoding is binary.
func textPart(p *mime.Part) bool {
	switch {
	case mime.Is(p.Type, "application", "isup"), mime.Is(p.Type, "application", "qsig"):
		return false
	case p.Encoding != nil && sip.EqualFold(p.Encoding, "binary"):
		return false
	}
	return true
}

// bodySelectable reports whether body line i may be selected: in a multipart body, a line of a
// text part's content, or a line a rule wrote (which only ever lands in a text part); never a
// delimiter line, a part's header line, the preamble, the epilogue or a binary part.
func (m *Machine) bodySelectable(i int) bool {
	m.readParts()
	if !m.bv.multipart {
		return true
	}
	off, received := m.msg.BodyOffset(i)
	if !received {
		return true
	}
	for _, t := range m.bv.text[:m.bv.nText] {
		if t[0] <= off && off < t[1] {
			return true
		}
	}
	return false
}

// bodyEnd returns where an ADD_LINE in BODY_SECTION_ONLY that finds no line adds its lines: the
// end of the body, or in a multipart body with a text part right before the delimiter line that
// ends the first text part (SIP-I's SDP). Delimiter lines are never edited, so that line is still
// the received one.
func (m *Machine) bodyEnd() int {
	end := m.msg.Len()
	m.readParts()
	if !m.bv.multipart || m.bv.nText == 0 {
		return end
	}
	for i := m.msg.BodyStart(); i < end; i++ {
		if off, ok := m.msg.BodyOffset(i); ok && off >= m.bv.textEnd {
			return i
		}
	}
	return end
}
