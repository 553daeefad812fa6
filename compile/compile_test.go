package compile

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files (review the diff before committing)")

// rule wraps rule JSON in a profile whose rule starts on line 2, column 1.
func rule(body string) string {
	return "{\"ProfileID\": 1, \"ProfileName\": \"t\", \"Rules\": [\n" + body + "\n]}"
}

func compileString(src string, data map[string]string) (*Program, Diagnostics) {
	return Compile("p.json", []byte(src), Options{OpenData: func(name string) ([]byte, error) {
		if d, ok := data[name]; ok {
			return []byte(d), nil
		}
		return nil, os.ErrNotExist
	}})
}

// TestPrefixDiagnostics: the BSEARCH_PREFIX operators are checked as the other lookups are, with
// a data file to read.
func TestPrefixDiagnostics(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"misspelt prefix lookup", rule(`{"MsgType": "REQUEST", "DataFile": "d.csv", "Conditions": [{"Header": "To", "Operator": "BSEARCH_PREFX"}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:36: warning: DataFile "d.csv" is not used: rule 0 has no BSEARCH or IP_LOOKUP condition and no {$SMC.RandN} variable, so no row is ever selected and every {$DataFile.FieldN} is empty; add a condition that searches it, or remove DataFile`, `p.json:2:89: invalid Operator "BSEARCH_PREFX"; did you mean "BSEARCH_PREFIX"?`}},
		{"no folded prefix lookup", rule(`{"MsgType": "REQUEST", "DataFile": "d.csv", "Conditions": [{"Header": "To", "Operator": "BSEARCH_I_PREFIX"}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:36: warning: DataFile "d.csv" is not used: rule 0 has no BSEARCH or IP_LOOKUP condition and no {$SMC.RandN} variable, so no row is ever selected and every {$DataFile.FieldN} is empty; add a condition that searches it, or remove DataFile`,
				`p.json:2:89: invalid Operator "BSEARCH_I_PREFIX": there is no case-insensitive prefix lookup; use BSEARCH_PREFIX, whose keys compare case-sensitively`}},
		{"prefix lookup column past a row", rule(`{"MsgType": "REQUEST", "DataFile": "d.csv", "Conditions": [{"Header": "To", "Operator": "BSEARCH_PREFIX", "RightOperand": "{$DataFile.Field65}"}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:123: {$DataFile.Field65} names column 65, but a data file row has at most 64 (datafile.MaxFields)`}},
		{"prefix lookup operand ignored", rule(`{"MsgType": "REQUEST", "DataFile": "d.csv", "Conditions": [{"Header": "To", "Operator": "BSEARCH_PREFIX", "RightOperand": "1800"}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:123: warning: RightOperand "1800" is ignored by BSEARCH_PREFIX; only {$DataFile.FieldN} (the column to search) is used`}},
	}
	for _, tt := range tests {
		_, diags := compileString(tt.src, map[string]string{"d.csv": "1,a\n"})
		var got []string
		for _, d := range diags {
			got = append(got, d.String())
		}
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s:\ngot\n  %s\nwant\n  %s", tt.name, strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
		}
	}
}

