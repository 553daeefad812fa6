package gen

// Invalid profiles. One profile in sixteen cases gets one mistake that the spec makes a compile
// error, so that a differential target can require both sides to refuse it. Each flaw is a
// change to one rule (or the profile) that no other part of the profile can make legal again.

// flaws are the mistakes, each with the change that makes it.
var flaws = []struct {
	name  string
	apply func(s *source, p, r object)
}{
	{"undefined variable", addCond(object{"Header": "From", "Operator": "EQ", "RightOperand": "{$no-such-variable}"})},
	{"malformed reference", addCond(object{"Header": "From", "Operator": "EQ", "RightOperand": "{$a b}"})},
	{"pattern that does not compile", addCond(object{"Header": "From", "RegEx1": "(", "Operator": "EQ", "RightOperand": ""})},
	{"REGEX operand that does not compile", addCond(object{"Header": "From", "Operator": "REGEX", "RightOperand": "[z-a]"})},
	{"GT with a constant that is not an integer", addCond(object{"Header": "From", "Operator": "GT", "RightOperand": "abc"})},
	{"BETWEEN with LOW > HIGH", addCond(object{"Header": "From", "Operator": "BETWEEN", "RightOperand": "10,1"})},
	{"BETWEEN without a comma", addCond(object{"Header": "From", "Operator": "NBETWEEN", "RightOperand": "10"})},
	{"RegEx2 without RegEx1", addCond(object{"Header": "From", "RegEx2": "x", "Operator": "EQ", "RightOperand": ""})},
	{"unknown operator", addCond(object{"Header": "From", "Operator": "EQUALS", "RightOperand": ""})},
	{"unknown macro", addCond(object{"Header": "From", "Macro": "GETURI_USER", "Operator": "EQ", "RightOperand": ""})},
	{"comparison without RightOperand", addCond(object{"Header": "From", "Operator": "CONTAINS"})},
	{"condition without Operator", addCond(object{"Header": "From", "RightOperand": "x"})},
	{"empty Header", addCond(object{"Header": " : ", "Operator": "EQ", "RightOperand": ""})},
	{"XML path with a predicate", addCond(object{"Header": "//pos[1]", "HeaderAttr": "XML_BODY", "Operator": "EQ", "RightOperand": ""})},
	{"XML path with a prefix", addCond(object{"Header": "//gml:pos", "HeaderAttr": "XML_BODY", "Operator": "EQ", "RightOperand": ""})},
	{"XML_BODY in a replace definition", addDef(object{"ReplaceType": "DELETE_LINES", "Header": "//pos", "HeaderAttr": "XML_BODY"})},
	{"lookup without a DataFile", func(s *source, p, r object) {
		delete(r, "DataFile")
		delete(r, "DataFileBSearchIndex")
		addCond(object{"Header": "From", "Operator": "BSEARCH_EQ"})(s, p, r)
	}},
	{"DataFile that does not exist", func(s *source, p, r object) { r["DataFile"] = "missing.csv" }},
	{"DataFileBSearchIndex 0", func(s *source, p, r object) { r["DataFile"], r["DataFileBSearchIndex"] = keysFile, 0 }},
	{"DataFileBSearchIndex 65", func(s *source, p, r object) { r["DataFile"], r["DataFileBSearchIndex"] = keysFile, "65" }},
	{"{$DataFile.Field65}", func(s *source, p, r object) {
		r["DataFile"] = keysFile
		addDef(object{"ReplaceType": "AUDIT_RECORD", "Output": "{$DataFile.Field65}"})(s, p, r)
	}},
	{"lookup in column 65", func(s *source, p, r object) {
		r["DataFile"] = keysFile
		addCond(object{"Header": "From", "Operator": "BSEARCH_I_EQ", "RightOperand": "{$DataFile.Field65}"})(s, p, r)
	}},
	{"unknown rule key", func(s *source, p, r object) { r["Respone"] = "x" }},
	{"misspelt MsgType", func(s *source, p, r object) { r["MsgType"] = "Respone" }},
	{"RspCodeList on a REQUEST rule", func(s *source, p, r object) { r["MsgType"], r["RspCodeList"] = "REQUEST", "200" }},
	{"response code of four digits", func(s *source, p, r object) { r["MsgType"], r["RspCodeList"] = "RESPONSE", "2000" }},
	{"empty method", func(s *source, p, r object) { r["ReqMethod"] = "INVITE,,BYE" }},
	{"LogicalConjunction XOR", func(s *source, p, r object) { r["LogicalConjunction"] = "XOR" }},
	{"Break 2", func(s *source, p, r object) { r["Break"] = 2 }},
	{"no Action", func(s *source, p, r object) { delete(r, "Action"); delete(r, "ReplaceDefs") }},
	{"ReplaceDefs beside DROP_MSG", func(s *source, p, r object) {
		r["Action"], r["ReplaceDefs"] = "DROP_MSG", []any{object{"ReplaceType": "AUDIT_RECORD", "Output": "x"}}
	}},
	{"REPLACE_MSG without ReplaceDefs", func(s *source, p, r object) { r["Action"] = "REPLACE_MSG"; delete(r, "ReplaceDefs") }},
	{"DELETE_LINES on TOPLINE", addDef(object{"ReplaceType": "DELETE_LINES", "Header": "TOPLINE"})},
	{"DELETE_LINES with an Output", addDef(object{"ReplaceType": "DELETE_LINES", "Header": "Via", "Output": "x"})},
	{"FINDINSERTAFTER_LINES without RegEx1", addDef(object{"ReplaceType": "FINDINSERTAFTER_LINES", "Header": "Via", "Output": "x"})},
	{"ADD_LINE with an empty Output", addDef(object{"ReplaceType": "ADD_LINE", "Header": "Via", "Output": ""})},
	{"APPEND_LINES without Output", addDef(object{"ReplaceType": "APPEND_LINES", "Header": "Via"})},
	{"CONDITION_LITERAL in a replace definition", addDef(object{"ReplaceType": "APPEND_LINES", "Header": "x", "HeaderAttr": "CONDITION_LITERAL", "Output": "y"})},
	{"SET_DSCP 64", addDef(object{"ReplaceType": "SET_DSCP", "Output": "64"})},
	{"SET_DSCP name", addDef(object{"ReplaceType": "SET_DSCP", "Output": "AF44"})},
	{"SET_MARK past 32 bits", addDef(object{"ReplaceType": "SET_MARK", "Output": "4294967296"})},
	{"unknown ReplaceType", addDef(object{"ReplaceType": "REPLACE_LINE", "Header": "Via", "Output": "x"})},
	{"Header that is not a name", addDef(object{"ReplaceType": "APPEND_LINES", "Header": "Fr om", "Output": "x"})},
	{"topline in lower case", addDef(object{"ReplaceType": "APPEND_LINES", "Header": "topline", "Output": "x"})},
	{"{$DataFile.Field1} without a DataFile", func(s *source, p, r object) {
		delete(r, "DataFile")
		delete(r, "DataFileBSearchIndex")
		addDef(object{"ReplaceType": "AUDIT_RECORD", "Output": "{$DataFile.Field1}"})(s, p, r)
	}},
	{"VariableName without braces", addVar(object{"VariableName": "v1", "Header": "From"})},
	{"import of a user variable", addVar(object{"VariableName": "{$mine}", "Porting": "IMPORT"})},
	{"Porting EXPORT", addVar(object{"VariableName": "{$SIP.RemoteIP}", "Porting": "EXPORT"})},
	{"ProfileID past 2^31-1", func(s *source, p, r object) { p["ProfileID"] = int64(1) << 31 }},
	{"negative ProfileID", func(s *source, p, r object) { p["ProfileID"] = "-1" }},
	{"empty ProfileName", func(s *source, p, r object) { p["ProfileName"] = " " }},
	{"no Rules", func(s *source, p, r object) { p["Rules"] = []any{} }},
	{"unknown profile key", func(s *source, p, r object) { p["Rule"] = []any{} }},
}

// flaw applies one flaw to a random rule of p and names it.
func (s *source) flaw(p object) string {
	rules := p["Rules"].([]any)
	r := rules[s.intn(len(rules))].(object)
	f := pick(s, flaws)
	f.apply(s, p, r)
	return f.name
}

func addCond(c object) func(s *source, p, r object) {
	return func(s *source, p, r object) { r["Conditions"] = append(list(r, "Conditions"), c) }
}

// addDef adds a replace definition, making the rule a REPLACE_MSG rule if it was not.
func addDef(d object) func(s *source, p, r object) {
	return func(s *source, p, r object) {
		r["Action"], r["ReplaceDefs"] = "REPLACE_MSG", append(list(r, "ReplaceDefs"), d)
	}
}

func addVar(v object) func(s *source, p, r object) {
	return func(s *source, p, r object) { r["StoredVariables"] = append(list(r, "StoredVariables"), v) }
}

func list(r object, key string) []any {
	l, _ := r[key].([]any)
	return l
}
