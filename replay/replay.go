package replay

import (
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/smcproject/smc/nfq"
	"github.com/smcproject/smc/runtime"
)

// Options say how to replay a capture.
type Options struct {
	// Chain is run on every SIP message, as smcd runs it.
	Chain *runtime.Chain
	// Local holds this host's addresses: a packet from one of them is one the host sends (its
	// peer is its destination, as on smcd's OUTPUT and POSTROUTING hooks); every other packet is
	// one it receives (its peer is its source).
	Local []netip.Prefix
	// Diff, when set, gets a unified diff of every message the chain changed, and a line for each
	// it dropped or rejected.
	Diff io.Writer
	// Notes, when set, gets a line for each packet the worker could not handle as the chain
	// asked (a rewritten packet too large, a message that did not parse...): smcd logs the same.
	Notes io.Writer
}

// A replay is one run over a capture: the stages, and the packet in hand.
type replay struct {
	opts   Options
	link   layers.LinkType
	out    *output
	rw     *rewriter
	defrag *defragmenter
	sum    *Summary
	frag   fragment
	frames [2]heldFrame
	bufs   [2][]byte
}

// Run reads a pcap or pcapng capture from in, runs the chain over it as smcd would have run it over
// the same packets live, and writes the packets smcd would have let through, and the responses it
// would have sent, to out as a pcap of the same link type and timestamps. A capture that cannot be
// read to its end gives a *CaptureError, after everything read before it was written.
func Run(in io.Reader, out io.Writer, opts Options) (*Summary, error) {
	rd, err := newCaptureReader(in)
	if err != nil {
		return nil, err
	}
	if err := checkLink(rd.link); err != nil {
		return nil, &CaptureError{Packet: 1, Err: err}
	}
	r := &replay{opts: opts, link: rd.link, out: newOutput(out, rd.link, rd.nanos), defrag: newDefragmenter(), sum: newSummary(opts.Chain)}
	r.rw = newRewriter(opts.Chain, opts.Local, r.sum, r.observe, r.note)
	var f frame
	for {
		if err = rd.next(&f); err != nil {
			break
		}
		r.sum.Packets++
		r.packet(&f)
	}
	if err == io.EOF {
		err = nil
	}
	r.giveUp(r.defrag.expire(time.Time{}, 0))
	r.sum.takeErrors(&r.rw.worker.Stats)
	r.sum.Written = r.out.written
	if werr := r.out.close(); werr != nil && err == nil {
		err = fmt.Errorf("writing the capture: %w", werr)
	}
	return r.sum, err
}

// packet handles one frame: a fragment waits for its datagram, any other IP packet is judged now,
// and a frame without IP is written as it was. Datagrams whose time is up before it, and the
// oldest ones while too many packets wait behind fragments, are given up.
func (r *replay) packet(f *frame) {
	if len(r.defrag.pending) > 0 {
		r.giveUp(r.defrag.expire(f.ci.Timestamp, maxDatagrams))
	}
	r.place(f)
	for r.out.waiting() > maxHeld && len(r.defrag.pending) > 0 {
		r.giveUp(r.defrag.expire(f.ci.Timestamp, len(r.defrag.pending)-1))
	}
}

func (r *replay) place(f *frame) {
	ipOff := ipOffset(r.link, f.data)
	if ipOff < 0 {
		r.sum.Other++
		r.out.emit(heldFrame{f.ci, f.data})
		return
	}
	ip := f.data[ipOff:]
	if !parseFragment(ip, &r.frag) {
		r.out.emit(r.judged(f, ipOff, r.rw.judge(ip, f.ci.Timestamp, f.num))...)
		return
	}
	slot := r.out.hold(f)
	if dg, done := r.defrag.add(&r.frag, slot, f.data[:ipOff], f.ci.Timestamp); done {
		r.datagram(dg, f)
	}
	r.giveUp(r.defrag.expire(f.ci.Timestamp, maxDatagrams))
}

// datagram judges a datagram whose last fragment, f, just came. Passed as it was, its fragments
// are written where they were; otherwise what the worker made of it takes the place of its last
// fragment, as one packet: a capture shows a datagram the rules changed as smcd passed it to the
// kernel, before the kernel fragments it again for the link.
func (r *replay) datagram(dg *datagram, f *frame) {
	ip, ok := r.defrag.assemble(dg)
	if dg.bad || !ok {
		r.giveUp([]*datagram{dg})
		return
	}
	r.sum.Reassembled++
	r.sum.Fragments += len(dg.slots)
	whole := &frame{num: f.num, ci: f.ci, data: append(dg.link, ip...)}
	j := r.rw.judge(ip, f.ci.Timestamp, f.num)
	keep := !j.drop && j.packet == nil
	last := len(dg.slots) - 1
	for _, s := range dg.slots[:last] {
		r.out.resolve(s, keep)
	}
	if keep {
		r.out.resolve(dg.slots[last], true)
		return
	}
	r.out.resolve(dg.slots[last], false, r.judged(whole, len(dg.link), j)...)
}

// giveUp writes the fragments of datagrams that will not be judged as they were.
func (r *replay) giveUp(dgs []*datagram) {
	for _, dg := range dgs {
		r.sum.GivenUp += len(dg.slots)
		for _, s := range dg.slots {
			r.out.resolve(s, true)
		}
	}
}

// judged returns the frames that take the place of frame f, whose IP packet starts at ipOff,
// after judgement j. They are valid until the next call.
func (r *replay) judged(f *frame, ipOff int, j judgement) []heldFrame {
	out := r.frames[:0]
	switch {
	case j.drop:
	case j.packet == nil:
		out = append(out, heldFrame{f.ci, f.data})
	default:
		r.bufs[0] = append(append(r.bufs[0][:0], f.data[:ipOff]...), j.packet...)
		setLinkLength(r.link, r.bufs[0], ipOff)
		out = append(out, heldFrame{rewrittenInfo(f.ci, len(r.bufs[0])), r.bufs[0]})
	}
	if j.response != nil {
		r.bufs[1] = append(appendResponseHeader(r.bufs[1][:0], r.link, f.data, ipOff), j.response...)
		setLinkLength(r.link, r.bufs[1], ipOff)
		out = append(out, heldFrame{rewrittenInfo(f.ci, len(r.bufs[1])), r.bufs[1]})
		r.sum.Responses++
	}
	return out
}

// rewrittenInfo is the capture information of a frame of n bytes built in place of one captured
// as ci: the same time, and all of it captured.
func rewrittenInfo(ci gopacket.CaptureInfo, n int) gopacket.CaptureInfo {
	return gopacket.CaptureInfo{Timestamp: ci.Timestamp, CaptureLength: n, Length: n, InterfaceIndex: ci.InterfaceIndex}
}

// observe sees each message the chain ran on.
func (r *replay) observe(msg []byte, res *runtime.Result) {
	r.sum.count(res)
	if r.opts.Diff != nil {
		writeDiff(r.opts.Diff, r.rw.num, msg, res)
	}
}

// note passes on what the worker logs about a packet it could not handle as the chain asked,
// but for the kinds of packets that are not SIP at all, which the summary counts.
func (r *replay) note(kind string, err error) {
	switch kind {
	case nfq.ErrKindTruncated.String(), nfq.ErrKindBadHeader.String(), nfq.ErrKindUnsupported.String(), nfq.ErrKindFragment.String():
		return
	}
	if r.opts.Notes != nil {
		fmt.Fprintf(r.opts.Notes, "packet %d: %s: %v\n", r.rw.num, kind, err)
	}
}
