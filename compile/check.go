package compile

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/smcproject/smc/compile/jsonpos"
	"github.com/smcproject/smc/datafile"
	"github.com/smcproject/smc/runtime/xmlscan"
)

// check turns a profile's JSON tree into the checked tree, reporting every mistake it finds with
// its position. It keeps going after a mistake so that one run shows them all.
type checker struct {
	file  string
	diags Diagnostics
}

func (c *checker) errorf(pos jsonpos.Pos, format string, args ...any) {
	c.diags = append(c.diags, Diagnostic{File: c.file, Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) warnf(pos jsonpos.Pos, format string, args ...any) {
	c.diags = append(c.diags, Diagnostic{File: c.file, Pos: pos, Severity: SeverityWarning, Msg: fmt.Sprintf(format, args...)})
}

var (
	profileKeys   = []string{"ProfileID", "ProfileName", "Rules"}
	ruleKeys      = []string{"Comment", "MsgType", "ReqMethod", "RspCodeList", "DataFile", "DataFileBSearchIndex", "StoredVariables", "LogicalConjunction", "Conditions", "Action", "ReplaceDefs", "Break"}
	selectKeys    = []string{"Header", "HeaderAttr", "Macro", "RegEx1", "RegEx2"}
	variableKeys  = append([]string{"VariableName", "Porting"}, selectKeys...)
	conditionKeys = append([]string{"Operator", "RightOperand"}, selectKeys...)
	replaceKeys   = append([]string{"ReplaceType", "Output"}, selectKeys...)

	actionNames     = []string{"DROP_MSG", "DROP_MSG_RECORD", "REPLACE_MSG"}
	msgTypeNames    = []string{"REQUEST", "RESPONSE"}
	conjNames       = []string{"AND", "OR"}
	headerAttrNames = []string{"HEADER_SECTION_ONLY", "BODY_SECTION_ONLY", "CONDITION_LITERAL", "XML_BODY"}
)

// operators maps every operator name to its positive comparison and whether it is negated.
var operators = map[string]struct {
	op     Operator
	negate bool
}{
	"EQ": {CmpEQ, false}, "NEQ": {CmpEQ, true}, "I_EQ": {CmpIEQ, false}, "I_NEQ": {CmpIEQ, true},
	"PREFIX": {CmpPrefix, false}, "NPREFIX": {CmpPrefix, true}, "I_PREFIX": {CmpIPrefix, false}, "I_NPREFIX": {CmpIPrefix, true},
	"SUFFIX": {CmpSuffix, false}, "NSUFFIX": {CmpSuffix, true}, "I_SUFFIX": {CmpISuffix, false}, "I_NSUFFIX": {CmpISuffix, true},
	"CONTAINS": {CmpContains, false}, "NCONTAINS": {CmpContains, true}, "I_CONTAINS": {CmpIContains, false}, "I_NCONTAINS": {CmpIContains, true},
	"GT": {CmpGT, false}, "GE": {CmpGE, false}, "LT": {CmpLT, false}, "LE": {CmpLE, false},
	"BETWEEN": {CmpBetween, false}, "NBETWEEN": {CmpBetween, true}, "REGEX": {CmpRegex, false}, "NREGEX": {CmpRegex, true},
	"BSEARCH_EQ": {CmpInTable, false}, "BSEARCH_NEQ": {CmpInTable, true}, "BSEARCH_I_EQ": {CmpInTableFold, false}, "BSEARCH_I_NEQ": {CmpInTableFold, true},
	"IP_LOOKUP": {CmpInNetworks, false}, "IP_NLOOKUP": {CmpInNetworks, true},
	"BSEARCH_PREFIX": {CmpInPrefixes, false}, "BSEARCH_NPREFIX": {CmpInPrefixes, true},
}

var operatorNames = sortedKeys(operators)

// foldedPrefix names the prefix lookups a reader of the other BSEARCH operators may expect but
// that do not exist: the error names the operator to use instead of the nearest spelling.
var foldedPrefix = map[string]string{"BSEARCH_I_PREFIX": "BSEARCH_PREFIX", "BSEARCH_I_NPREFIX": "BSEARCH_NPREFIX"}

var replaceTypes = map[string]ReplaceType{
	"ADD_LINE": ReplaceAddLine, "REWRITE_LINE": ReplaceRewriteLine, "DELETE_LINES": ReplaceDeleteLines, "FINDSUB_LINES": ReplaceFindSubLines,
	"APPEND_LINES": ReplaceAppendLines, "FINDINSERTAFTER_LINES": ReplaceFindInsertAfterLines, "FINDINSERTBEFORE_LINES": ReplaceFindInsertBeforeLines,
	"AUDIT_RECORD": ReplaceAuditRecord, "SET_DSCP": ReplaceSetDSCP, "SET_MARK": ReplaceSetMark,
	"SDP_REMOVE_CODECS": ReplaceSDPRemoveCodecs, "SDP_KEEP_CODECS": ReplaceSDPKeepCodecs,
}

var replaceTypeNames = sortedKeys(replaceTypes)

var macros = map[string]Macro{
	"GETDISPLAYNAME": MacroDisplayName, "GETURI": MacroURI, "GETURI_USERNAME": MacroUser,
	"GETURI_HOST": MacroHost, "GETURI_PORT": MacroPort, "GETURI_PARAMETERS": MacroParams,
}

var macroNameList = sortedKeys(macros)

// members walks an object's members, reporting keys that are unknown or given twice, and calls fn
// for each known key once.
func (c *checker) members(obj *jsonpos.Value, what string, known []string, fn func(key string, v *jsonpos.Value, keyPos jsonpos.Pos)) {
	seen := map[string]bool{}
	for _, m := range obj.Members {
		if !contains(known, m.Key) {
			c.errorf(m.KeyPos, "unknown key %q in %s%s", m.Key, what, didYouMean(m.Key, known))
			continue
		}
		if seen[m.Key] {
			c.errorf(m.KeyPos, "duplicate key %q in %s", m.Key, what)
			continue
		}
		seen[m.Key] = true
		fn(m.Key, m.Value, m.KeyPos)
	}
}

func (c *checker) isKind(v *jsonpos.Value, k jsonpos.Kind, key string) bool {
	if v.Kind != k {
		c.errorf(v.Pos, "%s must be %s %s, not %s", key, article(k), k, v.Kind)
		return false
	}
	return true
}

func article(k jsonpos.Kind) string {
	if k == jsonpos.Array || k == jsonpos.Object {
		return "an"
	}
	return "a"
}

func (c *checker) str(v *jsonpos.Value, key string) (string, bool) {
	if !c.isKind(v, jsonpos.String, key) {
		return "", false
	}
	return v.Str, true
}

// integer accepts a JSON number or a string of digits, as the guide writes both.
func (c *checker) integer(v *jsonpos.Value, key string, lo, hi int64) (int64, bool) {
	if v.Kind != jsonpos.Number && v.Kind != jsonpos.String {
		c.errorf(v.Pos, "%s must be a number, not %s", key, v.Kind)
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v.Str), 10, 64)
	if err != nil || n < lo || n > hi {
		c.errorf(v.Pos, "%s must be a whole number from %d to %d, not %s", key, lo, hi, quoteValue(v))
		return 0, false
	}
	return n, true
}

func quoteValue(v *jsonpos.Value) string {
	if v.Kind == jsonpos.String {
		return strconv.Quote(v.Str)
	}
	return v.Str
}

// enum accepts one of names, case-insensitively when fold is set, and suggests the closest one.
func (c *checker) enum(v *jsonpos.Value, key string, names []string, fold bool) (string, bool) {
	s, ok := c.str(v, key)
	if !ok {
		return "", false
	}
	for _, n := range names {
		if s == n || fold && strings.EqualFold(s, n) {
			return n, true
		}
	}
	hint := didYouMean(s, names)
	if hint == "" {
		hint = "; use one of " + strings.Join(names, ", ")
	}
	c.errorf(v.Pos, "invalid %s %q%s", key, s, hint)
	return "", false
}

func (c *checker) profile(root *jsonpos.Value) *profileNode {
	if !c.isKind(root, jsonpos.Object, "a profile") {
		return nil
	}
	p := &profileNode{}
	var rules *jsonpos.Value
	c.members(root, "the profile", profileKeys, func(key string, v *jsonpos.Value, _ jsonpos.Pos) {
		switch key {
		case "ProfileID":
			p.id, _ = c.integer(v, key, 0, 1<<31-1)
		case "ProfileName":
			if s, ok := c.str(v, key); ok {
				if strings.TrimSpace(s) == "" {
					c.errorf(v.Pos, "ProfileName must not be empty")
				}
				p.name = s
			}
		case "Rules":
			if c.isKind(v, jsonpos.Array, key) {
				rules = v
			}
		}
	})
	c.require(root, "the profile", "ProfileID", "ProfileName", "Rules")
	if rules != nil {
		if len(rules.Elems) == 0 {
			c.errorf(rules.Pos, "Rules must hold at least one rule")
		}
		if len(rules.Elems) > MaxRules {
			c.errorf(rules.Elems[MaxRules].Pos, "rule %d is one more than a profile holds (%d rules, compile.MaxRules): split the rules into several profiles of a chain", MaxRules, MaxRules)
		}
		for i, rv := range rules.Elems {
			if r := c.rule(rv, i); r != nil {
				p.rules = append(p.rules, r)
			}
		}
	}
	return p
}

// require reports the keys that obj lacks, at the object's opening brace.
func (c *checker) require(obj *jsonpos.Value, what string, keys ...string) {
	for _, k := range keys {
		if !hasKey(obj, k) {
			c.errorf(obj.Pos, "%s has no %q", what, k)
		}
	}
}

func hasKey(obj *jsonpos.Value, key string) bool {
	for _, m := range obj.Members {
		if m.Key == key {
			return true
		}
	}
	return false
}

func (c *checker) rule(v *jsonpos.Value, index int) *ruleNode {
	what := fmt.Sprintf("rule %d", index)
	if !c.isKind(v, jsonpos.Object, what) {
		return nil
	}
	r := &ruleNode{pos: v.Pos, index: index, keyCol: 1}
	var methods, codes, defs *jsonpos.Value
	var msgTypeOK bool
	c.members(v, what, ruleKeys, func(key string, v *jsonpos.Value, _ jsonpos.Pos) {
		switch key {
		case "Comment":
			r.comment, _ = c.str(v, key)
		case "MsgType":
			var t string
			t, msgTypeOK = c.enum(v, key, msgTypeNames, true)
			r.scope.Response = t == "RESPONSE"
		case "ReqMethod":
			methods = v
		case "RspCodeList":
			codes = v
		case "DataFile":
			if s, ok := c.str(v, key); ok {
				if s == "" {
					c.errorf(v.Pos, "DataFile must name a file")
				}
				r.dataFile, r.dataFilePos = s, v.Pos
			}
		case "DataFileBSearchIndex":
			if n, ok := c.integer(v, key, 1, datafile.MaxFields); ok {
				r.keyCol = int(n)
			}
		case "StoredVariables":
			if c.isKind(v, jsonpos.Array, key) {
				for _, e := range v.Elems {
					if vn := c.variable(e); vn != nil {
						r.vars = append(r.vars, vn)
					}
				}
			}
		case "LogicalConjunction":
			conj, _ := c.enum(v, key, conjNames, true)
			r.and = conj == "AND"
		case "Conditions":
			if c.isKind(v, jsonpos.Array, key) {
				for _, e := range v.Elems {
					if cn := c.condition(e); cn != nil {
						r.conds = append(r.conds, cn)
					}
				}
			}
		case "Action":
			r.action, _ = c.enum(v, key, actionNames, false)
		case "ReplaceDefs":
			defs = v
		case "Break":
			if n, ok := c.integer(v, key, 0, 1); ok {
				r.breakOut = n == 1
			}
		}
	})
	c.require(v, what, "MsgType", "Action")
	if methods != nil {
		r.scope.Methods = c.methodList(methods)
	}
	if codes != nil {
		if msgTypeOK && !r.scope.Response {
			c.errorf(codes.Pos, "RspCodeList applies to RESPONSE rules; a REQUEST rule selects methods with ReqMethod")
		} else {
			r.scope.Codes = c.codeList(codes)
		}
	}
	c.ruleActions(r, v, defs)
	c.responseTopLineMacros(r)
	return r
}

func (c *checker) ruleActions(r *ruleNode, v, defs *jsonpos.Value) {
	switch {
	case defs != nil && r.action != "" && r.action != "REPLACE_MSG":
		c.errorf(defs.Pos, "ReplaceDefs is only allowed with \"Action\": \"REPLACE_MSG\", not %s", r.action)
	case defs == nil && r.action == "REPLACE_MSG":
		c.errorf(v.Pos, "rule %d has \"Action\": \"REPLACE_MSG\" but no ReplaceDefs", r.index)
	case defs != nil && c.isKind(defs, jsonpos.Array, "ReplaceDefs"):
		if len(defs.Elems) == 0 {
			c.errorf(defs.Pos, "ReplaceDefs must hold at least one replace definition")
		}
		for _, e := range defs.Elems {
			if d := c.replaceDef(e); d != nil {
				r.defs = append(r.defs, d)
			}
		}
	}
}

// methodList splits a comma-separated ReqMethod. Methods are case-sensitive (RFC 3261), so a
// lower-case method is legal but almost always a mistake: it gets a warning.
func (c *checker) methodList(v *jsonpos.Value) []string {
	s, ok := c.str(v, "ReqMethod")
	if !ok {
		return nil
	}
	var out []string
	for _, m := range strings.Split(s, ",") {
		m = strings.TrimSpace(m)
		switch {
		case m == "":
			c.errorf(v.Pos, "ReqMethod %q has an empty method; separate methods with single commas", s)
		case !isToken(m):
			c.errorf(v.Pos, "ReqMethod %q: %q is not a SIP method", s, m)
		default:
			if up := strings.ToUpper(m); up != m {
				c.warnf(v.Pos, "method %q never matches %q: methods are case-sensitive", m, up)
			}
			out = append(out, m)
		}
	}
	return out
}

func (c *checker) codeList(v *jsonpos.Value) []string {
	s, ok := c.str(v, "RspCodeList")
	if !ok {
		return nil
	}
	var out []string
	for _, code := range strings.Split(s, ",") {
		code = strings.ToUpper(strings.TrimSpace(code))
		if !validCodePattern(code) {
			c.errorf(v.Pos, "RspCodeList %q: %q is not a response code; write three digits, X for any digit (200, 18X, 5XX)", s, code)
			continue
		}
		out = append(out, code)
	}
	return out
}

func validCodePattern(code string) bool {
	if len(code) != 3 || code[0] < '1' || code[0] > '6' && code[0] != 'X' {
		return false
	}
	for i := 0; i < 3; i++ {
		if (code[i] < '0' || code[i] > '9') && code[i] != 'X' {
			return false
		}
	}
	return true
}

func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return s != ""
}