func TestDiagnostics(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"unknown key", rule(`{"MsgType": "REQUEST", "Respone": 1, "Action": "DROP_MSG"}`),
			[]string{`p.json:2:24: unknown key "Respone" in rule 0`}},
		{"misspelt key", rule(`{"MsgTyp": "REQUEST", "Action": "DROP_MSG"}`),
			[]string{`p.json:2:1: rule 0 has no "MsgType"`, `p.json:2:2: unknown key "MsgTyp" in rule 0; did you mean "MsgType"?`}},
		{"misspelt enum", rule(`{"MsgType": "Respone", "Action": "DROP_MSG"}`),
			[]string{`p.json:2:13: invalid MsgType "Respone"; did you mean "RESPONSE"?`}},
		{"lower-case msgtype ok", rule(`{"MsgType": "Request", "Action": "DROP_MSG"}`), nil},
		{"RspCodeList on request", rule(`{"MsgType": "REQUEST", "RspCodeList": "200", "Action": "DROP_MSG"}`),
			[]string{`p.json:2:39: RspCodeList applies to RESPONSE rules; a REQUEST rule selects methods with ReqMethod`}},
		{"bad code", rule(`{"MsgType": "RESPONSE", "RspCodeList": "5XX,2000", "Action": "DROP_MSG"}`),
			[]string{`p.json:2:40: RspCodeList "5XX,2000": "2000" is not a response code; write three digits, X for any digit (200, 18X, 5XX)`}},
		{"lower-case method warns", rule(`{"MsgType": "REQUEST", "ReqMethod": "invite", "Action": "DROP_MSG"}`),
			[]string{`p.json:2:37: warning: method "invite" never matches "INVITE": methods are case-sensitive`}},
		{"replace without defs", rule(`{"MsgType": "REQUEST", "Action": "REPLACE_MSG"}`),
			[]string{`p.json:2:1: rule 0 has "Action": "REPLACE_MSG" but no ReplaceDefs`}},
		{"defs with drop", rule(`{"MsgType": "REQUEST", "Action": "DROP_MSG", "ReplaceDefs": []}`),
			[]string{`p.json:2:61: ReplaceDefs is only allowed with "Action": "REPLACE_MSG", not DROP_MSG`}},
		{"missing operand", rule(`{"MsgType": "REQUEST", "Conditions": [{"Header": "To", "Operator": "EQ"}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:39: EQ needs a RightOperand ("" tests for an absent or empty header)`}},
		{"bad integer operand", rule(`{"MsgType": "REQUEST", "Conditions": [{"Header": "Max-Forwards", "Operator": "LT", "RightOperand": "five"}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:100: LT compares integers, but RightOperand "five" is not one`}},
		{"empty between", rule(`{"MsgType": "REQUEST", "Conditions": [{"Header": "X", "Operator": "BETWEEN", "RightOperand": "9,1"}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:94: BETWEEN range "9,1" is empty: LOW is greater than HIGH`}},
		{"bad regex", rule(`{"MsgType": "REQUEST", "Conditions": [{"Header": "X", "RegEx1": "[a-", "Operator": "NEQ", "RightOperand": ""}], "Action": "DROP_MSG"}`),
			[]string{"p.json:2:65: RegEx1 \"[a-\" does not compile: error parsing regexp: missing closing ]: `[a-`"}},
		{"regex2 alone", rule(`{"MsgType": "REQUEST", "Conditions": [{"Header": "X", "RegEx2": "a", "Operator": "NEQ", "RightOperand": ""}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:65: RegEx2 narrows RegEx1's match, but the condition has no RegEx1`}},
		{"undefined variable", rule(`{"MsgType": "REQUEST", "StoredVariables": [{"VariableName": "{$PAI-User}", "Header": "P-Asserted-Identity"}], "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "To", "Output": "X: {$PAI-Usr}"}]}`),
			[]string{`p.json:2:206: undefined variable {$PAI-Usr}: no rule of the profile defines it in StoredVariables; did you mean "{$PAI-User}"?`}},
		{"import of user variable", rule(`{"MsgType": "REQUEST", "StoredVariables": [{"VariableName": "{$Mine}", "Porting": "IMPORT"}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:83: {$Mine} is not a reserved variable, so it cannot be imported; remove Porting to define it from the message`}},
		{"reserved with header warns", rule(`{"MsgType": "REQUEST", "StoredVariables": [{"VariableName": "{$SMC.Rand1000}", "Header": "From:", "Porting": "IMPORT"}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:44: warning: Header is ignored beside the reserved variable {$SMC.Rand1000}`}},
		{"guide macro spelling", rule(`{"MsgType": "REQUEST", "Conditions": [{"Header": "To", "Macro": "GETURI_PARAMETERES", "Operator": "NEQ", "RightOperand": ""}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:65: warning: Macro "GETURI_PARAMETERES" is the guide's spelling of "GETURI_PARAMETERS"; write GETURI_PARAMETERS`}},
		{"lookup without datafile", rule(`{"MsgType": "REQUEST", "Conditions": [{"Header": "To", "Operator": "BSEARCH_EQ"}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:68: BSEARCH_EQ searches the rule's DataFile, but rule 0 has no DataFile`}},
		{"prefix lookup without datafile", rule(`{"MsgType": "REQUEST", "Conditions": [{"Header": "To", "Operator": "BSEARCH_PREFIX"}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:68: BSEARCH_PREFIX searches the rule's DataFile, but rule 0 has no DataFile`}},
		{"negated prefix lookup without datafile", rule(`{"MsgType": "REQUEST", "Conditions": [{"Header": "To", "Operator": "BSEARCH_NPREFIX"}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:68: BSEARCH_NPREFIX searches the rule's DataFile, but rule 0 has no DataFile`}},
		{"missing datafile", rule(`{"MsgType": "REQUEST", "DataFile": "nope.csv", "Conditions": [{"Header": "To", "Operator": "BSEARCH_EQ"}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:36: rule 0: cannot read DataFile "nope.csv": file does not exist`}},
		{"delete topline", rule(`{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "DELETE_LINES", "Header": "TOPLINE"}]}`),
			[]string{`p.json:2:107: the start line (TOPLINE) cannot be deleted; rewrite it with REWRITE_LINE`}},
		// FuzzCompile found that the missing Output was also read as a DSCP, an error at 0:0.
		{"dscp without output", rule(`{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "SET_DSCP"}]}`),
			[]string{`p.json:2:65: SET_DSCP needs an Output`}},
		{"mark without output", rule(`{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "SET_MARK"}]}`),
			[]string{`p.json:2:65: SET_MARK needs an Output`}},
		{"bad dscp", rule(`{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "SET_DSCP", "Output": "EX"}]}`),
			[]string{`p.json:2:103: SET_DSCP Output "EX" is not a DSCP: write a number 0..63 or a name (EF, CS0..CS7, AF11..AF43, VA)`}},
		{"literal in action", rule(`{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "x", "HeaderAttr": "CONDITION_LITERAL", "Output": "y"}]}`),
			[]string{`p.json:2:65: HeaderAttr CONDITION_LITERAL is for conditions and variables; ADD_LINE acts on message lines`}},
		{"xml in action", rule(`{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "DELETE_LINES", "Header": "//pos", "HeaderAttr": "XML_BODY"}]}`),
			[]string{`p.json:2:65: HeaderAttr XML_BODY is for conditions and variables; DELETE_LINES edits lines, and XML is read, not edited: select the body's lines with BODY_SECTION_ONLY`}},
		{"xml path with prefix", rule(`{"MsgType": "REQUEST", "Conditions": [{"Header": "//gml:pos", "HeaderAttr": "XML_BODY", "Operator": "NEQ", "RightOperand": ""}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:50: Header "//gml:pos" is not an XML path: names compare the local name and ignore namespaces: write pos instead of gml:pos`}},
		{"xml path predicate", rule(`{"MsgType": "REQUEST", "StoredVariables": [{"VariableName": "{$p}", "Header": "/a/b[1]", "HeaderAttr": "XML_BODY"}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:79: Header "/a/b[1]" is not an XML path: predicates and functions are not supported: write element names, * and a final /@name`}},
		{"misspelt XML_BODY", rule(`{"MsgType": "REQUEST", "Conditions": [{"Header": "//pos", "HeaderAttr": "XMLBODY", "Operator": "NEQ", "RightOperand": ""}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:50: Header "//pos" is not a header name`, `p.json:2:73: invalid HeaderAttr "XMLBODY"; did you mean "XML_BODY"?`}},
		{"xml path relative", rule(`{"MsgType": "REQUEST", "Conditions": [{"Header": "pos", "HeaderAttr": "XML_BODY", "Operator": "NEQ", "RightOperand": ""}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:50: Header "pos" is not an XML path: an XML path starts with / (from the root element) or // (at any depth)`}},
		{"xml path empty", rule(`{"MsgType": "REQUEST", "Conditions": [{"HeaderAttr": "XML_BODY", "Operator": "NEQ", "RightOperand": ""}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:39: the condition needs a Header: with XML_BODY, the path of the XML values to select ("//pos", "/presence/tuple/@id")`}},
		{"json errors accumulate", "{\"ProfileID\": 1 \"ProfileName\": \"x\",\n \"Rules\": [{\"MsgType\": \"REQUEST\", \"Action\": \"DROP_MSG\",}]}",
			[]string{`p.json:1:17: missing ',' between members`, `p.json:2:55: trailing ',' before '}'`}},
		{"reserved without import warns", rule(`{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "To", "Output": "Date: {$SMC.Date} {$SMC.Date}"}]}`),
			[]string{`p.json:2:119: warning: rule 0 uses {$SMC.Date} without importing it; add {"VariableName": "{$SMC.Date}", "Porting": "IMPORT"} to its StoredVariables`}},
		{"string ids", `{"ProfileID": "100", "ProfileName": "x", "Rules": [{"MsgType": "REQUEST", "DataFileBSearchIndex": "1", "Action": "DROP_MSG"}]}`, nil},
		// Capture groups (SMC-SPEC §4, §6).
		{"groups in findsub", rule(`{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "FINDSUB_LINES", "Header": "To", "RegEx1": "(a)(b)?", "Output": "{$0}{$2}{$1}"}]}`), nil},
		{"group past the pattern's", rule(`{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "FINDINSERTAFTER_LINES", "Header": "To", "RegEx1": "(a)", "Output": "{$2}"}]}`),
			[]string{`p.json:2:149: {$2} is capture group 2, but RegEx1 "(a)" has 1 group; put the part to copy in parentheses, numbered by their "(" from 1`}},
		{"groups of RegEx2", rule(`{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "FINDINSERTBEFORE_LINES", "Header": "To", "RegEx1": "(a)b", "RegEx2": "b", "Output": "{$1}"}]}`),
			[]string{`p.json:2:166: {$1} is capture group 1, but RegEx2 "b" has no group; put the part to copy in parentheses, numbered by their "(" from 1`}},
		{"group without RegEx1", rule(`{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "FINDSUB_LINES", "Header": "To", "Output": "{$0}"}]}`),
			[]string{`p.json:2:124: {$0} refers to a RegEx match, but FINDSUB_LINES without RegEx1 has no match: add a RegEx1 that the Output's groups come from`}},
		{"group in another type", rule(`{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "APPEND_LINES", "Header": "To", "RegEx1": "(a)", "Output": "{$1}"}]}`),
			[]string{`p.json:2:140: {$1} refers to a RegEx match, but APPEND_LINES has none: only FINDSUB_LINES, FINDINSERTAFTER_LINES and FINDINSERTBEFORE_LINES expand their Output per match; to reuse part of a line, store it in a variable with RegEx1 and write {$NAME}`}},
		{"group in a RightOperand", rule(`{"MsgType": "REQUEST", "Conditions": [{"Header": "To", "RegEx1": "(a)", "Operator": "EQ", "RightOperand": "{$1}"}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:107: {$1} refers to a RegEx match, which only the Output of FINDSUB_LINES, FINDINSERTAFTER_LINES and FINDINSERTBEFORE_LINES has; to reuse part of a value here, store it in a variable with RegEx1 and write {$NAME}`}},
		{"group in a literal Header", rule(`{"MsgType": "REQUEST", "StoredVariables": [{"VariableName": "{$v}", "Header": "{$0}", "HeaderAttr": "CONDITION_LITERAL"}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:79: {$0} refers to a RegEx match, which only the Output of FINDSUB_LINES, FINDINSERTAFTER_LINES and FINDINSERTBEFORE_LINES has; to reuse part of a value here, store it in a variable with RegEx1 and write {$NAME}`}},
		{"group past 9", rule(`{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "FINDSUB_LINES", "Header": "To", "RegEx1": "(a)", "Output": "{$10}"}]}`),
			[]string{`p.json:2:141: {$10} is no capture group: the match is {$0} and its groups {$1} to {$9}; a variable's name needs a letter`}},
		{"digits-only variable", rule(`{"MsgType": "REQUEST", "StoredVariables": [{"VariableName": "{$1}", "Header": "To"}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:61: VariableName "{$1}" has digits only, which name a RegEx match and its capture groups ({$0} to {$9}), never a variable; give the variable a name with a letter`}},
		// Warnings for what silently does nothing.
		{"reference in a pattern", rule(`{"MsgType": "REQUEST", "StoredVariables": [{"VariableName": "{$u}", "Header": "From"}], "Conditions": [{"Header": "To", "RegEx1": "^{$u}", "Operator": "REGEX", "RightOperand": "{$u}$"}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:131: warning: RegEx1 "^{$u}" holds {$u}, which is not expanded: patterns are compiled before any message arrives, and $ in a pattern is the end of the text, so it never matches; compare the value with a condition (EQ, CONTAINS, PREFIX) whose RightOperand is {$u}`,
				`p.json:2:177: warning: RightOperand "{$u}$" holds {$u}, which is not expanded: patterns are compiled before any message arrives, and $ in a pattern is the end of the text, so it never matches; compare the value with a condition (EQ, CONTAINS, PREFIX) whose RightOperand is {$u}`}},
		{"sed-style group", rule(`{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "FINDSUB_LINES", "Header": "To", "RegEx1": "(a)", "Output": "\\1-{$1}"}]}`),
			[]string{`p.json:2:141: warning: Output "\\1-{$1}" holds "\\1", which is copied as it is: a RegEx match's capture group is written {$1}, in the Output of FINDSUB_LINES, FINDINSERTAFTER_LINES and FINDINSERTBEFORE_LINES`}},
		{"perl-style group", rule(`{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "FINDSUB_LINES", "Header": "To", "RegEx1": "(a)", "Output": "$1"}]}`),
			[]string{`p.json:2:141: warning: Output "$1" holds "$1", which is copied as it is: a RegEx match's capture group is written {$1}, in the Output of FINDSUB_LINES, FINDINSERTAFTER_LINES and FINDINSERTBEFORE_LINES`}},
		{"macro on a status line", rule(`{"MsgType": "RESPONSE", "Conditions": [{"Header": "TOPLINE", "Macro": "GETURI_USERNAME", "Operator": "EQ", "RightOperand": "1"}], "Action": "DROP_MSG"}`),
			[]string{`p.json:2:71: warning: Macro GETURI_USERNAME on TOPLINE always yields the empty string in a RESPONSE rule: a status line holds no URI; select the URI from a header instead (To, From, Contact)`}},
		{"macro on a request line", rule(`{"MsgType": "REQUEST", "Conditions": [{"Header": "TOPLINE", "Macro": "GETURI_USERNAME", "Operator": "EQ", "RightOperand": "1"}], "Action": "DROP_MSG"}`), nil},
		{"unused DataFile", rule(`{"MsgType": "REQUEST", "DataFile": "d.csv", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "To", "Output": "X: {$DataFile.Field2}"}]}`),
			[]string{`p.json:2:36: warning: DataFile "d.csv" is not used: rule 0 has no BSEARCH or IP_LOOKUP condition and no {$SMC.RandN} variable, so no row is ever selected and every {$DataFile.FieldN} is empty; add a condition that searches it, or remove DataFile`}},
		{"random row uses the DataFile", rule(`{"MsgType": "REQUEST", "DataFile": "d.csv", "StoredVariables": [{"VariableName": "{$SMC.Rand1000}", "Porting": "IMPORT"}], "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "To", "Output": "X: {$DataFile.Field2}"}]}`), nil},
	}
	for _, tt := range tests {
		_, diags := compileString(tt.src, map[string]string{"d.csv": "1,a\n"})
		var got []string
		for _, d := range diags {
			got = append(got, d.String())
		}
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s:\ngot\n  %s\nwant\n  %s", tt.name, strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
		}
	}
}

