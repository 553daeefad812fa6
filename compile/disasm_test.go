package compile

import (
	"bytes"
	"os"
	"testing"

	"github.com/smcproject/smc/match"
)

// TestDisassembleEveryInstruction keeps testdata/every/profile.json's program as a reviewed
// golden file, and checks that the profile still reaches every opcode, comparison, replace type,
// selector kind, macro, matcher kind and capture group reference, so that each one's disassembly is reviewed: a new
// constant fails this test until the profile uses it.
func TestDisassembleEveryInstruction(t *testing.T) {
	prog, diags := CompileFile("testdata/every/profile.json")
	if prog == nil {
		t.Fatal(diags)
	}
	var out bytes.Buffer
	prog.Disassemble(&out)
	const golden = "testdata/every/profile.disasm"
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
	for _, missing := range unusedConstants(prog) {
		t.Errorf("testdata/every/profile.json does not use %s: add a rule that does", missing)
	}
}

// unusedConstants lists the instruction-level constants that prog never uses.
func unusedConstants(prog *Program) []string {
	used := map[string]bool{}
	for _, in := range prog.Insts {
		used["opcode "+in.Op.String()] = true
	}
	for _, c := range prog.Conds {
		used["operator "+c.Positive] = true
	}
	for _, d := range prog.Defs {
		used["replace type "+d.Type.String()] = true
	}
	for _, s := range prog.Selectors {
		used["selector kind "+selectKindName(s.Kind)] = true
		used["macro "+s.Macro.String()] = true
	}
	for _, m := range prog.Matchers {
		used["matcher kind "+m.Kind.String()] = true
	}
	for _, t := range prog.Templates {
		for _, part := range t.Parts {
			if part.Reserved == ResGroup {
				used["template part capture group"] = true
			}
		}
	}
	var all []string
	for op := OpSetVar; op <= OpEnd; op++ {
		all = append(all, "opcode "+op.String())
	}
	for name, op := range operators {
		if !op.negate {
			all = append(all, "operator "+name)
		}
	}
	for t := ReplaceAddLine; int(t) < len(replaceNames); t++ {
		all = append(all, "replace type "+t.String())
	}
	for k := SelectHeader; k <= SelectXML; k++ {
		all = append(all, "selector kind "+selectKindName(k))
	}
	for m := MacroNone; int(m) < len(macroNames); m++ {
		all = append(all, "macro "+m.String())
	}
	for k := match.Literal; k <= match.Seq; k++ {
		all = append(all, "matcher kind "+k.String())
	}
	all = append(all, "template part capture group")
	var missing []string
	for _, name := range all {
		if !used[name] {
			missing = append(missing, name)
		}
	}
	return missing
}

func selectKindName(k SelectKind) string {
	return [...]string{"", "header", "TOPLINE", "body", "literal", "xml"}[k]
}
