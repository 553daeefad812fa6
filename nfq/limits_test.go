package nfq

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/runtime"
	"github.com/smcproject/smc/runtime/sipmsg"
)

// limitsChain grows an OPTIONS past runtime.MaxOutputSize (each byte of its X-Grow value becomes
// 1,000), writes 65 audit records for a MESSAGE (one more than a message keeps), appends 1,000
// bytes to the Call-ID of an INFO, and adds 1,100 body lines to a NOTIFY.
func limitsChain(t *testing.T) *runtime.Chain {
	t.Helper()
	var audits []string
	for i := 0; i <= runtime.MaxAuditRecords; i++ {
		audits = append(audits, fmt.Sprintf(`{"ReplaceType": "AUDIT_RECORD", "Output": "%d"}`, i))
	}
	src := `{"ProfileID": 3, "ProfileName": "limits", "Rules": [
  {"MsgType": "REQUEST", "ReqMethod": "OPTIONS", "Action": "REPLACE_MSG",
   "ReplaceDefs": [{"ReplaceType": "FINDSUB_LINES", "Header": "X-Grow", "RegEx1": ".", "Output": "` + strings.Repeat("g", 1000) + `"}]},
  {"MsgType": "REQUEST", "ReqMethod": "MESSAGE", "Action": "REPLACE_MSG", "ReplaceDefs": [` + strings.Join(audits, ",") + `]},
  {"MsgType": "REQUEST", "ReqMethod": "INFO", "Action": "REPLACE_MSG",
   "ReplaceDefs": [{"ReplaceType": "APPEND_LINES", "Header": "Call-ID", "Output": "` + strings.Repeat("i", 1000) + `"}]},
  {"MsgType": "REQUEST", "ReqMethod": "NOTIFY", "Action": "REPLACE_MSG",
   "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "b", "HeaderAttr": "BODY_SECTION_ONLY", "Output": "` + strings.Repeat(`b\n`, 1100) + `"}]}
]}`
	prog, diags := compile.Compile("limits.json", []byte(src), compile.Options{})
	if prog == nil {
		t.Fatal(diags)
	}
	return smctest.MustChain(t, prog)
}

type logged struct {
	kind string
	err  error
}

// Every limit a message hits is counted under its name, and logged under its error kind; a
// message over a parse limit also counts as not SIP. Each passes unchanged, and --on-error drop
// drops the one whose output was discarded (a message that is not SIP passes whatever it says).
func TestWorkerCountsLimits(t *testing.T) {
	grow := sipRequest("OPTIONS", "a", "X-Grow: "+strings.Repeat("x", 70)+"\r\n")
	longLine := sipRequest("OPTIONS", "a", "X-Long: "+strings.Repeat("x", sipmsg.MaxLineLength)+"\r\n")
	manyLines := sipRequest("OPTIONS", "a", strings.Repeat("X: y\r\n", sipmsg.MaxLines))
	audits := sipRequest("MESSAGE", "a")
	tests := []struct {
		name        string
		payload     []byte
		dropOnError bool
		drop        bool
		kind        ErrKind
		limit       Limit
		logged      []logged
	}{
		{"line too long", longLine, true, false, ErrKindNotSIP, LimitLineLength, []logged{{"not_sip", sipmsg.ErrLineTooLong}}},
		{"too many lines", manyLines, false, false, ErrKindNotSIP, LimitLines, []logged{{"not_sip", sipmsg.ErrTooManyLines}}},
		{"output too large", grow, false, false, ErrKindOutputTooLarge, LimitOutputSize, []logged{{"output_too_large", runtime.ErrOutputTooLarge}}},
		{"output too large, --on-error drop", grow, true, true, ErrKindOutputTooLarge, LimitOutputSize, []logged{{"output_too_large", runtime.ErrOutputTooLarge}}},
		{"audit records lost", audits, false, false, -1, LimitAuditRecords, nil},
		{"too many lines made", sipRequest("NOTIFY", "a"), false, false, ErrKindOutputTooLarge, LimitOutputLines, []logged{{"output_too_large", runtime.ErrOutputTooManyLines}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fakeSource{packets: []Queued{queued(1, build(spec{proto: ProtoUDP, payload: tt.payload}))}}
			var logs []logged
			w := NewWorker(src, NewChainRef(limitsChain(t)), nil, func(kind string, err error) { logs = append(logs, logged{kind, err}) })
			w.DropOnError = tt.dropOnError
			if err := w.Step(); err != nil {
				t.Fatal(err)
			}
			if v := src.verdicts[0]; v.Drop != tt.drop || v.Packet != nil {
				t.Fatalf("verdict %+v, want drop %v and the packet unchanged", v, tt.drop)
			}
			for k := range numErrKinds {
				want := uint64(0)
				if k == tt.kind {
					want = 1
				}
				if got := w.Stats.Errors[k].Load(); got != want {
					t.Errorf("%s counted %d, want %d", k, got, want)
				}
			}
			for _, l := range Limits() {
				want := uint64(0)
				if l == tt.limit {
					want = 1
				}
				if got := w.Stats.Limits[l].Load(); got != want {
					t.Errorf("limit %s counted %d, want %d", l, got, want)
				}
			}
			if fmt.Sprint(logs) != fmt.Sprint(tt.logged) {
				t.Errorf("logged %v, want %v", logs, tt.logged)
			}
		})
	}
}

