package fuzz

import (
	"bytes"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/fuzz/reference"
	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/runtime"
)

// bodyProfile reads every ISUP variable and edits, deletes and adds body lines, so that the
// engine's and the reference's readings of a multipart body and its IAM both show in the output;
// its second rule reads XML values (the first of each path, and whether any is "1"), so that
// their readings of XML bodies and parts show too.
const bodyProfile = `{"ProfileID": 1, "ProfileName": "body", "Rules": [
 {"MsgType": "REQUEST", "StoredVariables": [
   {"VariableName": "{$e}", "Header": "//*", "HeaderAttr": "XML_BODY"},
   {"VariableName": "{$a}", "Header": "//*/@a", "HeaderAttr": "XML_BODY"},
   {"VariableName": "{$n}", "Header": "/r//n", "HeaderAttr": "XML_BODY", "RegEx1": "[^ ]+$"}],
  "Conditions": [{"Header": "//*/@a", "HeaderAttr": "XML_BODY", "Operator": "EQ", "RightOperand": "1"},
   {"Header": "//n", "HeaderAttr": "XML_BODY", "Operator": "NCONTAINS", "RightOperand": "x"}],
  "LogicalConjunction": "AND",
  "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-XML: [{$e}] [{$a}] [{$n}]"}]},
 {"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [
  {"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-ISUP: [{$ISUP.IsPresent}] [{$ISUP.NCI}] [{$ISUP.FCI}] [{$ISUP.CPC}] [{$ISUP.CPN}] [{$ISUP.CdPN}] [{$ISUP.ParamJIP}] [{$ISUP.ParamOLI}]"},
  {"ReplaceType": "FINDSUB_LINES", "Header": "c=", "HeaderAttr": "BODY_SECTION_ONLY", "RegEx1": "1", "Output": "9"},
  {"ReplaceType": "DELETE_LINES", "Header": "a=x", "HeaderAttr": "BODY_SECTION_ONLY"},
  {"ReplaceType": "ADD_LINE", "Header": "a=none", "HeaderAttr": "BODY_SECTION_ONLY", "Output": "a=added"}]}]}`

// FuzzBodies builds an INVITE from a Content-Type value and a body and requires the engine and
// the reference evaluator (fuzz/reference, an independent reading of SMC-SPEC §4 and
// docs/semantics.md on strings) to give the same verdict and bytes: which part is ISUP, what the
// IAM decodes to, which body lines BODY_SECTION_ONLY selects in a multipart body, and which XML
// bodies and parts are read and what their paths select (SMC-SPEC §3.1). A body whose XML names
// hold characters encoding/xml reads by older tables than the engine's is skipped
// (reference.ErrXMLUndecided).
func FuzzBodies(f *testing.F) {
	iam := "\x01\x00\x60\x01\x0a\x00\x02\x09\x07\x03\x10\x55\x15\x32\x54\x76\x0a\x07\x03\x13\x55\x05\x00\x11\x11\xc4\x03\x55\x15\x32\xea\x01\x3e\x00"
	ansi := "\x01\x10\x60\x00\x0a\x03\x06\x0d\x03\x90\x90\xa2\x07\x03\x10\x48\x54\x16\x38\x87\xc5\x03\x22\x90\x31\xee\x01\x00\x23\x04\x22\x90\x31\x00\x00"
	sdp := "v=0\r\nc=IN IP4 192.0.2.1\r\na=x\r\nm=audio 1 RTP/AVP 0\r\n"
	for _, s := range []struct{ ctype, body string }{
		{"multipart/mixed;boundary=b", "--b\r\nContent-Type: application/sdp\r\n\r\n" + sdp + "--b\r\nContent-Type: application/ISUP;version=itu-t92+\r\n\r\n" + iam + "\r\n--b--\r\n"},
		{`multipart/mixed; boundary="a b"`, "c=1 preamble\n--a b\nContent-Type: application/isup; version=\"ansi88\"\n\n" + ansi + "\n--a b\nContent-Type: text/plain\n\nc=1\n\n--a b--\nc=1 epilogue\n"},
		{"application/ISUP;version=ansi00", ansi},
		{"application/isup", iam},
		{"multipart/mixed;boundary=b", "--b\r\nContent-Type: application/isup\r\nContent-Transfer-Encoding: binary\r\n\r\n" + iam[:20] + "\r\n--b\r\n--b\r\nContent-Type: a/b\r\n--b--"},
		{"multipart/related;boundary=xx", "--xx\r\n\r\nc=1\r\n--xx\r\nContent-Type: application/QSIG\r\n\r\nc=1\r\n--xx--"},
		// IAMs whole but for parts that share octets (docs/semantics.md, ISUP): no IAM on either side.
		{"application/isup", "\x01\x00\x60\x01\x0a\x00\x02\x03\x04\x03\x00\x21\x43"},
		{"application/isup", "\x01\x00\x60\x01\x0a\x00\x04\x01\xfe\x05\x04\x03\x10\x21\x43\x00"},
		{"application/isup;version=ansi92", "\x01\x00\x60\x01\x0a\x03\x02\x00\x04\x03\x10\x21\x43"},
		// XML (SMC-SPEC §3.1): whole, in parts, nested, refused.
		{"application/pidf+xml", "<r a='1'><n>x 1</n><m a=\"&#49;\"><n>y</n></m></r>"},
		{"multipart/mixed;boundary=b", "--b\r\nContent-Type: application/sdp\r\n\r\n" + sdp + "--b\r\nContent-Type: text/xml\r\n\r\n<r><n>1</n></r>\r\n--b\r\nContent-Type: multipart/related;boundary=c\r\n\r\n--c\r\nContent-Type: application/xml\r\n\r\n<r a='1'><n>2</n></r>\r\n--c--\r\n--b--\r\n"},
		{"application/xml", "<!DOCTYPE r><r a='1'/>"},
		{"Application/Resource-Lists+XML; charset=utf-8", "<?xml version=\"1.0\"?>\r\n<r><![CDATA[<n>]]><n>&lt;z&gt;</n></r>"},
	} {
		f.Add(s.ctype, []byte(s.body))
	}
	prog, diags := compile.Compile("body.json", []byte(bodyProfile), compile.Options{})
	if prog == nil {
		f.Fatal(diags)
	}
	ref, err := reference.Decode([]byte(bodyProfile), nil)
	if err != nil {
		f.Fatal(err)
	}
	m := runtime.NewMachine(smctest.MustChain(f, prog))
	remote, local := netip.MustParseAddrPort("192.0.2.1:5060"), netip.MustParseAddrPort("192.0.2.2:5060")
	now := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, ctype string, body []byte) {
		if bytes.ContainsAny([]byte(ctype), "\r\n") {
			return // one header line
		}
		in := []byte(fmt.Sprintf("INVITE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s", ctype, len(body), body))
		got := m.Run(in, &runtime.Env{Remote: remote, Local: local, Now: now, Rand: 1})
		want := reference.Run([]*reference.Profile{ref}, in, reference.Env{Remote: remote, Local: local, Transport: "UDP", Now: now, Rand: 1})
		if want.XMLUndecided {
			t.Skip("the reference cannot read this XML's names (reference.ErrXMLUndecided)")
		}
		if got.Verdict.String() != want.Verdict || !bytes.Equal(got.Output, want.Output) {
			t.Fatalf("input %q\nengine %v %q\nreference %s %q", in, got.Verdict, got.Output, want.Verdict, want.Output)
		}
	})
}
