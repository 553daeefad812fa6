package runtime

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/match"
)

var testEnv = Env{
	Remote: netip.MustParseAddrPort("192.0.2.1:5060"),
	Local:  netip.MustParseAddrPort("192.0.2.2:5060"),
	Now:    time.Date(2021, 3, 18, 21, 6, 48, 0, time.UTC),
	Rand:   2,
}

func mustChain(t testing.TB, profiles ...string) *Chain {
	t.Helper()
	var progs []*compile.Program
	for i, src := range profiles {
		prog, diags := compile.Compile("p.json", []byte(src), compile.Options{OpenData: func(name string) ([]byte, error) {
			switch name {
			case "nets.csv":
				return []byte("192.0.2.0/24,doc\n2001:db8::/32,doc6\n"), nil
			case "lcr.csv":
				return []byte("+1,nanp\n+1555123,block\n,default\n"), nil
			}
			return []byte("+15551230001,gold\n+15551230002,silver\n2,second\n"), nil
		}})
		if prog == nil {
			t.Fatalf("profile %d: %v", i, diags)
		}
		progs = append(progs, prog)
	}
	chain, err := NewChain(progs...)
	if err != nil {
		t.Fatal(err)
	}
	return chain
}

const invite = "INVITE sip:0114420@example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n" +
	"From: \"Alice\" <sip:+15551230001@example.com>;tag=1928301774\r\n" +
	"To: <sip:bob@example.com>\r\n" +
	"Call-ID: a84b4c76e66710\r\n" +
	"CSeq: 314159 INVITE\r\n" +
	"Cisco-Guid: 1234\r\n" +
	"Content-Type: application/sdp\r\n" +
	"Content-Length: 26\r\n\r\n" +
	"v=0\r\nc=IN IP4 192.0.2.10\r\n"

// literalChain uses every kind of instruction with literal patterns only, so nothing in it
// should allocate once the Machine's buffers have grown.
const literalChain = `{"ProfileID": 1, "ProfileName": "alloc", "Rules": [
 {"MsgType": "REQUEST", "ReqMethod": "INVITE",
  "StoredVariables": [{"VariableName": "{$user}", "Header": "From", "Macro": "GETURI_USERNAME"}, {"VariableName": "{$SMC.Date}", "Porting": "IMPORT"}],
  "DataFile": "d.csv", "LogicalConjunction": "AND",
  "Conditions": [{"Header": "From", "Macro": "GETURI_USERNAME", "Operator": "BSEARCH_EQ"},
                 {"Header": "{$user}", "HeaderAttr": "CONDITION_LITERAL", "RegEx1": "^\\+1", "Operator": "NEQ", "RightOperand": ""}],
  "Action": "REPLACE_MSG", "ReplaceDefs": [
   {"ReplaceType": "FINDSUB_LINES", "Header": "TOPLINE", "Macro": "GETURI_USERNAME", "RegEx1": "^011", "Output": "+"},
   {"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-Class: {$DataFile.Field2} {$user} {$SMC.Date}"},
   {"ReplaceType": "DELETE_LINES", "Header": "Cisco-Guid"},
   {"ReplaceType": "APPEND_LINES", "Header": "c=", "HeaderAttr": "BODY_SECTION_ONLY", "Output": "0"},
   {"ReplaceType": "AUDIT_RECORD", "Output": "class {$DataFile.Field2}"}]},
 {"MsgType": "REQUEST", "DataFile": "nets.csv",
  "Conditions": [{"Header": "c=", "HeaderAttr": "BODY_SECTION_ONLY", "Operator": "IP_NLOOKUP"}],
  "Action": "DROP_MSG"}]}`

func TestMachineRewrites(t *testing.T) {
	m := NewMachine(mustChain(t, literalChain))
	res := m.Run([]byte(invite), &testEnv)
	want := strings.Replace(invite, "sip:011", "sip:+", 1)
	want = strings.Replace(want, "Cisco-Guid: 1234\r\n", "", 1)
	want = strings.Replace(want, "Call-ID: a84b4c76e66710\r\n", "Call-ID: a84b4c76e66710\r\nX-Class: gold +15551230001 Thu, 18 Mar 2021 21:06:48 GMT\r\n", 1)
	want = strings.Replace(want, "192.0.2.10\r\n", "192.0.2.100\r\n", 1)
	want = strings.Replace(want, "Content-Length: 26", "Content-Length: 27", 1)
	if res.Verdict != Modified || string(res.Output) != want {
		t.Fatalf("verdict %v, output\n%q\nwant\n%q", res.Verdict, res.Output, want)
	}
	if len(res.Audit) != 1 || string(res.Audit[0].Text) != "class gold" {
		t.Errorf("audit %v", res.Audit)
	}
}

