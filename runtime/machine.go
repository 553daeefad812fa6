package runtime

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/match"
	"github.com/smcproject/smc/runtime/sipmsg"
)

// Transport is the transport a message came over.
type Transport uint8

const (
	UDP Transport = iota // the message came in a UDP datagram
	TCP                  // the message came in a TCP segment
)

func (t Transport) String() string {
	if t == TCP {
		return "TCP"
	}
	return "UDP"
}

// Env is what a message's packet says about it, and what fixes the reserved variables that
// would otherwise vary (for tests and `smcc run --time/--rand`).
type Env struct {
	Remote, Local netip.AddrPort
	Transport     Transport
	Now           time.Time // zero: the clock, read when {$SMC.Date} is first used
	Rand          int       // 0: random draws; otherwise every {$SMC.RandN} is this
}

// Verdict is what happens to the message.
type Verdict uint8

const (
	Accept   Verdict = iota // unchanged
	Modified                // sent as Result.Output
	Drop                    // nothing is sent on
	Reject                  // dropped, and Result.Response goes back to the requester
)

var verdictNames = [...]string{"accept", "modified", "drop", "reject"}

func (v Verdict) String() string { return verdictNames[v] }

// Result is the outcome of one message. It belongs to the Machine and stays valid until the
// Machine's next Run, provided the input is not changed.
type Result struct {
	Verdict  Verdict
	Code     int    // Reject: the status code
	Output   []byte // Accept: the input; Modified: the new message
	Response []byte // Reject: the generated response
	DSCP     int    // -1: not set by any rule
	Mark     uint32
	HasMark  bool
	Audit    []AuditRecord
	Warnings []Warning
	// ParseError says why the message was not parsed as SIP; the verdict is then Accept.
	ParseError error
	// Overflow says why the rules' result was thrown away: it went past one of the output
	// limits (limits.go: ErrOutputTooLarge, ErrExpansionTooLarge, ErrResponseTooLarge). The
	// verdict is then Accept, Output is the input, and nothing else the rules did remains.
	Overflow error
	// AuditLost counts the audit records of the message that were not kept because they went
	// past MaxAuditRecords or MaxAuditText.
	AuditLost int
	// Program and Rule name the rule behind the verdict, for counting verdicts by rule: the
	// rule that dropped or rejected the message, or the last rule that edited it. Program is
	// the index of the profile in the chain; both are -1 for a message no rule acted on.
	Program, Rule int
}

// A Warning is something a rule did that the operator should hear about, such as an unknown
// directive line removed.
type Warning struct {
	Profile int64
	Rule    int
	Kind    WarningKind
	Text    []byte
}

// A Machine runs a Chain on one message at a time. It is not safe for concurrent use: each worker
// owns one and reuses it, so its buffers are allocated once and then only truncated.
type Machine struct {
	// The fields every message and nearly every rule touch come first, together, so that they
	// span as few cache lines as they can; what only some rules use (the reject's copy of the
	// message, the SDP and XML views, dates, capture groups) comes after the message and its body
	// view. Put a new field in the group its use belongs to.

	chain *Chain

	prog      *compile.Program
	progIndex int // of prog in the chain
	ids       []uint16
	consts    []constBytes
	rule      int
	flag      bool
	row       int // selected data file row of the current rule, or -1
	rowTable  *compile.Table

	overflow error // the output limit the message went past (limits.go)

	in    []byte
	env   *Env
	runs  int // messages run, which tells the parts of one message from another's
	trace *tracer

	vals  [][]byte    // by variable slot; each keeps its buffer, so memory is bounded per slot
	parts []lineParts // by line (parts.go)

	bodySel  *compile.Selector // the body selector bodyTest was made for (select.go)
	bodyTest prefixTest

	opBuf   []byte
	foldL   []byte // I_CONTAINS operands folded to lower case (cond.go)
	foldR   []byte
	litBuf  []byte
	outBuf  []byte
	editBuf []byte
	locs    []int
	out     []byte

	auditBuf   []byte
	audits     []auditSpan
	warnBuf    []byte
	warns      []warnSpan
	matchStats match.Stats // this Machine's searches, for Stats
	result     Result

	msg sipmsg.Message
	bv  bodyView // the received body's MIME parts and IAM (body.go)

	date          []byte
	hasDate       bool // date holds this message's time
	dateFormatted bool
	dateSec       int64  // the second date was formatted for
	rand          [3]int // drawn Rand1000, Rand10000, Rand100000; 0 until drawn
	rng           *rand.Rand

	// The current match of a FINDSUB or FINDINSERT whose Output names {$0} ... {$9} (action.go):
	// groups holds its spans in groupText, as match.Matcher.FindGroups gives them; nil outside a
	// match, where every group expands to nothing. locs2 holds RegEx2's match inside RegEx1's.
	groupText []byte
	groups    []int
	locs2     []int

	resp   []byte
	reason []byte // the reason phrase a RejectCall directive gave (reason.go)

	sdp   sdpView // where the received body's SDP is (sdp.go)
	mline []byte  // the m= line an SDP definition edits, copied (sdp.go)
	fmts  []int   // the spans of the formats it removes from mline

	orig sipmsg.Message // the received message, re-parsed only to build a reject response
	xv   xmlView        // the received body's XML (xmlbody.go)
}

