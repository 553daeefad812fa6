package nfq

import (
	"errors"
	"time"
)

// A Queued packet is one packet the kernel handed over through NFQUEUE, parsed in place: Packet
// and CT are views into the receive buffer of the Source and are valid until its next Next call.
type Queued struct {
	ID      uint32 // the kernel's packet ID, which the verdict names
	Queue   uint16 // the queue it came through
	Hook    uint8  // the netfilter hook it was queued from (HookPreRouting ... HookPostRouting)
	HWProto uint16 // the link-layer protocol (0x0800 IPv4, 0x86dd IPv6)
	Mark    uint32 // the packet mark when it was queued
	Packet  []byte // the IP packet, from its IP header on
	CapLen  uint32 // the packet's length when the kernel copied less than all of it, else 0
	CTInfo  uint32 // the conntrack state (IP_CT_ESTABLISHED...) when HasCT
	HasCT   bool   // the kernel sent conntrack information (NFQA_CFG_F_CONNTRACK)
	CT      []byte // the conntrack attributes, nested (nf_conntrack_netlink.h)
	SkbInfo uint32 // NFQA_SKB_* flags: checksum not ready, GSO, checksum not verified

	// Time is when the packet was captured, set by a source that replays a capture (smcc pcap)
	// so that {$SMC.Date} says what it would have said live; zero, as from the kernel's queue,
	// means now.
	Time time.Time
}

// Netfilter hooks, as NFQA_PACKET_HDR carries them.
const (
	HookPreRouting  = 0
	HookLocalIn     = 1
	HookForward     = 2
	HookLocalOut    = 3
	HookPostRouting = 4
)

// DirectionOf returns the side of the host a packet queued from hook was seen on: the host's
// own packets (LOCAL_OUT, POST_ROUTING) are outbound, everything else inbound.
func DirectionOf(hook uint8) Direction {
	if hook == HookLocalOut || hook == HookPostRouting {
		return Outbound
	}
	return Inbound
}

// A Verdict is what the worker tells the kernel about one packet.
type Verdict struct {
	ID     uint32
	Drop   bool   // drop the packet; otherwise accept it
	Packet []byte // accept this packet in place of the queued one; nil keeps the original

	// SetMark gives the packet the mark Mark; SetConnMark gives its connection the mark
	// ConnMark (it needs conntrack and the nf_conntrack_netlink module; without them the
	// kernel ignores it).
	SetMark     bool
	Mark        uint32
	SetConnMark bool
	ConnMark    uint32
}

// A Source gives the worker queued packets and takes its verdicts: the kernel's queue through
// netlink (Queue), or a fake in tests. It is used by one goroutine.
type Source interface {
	// Next reads the next packet into p. It returns ErrTimeout when none arrived within the
	// source's poll interval, so the worker can look at its stop and reload signals, and
	// ErrOverrun when the kernel reports that it dropped messages (ENOBUFS); both are
	// counted and the worker goes on.
	Next(p *Queued) error
	// Verdict gives the verdict for one packet.
	Verdict(v *Verdict) error
}

// A Drainer is a Source that can stop taking packets while it hands out those it holds. After
// StopIntake, Next returns the packets queued before it and then ErrDrained; the packets that
// arrive meanwhile pass unchanged when passNew is set, and are dropped otherwise.
type Drainer interface {
	StopIntake(passNew bool) error
}

// Errors of a Source that the worker counts and carries on after.
var (
	// ErrTimeout reports that no packet arrived within the poll interval.
	ErrTimeout = errors.New("nfq: no packet within the poll interval")
	// ErrOverrun reports that the socket's receive buffer overflowed and the kernel dropped
	// messages (ENOBUFS): under fail-open, the packets behind them were accepted unchanged.
	ErrOverrun = errors.New("nfq: netlink receive buffer overrun (ENOBUFS)")
	// ErrVerdictRefused reports that the kernel answered a verdict with an error (an unknown
	// packet ID, say): the packet it named is no longer queued.
	ErrVerdictRefused = errors.New("nfq: the kernel refused a verdict")
	// ErrDrained reports that a Drainer has handed out every packet it held after StopIntake.
	ErrDrained = errors.New("nfq: the queue is drained")
)

// MaxVerdictPacket is the largest packet a verdict can carry: the netlink attribute length is 16
// bits and includes its 4-byte header.
const MaxVerdictPacket = 0xffff - 4
