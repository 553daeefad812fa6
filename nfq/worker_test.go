package nfq

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/runtime"
)

// fakeSource hands out its packets in order, then ErrTimeout, and keeps copies of the verdicts.
type fakeSource struct {
	packets  []Queued
	next     int
	verdicts []Verdict
	failNext error // returned once by Next, before the next packet
}

func (f *fakeSource) Next(p *Queued) error {
	if f.failNext != nil {
		err := f.failNext
		f.failNext = nil
		return err
	}
	if f.next == len(f.packets) {
		return ErrTimeout
	}
	*p = f.packets[f.next]
	f.next++
	return nil
}

func (f *fakeSource) Verdict(v *Verdict) error {
	c := *v
	if v.Packet != nil {
		c.Packet = bytes.Clone(v.Packet)
	}
	f.verdicts = append(f.verdicts, c)
	return nil
}

type fakeResponder struct{ sent [][]byte }

func (r *fakeResponder) Respond(req *Packet, response []byte) error {
	r.sent = append(r.sent, bytes.Clone(response))
	return nil
}

// testChain compiles the profile of the worker tests: OPTIONS get a header (the length
// changes), REGISTERs are dropped, INVITEs from 666 are rejected with 403, MESSAGEs get DSCP EF
// and mark 0x2a, and a SUBSCRIBE's Event presence becomes PRESENCE, keeping the length.
func testChain(t testing.TB) *runtime.Chain {
	t.Helper()
	src := `{"ProfileID": 1, "ProfileName": "worker", "Rules": [
  {"MsgType": "REQUEST", "ReqMethod": "OPTIONS", "Action": "REPLACE_MSG",
   "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Via", "Output": "X-Seen: smc"}]},
  {"MsgType": "REQUEST", "ReqMethod": "REGISTER", "Action": "DROP_MSG"},
  {"MsgType": "REQUEST", "ReqMethod": "INVITE",
   "Conditions": [{"Header": "From", "Macro": "GETURI_USERNAME", "Operator": "EQ", "RightOperand": "666"}],
   "Action": "REPLACE_MSG",
   "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Via", "Output": "Sansay-SMC-RejectCall403: yes"}]},
  {"MsgType": "REQUEST", "ReqMethod": "MESSAGE", "Action": "REPLACE_MSG",
   "ReplaceDefs": [{"ReplaceType": "SET_DSCP", "Output": "EF"}, {"ReplaceType": "SET_MARK", "Output": "0x2a"}]},
  {"MsgType": "REQUEST", "ReqMethod": "SUBSCRIBE", "Action": "REPLACE_MSG",
   "ReplaceDefs": [{"ReplaceType": "FINDSUB_LINES", "Header": "Event", "RegEx1": "presence", "Output": "PRESENCE"}]}
]}`
	prog, diags := compile.Compile("worker.json", []byte(src), compile.Options{})
	if prog == nil {
		t.Fatal(diags)
	}
	return smctest.MustChain(t, prog)
}

func sipRequest(method, from string, extra ...string) []byte {
	return []byte(method + " sip:bob@example.com SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n" +
		"From: <sip:" + from + "@example.com>;tag=a\r\nTo: <sip:bob@example.com>\r\n" +
		"Call-ID: c1@192.0.2.1\r\nCSeq: 1 " + method + "\r\n" + strings.Join(extra, "") +
		"Content-Length: 0\r\n\r\n")
}

