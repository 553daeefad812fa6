package reference

import (
	"regexp"
	"strconv"
	"strings"
)

// Reading one rule (SMC-SPEC §1 rule keys, and the keys of §3–§6 inside it).

var (
	selectKeys = []string{"Header", "HeaderAttr", "Macro", "RegEx1", "RegEx2"}
	macroNames = []string{"GETDISPLAYNAME", "GETURI", "GETURI_USERNAME", "GETURI_HOST", "GETURI_PORT", "GETURI_PARAMETERS"}

	// positive names every operator by its positive twin.
	positive = map[string]string{
		"EQ": "EQ", "NEQ": "EQ", "I_EQ": "I_EQ", "I_NEQ": "I_EQ",
		"PREFIX": "PREFIX", "NPREFIX": "PREFIX", "I_PREFIX": "I_PREFIX", "I_NPREFIX": "I_PREFIX",
		"SUFFIX": "SUFFIX", "NSUFFIX": "SUFFIX", "I_SUFFIX": "I_SUFFIX", "I_NSUFFIX": "I_SUFFIX",
		"CONTAINS": "CONTAINS", "NCONTAINS": "CONTAINS", "I_CONTAINS": "I_CONTAINS", "I_NCONTAINS": "I_CONTAINS",
		"GT": "GT", "GE": "GE", "LT": "LT", "LE": "LE", "BETWEEN": "BETWEEN", "NBETWEEN": "BETWEEN",
		"REGEX": "REGEX", "NREGEX": "REGEX",
		"BSEARCH_EQ": "BSEARCH_EQ", "BSEARCH_NEQ": "BSEARCH_EQ", "BSEARCH_I_EQ": "BSEARCH_I_EQ", "BSEARCH_I_NEQ": "BSEARCH_I_EQ",
		"IP_LOOKUP": "IP_LOOKUP", "IP_NLOOKUP": "IP_LOOKUP",
		"BSEARCH_PREFIX": "BSEARCH_PREFIX", "BSEARCH_NPREFIX": "BSEARCH_PREFIX",
	}
	negated = map[string]bool{
		"NEQ": true, "I_NEQ": true, "NPREFIX": true, "I_NPREFIX": true, "NSUFFIX": true, "I_NSUFFIX": true,
		"NCONTAINS": true, "I_NCONTAINS": true, "NBETWEEN": true, "NREGEX": true,
		"BSEARCH_NEQ": true, "BSEARCH_I_NEQ": true, "IP_NLOOKUP": true, "BSEARCH_NPREFIX": true,
	}
	replaceTypes = []string{"ADD_LINE", "REWRITE_LINE", "DELETE_LINES", "FINDSUB_LINES", "APPEND_LINES",
		"FINDINSERTAFTER_LINES", "FINDINSERTBEFORE_LINES", "AUDIT_RECORD", "SET_DSCP", "SET_MARK",
		"SDP_REMOVE_CODECS", "SDP_KEEP_CODECS"}
)

func (r *reader) readRule(obj map[string]any, index int) *Rule {
	r.keys(obj, "a rule", "Comment", "MsgType", "ReqMethod", "RspCodeList", "DataFile", "DataFileBSearchIndex",
		"StoredVariables", "LogicalConjunction", "Conditions", "Action", "ReplaceDefs", "Break")
	rule := &Rule{Index: index}
	r.rule = rule
	r.str(obj, "Comment", false)
	if _, ok := obj["MsgType"]; !ok {
		r.fail("rule %d has no MsgType", index)
	}
	rule.Response = r.oneOf(obj, "MsgType", true, "REQUEST", "RESPONSE") == "RESPONSE"
	if _, ok := obj["ReqMethod"]; ok {
		rule.Methods = r.methods(r.str(obj, "ReqMethod", false))
	}
	if _, ok := obj["RspCodeList"]; ok {
		if !rule.Response {
			r.fail("RspCodeList on a REQUEST rule")
		}
		rule.Codes = r.codes(r.str(obj, "RspCodeList", false))
	}
	rule.KeyCol = int(r.integer(obj, "DataFileBSearchIndex", 1, maxFields, 1))
	if _, ok := obj["DataFile"]; ok {
		rule.Data = r.dataFile(r.str(obj, "DataFile", false))
	}
	if _, ok := obj["LogicalConjunction"]; ok {
		rule.And = r.oneOf(obj, "LogicalConjunction", true, "AND", "OR") == "AND"
	}
	for _, v := range r.objects(obj, "StoredVariables") {
		rule.Vars = append(rule.Vars, r.variable(v))
	}
	for _, c := range r.objects(obj, "Conditions") {
		rule.Conds = append(rule.Conds, r.condition(c))
	}
	r.action(obj, rule)
	rule.Break = r.integer(obj, "Break", 0, 1, 0) == 1
	return rule
}

