package replay

import (
	"bytes"
	"net/netip"
	"time"

	"github.com/smcproject/smc/nfq"
	"github.com/smcproject/smc/runtime"
	"github.com/smcproject/smc/runtime/sipmsg"
)

// The rewrite stage is smcd's own: an nfq.Worker, the code that gives the kernel its verdicts,
// reads the capture's IP packets from a source that hands it one at a time and takes its verdict.
// So every rule of the packet path holds here as it does live, from one implementation: which end
// is the peer, the rebuilt lengths and checksums, DSCP, the TCP sequence offsets of a connection
// whose length a rule changed, retransmissions, segments that end inside a message, a reject's
// response (built by nfq.ResponseBuilder, as smcd's raw sockets send it) and the counts.
//
// What the kernel's rules choose live is chosen here by content: the packets whose UDP or TCP
// payload starts with a SIP start line are bound to the chain, the rest are not (nfq.Binding by
// queue number), and pass as they are; an unbound TCP segment still has its numbers translated
// on a connection whose length a rule changed, as live.

// The queue numbers the rewriter gives packets, for the one binding to take the SIP ones.
const (
	queueSIP   = 0
	queueOther = 1
)

// A judgement is what the worker made of one IP packet.
type judgement struct {
	drop     bool
	packet   []byte // the packet to send in its place; nil: the packet as it was
	response []byte // the IP packet answering a rejected request; nil: none
}

// A rewriter runs the worker on one IP packet at a time.
type rewriter struct {
	worker  *nfq.Worker
	src     oneAtATime
	respond captureResponder
	local   []netip.Prefix
	pkt     nfq.Packet
	sum     *Summary
	num     int // the packet in hand, for Observe
}

// newRewriter returns a rewriter whose worker runs chain on the SIP packets, shows each message
// and its result to observe, and logs to logf what it could not do as the chain asked.
func newRewriter(chain *runtime.Chain, local []netip.Prefix, sum *Summary, observe func([]byte, *runtime.Result), logf func(string, error)) *rewriter {
	r := &rewriter{local: local, sum: sum}
	set := &nfq.ChainSet{Bindings: []nfq.Binding{{Name: "sip", Queues: []uint16{queueSIP}, Chain: chain}}}
	r.worker = nfq.NewWorker(&r.src, nfq.NewChainSetRef(set), &r.respond, logf)
	r.worker.Observe = observe
	r.worker.AcksAsSent = true // the capture was taken without smcd in the path
	return r
}

// judge runs the worker on ip, captured at, as packet num of the capture. The judgement is valid
// until the next judge.
func (r *rewriter) judge(ip []byte, at time.Time, num int) judgement {
	r.num = num
	r.src.q = nfq.Queued{ID: uint32(num), Queue: r.classify(ip), Hook: nfq.HookLocalIn, Packet: ip, Time: at}
	if r.pkt.Version != 0 && r.isLocal(r.pkt.Src) {
		r.src.q.Hook = nfq.HookLocalOut
	}
	r.respond.packet = nil
	r.worker.Step() // its Source never fails
	return judgement{drop: r.src.v.Drop, packet: r.src.v.Packet, response: r.respond.packet}
}

// classify decodes ip into r.pkt and returns the queue of its kind, counting the packets that are
// not SIP.
func (r *rewriter) classify(ip []byte) uint16 {
	if err := nfq.Decode(ip, &r.pkt); err != nil {
		r.pkt.Version = 0
		r.sum.Other++
		return queueOther
	}
	if len(r.pkt.Payload) == 0 {
		return queueOther
	}
	if !startsWithStartLine(r.pkt.Payload) {
		r.sum.NotSIP++
		return queueOther
	}
	return queueSIP
}

// startsWithStartLine reports whether a payload begins with a SIP request or status line, after
// the CRLFs a stream carries as keep-alives (RFC 5626 §3.5.1).
func startsWithStartLine(p []byte) bool {
	p = bytes.TrimLeft(p, "\r\n")
	line, _, ok := bytes.Cut(p, []byte("\n"))
	if !ok {
		return false
	}
	return sipmsg.StartLine(bytes.TrimSuffix(line, []byte("\r"))) != sipmsg.StartInvalid
}

// isLocal reports whether a is one of this host's addresses (--local).
func (r *rewriter) isLocal(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range r.local {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// oneAtATime is the worker's nfq.Source: the packet in hand, and the verdict on it.
type oneAtATime struct {
	q nfq.Queued
	v nfq.Verdict
}

func (s *oneAtATime) Next(q *nfq.Queued) error { *q = s.q; return nil }

func (s *oneAtATime) Verdict(v *nfq.Verdict) error { s.v = *v; return nil }

// captureResponder is the worker's nfq.Responder: it keeps the response packet instead of sending
// it.
type captureResponder struct {
	build  nfq.ResponseBuilder
	packet []byte
}

func (c *captureResponder) Respond(req *nfq.Packet, response []byte) error {
	p, err := c.build.Build(req, response)
	if err != nil {
		return err
	}
	c.packet = p
	return nil
}
