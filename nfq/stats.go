package nfq

import (
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smcproject/smc/runtime"
	"github.com/smcproject/smc/runtime/sipmsg"
)

// Stats are a worker's counters. They are atomics so that the metrics endpoint can read them
// while the worker runs; only the worker writes them.
type Stats struct {
	Packets   atomic.Uint64    // packets handled
	Bytes     atomic.Uint64    // their IP bytes
	Verdicts  [4]atomic.Uint64 // messages by the verdict they got: a shadow binding's are all accept
	Shadow    [4]atomic.Uint64 // messages of shadow bindings by the verdict the chain would have given them
	Responses atomic.Uint64    // responses of rejects sent
	Overruns  atomic.Uint64    // ENOBUFS reports from the kernel
	Unbound   atomic.Uint64    // packets no binding took: passed unchanged
	Errors    [numErrKinds]atomic.Uint64
	Limits    [numLimits]atomic.Uint64               // messages that hit a limit, by limit
	Warnings  [runtime.NumWarningKinds]atomic.Uint64 // warnings of the rules (runtime.Warning), by kind; at most runtime.MaxWarnings a message
	Latency   Histogram                              // time from a packet's arrival in user space to its verdict being built
}

// LatencyBuckets are the upper bounds of the Histogram's buckets, in seconds: the chain on one
// message takes microseconds, so the buckets run from 1 µs to 10 ms.
var LatencyBuckets = []float64{1e-6, 2e-6, 5e-6, 10e-6, 20e-6, 50e-6, 100e-6, 200e-6, 500e-6, 1e-3, 2e-3, 5e-3, 10e-3}

var bucketNanos = func() (b [13]int64) {
	for i, s := range LatencyBuckets {
		b[i] = int64(s * 1e9)
	}
	return b
}()

// A Histogram counts durations into LatencyBuckets without locks or allocation.
type Histogram struct {
	buckets [14]atomic.Uint64 // the last one is +Inf
	sum     atomic.Uint64     // nanoseconds
	count   atomic.Uint64
}

// Observe counts one duration.
func (h *Histogram) Observe(d time.Duration) {
	i := 0
	for i < len(bucketNanos) && int64(d) > bucketNanos[i] {
		i++
	}
	h.buckets[i].Add(1)
	h.sum.Add(uint64(d))
	h.count.Add(1)
}

// Snapshot returns the cumulative count of each bucket (as Prometheus wants them), the sum in
// seconds and the count.
func (h *Histogram) Snapshot() (cumulative []uint64, sum float64, count uint64) {
	cumulative = make([]uint64, len(LatencyBuckets))
	var run uint64
	for i := range LatencyBuckets {
		run += h.buckets[i].Load()
		cumulative[i] = run
	}
	return cumulative, float64(h.sum.Load()) / 1e9, h.count.Load()
}

// An ErrKind names why a packet was not handled as the chain asked, for counting.
type ErrKind int

const (
	ErrKindTruncated      ErrKind = iota // shorter than its headers say
	ErrKindBadHeader                     // malformed IP, UDP or TCP header
	ErrKindUnsupported                   // not UDP or TCP over IPv4 or IPv6, or IPsec, or source-routed
	ErrKindFragment                      // an IP fragment: the SIP message is not whole in it
	ErrKindTooLarge                      // the rewritten packet would exceed 65,535 bytes or a verdict's limit
	ErrKindNotSIP                        // the payload did not parse as SIP (passed unchanged, SMC-SPEC §2)
	ErrKindOutputTooLarge                // the rules went past runtime.MaxOutputSize: their output was discarded
	ErrKindTCPPartial                    // a TCP segment ending inside a SIP message
	ErrKindTCPLength                     // a TCP length change that could not be tracked (flow table full)
	ErrKindTCPReject                     // a reject of a request over TCP: removed from the stream, no response
	ErrKindTCPRetransmit                 // a retransmission of changed data that is not the last changed segment
	ErrKindPanic                         // a panic while handling the packet
	ErrKindRespond                       // the response of a reject could not be sent
	ErrKindVerdict                       // the verdict could not be sent
	ErrKindNetlink                       // a malformed netlink message
	ErrKindOther                         // anything else that made a packet pass unchanged
	numErrKinds                          // the number of kinds, for arrays
)

var errKindNames = [numErrKinds]string{"truncated", "bad_header", "unsupported", "fragment", "too_large",
	"not_sip", "output_too_large", "tcp_partial", "tcp_length_change", "tcp_reject", "tcp_retransmit", "panic", "respond", "verdict", "netlink", "other"}

func (k ErrKind) String() string { return errKindNames[k] }

// ErrKinds lists every kind, for exporting the counters.
func ErrKinds() []ErrKind {
	kinds := make([]ErrKind, numErrKinds)
	for i := range kinds {
		kinds[i] = ErrKind(i)
	}
	return kinds
}

