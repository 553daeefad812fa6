package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/smcproject/smc/fuzz/torture"
	"github.com/smcproject/smc/runtime/sipmsg"
)

// corpusRoot is the shared corpus of material written by others (../shared/corpus beside the
// repository, where CI has it too).
const corpusRoot = repo + "/../shared/corpus"

// rfc4475NotSIP are the RFC 4475 messages that SMC-SPEC §2 says are not SIP, with the reason the
// parser gives; each must pass unchanged. Every other RFC 4475 and RFC 5118 message is SIP as far
// as a rewriter is concerned (RFC 4475 leaves an element free to accept many of its "invalid"
// messages, and a proxy in front of the element must not be the one to drop them).
var rfc4475NotSIP = map[string]string{
	"rfc4475/badvers.dat":  "no valid start line",                                   // 3.1.2.16 SIP/7.0
	"rfc4475/bigcode.dat":  "no valid start line",                                   // 3.1.2.19 status 4294967301
	"rfc4475/clerr.dat":    "Content-Length is larger than the body",                // 3.1.2.2
	"rfc4475/lwsruri.dat":  "no valid start line",                                   // 3.1.2.8 SP inside the Request-URI
	"rfc4475/lwsstart.dat": "no valid start line",                                   // 3.1.2.9 several SP between elements
	"rfc4475/ncl.dat":      "Content-Length is not a number",                        // 3.1.2.3 negative
	"rfc4475/trws.dat":     "no valid start line",                                   // 3.1.2.10 SP after SIP/2.0
	"rfc4475/baddn.dat":    "no empty line between the header section and the body", // the corpus file lacks the RFC's final CRLF
}

// TestTortureCorpus runs every message of the shared corpus (RFC 4475 and RFC 5118 torture
// messages, the PROTOS c07-sip cases, the SIP datagrams of the captures) through `smcc run` with
// the torture profile. Nothing may fail or crash; a message that is not SIP passes byte for byte
// with its reason on stderr; a message that is SIP gets the verdict the profile gives its kind,
// and a rewritten one parses again with a Content-Length that matches its body.
func TestTortureCorpus(t *testing.T) {
	msgs, err := torture.Load(corpusRoot)
	if err != nil {
		t.Skipf("torture corpus: %v", err)
	}
	profile := filepath.Join(t.TempDir(), "torture.json")
	if err := os.WriteFile(profile, []byte(torture.Profile), 0o644); err != nil {
		t.Fatal(err)
	}
	names := sipmsg.NewNameTable()
	notSIP := map[string]int{}
	for _, m := range msgs {
		reason, verdict, out := runTorture(t, profile, m)
		if reason != "" {
			notSIP[m.Group]++
			if verdict != "accept" || !bytes.Equal(out, m.Data) {
				t.Errorf("%s: not SIP (%s), yet verdict %s and %d bytes out of %d", m.Name, reason, verdict, len(out), len(m.Data))
			}
		} else {
			checkTortured(t, m, verdict, out, names)
		}
		if want, listed := rfc4475NotSIP[m.Name]; listed && reason != want {
			t.Errorf("%s: parse error %q, want %q", m.Name, reason, want)
		} else if !listed && reason != "" && (m.Group == "rfc4475" || m.Group == "rfc5118") {
			t.Errorf("%s: not parsed (%s), but it is SIP as a rewriter sees it", m.Name, reason)
		}
	}
	t.Logf("%d messages; not SIP, passed unchanged: %v", len(msgs), notSIP)
}

// runTorture runs `smcc run` on one message and returns the parse error it reported (empty when
// the message parsed), its verdict, and its standard output.
func runTorture(t *testing.T, profile string, m torture.Message) (reason, verdict string, out []byte) {
	var stdout, stderr bytes.Buffer
	args := []string{"run", "-p", profile, "--remote", "10.231.0.1:5060", "--time", "2026-11-23T10:00:00Z", "--rand", "7", "-"}
	if status := dispatch(args, bytes.NewReader(m.Data), &stdout, &stderr); status != exitOK {
		t.Fatalf("%s: smcc run exited %d:\n%s", m.Name, status, stderr.String())
	}
	for line := range strings.Lines(stderr.String()) {
		line = strings.TrimSuffix(line, "\n")
		if r, ok := strings.CutPrefix(line, "note: not parsed as SIP: "); ok {
			reason = strings.TrimSuffix(r, "; passed unchanged")
		}
		if v, ok := strings.CutPrefix(line, "verdict: "); ok {
			verdict = v
		}
	}
	return reason, verdict, stdout.Bytes()
}

// checkTortured checks a SIP message's result against what the torture profile does to its kind:
// requests are rewritten (a header is always added) and REGISTERs dropped; responses are
// rewritten or passed.
func checkTortured(t *testing.T, m torture.Message, verdict string, out []byte, names *sipmsg.NameTable) {
	t.Helper()
	var in sipmsg.Message
	if err := in.Parse(m.Data, names); err != nil {
		t.Fatalf("%s: smcc run parsed what sipmsg does not: %v", m.Name, err)
	}
	want := "modified"
	switch {
	case in.Kind == sipmsg.StartResponse:
		want = verdict // the conditions decide; checked against the reference evaluator
	case bytes.Contains(bytes.ToLower(m.Data), []byte("friendly-scanner")), string(in.Method()) == "REGISTER":
		want = "drop"
	}
	if verdict != want {
		t.Errorf("%s: verdict %s, want %s", m.Name, verdict, want)
	}
	if verdict != "modified" {
		return
	}
	var got sipmsg.Message
	if err := got.Parse(out, names); err != nil {
		t.Errorf("%s: the rewritten message does not parse: %v\n%q", m.Name, err, out)
		return
	}
	if cl, body, ok := framing(m.Data); ok && cl == body {
		if cl, body, ok := framing(out); ok && cl != body {
			t.Errorf("%s: rewritten with Content-Length %d and a body of %d bytes\n%q", m.Name, cl, body, out)
		}
	}
}

// framing reads a message's Content-Length (long or compact form) and its body length the
// plain way: the header section ends at the first empty line, whichever its line ending. ok is
// false when the message has no Content-Length, or one that is not a number.
func framing(msg []byte) (cl, body int, ok bool) {
	cl, off := -1, 0
	for line := range strings.Lines(string(msg)) {
		off += len(line)
		text := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if text == "" {
			break
		}
		name, value, _ := strings.Cut(text, ":")
		if name = strings.ToLower(strings.TrimSpace(name)); cl < 0 && (name == "content-length" || name == "l") {
			if n, err := strconv.Atoi(strings.TrimSpace(value)); err == nil {
				cl = n
			}
		}
	}
	return cl, len(msg) - off, cl >= 0
}