// isTokenChar reports the RFC 3261 token characters.
func isTokenChar(b byte) bool {
	switch {
	case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		return true
	}
	return strings.IndexByte("-.!%*_+`'~", b) >= 0
}

// selection reads one of the selecting keys shared by variables, conditions and replace
// definitions into s, and HeaderAttr into attr; finishSelection checks them together once the
// object has been read, and says where CONDITION_LITERAL is allowed.
func (c *checker) selection(key string, v *jsonpos.Value, s *selectNode, attr *string) {
	switch key {
	case "Header":
		if h, ok := c.str(v, key); ok {
			s.header, s.headerPos = h, v.Pos
		}
	case "HeaderAttr":
		*attr, _ = c.enum(v, key, headerAttrNames, false)
	case "Macro":
		c.macro(v, s)
	case "RegEx1":
		if p, ok := c.str(v, key); ok {
			s.re1, s.re1Pos, s.hasRe1 = p, v.Pos, true
			c.patternRefs(v.Pos, key, p)
		}
	case "RegEx2":
		if p, ok := c.str(v, key); ok {
			s.re2, s.re2Pos, s.hasRe2 = p, v.Pos, true
			c.patternRefs(v.Pos, key, p)
		}
	}
}

// patternRefs warns about a {$NAME} inside a pattern: patterns are compiled ahead of time and
// never expanded (SMC-SPEC §4), and in a pattern $ is the end of the text, so the reference
// matches nothing and the rule silently never acts.
func (c *checker) patternRefs(pos jsonpos.Pos, key, pattern string) {
	refs, _ := templateRefs(pattern)
	if len(refs) == 0 {
		return
	}
	name := refs[0].name
	c.warnf(pos, "%s %q holds {$%s}, which is not expanded: patterns are compiled before any message arrives, and $ in a pattern is the end of the text, so it never matches; compare the value with a condition (EQ, CONTAINS, PREFIX) whose RightOperand is {$%s}", key, pattern, name, name)
}