// objects reads an optional array of objects.
func (r *reader) objects(obj map[string]any, key string) []map[string]any {
	v, ok := obj[key]
	if !ok {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		r.fail("%s is not an array", key)
	}
	var out []map[string]any
	for _, e := range list {
		o, ok := e.(map[string]any)
		if !ok {
			r.fail("an element of %s is not an object", key)
			continue
		}
		out = append(out, o)
	}
	return out
}

// methods splits ReqMethod at commas; whitespace around items is ignored (SMC-SPEC §1).
func (r *reader) methods(s string) []string {
	var out []string
	for _, m := range strings.Split(s, ",") {
		m = strings.TrimSpace(m)
		if !isToken(m) {
			r.fail("ReqMethod %q: %q is not a method", s, m)
		}
		out = append(out, m)
	}
	return out
}

// codes splits RspCodeList: three characters, each a digit or X (SMC-SPEC §1).
func (r *reader) codes(s string) []string {
	var out []string
	for _, c := range strings.Split(s, ",") {
		c = strings.ToUpper(strings.TrimSpace(c))
		ok := len(c) == 3 && (c[0] >= '1' && c[0] <= '6' || c[0] == 'X')
		for i := 0; ok && i < 3; i++ {
			ok = c[i] >= '0' && c[i] <= '9' || c[i] == 'X'
		}
		if !ok {
			r.fail("RspCodeList %q: %q is not a code", s, c)
		}
		out = append(out, c)
	}
	return out
}

func (r *reader) action(obj map[string]any, rule *Rule) {
	if _, ok := obj["Action"]; !ok {
		r.fail("rule %d has no Action", rule.Index)
	}
	rule.Action = r.oneOf(obj, "Action", false, "DROP_MSG", "DROP_MSG_RECORD", "REPLACE_MSG")
	_, hasDefs := obj["ReplaceDefs"]
	if hasDefs != (rule.Action == "REPLACE_MSG") {
		r.fail("rule %d: ReplaceDefs goes with REPLACE_MSG and only with it", rule.Index)
	}
	defs := r.objects(obj, "ReplaceDefs")
	if hasDefs && len(defs) == 0 {
		r.fail("rule %d: ReplaceDefs is empty", rule.Index)
	}
	for _, d := range defs {
		rule.Defs = append(rule.Defs, r.def(d))
	}
}

// selection reads the selecting keys. literal says whether CONDITION_LITERAL is allowed.
func (r *reader) selection(obj map[string]any, literal bool) Selection {
	s := Selection{Header: r.str(obj, "Header", false), Attr: "HEADER_SECTION_ONLY"}
	if _, ok := obj["HeaderAttr"]; ok {
		s.Attr = r.oneOf(obj, "HeaderAttr", false, "HEADER_SECTION_ONLY", "BODY_SECTION_ONLY", "CONDITION_LITERAL", "XML_BODY")
	}
	if _, ok := obj["Macro"]; ok {
		s.Macro = r.str(obj, "Macro", false)
		if s.Macro == "GETURI_PARAMETERES" { // the guide's spelling (SMC-SPEC §1)
			s.Macro = "GETURI_PARAMETERS"
		}
		if !contains(macroNames, s.Macro) {
			r.fail("Macro %q", s.Macro)
		}
	}
	if _, ok := obj["RegEx1"]; ok {
		s.Re1 = r.pattern(r.str(obj, "RegEx1", false))
	}
	if _, ok := obj["RegEx2"]; ok {
		if s.Re1 == nil {
			r.fail("RegEx2 without RegEx1")
		}
		s.Re2 = r.pattern(r.str(obj, "RegEx2", false))
	}
	switch s.Attr {
	case "CONDITION_LITERAL":
		if _, ok := obj["Header"]; !literal || !ok {
			r.fail("CONDITION_LITERAL needs a Header, in a condition or variable")
		}
	case "BODY_SECTION_ONLY":
		if s.Header == "" {
			r.fail("BODY_SECTION_ONLY needs a Header")
		}
	case "XML_BODY":
		// SMC-SPEC §3.1: read, not edited; a path that does not follow the grammar is an error.
		var err error
		if s.path, err = parsePath(s.Header); !literal || err != nil {
			r.fail("XML_BODY path %q in a condition or variable: %v", s.Header, err)
		}
	default:
		// docs/semantics.md §3: the name is compared without a trailing colon and white space.
		s.Header = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s.Header), ":"))
		if !isToken(s.Header) || s.Header != "TOPLINE" && strings.EqualFold(s.Header, "TOPLINE") {
			r.fail("Header %q is not a header name", s.Header)
		}
	}
	return s
}

