package runtime

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// pidfBody is SMC-SPEC §3.1's PIDF-LO body.
const pidfBody = `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10"
  xmlns:gml="http://www.opengis.net/gml" entity="pres:alice@example.com">
 <tuple id="t1"><status><gp:geopriv><gp:location-info>
  <gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>37.775 -122.418</gml:pos></gml:Point>
 </gp:location-info><gp:usage-rules/></gp:geopriv></status></tuple>
</presence>
`

// sosInvite is an emergency INVITE whose body is ctype and body.
func sosInvite(ctype, body string) []byte {
	return []byte(fmt.Sprintf("INVITE urn:service:sos SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n"+
		"From: <sip:alice@example.com>;tag=1\r\nTo: <urn:service:sos>\r\nCall-ID: x1\r\nCSeq: 1 INVITE\r\n"+
		"Content-Type: %s\r\nContent-Length: %d\r\n\r\n%s", ctype, len(body), body))
}

// sosMultipart is SDP and the PIDF-LO in a multipart/mixed body.
func sosMultipart() []byte {
	body := "--b\r\nContent-Type: application/sdp\r\n\r\nv=0\r\nc=IN IP4 192.0.2.1\r\n" +
		"--b\r\nContent-Type: application/pidf+xml\r\nContent-ID: <loc@example.com>\r\n\r\n" + pidfBody + "--b--\r\n"
	return sosInvite("multipart/mixed;boundary=b", body)
}

// xmlChain reads the position and its reference system into variables and tests both.
const xmlChain = `{"ProfileID": 1, "ProfileName": "xml", "Rules": [
 {"MsgType": "REQUEST", "StoredVariables": [
   {"VariableName": "{$pos}", "Header": "//pos", "HeaderAttr": "XML_BODY"},
   {"VariableName": "{$srs}", "Header": "//Point/@srsName", "HeaderAttr": "XML_BODY", "RegEx1": "[0-9]+$"}],
  "Conditions": [{"Header": "/presence/tuple/@id", "HeaderAttr": "XML_BODY", "Operator": "EQ", "RightOperand": "t1"}],
  "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-Location: {$pos};crs={$srs}"}]}]}`

func TestXMLMachine(t *testing.T) {
	var trace bytes.Buffer
	m := NewMachine(mustChain(t, xmlChain))
	m.SetTrace(&trace)
	for _, in := range [][]byte{sosMultipart(), sosInvite("Application/PIDF+XML; charset=utf-8", pidfBody)} {
		trace.Reset()
		res := m.Run(in, &testEnv)
		if !bytes.Contains(res.Output, []byte("Call-ID: x1\r\nX-Location: 37.775 -122.418;crs=4326\r\n")) {
			t.Errorf("output\n%s\ntrace\n%s", res.Output, trace.String())
		}
		// Three paths read, one reading of the body.
		if n := strings.Count(trace.String(), ") read\n"); n != 1 {
			t.Errorf("the XML is read %d times, want once:\n%s", n, trace.String())
		}
	}
	// The next message reads its own body: nothing left over from the one before.
	res := m.Run(sosInvite("application/sdp", "v=0\r\n"), &testEnv)
	if res.Verdict != Accept || !strings.Contains(trace.String(), "no XML body or part") {
		t.Errorf("a message without XML after one with: %v\n%s", res.Verdict, trace.String())
	}
}

// TestXMLAllocs: reading the XML, whole or in a multipart body, and selecting from it allocate
// nothing on a warm Machine.
func TestXMLAllocs(t *testing.T) {
	m := NewMachine(mustChain(t, xmlChain))
	for _, in := range [][]byte{sosMultipart(), sosInvite("application/pidf+xml", pidfBody), sosInvite("application/pidf+xml", "<a><b></a>")} {
		m.Run(in, &testEnv)
		if n := testing.AllocsPerRun(200, func() { m.Run(in, &testEnv) }); n != 0 {
			t.Errorf("Machine.Run allocates %v times per message on\n%s", n, in)
		}
	}
}

// TestPartNesting hits MaxPartNesting: a PIDF-LO part inside 16 levels of multipart bodies is
// read, inside 17 it is not.
func TestPartNesting(t *testing.T) {
	m := NewMachine(mustChain(t, xmlChain))
	for _, levels := range []int{MaxPartNesting, MaxPartNesting + 1} {
		ctype, body := "application/pidf+xml", pidfBody
		for k := range levels {
			b := fmt.Sprintf("b%d", k)
			body = fmt.Sprintf("--%s\r\nContent-Type: %s\r\n\r\n%s\r\n--%s--\r\n", b, ctype, body, b)
			ctype = "multipart/mixed; boundary=" + b
		}
		res := m.Run(sosInvite(ctype, body), &testEnv)
		if got, want := bytes.Contains(res.Output, []byte("X-Location: 37.775")), levels <= MaxPartNesting; got != want {
			t.Errorf("%d levels: location read %v, want %v", levels, got, want)
		}
	}
}

// BenchmarkXMLPos runs a chain that reads //pos from the spec's PIDF-LO body into a variable and
// tests it, with no edit: the whole body, the body as the second part of a multipart body after
// SDP, and for comparison that multipart message under a chain that reads a header instead.
func BenchmarkXMLPos(b *testing.B) {
	const pos = `{"ProfileID": 1, "ProfileName": "pos", "Rules": [{"MsgType": "REQUEST",
	 "StoredVariables": [{"VariableName": "{$pos}", "Header": "//pos", "HeaderAttr": "XML_BODY"}],
	 "Conditions": [{"Header": "{$pos}", "HeaderAttr": "CONDITION_LITERAL", "Operator": "EQ", "RightOperand": "0 0"}],
	 "Action": "DROP_MSG"}]}`
	const header = `{"ProfileID": 1, "ProfileName": "header", "Rules": [{"MsgType": "REQUEST",
	 "StoredVariables": [{"VariableName": "{$to}", "Header": "To"}],
	 "Conditions": [{"Header": "{$to}", "HeaderAttr": "CONDITION_LITERAL", "Operator": "EQ", "RightOperand": "0 0"}],
	 "Action": "DROP_MSG"}]}`
	for _, bc := range []struct {
		name, chain string
		in          []byte
	}{
		{"whole", pos, sosInvite("application/pidf+xml", pidfBody)},
		{"multipart", pos, sosMultipart()},
		{"multipart-no-xml-rule", header, sosMultipart()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			m := NewMachine(mustChain(b, bc.chain))
			if r := m.Run(bc.in, &testEnv); r.Verdict != Accept {
				b.Fatal(r.Verdict)
			}
			b.SetBytes(int64(len(bc.in)))
			b.ReportAllocs()
			for b.Loop() {
				m.Run(bc.in, &testEnv)
			}
		})
	}
}
