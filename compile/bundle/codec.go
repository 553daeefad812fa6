package bundle

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/datafile"
	"github.com/smcproject/smc/match"
	"github.com/smcproject/smc/runtime/xmlscan"
)

// The programs section encodes the chain as a sequence of unsigned varints (uint), signed
// varints (int: zig-zag, for indexes that may be -1), strings (uint length, then the bytes) and
// bytes (0 or 1 for booleans, enum values). FORMAT.md lists the fields in order. Side tables are
// written as they are in compile.Program; what the compiler derives from them (the dispatch
// table, the matchers' kinds and literals) is rebuilt when the bundle is opened.

// encoder appends the encoding of a chain to b.
type encoder struct {
	b []byte

	// The data structures of the chain, numbered in the order they are written; the
	// programs refer to them by these numbers.
	tables   map[*datafile.Table]int
	indexes  map[*datafile.Index]int
	nets     map[*datafile.Networks]int
	prefixes map[*datafile.Prefixes]int
}

func (e *encoder) uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) int(v int)     { e.b = binary.AppendVarint(e.b, int64(v)) }
func (e *encoder) byte(v uint8)  { e.b = append(e.b, v) }
func (e *encoder) str(s string) {
	e.uint(uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *encoder) bool(v bool) {
	if v {
		e.byte(1)
	} else {
		e.byte(0)
	}
}

// strs writes a list that may be nil (0) as distinct from empty (1).
func (e *encoder) strs(list []string) {
	if list == nil {
		e.uint(0)
		return
	}
	e.uint(uint64(len(list)) + 1)
	for _, s := range list {
		e.str(s)
	}
}

func (e *encoder) parts(ps []compile.Part) {
	e.uint(uint64(len(ps)))
	for _, p := range ps {
		e.str(p.Lit)
		e.int(p.Var)
		e.byte(uint8(p.Reserved))
		e.int(p.Field)
	}
}

func (e *encoder) program(p *compile.Program) {
	e.str(p.File)
	e.b = binary.AppendVarint(e.b, p.ID)
	e.str(p.Name)
	e.uint(uint64(p.NumVars))
	for _, n := range p.VarNames {
		e.str(n)
	}
	e.uint(uint64(len(p.HeaderName)))
	for _, n := range p.HeaderName {
		e.str(n)
	}
	e.uint(uint64(len(p.Rules)))
	for _, r := range p.Rules {
		e.str(r.Comment)
		e.uint(uint64(r.Line))
		e.bool(r.Scope.Response)
		e.strs(r.Scope.Methods)
		e.strs(r.Scope.Codes)
		e.parts(r.Imports)
		e.uint(uint64(r.Start))
		e.uint(uint64(r.End))
	}
	e.uint(uint64(len(p.Insts)))
	for _, in := range p.Insts {
		e.byte(uint8(in.Op))
		e.int(int(in.Arg))
		e.int(int(in.B))
	}
	e.uint(uint64(len(p.Selectors)))
	for _, s := range p.Selectors {
		e.byte(uint8(s.Kind))
		e.int(s.Name)
		e.str(string(s.Prefix))
		e.int(s.Literal)
		e.byte(uint8(s.Macro))
		e.int(s.Re1)
		e.int(s.Re2)
		e.str(s.Header)
	}
	e.uint(uint64(len(p.Conds)))
	for _, c := range p.Conds {
		e.int(c.Sel)
		e.byte(uint8(c.Operator))
		e.bool(c.Negate)
		e.str(c.Name)
		e.str(c.Positive)
		e.int(c.Operand)
		e.int(c.Pattern)
		e.int(c.Table)
		e.int(c.Column)
		e.uint(uint64(c.Line))
		e.int(ref(e.indexes, c.Index))
		e.int(ref(e.nets, c.Nets))
		e.int(ref(e.prefixes, c.Prefixes))
	}
	e.uint(uint64(len(p.Vars)))
	for _, v := range p.Vars {
		e.int(v.Slot)
		e.int(v.Sel)
		e.uint(uint64(v.Line))
	}
	e.uint(uint64(len(p.Defs)))
	for _, d := range p.Defs {
		e.byte(uint8(d.Type))
		e.int(d.Sel)
		e.int(d.Output)
		e.uint(uint64(d.Value))
		e.uint(uint64(d.Line))
	}
	e.uint(uint64(len(p.Templates)))
	for _, t := range p.Templates {
		e.str(t.Text)
		e.parts(t.Parts)
	}
	e.uint(uint64(len(p.Matchers)))
	for _, m := range p.Matchers {
		e.str(m.Source)
	}
	e.uint(uint64(len(p.Tables)))
	for _, t := range p.Tables {
		e.str(t.Path)
		e.uint(uint64(e.tables[t.Data]))
		e.uint(uint64(t.KeyCol))
		e.int(ref(e.indexes, t.KeyIndex))
	}
}

// ref returns the number of x in m, or -1 for nil.
func ref[T comparable](m map[T]int, x T) int {
	var zero T
	if x == zero {
		return -1
	}
	return m[x]
}

// decoder reads an encoding, remembering the first error and where it happened.
type decoder struct {
	b    []byte
	off  int
	base uint64 // offset of b in the file, for error messages
	err  error
}

func (d *decoder) failf(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("corrupt programs section at offset %d: %s", d.base+uint64(d.off), fmt.Sprintf(format, args...))
	}
	d.off = len(d.b) // nothing more is read
}