func TestMachineAllocs(t *testing.T) {
	m := NewMachine(mustChain(t, literalChain))
	in := []byte(invite)
	m.Run(in, &testEnv)
	if n := testing.AllocsPerRun(200, func() { m.Run(in, &testEnv) }); n != 0 {
		t.Errorf("Machine.Run allocates %v times per message", n)
	}
}

// captureChain edits with capture groups on the sequence engine (SMC-SPEC §6): FINDSUB with
// RegEx1's groups, FINDINSERTAFTER with RegEx2's inside RegEx1's match, and a group that took no
// part, which expands to nothing.
const captureChain = `{"ProfileID": 1, "ProfileName": "captures", "Rules": [{"MsgType": "REQUEST",
  "Action": "REPLACE_MSG", "ReplaceDefs": [
   {"ReplaceType": "FINDSUB_LINES", "Header": "From", "Macro": "GETURI_USERNAME", "RegEx1": "^\\+1([0-9]{3})([0-9]+)$", "Output": "({$1}) {$2}"},
   {"ReplaceType": "FINDINSERTAFTER_LINES", "Header": "Via", "RegEx1": "branch=[0-9a-zA-Z]+", "RegEx2": "z9hG4bK([0-9]+)", "Output": "-{$1}"},
   {"ReplaceType": "FINDSUB_LINES", "Header": "c=", "HeaderAttr": "BODY_SECTION_ONLY", "RegEx1": "IP4 ([0-9]+)\\.(x|([0-9]+))", "Output": "IP4 {$2}.{$1}[{$3}]"}]}]}`

// TestCaptureGroups: each match gets its own groups; the path allocates nothing once warm.
func TestCaptureGroups(t *testing.T) {
	m := NewMachine(mustChain(t, captureChain))
	in := []byte(invite)
	res := m.Run(in, &testEnv)
	want := strings.Replace(invite, "sip:+15551230001@", "sip:(555) 1230001@", 1)
	want = strings.Replace(want, "branch=z9hG4bK776asdhds", "branch=z9hG4bK776-776asdhds", 1)
	want = strings.Replace(want, "IP4 192.0.2.10", "IP4 0.192[0].2.10", 1)
	want = strings.Replace(want, "Content-Length: 26", "Content-Length: 29", 1)
	if string(res.Output) != want {
		t.Fatalf("output\n%q\nwant\n%q", res.Output, want)
	}
	if n := testing.AllocsPerRun(200, func() { m.Run(in, &testEnv) }); n != 0 {
		t.Errorf("Machine.Run with capture groups allocates %v times per message", n)
	}
	if st := m.Stats(); st.RegexFallbacks != 0 {
		t.Errorf("%d searches went to RE2", st.RegexFallbacks)
	}
}

// TestRandomRowAllocs: selecting the random row (SMC-SPEC §7) allocates nothing. Its key was
// moved to the heap on every message because the trace line took it (a FuzzMachine finding).
func TestRandomRowAllocs(t *testing.T) {
	m := NewMachine(mustChain(t, `{"ProfileID": 1, "ProfileName": "random row", "Rules": [{"MsgType": "REQUEST",
	  "DataFile": "d.csv", "StoredVariables": [{"VariableName": "{$SMC.Rand1000}", "Porting": "IMPORT"}],
	  "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-Row: {$DataFile.Field2}"}]}]}`))
	in := []byte(invite)
	if res := m.Run(in, &testEnv); !bytes.Contains(res.Output, []byte("\r\nX-Row: second\r\n")) {
		t.Fatalf("rand %d: the row of key 2 not selected:\n%s", testEnv.Rand, res.Output)
	}
	if n := testing.AllocsPerRun(200, func() { m.Run(in, &testEnv) }); n != 0 {
		t.Errorf("Machine.Run with a random row allocates %v times per message", n)
	}
}

// TestPrefixLookupAllocs: a BSEARCH_PREFIX lookup (the longest prefix of the caller, then a field
// of its row in an edit) allocates nothing, found or not.
func TestPrefixLookupAllocs(t *testing.T) {
	m := NewMachine(mustChain(t, `{"ProfileID": 1, "ProfileName": "routes", "Rules": [{"MsgType": "REQUEST",
	  "DataFile": "lcr.csv", "Conditions": [{"Header": "From", "Macro": "GETURI_USERNAME", "Operator": "BSEARCH_PREFIX"}],
	  "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-Route: {$DataFile.Field2}"}]},
	  {"MsgType": "REQUEST", "DataFile": "lcr.csv", "Conditions": [{"Header": "To", "Macro": "GETURI_USERNAME", "Operator": "BSEARCH_NPREFIX"}],
	  "Action": "DROP_MSG"}]}`))
	in := []byte(invite)
	if res := m.Run(in, &testEnv); !bytes.Contains(res.Output, []byte("\r\nX-Route: block\r\n")) {
		t.Fatalf("the row of the longest prefix +1555123 not selected:\n%s", res.Output)
	}
	if n := testing.AllocsPerRun(200, func() { m.Run(in, &testEnv) }); n != 0 {
		t.Errorf("Machine.Run with prefix lookups allocates %v times per message", n)
	}
}

