package nfq

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"
	"unsafe"

	nfqueue "github.com/florianl/go-nfqueue/v2"
	"golang.org/x/sys/unix"
)

// QueueConfig sets up one NFQUEUE queue.
type QueueConfig struct {
	Num uint16

	// MaxLen is how many packets the kernel holds for the queue before it applies fail-open
	// (or drops); 0 means DefaultMaxLen.
	MaxLen uint32
	// RcvBuf is the netlink socket's receive buffer in bytes, forced past net.core.rmem_max;
	// 0 means DefaultRcvBuf.
	RcvBuf int
	// FailClosed turns off NFQA_CFG_F_FAIL_OPEN: a full queue then drops packets instead of
	// accepting them unchanged.
	FailClosed bool
	// Conntrack asks for the packets' conntrack information (NFQA_CFG_F_CONNTRACK).
	Conntrack bool
	// Poll is how long Next waits before it returns ErrTimeout; 0 means DefaultPoll.
	Poll time.Duration
	// Batch is the most packets read with one syscall and the most verdicts of untouched
	// packets sent as one batch verdict; 0 means DefaultBatch, 1 turns batching off.
	Batch int
}

// Defaults sized for bursts: 8192 queued packets of up to 1500 bytes take about 12 MiB of kernel
// memory; an 8 MiB socket buffer holds about 5,000 of them in transit to user space.
const (
	DefaultMaxLen = 8192
	DefaultRcvBuf = 8 << 20
	DefaultPoll   = 200 * time.Millisecond
	DefaultBatch  = 16
)

// A Queue is one NFQUEUE queue, read and answered through a netlink socket that it owns. Its
// methods do not allocate and are for one goroutine; the socket is blocking, with a receive
// timeout of the poll interval.
//
// Packets are read Batch at a time when that many are waiting (recvmmsg), and one at a time
// otherwise. Verdicts that accept a packet unchanged, with no mark, are batched: the queue
// remembers the highest such packet ID and answers them all with one NFQNL_MSG_VERDICT_BATCH
// when it has Batch of them, and, so that no packet waits, before it waits for more packets. A
// rewritten, dropped or marked packet gets a verdict of its own at once. A packet thus costs two
// syscalls at a low rate (its read and its verdict) and about 2/Batch at a high one.
type Queue struct {
	fd      int
	num     uint16
	rx      *receiver
	rbuf    []byte // a datagram read while configuring the queue
	rest    []byte // the messages of the current datagram not yet returned
	wbuf    []byte
	seq     uint32
	batch   int
	pending int    // untouched packets not yet answered
	highest uint32 // the highest of their IDs

	failOpen  bool
	drainSeq  uint32 // the sequence number of StopIntake's message; 0 before it
	intakeOff bool   // the kernel acknowledged StopIntake: every packet still queued is in the socket

	Stats QueueStats
}

// QueueStats count the verdict messages a queue sent.
type QueueStats struct {
	Single, Batch atomic.Uint64
}

// OpenQueue opens a netlink socket, binds it to queue cfg.Num and configures the queue. It fails
// when another process holds the queue (EBUSY) or without CAP_NET_ADMIN (EPERM).
func OpenQueue(cfg QueueConfig) (*Queue, error) {
	cfg = withDefaults(cfg)
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_NETFILTER)
	if err != nil {
		return nil, fmt.Errorf("queue %d: netlink socket: %w", cfg.Num, err)
	}
	q := &Queue{fd: fd, num: cfg.Num, rx: newReceiver(cfg.Batch), rbuf: make([]byte, 0, slotSize), wbuf: make([]byte, 0, slotSize), seq: 1, batch: cfg.Batch,
		failOpen: !cfg.FailClosed}
	if err := q.setup(cfg); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("queue %d: %w", cfg.Num, err)
	}
	return q, nil
}

func withDefaults(cfg QueueConfig) QueueConfig {
	if cfg.MaxLen == 0 {
		cfg.MaxLen = DefaultMaxLen
	}
	if cfg.RcvBuf == 0 {
		cfg.RcvBuf = DefaultRcvBuf
	}
	if cfg.Poll == 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.Batch == 0 {
		cfg.Batch = DefaultBatch
	}
	return cfg
}

