package nfq

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// A RawResponder sends the responses of rejected requests through raw IP sockets, building the IP
// and UDP headers itself: the response leaves from the address and port the request was sent to,
// which on a forwarding host is not one of its own addresses, so an ordinary socket could not
// send it. The kernel routes it by destination like any packet the host sends (OUTPUT,
// POSTROUTING), so a rule that queues the host's own SIP traffic sees it too unless it excludes
// the responder's mark. The packet itself is made by a ResponseBuilder.
//
// Only UDP requests get a response (ErrNotUDP); the peer of a TCP request sees a stalled stream
// (documented in docs/smcd.md).
type RawResponder struct {
	fd4, fd6 int
	builder  ResponseBuilder
}

// NewRawResponder opens the raw sockets (it needs CAP_NET_RAW). Packets it sends carry mark (0:
// none), so queue rules can leave them alone with `-m mark ! --mark MARK`.
func NewRawResponder(mark uint32) (*RawResponder, error) {
	r := &RawResponder{fd4: -1, fd6: -1,
		builder: ResponseBuilder{buf: make([]byte, 0, 0x10000), tmpl: make([]byte, 0, 48)}}
	var err error
	if r.fd4, err = rawSocket(unix.AF_INET, mark); err != nil {
		return nil, err
	}
	if r.fd6, err = rawSocket(unix.AF_INET6, mark); err != nil {
		unix.Close(r.fd4)
		return nil, err
	}
	return r, nil
}

func rawSocket(family int, mark uint32) (int, error) {
	// IPPROTO_RAW implies IP_HDRINCL, for IPv6 too: the packet is sent as built.
	fd, err := unix.Socket(family, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_RAW)
	if err != nil {
		if err == unix.EPERM {
			return -1, fmt.Errorf("raw socket for reject responses: needs CAP_NET_RAW (run as root, or with the capability as in smcd.service): %w", err)
		}
		return -1, fmt.Errorf("raw socket for reject responses: %w", err)
	}
	if mark != 0 {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_MARK, int(mark)); err != nil {
			unix.Close(fd)
			return -1, fmt.Errorf("marking reject responses: %w", err)
		}
	}
	return fd, nil
}

// Respond implements Responder: response goes from req's destination to its source.
func (r *RawResponder) Respond(req *Packet, response []byte) error {
	out, err := r.builder.Build(req, response)
	if err != nil {
		return err
	}
	if req.Src.Is4() {
		sa := unix.SockaddrInet4{Addr: req.Src.As4()}
		return unix.Sendto(r.fd4, out, 0, &sa)
	}
	sa := unix.SockaddrInet6{Addr: req.Src.As16()}
	return unix.Sendto(r.fd6, out, 0, &sa)
}

// Close closes the sockets.
func (r *RawResponder) Close() error {
	unix.Close(r.fd6)
	return unix.Close(r.fd4)
}