func runWorker(t *testing.T, packets ...Queued) (*Worker, *fakeSource, *fakeResponder) {
	t.Helper()
	src := &fakeSource{packets: packets}
	resp := &fakeResponder{}
	w := NewWorker(src, NewChainRef(testChain(t)), resp, nil)
	for range packets {
		if err := w.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if len(src.verdicts) != len(packets) {
		t.Fatalf("%d verdicts for %d packets", len(src.verdicts), len(packets))
	}
	return w, src, resp
}

func queued(id uint32, pkt []byte) Queued {
	return Queued{ID: id, Hook: HookForward, Packet: pkt}
}

func TestWorkerVerdicts(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		options := build(spec{v6: v6, proto: ProtoUDP, payload: sipRequest("OPTIONS", "alice")})
		register := build(spec{v6: v6, proto: ProtoUDP, payload: sipRequest("REGISTER", "alice")})
		invite := build(spec{v6: v6, proto: ProtoUDP, payload: sipRequest("INVITE", "666")})
		cleanInvite := build(spec{v6: v6, proto: ProtoUDP, payload: sipRequest("INVITE", "alice")})
		w, src, resp := runWorker(t, queued(1, options), queued(2, register), queued(3, invite), queued(4, cleanInvite))

		// OPTIONS: rewritten, lengths and checksums right, the new header where the rule says.
		v := src.verdicts[0]
		if v.ID != 1 || v.Drop || v.Packet == nil {
			t.Fatalf("OPTIONS verdict %+v", v)
		}
		if err := verify(v.Packet); err != nil {
			t.Fatalf("rewritten packet does not verify: %v", err)
		}
		var p Packet
		if err := Decode(v.Packet, &p); err != nil {
			t.Fatal(err)
		}
		want := strings.Replace(string(sipRequest("OPTIONS", "alice")), "branch=z9hG4bK-1\r\n", "branch=z9hG4bK-1\r\nX-Seen: smc\r\n", 1)
		if string(p.Payload) != want {
			t.Fatalf("payload\n%q\nwant\n%q", p.Payload, want)
		}
		// REGISTER dropped; INVITE from 666 dropped with a 403 sent back, the directive's value its
		// reason phrase (SMC-SPEC §6); a clean INVITE accepted untouched.
		if v := src.verdicts[1]; !v.Drop || v.ID != 2 {
			t.Errorf("REGISTER verdict %+v", v)
		}
		if v := src.verdicts[2]; !v.Drop || v.ID != 3 {
			t.Errorf("rejected INVITE verdict %+v", v)
		}
		if len(resp.sent) != 1 || !bytes.HasPrefix(resp.sent[0], []byte("SIP/2.0 403 yes\r\n")) {
			t.Errorf("responses %q", resp.sent)
		}
		if v := src.verdicts[3]; v.Drop || v.Packet != nil || v.SetMark {
			t.Errorf("clean INVITE verdict %+v", v)
		}
		s := &w.Stats
		if s.Packets.Load() != 4 || s.VerdictCount(runtime.Modified) != 1 || s.VerdictCount(runtime.Drop) != 1 ||
			s.VerdictCount(runtime.Reject) != 1 || s.VerdictCount(runtime.Accept) != 1 || s.Responses.Load() != 1 {
			t.Errorf("v6 %v: counters packets %d verdicts %d %d %d %d responses %d", v6, s.Packets.Load(),
				s.VerdictCount(runtime.Accept), s.VerdictCount(runtime.Modified), s.VerdictCount(runtime.Drop),
				s.VerdictCount(runtime.Reject), s.Responses.Load())
		}
	}
}

// SET_DSCP rewrites the packet's DS field (keeping ECN), SET_MARK marks the packet and its
// connection.
func TestWorkerPacketActions(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		pkt := build(spec{v6: v6, proto: ProtoUDP, payload: sipRequest("MESSAGE", "alice"), tos: 0x01})
		_, src, _ := runWorker(t, queued(7, pkt))
		v := src.verdicts[0]
		if !v.SetMark || v.Mark != 0x2a || !v.SetConnMark || v.ConnMark != 0x2a || v.Drop {
			t.Fatalf("verdict %+v", v)
		}
		if err := verify(v.Packet); err != nil {
			t.Fatal(err)
		}
		tos := v.Packet[1]
		if v6 {
			tos = v.Packet[0]<<4 | v.Packet[1]>>4
		}
		if tos != 46<<2|0x01 {
			t.Errorf("v6 %v: traffic class %#x, want EF with ECN 01", v6, tos)
		}
		if !bytes.Equal(v.Packet[28:], pkt[28:]) && !v6 {
			t.Errorf("DSCP changed more than the header")
		}
	}
}

