package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/runtime/sipmsg"
)

// profileOf builds a profile of one REQUEST rule per element of rules; each element holds the
// rule's keys besides MsgType.
func profileOf(t *testing.T, rules ...map[string]any) string {
	t.Helper()
	for _, r := range rules {
		r["MsgType"] = "REQUEST"
		if _, ok := r["Action"]; !ok {
			r["Action"] = "REPLACE_MSG"
		}
	}
	b, err := json.Marshal(map[string]any{"ProfileID": 7, "ProfileName": "limits", "Rules": rules})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func defs(d ...map[string]any) map[string]any { return map[string]any{"ReplaceDefs": d} }

// request returns an OPTIONS request with n header lines "X: y" and the given body.
func request(n int, body string) string {
	return "OPTIONS sip:a@b SIP/2.0\r\n" + strings.Repeat("X: y\r\n", n) + "Z: z\r\n\r\n" + body
}

// NewChain takes compile.MaxProfiles programs and refuses one more, with the error smcc and smcd
// print.
func TestChainLength(t *testing.T) {
	progs := make([]*compile.Program, compile.MaxProfiles+1)
	for i := range progs {
		progs[i] = &compile.Program{ID: int64(i)}
	}
	if _, err := NewChain(progs[:compile.MaxProfiles]...); err != nil {
		t.Errorf("%d programs: %v", compile.MaxProfiles, err)
	}
	want := "the chain has 65 profiles; a chain holds at most 64 (compile.MaxProfiles): merge profiles, or bind separate chains to separate peers"
	if c, err := NewChain(progs...); c != nil || err == nil || err.Error() != want {
		t.Errorf("%d programs: %v, %v; want %q", len(progs), c, err, want)
	}
}

// A chain's profiles share one header name table. Compiled profiles cannot fill it
// (compile.MaxHeaderNames), but programs from elsewhere can: NewChain then returns an error
// naming the profile and the header, where it used to panic inside the table.
func TestChainNameTableFull(t *testing.T) {
	free := sipmsg.MaxNames - sipmsg.NewNameTable().Len()
	names := func(from, n int) []string {
		var s []string
		for i := from; i < from+n; i++ {
			s = append(s, "X-"+strconv.Itoa(i))
		}
		return s
	}
	first := &compile.Program{ID: 1, Name: "first", HeaderName: names(0, free/2)}
	fills := &compile.Program{ID: 2, Name: "second", HeaderName: names(free/2, free-free/2)}
	c, err := NewChain(first, fills, first)
	if err != nil {
		t.Fatalf("a chain that fills the name table: %v", err)
	}
	if c.Names().Len() != sipmsg.MaxNames {
		t.Errorf("the name table has %d IDs, want %d", c.Names().Len(), sipmsg.MaxNames)
	}
	past := &compile.Program{ID: 3, Name: "third", HeaderName: []string{"Via", "X-0", "X-One-Too-Many"}}
	c, err = NewChain(first, fills, past)
	want := `profile 3 of the chain (3 third): header "X-One-Too-Many": more distinct header names than a name table holds (sipmsg.MaxNames)`
	if c != nil || !errors.Is(err, sipmsg.ErrTooManyNames) || err.Error() != want {
		t.Errorf("one name past the table: %v, %v; want %q", c, err, want)
	}
}

func TestMaxOutputSizeMatchesParse(t *testing.T) {
	if MaxOutputSize != sipmsg.MaxMessageSize {
		t.Errorf("MaxOutputSize %d, sipmsg.MaxMessageSize %d: a message the Machine sends must be one it parses", MaxOutputSize, sipmsg.MaxMessageSize)
	}
}

// A chain that grows the message to exactly MaxOutputSize gets its output; one byte more and the
// message passes unchanged with Overflow set, and nothing else the rules did (audit records,
// DSCP, mark) remains. Each growing action reaches the limit its own way.
func TestOutputLimit(t *testing.T) {
	const lines = 64
	in := request(lines, "")
	room := MaxOutputSize - len(in)
	per := room / lines // APPEND_LINES on every X line adds per bytes to each
	extra := room - lines*per
	side := []map[string]any{
		{"ReplaceType": "AUDIT_RECORD", "Output": "before"},
		{"ReplaceType": "SET_DSCP", "Output": "EF"},
		{"ReplaceType": "SET_MARK", "Output": "7"},
	}
	appendRule := func(last int) map[string]any {
		return defs(append(side,
			map[string]any{"ReplaceType": "APPEND_LINES", "Header": "X", "Output": strings.Repeat("a", per)},
			map[string]any{"ReplaceType": "APPEND_LINES", "Header": "Z", "Output": strings.Repeat("b", last)})...)
	}
	findsub := func(last int) map[string]any { // y becomes per+1 bytes on every X line
		return defs(map[string]any{"ReplaceType": "FINDSUB_LINES", "Header": "X", "RegEx1": "y", "Output": strings.Repeat("c", per+1)},
			map[string]any{"ReplaceType": "ADD_LINE", "Header": "Z", "Output": "W:" + strings.Repeat("d", last-4)})
	}
	// FINDSUB of every byte of one line: the line itself would grow past the limit.
	oneLine := defs(map[string]any{"ReplaceType": "FINDSUB_LINES", "Header": "Z", "RegEx1": "z", "Output": strings.Repeat("e", MaxOutputSize/2)})
	tests := []struct {
		name    string
		profile string
		in      string
		err     error
	}{
		{"APPEND_LINES to the limit", profileOf(t, appendRule(extra)), in, nil},
		{"APPEND_LINES one byte past", profileOf(t, appendRule(extra+1)), in, ErrOutputTooLarge},
		{"FINDSUB_LINES to the limit", profileOf(t, findsub(extra)), in, nil},
		{"FINDSUB_LINES one byte past", profileOf(t, findsub(extra+1)), in, ErrOutputTooLarge},
		{"FINDSUB that grows one line past", profileOf(t, oneLine), "OPTIONS sip:a@b SIP/2.0\r\nZ: zzzz\r\n\r\n", ErrOutputTooLarge},
		{"growth in a later profile", profileOf(t, map[string]any{"Action": "DROP_MSG", "ReqMethod": "INVITE"}) + "\n" + profileOf(t, appendRule(extra+1)), in, ErrOutputTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chain := mustChain(t, strings.Split(tt.profile, "\n")...)
			m := NewMachine(chain)
			for run := 0; run < 2; run++ { // the second run checks that nothing of the first remains
				res := m.Run([]byte(tt.in), &testEnv)
				if res.Overflow != tt.err {
					t.Fatalf("Overflow %v, want %v", res.Overflow, tt.err)
				}
				if tt.err == nil {
					if res.Verdict != Modified || len(res.Output) != MaxOutputSize {
						t.Fatalf("verdict %v, output of %d bytes; want modified, %d", res.Verdict, len(res.Output), MaxOutputSize)
					}
					continue
				}
				if res.Verdict != Accept || string(res.Output) != tt.in || len(res.Audit) != 0 || res.DSCP != -1 || res.HasMark {
					t.Fatalf("verdict %v, %d audit records, DSCP %d, mark %v; want accept, the input, nothing else", res.Verdict, len(res.Audit), res.DSCP, res.HasMark)
				}
				if res.Program != len(chain.Programs)-1 || res.Rule != 0 {
					t.Errorf("rule behind it: profile %d rule %d", res.Program, res.Rule)
				}
			}
		})
	}
}