// outputGroupRefs warns about $1 or \1 in an Output, the capture syntax of sed, Perl and
// JavaScript: it is copied as it is. A capture group is written {$1} (SMC-SPEC §6).
func (c *checker) outputGroupRefs(pos jsonpos.Pos, output string) {
	for i := 0; i+1 < len(output); i++ {
		d := output[i+1]
		if d < '0' || d > '9' || output[i] != '$' && output[i] != '\\' || i > 0 && output[i-1] == '{' {
			continue
		}
		c.warnf(pos, "Output %q holds %q, which is copied as it is: a RegEx match's capture group is written {$%c}, in the Output of FINDSUB_LINES, FINDINSERTAFTER_LINES and FINDINSERTBEFORE_LINES", output, output[i:i+2], d)
		return
	}
}

// responseTopLineMacros warns about a Macro on TOPLINE in a RESPONSE rule: a status line holds
// no URI, so every macro yields the empty string there (SMC-SPEC §3).
func (c *checker) responseTopLineMacros(r *ruleNode) {
	if !r.scope.Response {
		return
	}
	sels := []*selectNode{}
	for _, v := range r.vars {
		sels = append(sels, &v.sel)
	}
	for _, cn := range r.conds {
		sels = append(sels, &cn.sel)
	}
	for _, d := range r.defs {
		sels = append(sels, &d.sel)
	}
	for _, s := range sels {
		if s.kind == SelectTopLine && s.macro != MacroNone {
			c.warnf(s.macroPos, "Macro %s on TOPLINE always yields the empty string in a RESPONSE rule: a status line holds no URI; select the URI from a header instead (To, From, Contact)", s.macro)
		}
	}
}

