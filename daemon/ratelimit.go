package daemon

import (
	"sync"
	"time"
)

// packetLogBurst is how many lines a second each kind of packet the workers could not handle may
// log: enough to show what goes wrong, too few for a flood of bad packets to become a flood of
// log lines (docs/limits.md). The counters have every one.
const packetLogBurst = 10

// logPacket logs a packet the workers could not handle as asked, at most packetLogBurst lines a
// second per kind; the counters have every one.
func (d *daemon) logPacket(kind string, err error) {
	if n, ok := d.limiter.allow(kind); ok {
		d.log.Warn("packet not handled as the chain asked", "kind", kind, "err", err, "suppressed", n)
	}
}

// rateLimiter lets through at most burst events of a kind per period and counts the rest.
type rateLimiter struct {
	mu     sync.Mutex
	burst  int
	period time.Duration
	kinds  map[string]*window
}

type window struct {
	start      time.Time
	n          int
	suppressed int
}

func newRateLimiter(burst int, period time.Duration) *rateLimiter {
	return &rateLimiter{burst: burst, period: period, kinds: map[string]*window{}}
}

// allow reports whether an event of kind may be logged now, and how many were suppressed
// since the last one that was.
func (r *rateLimiter) allow(kind string) (suppressed int, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.kinds[kind]
	if w == nil {
		w = &window{}
		r.kinds[kind] = w
	}
	if now := time.Now(); now.Sub(w.start) >= r.period {
		w.start, w.n = now, 0
	}
	if w.n >= r.burst {
		w.suppressed++
		return 0, false
	}
	w.n++
	suppressed, w.suppressed = w.suppressed, 0
	return suppressed, true
}