// The edits are held to the parse limits on lines too, so that the message sent is one the
// Machine would parse: at most sipmsg.MaxLines lines, and no start or header line past
// sipmsg.MaxLineLength (a body line may be longer).
func TestOutputLineLimits(t *testing.T) {
	const headerLines = 1000
	in := request(headerLines, "") // the start line, 1000 X lines and Z: 1002 lines
	addBody := func(n int) map[string]any {
		return defs(map[string]any{"ReplaceType": "ADD_LINE", "Header": "b", "HeaderAttr": "BODY_SECTION_ONLY", "Output": strings.Repeat("b\n", n-1) + "b"})
	}
	grow := func(n int) map[string]any { // Z: z grows to n bytes
		return defs(map[string]any{"ReplaceType": "APPEND_LINES", "Header": "Z", "Output": strings.Repeat("z", n-len("Z: z"))})
	}
	appendBody := map[string]any{"ReplaceType": "APPEND_LINES", "Header": "b", "HeaderAttr": "BODY_SECTION_ONLY", "Output": strings.Repeat("b", 2*sipmsg.MaxLineLength)}
	tests := []struct {
		name string
		rule map[string]any
		in   string
		err  error
	}{
		{"MaxLines lines", addBody(sipmsg.MaxLines - headerLines - 2), in, nil},
		{"MaxLines+1 lines", addBody(sipmsg.MaxLines - headerLines - 1), in, ErrOutputTooManyLines},
		{"header line of MaxLineLength", grow(sipmsg.MaxLineLength), in, nil},
		{"header line of MaxLineLength+1", grow(sipmsg.MaxLineLength + 1), in, ErrOutputLineTooLong},
		{"body line past MaxLineLength", defs(appendBody), request(1, "b\r\n"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := NewMachine(mustChain(t, profileOf(t, tt.rule))).Run([]byte(tt.in), &testEnv)
			if res.Overflow != tt.err {
				t.Fatalf("Overflow %v, want %v", res.Overflow, tt.err)
			}
			if tt.err == nil {
				var m sipmsg.Message
				if res.Verdict != Modified || m.Parse(res.Output, sipmsg.NewNameTable()) != nil {
					t.Fatalf("verdict %v; the output does not parse again", res.Verdict)
				}
			} else if res.Verdict != Accept || string(res.Output) != tt.in {
				t.Fatalf("verdict %v; want accept, the input", res.Verdict)
			}
		})
	}
}

