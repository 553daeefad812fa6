package sipmsg

import (
	"strings"
	"testing"
)

// A body is split at once when a line of it may be a directive, and otherwise when asked for.
func TestBodySplitWhenNeeded(t *testing.T) {
	for _, tt := range []struct {
		body  string
		split bool
	}{
		{"v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\na=rtpmap:101 telephone-event/8000\r\n", false},
		{"v=0\r\nSansay-SMC-BlockMedia\r\n", true},
		{"v=0\r\nsansay-smc-RejectCall486", true},
		{"v=0\r\nx=y-smc-z\r\n", true}, // not a directive, but "-smc-" is all the test looks for
		{"v=0\r\nx=y-smc", false},
		{strings.Repeat("-", maxDashes+1), true},
		{strings.Repeat("-", maxDashes), false},
	} {
		in := "INVITE sip:a@b SIP/2.0\r\nVia: x\r\n\r\n" + tt.body
		var m Message
		if err := m.Parse([]byte(in), NewNameTable()); err != nil {
			t.Fatal(err)
		}
		if m.bodySplit != tt.split {
			t.Errorf("%q: split at parse %v, want %v", tt.body, m.bodySplit, tt.split)
		}
		directives := m.Directives()
		if m.Len() != m.parsed || m.Directives() != directives {
			t.Errorf("%q: split into %d lines (%d counted), %d directives (%d before)", tt.body, m.Len(), m.parsed, m.Directives(), directives)
		}
	}
}