// A Limit names a limit of docs/limits.md that a message hit, for counting. A message over a parse
// limit is also counted as not SIP (ErrKindNotSIP), and one over the output limit as
// ErrKindOutputTooLarge; this count says which limit it was.
type Limit int

const (
	LimitMessageSize      Limit = iota // sipmsg.MaxMessageSize: not parsed, passed unchanged
	LimitLines                         // sipmsg.MaxLines: not parsed, passed unchanged
	LimitLineLength                    // sipmsg.MaxLineLength: not parsed, passed unchanged
	LimitOutputSize                    // runtime.MaxOutputSize: the rules' output discarded
	LimitOutputLines                   // sipmsg.MaxLines, reached by the rules' edits: output discarded
	LimitOutputLineLength              // sipmsg.MaxLineLength, reached by the rules' edits: output discarded
	LimitAuditRecords                  // runtime.MaxAuditRecords, MaxAuditText: one count per record lost
	LimitSegmentSize                   // a TCP segment's rewritten messages past MaxVerdictPacket: passed unchanged
	numLimits                          // the number of limits, for arrays
)

var limitNames = [numLimits]string{"message_size", "lines", "line_length", "output_size", "output_lines", "output_line_length", "audit_records", "segment_size"}

func (l Limit) String() string { return limitNames[l] }

// Limits lists every limit, for exporting the counters.
func Limits() []Limit {
	limits := make([]Limit, numLimits)
	for i := range limits {
		limits[i] = Limit(i)
	}
	return limits
}

// limitOf maps a parse error or a runtime output error to the limit it reports, or -1 for one
// that is no limit.
func limitOf(err error) Limit {
	switch err {
	case sipmsg.ErrTooLarge:
		return LimitMessageSize
	case sipmsg.ErrTooManyLines:
		return LimitLines
	case sipmsg.ErrLineTooLong:
		return LimitLineLength
	case runtime.ErrOutputTooManyLines:
		return LimitOutputLines
	case runtime.ErrOutputLineTooLong:
		return LimitOutputLineLength
	case runtime.ErrOutputTooLarge, runtime.ErrExpansionTooLarge, runtime.ErrResponseTooLarge:
		return LimitOutputSize
	}
	return -1
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

// ShadowCount returns how many messages of shadow bindings would have had verdict v.
func (s *Stats) ShadowCount(v runtime.Verdict) uint64 { return s.Shadow[v].Load() }

// RuleKey names a rule across reloads: its profile's ID and its index in the profile.
type RuleKey struct {
	Profile int64
	Rule    int
}

// ruleCounts counts the verdicts each rule of one chain decided, for one worker.
type ruleCounts struct {
	chain  *runtime.Chain
	counts [][][4]atomic.Uint64 // [program][rule][verdict]
}

func newRuleCounts(c *runtime.Chain) *ruleCounts {
	r := &ruleCounts{chain: c, counts: make([][][4]atomic.Uint64, len(c.Programs))}
	for i, p := range c.Programs {
		r.counts[i] = make([][4]atomic.Uint64, len(p.Rules))
	}
	return r
}

// add counts the verdict of res under the rule behind it.
func (r *ruleCounts) add(res *runtime.Result) {
	if res.Program >= 0 && res.Program < len(r.counts) && res.Rule >= 0 && res.Rule < len(r.counts[res.Program]) {
		r.counts[res.Program][res.Rule][res.Verdict].Add(1)
	}
}

func (r *ruleCounts) addTo(m map[RuleKey][4]uint64) {
	for i, rules := range r.counts {
		for j := range rules {
			k := RuleKey{r.chain.Programs[i].ID, j}
			sum := m[k]
			for v := range sum {
				sum[v] += rules[j][v].Load()
			}
			m[k] = sum
		}
	}
}

// RuleTotals adds up the verdicts by rule of a set of workers, keeping the counts of chains they
// no longer run, so that the totals only grow across reloads.
type RuleTotals struct {
	mu      sync.Mutex
	retired map[RuleKey][4]uint64
	current map[*Worker][]*ruleCounts
}

// NewRuleTotals returns empty totals; give it to the workers before they start.
func NewRuleTotals() *RuleTotals {
	return &RuleTotals{retired: map[RuleKey][4]uint64{}, current: map[*Worker][]*ruleCounts{}}
}

// swap makes counts the worker's current counts, retiring its previous ones.
func (t *RuleTotals) swap(w *Worker, counts []*ruleCounts) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, old := range t.current[w] {
		old.addTo(t.retired)
	}
	t.current[w] = slices.Clone(counts)
}

// Snapshot returns the verdict counts by rule: [verdict] per rule.
func (t *RuleTotals) Snapshot() map[RuleKey][4]uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := make(map[RuleKey][4]uint64, len(t.retired))
	for k, v := range t.retired {
		m[k] = v
	}
	for _, counts := range t.current {
		for _, c := range counts {
			c.addTo(m)
		}
	}
	return m
}
