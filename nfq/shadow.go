package nfq

import (
	"strconv"

	"github.com/smcproject/smc/internal/unidiff"
	"github.com/smcproject/smc/runtime"
)

// A shadow binding (Binding.Shadow) runs its chain on every message as a live one does, and then
// lets the packet pass exactly as it came: no rewrite, no DSCP, no mark, no response, no drop. The
// verdict the chain gave is counted (Stats.Shadow), and a message it would have changed gets one
// audit record of kind shadow, whose text is the verdict and the change:
//
//	verdict: modified            the verdict as `smcc run` prints it; a reject's status code follows it
//	dscp: 46                     the DSCP and mark an accepted packet would have taken, if any
//	mark: 42
//	--- received                 a unified diff of the message as received and as it would have
//	+++ would send               been sent (for a drop: every line removed); for a reject over
//	@@ -1,7 +1,8 @@              UDP, the response it would have sent instead
//	...
//
// The chain's own records (AUDIT_RECORD, DROP_MSG_RECORD) are not written for a shadow binding: a
// drop record would report a drop that did not happen. The shadow record says what would have.
//
// Only the messages that would have changed do any of this work, and it reuses the worker's
// buffers: once they have grown to the largest message seen, a shadow record allocates nothing.

// maxShadowText bounds the text of a shadow record, as runtime.MaxAuditText bounds a message's
// AUDIT_RECORD text. A message and its rewrite each have at most 65,535 bytes and 1,024 lines
// (the parse limits, to which the Machine holds its output), so their diff, with a mark on every
// line and an @@ line at most every seven, stays below 140 KB, and a response is one message: only
// a bug gets past it. A record that would is lost, and counted as one of limit audit_records.
const maxShadowText = runtime.MaxAuditText

// shadowWriter holds what a worker writes its shadow records with.
type shadowWriter struct {
	diff unidiff.Differ
	text []byte
	rec  runtime.AuditRecord
}

// shadowed handles the chain's result r on the message in of a shadow binding: the verdict that
// handle began with (accept, unchanged) stands, the message is counted as accepted and by the
// verdict it would have had, and recorded when that would have changed it. What the chain's run
// itself ran into (not SIP, output limits, warnings) is counted as for a live binding.
func (w *Worker) shadowed(r *runtime.Result, in []byte) {
	w.failed(r)
	w.Stats.Verdicts[runtime.Accept].Add(1)
	w.Stats.Shadow[r.Verdict].Add(1)
	if r.Verdict == runtime.Accept && r.DSCP < 0 && !r.HasMark {
		return
	}
	w.recordShadow(r, in)
}

// recordShadow hands the Auditor the shadow record of a message the chain would have changed.
func (w *Worker) recordShadow(r *runtime.Result, in []byte) {
	if w.Audit == nil {
		return
	}
	s := &w.shadows
	s.text = appendShadowVerdict(s.text[:0], r, w.env.Transport)
	switch {
	case r.Verdict == runtime.Reject && w.env.Transport == runtime.UDP:
		s.text = append(s.text, r.Response...)
	case r.Verdict == runtime.Drop || r.Verdict == runtime.Reject:
		s.text = s.diff.Append(s.text, "received", "would send", in, nil)
	default:
		s.text = s.diff.Append(s.text, "received", "would send", in, r.Output)
	}
	if len(s.text) > maxShadowText {
		w.Stats.Limits[LimitAuditRecords].Add(1)
		return
	}
	s.rec = runtime.AuditRecord{Profile: w.profileID(r.Program), Rule: r.Rule, Kind: runtime.AuditShadow, Text: s.text}
	w.Audit.Add(&s.rec, &w.env)
}

// appendShadowVerdict appends the first lines of a shadow record: the verdict as `smcc run`
// prints it, and the DSCP and mark the packet would have taken had it been sent on. Over TCP a
// rejected request is cut out of the stream without a response (tcp.go), and the line says so.
func appendShadowVerdict(dst []byte, r *runtime.Result, t runtime.Transport) []byte {
	dst = append(append(dst, "verdict: "...), r.Verdict.String()...)
	if r.Verdict == runtime.Reject {
		dst = strconv.AppendInt(append(dst, ' '), int64(r.Code), 10)
		if t == runtime.TCP {
			dst = append(dst, " (over TCP: cut out of the stream, no response sent)"...)
		}
	}
	dst = append(dst, '\n')
	if r.Verdict == runtime.Drop || r.Verdict == runtime.Reject {
		return dst
	}
	if r.DSCP >= 0 {
		dst = append(strconv.AppendInt(append(dst, "dscp: "...), int64(r.DSCP), 10), '\n')
	}
	if r.HasMark {
		dst = append(strconv.AppendUint(append(dst, "mark: "...), uint64(r.Mark), 10), '\n')
	}
	return dst
}

// profileID is the ProfileID of the program at index program of the packet's chain, or 0 when
// no rule decided the verdict (program -1: a DSCP or a mark alone).
func (w *Worker) profileID(program int) int64 {
	if program < 0 {
		return 0
	}
	return w.rules.chain.Programs[program].ID
}

// shadowStream runs a shadow binding's chain on each whole message of the TCP segment seg, which
// passes as it came. A segment that ends inside a message is counted as a live binding counts it,
// and none of its messages is run: a live binding would have passed it unchanged.
func (w *Worker) shadowStream(seg []byte) {
	if !wholeMessages(seg) {
		w.Stats.Errors[ErrKindTCPPartial].Add(1)
		return
	}
	for off := 0; off < len(seg); {
		skip, n, _ := nextMessage(seg[off:])
		msg := seg[off+skip : off+skip+n]
		off += skip + n
		if n > 0 {
			w.shadowed(w.machine.Run(msg, &w.env), msg)
		}
	}
}

// wholeMessages reports whether seg holds whole SIP messages (and keep-alive CRLFs) only.
func wholeMessages(seg []byte) bool {
	for off := 0; off < len(seg); {
		skip, n, whole := nextMessage(seg[off:])
		if !whole {
			return false
		}
		off += skip + n
	}
	return true
}