// pattern compiles an RE2 pattern for leftmost-longest matching (SMC-SPEC §3).
func (r *reader) pattern(src string) *regexp.Regexp {
	re, err := regexp.Compile(src)
	if err != nil {
		r.fail("pattern %q: %v", src, err)
		return regexp.MustCompile(`$^`)
	}
	re.Longest()
	return re
}

func (r *reader) variable(obj map[string]any) *Var {
	r.keys(obj, "a variable", append([]string{"VariableName", "Porting"}, selectKeys...)...)
	v := &Var{}
	full := r.str(obj, "VariableName", true)
	name, ok := strings.CutPrefix(full, "{$")
	if name, ok = strings.CutSuffix(name, "}"); !ok || !validName(name) {
		r.fail("VariableName %q", full)
	}
	if isGroup(name) {
		r.fail("VariableName %q names a capture group (SMC-SPEC §4)", full)
	}
	v.Name = name
	_, imported := obj["Porting"]
	if imported && r.oneOf(obj, "Porting", false, "IMPORT") == "" {
		return v
	}
	// docs/semantics.md §4: a reserved name is an import with or without Porting; a user name
	// cannot be imported.
	if v.Reserved = isReserved(name); imported && !v.Reserved {
		r.fail("{$%s} is not reserved and cannot be imported", name)
	}
	if !v.Reserved {
		v.Sel = r.selection(obj, true)
	}
	return v
}

func (r *reader) condition(obj map[string]any) *Cond {
	r.keys(obj, "a condition", append([]string{"Operator", "RightOperand"}, selectKeys...)...)
	c := &Cond{Sel: r.selection(obj, true)}
	name := r.str(obj, "Operator", true)
	if c.Op = positive[name]; c.Op == "" {
		r.fail("Operator %q", name)
	}
	c.Negate = negated[name]
	_, c.HasOperand = obj["RightOperand"]
	c.Operand = r.str(obj, "RightOperand", false)
	lookup := strings.HasPrefix(c.Op, "BSEARCH") || c.Op == "IP_LOOKUP"
	switch {
	case !c.HasOperand && !lookup:
		r.fail("%s needs a RightOperand", name)
	case c.Op == "REGEX":
		c.Pattern = r.pattern(c.Operand)
	case lookup:
		r.lookup(c)
	case !strings.Contains(c.Operand, "{$"):
		r.constantOperand(c)
	}
	return c
}

// constantOperand checks an operand without references that must be a number (docs/semantics.md
// §5: GT/GE/LT/LE need an integer, BETWEEN LOW,HIGH with LOW <= HIGH).
func (r *reader) constantOperand(c *Cond) {
	switch c.Op {
	case "GT", "GE", "LT", "LE":
		if _, ok := parseInt(c.Operand); !ok {
			r.fail("%s needs an integer, not %q", c.Op, c.Operand)
		}
	case "BETWEEN":
		if lo, hi, ok := parseRange(c.Operand); !ok || lo > hi {
			r.fail("BETWEEN needs LOW,HIGH, not %q", c.Operand)
		}
	}
}

