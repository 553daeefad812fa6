package runtime

import (
	"bytes"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/datafile"
	"github.com/smcproject/smc/runtime/sip"
)

// condition evaluates one condition (SMC-SPEC §5): the positive comparison holds when it holds
// for any selected line, or for the empty string when no line is selected; a negated operator is
// exactly its negation.
func (m *Machine) condition(c *compile.Cond) bool {
	sel := &m.prog.Selectors[c.Sel]
	right := m.operand(c)
	if m.trace != nil {
		m.trace.condStart(m, c, right)
	}
	held := false
	switch sel.Kind {
	case compile.SelectLiteral:
		left := m.literalText(sel)
		held = m.compare(c, left, right)
		if m.trace != nil {
			m.trace.operand(m, c, left, -1, held)
		}
	case compile.SelectXML:
		held = m.compareXML(c, sel, right)
	default:
		held = m.compareLines(c, sel, right)
	}
	result := held != c.Negate
	if m.trace != nil {
		m.trace.condEnd(c, result)
	}
	return result
}

func (m *Machine) compareLines(c *compile.Cond, sel *compile.Selector, right []byte) bool {
	first, end := m.lineRange(sel)
	any := false
	for i := m.nextSelected(sel, first, end); i < end; i = m.nextSelected(sel, i+1, end) {
		any = true
		left := m.selectedText(sel, i)
		held := m.compare(c, left, right)
		if m.trace != nil {
			m.trace.operand(m, c, left, m.msg.PhysicalLine(i), held)
		}
		if held {
			return true
		}
	}
	if any {
		return false
	}
	held := m.compare(c, nil, right)
	if m.trace != nil {
		m.trace.operand(m, c, nil, 0, held)
	}
	return held
}

// operand expands the RightOperand, once per evaluation, whatever the number of lines; a constant
// one is used as it is.
func (m *Machine) operand(c *compile.Cond) []byte {
	if c.Operand < 0 {
		return nil
	}
	if k := &m.consts[c.Operand]; k.ok {
		return k.text
	}
	m.opBuf = m.expand(m.opBuf[:0], c.Operand)
	return m.opBuf
}

// compare applies the positive comparison to one selected text.
func (m *Machine) compare(c *compile.Cond, l, r []byte) bool {
	switch c.Operator {
	case compile.CmpEQ:
		return bytes.Equal(l, r)
	case compile.CmpIEQ:
		return sip.EqualFold(l, r)
	case compile.CmpPrefix:
		return bytes.HasPrefix(l, r)
	case compile.CmpIPrefix:
		return len(l) >= len(r) && sip.EqualFold(l[:len(r)], r)
	case compile.CmpSuffix:
		return bytes.HasSuffix(l, r)
	case compile.CmpISuffix:
		return len(l) >= len(r) && sip.EqualFold(l[len(l)-len(r):], r)
	case compile.CmpContains:
		return bytes.Contains(l, r)
	case compile.CmpIContains:
		return m.containsFold(l, r)
	case compile.CmpGT, compile.CmpGE, compile.CmpLT, compile.CmpLE:
		return compareInts(c.Operator, l, r)
	case compile.CmpBetween:
		n, ok := sip.ParseInt(l)
		lo, hi, ok2 := sip.ParseRange(r)
		return ok && ok2 && lo <= n && n <= hi
	case compile.CmpRegex:
		_, _, ok := m.prog.Matchers[c.Pattern].Find(l, &m.matchStats)
		return ok
	case compile.CmpInTable, compile.CmpInTableFold:
		if c.Index == nil {
			return false
		}
		row, ok := c.Index.Lookup(l)
		return m.found(c, row, ok)
	case compile.CmpInNetworks:
		a, ok := datafile.AddrFromText(l)
		if !ok || c.Nets == nil {
			return false
		}
		row, ok := c.Nets.Lookup(a)
		return m.found(c, row, ok)
	case compile.CmpInPrefixes:
		if c.Prefixes == nil {
			return false
		}
		row, ok := c.Prefixes.Lookup(l)
		return m.found(c, row, ok)
	}
	return false
}

// found selects the data file row a lookup found (SMC-SPEC §7).
func (m *Machine) found(c *compile.Cond, row int, ok bool) bool {
	if ok {
		m.row, m.rowTable = row, m.prog.Tables[c.Table]
	}
	return ok
}

func compareInts(op compile.Operator, l, r []byte) bool {
	a, ok1 := sip.ParseInt(l)
	b, ok2 := sip.ParseInt(r)
	if !ok1 || !ok2 {
		return false
	}
	switch op {
	case compile.CmpGT:
		return a > b
	case compile.CmpGE:
		return a >= b
	case compile.CmpLT:
		return a < b
	}
	return a <= b
}

// randomRow selects the row whose key is the rule's random number (SMC-SPEC §7).
func (m *Machine) randomRow(in compile.Inst) {
	if in.Arg < 0 {
		return
	}
	t := m.prog.Tables[in.Arg]
	var key [8]byte
	k := appendInt(key[:0], m.random(compile.Reserved(in.B)))
	if row, ok := t.KeyIndex.Lookup(k); ok {
		m.row, m.rowTable = row, t
	}
	if m.trace != nil {
		// string(k), not k: a slice passed as an argument would move key to the heap on every
		// message, traced or not.
		m.trace.printf("    random row: key %q -> %s\n", string(k), rowString(m.row, t))
	}
}

// containsFold is bytes.Contains under ASCII case folding. Comparing r at every offset of l takes
// up to len(l)*len(r) steps, and a message and a variable copied from it can both be tens of
// kilobytes (a billion steps: a hostile message could stall a worker for a second per
// condition), so both are folded into the Machine's buffers and searched with bytes.Index, which
// takes linear time.
func (m *Machine) containsFold(l, r []byte) bool {
	if len(r) > len(l) {
		return false
	}
	m.foldL, m.foldR = appendLower(m.foldL[:0], l), appendLower(m.foldR[:0], r)
	return bytes.Contains(m.foldL, m.foldR)
}

func appendLower(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, sip.Lower(c))
	}
	return dst
}
