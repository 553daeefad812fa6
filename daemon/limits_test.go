package daemon

import (
	"bytes"
	"encoding/binary"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/nfq"
	"github.com/smcproject/smc/runtime"
	"github.com/smcproject/smc/runtime/sipmsg"
)

// listSource hands out its packets once, then times out.
type listSource struct {
	packets [][]byte
	next    int
}

func (s *listSource) Next(p *nfq.Queued) error {
	if s.next == len(s.packets) {
		return nfq.ErrTimeout
	}
	*p = nfq.Queued{ID: uint32(s.next + 1), Hook: nfq.HookForward, Packet: s.packets[s.next]}
	s.next++
	return nil
}

func (s *listSource) Verdict(*nfq.Verdict) error { return nil }

// udp4 wraps payload in an IPv4 UDP header from 192.0.2.1:5060 to 198.51.100.2:5060 (the worker
// decodes it without checking checksums).
func udp4(payload []byte) []byte {
	pkt := []byte{0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 198, 51, 100, 2, 0x13, 0xc4, 0x13, 0xc4, 0, 0, 0, 0}
	binary.BigEndian.PutUint16(pkt[2:], uint16(28+len(payload)))
	binary.BigEndian.PutUint16(pkt[24:], uint16(8+len(payload)))
	return append(pkt, payload...)
}

// The daemon exports the worker's limit counters as smc_limits_total{limit}, beside the error
// kinds they fall under, and logs each such packet through its rate limiter.
func TestLimitsExportedAndLogged(t *testing.T) {
	prog, diags := compile.Compile("grow.json", []byte(`{"ProfileID": 1, "ProfileName": "grow", "Rules": [
	  {"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [
	   {"ReplaceType": "FINDSUB_LINES", "Header": "X-Grow", "RegEx1": ".", "Output": "`+strings.Repeat("g", 1000)+`"}]}]}`), compile.Options{})
	if prog == nil {
		t.Fatal(diags)
	}
	msg := func(extra string) []byte {
		return []byte("OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1\r\n" + extra + "Content-Length: 0\r\n\r\n")
	}
	src := &listSource{packets: [][]byte{
		udp4(msg("X-Long: " + strings.Repeat("l", sipmsg.MaxLineLength) + "\r\n")),
		udp4(msg("X-Grow: " + strings.Repeat("x", 70) + "\r\n")),
		udp4(msg("X-Grow: " + strings.Repeat("x", 70) + "\r\n")),
	}}
	var logs bytes.Buffer
	d := &daemon{cfg: &Config{Queues: []uint16{0}}, log: slog.New(slog.NewTextHandler(&logs, nil)),
		limiter: newRateLimiter(1, time.Hour), totals: nfq.NewRuleTotals()}
	d.info.Store(&[2]string{"test", "grow.json"})
	w := nfq.NewWorker(src, nfq.NewChainRef(smctest.MustChain(t, prog)), nil, d.logPacket)
	d.workers = []*nfq.Worker{w}
	for range src.packets {
		if err := w.Step(); err != nil {
			t.Fatal(err)
		}
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collector{d})
	got := gatherCounters(t, reg)
	for name, want := range map[string]float64{
		`smc_limits_total{limit="line_length"}`:     1,
		`smc_limits_total{limit="output_size"}`:     2,
		`smc_limits_total{limit="lines"}`:           0,
		`smc_limits_total{limit="message_size"}`:    0,
		`smc_limits_total{limit="audit_records"}`:   0,
		`smc_limits_total{limit="segment_size"}`:    0,
		`smc_errors_total{kind="not_sip"}`:          1,
		`smc_errors_total{kind="output_too_large"}`: 2,
		`smc_errors_total{kind="too_large"}`:        0,
		`smc_verdicts_total{verdict="accept"}`:      3,
		`smc_packets_total`:                         3,
	} {
		if v, ok := got[name]; !ok || v != want {
			t.Errorf("%s = %v (exported %v), want %v", name, v, ok, want)
		}
	}

	// One line per kind within the limiter's burst of 1; the second output_too_large is
	// suppressed, and counted in the next line once the period has passed.
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "kind=not_sip") || !strings.Contains(lines[0], sipmsg.ErrLineTooLong.Error()) ||
		!strings.Contains(lines[1], "kind=output_too_large") || !strings.Contains(lines[1], runtime.ErrOutputTooLarge.Error()) {
		t.Fatalf("log:\n%s", logs.String())
	}
	d.limiter.kinds["output_too_large"].start = time.Time{} // the period is over
	d.logPacket("output_too_large", runtime.ErrOutputTooLarge)
	if last := strings.TrimSpace(logs.String()); !strings.HasSuffix(last, "suppressed=1") {
		t.Errorf("after the period: %q, want the suppressed count", last[strings.LastIndexByte(last, '\n')+1:])
	}
}
