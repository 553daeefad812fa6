package reference

import (
	"strconv"
	"strings"
)

// Conditions (SMC-SPEC §5).

// conditions evaluates a rule's conditions in order with short-circuit; none is TRUE.
func (st *state) conditions(rule *Rule) bool {
	result := true
	for _, c := range rule.Conds {
		result = st.condition(c)
		if st.overflow || rule.And && !result || !rule.And && result {
			return result
		}
	}
	return result
}

// condition: the positive operator holds when it holds for any selected line, or for the empty
// string when no line is selected; a negated operator is its exact negation.
func (st *state) condition(c *Cond) bool {
	right := ""
	if c.Op != "REGEX" { // a pattern is compiled ahead and never expanded
		right = st.expand(c.Operand)
	}
	held := false
	if c.Sel.Attr == "CONDITION_LITERAL" {
		held = st.holds(c, st.literalText(&c.Sel), right)
	} else if c.Sel.Attr == "XML_BODY" {
		held = st.holdsForAny(c, st.xmlValues(&c.Sel), right)
	} else if lines := st.selected(&c.Sel); len(lines) == 0 {
		held = st.holds(c, "", right)
	} else {
		for _, i := range lines {
			if held = st.holds(c, st.selectedText(&c.Sel, i), right); held {
				break // the first line found selects the row (SMC-SPEC §5)
			}
		}
	}
	return held != c.Negate
}

// holdsForAny applies the positive operator to each value until it holds, or once to the empty
// string when there is no value (SMC-SPEC §3.1, §5).
func (st *state) holdsForAny(c *Cond, values []string, right string) bool {
	if len(values) == 0 {
		return st.holds(c, "", right)
	}
	for _, v := range values {
		if st.holds(c, v, right) {
			return true
		}
	}
	return false
}

// holds applies the positive operator to one left operand.
func (st *state) holds(c *Cond, l, r string) bool {
	switch c.Op {
	case "EQ":
		return l == r
	case "I_EQ":
		return equalFold(l, r)
	case "PREFIX":
		return strings.HasPrefix(l, r)
	case "I_PREFIX":
		return len(l) >= len(r) && equalFold(l[:len(r)], r)
	case "SUFFIX":
		return strings.HasSuffix(l, r)
	case "I_SUFFIX":
		return len(l) >= len(r) && equalFold(l[len(l)-len(r):], r)
	case "CONTAINS":
		return strings.Contains(l, r)
	case "I_CONTAINS":
		return strings.Contains(lowerASCII(l), lowerASCII(r))
	case "GT", "GE", "LT", "LE":
		return compareInts(c.Op, l, r)
	case "BETWEEN":
		n, ok1 := parseInt(l)
		lo, hi, ok2 := parseRange(r)
		return ok1 && ok2 && lo <= n && n <= hi
	case "REGEX":
		return c.Pattern.MatchString(l)
	case "BSEARCH_EQ", "BSEARCH_I_EQ":
		return st.selectRow(st.rule.Data.exact(c.Col, l, c.Op == "BSEARCH_I_EQ"))
	case "BSEARCH_PREFIX":
		return st.selectRow(st.rule.Data.longestPrefix(c.Col, l))
	case "IP_LOOKUP":
		a, ok := addrFromText(l)
		return ok && st.selectRow(st.rule.Data.ipLookup(c.Col, a))
	}
	panic("reference: operator " + c.Op)
}

// selectRow makes a found row the rule's selected row, replacing an earlier one
// (docs/semantics.md §5, row selection), and reports whether a row was found.
func (st *state) selectRow(row []string) bool {
	if row != nil {
		st.row = row
	}
	return row != nil
}

func compareInts(op, l, r string) bool {
	a, ok1 := parseInt(l)
	b, ok2 := parseInt(r)
	if !ok1 || !ok2 {
		return false
	}
	switch op {
	case "GT":
		return a > b
	case "GE":
		return a >= b
	case "LT":
		return a < b
	}
	return a <= b
}

// parseInt reads an optional sign and decimal digits, nothing else, within 64 bits
// (docs/semantics.md §5).
func parseInt(s string) (int64, bool) {
	digits := strings.TrimPrefix(strings.TrimPrefix(s, "+"), "-")
	if len(digits) < len(s)-1 || digits == "" {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// parseRange reads BETWEEN's LOW,HIGH; spaces around either number are allowed.
func parseRange(s string) (lo, hi int64, ok bool) {
	a, b, found := strings.Cut(s, ",")
	lo, ok1 := parseInt(strings.Trim(a, " "))
	hi, ok2 := parseInt(strings.Trim(b, " "))
	return lo, hi, found && ok1 && ok2
}

// equalFold is ASCII case-insensitive equality: only A-Z and a-z fold.
func equalFold(a, b string) bool { return lowerASCII(a) == lowerASCII(b) }

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
