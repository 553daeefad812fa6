package compile

import (
	"fmt"
	"strings"

	"github.com/smcproject/smc/datafile"
	"github.com/smcproject/smc/runtime/xmlscan"
)

// Verify checks that a program is one the runtime can run safely: every index into a side table is
// in range, every jump goes forward inside its rule (so every rule ends), every rule's
// instructions lie inside the program, every scope code is three characters, and every lookup has
// the index its operator needs over the table it names.
//
// Compile produces only such programs. Verify is for programs that come from outside the process,
// the bundles smcc compile writes: their checksum catches damage, and Verify makes sure that
// even a file that is consistent but wrong (written by a buggy or hostile tool) gives an error at
// load time rather than a panic or an endless loop on a packet.
func (p *Program) Verify() error {
	v := verifier{p: p}
	v.check()
	return v.err
}

type verifier struct {
	p   *Program
	err error
}

func (v *verifier) failf(format string, args ...any) {
	if v.err == nil {
		v.err = fmt.Errorf(format, args...)
	}
}

// in reports whether i indexes a table of n entries, failing with what when it does not.
func (v *verifier) in(i, n int, what string, args ...any) bool {
	if i >= 0 && i < n {
		return true
	}
	v.failf("%s: index %d out of range (%d entries)", fmt.Sprintf(what, args...), i, n)
	return false
}

// opt is in for an index that may also be -1 (absent).
func (v *verifier) opt(i, n int, what string, args ...any) {
	if i != -1 {
		v.in(i, n, what, args...)
	}
}

func (v *verifier) check() {
	p := v.p
	if p.NumVars < 0 || p.NumVars > MaxVariables || len(p.VarNames) != p.NumVars {
		v.failf("%d variable slots with %d names (at most %d)", p.NumVars, len(p.VarNames), MaxVariables)
	}
	v.limits()
	v.rules()
	for i, s := range p.Selectors {
		v.selector(i, &s)
	}
	for i := range p.Conds {
		v.cond(i, &p.Conds[i])
	}
	for i, d := range p.Vars {
		v.in(d.Slot, p.NumVars, "variable definition %d slot", i)
		v.in(d.Sel, len(p.Selectors), "variable definition %d selector", i)
	}
	for i := range p.Defs {
		v.def(i, &p.Defs[i])
	}
	for i, t := range p.Templates {
		v.parts(t.Parts, "template %d", i)
	}
	for i, m := range p.Matchers {
		if m == nil {
			v.failf("matcher %d missing", i)
		}
	}
	for i, t := range p.Tables {
		v.table(i, t)
	}
	if v.err == nil {
		v.groups()
	}
}

// groups checks that {$0} ... {$N} appear only where the runtime has a match to take them from:
// the Output of FINDSUB_LINES and the FINDINSERT types with a RegEx1, and N within the groups of
// the pattern whose match it is (RegEx2's when there is one). Every index is in range here.
func (v *verifier) groups() {
	p := v.p
	allowed := make([]int, len(p.Templates)) // per template: the groups it may name, or -1
	for i := range allowed {
		allowed[i] = -2 // used nowhere yet
	}
	use := func(t, n int) {
		if t >= 0 && (allowed[t] == -2 || n < allowed[t]) {
			allowed[t] = n
		}
	}
	for _, s := range p.Selectors {
		if s.Kind == SelectLiteral {
			use(s.Literal, -1)
		}
	}
	for _, c := range p.Conds {
		use(c.Operand, -1)
	}
	for _, d := range p.Defs {
		use(d.Output, v.outputGroups(&d))
	}
	for i, t := range p.Templates {
		for k, part := range t.Parts {
			if part.Reserved == ResGroup && part.Field > allowed[i] {
				v.failf("template %d part %d: {$%d} where the match has %d groups", i, k, part.Field, max(allowed[i], -1))
			}
		}
	}
	for i, r := range p.Rules {
		for _, part := range r.Imports {
			if part.Reserved == ResGroup {
				v.failf("rule %d imports a capture group", i)
			}
		}
	}
}

// outputGroups is the number of groups a replace definition's Output may name, or -1.
func (v *verifier) outputGroups(d *ReplaceDef) int {
	switch d.Type {
	case ReplaceFindSubLines, ReplaceFindInsertAfterLines, ReplaceFindInsertBeforeLines:
	default:
		return -1
	}
	s := v.p.Selectors[d.Sel]
	switch {
	case s.Re2 >= 0:
		return v.p.Matchers[s.Re2].Groups()
	case s.Re1 >= 0:
		return v.p.Matchers[s.Re1].Groups()
	}
	return -1
}

