package main

import (
	"bytes"
	"errors"
	"io/fs"
	"net/netip"
	"testing"
	"time"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/fuzz/torture"
	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/runtime"
)

// TestE2ESIPTCapture sends the real SIP-T INVITE of the shared corpus (1,539 bytes with an ANSI
// IAM in a multipart body) through smcd running the guide's "Test ISUP" profile. The datagram is
// larger than the veth's MTU, so a's kernel sends it in two fragments and b's puts it together
// before the INPUT hook queues it (ip_local_deliver): smcd sees the whole message, as it does on
// a host that terminates SIP-I. What arrives is the INVITE with the six X-ISUP headers, byte for
// byte what the Machine gives offline (cmd/smcc's TestSIPTCapture holds those values to
// Wireshark's decode).
func TestE2ESIPTCapture(t *testing.T) {
	invite, err := torture.SIPTInvite(corpusRoot)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("the shared corpus is not here (%v); the SIP-T capture is not run", err)
	} else if err != nil {
		t.Fatal(err)
	}
	tn := newTestNet(t)
	tn.queueInput(0, "udp")
	const profile = "../../examples/guide/20-test-isup.json"
	d := tn.startSmcd("--queues", "0", "-p", profile)

	from, to := netip.AddrPortFrom(tn.a4, 5060), netip.AddrPortFrom(tn.b4, 5060)
	want := expectedOutput(t, profile, invite, from, to)
	if !bytes.Contains(want, []byte("\r\nX-ISUP-FCI: 6000\r\n")) {
		t.Fatalf("the Machine does not decode the capture's IAM:\n%q", want)
	}
	got := tn.receive(to, 1, 10*time.Second)
	tn.sendList(to, []torture.Message{{Name: torture.SIPTCapture, Data: invite}}, 10)
	arrived := got()
	if len(arrived) != 1 || !bytes.Equal(arrived[0].Payload, want) {
		t.Fatalf("arrived %d datagrams; want the INVITE as the Machine rewrites it:\n%q", len(arrived), want)
	}
	d.stop(t)
}

// expectedOutput runs one message through the Machine as smcd sees it and returns what it sends.
func expectedOutput(t *testing.T, profile string, msg []byte, remote, local netip.AddrPort) []byte {
	t.Helper()
	prog, diags := compile.CompileFile(profile)
	if prog == nil {
		t.Fatalf("%s: %v", profile, diags)
	}
	res := runtime.NewMachine(smctest.MustChain(t, prog)).Run(msg, &runtime.Env{Remote: remote, Local: local, Now: time.Now()})
	if res.Verdict != runtime.Modified {
		t.Fatalf("verdict %v, want modified", res.Verdict)
	}
	return bytes.Clone(res.Output)
}
