package nfq

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/smcproject/smc/runtime"
)

// recordingAuditor keeps a copy of every record it is given.
type recordingAuditor struct{ recs []runtime.AuditRecord }

func (a *recordingAuditor) Add(rec *runtime.AuditRecord, _ *runtime.Env) bool {
	c := *rec
	c.Text = bytes.Clone(rec.Text)
	a.recs = append(a.recs, c)
	return true
}

// shadowSet is testChain in one shadow binding for all traffic.
func shadowSet(t *testing.T) *ChainSet {
	return &ChainSet{Bindings: []Binding{{Name: "shadow", Chain: testChain(t), Shadow: true}}}
}

// runShadow runs packets through a worker on a shadow binding of testChain, with DropOnError set
// so that nothing but the shadow keeps a packet from being dropped.
func runShadow(t *testing.T, packets ...Queued) (*Worker, *fakeSource, *fakeResponder, *recordingAuditor) {
	t.Helper()
	src := &fakeSource{packets: packets}
	resp := &fakeResponder{}
	audit := &recordingAuditor{}
	w := NewWorker(src, NewChainSetRef(shadowSet(t)), resp, nil)
	w.Audit, w.DropOnError = audit, true
	for range packets {
		if err := w.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if len(src.verdicts) != len(packets) {
		t.Fatalf("%d verdicts for %d packets", len(src.verdicts), len(packets))
	}
	return w, src, resp, audit
}

// untouched fails the test unless every verdict accepts its packet as it came: no new packet, no
// drop, no mark.
func untouched(t *testing.T, verdicts []Verdict) {
	t.Helper()
	for i, v := range verdicts {
		if v.Drop || v.Packet != nil || v.SetMark || v.SetConnMark {
			t.Errorf("packet %d: verdict %+v, want accept as it came", i+1, v)
		}
	}
}

// The response testChain's reject of an INVITE from 666 generates.
const rejectResponse = "SIP/2.0 403 yes\r\n" +
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n" +
	"From: <sip:666@example.com>;tag=a\r\n" +
	"To: <sip:bob@example.com>;tag=smc%s\r\n" +
	"Call-ID: c1@192.0.2.1\r\n" +
	"CSeq: 1 INVITE\r\n" +
	"Content-Length: 0\r\n\r\n"

// On a shadow binding every packet passes exactly as it came, whatever the chain says; no
// response is sent; the verdicts the chain gave are counted; and each message the chain would
// have changed (rewritten, dropped, rejected, or given a DSCP and a mark) has one shadow record
// with the verdict and the change.
func TestShadowVerdicts(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		var packets []Queued
		for i, m := range [][]byte{sipRequest("OPTIONS", "alice"), sipRequest("REGISTER", "alice"), sipRequest("INVITE", "666"),
			sipRequest("MESSAGE", "alice"), sipRequest("INVITE", "alice")} {
			packets = append(packets, queued(uint32(i+1), build(spec{v6: v6, proto: ProtoUDP, payload: m})))
		}
		w, src, resp, audit := runShadow(t, packets...)
		untouched(t, src.verdicts)
		if len(resp.sent) != 0 {
			t.Errorf("responses sent: %q", resp.sent)
		}
		s := &w.Stats
		if s.VerdictCount(runtime.Accept) != 5 || s.ShadowCount(runtime.Modified) != 1 || s.ShadowCount(runtime.Drop) != 1 ||
			s.ShadowCount(runtime.Reject) != 1 || s.ShadowCount(runtime.Accept) != 2 || s.Responses.Load() != 0 {
			t.Errorf("v6 %v: verdicts %d accept; shadow %d %d %d %d", v6, s.VerdictCount(runtime.Accept), s.ShadowCount(runtime.Accept),
				s.ShadowCount(runtime.Modified), s.ShadowCount(runtime.Drop), s.ShadowCount(runtime.Reject))
		}
		want := []struct {
			profile int64
			rule    int
			text    string
		}{
			{1, 0, "verdict: modified\n--- received\n+++ would send\n@@ -1,5 +1,6 @@\n" +
				" OPTIONS sip:bob@example.com SIP/2.0\r\n" +
				" Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n" +
				"+X-Seen: smc\r\n" +
				" From: <sip:alice@example.com>;tag=a\r\n" +
				" To: <sip:bob@example.com>\r\n" +
				" Call-ID: c1@192.0.2.1\r\n"},
			{1, 1, "verdict: drop\n--- received\n+++ would send\n@@ -1,8 +0,0 @@\n" +
				"-REGISTER sip:bob@example.com SIP/2.0\r\n" +
				"-Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n" +
				"-From: <sip:alice@example.com>;tag=a\r\n" +
				"-To: <sip:bob@example.com>\r\n" +
				"-Call-ID: c1@192.0.2.1\r\n" +
				"-CSeq: 1 REGISTER\r\n" +
				"-Content-Length: 0\r\n" +
				"-\r\n"},
			{1, 2, "verdict: reject 403\n" + fmt.Sprintf(rejectResponse, "82846eb9")},
			{0, -1, "verdict: accept\ndscp: 46\nmark: 42\n"}, // no rule decided a verdict
		}
		if len(audit.recs) != len(want) {
			t.Fatalf("v6 %v: %d records, want %d: %+v", v6, len(audit.recs), len(want), audit.recs)
		}
		for i, rec := range audit.recs {
			if rec.Kind != runtime.AuditShadow || rec.Profile != want[i].profile || rec.Rule != want[i].rule {
				t.Errorf("record %d: kind %s, profile %d, rule %d", i, rec.Kind, rec.Profile, rec.Rule)
			}
			if string(rec.Text) != want[i].text {
				t.Errorf("v6 %v: record %d:\n%s\nwant\n%s", v6, i, rec.Text, want[i].text)
			}
		}
	}
}

