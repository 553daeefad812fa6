package gen

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Profiles (SMC-SPEC §1, §4–§6). Each is built as a JSON tree of maps and written with
// encoding/json. Everything generated is legal: references name variables some rule defines,
// lookups sit in rules with a DataFile and search a column that holds what they need, constant
// integer operands parse, FINDINSERT has its RegEx1, TOPLINE is never deleted, {$N} appears only in
// the Output of FINDSUB and FINDINSERT with a RegEx1 and names a group its pattern has. Warnings (an
// unimported reserved variable, a lower-case method, an ignored key) are legal and generated.

type object = map[string]any

// profileGen generates one profile.
type profileGen struct {
	*source
	vars  []string       // the profile's user variables, without {$ and }
	defAt map[string]int // the rule that defines each
}

// rulePlan is what a rule's parts need to know about the rule.
type rulePlan struct {
	data   string // "", keysFile or netsFile
	keyCol int    // DataFileBSearchIndex
}

func (s *source) profile(id int) object {
	g := &profileGen{source: s, defAt: map[string]int{}}
	n := s.between(1, 6)
	if s.chance(8) {
		n = s.between(10, 24) // a dispatch table with many entries
	}
	for i := s.intn(len(userVarNames) + 1); i > 0; i-- {
		name := pick(s, userVarNames)
		if _, ok := g.defAt[name]; !ok {
			g.vars = append(g.vars, name)
			g.defAt[name] = s.intn(n)
		}
	}
	var rules []any
	for i := 0; i < n; i++ {
		rules = append(rules, g.rule(i))
	}
	return object{"ProfileID": g.profileID(id), "ProfileName": pick(s, []string{"fuzz", "a profile", "é"}), "Rules": rules}
}

// indent is how a profile's JSON is indented, one of the ways people write it.
func (s *source) indent() string { return pick(s, []string{"", " ", "\t"}) }

func marshal(p object, indent string) []byte {
	out, err := json.MarshalIndent(p, "", indent)
	if err != nil {
		panic(err) // maps of strings, numbers and slices always marshal
	}
	return out
}

// profileID is a number or a string of digits; id keeps profiles of a chain apart in audit
// records.
func (g *profileGen) profileID(id int) any {
	v := pick(g.source, []int{id, 100 + id, 2147483647 - id})
	if g.chance(4) {
		return fmt.Sprint(v)
	}
	return v
}

func (g *profileGen) rule(index int) object {
	r := object{}
	g.scope(r)
	var plan rulePlan
	if g.chance(4) {
		r["Comment"] = "rule " + fmt.Sprint(index)
	}
	g.dataFile(r, &plan)
	if vars := g.variables(index, plan); len(vars) > 0 {
		r["StoredVariables"] = vars
	}
	if conds := g.conditions(plan); len(conds) > 0 {
		r["Conditions"] = conds
	}
	if g.chance(3) {
		r["LogicalConjunction"] = pick(g.source, []string{"AND", "OR"})
	}
	g.action(r, plan)
	if g.chance(4) {
		r["Break"] = pick(g.source, []any{1, 0, "1"})
	}
	return r
}

// scope writes MsgType, ReqMethod and RspCodeList.
func (g *profileGen) scope(r object) {
	response := g.chance(3)
	if response {
		r["MsgType"] = pick(g.source, []string{"RESPONSE", "Response", "response"})
		if g.chance(2) {
			r["RspCodeList"] = g.list(codePatterns)
		}
		if g.chance(4) {
			r["ReqMethod"] = g.list(ruleMethods)
		}
	} else {
		r["MsgType"] = pick(g.source, []string{"REQUEST", "Request", "request"})
		if g.chance(2) {
			r["ReqMethod"] = g.list(ruleMethods)
		}
	}
}

// list joins one to three words with the separators operators write.
func (g *profileGen) list(words []string) string {
	var b strings.Builder
	for n := g.between(1, 3); n > 0; n-- {
		b.WriteString(pick(g.source, words))
		if n > 1 {
			b.WriteString(pick(g.source, []string{",", ", ", " , "}))
		}
	}
	return b.String()
}

