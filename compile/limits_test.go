package compile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smcproject/smc/match"
)

// rules returns a profile of the given rules, one per line from line 2 on.
func rules(rs []string) string {
	return "{\"ProfileID\": 1, \"ProfileName\": \"t\", \"Rules\": [\n" + strings.Join(rs, ",\n") + "\n]}"
}

// condRules returns n rules, rule i with a condition made by cond(i).
func condRules(n int, cond func(i int) string) []string {
	rs := make([]string, n)
	for i := range rs {
		rs[i] = `{"MsgType": "REQUEST", "Conditions": [` + cond(i) + `], "Action": "DROP_MSG"}`
	}
	return rs
}

// manyConds returns a profile of one rule with n conditions, condition i on line 3+i.
func manyConds(n int, cond func(i int) string) string {
	cs := make([]string, n)
	for i := range cs {
		cs[i] = cond(i)
	}
	return rules([]string{"{\"MsgType\": \"REQUEST\", \"Conditions\": [\n" + strings.Join(cs, ",\n") + "\n], \"Action\": \"DROP_MSG\"}"})
}

// errorsOf compiles src and returns its errors, one string each.
func errorsOf(src string, data map[string]string) []string {
	_, diags := compileString(src, data)
	var out []string
	for _, d := range diags.Errors() {
		out = append(out, d.String())
	}
	return out
}

// Every limit of a profile: a profile at the limit compiles, and one past it gets one error at
// the place that goes past, naming the limit and saying what to do.
func TestProfileLimits(t *testing.T) {
	drop := `{"MsgType": "REQUEST", "Action": "DROP_MSG"}`
	header := func(i int) string {
		return fmt.Sprintf(`{"Header": "X-H%d", "Operator": "EQ", "RightOperand": ""}`, i)
	}
	pattern := func(i int) string {
		return fmt.Sprintf(`{"Header": "To", "Operator": "REGEX", "RightOperand": "p%d"}`, i)
	}
	output := func(n int) string {
		return rules([]string{`{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "To", "Output": "` + strings.Repeat("o", n) + `"}]}`})
	}
	operand := func(n int) string {
		return rules([]string{`{"MsgType": "REQUEST", "Conditions": [{"Header": "To", "Operator": "EQ", "RightOperand": "` + strings.Repeat("o", n) + `"}], "Action": "DROP_MSG"}`})
	}
	drops := func(n int) string {
		rs := make([]string, n)
		for i := range rs {
			rs[i] = drop
		}
		return rules(rs)
	}
	padded := func(n int) string { // a valid profile of exactly n bytes
		p := rules([]string{drop})
		return p + strings.Repeat(" ", n-len(p))
	}
	tests := []struct {
		name string
		src  string
		want string // "" for no error
	}{
		{"MaxProfileSize bytes", padded(MaxProfileSize), ""},
		{"MaxProfileSize+1 bytes", padded(MaxProfileSize + 1), "p.json:1:1: the profile is larger than 1048576 bytes (compile.MaxProfileSize): split its rules into several profiles of a chain"},
		{"MaxRules rules", drops(MaxRules), ""},
		{"MaxRules+1 rules", drops(MaxRules + 1),
			"p.json:1026:1: rule 1024 is one more than a profile holds (1024 rules, compile.MaxRules): split the rules into several profiles of a chain"},
		{"MaxHeaderNames names", rules(condRules(MaxHeaderNames, header)), ""},
		{"MaxHeaderNames+1 names", rules(condRules(MaxHeaderNames+1, header)),
			`p.json:1002:50: header "X-H1000" is header name 1001 of the profile; a profile names at most 1000 (compile.MaxHeaderNames): split its rules into several profiles of a chain`},
		{"header names differing in case are one", rules(condRules(MaxHeaderNames+1, func(i int) string {
			if i == MaxHeaderNames {
				return `{"Header": "x-h0", "Operator": "EQ", "RightOperand": ""}`
			}
			return header(i)
		})), ""},
		{"MaxPatterns patterns", manyConds(MaxPatterns, pattern), ""},
		{"MaxPatterns+1 patterns", manyConds(MaxPatterns+1, pattern),
			`p.json:1027:55: RightOperand "p1024" is pattern 1025 of the profile; a profile has at most 1024 distinct patterns (compile.MaxPatterns): split its rules into several profiles of a chain`},
		{"Output of MaxTemplateLen", output(MaxTemplateLen), ""},
		{"Output of MaxTemplateLen+1", output(MaxTemplateLen + 1),
			"p.json:2:119: this text is 65536 bytes long; no message is longer than 65535 bytes, so neither may an Output, a RightOperand or a literal Header be (compile.MaxTemplateLen)"},
		{"RightOperand of MaxTemplateLen", operand(MaxTemplateLen), ""},
		{"RightOperand of MaxTemplateLen+1", operand(MaxTemplateLen + 1),
			"p.json:2:90: this text is 65536 bytes long; no message is longer than 65535 bytes, so neither may an Output, a RightOperand or a literal Header be (compile.MaxTemplateLen)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(errorsOf(tt.src, nil), "\n")
			if got != tt.want {
				t.Errorf("errors:\n  %s\nwant\n  %s", got, tt.want)
			}
		})
	}
}

