package runtime

import (
	"strings"
	"testing"
)

func TestValidReasonPhrase(t *testing.T) {
	for _, tt := range []struct {
		v    string
		want bool
	}{
		{"Caller Blocked", true},
		{"a;b/c?d:e@f&g=h+i$j,k-l_m.n!o~p*q'r(s)t", true},
		{"50%25\tdone", true},
		{"Übersprungen", true},
		{"100%", false},
		{"%4", false},
		{"%zz", false},
		{"<spam>", false},
		{"a\"b", false},
		{"a\r\n b", false},
		{"a\x00b", false},
		{"a\x7fb", false},
		{"\xff\xfe", false},
	} {
		if got := validReasonPhrase([]byte(tt.v)); got != tt.want {
			t.Errorf("validReasonPhrase(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

// A value that is no reason phrase gives the standard one, with a warning of its kind; a good
// one allocates nothing.
func TestReasonPhraseWarning(t *testing.T) {
	profile := func(out string) string {
		return `{"ProfileID": 1, "ProfileName": "r", "Rules": [{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [
		 {"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "` + out + `"}]}]}`
	}
	m := NewMachine(mustChain(t, profile("Sansay-SMC-RejectCall403: Blocked <spam>")))
	res := m.Run([]byte(invite), &testEnv)
	if !strings.HasPrefix(string(res.Response), "SIP/2.0 403 Forbidden\r\n") || len(res.Warnings) != 1 || res.Warnings[0].Kind != WarnReasonPhrase {
		t.Errorf("response %q, warnings %+v", res.Response, res.Warnings)
	}
	m = NewMachine(mustChain(t, profile("Sansay-SMC-RejectCall403: Caller Blocked")))
	in := []byte(invite)
	res = m.Run(in, &testEnv)
	if !strings.HasPrefix(string(res.Response), "SIP/2.0 403 Caller Blocked\r\n") || len(res.Warnings) != 0 {
		t.Errorf("response %q, warnings %+v", res.Response, res.Warnings)
	}
	if n := testing.AllocsPerRun(200, func() { m.Run(in, &testEnv) }); n != 0 {
		t.Errorf("a reject with a reason phrase allocates %v times per message", n)
	}
}