// Content-Length is fixed after the chain, and the fix itself may take the message past the
// limit by a digit.
func TestOutputLimitContentLength(t *testing.T) {
	body := "v=0\r\n"
	in := "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 5\r\n\r\n" + body
	room := MaxOutputSize - len(in) // the body grows by room bytes, and its length gets 4 digits more
	for _, tt := range []struct {
		grow int
		err  error
	}{{room - 4, nil}, {room - 3, ErrOutputTooLarge}} {
		p := profileOf(t, defs(map[string]any{"ReplaceType": "APPEND_LINES", "Header": "v=", "HeaderAttr": "BODY_SECTION_ONLY", "Output": strings.Repeat("1", tt.grow)}))
		res := NewMachine(mustChain(t, p)).Run([]byte(in), &testEnv)
		if res.Overflow != tt.err || tt.err == nil && len(res.Output) != MaxOutputSize {
			t.Errorf("body grown by %d: Overflow %v, %d bytes; want %v", tt.grow, res.Overflow, len(res.Output), tt.err)
		}
	}
}

// An expansion is held to MaxOutputSize even where it adds nothing to the message: a
// RightOperand that repeats a variable copied from a long body line.
func TestExpansionLimit(t *testing.T) {
	const half = MaxOutputSize / 2 // 32767: {$v}{$v}z is MaxOutputSize bytes
	in := request(1, "a="+strings.Repeat("v", half)+"\r\n")
	for _, tt := range []struct {
		operand string
		verdict Verdict
		err     error
	}{
		{"{$v}{$v}z", Drop, nil},
		{"{$v}{$v}zz", Accept, ErrExpansionTooLarge},
	} {
		p := profileOf(t, map[string]any{
			"StoredVariables": []any{map[string]any{"VariableName": "{$v}", "Header": "a=", "HeaderAttr": "BODY_SECTION_ONLY"}},
			"Conditions":      []any{map[string]any{"Header": "X", "Operator": "NEQ", "RightOperand": tt.operand}},
			"Action":          "DROP_MSG"})
		res := NewMachine(mustChain(t, p)).Run([]byte(in), &testEnv)
		if res.Verdict != tt.verdict || res.Overflow != tt.err {
			t.Errorf("%s: verdict %v, Overflow %v; want %v, %v", tt.operand, res.Verdict, res.Overflow, tt.verdict, tt.err)
		}
	}
}