func TestVariableLimit(t *testing.T) {
	var vars []string
	for i := 0; i <= MaxVariables; i++ {
		vars = append(vars, fmt.Sprintf(`{"VariableName": "{$v%d}", "Header": "To"}`, i))
	}
	src := rule(`{"MsgType": "REQUEST", "StoredVariables": [` + strings.Join(vars[:MaxVariables], ",") + `], "Action": "DROP_MSG"}`)
	if _, diags := compileString(src, nil); diags.HasErrors() {
		t.Fatalf("%d variables rejected: %v", MaxVariables, diags)
	}
	src = rule(`{"MsgType": "REQUEST", "StoredVariables": [` + strings.Join(vars, ",") + `], "Action": "DROP_MSG"}`)
	_, diags := compileString(src, nil)
	if !strings.Contains(diags.Error(), "p.json:2:11215: {$v256} is variable name 257 of the profile; at most 256 are allowed") {
		t.Errorf("257 variables: %v", diags)
	}
}

// TestDisassemble keeps the reference chain's program as a reviewed golden file: what an operator
// deploys, as they read it. TestDisassembleEveryInstruction covers every constant.
func TestDisassemble(t *testing.T) {
	var out bytes.Buffer
	for _, f := range []string{"10-security.json", "20-normalize.json"} {
		path := "../../shared/bench/" + f
		if _, err := os.Stat(path); err != nil {
			t.Skipf("reference chain not found at %s (../shared beside the repository)", path)
		}
		prog, diags := CompileFile(path)
		if prog == nil {
			t.Fatal(diags)
		}
		prog.File = f
		prog.Disassemble(&out)
	}
	const golden = "testdata/bench-chain.disasm"
	if *update {
		os.WriteFile(golden, out.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("disassembly differs from %s; run go test -update and review the diff", golden)
	}
}

// FuzzCompile compiles arbitrary bytes as a profile. It never panics; a program comes back
// exactly when no diagnostic is an error; every diagnostic names the file and a line and column
// inside the input (a column may be one past the end of its line, for what ends too early);
// compiling the same bytes again gives the same diagnostics and the same program, disassembled;
// and a program that compiles verifies. The data files a profile names are the examples' (by
// name), or d.csv.
//
// The seeds (testdata/fuzz/FuzzCompile) are the profiles of the examples, of the guide's mistakes
// (testdata/guide-errors) and of the §1 conformance cases.
func FuzzCompile(f *testing.F) {
	f.Add([]byte(rule(`{"MsgType": "REQUEST", "ReqMethod": "INVITE", "Conditions": [{"Header": "From", "Macro": "GETURI_USERNAME", "RegEx1": "^1", "Operator": "PREFIX", "RightOperand": "1{$x}"}], "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "FINDSUB_LINES", "Header": "TOPLINE", "RegEx1": "^011", "Output": "+"}]}`)))
	f.Add([]byte(rule(`{"MsgType": "RESPONSE", "RspCodeList": "5XX", "StoredVariables": [{"VariableName": "{$x}", "Header": "{$x}", "HeaderAttr": "CONDITION_LITERAL"}], "Action": "DROP_MSG_RECORD", "Break": 1}`)))
	f.Add([]byte(`{"ProfileID": 1 "ProfileName": "x", "Rules": [{"MsgType": "Respone", "DataFile": "d.csv", "Conditions": [{"Operator": "IP_LOOKUP" "RightOperand": "{$DataFile.Field2}"}]}]}`))
	data := map[string][]byte{"d.csv": []byte("192.0.2.0/24,a\n10.0.0.1,b\n")}
	for _, dir := range []string{"../examples/guide", "../examples/interop", "../testdata/guide-errors"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				data[filepath.Base(file)] = b
			}
		}
	}
	open := Options{OpenData: func(name string) ([]byte, error) {
		if d, ok := data[name]; ok {
			return d, nil
		}
		return nil, os.ErrNotExist
	}}
	f.Fuzz(func(t *testing.T, src []byte) {
		prog, diags := Compile("p.json", src, open)
		if (prog == nil) != diags.HasErrors() {
			t.Fatalf("program %v with diagnostics %v", prog != nil, diags)
		}
		lines := bytes.Split(src, []byte("\n"))
		for _, d := range diags {
			if d.File != "p.json" || d.Pos.Line < 1 || d.Pos.Col < 1 || d.Msg == "" ||
				d.Pos.Line > len(lines) || d.Pos.Col > len(lines[d.Pos.Line-1])+1 {
				t.Fatalf("diagnostic without a file, a position inside the input or a message: %+v (%d lines)", d, len(lines))
			}
		}
		again, diagsAgain := Compile("p.json", src, open)
		if diagsAgain.Error() != diags.Error() || disassemble(again) != disassemble(prog) {
			t.Fatalf("compiled twice, different results:\n%v\n%s\nthen\n%v\n%s", diags, disassemble(prog), diagsAgain, disassemble(again))
		}
		if prog != nil {
			if err := prog.Verify(); err != nil {
				t.Fatalf("a compiled program does not verify: %v\n%s", err, disassemble(prog))
			}
		}
	})
}