// Packets that are not SIP over UDP or TCP, or that cannot be decoded, pass unchanged and are
// counted by kind.
func TestWorkerPassesWhatItCannotHandle(t *testing.T) {
	udpNotSIP := build(spec{proto: ProtoUDP, payload: []byte("hello")})
	truncated := build(spec{proto: ProtoUDP, payload: sipRequest("OPTIONS", "a")})[:30]
	fragment := build(spec{proto: ProtoUDP, payload: sipRequest("OPTIONS", "a"), frag: 0x2000})
	icmp := build(spec{proto: ProtoUDP, payload: nil})
	icmp[9] = 1
	empty := build(spec{proto: ProtoUDP})
	w, src, _ := runWorker(t, queued(1, udpNotSIP), queued(2, truncated), queued(3, fragment), queued(4, icmp), queued(5, empty))
	for i, v := range src.verdicts {
		if v.Drop || v.Packet != nil {
			t.Errorf("packet %d: verdict %+v, want accept unchanged", i+1, v)
		}
	}
	for kind, want := range map[ErrKind]uint64{ErrKindNotSIP: 1, ErrKindTruncated: 1, ErrKindFragment: 1, ErrKindUnsupported: 1} {
		if got := w.Stats.Errors[kind].Load(); got != want {
			t.Errorf("%s: %d, want %d", kind, got, want)
		}
	}
}

// A rewritten packet over the limit of a verdict goes out unchanged, counted.
func TestWorkerTooLarge(t *testing.T) {
	// A 65,525-byte packet that the OPTIONS rule grows by 13 bytes; the padding follows the
	// message's Content-Length, where no line limit applies.
	padding := 65525 - 28 - len(sipRequest("OPTIONS", "alice"))
	big := append(sipRequest("OPTIONS", "alice"), strings.Repeat("x", padding)...)
	pkt := build(spec{proto: ProtoUDP, payload: big})
	w, src, _ := runWorker(t, queued(1, pkt))
	if v := src.verdicts[0]; v.Drop || v.Packet != nil {
		t.Fatalf("verdict %+v", v)
	}
	if w.Stats.Errors[ErrKindTooLarge].Load() != 1 {
		t.Errorf("too_large %d", w.Stats.Errors[ErrKindTooLarge].Load())
	}
}

// panicResponder makes the worker panic in the middle of a packet.
type panicResponder struct{}

func (panicResponder) Respond(*Packet, []byte) error { panic("responder bug") }

// A panic while handling a packet is recovered: the packet passes (or is dropped with
// DropOnError), the panic is counted and logged, and the next packet is handled.
func TestWorkerRecoversPanic(t *testing.T) {
	for _, drop := range []bool{false, true} {
		invite := build(spec{proto: ProtoUDP, payload: sipRequest("INVITE", "666")})
		options := build(spec{proto: ProtoUDP, payload: sipRequest("OPTIONS", "alice")})
		src := &fakeSource{packets: []Queued{queued(1, invite), queued(2, options)}}
		var logged []string
		w := NewWorker(src, NewChainRef(testChain(t)), panicResponder{}, func(kind string, err error) { logged = append(logged, kind+": "+err.Error()) })
		w.DropOnError = drop
		for range 2 {
			if err := w.Step(); err != nil {
				t.Fatal(err)
			}
		}
		if v := src.verdicts[0]; v.ID != 1 || v.Drop != drop || v.Packet != nil {
			t.Errorf("drop %v: verdict after panic %+v", drop, v)
		}
		if v := src.verdicts[1]; v.ID != 2 || v.Packet == nil {
			t.Errorf("drop %v: next packet's verdict %+v", drop, v)
		}
		if w.Stats.Errors[ErrKindPanic].Load() != 1 || len(logged) != 1 || !strings.Contains(logged[0], "responder bug") {
			t.Errorf("panic counted %d, logged %q", w.Stats.Errors[ErrKindPanic].Load(), logged)
		}
	}
}