// A TCP segment whose messages together grow past what a verdict can carry stops being rewritten
// at the message that takes it past, and passes unchanged, counted: the worker never holds more
// than a packet's worth of rewritten messages.
func TestWorkerSegmentLimit(t *testing.T) {
	info := sipRequest("INFO", "a")
	for _, tt := range []struct {
		messages int
		changed  bool
	}{
		// Each INFO grows by 1,000 bytes.
		{(MaxVerdictPacket - 40) / (len(info) + 1000), true},
		{(MaxVerdictPacket-40)/(len(info)+1000) + 1, false},
	} {
		seg := bytes.Repeat(info, tt.messages)
		src := &fakeSource{packets: []Queued{queued(1, build(spec{proto: ProtoTCP, payload: seg}))}}
		w := NewWorker(src, NewChainRef(limitsChain(t)), nil, nil)
		if err := w.Step(); err != nil {
			t.Fatal(err)
		}
		v := src.verdicts[0]
		if v.Drop || (v.Packet != nil) != tt.changed {
			t.Errorf("%d messages: verdict %+v, want changed %v", tt.messages, v, tt.changed)
		}
		want := uint64(0)
		if !tt.changed {
			want = 1
		}
		if w.Stats.Errors[ErrKindTooLarge].Load() != want || w.Stats.Limits[LimitSegmentSize].Load() != want {
			t.Errorf("%d messages: too_large %d, segment_size %d; want %d", tt.messages, w.Stats.Errors[ErrKindTooLarge].Load(), w.Stats.Limits[LimitSegmentSize].Load(), want)
		}
	}
}

// The copies of changed segments kept for retransmissions stay within maxKept: a segment past it
// is not kept, and a retransmission of it gets nil (counted as ErrKindTCPRetransmit by the
// worker); removing a connection frees its share. A segment that became empty is kept as empty,
// not taken for one that was not kept.
func TestFlowTableKeptBytes(t *testing.T) {
	setMaxKept(t, 112) // 64 and 48 bytes: Go's size classes, so the copies' capacities are their lengths
	var tab flowTable
	var a, b, c stream
	tab.changed(&a, 1000, 10, bytes.Repeat([]byte("a"), 64))
	tab.changed(&b, 1000, 10, bytes.Repeat([]byte("b"), 49))
	tab.changed(&c, 1000, 10, bytes.Repeat([]byte("c"), 48))
	for _, tt := range []struct {
		name string
		d    *stream
		want string
	}{{"first", &a, strings.Repeat("a", 64)}, {"past the bound", &b, ""}, {"to the bound", &c, strings.Repeat("c", 48)}} {
		out, repeat := tt.d.retransmits(1000, 10)
		if !repeat || string(out) != tt.want || (out == nil) != (tt.want == "") {
			t.Errorf("%s: retransmission gives %q (repeat %v), want %q", tt.name, out, repeat, tt.want)
		}
	}
	if tab.kept != 112 {
		t.Errorf("kept %d bytes, want 112", tab.kept)
	}
	tab.remove(&flow{dirs: [2]stream{a, {}}})
	if tab.kept != 48 {
		t.Errorf("after a connection went: kept %d bytes, want 48", tab.kept)
	}
	var e stream
	tab.changed(&e, 2000, 10, nil)
	if out, repeat := e.retransmits(2000, 10); !repeat || out == nil || len(out) != 0 {
		t.Errorf("a segment that became empty: retransmission gives %q (nil %v)", out, out == nil)
	}
}

func setMaxKept(t *testing.T, n int) {
	old := maxKeptBytes
	maxKeptBytes = n
	t.Cleanup(func() { maxKeptBytes = old })
}

// A direction keeps the offsets of its last maxMarks length changes: at the limit all of them, one
// change more and the oldest is forgotten (only retransmissions of data older than it are then
// numbered wrongly).
func TestMaxMarks(t *testing.T) {
	var tab flowTable
	var d stream
	for i := range maxMarks + 1 {
		tab.changed(&d, uint32(1000+100*i), 10, make([]byte, 11)) // each change adds a byte
		if want := min(i+1, maxMarks); len(d.marks) != want {
			t.Fatalf("after %d changes: %d marks, want %d", i+1, len(d.marks), want)
		}
	}
	if first, last := d.marks[0], d.marks[maxMarks-1]; first.pos != 1000+100+10 || first.delta != 2 || last.delta != maxMarks+1 {
		t.Errorf("marks from %+v to %+v: want the first change forgotten, the deltas still adding up", first, last)
	}
}
