package nfq

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// The offsets a worker saves at a stop are the ones the next worker translates with: a
// connection resized before a restart carries on after it, retransmission of the changed segment
// included; a new connection between the same ends (SYN) starts afresh.
func TestFlowsSurviveRestart(t *testing.T) {
	options := sipRequest("OPTIONS", "alice")
	clean := sipRequest("INVITE", "alice")
	n1 := uint32(len(options))
	const growth = uint32(len("X-Seen: smc\r\n"))
	before, src, _ := runWorker(t,
		queued(1, tcpPacket(false, 1000, 500, 0x18, nil, options)),
		queued(2, tcpPacket(true, 500, 1000+n1+growth, 0x10, nil, nil)))
	saved := before.SaveFlows(nil)

	after := NewWorker(&fakeSource{}, NewChainRef(testChain(t)), nil, nil)
	if n, err := after.LoadFlows(saved); n != 1 || err != nil {
		t.Fatalf("loaded %d connections, %v", n, err)
	}
	packets := []Queued{
		queued(3, tcpPacket(false, 1000+n1, 500, 0x18, nil, clean)),       // next data
		queued(4, tcpPacket(true, 500, 1000+n1+growth, 0x10, nil, nil)),   // an ACK
		queued(5, tcpPacket(false, 1000, 500, 0x18, nil, options)),        // retransmission
		queued(6, tcpPacket(false, 7000, 0, 0x02, nil, nil)),              // SYN: a new connection
		queued(7, tcpPacket(false, 7001, 900, 0x10, nil, nil)),            // its first ACK
		queued(8, tcpPacket(true, 900, 1000+n1+growth+1, 0x10, nil, nil)), // untranslated now
	}
	src2 := &fakeSource{packets: packets}
	after.src = src2
	for range packets {
		if err := after.Step(); err != nil {
			t.Fatal(err)
		}
	}
	field := func(i, off int) uint32 {
		pkt := src2.verdicts[i].Packet
		if pkt == nil {
			pkt = packets[i].Packet
		}
		if err := verify(pkt); err != nil {
			t.Fatalf("packet %d: %v", i+3, err)
		}
		return binary.BigEndian.Uint32(pkt[off:])
	}
	const seqAt, ackAt = 24, 28
	if got := field(0, seqAt); got != 1000+n1+growth {
		t.Errorf("next segment's seq after the restart: %d, want %d", got, 1000+n1+growth)
	}
	if got := field(1, ackAt); got != 1000+n1 {
		t.Errorf("ACK after the restart: %d, want %d", got, 1000+n1)
	}
	if !bytes.Equal(src2.verdicts[2].Packet, src.verdicts[0].Packet) {
		t.Errorf("the retransmission after the restart did not get the bytes sent before it")
	}
	if got := field(5, ackAt); got != 1000+n1+growth+1 {
		t.Errorf("after a SYN the old offsets still applied: ack %d", got)
	}
}

// A damaged saved state is refused whole: cut at any byte, or any byte changed.
func TestFlowsDamagedState(t *testing.T) {
	options := sipRequest("OPTIONS", "alice")
	w, _, _ := runWorker(t, queued(1, tcpPacket(false, 1000, 500, 0x18, nil, options)))
	saved := w.SaveFlows(nil)
	fresh := func() *Worker { return NewWorker(&fakeSource{}, NewChainRef(testChain(t)), nil, nil) }
	for n := range len(saved) {
		if got, err := fresh().LoadFlows(saved[:n]); got != 0 || !errors.Is(err, errTCPState) {
			t.Fatalf("cut at %d: loaded %d, %v", n, got, err)
		}
	}
	for i := range saved {
		spoilt := bytes.Clone(saved)
		spoilt[i] ^= 0x40
		if got, err := fresh().LoadFlows(spoilt); got != 0 || err == nil {
			t.Fatalf("byte %d changed: loaded %d", i, got)
		}
	}
	if got, err := fresh().LoadFlows(saved); got != 1 || err != nil {
		t.Fatalf("the state itself: %d, %v", got, err)
	}
}

// A connection both ends have closed with FIN is not saved, and no longer makes a drain drop the
// packets that arrive meanwhile; one that is still open does both.
func TestClosedFlowsAreNotKept(t *testing.T) {
	options := sipRequest("OPTIONS", "alice")
	n1 := uint32(len(options))
	const growth = uint32(len("X-Seen: smc\r\n"))
	w, _, _ := runWorker(t,
		queued(1, tcpPacket(false, 1000, 500, 0x18, nil, options)),
		queued(2, tcpPacket(true, 500, 1000+n1+growth, 0x10, nil, nil)))
	if !w.flows.live() {
		t.Fatal("the resized connection is not live")
	}
	if n, _ := NewWorker(&fakeSource{}, NewChainRef(testChain(t)), nil, nil).LoadFlows(w.SaveFlows(nil)); n != 1 {
		t.Fatalf("an open connection: %d saved", n)
	}
	src := &fakeSource{packets: []Queued{
		queued(3, tcpPacket(false, 1000+n1, 500, 0x11, nil, nil)),         // FIN
		queued(4, tcpPacket(true, 500, 1000+n1+growth+1, 0x11, nil, nil)), // FIN back
		queued(5, tcpPacket(false, 1000+n1+1, 501, 0x10, nil, nil)),       // the last ACK
	}}
	w.src = src
	for range src.packets {
		w.Step()
	}
	if got := binary.BigEndian.Uint32(src.verdicts[1].Packet[28:]); got != 1000+n1+1 {
		t.Errorf("the second FIN's ACK was not translated: %d", got)
	}
	if w.flows.live() {
		t.Error("a connection closed both ways is still live")
	}
	if n, err := NewWorker(&fakeSource{}, NewChainRef(testChain(t)), nil, nil).LoadFlows(w.SaveFlows(nil)); n != 0 || err != nil {
		t.Errorf("a closed connection was saved: %d, %v", n, err)
	}
}
