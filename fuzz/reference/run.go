package reference

import (
	"bytes"
	"net/netip"
	"strconv"
	"time"
)

// Running a chain on one message (SMC-SPEC §1, §6; the order of steps of docs/semantics.md).

// Env is what the packet says about the message, and the fixed time and random number.
type Env struct {
	Remote, Local netip.AddrPort
	Transport     string // UDP or TCP
	Now           time.Time
	Rand          int // every {$SMC.RandN}; must be 1 or more, as the reference draws nothing
}

// Result is the outcome of one message.
type Result struct {
	Verdict  string // accept, modified, drop or reject
	Code     int    // reject: the status code
	Output   []byte // accept, modified: the message sent
	Response []byte // reject: the generated response
	DSCP     int    // -1: not set
	Mark     uint32
	HasMark  bool
	Audit    []Audit
	Parsed   bool // false: the message was not parsed as SIP and passes unchanged
	// XMLUndecided says that an XML body's names hold characters that encoding/xml and the XML
	// 1.0 fifth edition judge differently (xml.go): the reference cannot say what the engine
	// should select, and a comparison should be skipped.
	XMLUndecided bool
}

// An Audit is one audit record (SMC-SPEC §9), without the fields the Env fixes.
type Audit struct {
	Kind    string // audit or drop
	Profile int64
	Rule    int
	Text    string
}

// state is one message's run.
type state struct {
	env  Env
	in   []byte
	msg  *message
	orig *message // the message as received, for a reject's response
	res  *Result

	prof *Profile
	rule *Rule
	vars map[string]string
	row  []string // the rule's selected data file row, nil for none

	// match holds the current match of a FINDSUB or FINDINSERT and its capture groups, by
	// number, while its Output is expanded for it (SMC-SPEC §6); nil otherwise.
	match []string

	overflow  bool // the rules went past an output limit (limits.go)
	auditText int  // bytes of AUDIT_RECORD text kept
}

// Run applies a chain of profiles to one message.
func Run(chain []*Profile, in []byte, env Env) *Result {
	res := &Result{Verdict: "accept", Output: in, DSCP: -1}
	msg, err := parse(string(in))
	if err != nil {
		return res
	}
	orig, _ := parse(string(in))
	res.Parsed = true
	st := &state{env: env, in: in, msg: msg, orig: orig, res: res}
	stopped := false
	for _, p := range chain {
		if stopped = st.runProfile(p); stopped {
			break
		}
	}
	// docs/semantics.md "Directives": once more after the chain, so that no directive line is
	// ever sent.
	if !stopped && len(chain) > 0 {
		st.rule = &Rule{Index: -1}
		stopped = st.directives()
	}
	if !stopped {
		st.fixContentLength()
		st.checkSize()
	}
	if st.overflow {
		return &Result{Verdict: "accept", Output: in, DSCP: -1, Parsed: true}
	}
	if stopped {
		res.DSCP, res.Mark, res.HasMark = -1, 0, false // a dropped message carries no attributes
		return res
	}
	if out := msg.bytes(); !bytes.Equal(out, in) {
		res.Verdict, res.Output = "modified", out
	}
	return res
}

// runProfile runs one profile and reports whether the message was dropped or rejected.
func (st *state) runProfile(p *Profile) bool {
	st.prof, st.vars = p, map[string]string{} // variables belong to one profile
	for _, rule := range p.Rules {
		if !st.inScope(rule) {
			continue
		}
		outcome := st.runRule(rule)
		if outcome == stop || st.overflow {
			return true
		}
		// docs/semantics.md "Directives": after every rule whose scope matched.
		if st.directives() {
			return true
		}
		if outcome == breakOut {
			return false
		}
	}
	return false
}

// inScope checks a rule's scope against the start line as it is now (docs/semantics.md §6: a
// rewritten start line decides the scope of the later rules).
func (st *state) inScope(rule *Rule) bool {
	m := st.msg
	switch kind := m.kind(); {
	case kind == request && !rule.Response:
		return rule.Methods == nil || contains(rule.Methods, m.method())
	case kind == response && rule.Response:
		return codeMatches(rule.Codes, m.code()) && (rule.Methods == nil || contains(rule.Methods, m.cseqMethod()))
	}
	return false
}

// codeMatches: an X matches any digit; no list matches every code.
func codeMatches(codes []string, code string) bool {
	if codes == nil {
		return true
	}
	for _, c := range codes {
		ok := true
		for i := 0; i < 3; i++ {
			ok = ok && (c[i] == 'X' || c[i] == code[i])
		}
		if ok {
			return true
		}
	}
	return false
}

type outcome int

const (
	falseRule outcome = iota
	trueRule
	breakOut // TRUE with Break: 1
	stop     // dropped
)

// runRule sets the variables, selects the random row, evaluates the conditions and acts.
func (st *state) runRule(rule *Rule) outcome {
	st.rule, st.row = rule, nil
	for _, v := range rule.Vars {
		if !v.Reserved {
			st.vars[v.Name] = st.variable(&v.Sel)
		}
	}
	st.randomRow(rule)
	if !st.conditions(rule) || st.overflow {
		return falseRule
	}
	switch rule.Action {
	case "DROP_MSG", "DROP_MSG_RECORD":
		st.res.Verdict = "drop"
		if rule.Action == "DROP_MSG_RECORD" {
			st.addAudit("drop", string(st.in))
		}
		return stop
	}
	for _, d := range rule.Defs {
		if st.replace(d); st.overflow {
			return stop
		}
	}
	if rule.Break {
		return breakOut
	}
	return trueRule
}

// variable is the text a variable's selection selects in the first selected line, or "".
func (st *state) variable(sel *Selection) string {
	if sel.Attr == "CONDITION_LITERAL" {
		return st.literalText(sel)
	}
	if sel.Attr == "XML_BODY" {
		if values := st.xmlValues(sel); len(values) > 0 {
			return values[0]
		}
		return ""
	}
	if lines := st.selected(sel); len(lines) > 0 {
		return st.selectedText(sel, lines[0])
	}
	return ""
}

// randomRow selects the row keyed by the random number (SMC-SPEC §7) in a rule with a DataFile,
// no lookup condition and a random variable, after its variables and before its conditions
// (docs/semantics.md §5).
func (st *state) randomRow(rule *Rule) {
	if rule.Data == nil || !usesRandom(rule) {
		return
	}
	for _, c := range rule.Conds {
		if c.Op == "BSEARCH_EQ" || c.Op == "BSEARCH_I_EQ" || c.Op == "BSEARCH_PREFIX" || c.Op == "IP_LOOKUP" {
			return
		}
	}
	st.row = rule.Data.exact(rule.KeyCol, strconv.Itoa(st.env.Rand), false)
}

// fixContentLength rewrites the first Content-Length value when the body's length changed
// (SMC-SPEC §2, docs/semantics.md "Content-Length"); its name and spacing stay.
func (st *state) fixContentLength() {
	m := st.msg
	n := m.bodyLength()
	i := m.find("content-length")
	if n == m.bodyLen || i < 0 {
		return
	}
	s, e := headerValue(m.lines[i].text)
	m.lines[i].text = m.lines[i].text[:s] + strconv.Itoa(n) + m.lines[i].text[e:]
}
