package compile

import "testing"

func TestSuggest(t *testing.T) {
	operators := []string{"EQ", "NEQ", "I_EQ", "I_NEQ", "PREFIX", "BSEARCH_I_EQ"}
	attrs := []string{"HEADER_SECTION_ONLY", "BODY_SECTION_ONLY", "CONDITION_LITERAL"}
	for _, tt := range []struct {
		word       string
		candidates []string
		want       string
	}{
		{"eq", operators, "EQ"},
		{"IEQ", operators, "I_EQ"}, // not EQ, one edit away
		{"i-neq", operators, "I_NEQ"},
		{"PERFIX", operators, "PREFIX"},
		{"BSEARCH_IEQ", operators, "BSEARCH_I_EQ"},
		{"HeaderSectionOnly", attrs, "HEADER_SECTION_ONLY"},
		{"BODY_ONLY", attrs, ""},
		{"CONTAINS", operators, ""},
	} {
		if got := suggest(tt.word, tt.candidates); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}