// Timeouts and overruns do not stop the worker; an overrun is counted. Any other error of the
// source ends Run.
func TestWorkerSourceErrors(t *testing.T) {
	src := &fakeSource{failNext: ErrOverrun}
	w := NewWorker(src, NewChainRef(testChain(t)), nil, nil)
	for range 3 {
		if err := w.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if w.Stats.Overruns.Load() != 1 {
		t.Errorf("overruns %d", w.Stats.Overruns.Load())
	}
	broken := errors.New("socket gone")
	src.failNext = broken
	var stop atomic.Bool
	if err := w.Run(&stop); !errors.Is(err, broken) {
		t.Errorf("Run returned %v", err)
	}
}

// A new chain set on the ChainRef is used from the next packet on.
func TestWorkerReload(t *testing.T) {
	options := build(spec{proto: ProtoUDP, payload: sipRequest("OPTIONS", "alice")})
	src := &fakeSource{packets: []Queued{queued(1, options), queued(2, options)}}
	ref := NewChainRef(testChain(t))
	w := NewWorker(src, ref, nil, nil)
	if err := w.Step(); err != nil {
		t.Fatal(err)
	}
	empty, diags := compile.Compile("empty.json", []byte(`{"ProfileID": 2, "ProfileName": "bye only", "Rules": [{"MsgType": "REQUEST", "ReqMethod": "BYE", "Action": "DROP_MSG"}]}`), compile.Options{})
	if empty == nil {
		t.Fatal(diags)
	}
	ref.Set(smctest.MustChain(t, empty))
	if err := w.Step(); err != nil {
		t.Fatal(err)
	}
	if src.verdicts[0].Packet == nil || src.verdicts[1].Packet != nil {
		t.Errorf("verdicts before and after the reload: %+v / %+v", src.verdicts[0], src.verdicts[1])
	}
}

// TCP segments: whole messages are rewritten, including length changes (the connection is then
// tracked) and drops (the message is cut out); a segment ending inside a message passes unchanged,
// counted.
func TestWorkerTCP(t *testing.T) {
	subscribe := sipRequest("SUBSCRIBE", "alice", "Event: presence\r\n")
	two := append(append([]byte("\r\n\r\n"), sipRequest("MESSAGE", "a")...), sipRequest("MESSAGE", "b")...)
	options := sipRequest("OPTIONS", "alice")
	grown := bytes.Replace(options, []byte("z9hG4bK-1\r\n"), []byte("z9hG4bK-1\r\nX-Seen: smc\r\n"), 1)
	cases := []struct {
		name      string
		payload   []byte
		want      []byte // nil: the packet passes unchanged
		kind      ErrKind
		kindCount uint64
	}{
		{"length change", options, grown, ErrKindTCPLength, 0},
		{"dropped message cut out", append(bytes.Clone(options), sipRequest("REGISTER", "x")...), grown, ErrKindTCPLength, 0},
		{"reject cut out without a response", sipRequest("INVITE", "666"), []byte{}, ErrKindTCPReject, 1},
		{"partial message", options[:60], nil, ErrKindTCPPartial, 1},
		{"keep-alives and two messages, packet actions only", two, two, ErrKindTCPPartial, 0},
		{"same length", subscribe, bytes.Replace(subscribe, []byte("presence"), []byte("PRESENCE"), 1), ErrKindTCPLength, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pkt := build(spec{proto: ProtoTCP, payload: c.payload})
			w, src, resp := runWorker(t, queued(1, pkt))
			v := src.verdicts[0]
			if v.Drop || (v.Packet != nil) != (c.want != nil) {
				t.Fatalf("verdict %+v", v)
			}
			if got := w.Stats.Errors[c.kind].Load(); got != c.kindCount {
				t.Errorf("%s counted %d, want %d", c.kind, got, c.kindCount)
			}
			if len(resp.sent) != 0 {
				t.Errorf("a response was sent over TCP: %q", resp.sent)
			}
			if c.want == nil {
				return
			}
			if err := verify(v.Packet); err != nil {
				t.Fatal(err)
			}
			var p Packet
			Decode(v.Packet, &p)
			if !bytes.Equal(p.Payload, c.want) {
				t.Errorf("payload\n%q\nwant\n%q", p.Payload, c.want)
			}
		})
	}
}

// tcpPacket builds an IPv4 TCP segment between a and b (a → b unless reverse) with the given
// numbers, flags and options, checksums right.
func tcpPacket(reverse bool, seq, ack uint32, flags byte, opts, payload []byte) []byte {
	pkt := build(spec{proto: ProtoTCP, payload: payload, tcpOpts: opts})
	if reverse {
		var s, d [4]byte
		copy(s[:], pkt[12:16])
		copy(d[:], pkt[16:20])
		copy(pkt[12:], d[:])
		copy(pkt[16:], s[:])
		pkt[20], pkt[21], pkt[22], pkt[23] = pkt[22], pkt[23], pkt[20], pkt[21]
	}
	binary.BigEndian.PutUint32(pkt[24:], seq)
	binary.BigEndian.PutUint32(pkt[28:], ack)
	pkt[33] = flags
	var p Packet
	Decode(pkt, &p)
	seg := pkt[20:]
	seg[16], seg[17] = 0, 0
	binary.BigEndian.PutUint16(seg[16:], ^refSum(refPseudo(p.Src, p.Dst, ProtoTCP, len(seg)), seg))
	return pkt
}