// limits holds the program to the limits the compiler holds a profile to (limits.go).
func (v *verifier) limits() {
	p := v.p
	switch {
	case len(p.Rules) > MaxRules:
		v.failf("%d rules (at most %d)", len(p.Rules), MaxRules)
	case len(p.HeaderName) > MaxHeaderNames:
		v.failf("%d header names (at most %d)", len(p.HeaderName), MaxHeaderNames)
	case len(p.Matchers) > MaxPatterns:
		v.failf("%d patterns (at most %d)", len(p.Matchers), MaxPatterns)
	}
	cost := 0
	for _, m := range p.Matchers {
		if m != nil {
			cost += m.Cost
		}
	}
	if cost > MaxPatternTotalCost {
		v.failf("patterns of cost %d (at most %d)", cost, MaxPatternTotalCost)
	}
	for i, t := range p.Templates {
		if len(t.Text) > MaxTemplateLen {
			v.failf("template %d of %d bytes (at most %d)", i, len(t.Text), MaxTemplateLen)
		}
	}
}

func (v *verifier) rules() {
	p := v.p
	prevEnd := 0
	for i := range p.Rules {
		r := &p.Rules[i]
		if r.Index != i {
			v.failf("rule %d numbered %d", i, r.Index)
		}
		if r.Start != prevEnd || r.End < r.Start || r.End > len(p.Insts) {
			v.failf("rule %d: instructions %d..%d do not follow the previous rule's end %d inside %d instructions", i, r.Start, r.End, prevEnd, len(p.Insts))
			return
		}
		prevEnd = r.End
		for _, c := range r.Scope.Codes {
			if len(c) != 3 {
				v.failf("rule %d: response code pattern %q is not 3 characters", i, c)
			}
		}
		if r.Scope.Codes != nil && !r.Scope.Response {
			v.failf("rule %d: a request scope with response codes", i)
		}
		v.parts(r.Imports, "rule %d imports", i)
		for pc := r.Start; pc < r.End; pc++ {
			v.inst(r, pc)
		}
	}
	if prevEnd != len(p.Insts) {
		v.failf("instructions %d..%d belong to no rule", prevEnd, len(p.Insts))
	}
}

func (v *verifier) inst(r *Rule, pc int) {
	p := v.p
	in := p.Insts[pc]
	arg := int(in.Arg)
	switch in.Op {
	case OpSetVar:
		v.in(arg, len(p.Vars), "instruction %d (%s)", pc, in.Op)
	case OpRandomRow:
		if arg == -1 {
			break // the no-op finishRandomRow leaves for a DataFile that nothing of the rule uses
		}
		if v.in(arg, len(p.Tables), "instruction %d (%s)", pc, in.Op) && p.Tables[arg].KeyIndex == nil {
			v.failf("instruction %d (%s): table %d has no key index", pc, in.Op, arg)
		}
		if Reserved(in.B).RandMax() == 0 {
			v.failf("instruction %d (%s): %d is not a random variable", pc, in.Op, in.B)
		}
	case OpCond:
		v.in(arg, len(p.Conds), "instruction %d (%s)", pc, in.Op)
	case OpJumpFalse, OpJumpTrue:
		if arg <= pc || arg > r.End {
			v.failf("instruction %d (%s): target %d is not after it inside rule %d (ends at %d)", pc, in.Op, arg, r.Index, r.End)
		}
	case OpReplace:
		v.in(arg, len(p.Defs), "instruction %d (%s)", pc, in.Op)
	case OpTrue, OpFalse, OpDrop, OpDropRecord, OpBreak, OpEnd:
	default:
		v.failf("instruction %d: unknown operation %d", pc, in.Op)
	}
}

func (v *verifier) selector(i int, s *Selector) {
	p := v.p
	switch s.Kind {
	case SelectHeader:
		v.in(s.Name, len(p.HeaderName), "selector %d header name", i)
	case SelectLiteral:
		v.in(s.Literal, len(p.Templates), "selector %d literal", i)
	case SelectXML:
		v.xmlPath(i, s)
	case SelectTopLine, SelectBody:
	default:
		v.failf("selector %d: unknown kind %d", i, s.Kind)
	}
	if s.Macro > MacroParams {
		v.failf("selector %d: unknown macro %d", i, s.Macro)
	}
	v.opt(s.Re1, len(p.Matchers), "selector %d RegEx1", i)
	v.opt(s.Re2, len(p.Matchers), "selector %d RegEx2", i)
}

// xmlPath checks an XML_BODY selector's path: the one its Header compiles to, which the runtime
// can match (at most xmlscan.MaxPathSteps steps, so that its step sets fit one word).
func (v *verifier) xmlPath(i int, s *Selector) {
	p, err := xmlscan.ParsePath(s.Header)
	if err != nil {
		v.failf("selector %d: XML path %q: %v", i, s.Header, err)
		return
	}
	if p.String() != s.Path.String() || len(s.Path.Steps) == 0 || len(s.Path.Steps) > xmlscan.MaxPathSteps {
		v.failf("selector %d: XML path %q is not the one its Header %q compiles to", i, s.Path.String(), s.Header)
	}
}