func (q *Queue) setup(cfg QueueConfig) error {
	if err := unix.Bind(q.fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("bind: %w", err)
	}
	// SO_RCVBUFFORCE goes past rmem_max (it needs CAP_NET_ADMIN, which binding a queue needs
	// anyway); NETLINK_NO_ENOBUFS keeps an overrun from being reported as an error on every
	// read after it, since under fail-open the kernel has already accepted those packets.
	if err := unix.SetsockoptInt(q.fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, cfg.RcvBuf); err != nil {
		if err := unix.SetsockoptInt(q.fd, unix.SOL_SOCKET, unix.SO_RCVBUF, cfg.RcvBuf); err != nil {
			return fmt.Errorf("receive buffer: %w", err)
		}
	}
	if err := unix.SetsockoptInt(q.fd, unix.SOL_NETLINK, unix.NETLINK_NO_ENOBUFS, 1); err != nil {
		return fmt.Errorf("NETLINK_NO_ENOBUFS: %w", err)
	}
	tv := unix.NsecToTimeval(cfg.Poll.Nanoseconds())
	if err := unix.SetsockoptTimeval(q.fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return fmt.Errorf("receive timeout: %w", err)
	}
	var flags uint32
	if !cfg.FailClosed {
		flags |= nfqueue.NfQaCfgFlagFailOpen
	}
	if cfg.Conntrack {
		flags |= nfqueue.NfQaCfgFlagConntrack
	}
	q.wbuf = appendConfig(q.wbuf[:0], q.num, q.seq, cfg.MaxLen, flags)
	if err := q.command(q.wbuf, 2); err != nil {
		if errors.Is(err, unix.EBUSY) {
			return fmt.Errorf("queue is bound by another process: %w", err)
		}
		if errors.Is(err, unix.EPERM) {
			// The kernel answers EPERM both without the capability and when another socket
			// holds the queue (a previous smcd still shutting down, say).
			return fmt.Errorf("the queue is bound by another process, or binding it needs CAP_NET_ADMIN (run as root, or with the capability as in smcd.service): %w", err)
		}
		return err
	}
	return nil
}

// command sends config messages and waits for their acknowledgements. A packet that arrives
// meanwhile (the queue is bound by the first message) is accepted unchanged.
func (q *Queue) command(msgs []byte, acks int) error {
	first := q.seq
	q.seq += uint32(acks)
	if _, err := unix.Write(q.fd, msgs); err != nil {
		return err
	}
	for acked := 0; acked < acks; {
		n, err := unix.Read(q.fd, q.rbuf[:cap(q.rbuf)])
		if err != nil {
			if err == unix.EINTR {
				continue
			}
			return fmt.Errorf("waiting for the kernel's acknowledgement: %w", err)
		}
		for b := q.rbuf[:n]; len(b) > 0; {
			msg, typ, seq, rest, err := splitMessage(b)
			if err != nil {
				return err
			}
			b = rest
			switch {
			case typ == nlmsgError && seq >= first && seq < first+uint32(acks):
				code, err := errnoOf(msg)
				if err != nil {
					return err
				}
				if code != 0 {
					return unix.Errno(code)
				}
				acked++
			case typ == msgPacket:
				var p Queued
				if parsePacket(msg, &p) == nil {
					q.Verdict(&Verdict{ID: p.ID})
				}
			}
		}
	}
	return nil
}

// Next implements Source.
func (q *Queue) Next(p *Queued) error {
	for {
		for len(q.rest) > 0 {
			msg, typ, seq, rest, err := splitMessage(q.rest)
			if err != nil {
				q.rest = nil
				return err
			}
			q.rest = rest
			switch typ {
			case msgPacket:
				return parsePacket(msg, p)
			case nlmsgError:
				if err := q.acknowledged(msg, seq); err != nil {
					return err
				}
			}
		}
		if d := q.rx.datagram(); d != nil {
			q.rest = d
			continue
		}
		// Every packet in hand has its verdict or is pending: answer the pending ones before
		// waiting, so that none waits on traffic that may not come.
		if err := q.flush(); err != nil {
			return err
		}
		flags := 0
		if q.intakeOff {
			flags = unix.MSG_DONTWAIT // nothing more can come: what is not there yet never will
		}
		switch err := q.rx.receive(q.fd, flags); err {
		case nil:
		case unix.EAGAIN, unix.EINTR:
			if q.intakeOff && err == unix.EAGAIN {
				return ErrDrained
			}
			// EINTR too goes back to the caller, which then looks at its stop and reload
			// signals before it waits again.
			return ErrTimeout
		case unix.ENOBUFS:
			return ErrOverrun
		default:
			return fmt.Errorf("nfq: queue %d: receive: %w", q.num, err)
		}
	}
}