// A shadow binding's TCP segment passes as it came, and its connection is not tracked; each of
// its messages the chain would have changed has a record, and a reject's says that over TCP no
// response goes out. A segment ending inside a message runs nothing, as a live binding would
// have passed it unchanged.
func TestShadowTCP(t *testing.T) {
	invite := sipRequest("INVITE", "666")
	seg := append(append([]byte("\r\n"), sipRequest("OPTIONS", "alice")...), invite...)
	w, src, resp, audit := runShadow(t, queued(1, build(spec{proto: ProtoTCP, payload: seg})),
		queued(2, build(spec{proto: ProtoTCP, payload: invite[:50]})))
	untouched(t, src.verdicts)
	if len(resp.sent) != 0 || len(w.flows.flows) != 0 {
		t.Errorf("%d responses, %d connections tracked", len(resp.sent), len(w.flows.flows))
	}
	if len(audit.recs) != 2 || !strings.HasPrefix(string(audit.recs[0].Text), "verdict: modified\n") {
		t.Fatalf("records %+v", audit.recs)
	}
	wantReject := "verdict: reject 403 (over TCP: cut out of the stream, no response sent)\n--- received\n+++ would send\n@@ -1,8 +0,0 @@\n-INVITE sip:"
	if !strings.HasPrefix(string(audit.recs[1].Text), wantReject) {
		t.Errorf("TCP reject record:\n%s", audit.recs[1].Text)
	}
	if w.Stats.Errors[ErrKindTCPPartial].Load() != 1 || w.Stats.Errors[ErrKindTCPReject].Load() != 0 {
		t.Errorf("tcp_partial %d, tcp_reject %d", w.Stats.Errors[ErrKindTCPPartial].Load(), w.Stats.Errors[ErrKindTCPReject].Load())
	}
	if w.Stats.ShadowCount(runtime.Modified) != 1 || w.Stats.ShadowCount(runtime.Reject) != 1 {
		t.Errorf("shadow verdicts %d modified, %d reject", w.Stats.ShadowCount(runtime.Modified), w.Stats.ShadowCount(runtime.Reject))
	}
}

// limitSet is limitsChain in one binding, shadow or live.
func limitSet(t *testing.T, shadow bool) *ChainSet {
	return &ChainSet{Bindings: []Binding{{Name: "limits", Chain: limitsChain(t), Shadow: shadow}}}
}

