package compile

import (
	"errors"
	"os"
	"strconv"
	"strings"

	"github.com/smcproject/smc/compile/jsonpos"
	"github.com/smcproject/smc/datafile"
	"github.com/smcproject/smc/match"
	"github.com/smcproject/smc/runtime/sip"
)

// MaxVariables is the number of variable names one profile may use, user-defined and reserved
// together: the guide's limit ("a maximum of 256 variables").
const MaxVariables = 256

// Options says where a compilation finds the data files its rules name.
type Options struct {
	// OpenData returns the contents of a DataFile, given the name as written in the profile.
	// Nil reads the file relative to the profile file's folder.
	OpenData func(name string) ([]byte, error)
}

// CompileFile compiles the profile at path. Data files are read relative to its folder.
func CompileFile(path string) (*Program, Diagnostics) { return compileFile(path, nil) }

// Compile compiles one profile; file names it in diagnostics. The Program is nil when any
// diagnostic is an error.
func Compile(file string, src []byte, opts Options) (*Program, Diagnostics) {
	// What the file is comes first: a binary file or a capture given as a profile is often past
	// the size limit, and its error must say what it is, not that its rules need splitting.
	if pos, msg, ok := sniff(src); ok {
		return nil, Diagnostics{{File: file, Pos: pos, Severity: SeverityError, Msg: msg}}
	}
	if len(src) > MaxProfileSize {
		return nil, profileTooLarge(file)
	}
	root, jsonErrs := jsonpos.Parse(src)
	c := &checker{file: file}
	for _, e := range jsonErrs {
		c.errorf(e.Pos, "%s", e.Msg)
	}
	var tree *profileNode
	if root != nil {
		tree = c.profile(root)
	}
	if tree == nil {
		c.diags.sort()
		return nil, c.diags
	}
	// The generator runs even after errors, so that undefined variables, bad patterns and
	// unreadable data files are reported in the same run; it tolerates a partial tree.
	g := newGenerator(file, c, opts)
	prog := g.program(tree)
	c.diags.sort()
	if c.diags.HasErrors() {
		return nil, c.diags
	}
	return prog, c.diags
}

// generator turns the checked tree into a Program.
type generator struct {
	*checker
	opts     Options
	prog     *Program
	slots    map[string]int // user variable name -> slot
	used     map[string]bool
	names    map[string]int // lower-case header name -> HeaderName index
	matchers map[string]int
	cost     int // of the patterns so far, against MaxPatternTotalCost
	loaded   map[string]*datafile.Table
	exact    map[indexKey]*datafile.Index
	nets     map[indexKey]*datafile.Networks
	prefix   map[indexKey]*datafile.Prefixes

	rule         *ruleNode
	ruleImports  map[string]bool // reserved names the current rule imports, or has warned about
	ruleRand     Reserved        // first random variable the current rule references
	pendingFalse []int           // jumps of the current rule that go to its FALSE instruction

	// What a {$N} in the template being compiled refers to (SMC-SPEC §6): the capture groups
	// of the pattern named by capPattern, or none (capGroups -1) for the reason capNone gives,
	// or, when capNone is empty, because the template is no FINDSUB or FINDINSERT Output.
	capGroups  int
	capPattern string
	capNone    string
}

type indexKey struct {
	table *datafile.Table
	col   int
	fold  bool
}

func newGenerator(file string, c *checker, opts Options) *generator {
	return &generator{
		checker: c, opts: opts, prog: &Program{File: file},
		slots: map[string]int{}, used: map[string]bool{}, names: map[string]int{},
		matchers: map[string]int{}, loaded: map[string]*datafile.Table{},
		exact: map[indexKey]*datafile.Index{}, nets: map[indexKey]*datafile.Networks{},
		prefix: map[indexKey]*datafile.Prefixes{}, capGroups: -1,
	}
}