// disassemble returns the program's disassembly, or "" for none.
func disassemble(p *Program) string {
	if p == nil {
		return ""
	}
	var b strings.Builder
	p.Disassemble(&b)
	return b.String()
}

// TestVerifyGroups: a program from outside (a bundle) names {$N} only where the compiler allows
// it, within the groups of the pattern whose match it is.
func TestVerifyGroups(t *testing.T) {
	src := rule(`{"MsgType": "REQUEST", "Conditions": [{"Header": "To", "Operator": "NEQ", "RightOperand": "x"}], "Action": "REPLACE_MSG", "ReplaceDefs": [
	  {"ReplaceType": "FINDSUB_LINES", "Header": "To", "RegEx1": "(a)(b)", "Output": "{$2}{$1}"},
	  {"ReplaceType": "FINDSUB_LINES", "Header": "To", "RegEx1": "(a)(b)", "RegEx2": "(b)", "Output": "{$1}"}]}`)
	for _, tt := range []struct {
		name   string
		damage func(p *Program)
		want   string
	}{
		{"as compiled", func(*Program) {}, ""},
		{"another type", func(p *Program) { p.Defs[0].Type = ReplaceAppendLines }, "template 1 part 0: {$2} where the match has -1 groups"},
		{"past RegEx2's groups", func(p *Program) { p.Templates[p.Defs[1].Output].Parts[0].Field = 2 }, "template 2 part 0: {$2} where the match has 1 groups"},
		{"in a RightOperand", func(p *Program) { p.Conds[0].Operand = p.Defs[1].Output }, "template 2 part 0: {$1} where the match has -1 groups"},
		{"past 9", func(p *Program) { p.Templates[p.Defs[0].Output].Parts[0].Field = 10 }, "template 1 part 0: capture group 10 out of range (0..9)"},
		{"imported", func(p *Program) { p.Rules[0].Imports = []Part{{Var: -1, Reserved: ResGroup}} }, "rule 0 imports a capture group"},
	} {
		prog, diags := compileString(src, nil)
		if prog == nil {
			t.Fatal(diags)
		}
		tt.damage(prog)
		err := prog.Verify()
		if got := fmt.Sprint(err); tt.want == "" && err != nil || tt.want != "" && got != tt.want {
			t.Errorf("%s: Verify() = %v, want %q", tt.name, err, tt.want)
		}
	}
}

// Verify holds an XML_BODY selector's path to the one its Header compiles to.
func TestVerifyXMLPath(t *testing.T) {
	prog, diags := compileString(rule(`{"MsgType": "REQUEST", "Conditions": [{"Header": "//pos", "HeaderAttr": "XML_BODY", "Operator": "NEQ", "RightOperand": ""}], "Action": "DROP_MSG"}`), nil)
	if prog == nil {
		t.Fatal(diags)
	}
	if err := prog.Verify(); err != nil {
		t.Fatal(err)
	}
	prog.Selectors[0].Path.Steps[0].Name = "Point"
	if err := prog.Verify(); err == nil || !strings.Contains(err.Error(), `XML path "//Point" is not the one its Header "//pos" compiles to`) {
		t.Errorf("a path that is not its Header's: %v", err)
	}
	prog.Selectors[0].Header = "pos"
	if err := prog.Verify(); err == nil || !strings.Contains(err.Error(), `selector 0: XML path "pos": an XML path starts with /`) {
		t.Errorf("a Header that is no path: %v", err)
	}
}
