package nfq

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"net/netip"
)

// The offsets of the TCP connections a worker has resized are all that keeps those connections
// alive: once forgotten, the sender's and the receiver's numbers no longer meet, and the
// connection hangs until it times out. A stop therefore saves them and the next start loads them
// (smcd keeps them in its state folder), so that a restart costs the connections only the
// packets that arrived while no smcd ran (they pass with --queue-bypass, untranslated; TCP
// retransmits them once smcd is back).
//
// The saved form, all numbers big-endian or varints:
//
//	"SMCTCP1\n"
//	uvarint  count of connections
//	per connection: the first direction's source and destination (16-byte address, 1 byte 4 or
//	6, 2-byte port, each), then both directions: uvarint count of marks, each a 4-byte position
//	and a varint delta; 1 byte has-last; 4-byte last sequence number; uvarint last length;
//	uvarint kept length + 1 (0: the segment was not kept) and that many bytes less one
//	4 bytes: CRC-32C of everything before

var tcpStateMagic = []byte("SMCTCP1\n")

// errTCPState reports a saved state that does not read back.
var errTCPState = errors.New("nfq: saved TCP state is damaged")

// SaveFlows appends the worker's tracked TCP connections to b in the saved form, but for those
// both ends have closed. Call it only when Run has returned: the worker's goroutine owns the
// table while it runs.
func (w *Worker) SaveFlows(b []byte) []byte {
	var open []*flow
	for k, f := range w.flows.flows {
		if k == f.first && !f.closed() {
			open = append(open, f)
		}
	}
	b = binary.AppendUvarint(append(b, tcpStateMagic...), uint64(len(open)))
	for _, f := range open {
		b = appendEndpoint(appendEndpoint(b, f.first.src), f.first.dst)
		b = appendStream(appendStream(b, &f.dirs[0]), &f.dirs[1])
	}
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func appendEndpoint(b []byte, a netip.AddrPort) []byte {
	ip := a.Addr().As16()
	family := byte(6)
	if a.Addr().Is4() {
		family = 4
	}
	b = append(append(b, ip[:]...), family)
	return binary.BigEndian.AppendUint16(b, a.Port())
}

func appendStream(b []byte, d *stream) []byte {
	b = binary.AppendUvarint(b, uint64(len(d.marks)))
	for _, m := range d.marks {
		b = binary.AppendVarint(binary.BigEndian.AppendUint32(b, m.pos), int64(m.delta))
	}
	has := byte(0)
	if d.hasLast {
		has = 1
	}
	b = binary.BigEndian.AppendUint32(append(b, has), d.lastSeq)
	b = binary.AppendUvarint(b, uint64(d.lastLen))
	if d.lastOutput == nil {
		return binary.AppendUvarint(b, 0)
	}
	return append(binary.AppendUvarint(b, uint64(len(d.lastOutput))+1), d.lastOutput...)
}

// LoadFlows adds the connections saved in b to the worker's table and returns how many it took.
// Call it before Run. Nothing is taken from a damaged state. Connections beyond the table's
// bound are left out, and so are segment copies beyond maxKept.
func (w *Worker) LoadFlows(b []byte) (int, error) {
	if len(b) < len(tcpStateMagic)+4 || string(b[:len(tcpStateMagic)]) != string(tcpStateMagic) {
		return 0, fmt.Errorf("%w: not a saved TCP state", errTCPState)
	}
	body, sum := b[:len(b)-4], binary.BigEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return 0, fmt.Errorf("%w: checksum", errTCPState)
	}
	r := stateReader{b: body[len(tcpStateMagic):]}
	count := r.uvarint()
	flows := make([]*flow, 0, min(count, maxFlows))
	for i := uint64(0); i < count && r.err == nil; i++ {
		f := &flow{first: endpointPair{r.endpoint(), r.endpoint()}}
		r.stream(&f.dirs[0])
		r.stream(&f.dirs[1])
		flows = append(flows, f)
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errTCPState
	}
	if r.err != nil {
		return 0, r.err
	}
	return w.flows.adopt(flows), nil
}

// adopt puts saved connections into the table, within its bounds, and returns how many it took.
func (t *flowTable) adopt(flows []*flow) int {
	if t.flows == nil {
		t.flows = map[endpointPair]*flow{}
	}
	n := 0
	for _, f := range flows {
		if len(t.flows) >= 2*maxFlows {
			break
		}
		for d := range f.dirs {
			if t.kept+len(f.dirs[d].lastOutput) > maxKeptBytes {
				f.dirs[d].lastOutput = nil
			}
			t.kept += cap(f.dirs[d].lastOutput)
		}
		f.lastUsed = t.clock
		t.flows[f.first] = f
		t.flows[endpointPair{f.first.dst, f.first.src}] = f
		n++
	}
	return n
}

// stateReader reads the saved form, keeping the first error.
type stateReader struct {
	b   []byte
	err error
}

func (r *stateReader) take(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		r.err = errTCPState
		return make([]byte, max(n, 0))
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *stateReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errTCPState
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *stateReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errTCPState
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *stateReader) u32() uint32 { return binary.BigEndian.Uint32(r.take(4)) }

func (r *stateReader) endpoint() netip.AddrPort {
	addr := netip.AddrFrom16([16]byte(r.take(16)))
	switch r.take(1)[0] {
	case 4:
		addr = addr.Unmap()
	case 6:
	default:
		r.err = errTCPState
	}
	return netip.AddrPortFrom(addr, binary.BigEndian.Uint16(r.take(2)))
}

func (r *stateReader) stream(d *stream) {
	n := r.uvarint()
	if n > maxMarks {
		r.err = errTCPState
		return
	}
	for range n {
		d.marks = append(d.marks, mark{pos: r.u32(), delta: int32(r.varint())})
	}
	d.hasLast = r.take(1)[0] == 1
	d.lastSeq = r.u32()
	if d.lastLen = int(r.uvarint()); d.lastLen > MaxVerdictPacket {
		r.err = errTCPState
		return
	}
	if kept := r.uvarint(); kept > 0 {
		if kept-1 > MaxVerdictPacket {
			r.err = errTCPState
			return
		}
		d.lastOutput = append([]byte{}, r.take(int(kept-1))...)
	}
}