// A reject response is held to MaxOutputSize too: a request of compact Via lines gets a response
// of long ones, each three bytes longer.
func TestResponseLimit(t *testing.T) {
	const reject = "Sansay-SMC-RejectCall403"
	// The response: status line, one "Via: VALUE" per Via, the Content-Length; the request has no
	// From, To, Call-ID or CSeq, so the response has none either.
	head, tail := len("SIP/2.0 403 Forbidden\r\n"), len("Content-Length: 0\r\n\r\n")
	const vias, value = 1000, 55
	base := head + tail + (vias-1)*(len("Via: \r\n")+value) + len("Via: \r\n")
	for _, tt := range []struct {
		last    int // the length of the last Via's value
		verdict Verdict
		err     error
	}{
		{MaxOutputSize - base, Reject, nil},
		{MaxOutputSize - base + 1, Accept, ErrResponseTooLarge},
	} {
		in := "OPTIONS sip:a@b SIP/2.0\r\n" + strings.Repeat("v:"+strings.Repeat("h", value)+"\r\n", vias-1) +
			"v:" + strings.Repeat("h", tt.last) + "\r\n\r\n"
		if len(in)+len(reject)+2 > MaxOutputSize {
			t.Fatalf("the request of %d bytes leaves no room for the directive", len(in))
		}
		p := profileOf(t, defs(map[string]any{"ReplaceType": "ADD_LINE", "Header": "Via", "Output": reject}))
		res := NewMachine(mustChain(t, p)).Run([]byte(in), &testEnv)
		if res.Verdict != tt.verdict || res.Overflow != tt.err {
			t.Fatalf("last Via of %d: verdict %v, Overflow %v; want %v, %v", tt.last, res.Verdict, res.Overflow, tt.verdict, tt.err)
		}
		if tt.err == nil && len(res.Response) != MaxOutputSize {
			t.Errorf("response of %d bytes, want %d", len(res.Response), MaxOutputSize)
		}
	}
}

// Audit records past MaxAuditRecords, or past MaxAuditText of text, are lost and counted; the
// message is handled as the rules say.
func TestAuditLimits(t *testing.T) {
	audit := func(text string) map[string]any {
		return map[string]any{"ReplaceType": "AUDIT_RECORD", "Output": text}
	}
	many := func(n int) []map[string]any {
		var d []map[string]any
		for i := 0; i < n; i++ {
			d = append(d, audit(fmt.Sprint(i)))
		}
		return d
	}
	big := strings.Repeat("t", MaxOutputSize)
	add := map[string]any{"ReplaceType": "ADD_LINE", "Header": "Z", "Output": "X-Done: 1"}
	tests := []struct {
		name        string
		defs        []map[string]any
		kept, lost  int
		lastKeptLen int
	}{
		{"MaxAuditRecords", many(MaxAuditRecords), MaxAuditRecords, 0, 2},
		{"MaxAuditRecords+1", many(MaxAuditRecords + 1), MaxAuditRecords, 1, 2},
		{"MaxAuditText", []map[string]any{audit(big), audit(big), audit(big), audit(big), audit("")}, 5, 0, 0},
		{"MaxAuditText+1", []map[string]any{audit(big), audit(big), audit(big), audit(big), audit("x"), audit("")}, 5, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := profileOf(t, defs(append(tt.defs, add)...))
			res := NewMachine(mustChain(t, p)).Run([]byte(request(1, "")), &testEnv)
			if res.Verdict != Modified || !bytes.Contains(res.Output, []byte("X-Done: 1")) {
				t.Fatalf("verdict %v: the rule did not run to its end", res.Verdict)
			}
			if len(res.Audit) != tt.kept || res.AuditLost != tt.lost || len(res.Audit[len(res.Audit)-1].Text) != tt.lastKeptLen {
				t.Errorf("%d records kept, %d lost; want %d, %d", len(res.Audit), res.AuditLost, tt.kept, tt.lost)
			}
		})
	}
}

// Unknown directive lines are all removed, and a warning is kept for the first MaxWarnings.
func TestWarningLimit(t *testing.T) {
	for _, n := range []int{MaxWarnings, MaxWarnings + 1} {
		in := "OPTIONS sip:a@b SIP/2.0\r\n" + strings.Repeat("Sansay-SMC-Unknown: 1\r\n", n) + "X: y\r\n\r\n"
		res := NewMachine(mustChain(t, profileOf(t, map[string]any{"Action": "DROP_MSG", "ReqMethod": "INVITE"}))).Run([]byte(in), &testEnv)
		if want := "OPTIONS sip:a@b SIP/2.0\r\nX: y\r\n\r\n"; string(res.Output) != want || len(res.Warnings) != MaxWarnings {
			t.Errorf("%d directive lines: output %q, %d warnings; want every line removed, %d warnings", n, res.Output, len(res.Warnings), MaxWarnings)
		}
	}
}

