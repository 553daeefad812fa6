package compile

import (
	"strings"
	"testing"
)

// sdpDef wraps one replace definition in a rule; the definition starts on line 2, column 65.
func sdpDef(def string) string {
	return rule(`{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [` + def + `]}`)
}

func TestSDPDiagnostics(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"every section by default", sdpDef(`{"ReplaceType": "SDP_REMOVE_CODECS", "Output": "G729"}`), nil},
		{"explicit body section", sdpDef(`{"ReplaceType": "SDP_KEEP_CODECS", "Header": "m=audio", "HeaderAttr": "BODY_SECTION_ONLY", "RegEx1": "RTP", "Output": "0, 8"}`), nil},
		{"no output", sdpDef(`{"ReplaceType": "SDP_REMOVE_CODECS"}`),
			[]string{`p.json:2:65: SDP_REMOVE_CODECS needs an Output: the codec names or payload types, separated by commas ("G729, telephone-event")`}},
		{"empty list", sdpDef(`{"ReplaceType": "SDP_KEEP_CODECS", "Output": " , "}`),
			[]string{`p.json:2:110: SDP_KEEP_CODECS needs at least one codec name or payload type in Output, separated by commas ("G729, telephone-event", "0,8")`}},
		{"header section", sdpDef(`{"ReplaceType": "SDP_REMOVE_CODECS", "Header": "m=audio", "HeaderAttr": "HEADER_SECTION_ONLY", "Output": "G729"}`),
			[]string{`p.json:2:137: SDP_REMOVE_CODECS edits the media sections of the SDP body: leave HeaderAttr out or write BODY_SECTION_ONLY, not HEADER_SECTION_ONLY`}},
		{"literal", sdpDef(`{"ReplaceType": "SDP_REMOVE_CODECS", "HeaderAttr": "CONDITION_LITERAL", "Output": "G729"}`),
			[]string{`p.json:2:116: SDP_REMOVE_CODECS edits the media sections of the SDP body: leave HeaderAttr out or write BODY_SECTION_ONLY, not CONDITION_LITERAL`}},
		{"not an m= line", sdpDef(`{"ReplaceType": "SDP_REMOVE_CODECS", "Header": "a=rtpmap", "Output": "G729"}`),
			[]string{`p.json:2:112: SDP_REMOVE_CODECS selects media sections by their m= line: Header "a=rtpmap" must start with "m=" ("m=audio", "m=video"), or be left out for every section`}},
		{"macro ignored", sdpDef(`{"ReplaceType": "SDP_REMOVE_CODECS", "Macro": "GETURI_HOST", "Output": "G729"}`),
			[]string{`p.json:2:111: warning: Macro is ignored by SDP_REMOVE_CODECS: an m= line holds no SIP URI`}},
		{"regex2 alone", sdpDef(`{"ReplaceType": "SDP_REMOVE_CODECS", "RegEx2": "x", "Output": "G729"}`),
			[]string{`p.json:2:112: RegEx2 narrows RegEx1's match, but SDP_REMOVE_CODECS has no RegEx1`}},
		{"white space inside a name", sdpDef(`{"ReplaceType": "SDP_REMOVE_CODECS", "Output": "G729 PCMU"}`),
			[]string{`p.json:2:112: warning: SDP_REMOVE_CODECS: "G729 PCMU" never matches a format: codec names and payload types hold no white space; separate them with commas`}},
		{"clock rate", sdpDef(`{"ReplaceType": "SDP_KEEP_CODECS", "Output": "opus/48000, 0"}`),
			[]string{`p.json:2:110: warning: SDP_KEEP_CODECS: "opus/48000" never matches a format: a name is compared with the a=rtpmap encoding name alone ("opus", not "opus/48000")`}},
		{"misspelt type", sdpDef(`{"ReplaceType": "SDP_REMOVE_CODEC", "Output": "G729"}`),
			[]string{`p.json:2:81: invalid ReplaceType "SDP_REMOVE_CODEC"; did you mean "SDP_REMOVE_CODECS"?`}},
	}
	for _, tt := range tests {
		_, diags := compileString(tt.src, nil)
		var got []string
		for _, d := range diags {
			got = append(got, d.String())
		}
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s:\ngot\n  %s\nwant\n  %s", tt.name, strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
		}
	}
}

// An SDP definition's selector is a body selector of m= lines: Verify refuses any other, since
// the runtime reads the m= lines' formats through it.
func TestVerifySDPDef(t *testing.T) {
	prog, diags := compileString(sdpDef(`{"ReplaceType": "SDP_REMOVE_CODECS", "Header": "m=audio", "Output": "G729"}`), nil)
	if prog == nil {
		t.Fatal(diags)
	}
	if err := prog.Verify(); err != nil {
		t.Fatal(err)
	}
	prog.Selectors[prog.Defs[0].Sel].Prefix = []byte("a=")
	if err := prog.Verify(); err == nil || !strings.Contains(err.Error(), "not one of m= lines") {
		t.Errorf("prefix a=: %v", err)
	}
	prog.Selectors[prog.Defs[0].Sel].Prefix = []byte("m=")
	prog.Defs[0].Output = -1
	if err := prog.Verify(); err == nil || !strings.Contains(err.Error(), "output") {
		t.Errorf("no output: %v", err)
	}
}
