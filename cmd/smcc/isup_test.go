package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smcproject/smc/fuzz/torture"
	"github.com/smcproject/smc/internal/smctest"
	"golang.org/x/tools/txtar"
)

// guideISUP is the guide's "Test ISUP" profile (SMC-SPEC §4's ISUP variables as X-ISUP- headers).
var guideISUP = filepath.Join(repo, "examples/guide/20-test-isup.json")

// TestSIPTCapture runs the real SIP-T INVITE of the shared corpus (a Sonus gateway's, with an
// ANSI IAM, sent in two IPv4 fragments: pcap/sip-capture/sip-i.pcap) through `smcc run` with the
// guide's "Test ISUP" profile. The values are those Wireshark decodes from the IAM
// (isup/decoded/sip_capture_sip_i_ansi88.tshark-decode.txt): NCI 0x10, FCI 0x6000, CPC 10, no
// calling party number, jurisdiction or OLI parameter (the gateway sends the OLI as isup-oli=62
// in the From URI). Each ADD_LINE goes right after the PAI, so the lines come in reverse order.
func TestSIPTCapture(t *testing.T) {
	invite, err := torture.SIPTInvite(corpusRoot)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("the shared corpus is not here (%v); the SIP-T capture is not run", err)
	} else if err != nil {
		t.Fatal(err)
	}
	if len(invite) != 1539 {
		t.Fatalf("the reassembled INVITE is %d bytes, not the capture's 1539", len(invite))
	}
	file := filepath.Join(t.TempDir(), "invite.sip")
	if err := os.WriteFile(file, invite, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if status := dispatch([]string{"run", "-p", guideISUP, file}, nil, &out, &errOut); status != exitOK {
		t.Fatalf("exit %d: %s", status, errOut.String())
	}
	pai := "P-Asserted-Identity: <sip:+13107401983@216.221.155.72:5060>\r\n"
	want := strings.Replace(string(invite), pai, pai+"X-ISUP-OLI: \r\nX-ISUP-JIP: \r\nX-ISUP-CPN: \r\n"+
		"X-ISUP-CPC: 10\r\nX-ISUP-FCI: 6000\r\nX-ISUP-NCI: 10\r\n", 1)
	if want == string(invite) {
		t.Fatal("no PAI line in the capture's INVITE")
	}
	if out.String() != want {
		t.Errorf("output\n%q\nwant\n%q", out.String(), want)
	}
	if !strings.HasPrefix(errOut.String(), "verdict: modified\n") {
		t.Errorf("stderr: %s", errOut.String())
	}
}

// TestISUPTraceGolden keeps the trace of the guide's SIP-I case (20-test-isup.iam.txtar) as a
// reviewed golden file: where the ISUP message was found, the decoded IAM with every optional
// parameter, once, at the first rule that reads an ISUP variable.
func TestISUPTraceGolden(t *testing.T) {
	ar, err := txtar.ParseFile(filepath.Join(repo, "examples/guide/20-test-isup.iam.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "input.sip")
	for _, f := range ar.Files {
		if f.Name == "input.sip" {
			if err := os.WriteFile(file, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var out, trace bytes.Buffer
	if status := dispatch([]string{"run", "--trace", "-p", guideISUP, file}, nil, &out, &trace); status != exitOK {
		t.Fatalf("exit %d: %s", status, trace.String())
	}
	got := bytes.ReplaceAll(trace.Bytes(), []byte(repo+"/"), nil)
	const golden = "testdata/isup.trace"
	if *update {
		os.WriteFile(golden, got, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("trace differs from %s:\n%s", golden, smctest.LineDiff(want, got))
	}
}