// The trace of one message stops at MaxTraceBytes with a line that says so, and starts again
// with the next message.
func TestTraceLimit(t *testing.T) {
	var out bytes.Buffer
	tr := &tracer{w: &out}
	chunk := strings.Repeat("t", 1024)
	for i := 0; i < MaxTraceBytes/len(chunk); i++ {
		tr.printf("%s", chunk)
	}
	if out.Len() != MaxTraceBytes || tr.cut {
		t.Fatalf("%d bytes, cut %v; want exactly MaxTraceBytes and not cut", out.Len(), tr.cut)
	}
	tr.line("")
	tr.note("dropped too")
	want := fmt.Sprintf("trace truncated: the trace of one message is at most %d bytes (runtime.MaxTraceBytes)\n", MaxTraceBytes)
	if got := out.String()[MaxTraceBytes:]; got != want {
		t.Fatalf("past the limit: %q, want %q", got, want)
	}

	// Through the Machine: a condition over 300 long lines, traced by twenty rules.
	var rules []map[string]any
	for i := 0; i < 20; i++ {
		rules = append(rules, map[string]any{"Conditions": []any{map[string]any{"Header": "X", "Operator": "EQ", "RightOperand": "no"}}, "Action": "DROP_MSG"})
	}
	m := NewMachine(mustChain(t, profileOf(t, rules...)))
	var trace bytes.Buffer
	m.SetTrace(&trace)
	in := "OPTIONS sip:a@b SIP/2.0\r\n" + strings.Repeat("X: "+strings.Repeat("y", 200)+"\r\n", 300) + "\r\n"
	for run := 0; run < 2; run++ {
		trace.Reset()
		if res := m.Run([]byte(in), &testEnv); res.Verdict != Accept || res.Overflow != nil {
			t.Fatalf("verdict %v, Overflow %v", res.Verdict, res.Overflow)
		}
		if trace.Len() > MaxTraceBytes+len(want) || !strings.HasSuffix(trace.String(), want) {
			t.Fatalf("run %d: trace of %d bytes ending %q", run, trace.Len(), trace.String()[max(0, trace.Len()-100):])
		}
	}
}

// The arena of a message stays bounded however many rules rewrite its lines, and the message is
// as the rules left it.
func TestArenaBounded(t *testing.T) {
	var rules []map[string]any
	for i := 0; i < 200; i++ {
		from, to := "y", "w"
		if i%2 == 1 {
			from, to = to, from
		}
		rules = append(rules, defs(map[string]any{"ReplaceType": "FINDSUB_LINES", "Header": "X", "RegEx1": from, "Output": to}))
	}
	rules = append(rules, defs(map[string]any{"ReplaceType": "ADD_LINE", "Header": "Z", "Output": "X-Done: 1"}))
	m := NewMachine(mustChain(t, profileOf(t, rules...)))
	in := request(1000, "")
	res := m.Run([]byte(in), &testEnv)
	want := strings.Replace(in, "Z: z\r\n", "Z: z\r\nX-Done: 1\r\n", 1)
	if res.Verdict != Modified || string(res.Output) != want {
		t.Fatalf("verdict %v, output %q", res.Verdict, res.Output[:100])
	}
	if n := m.msg.ArenaLen(); n > 4*MaxOutputSize+2*MaxOutputSize {
		t.Errorf("arena of %d bytes after 200 rewrites of every line", n)
	}
}

// I_CONTAINS takes linear time: a long operand that nearly matches at every offset of a long line
// (the case that made the comparison at every offset quadratic) is answered at once.
func TestContainsFoldLinear(t *testing.T) {
	in := request(0, "a="+strings.Repeat("A", 30000)+"\r\nb="+strings.Repeat("a", 15000)+"b\r\n")
	p := profileOf(t, map[string]any{
		"StoredVariables": []any{map[string]any{"VariableName": "{$b}", "Header": "b=", "HeaderAttr": "BODY_SECTION_ONLY"}},
		"Conditions":      []any{map[string]any{"Header": "a=", "HeaderAttr": "BODY_SECTION_ONLY", "Operator": "I_CONTAINS", "RightOperand": "{$b}"}},
		"Action":          "DROP_MSG"})
	m := NewMachine(mustChain(t, p))
	if res := m.Run([]byte(in), &testEnv); res.Verdict != Accept {
		t.Fatalf("verdict %v, want accept", res.Verdict)
	}
	for _, tt := range []struct {
		l, r string
		want bool
	}{{"Alice", "LIC", true}, {"Alice", "alicE", true}, {"Alice", "ce!", false}, {"a", "ab", false}, {"", "", true}} {
		if got := m.containsFold([]byte(tt.l), []byte(tt.r)); got != tt.want {
			t.Errorf("containsFold(%q, %q) = %v", tt.l, tt.r, got)
		}
	}
}
