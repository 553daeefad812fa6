package nfq

import (
	"encoding/binary"
	"net/netip"
)

// When the worker changes the length of a TCP segment, every later byte of that direction of the
// connection moves: the sender still numbers its bytes as it sent them, and the receiver
// acknowledges the numbers it received. The kernel can fix this itself (nfnetlink_queue's
// seq_adjust), but only for connections with NAT (ctnetlink_glue_seqadj checks IPS_NAT_MASK), which
// a SIP edge in front of its own servers rarely has. So the worker keeps, per connection it has
// changed, the offsets it introduced, and rewrites the sequence numbers of the direction it
// changed and the acknowledgement numbers and SACK blocks of the other, in every later packet of
// the connection, as nf_nat_sip and the kernel's seqadj do.
//
// This needs every packet of such a connection, both directions, on the same worker: the queue
// rules must queue both directions of the SIP ports, and --queue-balance (without
// --queue-cpu-fanout) hashes both directions of a connection to the same queue. A connection
// seen in one direction only cannot be fixed; docs/smcd.md shows the rules.
//
// A retransmission of a segment the worker changed gets the same bytes again from a copy of the
// last changed segment of each direction, since running the chain again could give another length
// ({$SMC.Rand...}, {$SMC.Date}). A retransmission of an older changed segment, or one that does not
// line up with the segment sent, passes with its numbers translated but its bytes as the sender
// sent them, counted (ErrKindTCPRetransmit).

// maxFlows bounds the connections a worker tracks; a new length change beyond it passes unchanged,
// counted (ErrKindTCPLength).
const maxFlows = 65536

// maxMarks bounds the offsets kept per direction: only retransmissions of data older than the
// oldest kept offset are numbered wrongly, and TCP has long acknowledged such data.
const maxMarks = 16

// maxKept bounds the bytes a worker keeps of the last changed segment of each direction, across
// all its tracked connections. Without it a full table could hold 65,536 connections × 2
// directions × a 64 KiB segment, 8 GiB; SIP messages over TCP are a few kilobytes, so 128 MiB
// keeps the copies of the whole table at 1 KB a direction. A segment changed past the bound is
// not kept: a retransmission of it passes with the sender's bytes and its numbers translated,
// counted (ErrKindTCPRetransmit), as a retransmission of an older segment does.
const maxKept = 128 << 20

// maxKeptBytes is maxKept as the table applies it; tests lower it.
var maxKeptBytes = maxKept

// flowIdle is how many packets of any flow a tracked connection may go without one of its own
// before it may be forgotten, when the table is full.
const flowIdle = 1 << 20

// endpointPair names a connection as seen in one direction.
type endpointPair struct{ src, dst netip.AddrPort }

// mark is one length change: from original sequence number pos on, the bytes of the direction
// are delta further on than the sender numbered them.
type mark struct {
	pos   uint32
	delta int32
}

// stream is the state of one direction of a tracked connection: its byte stream's offsets and its
// last changed segment. (Direction, exported, is the side of the host a packet was seen on.)
type stream struct {
	marks []mark // by pos, oldest first

	// The last segment the worker changed: its original sequence number and length, and what
	// it was replaced by, for retransmissions.
	lastSeq    uint32
	lastLen    int
	lastOutput []byte // nil when the segment was not kept (maxKept)
	hasLast    bool
}

// flow is a tracked connection; dirs[0] is the direction the first change was in.
type flow struct {
	first    endpointPair
	dirs     [2]stream
	lastUsed uint64
	fin      [2]bool // each direction has sent its FIN
}

// closed reports whether both ends have closed the connection. It stays tracked, for the last
// acknowledgements and any retransmitted FIN, until a SYN reuses its ports or a full table needs
// its place; but it no longer needs the care of a live one (Worker.drain).
func (f *flow) closed() bool { return f.fin[0] && f.fin[1] }

// flowTable holds one worker's tracked connections.
type flowTable struct {
	flows     map[endpointPair]*flow // both directions' pairs point at the flow
	clock     uint64                 // packets seen, for idleness
	lastEvict uint64                 // clock of the last eviction scan
	kept      int                    // bytes held by the directions' lastOutput, at most about maxKept
}

// evictEvery spaces the scans for idle connections when the table is full: a scan reads every
// connection, so a flood of new connections must not make one per packet.
const evictEvery = 4096

func (t *flowTable) find(p *Packet) (*flow, int) {
	t.clock++
	if len(t.flows) == 0 {
		return nil, 0
	}
	k := endpointPair{netip.AddrPortFrom(p.Src, p.SrcPort), netip.AddrPortFrom(p.Dst, p.DstPort)}
	f := t.flows[k]
	if f == nil {
		return nil, 0
	}
	f.lastUsed = t.clock
	if k == f.first {
		return f, 0
	}
	return f, 1
}

// add starts tracking p's connection, with p's direction as direction 0. It returns nil when the
// table is full of connections that are still in use.
func (t *flowTable) add(p *Packet) *flow {
	if t.flows == nil {
		t.flows = map[endpointPair]*flow{}
	}
	if len(t.flows) >= 2*maxFlows {
		if t.clock-t.lastEvict < evictEvery || !t.evictIdle() {
			return nil
		}
	}
	k := endpointPair{netip.AddrPortFrom(p.Src, p.SrcPort), netip.AddrPortFrom(p.Dst, p.DstPort)}
	f := &flow{first: k, lastUsed: t.clock}
	t.flows[k] = f
	t.flows[endpointPair{k.dst, k.src}] = f
	return f
}