func (c *checker) macro(v *jsonpos.Value, s *selectNode) {
	name, ok := c.str(v, "Macro")
	if !ok {
		return
	}
	if name == "GETURI_PARAMETERES" {
		c.warnf(v.Pos, "Macro %q is the guide's spelling of \"GETURI_PARAMETERS\"; write GETURI_PARAMETERS", name)
		name = "GETURI_PARAMETERS"
	}
	s.macroPos = v.Pos
	m, found := macros[name]
	if !found {
		hint := didYouMean(name, macroNameList)
		if hint == "" {
			hint = "; use one of " + strings.Join(macroNameList, ", ")
		}
		c.errorf(v.Pos, "invalid Macro %q%s", name, hint)
		return
	}
	s.macro = m
}

// finishSelection decides the selection's kind from HeaderAttr and checks the Header text.
func (c *checker) finishSelection(obj *jsonpos.Value, s *selectNode, attr string, allowLiteral bool, what string) {
	if s.hasRe2 && !s.hasRe1 {
		c.errorf(s.re2Pos, "RegEx2 narrows RegEx1's match, but %s has no RegEx1", what)
	}
	switch attr {
	case "CONDITION_LITERAL":
		if !allowLiteral {
			c.errorf(obj.Pos, "HeaderAttr CONDITION_LITERAL is for conditions and variables; %s acts on message lines", what)
			return
		}
		s.kind = SelectLiteral
		if !hasKey(obj, "Header") {
			c.errorf(obj.Pos, "%s has no \"Header\"; with CONDITION_LITERAL the Header is the value to compare", what)
		}
		return
	case "XML_BODY":
		c.xmlPath(obj, s, allowLiteral, what)
		return
	case "BODY_SECTION_ONLY":
		s.kind = SelectBody
		if s.header == "" {
			c.errorf(c.headerPos(obj, s), "%s needs a Header: the prefix of the body lines to select (\"c=\", \"m=audio\")", what)
		}
		return
	}
	s.kind = SelectHeader
	name := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s.header), ":"))
	switch {
	case name == "TOPLINE":
		s.kind, s.header = SelectTopLine, name
	case name == "":
		c.errorf(c.headerPos(obj, s), "%s needs a Header: the header name to select (\"From:\") or TOPLINE", what)
	case !isToken(name):
		c.errorf(s.headerPos, "Header %q is not a header name", s.header)
	case strings.EqualFold(name, "TOPLINE"):
		c.errorf(s.headerPos, "Header %q: write TOPLINE in capitals to select the start line", s.header)
	default:
		s.header = name
	}
}

