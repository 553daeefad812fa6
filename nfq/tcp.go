package nfq

import (
	"bytes"
	"encoding/binary"

	"github.com/smcproject/smc/runtime"
)

// A TCP segment carries a piece of a byte stream, not a message: it may hold several SIP
// messages, or part of one. The worker rewrites a segment only when it holds whole messages,
// found by walking their Content-Length (RFC 3261 §18.3 makes the header mandatory on stream
// transports; a message without one is taken to have no body). Keep-alive CRLFs between messages
// (RFC 5626 §3.5.1) pass as they are. A segment that ends inside a message passes unchanged,
// counted (ErrKindTCPPartial).
//
// A message the chain drops is cut out of the stream; a rejected request is cut out too, without a
// response, since a verdict cannot put bytes into the other direction's stream (counted,
// ErrKindTCPReject). Length changes are made good by the flow tracking of tcpflow.go.

// nextMessage returns the length of the first whole SIP message of b, after any leading CRLFs
// (counted in skip), or ok false when b ends inside a message.
func nextMessage(b []byte) (skip, n int, ok bool) {
	for skip < len(b) && (b[skip] == '\r' || b[skip] == '\n') {
		skip++
	}
	msg := b[skip:]
	if len(msg) == 0 {
		return skip, 0, true
	}
	end, sep := bytes.Index(msg, []byte("\r\n\r\n")), 4
	if lf := bytes.Index(msg, []byte("\n\n")); lf >= 0 && (end < 0 || lf < end) {
		end, sep = lf, 2
	}
	if end < 0 {
		return skip, 0, false
	}
	bodyLen, valid := contentLength(msg[:end])
	if !valid {
		return skip, 0, false
	}
	n = end + sep + bodyLen
	if n > len(msg) {
		return skip, 0, false
	}
	return skip, n, true
}

// contentLength reads the Content-Length (or l) of a header section: 0 when there is none, not
// valid when its value is not a number.
func contentLength(head []byte) (int, bool) {
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		colon := bytes.IndexByte(line, ':')
		if colon < 0 {
			continue
		}
		name := bytes.TrimRight(line[:colon], " \t")
		if !bytes.EqualFold(name, []byte("Content-Length")) && !bytes.EqualFold(name, []byte("l")) {
			continue
		}
		v := bytes.TrimSpace(line[colon+1:])
		if len(v) == 0 || len(v) > 7 {
			return 0, false
		}
		n := 0
		for _, c := range v {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	return 0, true
}

// handleTCP runs the chain on each whole message of a TCP segment (when bound: a binding took
// the packet) and keeps the connection's numbering consistent when the length changes. An unbound
// segment keeps its bytes, but its numbers are translated like every other of a tracked
// connection; so does a shadow binding's segment, whose connection a live binding may have resized
// before a reload made it a shadow one.
func (w *Worker) handleTCP(bound bool) {
	f, d := w.flows.find(&w.pkt)
	tcp := w.q.Packet[w.pkt.transportOff:w.pkt.payloadOff]
	if f != nil && tcp[tcpFlags]&flagSYN != 0 {
		// A new connection between the same two ends: the old one's offsets are not its own
		// (one closed with FIN stays tracked until then, and so does one loaded at start).
		w.flows.remove(f)
		f = nil
	}
	seq := binary.BigEndian.Uint32(tcp[tcpSeq:])
	seg := w.pkt.Payload
	out := seg
	actions := runtime.Result{DSCP: -1}
	if !bound {
		w.Stats.Verdicts[runtime.Accept].Add(1)
	}
	if len(seg) > 0 {
		repeat := f != nil && w.retransmission(f, d, seq, &out)
		switch {
		case repeat || !bound: // the bytes stay as sent, or as they were changed the first time
		case w.shadow:
			w.shadowStream(seg)
		default:
			out, f, d = w.rewriteSegment(seg, seq, f, d, &actions)
		}
	}
	if f != nil || !bytes.Equal(out, seg) {
		if !w.rebuild(out) {
			return
		}
		if f != nil {
			translate(w.verdict.Packet, &w.pkt, f, d, !w.AcksAsSent)
			switch flags := tcp[tcpFlags]; {
			case flags&flagRST != 0:
				w.flows.remove(f)
			case flags&flagFIN != 0:
				f.fin[d] = true
			}
		}
	}
	w.packetActions(&actions)
}

// rewriteSegment runs the chain on the new data seg at seq and returns what the segment becomes.
// A length change starts tracking the connection when it is not tracked yet (f nil), and is
// recorded in direction d of it.
func (w *Worker) rewriteSegment(seg []byte, seq uint32, f *flow, d int, actions *runtime.Result) ([]byte, *flow, int) {
	changed, ok := w.runStream(seg, actions)
	if !ok || !changed {
		return seg, f, d
	}
	out := w.payload
	if f == nil && len(out) != len(seg) {
		if f, d = w.flows.add(&w.pkt), 0; f == nil {
			w.Stats.Errors[ErrKindTCPLength].Add(1)
			return seg, nil, 0
		}
	}
	if f != nil {
		w.flows.changed(&f.dirs[d], seq, len(seg), out)
	}
	return out, f, d
}

// retransmission handles a segment that repeats data already passed: the last changed segment
// gets its changed bytes again; anything else keeps its bytes, counted.
func (w *Worker) retransmission(f *flow, d int, seq uint32, out *[]byte) bool {
	again, repeat := f.dirs[d].retransmits(seq, len(w.pkt.Payload))
	if !repeat {
		return false
	}
	if again != nil {
		*out = again
	} else {
		w.Stats.Errors[ErrKindTCPRetransmit].Add(1)
	}
	return true
}

// runStream runs the chain on the messages of seg into w.payload, and collects their packet
// actions. It reports whether any message changed, and false when seg does not hold whole
// messages.
func (w *Worker) runStream(seg []byte, actions *runtime.Result) (changed, ok bool) {
	w.payload = w.payload[:0]
	for off := 0; off < len(seg); {
		skip, n, whole := nextMessage(seg[off:])
		if !whole {
			w.Stats.Errors[ErrKindTCPPartial].Add(1)
			return false, false
		}
		w.payload = append(w.payload, seg[off:off+skip]...)
		off += skip
		if n == 0 {
			continue
		}
		r := w.machine.Run(seg[off:off+n], &w.env)
		w.observe(seg[off:off+n], r)
		off += n
		w.Stats.Verdicts[r.Verdict].Add(1)
		w.rules.add(r)
		w.audit(r)
		dropped := w.failed(r) && w.DropOnError
		switch {
		case dropped, r.Verdict == runtime.Drop:
			changed = true
			continue
		case r.Verdict == runtime.Reject:
			w.Stats.Errors[ErrKindTCPReject].Add(1)
			changed = true
			continue
		case r.Verdict == runtime.Modified:
			changed = true
		}
		w.payload = append(w.payload, r.Output...)
		if len(w.payload) > MaxVerdictPacket {
			// No packet can carry what the messages became, and each may have grown to
			// runtime.MaxOutputSize: stop here rather than hold them all.
			w.Stats.Errors[ErrKindTooLarge].Add(1)
			w.Stats.Limits[LimitSegmentSize].Add(1)
			w.log(ErrKindTooLarge.String(), ErrTooLarge)
			w.verdict.Drop = w.DropOnError
			return false, false
		}
		if r.DSCP >= 0 {
			actions.DSCP = r.DSCP
		}
		if r.HasMark {
			actions.Mark, actions.HasMark = r.Mark, true
		}
	}
	return changed, true
}
