package jsonpos

import (
	"strings"
	"testing"
)

// MaxErrors errors are reported as they are; the one past it ends the list with "too many
// errors" (TestLimits has the one past; this is the one at the limit).
func TestMaxErrorsExactly(t *testing.T) {
	_, errs := Parse([]byte("[" + strings.Repeat("01,", MaxErrors) + "0]"))
	if len(errs) != MaxErrors {
		t.Fatalf("%d errors, want %d", len(errs), MaxErrors)
	}
	for _, e := range errs {
		if e.Msg == "too many errors" {
			t.Fatalf("%v at exactly MaxErrors errors", e)
		}
	}
}
