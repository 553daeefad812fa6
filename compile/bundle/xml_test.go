package bundle

import (
	"testing"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/runtime/xmlscan"
)

const xmlProfile = `{"ProfileID": 1, "ProfileName": "xml", "Rules": [{"MsgType": "REQUEST",
 "StoredVariables": [{"VariableName": "{$pos}", "Header": "/presence//pos", "HeaderAttr": "XML_BODY"}],
 "Conditions": [{"Header": "//Point/@srsName", "HeaderAttr": "XML_BODY", "Operator": "NEQ", "RightOperand": ""}],
 "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-Location: {$pos}"}]}]}`

// An XML_BODY selector's path is stored as its Header and compiled again when the bundle opens
// (FORMAT.md, version 2): the opened program has the same paths, and a Header that is no path,
// or a path the runtime cannot match, is refused.
func TestXMLPaths(t *testing.T) {
	prog, diags := compile.Compile("xml.json", []byte(xmlProfile), compile.Options{})
	if prog == nil {
		t.Fatal(diags)
	}
	b, err := Parse("x.smcb", encode(t, []*compile.Program{prog}, Manifest{}))
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range b.Programs[0].Selectors {
		if want := prog.Selectors[i].Path.String(); s.Path.String() != want {
			t.Errorf("selector %d: path %q, want %q", i, s.Path.String(), want)
		}
	}
	for _, tt := range []struct {
		name string
		edit func(s *compile.Selector)
		want string
	}{
		{"not a path", func(s *compile.Selector) { s.Header = "//pos[1]" }, `XML path "//pos[1]": predicates`},
		{"too many steps", func(s *compile.Selector) {
			s.Header = ""
			for range xmlscan.MaxPathSteps + 1 {
				s.Header += "/a"
			}
		}, "at most 32 element steps"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Parse("x.smcb", encode(t, []*compile.Program{prog}, Manifest{}))
			if err != nil {
				t.Fatal(err)
			}
			tt.edit(&b.Programs[0].Selectors[0])
			wantError(t, encode(t, b.Programs, Manifest{}), tt.want)
		})
	}
}