// CompileFile reads no more than one byte past MaxProfileSize of a file given by mistake, and
// reports it as too large. (A binary file is reported as binary: sniff_test.go.)
func TestProfileFileTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(path, []byte("{"+strings.Repeat(" ", 3*MaxProfileSize)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, diags := CompileFile(path)
	if want := path + ":1:1: the profile is larger than 1048576 bytes (compile.MaxProfileSize): split its rules into several profiles of a chain"; diags.Error() != want {
		t.Errorf("got %v, want %s", diags, want)
	}
	src, err := ReadProfile(path)
	if err != nil || len(src) != MaxProfileSize+1 {
		t.Errorf("ReadProfile read %d bytes (%v), want %d", len(src), err, MaxProfileSize+1)
	}
}

// The patterns of a profile together are held to MaxPatternTotalCost: at it the profile
// compiles, one past it is an error at the pattern that goes past. (The limit is lowered, so that
// the test does not compile ten of the largest patterns; the accounting is the same.)
func TestPatternTotalCost(t *testing.T) {
	costs := map[string]int{}
	for _, src := range []string{"[ab]{10}", "[ab]{20}", "[ab]{21}"} {
		m, err := match.New(src)
		if err != nil {
			t.Fatal(err)
		}
		costs[src] = m.Cost
	}
	old := maxPatternTotalCost
	t.Cleanup(func() { maxPatternTotalCost = old })
	maxPatternTotalCost = costs["[ab]{10}"] + costs["[ab]{20}"]
	cond := func(p string) string {
		return `{"Header": "To", "Operator": "REGEX", "RightOperand": "` + p + `"}`
	}
	lit := cond("literal") // a literal costs nothing
	if errs := errorsOf(rules(condRules(3, func(i int) string { return []string{cond("[ab]{10}"), lit, cond("[ab]{20}")}[i] })), nil); errs != nil {
		t.Errorf("at the limit: %v", errs)
	}
	errs := errorsOf(rules(condRules(2, func(i int) string { return []string{cond("[ab]{10}"), cond("[ab]{21}")}[i] })), nil)
	want := fmt.Sprintf(`p.json:3:93: RightOperand "[ab]{21}" takes the patterns of the profile to cost %d, past %d (compile.MaxPatternTotalCost): use fewer or smaller repetitions of character classes, or split the profile`,
		costs["[ab]{10}"]+costs["[ab]{21}"], maxPatternTotalCost)
	if strings.Join(errs, "\n") != want {
		t.Errorf("one past:\n  %s\nwant\n  %s", strings.Join(errs, "\n  "), want)
	}
}

// A data file over a datafile limit is a compile error at the rule's DataFile that names the
// data file and its line; a file at the limit compiles.
func TestDataFileLimitErrors(t *testing.T) {
	const maxFieldLen, maxRowLen, maxFields = 4096, 16384, 64 // datafile.MaxFieldLen, MaxRowLen, MaxFields
	field := strings.Repeat("x", maxFieldLen)
	fields := strings.Repeat("a,", maxFields-1) + "a"
	src := rule(`{"MsgType": "REQUEST", "DataFile": "f.csv", "Conditions": [{"Header": "To", "Operator": "BSEARCH_EQ"}], "Action": "DROP_MSG"}`)
	for _, tt := range []struct {
		name, csv, want string
	}{
		{"field of MaxFieldLen", "k\n" + field + "\n", ""},
		{"field of MaxFieldLen+1", "k\n" + field + "y\n", `p.json:2:36: rule 0: DataFile f.csv:2: field is 4097 bytes long; the limit is 4096`},
		{"row of MaxRowLen", "k\n" + strings.Repeat(field+",", maxRowLen/maxFieldLen-1) + field + "\n", ""},
		{"row of MaxRowLen+1", "k\n" + strings.Repeat(field+",", maxRowLen/maxFieldLen) + "y\n", `p.json:2:36: rule 0: DataFile f.csv:2: row is 16385 bytes long; the limit is 16384`},
		{"MaxFields fields", "k\n" + fields + "\n", ""},
		{"MaxFields+1 fields", "k\n\n" + fields + ",a\n", `p.json:2:36: rule 0: DataFile f.csv:3: more than 64 fields in a row`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(errorsOf(src, map[string]string{"f.csv": tt.csv}), "\n"); got != tt.want {
				t.Errorf("errors:\n  %s\nwant\n  %s", got, tt.want)
			}
		})
	}
}