// lookup resolves the column a BSEARCH or IP condition searches (SMC-SPEC §5): the key column,
// unless the operand is exactly {$DataFile.FieldN}.
func (r *reader) lookup(c *Cond) {
	rule := r.rule
	if rule.Data == nil {
		r.fail("rule %d: %s needs a DataFile", rule.Index, c.Op)
		return
	}
	c.Col = rule.KeyCol
	if n, ok := dataField(strings.TrimSuffix(strings.TrimPrefix(c.Operand, "{$"), "}")); ok &&
		strings.HasPrefix(c.Operand, "{$") && strings.HasSuffix(c.Operand, "}") {
		c.Col = n
	}
	if c.Col > maxFields {
		r.fail("rule %d: {$DataFile.Field%d} is past column %d", rule.Index, c.Col, maxFields)
		return
	}
	if c.Op == "IP_LOOKUP" {
		if err := rule.Data.networks(c.Col); err != nil {
			r.fail("rule %d: %v", rule.Index, err)
		}
	}
}

func (r *reader) def(obj map[string]any) *Def {
	r.keys(obj, "a replace definition", append([]string{"ReplaceType", "Output"}, selectKeys...)...)
	d := &Def{Type: r.oneOf(obj, "ReplaceType", false, replaceTypes...)}
	_, hasOutput := obj["Output"]
	d.Output = r.str(obj, "Output", false)
	switch d.Type {
	case "AUDIT_RECORD":
	case "SET_DSCP":
		d.Value = r.dscp(d.Output)
	case "SET_MARK":
		d.Value = r.mark(d.Output)
	case "SDP_REMOVE_CODECS", "SDP_KEEP_CODECS":
		d.Sel = r.sdpSelection(obj)
		if !strings.Contains(d.Output, "{$") && len(codecItems(d.Output)) == 0 {
			r.fail("%s needs a codec in its Output", d.Type)
		}
	default:
		d.Sel = r.selection(obj, false)
	}
	switch {
	case d.Type == "DELETE_LINES" && hasOutput, d.Type != "DELETE_LINES" && !hasOutput:
		r.fail("%s: Output is required, and not allowed with DELETE_LINES", d.Type)
	case d.Type == "DELETE_LINES" && d.Sel.Header == "TOPLINE" && d.Sel.Attr == "HEADER_SECTION_ONLY":
		r.fail("TOPLINE cannot be deleted")
	case strings.HasPrefix(d.Type, "FINDINSERT") && d.Sel.Re1 == nil:
		r.fail("%s needs RegEx1", d.Type)
	case d.Type == "ADD_LINE" && d.Output == "":
		r.fail("ADD_LINE needs an Output")
	}
	return d
}

// dscpNames are the DSCP names SET_DSCP accepts (SMC-SPEC §6): RFC 2474 class selectors, RFC 2597
// assured forwarding (AFxy = 8x + 2y), RFC 3246 expedited forwarding, RFC 5865 voice admit.
var dscpNames = map[string]uint32{
	"EF": 46, "VA": 44,
	"CS0": 0, "CS1": 8, "CS2": 16, "CS3": 24, "CS4": 32, "CS5": 40, "CS6": 48, "CS7": 56,
	"AF11": 10, "AF12": 12, "AF13": 14, "AF21": 18, "AF22": 20, "AF23": 22,
	"AF31": 26, "AF32": 28, "AF33": 30, "AF41": 34, "AF42": 36, "AF43": 38,
}

// dscp reads a SET_DSCP value; names are case-insensitive and white space around the value is
// ignored (docs/semantics.md §6).
func (r *reader) dscp(s string) uint32 {
	s = strings.TrimSpace(s)
	if v, ok := dscpNames[strings.ToUpper(s)]; ok {
		return v
	}
	n, err := strconv.ParseUint(s, 10, 8)
	if err != nil || n > 63 {
		r.fail("SET_DSCP %q", s)
	}
	return uint32(n)
}

// mark reads a SET_MARK value: decimal or 0x hex, 0..2^32-1; the prefix may be 0X, as strtoul
// reads it (docs/semantics.md §6).
func (r *reader) mark(s string) uint32 {
	s = strings.TrimSpace(s)
	base := 10
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s, base = s[2:], 16
	}
	n, err := strconv.ParseUint(s, base, 32)
	if err != nil {
		r.fail("SET_MARK %q", s)
	}
	return uint32(n)
}

// isToken reports whether s is an RFC 3261 token.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-.!%*_+`'~", c) >= 0) {
			return false
		}
	}
	return s != ""
}