func (g *generator) program(tree *profileNode) *Program {
	p := g.prog
	p.ID, p.Name = tree.id, tree.name
	g.declareVariables(tree)
	for _, r := range tree.rules {
		g.emitRule(r)
	}
	p.Dispatch = buildDispatch(p.Rules)
	return p
}

// declareVariables gives every user variable of the profile its slot first, because a rule may
// refer to a variable that a later rule defines (it is empty until then).
func (g *generator) declareVariables(tree *profileNode) {
	for _, r := range tree.rules {
		for _, v := range r.vars {
			g.use(v.name, v.namePos)
			if v.reserved != 0 {
				continue
			}
			if _, ok := g.slots[v.name]; !ok {
				g.slots[v.name] = len(g.prog.VarNames)
				g.prog.VarNames = append(g.prog.VarNames, "{$"+v.name+"}")
			}
		}
	}
	g.prog.NumVars = len(g.prog.VarNames)
}

func (g *generator) emit(op Opcode, arg int) int {
	g.prog.Insts = append(g.prog.Insts, Inst{Op: op, Arg: int32(arg)})
	return len(g.prog.Insts) - 1
}

func (g *generator) emitRule(r *ruleNode) {
	g.rule, g.ruleRand, g.ruleImports = r, 0, map[string]bool{}
	for _, v := range r.vars {
		if v.reserved != 0 {
			g.ruleImports[v.name] = true
		}
	}
	start := len(g.prog.Insts)
	table := g.ruleTable(r)
	for _, v := range r.vars {
		if v.reserved == 0 {
			g.prog.Vars = append(g.prog.Vars, VarDef{Slot: g.slots[v.name], Sel: g.selector(&v.sel), Line: v.pos.Line})
			g.emit(OpSetVar, len(g.prog.Vars)-1)
		} else if v.reserved.RandMax() > 0 && g.ruleRand == 0 {
			g.ruleRand = v.reserved
		}
	}
	randAt := -1
	if table >= 0 && !hasLookup(r) {
		randAt = g.emit(OpRandomRow, table)
	}
	g.emitConditions(r, table)
	g.emitAction(r)
	if randAt >= 0 {
		g.finishRandomRow(randAt, table)
	}
	g.prog.Rules = append(g.prog.Rules, Rule{Index: r.index, Comment: r.comment, Line: r.pos.Line,
		Scope: r.scope, Imports: imports(r), Start: start, End: len(g.prog.Insts)})
}

// finishRandomRow keeps the random-row instruction only when the rule references a random
// variable (SMC-SPEC §7); otherwise the DataFile is unused and the instruction becomes a no-op.
func (g *generator) finishRandomRow(at, table int) {
	if g.ruleRand == 0 {
		g.warnf(g.rule.dataFilePos, "DataFile %q is not used: rule %d has no BSEARCH or IP_LOOKUP condition and no {$SMC.RandN} variable, so no row is ever selected and every {$DataFile.FieldN} is empty; add a condition that searches it, or remove DataFile", g.rule.dataFile, g.rule.index)
		g.prog.Insts[at] = Inst{Op: OpRandomRow, Arg: -1}
		return
	}
	t := g.prog.Tables[table]
	t.KeyIndex = g.index(t.Data, t.KeyCol, false)
	g.prog.Insts[at].B = int32(g.ruleRand)
}

// imports lists the reserved variables a rule imports, so a trace can show their values.
func imports(r *ruleNode) []Part {
	var parts []Part
	for _, v := range r.vars {
		if v.reserved != 0 {
			p := Part{Var: -1, Reserved: v.reserved, Lit: "{$" + v.name + "}"}
			p.Field, _ = dataField(v.name)
			parts = append(parts, p)
		}
	}
	return parts
}

func hasLookup(r *ruleNode) bool {
	for _, c := range r.conds {
		if c.op.Lookup() {
			return true
		}
	}
	return false
}