func (d *decoder) uint() uint64 {
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.failf("bad or truncated number")
		return 0
	}
	d.off += n
	return v
}

// small reads a uint that must fit an int32: counts, lines, columns.
func (d *decoder) small() int {
	v := d.uint()
	if v > math.MaxInt32 {
		d.failf("number %d out of range", v)
		return 0
	}
	return int(v)
}

// int reads a signed number that must fit an int32: indexes, which may be -1.
func (d *decoder) int() int {
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		d.failf("bad or truncated number")
		return 0
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		d.failf("number %d out of range", v)
		return 0
	}
	d.off += n
	return int(v)
}

func (d *decoder) byte() uint8 {
	if d.off >= len(d.b) {
		d.failf("truncated")
		return 0
	}
	d.off++
	return d.b[d.off-1]
}

func (d *decoder) bool() bool {
	switch d.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	d.failf("boolean not 0 or 1")
	return false
}

// count reads the length of a list whose elements take at least min bytes each, so that a damaged
// length cannot make the decoder allocate more than the section could hold.
func (d *decoder) count(min int) int {
	n := d.small()
	if n*min > len(d.b)-d.off {
		d.failf("list of %d entries in %d remaining bytes", n, len(d.b)-d.off)
		return 0
	}
	return n
}

func (d *decoder) str() string {
	n := d.count(1)
	s := string(d.b[d.off : d.off+n])
	d.off += n
	return s
}

func (d *decoder) strs() []string {
	n := d.count(1)
	if n == 0 {
		return nil
	}
	list := make([]string, n-1)
	for i := range list {
		list[i] = d.str()
	}
	return list
}