// What the worker cannot handle as the chain asks passes unchanged on a shadow binding as on a
// live one, counted under the same kinds and limits: shadow changes nothing about fail-open. Only
// --on-error drop differs: a shadow binding never drops, so the message whose output the limit
// discarded passes.
func TestShadowFailOpen(t *testing.T) {
	truncated := build(spec{proto: ProtoUDP, payload: sipRequest("OPTIONS", "a")})[:30]
	packets := []Queued{
		queued(1, build(spec{proto: ProtoUDP, payload: []byte("hello")})),
		queued(2, truncated),
		queued(3, build(spec{proto: ProtoUDP, payload: sipRequest("OPTIONS", "a"), frag: 0x2000})),
		queued(4, build(spec{proto: ProtoUDP, payload: sipRequest("OPTIONS", "a", "X-Long: "+strings.Repeat("x", 9000)+"\r\n")})),
		queued(5, build(spec{proto: ProtoUDP, payload: sipRequest("OPTIONS", "a", "X-Grow: "+strings.Repeat("x", 70)+"\r\n")})),
		queued(6, build(spec{proto: ProtoTCP, payload: sipRequest("OPTIONS", "a")[:40]})),
	}
	for _, dropOnError := range []bool{false, true} {
		var stats [2]*Stats
		for i, shadow := range []bool{false, true} {
			src := &fakeSource{packets: packets}
			w := NewWorker(src, NewChainSetRef(limitSet(t, shadow)), nil, nil)
			w.DropOnError, w.Audit = dropOnError, &recordingAuditor{}
			for range packets {
				if err := w.Step(); err != nil {
					t.Fatal(err)
				}
			}
			for j, v := range src.verdicts {
				wantDrop := dropOnError && !shadow && j == 4 // the output discarded
				if v.Drop != wantDrop || v.Packet != nil {
					t.Errorf("on-error drop %v, shadow %v: packet %d: verdict %+v", dropOnError, shadow, j+1, v)
				}
			}
			if a := w.Audit.(*recordingAuditor); len(a.recs) != 0 {
				t.Errorf("shadow %v: records %+v", shadow, a.recs)
			}
			stats[i] = &w.Stats
		}
		for k := range numErrKinds {
			if live, shadow := stats[0].Errors[k].Load(), stats[1].Errors[k].Load(); live != shadow || k == ErrKindOutputTooLarge && live != 1 {
				t.Errorf("%s: live %d, shadow %d", k, live, shadow)
			}
		}
		for _, l := range Limits() {
			if live, shadow := stats[0].Limits[l].Load(), stats[1].Limits[l].Load(); live != shadow {
				t.Errorf("limit %s: live %d, shadow %d", l, live, shadow)
			}
		}
	}
}

// panicAuditor makes the worker panic while it writes a record.
type panicAuditor struct{}

func (panicAuditor) Add(*runtime.AuditRecord, *runtime.Env) bool { panic("auditor bug") }

// A panic on a shadow binding is recovered as on a live one, counted, and the packet passes even
// under --on-error drop.
func TestShadowRecoversPanic(t *testing.T) {
	options := build(spec{proto: ProtoUDP, payload: sipRequest("OPTIONS", "alice")})
	src := &fakeSource{packets: []Queued{queued(1, options), queued(2, options)}}
	w := NewWorker(src, NewChainSetRef(shadowSet(t)), nil, nil)
	w.Audit, w.DropOnError = panicAuditor{}, true
	for range 2 {
		if err := w.Step(); err != nil {
			t.Fatal(err)
		}
	}
	untouched(t, src.verdicts)
	if w.Stats.Errors[ErrKindPanic].Load() != 2 {
		t.Errorf("panics counted %d, want 2", w.Stats.Errors[ErrKindPanic].Load())
	}
}

// A reload switches a binding between shadow and live from the next packet on. A TCP connection a
// live binding resized keeps its numbers translated after the switch to shadow, while its new data
// passes as it came: otherwise the receiver would take the sender's numbers for bytes it has had.
func TestShadowReload(t *testing.T) {
	options := build(spec{proto: ProtoUDP, payload: sipRequest("OPTIONS", "alice")})
	live := &ChainSet{Bindings: []Binding{{Name: "live", Chain: testChain(t)}}}
	shadow := shadowSet(t)
	src := &fakeSource{}
	ref := NewChainSetRef(shadow)
	w := NewWorker(src, ref, nil, nil)
	audit := &recordingAuditor{}
	w.Audit = audit
	step := func(set *ChainSet, q Queued) Verdict {
		t.Helper()
		ref.SetBindings(set)
		src.packets = append(src.packets, q)
		if err := w.Step(); err != nil {
			t.Fatal(err)
		}
		return src.verdicts[len(src.verdicts)-1]
	}
	if v := step(shadow, queued(1, options)); v.Packet != nil || len(audit.recs) != 1 {
		t.Fatalf("shadow: verdict %+v, %d records", v, len(audit.recs))
	}
	if v := step(live, queued(2, options)); v.Packet == nil || len(audit.recs) != 1 {
		t.Fatalf("live after the reload: verdict %+v, %d records", v, len(audit.recs))
	}
	if v := step(shadow, queued(3, options)); v.Packet != nil || len(audit.recs) != 2 {
		t.Fatalf("shadow after the reload back: verdict %+v, %d records", v, len(audit.recs))
	}

	msg := sipRequest("OPTIONS", "alice")
	n := uint32(len(msg))
	const growth = uint32(len("X-Seen: smc\r\n"))
	step(live, queued(4, tcpPacket(false, 1000, 500, 0x18, nil, msg))) // grows: tracked
	second := tcpPacket(false, 1000+n, 500, 0x18, nil, msg)
	v := step(shadow, queued(5, second))
	var p Packet
	if v.Packet == nil || Decode(v.Packet, &p) != nil || !bytes.Equal(p.Payload, msg) {
		t.Fatalf("shadow segment of a resized connection: verdict %+v", v)
	}
	if err := verify(v.Packet); err != nil {
		t.Fatal(err)
	}
	if seq := binary.BigEndian.Uint32(v.Packet[24:]); seq != 1000+n+growth {
		t.Errorf("its seq %d, want %d: the live binding's growth", seq, 1000+n+growth)
	}
	if len(audit.recs) != 3 {
		t.Errorf("%d records, want the shadow segment's too", len(audit.recs))
	}
}