// remove stops tracking f (its connection was reset or closed).
func (t *flowTable) remove(f *flow) {
	t.kept -= cap(f.dirs[0].lastOutput) + cap(f.dirs[1].lastOutput)
	delete(t.flows, f.first)
	delete(t.flows, endpointPair{f.first.dst, f.first.src})
}

// evictIdle forgets the connections idle for flowIdle packets, and those both ends have closed,
// and reports whether any went.
func (t *flowTable) evictIdle() bool {
	t.lastEvict = t.clock
	n := len(t.flows)
	for _, f := range t.flows {
		if f.closed() || t.clock-f.lastUsed > flowIdle {
			t.remove(f)
		}
	}
	return len(t.flows) < n
}

// live reports whether the table holds a connection that neither end has closed yet.
func (t *flowTable) live() bool {
	for _, f := range t.flows {
		if !f.closed() {
			return true
		}
	}
	return false
}

// delta returns how far original sequence number seq has moved.
func (d *stream) delta(seq uint32) int32 {
	for i := len(d.marks) - 1; i >= 0; i-- {
		if int32(seq-d.marks[i].pos) >= 0 {
			return d.marks[i].delta
		}
	}
	return 0
}

// original maps a sequence number the receiver saw (acknowledged) back to the sender's.
func (d *stream) original(seen uint32) uint32 {
	for i := len(d.marks) - 1; i >= 0; i-- {
		m := d.marks[i]
		if int32(seen-(m.pos+uint32(m.delta))) >= 0 {
			return seen - uint32(m.delta)
		}
	}
	return seen
}

// changed records that the segment at seq of length n of direction d became output: the bytes
// after it move by the difference. It keeps a copy of output for retransmissions, within maxKept.
func (t *flowTable) changed(d *stream, seq uint32, n int, output []byte) {
	diff := int32(len(output) - n)
	if diff != 0 {
		d.marks = append(d.marks, mark{pos: seq + uint32(n), delta: d.delta(seq) + diff})
		if len(d.marks) > maxMarks {
			d.marks = append(d.marks[:0], d.marks[1:]...)
		}
	}
	d.lastSeq, d.lastLen, d.hasLast = seq, n, true
	t.kept -= cap(d.lastOutput)
	if t.kept+len(output) > maxKeptBytes {
		d.lastOutput = nil
		return
	}
	if d.lastOutput == nil {
		d.lastOutput = []byte{} // kept, even when the segment became empty
	}
	d.lastOutput = append(d.lastOutput[:0], output...)
	t.kept += cap(d.lastOutput)
}

// retransmits reports whether a segment at seq of length n repeats data the worker has already
// passed in this direction, and if it is the last changed segment and was kept, returns what it
// became (nil otherwise).
func (d *stream) retransmits(seq uint32, n int) (output []byte, repeat bool) {
	if !d.hasLast || int32(seq+uint32(n)-(d.lastSeq+uint32(d.lastLen))) > 0 {
		return nil, false // new data
	}
	if seq == d.lastSeq && n == d.lastLen {
		return d.lastOutput, true
	}
	return nil, true
}

// TCP header fields the translation touches.
const (
	tcpSeq   = 4
	tcpAck   = 8
	tcpFlags = 13
	tcpSum   = 16
	flagFIN  = 0x01
	flagSYN  = 0x02
	flagRST  = 0x04
	flagACK  = 0x10
	optSACK  = 5
	optEnd   = 0
	optNop   = 1
)

// translate rewrites the TCP header of pkt for a tracked connection: the sequence number of
// direction d, with acks the acknowledgement number and SACK blocks of the other (Worker.AcksAsSent),
// and then the checksum. pkt is a packet Rebuild made from the one p was decoded from: same
// headers, and nothing after the segment.
func translate(pkt []byte, p *Packet, f *flow, d int, acks bool) {
	tcp := pkt[p.transportOff:p.payloadOff]
	seq := binary.BigEndian.Uint32(tcp[tcpSeq:])
	binary.BigEndian.PutUint32(tcp[tcpSeq:], seq+uint32(f.dirs[d].delta(seq)))
	if acks {
		translateAcks(tcp, &f.dirs[1-d])
	}
	seg := pkt[p.transportOff:]
	seg[tcpSum], seg[tcpSum+1] = 0, 0
	binary.BigEndian.PutUint16(seg[tcpSum:], checksum(seg, pseudoHeaderSum(p, len(seg))))
}

// translateAcks maps the acknowledgement number and SACK blocks of tcp, a header whose checksum
// the caller fixes, from other's rewritten numbering back into its sender's.
func translateAcks(tcp []byte, other *stream) {
	if tcp[tcpFlags]&flagACK != 0 {
		binary.BigEndian.PutUint32(tcp[tcpAck:], other.original(binary.BigEndian.Uint32(tcp[tcpAck:])))
	}
	opts := tcp[20:]
	for len(opts) > 0 {
		kind := opts[0]
		if kind == optEnd {
			break
		}
		if kind == optNop {
			opts = opts[1:]
			continue
		}
		if len(opts) < 2 || int(opts[1]) < 2 || int(opts[1]) > len(opts) {
			break
		}
		if kind == optSACK {
			for edges := opts[2:opts[1]]; len(edges) >= 4; edges = edges[4:] {
				binary.BigEndian.PutUint32(edges, other.original(binary.BigEndian.Uint32(edges)))
			}
		}
		opts = opts[opts[1]:]
	}
}