// After a length change, the connection's later packets are renumbered: the changed direction's
// sequence numbers move by the change, the other direction's acknowledgements and SACK blocks move
// back, a retransmission of the changed segment gets the same bytes, and a reset ends the tracking.
func TestWorkerTCPSequence(t *testing.T) {
	options := sipRequest("OPTIONS", "alice")
	clean := sipRequest("INVITE", "alice")
	n1 := uint32(len(options))
	const growth = uint32(len("X-Seen: smc\r\n"))
	sack := func(l, r uint32) []byte {
		return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32([]byte{optNop, optNop, optSACK, 10}, l), r)
	}
	packets := []Queued{
		queued(1, tcpPacket(false, 1000, 500, 0x18, nil, options)),                                             // grows
		queued(2, tcpPacket(true, 500, 1000+n1+growth, 0x10, nil, nil)),                                        // its ACK
		queued(3, tcpPacket(false, 1000+n1, 500, 0x18, nil, clean)),                                            // next data
		queued(4, tcpPacket(true, 500, 1000+n1+growth, 0x10, sack(1000+n1+growth+10, 1000+n1+growth+20), nil)), // SACK
		queued(5, tcpPacket(false, 1000, 500, 0x18, nil, options)),                                             // retransmission
		queued(6, tcpPacket(false, 1000+n1+uint32(len(clean)), 500, 0x14, nil, nil)),                           // RST
		queued(7, tcpPacket(false, 1000+n1+uint32(len(clean)), 500, 0x10, nil, nil)),                           // after: untracked
	}
	w, src, _ := runWorker(t, packets...)
	field := func(i, off int) uint32 {
		pkt := src.verdicts[i].Packet
		if pkt == nil {
			pkt = packets[i].Packet
		}
		if err := verify(pkt); err != nil {
			t.Fatalf("packet %d: %v", i+1, err)
		}
		return binary.BigEndian.Uint32(pkt[off:])
	}
	const seqAt, ackAt, sackAt = 24, 28, 44
	for _, c := range []struct {
		what      string
		got, want uint32
	}{
		{"changed segment's seq", field(0, seqAt), 1000},
		{"ACK of the changed segment, back in the sender's numbers", field(1, ackAt), 1000 + n1},
		{"next segment's seq, moved by the growth", field(2, seqAt), 1000 + n1 + growth},
		{"ACK before the SACK", field(3, ackAt), 1000 + n1},
		{"SACK left edge", field(3, sackAt), 1000 + n1 + 10},
		{"SACK right edge", field(3, sackAt+4), 1000 + n1 + 20},
		{"retransmission's seq", field(4, seqAt), 1000},
		{"RST's seq", field(5, seqAt), 1000 + n1 + uint32(len(clean)) + growth},
		{"after the RST: not translated", field(6, seqAt), 1000 + n1 + uint32(len(clean))},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.what, c.got, c.want)
		}
	}
	if !bytes.Equal(src.verdicts[4].Packet, src.verdicts[0].Packet) {
		t.Errorf("the retransmission did not get the same bytes")
	}
	if len(w.flows.flows) != 0 {
		t.Errorf("%d flows tracked after the reset", len(w.flows.flows))
	}
}

// The Content-Length walk finds message boundaries.
func TestNextMessage(t *testing.T) {
	msg := "OPTIONS sip:a SIP/2.0\r\nl: 5\r\n\r\nhello"
	for _, c := range []struct {
		in       string
		skip, n  int
		complete bool
	}{
		{msg, 0, len(msg), true},
		{"\r\n\r\n" + msg + "NEXT", 4, len(msg), true},
		{msg[:len(msg)-1], 0, 0, false},
		{"OPTIONS sip:a SIP/2.0\r\n", 0, 0, false},
		{"OPTIONS sip:a SIP/2.0\nContent-Length: x\n\n", 0, 0, false},
		{"OPTIONS sip:a SIP/2.0\nVia: x\n\nrest", 0, len("OPTIONS sip:a SIP/2.0\nVia: x\n\n"), true},
		{"\r\n", 2, 0, true},
	} {
		skip, n, ok := nextMessage([]byte(c.in))
		if skip != c.skip || n != c.n || ok != c.complete {
			t.Errorf("nextMessage(%q) = %d %d %v, want %d %d %v", c.in, skip, n, ok, c.skip, c.n, c.complete)
		}
	}
}

