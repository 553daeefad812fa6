package nfq

import (
	"bytes"

	"github.com/smcproject/smc/runtime"
)

// A TCP segment carries a piece of a byte stream, not a message: it may hold several SIP
// messages, or part of one. The worker rewrites a segment only when it holds whole messages,
// found by walking their Content-Length (RFC 3261 §18.3 makes the header mandatory on stream
// transports; a message without one is taken to have no body). Keep-alive CRLFs between messages
// (RFC 5626 §3.5.1) pass as they are.
//
// A verdict cannot drop one message out of a stream without breaking it, and a change of length
// shifts the sequence numbers of everything after it in that direction, which the peers' ACKs then
// contradict. Until the worker tracks per-flow sequence offsets, a segment whose messages would be
// dropped, rejected or change length passes unchanged and is counted (ErrKindTCPLength,
// ErrKindTCPDrop); a rewrite that keeps the length is applied.

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

// handleTCP runs the chain on each whole message of a TCP segment.
func (w *Worker) handleTCP() {
	seg := w.pkt.Payload
	w.payload = w.payload[:0]
	changed, actions := false, runtime.Result{DSCP: -1}
	for off := 0; off < len(seg); {
		skip, n, ok := nextMessage(seg[off:])
		if !ok {
			w.Stats.Errors[ErrKindTCPPartial].Add(1)
			w.Stats.Verdicts[runtime.Accept].Add(1)
			return
		}
		w.payload = append(w.payload, seg[off:off+skip]...)
		off += skip
		if n == 0 {
			continue
		}
		msg := seg[off : off+n]
		off += n
		r := w.machine.Run(msg, &w.env)
		if r.ParseError != nil {
			w.Stats.Errors[ErrKindNotSIP].Add(1)
		}
		switch r.Verdict {
		case runtime.Drop, runtime.Reject:
			w.Stats.Errors[ErrKindTCPDrop].Add(1)
			w.Stats.Verdicts[runtime.Accept].Add(1)
			return
		case runtime.Modified:
			changed = true
		}
		w.payload = append(w.payload, r.Output...)
		if r.DSCP >= 0 {
			actions.DSCP = r.DSCP
		}
		if r.HasMark {
			actions.Mark, actions.HasMark = r.Mark, true
		}
	}
	if len(w.payload) != len(seg) {
		w.Stats.Errors[ErrKindTCPLength].Add(1)
		w.Stats.Verdicts[runtime.Accept].Add(1)
		return
	}
	if changed {
		w.Stats.Verdicts[runtime.Modified].Add(1)
		if !w.rebuild(w.payload) {
			return
		}
	} else {
		w.Stats.Verdicts[runtime.Accept].Add(1)
	}
	w.packetActions(&actions)
}