// NewMachine returns a Machine for chain.
func NewMachine(chain *Chain) *Machine {
	return &Machine{chain: chain, rng: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))}
}

// Stats is what a Machine has counted over the messages it has run.
type Stats struct {
	// RegexFallbacks is the number of searches of a sequence pattern that went to RE2
	// (match.Stats): text with a byte from 0x80 on, or a search past its linear budget. Such a
	// search allocates, as every RE2 search does.
	RegexFallbacks uint64
}

// Stats returns the Machine's counts since NewMachine. Like Run, it belongs to the Machine's
// worker: the counts are plain fields, kept per Machine so that the shared Program holds none.
func (m *Machine) Stats() Stats {
	return Stats{RegexFallbacks: m.matchStats.RegexFallbacks}
}

// SetTrace makes the Machine write a step-by-step trace of every message to w; nil turns it off.
// Tracing formats text and allocates; it is for `smcc run --trace`, not for the packet path.
func (m *Machine) SetTrace(w io.Writer) {
	if w == nil {
		m.trace = nil
		return
	}
	m.trace = &tracer{w: w}
}

// ruleOutcome is how a rule ended.
type ruleOutcome uint8

const (
	ruleFalse ruleOutcome = iota
	ruleTrue
	ruleBreak // TRUE, and Break: 1
	ruleStop  // the message was dropped or rejected
)

// Run applies the chain to one message.
func (m *Machine) Run(in []byte, env *Env) *Result {
	m.begin(in, env)
	if err := m.msg.Parse(in, m.chain.names); err != nil {
		m.result.ParseError = err
		m.trace.parseError(err)
		return &m.result
	}
	m.receive()
	stopped := false
	for p := range m.chain.Programs {
		if stopped = m.runProfile(p); stopped {
			break
		}
	}
	// A directive line is never sent (SMC-SPEC §6): one that no rule in scope was followed by,
	// such as a line that arrived in a message no rule applies to, is acted on here.
	if !stopped && m.msg.Directives() > 0 && m.prog != nil {
		m.rule = -1
		m.directives()
	}
	m.finish()
	return &m.result
}

func (m *Machine) begin(in []byte, env *Env) {
	m.in, m.env, m.prog, m.overflow = in, env, nil, nil
	m.runs++
	if m.trace != nil {
		m.trace.n, m.trace.cut = 0, false
	}
	m.hasDate, m.rand = false, [3]int{}
	m.auditBuf, m.audits = m.auditBuf[:0], m.audits[:0]
	m.warnBuf, m.warns = m.warnBuf[:0], m.warns[:0]
	m.result = Result{Verdict: Accept, Output: in, DSCP: -1, Audit: m.result.Audit[:0], Warnings: m.result.Warnings[:0], Program: -1, Rule: -1}
}

