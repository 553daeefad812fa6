package runtime

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

// sipI is an INVITE with a SIP-I body: an SDP part and an ITU-T IAM (examples/guide's
// 20-test-isup.iam case).
func sipI(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("../examples/guide/20-test-isup.iam.txtar")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := bytes.Cut(data, []byte("-- input.sip --\n"))
	in, _, _ := bytes.Cut(rest, []byte("-- want.sip --\n"))
	return in
}

// isupChain reads every ISUP variable in two rules and edits the SDP part of the body.
const isupChain = `{"ProfileID": 1, "ProfileName": "isup", "Rules": [
 {"MsgType": "REQUEST", "StoredVariables": [{"VariableName": "{$ISUP.IsPresent}", "Porting": "IMPORT"}],
  "Conditions": [{"Header": "{$ISUP.IsPresent}", "HeaderAttr": "CONDITION_LITERAL", "Operator": "EQ", "RightOperand": "1"}],
  "Action": "REPLACE_MSG", "ReplaceDefs": [
   {"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-ISUP: {$ISUP.NCI} {$ISUP.FCI} {$ISUP.CPC} {$ISUP.CPN} {$ISUP.CdPN}"}]},
 {"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [
   {"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-ISUP-2: {$ISUP.ParamJIP} {$ISUP.ParamOLI}"},
   {"ReplaceType": "FINDSUB_LINES", "Header": "c=", "HeaderAttr": "BODY_SECTION_ONLY", "RegEx1": "198\\.51\\.100\\.7", "Output": "192.0.2.9"},
   {"ReplaceType": "ADD_LINE", "Header": "a=ptime", "HeaderAttr": "BODY_SECTION_ONLY", "Output": "a=ptime:20"}]}]}`

func TestISUPMachine(t *testing.T) {
	in := sipI(t)
	var trace bytes.Buffer
	m := NewMachine(mustChain(t, isupChain))
	m.SetTrace(&trace)
	res := m.Run(in, &testEnv)
	want := strings.Replace(string(in), "Call-ID: 3848276298220188511@198.51.100.7\r\n",
		"Call-ID: 3848276298220188511@198.51.100.7\r\nX-ISUP-2: 555123 62\r\nX-ISUP: 00 6001 10 5550001111 5551234567\r\n", 1)
	want = strings.Replace(want, "c=IN IP4 198.51.100.7\r\n", "c=IN IP4 192.0.2.9\r\n", 1)
	want = strings.Replace(want, "a=sendrecv\r\n--unique", "a=sendrecv\r\na=ptime:20\r\n--unique", 1)
	want = strings.Replace(want, "Content-Length: 471", "Content-Length: 480", 1) // 3 bytes shorter, 12 longer
	if res.Verdict != Modified || string(res.Output) != want {
		t.Fatalf("verdict %v, output\n%q\nwant\n%q", res.Verdict, res.Output, want)
	}
	// Nine reads of ISUP variables in two rules, one decode: the trace shows the IAM once.
	if n := strings.Count(trace.String(), "isup: application/ISUP;version=itu-t92+ (multipart part 2, 34 bytes): IAM, ITU-T Q.763 layout\n"); n != 1 {
		t.Errorf("the IAM is shown %d times in the trace, want once:\n%s", n, trace.String())
	}
	// The next message decodes its own body: no IAM left over from the one before.
	plain := []byte(strings.Replace(invite, "Content-Type: application/sdp", "Content-Type: application/ISUP", 1))
	if res := m.Run(plain, &testEnv); bytes.Contains(res.Output, []byte("X-ISUP:")) || !bytes.Contains(res.Output, []byte("X-ISUP-2:  \r\n")) {
		t.Errorf("a body that is no IAM after one that was:\n%s", res.Output)
	}
}

// TestISUPAllocs: decoding the IAM and selecting lines in a multipart body allocate nothing.
func TestISUPAllocs(t *testing.T) {
	m := NewMachine(mustChain(t, isupChain))
	in := sipI(t)
	m.Run(in, &testEnv)
	if n := testing.AllocsPerRun(200, func() { m.Run(in, &testEnv) }); n != 0 {
		t.Errorf("Machine.Run on a SIP-I INVITE allocates %v times per message", n)
	}
}

// TestTextPartLimit hits MaxTextParts: the c= lines of the first 32 text parts are selected, the
// 33rd's is not.
func TestTextPartLimit(t *testing.T) {
	for _, parts := range []int{MaxTextParts, MaxTextParts + 1} {
		var body strings.Builder
		for k := 0; k < parts; k++ {
			fmt.Fprintf(&body, "--b\r\nContent-Type: application/sdp\r\n\r\nc=IN IP4 198.51.100.7\r\n")
		}
		body.WriteString("--b--\r\n")
		in := strings.Replace(invite, "Content-Type: application/sdp", "Content-Type: multipart/mixed;boundary=b", 1)
		in = strings.Replace(in, "Content-Length: 26\r\n\r\nv=0\r\nc=IN IP4 192.0.2.10\r\n", fmt.Sprintf("Content-Length: %d\r\n\r\n%s", body.Len(), body.String()), 1)
		m := NewMachine(mustChain(t, `{"ProfileID": 1, "ProfileName": "parts", "Rules": [{"MsgType": "REQUEST", "Action": "REPLACE_MSG",
		  "ReplaceDefs": [{"ReplaceType": "FINDSUB_LINES", "Header": "c=", "HeaderAttr": "BODY_SECTION_ONLY", "RegEx1": "198\\.51\\.100\\.7", "Output": "192.0.2.9"}]}]}`))
		out := string(m.Run([]byte(in), &testEnv).Output)
		if got := strings.Count(out, "c=IN IP4 192.0.2.9\r\n"); got != MaxTextParts {
			t.Errorf("%d text parts: %d lines changed, want %d", parts, got, MaxTextParts)
		}
		if got := strings.Count(out, "c=IN IP4 198.51.100.7\r\n"); got != parts-MaxTextParts {
			t.Errorf("%d text parts: %d lines left, want %d", parts, got, parts-MaxTextParts)
		}
	}
}