// discardAuditor takes records and keeps nothing.
type discardAuditor struct{ n int }

func (a *discardAuditor) Add(*runtime.AuditRecord, *runtime.Env) bool { a.n++; return true }

// On a shadow binding the worker allocates nothing per packet in steady state, the records of
// the messages the chain would have changed included.
func TestShadowAllocs(t *testing.T) {
	var packets []Queued
	for i, m := range [][]byte{sipRequest("OPTIONS", "alice"), sipRequest("REGISTER", "alice"), sipRequest("INVITE", "666"),
		sipRequest("MESSAGE", "alice"), sipRequest("INVITE", "alice")} {
		packets = append(packets, queued(uint32(i+1), build(spec{proto: ProtoUDP, payload: m})))
	}
	packets = append(packets, queued(6, build(spec{proto: ProtoTCP, payload: sipRequest("OPTIONS", "alice")})))
	w := NewWorker(&discardSource{packets: packets}, NewChainSetRef(shadowSet(t)), nil, nil)
	audit := &discardAuditor{}
	w.Audit = audit
	for range 3 * len(packets) {
		w.Step()
	}
	if n := testing.AllocsPerRun(300, func() { w.Step() }); n != 0 {
		t.Errorf("%v allocations per packet", n)
	}
	if audit.n == 0 {
		t.Error("no records written")
	}
}

// A shadow record's text of maxShadowText bytes is written; one byte more and it is lost,
// counted as limit audit_records. No real message gets there (see maxShadowText): the test
// hands the worker a result by hand.
func TestShadowTextLimit(t *testing.T) {
	const head = "verdict: modified\n--- received\n+++ would send\n@@ -0,0 +1 @@\n+"
	const tail = "\n\\ No newline at end of file\n"
	for _, over := range []int{0, 1} {
		w := NewWorker(&fakeSource{}, NewChainSetRef(shadowSet(t)), nil, nil)
		audit := &recordingAuditor{}
		w.Audit = audit
		out := bytes.Repeat([]byte("x"), maxShadowText-len(head)-len(tail)+over)
		w.recordShadow(&runtime.Result{Verdict: runtime.Modified, Output: out, DSCP: -1, Program: -1, Rule: -1}, nil)
		lost := w.Stats.Limits[LimitAuditRecords].Load()
		if over == 0 && (len(audit.recs) != 1 || len(audit.recs[0].Text) != maxShadowText || lost != 0) {
			t.Errorf("at the limit: %d records, %d lost", len(audit.recs), lost)
		}
		if over == 1 && (len(audit.recs) != 0 || lost != 1) {
			t.Errorf("one past the limit: %d records, %d lost", len(audit.recs), lost)
		}
	}
}

// BenchmarkShadowStep is BenchmarkWorkerStep on a shadow binding: the chain, then for a message it
// would change, the diff or the response written into a record.
func BenchmarkShadowStep(b *testing.B) {
	for _, c := range []struct {
		name string
		pkt  []byte
	}{
		{"would-rewrite", build(spec{proto: ProtoUDP, payload: sipRequest("OPTIONS", "alice")})},
		{"would-reject", build(spec{proto: ProtoUDP, payload: sipRequest("INVITE", "666")})},
		{"untouched", build(spec{proto: ProtoUDP, payload: sipRequest("INVITE", "alice")})},
	} {
		b.Run(c.name, func(b *testing.B) {
			set := &ChainSet{Bindings: []Binding{{Name: "shadow", Chain: testChain(b), Shadow: true}}}
			w := NewWorker(&discardSource{packets: []Queued{queued(1, c.pkt)}}, NewChainSetRef(set), nil, nil)
			w.Audit = &discardAuditor{}
			w.Step()
			b.ReportAllocs()
			b.SetBytes(int64(len(c.pkt)))
			for b.Loop() {
				w.Step()
			}
		})
	}
}