// emitConditions emits the conditions with short-circuit jumps: under AND a false condition jumps
// to FALSE; under OR a true one jumps to TRUE.
func (g *generator) emitConditions(r *ruleNode, table int) {
	var jumps []int
	for i, cn := range r.conds {
		g.prog.Conds = append(g.prog.Conds, g.condition(cn, table))
		g.emit(OpCond, len(g.prog.Conds)-1)
		last := i == len(r.conds)-1
		switch {
		case r.and || last:
			jumps = append(jumps, g.emit(OpJumpFalse, 0))
		default:
			jumps = append(jumps, g.emit(OpJumpTrue, 0))
		}
	}
	trueAt := g.emit(OpTrue, 0)
	g.pendingFalse = g.pendingFalse[:0]
	for _, j := range jumps {
		if g.prog.Insts[j].Op == OpJumpTrue {
			g.prog.Insts[j].Arg = int32(trueAt)
		} else {
			g.pendingFalse = append(g.pendingFalse, j)
		}
	}
}

func (g *generator) emitAction(r *ruleNode) {
	switch r.action {
	case "DROP_MSG":
		g.emit(OpDrop, 0)
	case "DROP_MSG_RECORD":
		g.emit(OpDropRecord, 0)
	default:
		for _, d := range r.defs {
			g.prog.Defs = append(g.prog.Defs, g.replaceDef(d))
			g.emit(OpReplace, len(g.prog.Defs)-1)
		}
	}
	if r.breakOut {
		g.emit(OpBreak, 0)
	}
	g.emit(OpEnd, 0)
	falseAt := g.emit(OpFalse, 0)
	for _, j := range g.pendingFalse {
		g.prog.Insts[j].Arg = int32(falseAt)
	}
}

// ruleTable loads the rule's DataFile and returns its index in Tables, or -1.
func (g *generator) ruleTable(r *ruleNode) int {
	if r.dataFile == "" {
		return -1
	}
	data, ok := g.loaded[r.dataFile]
	if !ok {
		data = g.loadData(r)
		g.loaded[r.dataFile] = data
	}
	if data == nil {
		return -1
	}
	g.prog.Tables = append(g.prog.Tables, &Table{Path: r.dataFile, Data: data, KeyCol: r.keyCol})
	return len(g.prog.Tables) - 1
}

func (g *generator) loadData(r *ruleNode) *datafile.Table {
	open := g.opts.OpenData
	if open == nil {
		open = func(name string) ([]byte, error) { return ReadData(".", name) }
	}
	if err := checkDataName(r.dataFile); err != nil {
		g.errorf(r.dataFilePos, "rule %d: DataFile %q %v", r.index, r.dataFile, err)
		return nil
	}
	src, err := open(r.dataFile)
	if errors.Is(err, ErrDataOutside) {
		g.errorf(r.dataFilePos, "rule %d: DataFile %q %v", r.index, r.dataFile, err)
		return nil
	}
	if err != nil {
		g.errorf(r.dataFilePos, "rule %d: cannot read DataFile %q: %v", r.index, r.dataFile, unwrapPath(err))
		return nil
	}
	t, err := datafile.Parse(r.dataFile, src)
	if err != nil {
		g.errorf(r.dataFilePos, "rule %d: DataFile %v", r.index, err)
		return nil
	}
	return t
}

// unwrapPath drops the path that os errors repeat, since the message already names the file.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func (g *generator) index(t *datafile.Table, col int, fold bool) *datafile.Index {
	k := indexKey{t, col, fold}
	if ix, ok := g.exact[k]; ok {
		return ix
	}
	ix := t.Index(col, fold)
	g.exact[k] = ix
	return ix
}

func (g *generator) prefixes(t *datafile.Table, col int) *datafile.Prefixes {
	k := indexKey{t, col, false}
	if p, ok := g.prefix[k]; ok {
		return p
	}
	p := datafile.NewPrefixes(g.index(t, col, false)) // shared with an exact lookup of the column
	g.prefix[k] = p
	return p
}