// xmlPath compiles an XML_BODY selection's Header, a path into the XML body (SMC-SPEC §3.1).
// Replace definitions cannot have one: XML is read, not edited.
func (c *checker) xmlPath(obj *jsonpos.Value, s *selectNode, allowed bool, what string) {
	s.kind = SelectXML
	switch {
	case !allowed:
		c.errorf(obj.Pos, "HeaderAttr XML_BODY is for conditions and variables; %s edits lines, and XML is read, not edited: select the body's lines with BODY_SECTION_ONLY", what)
	case s.header == "":
		c.errorf(c.headerPos(obj, s), "%s needs a Header: with XML_BODY, the path of the XML values to select (\"//pos\", \"/presence/tuple/@id\")", what)
	default:
		p, err := xmlscan.ParsePath(s.header)
		if err != nil {
			c.errorf(s.headerPos, "Header %q is not an XML path: %v", s.header, err)
		}
		s.path = p
	}
}

func (c *checker) headerPos(obj *jsonpos.Value, s *selectNode) jsonpos.Pos {
	if s.headerPos.Line > 0 {
		return s.headerPos
	}
	return obj.Pos
}

func (c *checker) variable(v *jsonpos.Value) *varNode {
	if !c.isKind(v, jsonpos.Object, "a stored variable") {
		return nil
	}
	n := &varNode{pos: v.Pos}
	var attr string
	var importPos jsonpos.Pos
	imported := false
	c.members(v, "a stored variable", variableKeys, func(key string, val *jsonpos.Value, _ jsonpos.Pos) {
		switch key {
		case "VariableName":
			if s, ok := c.str(val, key); ok {
				n.namePos = val.Pos
				n.name = c.variableName(val.Pos, s)
			}
		case "Porting":
			if _, ok := c.enum(val, key, []string{"IMPORT"}, false); ok {
				imported, importPos = true, val.Pos
			}
		default:
			c.selection(key, val, &n.sel, &attr)
		}
	})
	c.require(v, "a stored variable", "VariableName")
	if n.name == "" {
		return nil
	}
	res, isReserved := reservedVariable(n.name)
	switch {
	case imported && !isReserved:
		c.errorf(importPos, "{$%s} is not a reserved variable, so it cannot be imported; remove Porting to define it from the message%s", n.name, didYouMean(n.name, reservedNameList))
		return nil
	case isReserved:
		n.reserved = res
		if !imported {
			c.warnf(n.namePos, "{$%s} is a reserved variable; add \"Porting\": \"IMPORT\"", n.name)
		}
		for _, k := range selectKeys {
			if hasKey(v, k) {
				c.warnf(v.Pos, "%s is ignored beside the reserved variable {$%s}", k, n.name)
				break
			}
		}
		return n
	}
	c.finishSelection(v, &n.sel, attr, true, "variable {$"+n.name+"}")
	return n
}

