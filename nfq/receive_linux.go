package nfq

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// A receiver reads the queue's netlink datagrams in batches: one recvmmsg with MSG_WAITFORONE
// waits for the first datagram and takes, without waiting, up to slots-1 more that are already
// there. At a low rate that is one syscall per packet, as a plain read; at a high rate one per
// batch. Each datagram gets a slot of its own, large enough for the biggest packet the queue
// copies and its attributes, so nothing is truncated.
type receiver struct {
	buf  []byte // slots × slotSize bytes
	hdrs []mmsghdr
	iovs []unix.Iovec
	n    int // datagrams the last receive returned
	next int // the next of them to hand out
}

// slotSize holds one packet message: the packet (up to maxPacketCopied bytes) and its headers
// and attributes.
const slotSize = maxPacketCopied + 4096

// mmsghdr is the kernel's struct mmsghdr, which golang.org/x/sys/unix does not define.
type mmsghdr struct {
	hdr unix.Msghdr
	len uint32
	_   [4]byte
}

func newReceiver(slots int) *receiver {
	r := &receiver{buf: make([]byte, slots*slotSize), hdrs: make([]mmsghdr, slots), iovs: make([]unix.Iovec, slots)}
	for i := range r.hdrs {
		r.iovs[i].Base = &r.buf[i*slotSize]
		r.iovs[i].SetLen(slotSize)
		r.hdrs[i].hdr.Iov = &r.iovs[i]
		r.hdrs[i].hdr.Iovlen = 1
	}
	return r
}

// receive reads up to len(slots) datagrams, blocking (up to the socket's receive timeout) until
// the first arrives; flags may add MSG_DONTWAIT.
//
// The wait is an ordinary syscall, which the Go scheduler sees. Making it a raw one, which the
// scheduler does not see, saved the runtime's futex and nanosleep calls around each wait at a
// low rate, but under load the worker then stalled for tenths of a second at a time (fail-open
// passed a third of the packets unhandled at 20,000 a second): the scheduler could not take the
// P of a goroutine it believed to be running.
func (r *receiver) receive(fd, flags int) error {
	r.n, r.next = 0, 0
	n, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, uintptr(fd), uintptr(unsafe.Pointer(&r.hdrs[0])), uintptr(len(r.hdrs)), uintptr(unix.MSG_WAITFORONE|flags), 0, 0)
	if errno != 0 {
		return errno
	}
	r.n = int(n)
	return nil
}

// datagram returns the next datagram received, or nil when all have been handed out.
func (r *receiver) datagram() []byte {
	if r.next >= r.n {
		return nil
	}
	i := r.next
	r.next++
	return r.buf[i*slotSize : i*slotSize+int(r.hdrs[i].len)]
}
