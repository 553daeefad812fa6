package replay

import (
	"bytes"
	"io"
	"net/netip"
	"os"
	"testing"

	"github.com/smcproject/smc/perf"
)

// referenceDir holds the reference chain and messages that performance work measures against
// (its README says what they exercise).
const referenceDir = "../../shared/bench"

// benchMessages is the number of SIP messages in the capture a benchmark replays: enough that
// setting up a run (the worker and its Machine) does not count.
const benchMessages = 8192

// BenchmarkReplayReference replays a capture of the reference messages (200 OK, a clean and a
// dirty INVITE, REGISTER, in turn) through the reference chain, over UDP and as one TCP
// connection, and reports SIP messages per second. The capture is built in memory: Ethernet, a
// peer at 198.51.100.33 and the host at 203.0.113.5, which no data file of the chain matches.
func BenchmarkReplayReference(b *testing.B) {
	if _, err := os.Stat(referenceDir); err != nil {
		b.Skipf("reference chain not found at %s", referenceDir)
	}
	cases, err := perf.LoadReference(referenceDir)
	if err != nil {
		b.Fatal(err)
	}
	var msgs [][]byte
	for _, c := range cases {
		msgs = append(msgs, c.Message)
	}
	peer := ipHeader{src: netip.MustParseAddr("198.51.100.33"), dst: netip.MustParseAddr("203.0.113.5"), id: 1, ttl: 64}
	for _, tt := range []struct {
		name    string
		capture []byte
	}{
		{"udp", benchCaptureUDP(b, peer, msgs)},
		{"tcp", benchCaptureTCP(b, peer, msgs)},
	} {
		b.Run(tt.name, func(b *testing.B) {
			opts := Options{Chain: cases[0].Chain}
			b.SetBytes(int64(len(tt.capture)))
			b.ReportAllocs()
			for b.Loop() {
				sum, err := Run(bytes.NewReader(tt.capture), io.Discard, opts)
				if err != nil || sum.Messages != benchMessages {
					b.Fatalf("%v, %d messages", err, sum.Messages)
				}
			}
			b.ReportMetric(float64(benchMessages)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

func benchCaptureUDP(b *testing.B, h ipHeader, msgs [][]byte) []byte {
	frames := make([][]byte, benchMessages)
	for i := range frames {
		frames[i] = ether(clientMAC, serverMAC, udpPacket(b, h, 5060, 5060, msgs[i%len(msgs)]))
	}
	return capture(b, linkEthernet, frames...)
}

// benchCaptureTCP puts the messages on one connection, a segment each, after its handshake. The
// dirty INVITE changes length, so the connection's numbers are translated from its first one on.
func benchCaptureTCP(b *testing.B, h ipHeader, msgs [][]byte) []byte {
	back := ipHeader{src: h.dst, dst: h.src, id: 2, ttl: 64}
	seq, ack := uint32(1000), uint32(9000)
	frames := [][]byte{
		ether(clientMAC, serverMAC, tcpPacket(b, h, tcpSeg{sport: 40000, dport: 5060, seq: seq, syn: true})),
		ether(serverMAC, clientMAC, tcpPacket(b, back, tcpSeg{sport: 5060, dport: 40000, seq: ack, ack: seq + 1, syn: true})),
	}
	seq, ack = seq+1, ack+1
	for i := range benchMessages {
		m := msgs[i%len(msgs)]
		frames = append(frames, ether(clientMAC, serverMAC, tcpPacket(b, h, tcpSeg{sport: 40000, dport: 5060, seq: seq, ack: ack, payload: m})))
		seq += uint32(len(m))
	}
	return capture(b, linkEthernet, frames...)
}