// variableName checks the {$name} form and returns the bare name.
func (c *checker) variableName(pos jsonpos.Pos, s string) string {
	if !strings.HasPrefix(s, "{$") || !strings.HasSuffix(s, "}") || !validVarName(s[2:len(s)-1]) {
		c.errorf(pos, "VariableName %q must be {$NAME} with letters, digits, '-', '_' and '.' in NAME", s)
		return ""
	}
	if _, ok := groupNumber(s[2 : len(s)-1]); ok {
		c.errorf(pos, "VariableName %q has digits only, which name a RegEx match and its capture groups ({$0} to {$9}), never a variable; give the variable a name with a letter", s)
		return ""
	}
	return s[2 : len(s)-1]
}

func validVarName(name string) bool {
	for i := 0; i < len(name); i++ {
		b := name[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_' || b == '.') {
			return false
		}
	}
	return name != ""
}

func (c *checker) condition(v *jsonpos.Value) *condNode {
	if !c.isKind(v, jsonpos.Object, "a condition") {
		return nil
	}
	n := &condNode{pos: v.Pos}
	var attr string
	c.members(v, "a condition", conditionKeys, func(key string, val *jsonpos.Value, _ jsonpos.Pos) {
		switch key {
		case "Operator":
			if twin, ok := foldedPrefix[val.Str]; ok && val.Kind == jsonpos.String {
				c.errorf(val.Pos, "invalid Operator %q: there is no case-insensitive prefix lookup; use %s, whose keys compare case-sensitively", val.Str, twin)
				return
			}
			if name, ok := c.enum(val, key, operatorNames, false); ok {
				o := operators[name]
				n.op, n.negate, n.opName, n.opPos = o.op, o.negate, name, val.Pos
			}
		case "RightOperand":
			if s, ok := c.str(val, key); ok {
				n.operand, n.hasOperand, n.operandPos = s, true, val.Pos
			}
		default:
			c.selection(key, val, &n.sel, &attr)
		}
	})
	c.require(v, "a condition", "Operator")
	c.finishSelection(v, &n.sel, attr, true, "the condition")
	if n.op == CmpRegex && n.hasOperand {
		c.patternRefs(n.operandPos, "RightOperand", n.operand)
	}
	if n.op != 0 && !n.hasOperand && needsOperand(n.op) {
		hint := ""
		if n.op == CmpEQ {
			hint = " (\"\" tests for an absent or empty header)"
		}
		c.errorf(v.Pos, "%s needs a RightOperand%s", n.opName, hint)
	}
	return n
}

