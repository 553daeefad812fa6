package runtime

import (
	"errors"

	"github.com/smcproject/smc/runtime/sipmsg"
)

// Limits on what the Machine makes of one message. A chain can make a message grow without bound
// (APPEND_LINES on every line, a FINDSUB whose Output is longer than what it replaces, an Output
// that repeats a variable), and a hostile message can choose how much text the variables copy. The
// Machine holds everything it produces to these limits, checked as it goes, so that its memory and
// work per message stay bounded whatever the chain and the message. docs/limits.md lists every
// limit of the project.
const (
	// MaxOutputSize is the largest message the Machine sends, the largest expansion of an Output,
	// RightOperand or CONDITION_LITERAL Header, and the largest reject response: the largest
	// message it parses (a UDP payload cannot be larger, and a rewritten TCP segment must still
	// fit a packet). A chain that goes past it gets nothing: the message passes unchanged, never
	// cut short, with Result.Overflow set, and the daemon counts it (output_too_large). The
	// Machine checks the message's size after each edit, which costs a comparison.
	MaxOutputSize = sipmsg.MaxMessageSize

	// MaxAuditRecords is the most audit records (AUDIT_RECORD and DROP_MSG_RECORD) one message
	// produces. A record is a side effect, not the message: one past the limit is lost and
	// counted (Result.AuditLost, smc_audit_records_total{result="lost_too_large"}), and the
	// message carries on. The guide's chains write one or two per message.
	MaxAuditRecords = 64

	// MaxAuditText bounds the text of a message's AUDIT_RECORD records together (a
	// DROP_MSG_RECORD's text is the received message, which is not copied). A record whose text
	// would go past it is lost and counted as above. Four records of the largest message fit; the
	// daemon's 16 MiB audit buffer then holds the records of at least 64 messages.
	MaxAuditText = 4 * MaxOutputSize

	// MaxWarnings is the most warnings (unknown directive lines removed, SDP sections an edit
	// would have emptied, RejectCall values that are no reason phrase) kept for one message;
	// later ones are not recorded, though what they report still happens. A warning is for an
	// operator reading `smcc run`; a hundred of them say no more than sixteen.
	MaxWarnings = 16

	// MaxTraceBytes bounds the trace (`smcc run --trace`) of one message. The demo's trace is
	// 2 KB; a trace that quotes every line of a 64 KiB message for every condition would run to
	// gigabytes. Past the limit the trace says it was cut, and the message is processed as
	// without a trace.
	MaxTraceBytes = 1 << 20
)

// Errors for Result.Overflow. They are preallocated so the packet path never formats a string.
var (
	ErrOutputTooLarge    = errors.New("the rules would make the message longer than 65535 bytes")
	ErrExpansionTooLarge = errors.New("an expanded Output, RightOperand or literal Header would be longer than 65535 bytes")
	ErrResponseTooLarge  = errors.New("the reject response would be longer than 65535 bytes")
	// The message the Machine sends is one it would parse: the edits are held to the parse limits
	// on lines too.
	ErrOutputTooManyLines = errors.New("the rules would give the message more than 1024 lines")
	ErrOutputLineTooLong  = errors.New("the rules would write a start or header line longer than 8192 bytes")
)

// fail records that the message went past an output limit: the rules stop, and finish discards
// what they did. The first limit reached is the one reported.
func (m *Machine) fail(err error) {
	if m.overflow != nil {
		return
	}
	m.overflow = err
	m.decided()
	if m.trace != nil {
		m.trace.printf("    limit: %v; the message passes unchanged\n", err)
	}
}

// checkSize holds the message after an edit to MaxOutputSize and to the parse limits on lines
// (sipmsg.MaxLines, sipmsg.MaxLineLength), so that what the Machine sends is a message it would
// parse; it reports whether the message is within them.
func (m *Machine) checkSize() bool {
	switch {
	case m.msg.Size() > MaxOutputSize:
		m.fail(ErrOutputTooLarge)
	case m.msg.NumLines() > sipmsg.MaxLines:
		m.fail(ErrOutputTooManyLines)
	case m.msg.LongLine():
		m.fail(ErrOutputLineTooLong)
	default:
		return true
	}
	return false
}

// discard makes the result that of a message that went past an output limit: it passes unchanged
// and nothing the rules did (audit records, packet actions, warnings) remains. Program and Rule
// name the rule that went past the limit.
func (m *Machine) discard() {
	m.result = Result{Verdict: Accept, Output: m.in, DSCP: -1, Overflow: m.overflow,
		Audit: m.result.Audit[:0], Warnings: m.result.Warnings[:0], Program: m.result.Program, Rule: m.result.Rule}
}