// The worker allocates nothing per packet in steady state: a rewritten packet, a dropped one, a
// passed one.
func TestWorkerAllocs(t *testing.T) {
	options := build(spec{proto: ProtoUDP, payload: sipRequest("OPTIONS", "alice")})
	register := build(spec{proto: ProtoUDP, payload: sipRequest("REGISTER", "alice")})
	clean := build(spec{proto: ProtoUDP, payload: sipRequest("INVITE", "alice")})
	src := &discardSource{packets: []Queued{queued(1, options), queued(2, register), queued(3, clean)}}
	w := NewWorker(src, NewChainRef(testChain(t)), nil, nil)
	for range 10 {
		w.Step()
	}
	if n := testing.AllocsPerRun(300, func() { w.Step() }); n != 0 {
		t.Errorf("%v allocations per packet", n)
	}
}

// discardSource cycles through its packets and forgets the verdicts.
type discardSource struct {
	packets []Queued
	next    int
}

func (d *discardSource) Next(p *Queued) error {
	*p = d.packets[d.next%len(d.packets)]
	d.next++
	return nil
}

func (d *discardSource) Verdict(*Verdict) error { return nil }

// The response to a rejected request goes from the request's destination to its source, with
// lengths and checksums right; a request over TCP gets none.
func TestResponsePacket(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		var req Packet
		if err := Decode(build(spec{v6: v6, proto: ProtoUDP, payload: sipRequest("INVITE", "666")}), &req); err != nil {
			t.Fatal(err)
		}
		var b ResponseBuilder
		out, err := b.Build(&req, []byte("SIP/2.0 403 Forbidden\r\n\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		if err := verify(out); err != nil {
			t.Fatalf("v6 %v: %v", v6, err)
		}
		var p Packet
		Decode(out, &p)
		if p.Src != req.Dst || p.Dst != req.Src || p.SrcPort != req.DstPort || p.DstPort != req.SrcPort ||
			string(p.Payload) != "SIP/2.0 403 Forbidden\r\n\r\n" {
			t.Errorf("v6 %v: response %+v", v6, p)
		}
		req.Proto = ProtoTCP
		if _, err := b.Build(&req, []byte("SIP/2.0 403 Forbidden\r\n\r\n")); err != ErrNotUDP {
			t.Errorf("v6 %v: a TCP request's response built (%v)", v6, err)
		}
	}
}

// Verdicts are counted by the rule behind them, and the totals survive a reload.
func TestRuleTotals(t *testing.T) {
	options := build(spec{proto: ProtoUDP, payload: sipRequest("OPTIONS", "alice")})
	register := build(spec{proto: ProtoUDP, payload: sipRequest("REGISTER", "alice")})
	clean := build(spec{proto: ProtoUDP, payload: sipRequest("INVITE", "alice")})
	src := &fakeSource{packets: []Queued{queued(1, options), queued(2, register), queued(3, register), queued(4, clean), queued(5, register)}}
	totals := NewRuleTotals()
	ref := NewChainRef(testChain(t))
	w := NewCountingWorker(src, ref, nil, nil, totals)
	for range 4 {
		w.Step()
	}
	ref.Set(testChain(t)) // the same profile compiled again: the same rule keys
	w.Step()
	got := totals.Snapshot()
	if c := got[RuleKey{1, 0}]; c[runtime.Modified] != 1 {
		t.Errorf("rule 0 (OPTIONS): %v", c)
	}
	if c := got[RuleKey{1, 1}]; c[runtime.Drop] != 3 {
		t.Errorf("rule 1 (REGISTER): %v, want 3 drops across the reload", c)
	}
	for k, c := range got {
		if k.Rule > 1 && c != [4]uint64{} {
			t.Errorf("rule %d counted %v", k.Rule, c)
		}
	}
}