func TestRejectResponse(t *testing.T) {
	m := NewMachine(mustChain(t, `{"ProfileID": 1, "ProfileName": "r", "Rules": [{"MsgType": "REQUEST",
	  "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "REWRITE_LINE", "Header": "From", "Output": "From: <sip:changed@example.com>;tag=x"},
	  {"ReplaceType": "ADD_LINE", "Header": "To", "Output": "Sansay-SMC-RejectCall607"}]}]}`))
	res := m.Run([]byte(invite), &testEnv)
	want := "SIP/2.0 607 Unwanted\r\n" +
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n" +
		"From: \"Alice\" <sip:+15551230001@example.com>;tag=1928301774\r\n" +
		"To: <sip:bob@example.com>;tag=smc" + hex8(toTagOf("a84b4c76e66710", "1928301774")) + "\r\n" +
		"Call-ID: a84b4c76e66710\r\n" +
		"CSeq: 314159 INVITE\r\n" +
		"Content-Length: 0\r\n\r\n"
	if res.Verdict != Reject || res.Code != 607 || string(res.Response) != want {
		t.Fatalf("verdict %v %d, response\n%q\nwant\n%q", res.Verdict, res.Code, res.Response, want)
	}
	ack := strings.Replace(strings.Replace(invite, "INVITE sip", "ACK sip", 1), "314159 INVITE", "314159 ACK", 1)
	if res := m.Run([]byte(ack), &testEnv); res.Verdict != Drop {
		t.Errorf("rejected ACK: verdict %v, want drop", res.Verdict)
	}
}

// toTagOf computes SMC-SPEC §8's tag independently of the runtime's code.
func toTagOf(callID, fromTag string) uint32 {
	h := uint32(2166136261)
	for _, c := range []byte(callID + "\x00" + fromTag) {
		h = (h ^ uint32(c)) * 16777619
	}
	return h
}

func hex8(v uint32) string {
	const digits = "0123456789abcdef"
	var b [8]byte
	for i := 7; i >= 0; i-- {
		b[i], v = digits[v&15], v>>4
	}
	return string(b[:])
}

func TestUnparseablePassesUnchanged(t *testing.T) {
	m := NewMachine(mustChain(t, literalChain))
	for _, in := range []string{"", "hello", "INVITE sip:a@b SIP/2.0\r\nVia: x\r\n", "INVITE sip:a@b SIP/2.0\r\nContent-Length: 99\r\n\r\nv=0\r\n"} {
		res := m.Run([]byte(in), &testEnv)
		if res.Verdict != Accept || string(res.Output) != in || res.ParseError == nil {
			t.Errorf("%q: verdict %v, parse error %v", in, res.Verdict, res.ParseError)
		}
	}
}

// A macro reads a line's parts as the line now is: after a rule rewrote the line, and in the next
// message, even when the value has the same place and length but its '@' elsewhere (the Machine
// keeps the parts it found per line, parts.go).
func TestMacroPartsFollowEdits(t *testing.T) {
	const profile = `{"ProfileID": 1, "ProfileName": "parts", "Rules": [
	 {"MsgType": "REQUEST", "Conditions": [{"Header": "From", "Macro": "GETURI_USERNAME", "Operator": "EQ", "RightOperand": "+1555123000"}],
	  "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "From", "Output": "X-Seen: yes"}]},
	 {"MsgType": "REQUEST", "Action": "REPLACE_MSG",
	  "ReplaceDefs": [{"ReplaceType": "FINDSUB_LINES", "Header": "From", "RegEx1": "01@ex", "Output": "0@1ex"}]},
	 {"MsgType": "REQUEST", "Conditions": [{"Header": "From", "Macro": "GETURI_USERNAME", "Operator": "EQ", "RightOperand": "+1555123000"}],
	  "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "From", "Output": "X-Edited: yes"}]}]}`
	firstRule := profile[:strings.Index(profile, `]},`)] + "]}]}"
	m, first := NewMachine(mustChain(t, profile)), NewMachine(mustChain(t, firstRule))
	for _, tt := range []struct {
		from string
		seen bool
	}{
		{"+15551230001@example.com", false},
		{"+1555123000@1example.com", true}, // same place and length as the message before
		{"+15551230001@example.com", false},
	} {
		in := []byte(strings.Replace(invite, "+15551230001@example.com", tt.from, 1))
		out := string(m.Run(in, &testEnv).Output)
		if got := strings.Contains(out, "X-Seen: yes\r\n"); got != tt.seen {
			t.Errorf("From %s: X-Seen added %v, want %v:\n%s", tt.from, got, tt.seen, out)
		}
		if !strings.Contains(out, "X-Edited: yes\r\n") {
			t.Errorf("From %s: the rewritten From was not read again:\n%s", tt.from, out)
		}
		// Without the other rules no edit tells one message's From from the next's.
		out = string(first.Run(in, &testEnv).Output)
		if got := strings.Contains(out, "X-Seen: yes\r\n"); got != tt.seen {
			t.Errorf("From %s, first rule alone: X-Seen added %v, want %v:\n%s", tt.from, got, tt.seen, out)
		}
	}
}

