package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smcproject/smc/compile"
)

// smcc run takes a chain of compile.MaxProfiles profiles, and refuses one more with an error at
// the profile that goes past, exit status 1.
func TestRunChainLength(t *testing.T) {
	dir := t.TempDir()
	var args []string
	for i := 0; i <= compile.MaxProfiles; i++ {
		p := filepath.Join(dir, fmt.Sprintf("p%d.json", i))
		os.WriteFile(p, []byte(`{"ProfileID": 1, "ProfileName": "p", "Rules": [{"MsgType": "REQUEST", "ReqMethod": "BYE", "Action": "DROP_MSG"}]}`), 0o644)
		args = append(args, "-p", p)
	}
	msg := "OPTIONS sip:a@example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n"
	for _, tt := range []struct {
		profiles int
		status   int
		stderr   string
	}{
		{compile.MaxProfiles, exitOK, "verdict: accept\n"},
		{compile.MaxProfiles + 1, exitFailed, args[2*compile.MaxProfiles+1] + ":1:1: the chain has 65 profiles; a chain holds at most 64 (compile.MaxProfiles): merge profiles, or bind separate chains to separate peers\n"},
	} {
		var out, errOut bytes.Buffer
		run := append([]string{"run"}, args[:2*tt.profiles]...)
		if status := dispatch(append(run, "-"), strings.NewReader(msg), &out, &errOut); status != tt.status || errOut.String() != tt.stderr {
			t.Errorf("%d profiles: exit %d, stderr %q; want %d, %q", tt.profiles, status, errOut.String(), tt.status, tt.stderr)
		}
	}
}