func (g *generator) networks(t *datafile.Table, col int, pos jsonpos.Pos) *datafile.Networks {
	k := indexKey{t, col, false}
	if n, ok := g.nets[k]; ok {
		return n
	}
	n, err := t.Networks(col)
	if err != nil {
		g.errorf(pos, "rule %d: DataFile %v", g.rule.index, err)
	}
	g.nets[k] = n
	return n
}

// selector compiles a selection into the Selectors table.
func (g *generator) selector(s *selectNode) int {
	sel := Selector{Kind: s.kind, Macro: s.macro, Re1: -1, Re2: -1, Header: s.header, Literal: -1}
	switch s.kind {
	case SelectHeader:
		sel.Name = g.headerName(s.header, s.headerPos)
	case SelectBody:
		sel.Prefix = []byte(s.header)
	case SelectLiteral:
		sel.Literal = g.template(s.header, s.headerPos)
	case SelectXML:
		sel.Path = s.path
	}
	if s.hasRe1 {
		sel.Re1 = g.matcher(s.re1, s.re1Pos, "RegEx1")
	}
	if s.hasRe2 {
		sel.Re2 = g.matcher(s.re2, s.re2Pos, "RegEx2")
	}
	g.prog.Selectors = append(g.prog.Selectors, sel)
	return len(g.prog.Selectors) - 1
}

// headerName interns a header name; names differing only in case share one entry.
func (g *generator) headerName(name string, pos jsonpos.Pos) int {
	k := strings.ToLower(name)
	if i, ok := g.names[k]; ok {
		return i
	}
	if len(g.prog.HeaderName) == MaxHeaderNames {
		g.errorf(pos, "header %q is header name %d of the profile; a profile names at most %d (compile.MaxHeaderNames): split its rules into several profiles of a chain", name, MaxHeaderNames+1, MaxHeaderNames)
	}
	g.prog.HeaderName = append(g.prog.HeaderName, name)
	g.names[k] = len(g.prog.HeaderName) - 1
	return g.names[k]
}

func (g *generator) matcher(src string, pos jsonpos.Pos, key string) int {
	if i, ok := g.matchers[src]; ok {
		return i
	}
	if len(g.prog.Matchers) == MaxPatterns {
		g.errorf(pos, "%s %q is pattern %d of the profile; a profile has at most %d distinct patterns (compile.MaxPatterns): split its rules into several profiles of a chain", key, src, MaxPatterns+1, MaxPatterns)
		return -1
	}
	m, err := match.New(src)
	if err != nil {
		g.errorf(pos, "%s %q does not compile: %v", key, src, err)
		return -1
	}
	if g.cost += m.Cost; g.cost > maxPatternTotalCost {
		g.errorf(pos, "%s %q takes the patterns of the profile to cost %d, past %d (compile.MaxPatternTotalCost): use fewer or smaller repetitions of character classes, or split the profile", key, src, g.cost, maxPatternTotalCost)
		return -1
	}
	g.prog.Matchers = append(g.prog.Matchers, m)
	g.matchers[src] = len(g.prog.Matchers) - 1
	return g.matchers[src]
}

// template compiles a string with {$...} references.
func (g *generator) template(s string, pos jsonpos.Pos) int {
	if len(s) > MaxTemplateLen {
		g.errorf(pos, "this text is %d bytes long; no message is longer than %d bytes, so neither may an Output, a RightOperand or a literal Header be (compile.MaxTemplateLen)", len(s), MaxTemplateLen)
	}
	t := Template{Text: s}
	bad := scanTemplate(s,
		func(lit string) { t.Parts = append(t.Parts, Part{Lit: lit, Var: -1}) },
		func(ref reference) { t.Parts = append(t.Parts, g.reference(ref, pos)) })
	if bad >= 0 {
		g.errorf(pos, "malformed variable reference at %q: write {$NAME} with letters, digits, '-', '_' and '.'", clip(s[bad:], 20))
	}
	g.prog.Templates = append(g.prog.Templates, t)
	return len(g.prog.Templates) - 1
}