// A packet runs the chain of the first binding that takes its queue, direction and peer; one that
// no binding takes passes unchanged, counted.
func TestBindings(t *testing.T) {
	compileOne := func(header string) *runtime.Chain {
		src := `{"ProfileID": 9, "ProfileName": "b", "Rules": [{"MsgType": "REQUEST", "Action": "REPLACE_MSG",
  "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Via", "Output": "` + header + `"}]}]}`
		prog, diags := compile.Compile("b.json", []byte(src), compile.Options{})
		if prog == nil {
			t.Fatal(diags)
		}
		return smctest.MustChain(t, prog)
	}
	in, out := Inbound, Outbound
	set := &ChainSet{Bindings: []Binding{
		{Name: "trunk", Direction: &in, Peers: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}, Chain: compileOne("X-B: trunk")},
		{Name: "queue 7 out", Queues: []uint16{7}, Direction: &out, Chain: compileOne("X-B: out7")},
	}}
	options := build(spec{proto: ProtoUDP, payload: sipRequest("OPTIONS", "alice")}) // from 192.0.2.1 to 198.51.100.2
	fromTrunk := Queued{ID: 1, Queue: 7, Hook: HookLocalIn, Packet: options}
	sentOn7 := Queued{ID: 2, Queue: 7, Hook: HookLocalOut, Packet: options}
	sentOn8 := Queued{ID: 3, Queue: 8, Hook: HookLocalOut, Packet: options}
	src := &fakeSource{packets: []Queued{fromTrunk, sentOn7, sentOn8}}
	w := NewWorker(src, NewChainSetRef(set), nil, nil)
	for range 3 {
		w.Step()
	}
	for i, want := range []string{"X-B: trunk", "X-B: out7", ""} {
		v := src.verdicts[i]
		if want == "" {
			if v.Packet != nil {
				t.Errorf("packet %d: rewritten, want unbound", i+1)
			}
			continue
		}
		var p Packet
		if v.Packet == nil || Decode(v.Packet, &p) != nil || !bytes.Contains(p.Payload, []byte(want+"\r\n")) {
			t.Errorf("packet %d: want %q", i+1, want)
		}
	}
	if w.Stats.Unbound.Load() != 1 {
		t.Errorf("unbound %d", w.Stats.Unbound.Load())
	}
}

// BenchmarkWorkerStep is one worker iteration with a fake source: read, decode, chain, rebuild,
// verdict. The packets cycle through a rewritten OPTIONS, a dropped REGISTER and an untouched
// INVITE.
func BenchmarkWorkerStep(b *testing.B) {
	for _, c := range []struct {
		name string
		pkt  []byte
	}{
		{"rewritten", build(spec{proto: ProtoUDP, payload: sipRequest("OPTIONS", "alice")})},
		{"dropped", build(spec{proto: ProtoUDP, payload: sipRequest("REGISTER", "alice")})},
		{"untouched", build(spec{proto: ProtoUDP, payload: sipRequest("INVITE", "alice")})},
	} {
		b.Run(c.name, func(b *testing.B) {
			w := NewWorker(&discardSource{packets: []Queued{queued(1, c.pkt)}}, NewChainRef(testChain(b)), nil, nil)
			w.Step()
			b.ReportAllocs()
			b.SetBytes(int64(len(c.pkt)))
			for b.Loop() {
				w.Step()
			}
		})
	}
}

// A full flow table scans for idle connections at most once per evictEvery packets, and then
// makes room when some are idle.
func TestFlowTableEviction(t *testing.T) {
	var tab flowTable
	tab.flows = map[endpointPair]*flow{}
	for i := range maxFlows {
		f := &flow{first: endpointPair{netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), 5060), netip.MustParseAddrPort("192.0.2.1:5060")}}
		tab.flows[f.first] = f
		tab.flows[endpointPair{f.first.dst, f.first.src}] = f
	}
	var p Packet
	Decode(build(spec{proto: ProtoTCP, payload: []byte("x")}), &p)
	tab.clock = evictEvery // the last scan was at 0
	if tab.add(&p) != nil || tab.lastEvict != evictEvery {
		t.Fatal("a full table of busy connections took a new one, or did not scan")
	}
	tab.clock++
	if tab.add(&p) != nil || tab.lastEvict != evictEvery {
		t.Fatal("scanned again right after a scan")
	}
	tab.clock += flowIdle + evictEvery // now every connection is idle, and a scan is due
	if tab.add(&p) == nil || len(tab.flows) != 2 {
		t.Fatalf("after the idle ones went: %d entries", len(tab.flows))
	}
}

