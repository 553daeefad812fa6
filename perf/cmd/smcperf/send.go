package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sendReport is what the send role prints when it is done, one JSON line.
type sendReport struct {
	Sent    uint64
	Seconds float64 // from the first packet to the last
	Errors  uint64  // sendmmsg calls that failed (ENOBUFS, ...); their packets are not in Sent
}

// sendChunk is the most packets one sendmmsg takes: small enough that consecutive chunks go out
// on different sockets, so that the flows interleave for --queue-balance.
const sendChunk = 32

// sendRole paces the traffic mix to -dst at -rate packets a second for -dur, from -flows UDP
// sockets (each its own source port, so --queue-balance can spread them). Every tick it sends,
// in sendmmsg chunks, the packets due by then, so that the average rate is exact and the bursts
// are at most a tick's worth.
func sendRole(args []string) int {
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	dst := fs.String("dst", "", "destination address:port")
	rate := fs.Int("rate", 10000, "packets a second")
	dur := fs.Duration("dur", time.Second, "how long to send")
	flows := fs.Int("flows", 16, "UDP sockets, each its own source port")
	mix := fs.String("mix", "", "the messages in order, a file each, FILE*N for N in a row: clean.sip*9,dirty.sip")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	to, err := netip.ParseAddrPort(*dst)
	if err != nil {
		fmt.Fprintln(os.Stderr, "send:", err)
		return 2
	}
	msgs, err := readMix(*mix)
	if err != nil {
		fmt.Fprintln(os.Stderr, "send:", err)
		return 2
	}
	s, err := newSender(to, *flows, msgs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "send:", err)
		return 1
	}
	rep := s.pace(*rate, *dur)
	json.NewEncoder(os.Stdout).Encode(rep)
	return 0
}

// readMix reads the messages of a mix: "a.sip*9,b.sip" is nine of a then one of b.
func readMix(spec string) ([][]byte, error) {
	var out [][]byte
	for _, part := range strings.Split(spec, ",") {
		name, count, found := strings.Cut(part, "*")
		n := 1
		if found {
			var err error
			if n, err = strconv.Atoi(count); err != nil || n < 1 {
				return nil, fmt.Errorf("mix %q: %q is not a count", spec, count)
			}
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		for range n {
			out = append(out, b)
		}
	}
	return out, nil
}

// mmsghdr is the kernel's struct mmsghdr, which golang.org/x/sys/unix does not define.
type mmsghdr struct {
	hdr unix.Msghdr
	len uint32
	_   [4]byte
}

// A sender writes the mix on its sockets round-robin with sendmmsg, from preallocated headers.
type sender struct {
	fds  []int
	msgs [][]byte
	next int // the position in the mix of the next packet
	hdrs [sendChunk]mmsghdr
	iovs [sendChunk]unix.Iovec
}

func newSender(to netip.AddrPort, flows int, msgs [][]byte) (*sender, error) {
	s := &sender{msgs: msgs}
	sa := &unix.SockaddrInet4{Port: int(to.Port()), Addr: to.Addr().As4()}
	for range flows {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return nil, err
		}
		// The queue holds up to 8192 of our packets; their memory stays charged to this socket
		// until the kernel frees them, so a default send buffer would block the sender.
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, 64<<20)
		if err := unix.Connect(fd, sa); err != nil {
			return nil, err
		}
		s.fds = append(s.fds, fd)
	}
	for i := range s.hdrs {
		s.hdrs[i].hdr.Iov = &s.iovs[i]
		s.hdrs[i].hdr.Iovlen = 1
	}
	return s, nil
}

// pace sends rate packets a second for dur.
func (s *sender) pace(rate int, dur time.Duration) sendReport {
	const tick = 250 * time.Microsecond
	total := uint64(float64(rate) * dur.Seconds())
	var rep sendReport
	start := time.Now()
	flow := 0
	for rep.Sent < total {
		due := min(total, uint64(float64(rate)*time.Since(start).Seconds()))
		for rep.Sent < due {
			n, err := s.send(s.fds[flow], int(min(due-rep.Sent, sendChunk)))
			flow = (flow + 1) % len(s.fds)
			rep.Sent += uint64(n)
			if err != nil {
				rep.Errors++
				time.Sleep(50 * time.Microsecond)
			}
		}
		time.Sleep(tick)
	}
	rep.Seconds = time.Since(start).Seconds()
	return rep
}

// send writes the next n packets of the mix with one sendmmsg and returns how many went.
func (s *sender) send(fd, n int) (int, error) {
	pos := s.next
	for i := range n {
		m := s.msgs[pos]
		s.iovs[i].Base = unsafe.SliceData(m)
		s.iovs[i].SetLen(len(m))
		pos = (pos + 1) % len(s.msgs)
	}
	r, _, errno := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(fd), uintptr(unsafe.Pointer(&s.hdrs[0])), uintptr(n), 0, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	s.next = (s.next + int(r)) % len(s.msgs)
	return int(r), nil
}
