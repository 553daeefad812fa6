package compile

import (
	"strings"
	"testing"
)

// A file that is not a profile gets one error that says what it is, however large (a capture
// given as a profile is more often than not past MaxProfileSize, and splitting its rules is not
// the advice it needs); a JSON profile, however broken, still gets the JSON reader's own errors,
// each at its place.
func TestNotAProfile(t *testing.T) {
	binary := "SMCB\x00\x01\x00\x00" + strings.Repeat("\x00\x17\x80", 20)
	random := "\x14\x9b\xd2\x07\x88\xfe\x01\x13\x9c\xe3\x11\x8f\x02\xaa\x05\x7f"
	tests := []struct {
		name, src string
		want      []string
	}{
		{"SIP request", "INVITE sip:+15551234567@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1\r\n\r\n",
			[]string{`p.json:1:1: this is a SIP message, not a profile: give the profile with -p and the message as the last argument (smcc run -p PROFILE MESSAGE)`}},
		{"SIP response", "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.1\n\n",
			[]string{`p.json:1:1: this is a SIP message, not a profile: give the profile with -p and the message as the last argument (smcc run -p PROFILE MESSAGE)`}},
		{"bundle", binary,
			[]string{`p.json:1:1: this is a binary file, not a profile: a profile is a JSON text file (a bundle that smcc compile wrote is given with --bundle)`}},
		{"a binary file past MaxProfileSize", binary + strings.Repeat("\x00", MaxProfileSize),
			[]string{`p.json:1:1: this is a binary file, not a profile: a profile is a JSON text file (a bundle that smcc compile wrote is given with --bundle)`}},
		{"random bytes", random + random,
			[]string{`p.json:1:1: this is a binary file, not a profile: a profile is a JSON text file (a bundle that smcc compile wrote is given with --bundle)`}},
		{"YAML", "\n  ProfileID: 1\n  Rules: []\n",
			[]string{`p.json:2:3: this file is not JSON: a profile is a JSON object that starts with '{', and this one starts with "ProfileID: 1"`}},
		{"long first line", "# " + strings.Repeat("x", 60) + "\n{}",
			[]string{`p.json:1:1: this file is not JSON: a profile is a JSON object that starts with '{', and this one starts with "# xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..."`}},
		{"a JSON array is JSON", `[1]`,
			[]string{`p.json:1:1: a profile must be an object, not array`}},
		{"one bad byte in a string is the reader's", "{\"ProfileID\": 1, \"ProfileName\": \"caf\xe9\", \"Rules\": []}",
			[]string{`p.json:1:37: invalid UTF-8 in a string`, `p.json:1:50: Rules must hold at least one rule`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := Compile("p.json", []byte(tt.src), Options{})
			var got []string
			for _, d := range diags {
				got = append(got, d.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