func (g *profileGen) dataFile(r object, plan *rulePlan) {
	if !g.chance(3) {
		return
	}
	plan.data, plan.keyCol = pick(g.source, []string{keysFile, netsFile}), 1
	r["DataFile"] = plan.data
	if !g.chance(2) {
		return
	}
	if plan.data == netsFile {
		plan.keyCol = pick(g.source, netIPColumns)
	} else {
		plan.keyCol = g.between(1, keyColumns)
	}
	r["DataFileBSearchIndex"] = pick(g.source, []any{plan.keyCol, fmt.Sprint(plan.keyCol)})
}

// variables defines the user variables this rule is planned to define, sometimes one more, and
// imports reserved variables.
func (g *profileGen) variables(index int, plan rulePlan) []any {
	var out []any
	for _, name := range g.vars {
		if g.defAt[name] == index || g.chance(6) {
			v := object{"VariableName": "{$" + name + "}"}
			g.selection(v, plan, true, false)
			out = append(out, v)
		}
	}
	for n := g.intn(3); n > 0 && g.chance(2); n-- {
		v := object{"VariableName": "{$" + pick(g.source, reservedNames) + "}"}
		if !g.chance(6) {
			v["Porting"] = "IMPORT"
		}
		if g.chance(8) {
			v["Header"] = "From" // ignored, with a warning
		}
		out = append(out, v)
	}
	return out
}

// selection writes Header, HeaderAttr, Macro, RegEx1 and RegEx2. literal allows
// CONDITION_LITERAL and XML_BODY (conditions and variables); noTop keeps TOPLINE out
// (DELETE_LINES).
func (g *profileGen) selection(o object, plan rulePlan, literal, noTop bool) {
	switch k := g.intn(10); {
	case k == 5 && literal, k >= 8 && literal && g.chance(2):
		o["HeaderAttr"] = "XML_BODY"
		o["Header"] = pick(g.source, xmlPaths)
	case k < 6:
		if k == 0 {
			o["HeaderAttr"] = "HEADER_SECTION_ONLY"
		}
		o["Header"] = g.headerName(noTop)
	case k < 8:
		o["HeaderAttr"] = "BODY_SECTION_ONLY"
		o["Header"] = pick(g.source, bodyPrefixes)
	case literal:
		o["HeaderAttr"] = "CONDITION_LITERAL"
		o["Header"] = g.template(plan)
	default:
		o["Header"] = g.headerName(noTop)
	}
	if g.chance(4) {
		o["Macro"] = pick(g.source, macroNames)
	}
	if g.chance(3) {
		o["RegEx1"] = g.pattern()
		if g.chance(3) {
			o["RegEx2"] = g.pattern()
		}
	}
}

// headerName is a header name as a profile writes it: any form, with or without the colon, with
// spaces around; TOPLINE one time in eight.
func (g *profileGen) headerName(noTop bool) string {
	if !noTop && g.chance(8) {
		return pick(g.source, []string{"TOPLINE", "TOPLINE:"})
	}
	name := pick(g.source, pick(g.source, headerForms))
	switch g.intn(4) {
	case 1:
		return name + ":"
	case 2:
		return " " + name + " : "
	}
	return name
}

// template is a string of one to three parts, each a literal piece or a reference to a user
// variable, a reserved variable or (in a rule with a DataFile) a data file field.
func (g *profileGen) template(plan rulePlan) string {
	var b strings.Builder
	for n := g.between(1, 3); n > 0; n-- {
		if g.intn(2) == 0 {
			b.WriteString(pick(g.source, templatePieces))
		} else {
			b.WriteString(g.reference(plan))
		}
	}
	return b.String()
}

// reference is a reference to a user variable, a reserved variable or (in a rule with a
// DataFile) a data file field.
func (g *profileGen) reference(plan rulePlan) string {
	switch k := g.intn(3); {
	case k == 0 && len(g.vars) > 0:
		return "{$" + pick(g.source, g.vars) + "}"
	case k == 1 && plan.data != "":
		return fmt.Sprintf("{$DataFile.Field%d}", g.between(1, keyColumns))
	}
	return "{$" + pick(g.source, reservedNames) + "}"
}