// runProfile runs one program and reports whether the chain stops (drop or reject).
func (m *Machine) runProfile(p int) bool {
	m.prog, m.ids, m.consts, m.progIndex = m.chain.Programs[p], m.chain.ids[p], m.chain.consts[p], p
	m.resetVars()
	m.trace.profile(m.prog)
	gen := m.msg.StartGen()
	rules := m.dispatch()
	m.trace.scope(m, rules)
	for k := 0; k < len(rules); k++ {
		r := &m.prog.Rules[rules[k]]
		if m.msg.Kind == sipmsg.StartResponse && !methodInScope(&r.Scope, m.msg.CSeqMethod()) {
			continue
		}
		outcome := m.runRule(r)
		if m.overflow != nil {
			return true
		}
		if outcome != ruleStop && m.msg.Directives() > 0 && m.directives() {
			return true
		}
		switch outcome {
		case ruleStop:
			return true
		case ruleBreak:
			if m.trace != nil {
				m.trace.printf("    break: the rest of profile %d is skipped\n", m.prog.ID)
			}
			return false
		}
		if m.msg.StartGen() != gen {
			gen, rules, k = m.msg.StartGen(), m.redispatch(r.Index), -1
		}
	}
	return false
}

func (m *Machine) resetVars() {
	for len(m.vals) < m.prog.NumVars {
		m.vals = append(m.vals, nil)
	}
	for i := range m.prog.NumVars {
		m.vals[i] = m.vals[i][:0]
	}
}

// runRule executes one rule's instructions.
func (m *Machine) runRule(r *compile.Rule) ruleOutcome {
	m.rule, m.row, m.rowTable = r.Index, -1, nil
	m.trace.rule(m, r)
	insts := m.prog.Insts
	for pc := r.Start; pc < r.End && m.overflow == nil; pc++ {
		in := insts[pc]
		switch in.Op {
		case compile.OpSetVar:
			m.setVar(&m.prog.Vars[in.Arg])
		case compile.OpRandomRow:
			m.randomRow(in)
		case compile.OpCond:
			m.flag = m.condition(&m.prog.Conds[in.Arg])
		case compile.OpJumpFalse:
			if !m.flag {
				pc = int(in.Arg) - 1
			}
		case compile.OpJumpTrue:
			if m.flag {
				pc = int(in.Arg) - 1
			}
		case compile.OpTrue:
			m.trace.line("    evaluation = TRUE")
		case compile.OpFalse:
			m.trace.line("    evaluation = FALSE")
			return ruleFalse
		case compile.OpDrop:
			m.drop(false)
			return ruleStop
		case compile.OpDropRecord:
			m.drop(true)
			return ruleStop
		case compile.OpReplace:
			m.replace(&m.prog.Defs[in.Arg])
			if m.msg.Dirty() {
				m.decided()
			}
		case compile.OpBreak:
			return ruleBreak
		case compile.OpEnd:
			return ruleTrue
		}
	}
	return ruleTrue
}

// decided records the current rule as the one behind the verdict.
func (m *Machine) decided() { m.result.Program, m.result.Rule = m.progIndex, m.rule }

func (m *Machine) drop(record bool) {
	m.result.Verdict = Drop
	m.decided()
	if record {
		m.addAudit(AuditDrop, m.in)
	}
	if m.trace != nil {
		m.trace.printf("    action %s: verdict drop\n", map[bool]string{false: "DROP_MSG", true: "DROP_MSG_RECORD"}[record])
	}
}

// finish produces the output of a message that is still to be sent.
func (m *Machine) finish() {
	sent := m.result.Verdict != Drop && m.result.Verdict != Reject
	if sent && m.overflow == nil && m.msg.Dirty() {
		m.msg.FixContentLength()
		m.checkSize()
	}
	if m.overflow != nil {
		m.discard()
		return
	}
	m.materialize()
	if !sent {
		m.result.DSCP, m.result.HasMark, m.result.Mark = -1, false, 0
		return
	}
	if !m.msg.Dirty() || m.msg.Unchanged() {
		return
	}
	m.out = m.msg.AppendTo(m.out[:0])
	if !bytes.Equal(m.out, m.in) {
		m.result.Verdict, m.result.Output = Modified, m.out
	}
}

// materialize turns the audit and warning spans into slices once their buffers stop growing.
func (m *Machine) materialize() {
	for _, a := range m.audits {
		text := m.in
		if a.kind == AuditText {
			text = m.auditBuf[a.off : a.off+a.n]
		}
		m.result.Audit = append(m.result.Audit, AuditRecord{Profile: a.profile, Rule: a.rule, Kind: a.kind, Text: text})
	}
	for _, w := range m.warns {
		m.result.Warnings = append(m.result.Warnings, Warning{Profile: w.profile, Rule: w.rule, Kind: w.kind, Text: m.warnBuf[w.off : w.off+w.n]})
	}
}
