package nfq

import (
	"errors"
	"sync/atomic"

	"github.com/smcproject/smc/runtime"
)

// Stats are a worker's counters. They are atomics so that the metrics endpoint can read them
// while the worker runs; only the worker writes them.
type Stats struct {
	Packets   atomic.Uint64 // packets handled
	Bytes     atomic.Uint64 // their IP bytes
	Verdicts  [4]atomic.Uint64
	Responses atomic.Uint64 // responses of rejects sent
	Overruns  atomic.Uint64 // ENOBUFS reports from the kernel
	Errors    [numErrKinds]atomic.Uint64
}

// An ErrKind names why a packet was not handled as the chain asked, for counting.
type ErrKind int

const (
	ErrKindTruncated     ErrKind = iota // shorter than its headers say
	ErrKindBadHeader                    // malformed IP, UDP or TCP header
	ErrKindUnsupported                  // not UDP or TCP over IPv4 or IPv6, or IPsec, or source-routed
	ErrKindFragment                     // an IP fragment: the SIP message is not whole in it
	ErrKindTooLarge                     // the rewritten packet would exceed 65,535 bytes or a verdict's limit
	ErrKindNotSIP                       // the payload did not parse as SIP (passed unchanged, SMC-SPEC §2)
	ErrKindTCPPartial                   // a TCP segment ending inside a SIP message
	ErrKindTCPLength                    // a TCP length change that could not be tracked (flow table full)
	ErrKindTCPReject                    // a reject of a request over TCP: removed from the stream, no response
	ErrKindTCPRetransmit                // a retransmission of changed data that is not the last changed segment
	ErrKindPanic                        // a panic while handling the packet
	ErrKindRespond                      // the response of a reject could not be sent
	ErrKindVerdict                      // the verdict could not be sent
	ErrKindNetlink                      // a malformed netlink message
	ErrKindOther
	numErrKinds
)

var errKindNames = [numErrKinds]string{"truncated", "bad_header", "unsupported", "fragment", "too_large",
	"not_sip", "tcp_partial", "tcp_length_change", "tcp_reject", "tcp_retransmit", "panic", "respond", "verdict", "netlink", "other"}

func (k ErrKind) String() string { return errKindNames[k] }

// ErrKinds lists every kind, for exporting the counters.
func ErrKinds() []ErrKind {
	kinds := make([]ErrKind, numErrKinds)
	for i := range kinds {
		kinds[i] = ErrKind(i)
	}
	return kinds
}

// kindOf maps the packet path's errors to their kind.
func kindOf(err error) ErrKind {
	switch {
	case errors.Is(err, ErrTruncated):
		return ErrKindTruncated
	case errors.Is(err, ErrBadHeader):
		return ErrKindBadHeader
	case errors.Is(err, ErrUnsupported):
		return ErrKindUnsupported
	case errors.Is(err, ErrFirstFragment), errors.Is(err, ErrNotFirstFragment):
		return ErrKindFragment
	case errors.Is(err, ErrTooLarge):
		return ErrKindTooLarge
	}
	return ErrKindOther
}

// VerdictCount returns how many packets got verdict v.
func (s *Stats) VerdictCount(v runtime.Verdict) uint64 { return s.Verdicts[v].Load() }