func (v *verifier) cond(i int, c *Cond) {
	p := v.p
	v.in(c.Sel, len(p.Selectors), "condition %d selector", i)
	v.opt(c.Operand, len(p.Templates), "condition %d operand", i)
	switch c.Operator {
	case CmpRegex:
		v.in(c.Pattern, len(p.Matchers), "condition %d pattern", i)
	case CmpInTable, CmpInTableFold:
		if v.lookupTable(i, c) && (c.Index == nil || c.Index.Fold() != (c.Operator == CmpInTableFold) ||
			c.Index.Table() != p.Tables[c.Table].Data || c.Index.Column() != c.Column) {
			v.failf("condition %d: no %s index over column %d of table %d", i, c.Positive, c.Column, c.Table)
		}
	case CmpInNetworks:
		if v.lookupTable(i, c) && c.Nets == nil {
			v.failf("condition %d: no network index over column %d of table %d", i, c.Column, c.Table)
		}
	case CmpInPrefixes:
		if v.lookupTable(i, c) && (c.Prefixes == nil || c.Prefixes.Table() != p.Tables[c.Table].Data || c.Prefixes.Column() != c.Column) {
			v.failf("condition %d: no prefix index over column %d of table %d", i, c.Column, c.Table)
		}
	default:
		if c.Operator < CmpEQ || c.Operator > CmpInPrefixes {
			v.failf("condition %d: unknown operator %d", i, c.Operator)
		}
	}
}

func (v *verifier) lookupTable(i int, c *Cond) bool {
	if c.Column < 1 || c.Column > datafile.MaxFields {
		v.failf("condition %d: column %d out of range (1..%d)", i, c.Column, datafile.MaxFields)
		return false
	}
	return v.in(c.Table, len(v.p.Tables), "condition %d table", i)
}

func (v *verifier) def(i int, d *ReplaceDef) {
	p := v.p
	switch d.Type {
	case ReplaceAddLine, ReplaceRewriteLine, ReplaceDeleteLines, ReplaceFindSubLines, ReplaceAppendLines, ReplaceFindInsertAfterLines, ReplaceFindInsertBeforeLines:
		v.in(d.Sel, len(p.Selectors), "replace definition %d (%s) selector", i, d.Type)
	case ReplaceSDPRemoveCodecs, ReplaceSDPKeepCodecs:
		v.sdpDef(i, d)
	case ReplaceAuditRecord, ReplaceSetMark:
	case ReplaceSetDSCP:
		if d.Value > 63 {
			v.failf("replace definition %d: DSCP %d out of range (0..63)", i, d.Value)
		}
	default:
		v.failf("replace definition %d: unknown type %d", i, d.Type)
		return
	}
	if d.Sel != -1 && v.in(d.Sel, len(p.Selectors), "replace definition %d selector", i) {
		if d.Type == ReplaceDeleteLines && p.Selectors[d.Sel].Kind == SelectTopLine {
			// The compiler refuses it (check.go); the runtime would delete every line in turn.
			v.failf("replace definition %d: DELETE_LINES of the start line (TOPLINE)", i)
		}
	}
	v.opt(d.Output, len(p.Templates), "replace definition %d output", i)
}

// sdpDef checks an SDP codec definition: it selects m= lines of the body, with no macro, and has
// the codec list the runtime reads.
func (v *verifier) sdpDef(i int, d *ReplaceDef) {
	p := v.p
	if !v.in(d.Sel, len(p.Selectors), "replace definition %d (%s) selector", i, d.Type) ||
		!v.in(d.Output, len(p.Templates), "replace definition %d (%s) output", i, d.Type) {
		return
	}
	s := &p.Selectors[d.Sel]
	if s.Kind != SelectBody || !strings.HasPrefix(string(s.Prefix), sdpAllSections) || s.Macro != MacroNone {
		v.failf("replace definition %d (%s): the selector is not one of m= lines without a macro", i, d.Type)
	}
}

func (v *verifier) parts(parts []Part, what string, args ...any) {
	for k, part := range parts {
		v.opt(part.Var, v.p.NumVars, "%s part %d variable", fmt.Sprintf(what, args...), k)
		if part.Reserved > ResGroup {
			v.failf("%s part %d: unknown reserved variable %d", fmt.Sprintf(what, args...), k, part.Reserved)
		}
		if part.Reserved == ResDataField && (part.Field < 1 || part.Field > datafile.MaxFields) {
			v.failf("%s part %d: column %d out of range (1..%d)", fmt.Sprintf(what, args...), k, part.Field, datafile.MaxFields)
		}
		if part.Reserved == ResGroup && (part.Field < 0 || part.Field > 9) {
			v.failf("%s part %d: capture group %d out of range (0..9)", fmt.Sprintf(what, args...), k, part.Field)
		}
	}
}

func (v *verifier) table(i int, t *Table) {
	switch {
	case t == nil || t.Data == nil:
		v.failf("table %d missing", i)
	case t.KeyCol < 1 || t.KeyCol > datafile.MaxFields:
		v.failf("table %d: key column %d out of range (1..%d)", i, t.KeyCol, datafile.MaxFields)
	case t.KeyIndex != nil && (t.KeyIndex.Table() != t.Data || t.KeyIndex.Column() != t.KeyCol || t.KeyIndex.Fold()):
		v.failf("table %d: the key index is not an exact index over column %d", i, t.KeyCol)
	}
}