// use counts a variable name against MaxVariables and reports the name that goes past it.
func (g *generator) use(name string, pos jsonpos.Pos) {
	if g.used[name] {
		return
	}
	g.used[name] = true
	if len(g.used) == MaxVariables+1 {
		g.errorf(pos, "{$%s} is variable name %d of the profile; at most %d are allowed (user-defined and reserved together)", name, len(g.used), MaxVariables)
	}
}

func (g *generator) reference(ref reference, pos jsonpos.Pos) Part {
	if n, ok := groupNumber(ref.name); ok {
		return g.groupReference(ref.name, n, pos)
	}
	g.use(ref.name, pos)
	if slot, ok := g.slots[ref.name]; ok {
		return Part{Var: slot}
	}
	res, ok := reservedVariable(ref.name)
	if !ok {
		candidates := append(g.prog.VarNames[:len(g.prog.VarNames):len(g.prog.VarNames)], braced(reservedNameList)...)
		g.errorf(pos, "undefined variable {$%s}: no rule of the profile defines it in StoredVariables%s",
			ref.name, didYouMean("{$"+ref.name+"}", candidates))
		return Part{Var: -1}
	}
	part := Part{Var: -1, Reserved: res}
	if res != ResDataField && !g.ruleImports[ref.name] {
		g.ruleImports[ref.name] = true
		g.warnf(pos, "rule %d uses {$%s} without importing it; add {\"VariableName\": \"{$%s}\", \"Porting\": \"IMPORT\"} to its StoredVariables", g.rule.index, ref.name, ref.name)
	}
	if res == ResDataField {
		part.Field, _ = dataField(ref.name)
		g.checkColumn(part.Field, ref.name, pos)
		if g.rule.dataFile == "" {
			g.errorf(pos, "{$%s} reads the rule's DataFile row, but rule %d has no DataFile", ref.name, g.rule.index)
		}
	}
	if res.RandMax() > 0 && g.ruleRand == 0 {
		g.ruleRand = res
	}
	return part
}

// groupNumber reads a name of digits only, which names a capture group (SMC-SPEC §4): its
// number, or -1 past {$9}.
func groupNumber(name string) (int, bool) {
	for i := 0; i < len(name); i++ {
		if name[i] < '0' || name[i] > '9' {
			return 0, false
		}
	}
	if len(name) != 1 {
		return -1, name != ""
	}
	return int(name[0] - '0'), true
}

// groupReference compiles {$N}, which is the current match (N 0) or its capture group N where
// the template is a FINDSUB or FINDINSERT Output with a RegEx1, and an error anywhere else.
func (g *generator) groupReference(name string, n int, pos jsonpos.Pos) Part {
	part := Part{Var: -1, Reserved: ResGroup, Field: n}
	switch {
	case n < 0:
		g.errorf(pos, "{$%s} is no capture group: the match is {$0} and its groups {$1} to {$9}; a variable's name needs a letter", name)
	case g.capGroups < 0 && g.capNone != "":
		g.errorf(pos, "{$%s} refers to a RegEx match, but %s", name, g.capNone)
	case g.capGroups < 0:
		g.errorf(pos, "{$%s} refers to a RegEx match, which only the Output of FINDSUB_LINES, FINDINSERTAFTER_LINES and FINDINSERTBEFORE_LINES has; to reuse part of a value here, store it in a variable with RegEx1 and write {$NAME}", name)
	case n > g.capGroups:
		g.errorf(pos, "{$%s} is capture group %d, but %s has %s; put the part to copy in parentheses, numbered by their \"(\" from 1", name, n, g.capPattern, groupCount(g.capGroups))
	}
	return part
}

func groupCount(n int) string {
	switch n {
	case 0:
		return "no group"
	case 1:
		return "1 group"
	}
	return strconv.Itoa(n) + " groups"
}

