package gen

import "fmt"

// Conditions (SMC-SPEC §5) and actions (§6) of a rule.

func (g *profileGen) conditions(plan rulePlan) []any {
	n := pick(g.source, []int{0, 1, 1, 2, 3})
	var out []any
	for ; n > 0; n-- {
		out = append(out, g.condition(plan))
	}
	return out
}

// condition picks an operator and writes the operand it needs: a template for the string
// comparisons, an integer or range (constant, or a template checked only at run time) for the
// numeric ones, a pattern for REGEX, and for lookups nothing or the column to search.
func (g *profileGen) condition(plan rulePlan) object {
	c := object{}
	g.selection(c, plan, true, false)
	switch k := g.intn(10); {
	case k < 4:
		c["Operator"] = pick(g.source, comparisonOps)
		c["RightOperand"] = pick(g.source, []string{g.template(plan), "", g.template(plan)})
	case k == 4:
		c["Operator"] = pick(g.source, integerOps)
		c["RightOperand"] = g.numeric(plan, integers)
	case k == 5:
		c["Operator"] = pick(g.source, []string{"BETWEEN", "NBETWEEN"})
		c["RightOperand"] = g.numeric(plan, ranges)
	case k == 6:
		c["Operator"] = pick(g.source, []string{"REGEX", "NREGEX"})
		c["RightOperand"] = g.pattern()
	case plan.data != "":
		g.lookup(c, plan)
	default:
		c["Operator"] = pick(g.source, comparisonOps)
		c["RightOperand"] = g.template(plan)
	}
	return c
}

// numeric is a constant from consts, or now and then text with a reference, which may expand to
// anything: the compiler checks only constant operands.
func (g *profileGen) numeric(plan rulePlan, consts []string) string {
	if g.chance(4) {
		ref := g.reference(plan)
		return pick(g.source, []string{ref, "1," + ref, ref + "0", ref + "," + ref})
	}
	return pick(g.source, consts)
}

// lookup writes a BSEARCH or IP operator. IP lookups go to nets.csv only, on a column of
// networks.
func (g *profileGen) lookup(c object, plan rulePlan) {
	ip := plan.data == netsFile && g.chance(2)
	if ip {
		c["Operator"] = pick(g.source, []string{"IP_LOOKUP", "IP_NLOOKUP"})
	} else {
		c["Operator"] = pick(g.source, []string{"BSEARCH_EQ", "BSEARCH_NEQ", "BSEARCH_I_EQ", "BSEARCH_I_NEQ"})
	}
	switch k := g.intn(4); {
	case k == 1 && ip:
		c["RightOperand"] = fmt.Sprintf("{$DataFile.Field%d}", pick(g.source, netIPColumns))
	case k == 1:
		c["RightOperand"] = fmt.Sprintf("{$DataFile.Field%d}", g.between(1, keyColumns))
	case k == 2:
		c["RightOperand"] = "ignored" // a warning
	}
}

// action writes Action, and ReplaceDefs for REPLACE_MSG. Drops are rare, since one ends the
// whole chain and a case of many rules would otherwise seldom get past one.
func (g *profileGen) action(r object, plan rulePlan) {
	switch g.intn(64) {
	case 62:
		r["Action"] = "DROP_MSG"
		return
	case 63:
		r["Action"] = "DROP_MSG_RECORD"
		return
	}
	r["Action"] = "REPLACE_MSG"
	var defs []any
	for n := pick(g.source, []int{1, 1, 2, 3, 4}); n > 0; n-- {
		defs = append(defs, g.replaceDef(plan))
	}
	r["ReplaceDefs"] = defs
}

var replaceTypes = []string{"ADD_LINE", "REWRITE_LINE", "DELETE_LINES", "FINDSUB_LINES", "APPEND_LINES",
	"FINDINSERTAFTER_LINES", "FINDINSERTBEFORE_LINES", "AUDIT_RECORD", "SET_DSCP", "SET_MARK"}

// replaceDef writes one replace definition with the keys its type needs.
func (g *profileGen) replaceDef(plan rulePlan) object {
	typ := pick(g.source, replaceTypes)
	d := object{"ReplaceType": typ}
	switch typ {
	case "SET_DSCP":
		d["Output"] = pick(g.source, dscpValues)
	case "SET_MARK":
		d["Output"] = pick(g.source, markValues)
	case "AUDIT_RECORD":
		d["Output"] = g.template(plan)
		if g.chance(8) {
			d["Header"] = "From" // ignored, with a warning
		}
	case "DELETE_LINES":
		g.selection(d, plan, false, true)
	case "ADD_LINE", "REWRITE_LINE":
		g.selection(d, plan, false, false)
		d["Output"] = g.line(plan, typ == "REWRITE_LINE")
	default:
		g.selection(d, plan, false, false)
		if _, ok := d["RegEx1"]; !ok && typ != "FINDSUB_LINES" && typ != "APPEND_LINES" {
			d["RegEx1"] = g.pattern()
		}
		d["Output"] = pick(g.source, []string{g.template(plan), "", g.template(plan)})
	}
	return d
}

// line is the Output of ADD_LINE or REWRITE_LINE: a whole line (directives and start lines
// among them), a header line built from a template, or (REWRITE_LINE) nothing.
func (g *profileGen) line(plan rulePlan, mayBeEmpty bool) string {
	if g.chance(12) {
		return pick(g.source, directiveLines)
	}
	switch g.intn(4) {
	case 0, 1:
		return pick(g.source, outputLines)
	case 2:
		return "X-V: " + g.template(plan)
	}
	if mayBeEmpty && g.chance(2) {
		return ""
	}
	return g.template(plan)
}