// A program from outside the process (a bundle) is held by Verify to the limits the compiler holds
// profiles to.
func TestVerifyLimits(t *testing.T) {
	base := func(t *testing.T) *Program {
		p, diags := compileString(rule(`{"MsgType": "REQUEST", "Conditions": [{"Header": "To", "RegEx1": "[ab]+c", "Operator": "NEQ", "RightOperand": "x"}], "Action": "DROP_MSG"}`), nil)
		if p == nil {
			t.Fatal(diags)
		}
		return p
	}
	tests := []struct {
		name string
		edit func(p *Program)
		want string
	}{
		{"rules", func(p *Program) { p.Rules = append(p.Rules, make([]Rule, MaxRules)...) }, "1025 rules (at most 1024)"},
		{"header names", func(p *Program) { p.HeaderName = make([]string, MaxHeaderNames+1) }, "1001 header names (at most 1000)"},
		{"patterns", func(p *Program) {
			for len(p.Matchers) <= MaxPatterns {
				p.Matchers = append(p.Matchers, p.Matchers[0])
			}
		}, "1025 patterns (at most 1024)"},
		{"pattern cost", func(p *Program) {
			p.Matchers[0] = &match.Matcher{Source: "x", Kind: match.Literal, Cost: MaxPatternTotalCost + 1}
		}, "patterns of cost 1000001 (at most 1000000)"},
		{"template", func(p *Program) { p.Templates[0].Text = strings.Repeat("t", MaxTemplateLen+1) }, "template 0 of 65536 bytes (at most 65535)"},
	}
	if err := base(t).Verify(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base(t)
			tt.edit(p)
			if err := p.Verify(); err == nil || err.Error() != tt.want {
				t.Errorf("Verify: %v, want %s", err, tt.want)
			}
		})
	}
}

func TestCheckChainLength(t *testing.T) {
	if err := CheckChainLength(MaxProfiles); err != nil {
		t.Errorf("%d profiles: %v", MaxProfiles, err)
	}
	want := "the chain has 65 profiles; a chain holds at most 64 (compile.MaxProfiles): merge profiles, or bind separate chains to separate peers"
	if err := CheckChainLength(MaxProfiles + 1); err == nil || err.Error() != want {
		t.Errorf("%d profiles: %v, want %s", MaxProfiles+1, err, want)
	}
}

// A rule names at most datafile.MaxFields columns: DataFileBSearchIndex, {$DataFile.FieldN} in a
// text and as a lookup's RightOperand. Past it the column could never hold anything.
func TestDataFileColumnLimit(t *testing.T) {
	lookup := func(index, operand string) string {
		return rule(`{"MsgType": "REQUEST", "DataFile": "f.csv", "DataFileBSearchIndex": ` + index + `, "Conditions": [{"Header": "To", "Operator": "BSEARCH_EQ", "RightOperand": "` + operand + `"}],
 "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "To", "Output": "X: {$DataFile.Field64}"}]}`)
	}
	add := func(field string) string {
		return rule(`{"MsgType": "REQUEST", "DataFile": "f.csv", "Conditions": [{"Header": "To", "Operator": "BSEARCH_EQ"}], "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "To", "Output": "X: {$` + field + `}"}]}`)
	}
	for _, tt := range []struct {
		name, src, want string
	}{
		{"at the limit", lookup("64", "{$DataFile.Field64}"), ""},
		{"DataFileBSearchIndex past it", lookup("65", "{$DataFile.Field1}"), "p.json:2:69: DataFileBSearchIndex must be a whole number from 1 to 64, not 65"},
		{"lookup column past it", lookup("1", "{$DataFile.Field65}"), `p.json:2:146: {$DataFile.Field65} names column 65, but a data file row has at most 64 (datafile.MaxFields)`},
		{"field past it", add("DataFile.Field65"), `p.json:2:200: {$DataFile.Field65} names column 65, but a data file row has at most 64 (datafile.MaxFields)`},
	} {
		if got := strings.Join(errorsOf(tt.src, map[string]string{"f.csv": "a,b\n"}), "\n"); got != tt.want {
			t.Errorf("%s:\n  %s\nwant\n  %s", tt.name, got, tt.want)
		}
	}
}

// A bundle's program that deletes the start line, which the compiler refuses, is refused by
// Verify too: the Machine would take each next line for the start line and delete the message
// (found by FuzzParse: compile/bundle/testdata/fuzz/FuzzParse/7e78182f0a167528).
func TestVerifyDeleteTopLine(t *testing.T) {
	p, diags := compileString(rule(`{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "DELETE_LINES", "Header": "Via"}]}`), nil)
	if p == nil {
		t.Fatal(diags)
	}
	if err := p.Verify(); err != nil {
		t.Fatal(err)
	}
	for i := range p.Selectors {
		p.Selectors[i].Kind = SelectTopLine
	}
	if err := p.Verify(); err == nil || !strings.Contains(err.Error(), "DELETE_LINES of the start line (TOPLINE)") {
		t.Errorf("Verify: %v", err)
	}
}