// outputCaptures says what a {$N} in d's Output refers to: RegEx2's match when there is one,
// else RegEx1's, for FINDSUB_LINES and the FINDINSERT types; nothing for the other types.
func (g *generator) outputCaptures(d *defNode, sel int) {
	g.capGroups, g.capPattern, g.capNone = -1, "", ""
	switch d.typ {
	case ReplaceFindSubLines, ReplaceFindInsertAfterLines, ReplaceFindInsertBeforeLines:
	default:
		g.capNone = d.typ.String() + " has none: only FINDSUB_LINES, FINDINSERTAFTER_LINES and FINDINSERTBEFORE_LINES expand their Output per match; to reuse part of a line, store it in a variable with RegEx1 and write {$NAME}"
		return
	}
	if !d.sel.hasRe1 {
		g.capNone = d.typ.String() + " without RegEx1 has no match: add a RegEx1 that the Output's groups come from"
		return
	}
	key, src, m := "RegEx1", d.sel.re1, g.prog.Selectors[sel].Re1
	if d.sel.hasRe2 {
		key, src, m = "RegEx2", d.sel.re2, g.prog.Selectors[sel].Re2
	}
	g.capGroups, g.capPattern = 9, key // a pattern that does not compile is reported already
	if m >= 0 {
		g.capGroups, g.capPattern = g.prog.Matchers[m].Groups(), key+" "+strconv.Quote(src)
	}
}

func braced(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "{$" + n + "}"
	}
	return out
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// condition compiles one condition, checking constant operands now rather than failing silently
// on every message.
func (g *generator) condition(cn *condNode, table int) Cond {
	c := Cond{Sel: g.selector(&cn.sel), Operator: cn.op, Negate: cn.negate, Name: cn.opName, Positive: positiveName(cn.op),
		Operand: -1, Pattern: -1, Table: -1, Line: cn.pos.Line}
	switch cn.op {
	case CmpRegex:
		c.Pattern = g.matcher(cn.operand, cn.operandPos, "RightOperand")
		return c
	case CmpInTable, CmpInTableFold, CmpInNetworks, CmpInPrefixes:
		g.lookup(&c, cn, table)
		return c
	}
	if cn.hasOperand {
		c.Operand = g.template(cn.operand, cn.operandPos)
		if text, ok := g.prog.Templates[c.Operand].Const(); ok {
			g.checkConstOperand(cn, text)
		}
	}
	return c
}

func (g *generator) checkConstOperand(cn *condNode, text string) {
	switch cn.op {
	case CmpGT, CmpGE, CmpLT, CmpLE:
		if _, ok := sip.ParseInt([]byte(text)); !ok {
			g.errorf(cn.operandPos, "%s compares integers, but RightOperand %q is not one", cn.opName, text)
		}
	case CmpBetween:
		lo, hi, ok := sip.ParseRange([]byte(text))
		switch {
		case !ok:
			g.errorf(cn.operandPos, "%s needs RightOperand \"LOW,HIGH\" with two integers, not %q", cn.opName, text)
		case lo > hi:
			g.errorf(cn.operandPos, "%s range %q is empty: LOW is greater than HIGH", cn.opName, text)
		}
	}
}

func (g *generator) lookup(c *Cond, cn *condNode, table int) {
	if g.rule.dataFile == "" {
		g.errorf(cn.opPos, "%s searches the rule's DataFile, but rule %d has no DataFile", cn.opName, g.rule.index)
		return
	}
	if table < 0 {
		return // the load error is already reported
	}
	t := g.prog.Tables[table]
	c.Table, c.Column = table, t.KeyCol
	if cn.hasOperand {
		if n, ok := exactFieldRef(cn.operand); ok {
			c.Column = n
			g.checkColumn(n, cn.operand[2:len(cn.operand)-1], cn.operandPos)
		} else {
			g.warnf(cn.operandPos, "RightOperand %q is ignored by %s; only {$DataFile.FieldN} (the column to search) is used", cn.operand, cn.opName)
		}
	}
	switch cn.op {
	case CmpInNetworks:
		c.Nets = g.networks(t.Data, c.Column, g.rule.dataFilePos)
	case CmpInPrefixes:
		c.Prefixes = g.prefixes(t.Data, c.Column)
	default:
		c.Index = g.index(t.Data, c.Column, cn.op == CmpInTableFold)
	}
}

