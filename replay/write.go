package replay

import (
	"bufio"
	"io"
	"slices"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// The output is a pcap with the input's link type, written by pcapgo, in the order of the input:
// each packet's frames (none when dropped; the packet, as it was or rewritten; a response after
// its request) take the place of the packet they came from. A fragment's place is held until its
// datagram is judged, and the packets after it wait behind it, so that a datagram passed as it was
// keeps its fragments where they were captured.

// maxHeld bounds the packets waiting behind unjudged fragments; past it the oldest waiting
// datagram is given up (written as it was). At a thousand packets a second it is a minute of
// traffic, the longest the kernel waits for a datagram (fragTimeout6), held in at most 4 GiB for
// the largest frames, and under 100 MiB for SIP and RTP.
const maxHeld = 65536

// snapLength is the snap length the output's header states: the largest, as rewritten packets may
// be longer than the input's snap length.
const snapLength = maxFrame

// An output writes frames in order, holding them behind fragments whose datagram is not judged.
type output struct {
	buf     *bufio.Writer
	pw      *pcapgo.Writer
	held    []slot // from slot number base on
	base    int
	written int
	err     error // the first write error; later writes are skipped
}

// A slot is the place of one input packet among those held: its frames once known.
type slot struct {
	frames []heldFrame
	ready  bool
}

type heldFrame struct {
	ci   gopacket.CaptureInfo
	data []byte
}

func newOutput(w io.Writer, link layers.LinkType, nanos bool) *output {
	o := &output{buf: bufio.NewWriterSize(w, 1<<16)}
	if nanos {
		o.pw = pcapgo.NewWriterNanos(o.buf)
	} else {
		o.pw = pcapgo.NewWriter(o.buf)
	}
	o.err = o.pw.WriteFileHeader(snapLength, link)
	return o
}

// emit writes the frames of the packet in hand, or holds copies of them behind held fragments.
func (o *output) emit(frames ...heldFrame) {
	if len(o.held) == 0 {
		for _, f := range frames {
			o.write(f)
		}
		return
	}
	o.held = append(o.held, slot{frames: cloneFrames(nil, frames), ready: true})
}

// hold keeps the place of a fragment, with a copy of its frame, and returns the place's number.
func (o *output) hold(f *frame) int {
	o.held = append(o.held, slot{frames: []heldFrame{{f.ci, slices.Clone(f.data)}}})
	return o.base + len(o.held) - 1
}

// resolve fills the place of a fragment: its frame as it was when keep is set, then frames, and
// writes what no longer waits.
func (o *output) resolve(n int, keep bool, frames ...heldFrame) {
	s := &o.held[n-o.base]
	if !keep {
		s.frames = s.frames[:0]
	}
	s.frames = cloneFrames(s.frames, frames)
	s.ready = true
	o.flush()
}

// flush writes the places at the head that are resolved.
func (o *output) flush() {
	i := 0
	for ; i < len(o.held) && o.held[i].ready; i++ {
		for _, f := range o.held[i].frames {
			o.write(f)
		}
		o.held[i] = slot{}
	}
	o.held = o.held[i:]
	o.base += i
	if len(o.held) == 0 {
		o.held = nil // let the backing array go
	}
}

func (o *output) waiting() int { return len(o.held) }

func (o *output) write(f heldFrame) {
	if o.err != nil {
		return
	}
	o.err = o.pw.WritePacket(f.ci, f.data)
	o.written++
}

// close writes what is buffered and reports the first write error.
func (o *output) close() error {
	if o.err != nil {
		return o.err
	}
	return o.buf.Flush()
}

func cloneFrames(dst, frames []heldFrame) []heldFrame {
	for _, f := range frames {
		dst = append(dst, heldFrame{f.ci, slices.Clone(f.data)})
	}
	return dst
}