func needsOperand(op Operator) bool { return !op.Lookup() }

func (c *checker) replaceDef(v *jsonpos.Value) *defNode {
	if !c.isKind(v, jsonpos.Object, "a replace definition") {
		return nil
	}
	n := &defNode{pos: v.Pos}
	var attr string
	c.members(v, "a replace definition", replaceKeys, func(key string, val *jsonpos.Value, _ jsonpos.Pos) {
		switch key {
		case "ReplaceType":
			if name, ok := c.enum(val, key, replaceTypeNames, false); ok {
				n.typ, n.typPos = replaceTypes[name], val.Pos
			}
		case "Output":
			if s, ok := c.str(val, key); ok {
				n.output, n.hasOutput, n.outputPos = s, true, val.Pos
			}
		default:
			c.selection(key, val, &n.sel, &attr)
		}
	})
	c.require(v, "a replace definition", "ReplaceType")
	if n.typ == 0 {
		return nil
	}
	c.checkDefKeys(v, n, attr)
	if n.hasOutput && n.typ != ReplaceSetDSCP && n.typ != ReplaceSetMark {
		c.outputGroupRefs(n.outputPos, n.output)
	}
	return n
}

// checkDefKeys checks the keys a replace type needs and warns about the ones it ignores.
func (c *checker) checkDefKeys(v *jsonpos.Value, n *defNode, attr string) {
	what := n.typ.String()
	switch n.typ {
	case ReplaceAuditRecord, ReplaceSetDSCP, ReplaceSetMark:
		for _, k := range selectKeys {
			if hasKey(v, k) {
				c.warnf(v.Pos, "%s is ignored by %s", k, what)
			}
		}
	case ReplaceSDPRemoveCodecs, ReplaceSDPKeepCodecs:
		c.sdpSelection(v, n, attr)
	default:
		n.hasSel = true
		c.finishSelection(v, &n.sel, attr, false, what)
	}
	switch {
	case n.typ == ReplaceDeleteLines && n.hasOutput:
		c.errorf(n.outputPos, "DELETE_LINES takes no Output")
	case n.typ.EditsSDP() && !n.hasOutput:
		c.errorf(v.Pos, "%s needs an Output: the codec names or payload types, separated by commas (\"G729, telephone-event\")", what)
	case n.typ != ReplaceDeleteLines && !n.hasOutput:
		c.errorf(v.Pos, "%s needs an Output", what)
	case n.typ == ReplaceDeleteLines && n.sel.kind == SelectTopLine:
		c.errorf(n.sel.headerPos, "the start line (TOPLINE) cannot be deleted; rewrite it with REWRITE_LINE")
	case (n.typ == ReplaceFindInsertAfterLines || n.typ == ReplaceFindInsertBeforeLines) && !n.sel.hasRe1:
		c.errorf(v.Pos, "%s needs RegEx1: the text to insert %s", what, map[bool]string{true: "after", false: "before"}[n.typ == ReplaceFindInsertAfterLines])
	case n.typ == ReplaceAddLine && n.hasOutput && n.output == "":
		c.errorf(n.outputPos, "ADD_LINE needs a non-empty Output: the line to add")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