// checkColumn reports a {$DataFile.FieldN} past the columns a data file row can have: it would
// always be empty, or search a column no row has.
func (g *generator) checkColumn(n int, name string, pos jsonpos.Pos) {
	if n > datafile.MaxFields {
		g.errorf(pos, "{$%s} names column %d, but a data file row has at most %d (datafile.MaxFields)", name, n, datafile.MaxFields)
	}
}

// positiveName is the name of an operator's positive form.
func positiveName(op Operator) string {
	for _, name := range operatorNames {
		if o := operators[name]; o.op == op && !o.negate {
			return name
		}
	}
	return ""
}

func exactFieldRef(s string) (int, bool) {
	name, ok := strings.CutPrefix(s, "{$")
	if !ok {
		return 0, false
	}
	name, ok = strings.CutSuffix(name, "}")
	if !ok {
		return 0, false
	}
	return dataField(name)
}

func (g *generator) replaceDef(d *defNode) ReplaceDef {
	rd := ReplaceDef{Type: d.typ, Sel: -1, Output: -1, Line: d.pos.Line}
	if d.hasSel {
		rd.Sel = g.selector(&d.sel)
	}
	switch {
	case !d.hasOutput:
		// DELETE_LINES has none; for any other type the checker has said it needs one, at the
		// definition, and a value read from the missing Output would be a second error with no
		// position.
	case d.typ == ReplaceSetDSCP:
		rd.Value = g.dscp(d)
	case d.typ == ReplaceSetMark:
		rd.Value = g.mark(d)
	default:
		g.outputCaptures(d, rd.Sel)
		rd.Output = g.template(d.output, d.outputPos)
		g.capGroups, g.capNone = -1, ""
		if text, ok := g.prog.Templates[rd.Output].Const(); ok && d.typ.EditsSDP() {
			g.checkCodecList(d, text)
		}
	}
	return rd
}

// dscpNames are the code points of RFC 2474, RFC 2597, RFC 3246 and RFC 5865 by name.
var dscpNames = map[string]uint32{
	"CS0": 0, "CS1": 8, "CS2": 16, "CS3": 24, "CS4": 32, "CS5": 40, "CS6": 48, "CS7": 56,
	"AF11": 10, "AF12": 12, "AF13": 14, "AF21": 18, "AF22": 20, "AF23": 22,
	"AF31": 26, "AF32": 28, "AF33": 30, "AF41": 34, "AF42": 36, "AF43": 38,
	"EF": 46, "VA": 44,
}

func (g *generator) dscp(d *defNode) uint32 {
	s := strings.TrimSpace(d.output)
	if v, ok := dscpNames[strings.ToUpper(s)]; ok {
		return v
	}
	if n, err := strconv.ParseUint(s, 10, 8); err == nil && n <= 63 {
		return uint32(n)
	}
	g.errorf(d.outputPos, "SET_DSCP Output %q is not a DSCP: write a number 0..63 or a name (EF, CS0..CS7, AF11..AF43, VA)%s", d.output, didYouMean(s, sortedKeys(dscpNames)))
	return 0
}

func (g *generator) mark(d *defNode) uint32 {
	s := strings.TrimSpace(d.output)
	var n uint64
	var err error
	if hex, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		n, err = strconv.ParseUint(hex, 16, 32)
	} else {
		n, err = strconv.ParseUint(s, 10, 32)
	}
	if err != nil {
		g.errorf(d.outputPos, "SET_MARK Output %q is not a mark: write a number 0..4294967295, decimal or 0x hex", d.output)
	}
	return uint32(n)
}