// acknowledged reads an NLMSG_ERROR: the kernel's answer to a verdict (sent only when it refuses
// one) or to StopIntake.
func (q *Queue) acknowledged(msg []byte, seq uint32) error {
	code, _ := errnoOf(msg)
	if q.drainSeq != 0 && seq == q.drainSeq {
		if code != 0 {
			return fmt.Errorf("nfq: queue %d: stopping the intake: %w", q.num, unix.Errno(code))
		}
		q.intakeOff = true
		return nil
	}
	if code != 0 {
		return ErrVerdictRefused
	}
	return nil
}

// StopIntake implements Drainer. It sets the queue's length limit to 0: from then on the kernel
// gives every new packet the verdict of a full queue at once (accepted unchanged when passNew is
// set and the queue is fail-open, else dropped), while the packets queued before keep their
// place. The kernel answers the message after every one of those packets is in the socket, so
// once Next has read the answer and then finds the socket empty, no packet waits for a verdict,
// and Next returns ErrDrained. Unbinding a queue drops the packets it still holds (the kernel
// flushes it with NF_DROP; --queue-bypass applies only to packets that arrive while no one is
// bound), so a stop that loses nothing drains first and then closes.
func (q *Queue) StopIntake(passNew bool) error {
	q.drainSeq = q.seq
	q.seq++
	q.wbuf = appendIntakeOff(q.wbuf[:0], q.num, q.drainSeq, passNew && q.failOpen)
	return q.write()
}

// Verdict implements Source.
func (q *Queue) Verdict(v *Verdict) error {
	if q.batch > 1 && !v.Drop && v.Packet == nil && !v.SetMark && !v.SetConnMark {
		if q.pending == 0 || int32(v.ID-q.highest) > 0 {
			q.highest = v.ID
		}
		if q.pending++; q.pending >= q.batch {
			return q.flush()
		}
		return nil
	}
	if !v.Drop {
		// The kernel reinjects packets in the order of their verdicts: the untouched packets
		// before this one go first, or a changed message would overtake them.
		if err := q.flush(); err != nil {
			return err
		}
	}
	q.wbuf = AppendVerdict(q.wbuf[:0], q.num, v)
	q.Stats.Single.Add(1)
	return q.write()
}

// flush accepts the pending untouched packets with one batch verdict.
func (q *Queue) flush() error {
	if q.pending == 0 {
		return nil
	}
	q.wbuf = AppendBatchVerdict(q.wbuf[:0], q.num, q.highest, false)
	q.pending = 0
	q.Stats.Batch.Add(1)
	return q.write()
}

// write sends the verdict in wbuf. The kernel handles a verdict at once, without blocking, so
// it is a raw syscall, which spares the scheduler's bookkeeping; the receive, which blocks, is
// an ordinary one (receive_linux.go says why).
func (q *Queue) write() error {
	for {
		_, _, errno := unix.RawSyscall(unix.SYS_WRITE, uintptr(q.fd), uintptr(unsafe.Pointer(unsafe.SliceData(q.wbuf))), uintptr(len(q.wbuf)))
		switch errno {
		case 0:
			return nil
		case unix.EINTR:
		default:
			return fmt.Errorf("nfq: queue %d: verdict: %w", q.num, errno)
		}
	}
}

// Close unbinds the queue and closes the socket. The kernel drops the packets still queued (call
// StopIntake and read until ErrDrained first to lose none); later packets take its default for a
// queue without a reader: dropped, or accepted with --queue-bypass.
func (q *Queue) Close() error {
	q.flush()
	q.wbuf = appendUnbind(q.wbuf[:0], q.num, q.seq)
	unix.Write(q.fd, q.wbuf)
	return unix.Close(q.fd)
}
