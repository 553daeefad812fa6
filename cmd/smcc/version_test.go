package main

import (
	"bytes"
	goruntime "runtime"
	"strings"
	"testing"
)

func TestVersionFlag(t *testing.T) {
	for _, arg := range []string{"--version", "-version"} {
		var stdout, stderr bytes.Buffer
		if code := dispatch([]string{arg}, nil, &stdout, &stderr); code != exitOK || stderr.Len() > 0 {
			t.Errorf("%s: exit %d, %s", arg, code, &stderr)
		}
		if out := stdout.String(); !strings.HasPrefix(out, "smcc ") || !strings.HasSuffix(out, " "+goruntime.Version()+"\n") ||
			strings.Count(out, "\n") != 1 {
			t.Errorf("%s printed %q", arg, out)
		}
	}
}
