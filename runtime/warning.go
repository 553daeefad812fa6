package runtime

// Warnings: what a rule did that the operator should hear about, kept with the message's result
// (at most MaxWarnings of them, in warnBuf) and counted by kind by the daemon.

// WarningKind says what a warning is about, so that the daemon can count warnings by kind.
type WarningKind uint8

const (
	WarnDirective       WarningKind = iota // an unknown directive line was removed (SMC-SPEC §6)
	WarnSDPEmptySection                    // an SDP codec edit would have left an m= line without a format: the section was left unchanged
	WarnReasonPhrase                       // a RejectCall directive's value is not a reason phrase: the standard phrase was used
	NumWarningKinds                        // the number of kinds, for arrays
)

var warningKindNames = [NumWarningKinds]string{"unknown_directive", "sdp_empty_section", "reason_phrase"}

func (k WarningKind) String() string { return warningKindNames[k] }

type warnSpan struct {
	profile int64
	rule    int
	kind    WarningKind
	off, n  int
}

// warningStart returns where the text of a new warning starts in warnBuf, and false when the
// message already has MaxWarnings warnings and the new one is not kept.
func (m *Machine) warningStart() (int, bool) {
	return len(m.warnBuf), len(m.warns) < MaxWarnings
}

// warningEnd keeps the warning whose text was appended to warnBuf from off on.
func (m *Machine) warningEnd(kind WarningKind, off int) {
	m.warns = append(m.warns, warnSpan{profile: m.prog.ID, rule: m.rule, kind: kind, off: off, n: len(m.warnBuf) - off})
}