// A binding limited to one direction runs the chain on that direction only, but the packets of
// the other direction, unbound, are still renumbered: without that, the acknowledgements of a
// grown segment run ahead of what the sender sent and the connection stalls (issue 16, 1).
func TestWorkerTCPDirectionBinding(t *testing.T) {
	out := Outbound
	set := &ChainSet{Bindings: []Binding{{Name: "out", Direction: &out, Chain: testChain(t)}}}
	options := sipRequest("OPTIONS", "alice")
	n1 := uint32(len(options))
	const growth = uint32(len("X-Seen: smc\r\n"))
	sent := func(id uint32, pkt []byte) Queued { return Queued{ID: id, Hook: HookLocalOut, Packet: pkt} }
	received := func(id uint32, pkt []byte) Queued { return Queued{ID: id, Hook: HookLocalIn, Packet: pkt} }
	reply := sipRequest("OPTIONS", "bob")
	src := &fakeSource{packets: []Queued{
		sent(1, tcpPacket(false, 1000, 500, 0x18, nil, options)),                             // grows
		received(2, tcpPacket(true, 500, 1000+n1+growth, 0x18, nil, reply)),                  // data and ACK back
		sent(3, tcpPacket(false, 1000+n1, 500+uint32(len(reply)), 0x10, nil, nil)),           // ACK of it
		received(4, tcpPacket(true, 500+uint32(len(reply)), 1000+n1+growth, 0x11, nil, nil)), // FIN
	}}
	w := NewWorker(src, NewChainSetRef(set), nil, nil)
	for range src.packets {
		if err := w.Step(); err != nil {
			t.Fatal(err)
		}
	}
	field := func(i, off int) uint32 {
		pkt := src.verdicts[i].Packet
		if pkt == nil {
			pkt = src.packets[i].Packet
		}
		if err := verify(pkt); err != nil {
			t.Fatalf("packet %d: %v", i+1, err)
		}
		return binary.BigEndian.Uint32(pkt[off:])
	}
	const seqAt, ackAt = 24, 28
	if got := field(1, ackAt); got != 1000+n1 {
		t.Errorf("the unbound direction's ACK of the grown segment: %d, want %d", got, 1000+n1)
	}
	var p Packet
	if Decode(src.verdicts[1].Packet, &p) != nil || !bytes.Equal(p.Payload, reply) {
		t.Errorf("the unbound direction's data was changed: %q", p.Payload)
	}
	if got := field(3, ackAt); got != 1000+n1 {
		t.Errorf("the unbound FIN's ACK: %d, want %d", got, 1000+n1)
	}
	if got := field(2, seqAt); got != 1000+n1+growth {
		t.Errorf("the bound direction's next seq: %d, want %d", got, 1000+n1+growth)
	}
	if w.Stats.Unbound.Load() != 2 {
		t.Errorf("unbound %d, want 2", w.Stats.Unbound.Load())
	}
}

// Observe sees every message the chain ran on, UDP and each of a TCP segment's, with its result;
// a queued packet's Time is the message's {$SMC.Date} time, as smcc pcap sets it.
func TestObserveAndTime(t *testing.T) {
	src := `{"ProfileID": 1, "ProfileName": "date", "Rules": [{"MsgType": "REQUEST", "Action": "REPLACE_MSG",
  "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Via", "Output": "X-Date: {$SMC.Date}"}]}]}`
	prog, diags := compile.Compile("date.json", []byte(src), compile.Options{})
	if prog == nil {
		t.Fatal(diags)
	}
	chain, err := runtime.NewChain(prog)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 8, 9, 30, 0, 0, time.UTC)
	udp := Queued{ID: 1, Hook: HookLocalIn, Packet: build(spec{proto: ProtoUDP, payload: sipRequest("OPTIONS", "alice")}), Time: at}
	two := append(sipRequest("OPTIONS", "alice"), sipRequest("INFO", "bob")...)
	tcp := Queued{ID: 2, Hook: HookLocalIn, Packet: build(spec{proto: ProtoTCP, payload: two}), Time: at}
	fs := &fakeSource{packets: []Queued{udp, tcp}}
	w := NewWorker(fs, NewChainRef(chain), nil, nil)
	var seen []string
	w.Observe = func(msg []byte, r *runtime.Result) {
		first, _, _ := strings.Cut(string(msg), " ")
		seen = append(seen, first+" "+r.Verdict.String())
		if !strings.Contains(string(r.Output), "X-Date: Tue, 08 Dec 2026 09:30:00 GMT\r\n") {
			t.Errorf("%s: the date is not the packet's time:\n%s", first, r.Output)
		}
	}
	w.Step()
	w.Step()
	if want := []string{"OPTIONS modified", "OPTIONS modified", "INFO modified"}; !slices.Equal(seen, want) {
		t.Errorf("observed %q, want %q", seen, want)
	}
}