func (d *decoder) parts() []compile.Part {
	ps := make([]compile.Part, d.count(4))
	for i := range ps {
		ps[i] = compile.Part{Lit: d.str(), Var: d.int(), Reserved: compile.Reserved(d.byte()), Field: d.int()}
	}
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// structures is what programs refer to by number: the chain's tables and indexes.
type structures struct {
	tables   []*datafile.Table
	indexes  []*datafile.Index
	nets     []*datafile.Networks
	prefixes []*datafile.Prefixes
}

// program decodes one program. Dispatch and matchers are rebuilt by the caller; Verify checks the
// indexes.
func (d *decoder) program(s *structures) *compile.Program {
	p := &compile.Program{File: d.str()}
	id, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		d.failf("bad or truncated profile ID")
	}
	d.off += max(n, 0)
	p.ID, p.Name = id, d.str()
	p.NumVars = d.count(1)
	p.VarNames = make([]string, p.NumVars)
	for i := range p.VarNames {
		p.VarNames[i] = d.str()
	}
	p.HeaderName = make([]string, d.count(1))
	for i := range p.HeaderName {
		p.HeaderName[i] = d.str()
	}
	p.Rules = make([]compile.Rule, d.count(7))
	for i := range p.Rules {
		r := &p.Rules[i]
		r.Index, r.Comment, r.Line = i, d.str(), d.small()
		r.Scope = compile.Scope{Response: d.bool(), Methods: d.strs(), Codes: d.strs()}
		r.Imports, r.Start, r.End = d.parts(), d.small(), d.small()
	}
	p.Insts = make([]compile.Inst, d.count(3))
	for i := range p.Insts {
		p.Insts[i] = compile.Inst{Op: compile.Opcode(d.byte()), Arg: int32(d.int()), B: int32(d.int())}
	}
	p.Selectors = make([]compile.Selector, d.count(8))
	for i := range p.Selectors {
		sel := &p.Selectors[i]
		sel.Kind, sel.Name = compile.SelectKind(d.byte()), d.int()
		if prefix := d.str(); prefix != "" {
			sel.Prefix = []byte(prefix)
		}
		sel.Literal, sel.Macro, sel.Re1, sel.Re2, sel.Header = d.int(), compile.Macro(d.byte()), d.int(), d.int(), d.str()
		if sel.Kind == compile.SelectXML {
			d.xmlPath(sel)
		}
	}
	p.Conds = make([]compile.Cond, d.count(13))
	for i := range p.Conds {
		c := &p.Conds[i]
		c.Sel, c.Operator, c.Negate = d.int(), compile.Operator(d.byte()), d.bool()
		c.Name, c.Positive = d.str(), d.str()
		c.Operand, c.Pattern, c.Table, c.Column, c.Line = d.int(), d.int(), d.int(), d.int(), d.small()
		c.Index = pick(d, s.indexes, d.int(), "index")
		c.Nets = pick(d, s.nets, d.int(), "network index")
		c.Prefixes = pick(d, s.prefixes, d.int(), "prefix index")
	}
	p.Vars = make([]compile.VarDef, d.count(3))
	for i := range p.Vars {
		p.Vars[i] = compile.VarDef{Slot: d.int(), Sel: d.int(), Line: d.small()}
	}
	p.Defs = make([]compile.ReplaceDef, d.count(5))
	for i := range p.Defs {
		def := &p.Defs[i]
		def.Type, def.Sel, def.Output = compile.ReplaceType(d.byte()), d.int(), d.int()
		v := d.uint()
		if v > math.MaxUint32 {
			d.failf("value %d out of range", v)
		}
		def.Value, def.Line = uint32(v), d.small()
	}
	p.Templates = make([]compile.Template, d.count(2))
	for i := range p.Templates {
		p.Templates[i] = compile.Template{Text: d.str(), Parts: d.parts()}
	}
	p.Matchers = make([]*match.Matcher, d.count(1))
	for i := range p.Matchers {
		p.Matchers[i] = &match.Matcher{Source: d.str()}
	}
	p.Tables = make([]*compile.Table, d.count(4))
	for i := range p.Tables {
		t := &compile.Table{Path: d.str()}
		t.Data = pick(d, s.tables, d.small(), "table")
		t.KeyCol = d.small()
		t.KeyIndex = pick(d, s.indexes, d.int(), "index")
		p.Tables[i] = t
	}
	normalize(p)
	return p
}

// xmlPath compiles an XML_BODY selector's path again from its Header, as matchers are compiled
// from their source: the path is not stored twice, so the two cannot disagree (FORMAT.md, version 2).
func (d *decoder) xmlPath(sel *compile.Selector) {
	p, err := xmlscan.ParsePath(sel.Header)
	if err != nil {
		d.failf("XML path %q: %v", sel.Header, err)
		return
	}
	sel.Path = p
}

// normalize makes empty lists nil, as the compiler leaves them, so that a decoded program is
// deeply equal to the compiled one.
func normalize(p *compile.Program) {
	if len(p.VarNames) == 0 {
		p.VarNames = nil
	}
	clip(&p.HeaderName)
	clip(&p.Rules)
	clip(&p.Insts)
	clip(&p.Selectors)
	clip(&p.Conds)
	clip(&p.Vars)
	clip(&p.Defs)
	clip(&p.Templates)
	clip(&p.Matchers)
	clip(&p.Tables)
}

func clip[T any](s *[]T) {
	if len(*s) == 0 {
		*s = nil
	}
}

// pick returns list[i], nil for -1, and fails for anything else.
func pick[T any](d *decoder, list []*T, i int, what string) *T {
	if i == -1 {
		return nil
	}
	if i < 0 || i >= len(list) {
		d.failf("%s %d out of range (%d in the bundle)", what, i, len(list))
		return nil
	}
	return list[i]
}