// prefixTest.match is bytes.HasPrefix for every prefix length, on lines whose bytes past their
// end differ, and on slices too short to read eight bytes from.
// Stats counts, per Machine, the searches of a sequence pattern that went to RE2: text with a
// byte from 0x80 on does, ASCII text does not, and another Machine's count stays apart.
func TestMachineStats(t *testing.T) {
	chain := mustChain(t, `{"ProfileID": 1, "ProfileName": "stats", "Rules": [{"MsgType": "REQUEST",
	  "Conditions": [{"Header": "From", "Macro": "GETDISPLAYNAME", "Operator": "REGEX", "RightOperand": "[A-Z][a-z]+"}],
	  "Action": "DROP_MSG"}]}`)
	if k := chain.Programs[0].Matchers[0].Kind; k != match.Seq {
		t.Fatalf("the pattern runs on %v, not the sequence engine", k)
	}
	m, other := NewMachine(chain), NewMachine(chain)
	for _, tt := range []struct {
		display string
		want    uint64
	}{{"Alice", 0}, {"Zoë", 1}, {"Bob", 1}, {"Renée", 2}} {
		in := strings.Replace(invite, `"Alice"`, `"`+tt.display+`"`, 1)
		if res := m.Run([]byte(in), &testEnv); res.Verdict != Drop {
			t.Fatalf("%s: verdict %v, want drop", tt.display, res.Verdict)
		}
		if got := m.Stats().RegexFallbacks; got != tt.want {
			t.Errorf("after %s: %d fallbacks, want %d", tt.display, got, tt.want)
		}
	}
	if got := other.Stats(); got != (Stats{}) {
		t.Errorf("an idle Machine counted %+v", got)
	}
}

func TestPrefixTest(t *testing.T) {
	buf := []byte("a=crypto:1 AES\r\na=cryptX\r\nc=IN\r\na=\r\n")
	var texts [][]byte
	for start := 0; start < len(buf); start++ {
		for end := start; end <= len(buf); end++ {
			texts = append(texts, buf[start:end], append([]byte(nil), buf[start:end]...))
		}
	}
	for _, prefix := range []string{"", "a", "a=", "c=", "a=crypto", "a=crypto:", "a=crypto:1 AES", "a=cryptX\r\na"} {
		for _, p := range [][]byte{[]byte(prefix), append(make([]byte, 0, len(prefix)), prefix...)} {
			pt := newPrefixTest(p)
			for _, text := range texts {
				if got, want := pt.match(text), bytes.HasPrefix(text, p); got != want {
					t.Fatalf("prefix %q (cap %d), text %q (cap %d): %v, want %v", p, cap(p), text, cap(text), got, want)
				}
			}
		}
	}
}

// {$SMC.Date} is each message's own time, to the second, however the Machine reuses what it
// formatted for the message before.
func TestDatePerMessage(t *testing.T) {
	const profile = `{"ProfileID": 1, "ProfileName": "date", "Rules": [{"MsgType": "REQUEST",
	 "StoredVariables": [{"VariableName": "{$SMC.Date}", "Porting": "IMPORT"}],
	 "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "Date: {$SMC.Date}"}]}]}`
	m := NewMachine(mustChain(t, profile))
	base := time.Date(2021, 3, 18, 21, 6, 48, 0, time.UTC)
	for _, now := range []time.Time{base, base.Add(900 * time.Millisecond), base.Add(time.Second), base.Add(-time.Hour), base.Add(-time.Hour)} {
		env := testEnv
		env.Now = now
		want := "Date: " + now.UTC().Format(imfFixdate) + "\r\n"
		if out := string(m.Run([]byte(invite), &env).Output); !strings.Contains(out, want) {
			t.Errorf("at %v: no %q in\n%s", now, want, out)
		}
	}
}
