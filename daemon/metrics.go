package daemon

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/smcproject/smc/internal/buildinfo"
	"github.com/smcproject/smc/nfq"
	"github.com/smcproject/smc/runtime"
)

// thisBuild is read once, for smc_build_info: it does not change while smcd runs.
var thisBuild = buildinfo.Read()

// The metrics are read from the workers' atomic counters when Prometheus scrapes, so counting
// costs the packet path nothing beyond the atomic adds it does anyway.

var (
	descPackets   = prometheus.NewDesc("smc_packets_total", "Packets handled.", []string{"queue"}, nil)
	descBytes     = prometheus.NewDesc("smc_bytes_total", "IP bytes of the packets handled.", []string{"queue"}, nil)
	descVerdicts  = prometheus.NewDesc("smc_verdicts_total", "SIP messages by verdict (a TCP segment may carry several).", []string{"queue", "verdict"}, nil)
	descShadow    = prometheus.NewDesc("smc_shadow_verdicts_total", "SIP messages of shadow bindings by the verdict the chain would have given them; every one passed as it came (counted as accept in smc_verdicts_total).", []string{"queue", "verdict"}, nil)
	descRules     = prometheus.NewDesc("smc_rule_verdicts_total", "Verdicts by the rule behind them: the rule that dropped or rejected the message, or the last that edited it.", []string{"profile", "rule", "verdict"}, nil)
	descErrors    = prometheus.NewDesc("smc_errors_total", "Packets not handled as the chain asked, by kind (they passed unchanged, or were dropped with --on-error drop).", []string{"queue", "kind"}, nil)
	descLimits    = prometheus.NewDesc("smc_limits_total", "SIP messages that hit a limit of docs/limits.md, by limit (a message over a parse limit is also counted as not_sip, one over an output_* limit as output_too_large; audit_records counts records lost).", []string{"queue", "limit"}, nil)
	descWarnings  = prometheus.NewDesc("smc_warnings_total", "Warnings of the rules, by kind: unknown_directive (an unknown Sansay-SMC- line removed), sdp_empty_section (an SDP codec edit that would have left an m= line without a format, not made), reason_phrase (a RejectCall value that is no reason phrase, the standard one used); at most 16 a message.", []string{"queue", "kind"}, nil)
	descResponses = prometheus.NewDesc("smc_responses_total", "Responses to rejected requests sent.", []string{"queue"}, nil)
	descOverruns  = prometheus.NewDesc("smc_netlink_overruns_total", "Netlink receive buffer overruns (ENOBUFS).", []string{"queue"}, nil)
	descLatency   = prometheus.NewDesc("smc_processing_seconds", "Time from a packet's arrival in smcd to its verdict being built.", []string{"queue"}, nil)
	descKernelLen = prometheus.NewDesc("smc_kernel_queue_length", "Packets waiting in the kernel's queue (/proc/net/netfilter/nfnetlink_queue).", []string{"queue"}, nil)
	descKernelQD  = prometheus.NewDesc("smc_kernel_queue_dropped_total", "Packets the kernel dropped (or accepted, fail-open) because the queue was full.", []string{"queue"}, nil)
	descKernelUD  = prometheus.NewDesc("smc_kernel_user_dropped_total", "Packets the kernel could not hand to smcd: netlink buffer full.", []string{"queue"}, nil)
	descChain     = prometheus.NewDesc("smc_chain_info", "The chains running: the bindings, their profiles, and the SHA-256 of the bundles (as sha256sum prints it).", []string{"bindings", "profiles", "digest"}, nil)
	descVerdictMs = prometheus.NewDesc("smc_verdict_messages_total", "Verdict messages sent to the kernel: single, or batch (untouched packets answered together).", []string{"queue", "kind"}, nil)
	descUnbound   = prometheus.NewDesc("smc_unbound_packets_total", "Packets no binding took: passed unchanged.", []string{"queue"}, nil)
	descReloads   = prometheus.NewDesc("smc_reloads_total", "Chain reloads by result.", []string{"result"}, nil)
	descAudit     = prometheus.NewDesc("smc_audit_records_total", "Audit records: written, or lost because the buffer was full or the write failed.", []string{"result"}, nil)
	descAuditErr  = prometheus.NewDesc("smc_audit_errors_total", "Audit log write, sync and retention errors.", nil, nil)
	descAuditFile = prometheus.NewDesc("smc_audit_files_total", "Audit log files started.", nil, nil)
	descBuild     = prometheus.NewDesc("smc_build_info", "The build running: module version, commit (with +modified when the checkout had changes) and Go version; always 1.", []string{"version", "revision", "goversion"}, nil)
)

// collector exports a daemon's counters.
type collector struct{ d *daemon }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPackets, descBytes, descVerdicts, descShadow, descRules, descErrors, descLimits, descWarnings, descResponses,
		descOverruns, descVerdictMs, descUnbound, descLatency, descKernelLen, descKernelQD, descKernelUD, descChain, descReloads, descAudit, descAuditErr, descAuditFile, descBuild} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	for i, w := range c.d.workers {
		q := strconv.Itoa(int(c.d.cfg.Queues[i]))
		s := &w.Stats
		counter(descPackets, s.Packets.Load(), q)
		counter(descBytes, s.Bytes.Load(), q)
		for v := runtime.Accept; v <= runtime.Reject; v++ {
			counter(descVerdicts, s.Verdicts[v].Load(), q, v.String())
			counter(descShadow, s.Shadow[v].Load(), q, v.String())
		}
		for _, k := range nfq.ErrKinds() {
			counter(descErrors, s.Errors[k].Load(), q, k.String())
		}
		for _, l := range nfq.Limits() {
			counter(descLimits, s.Limits[l].Load(), q, l.String())
		}
		for k := runtime.WarningKind(0); k < runtime.NumWarningKinds; k++ {
			counter(descWarnings, s.Warnings[k].Load(), q, k.String())
		}
		counter(descResponses, s.Responses.Load(), q)
		counter(descOverruns, s.Overruns.Load(), q)
		counter(descUnbound, s.Unbound.Load(), q)
		if i < len(c.d.queues) {
			counter(descVerdictMs, c.d.queues[i].Stats.Single.Load(), q, "single")
			counter(descVerdictMs, c.d.queues[i].Stats.Batch.Load(), q, "batch")
		}
		cum, sum, count := s.Latency.Snapshot()
		buckets := make(map[float64]uint64, len(cum))
		for j, b := range nfq.LatencyBuckets {
			buckets[b] = cum[j]
		}
		ch <- prometheus.MustNewConstHistogram(descLatency, count, sum, buckets, q)
	}
	for k, counts := range c.d.totals.Snapshot() {
		for v, n := range counts {
			if n > 0 {
				counter(descRules, n, strconv.FormatInt(k.Profile, 10), strconv.Itoa(k.Rule), runtime.Verdict(v).String())
			}
		}
	}
	if stats, err := kernelQueues(); err == nil {
		for _, num := range c.d.cfg.Queues {
			if k, ok := stats[num]; ok {
				q := strconv.Itoa(int(num))
				ch <- prometheus.MustNewConstMetric(descKernelLen, prometheus.GaugeValue, float64(k.length), q)
				counter(descKernelQD, k.queueDropped, q)
				counter(descKernelUD, k.userDropped, q)
			}
		}
	}
	ch <- prometheus.MustNewConstMetric(descBuild, prometheus.GaugeValue, 1, thisBuild.Version, thisBuild.RevisionLabel(), thisBuild.GoVersion)
	name, profiles := c.d.chainInfo()
	ch <- prometheus.MustNewConstMetric(descChain, prometheus.GaugeValue, 1, name, profiles, c.d.chainDigest())
	counter(descReloads, c.d.reloadsOK.Load(), "ok")
	counter(descReloads, c.d.reloadsFailed.Load(), "failed")
	if a := c.d.audit; a != nil {
		counter(descAudit, a.Stats.Written.Load(), "written")
		counter(descAudit, a.Stats.LostFull.Load(), "lost_buffer_full")
		counter(descAudit, a.Stats.LostWrite.Load(), "lost_write_failed")
		counter(descAuditErr, a.Stats.Errors.Load())
		counter(descAuditFile, a.Stats.Files.Load())
	}
}

// kernelQueue is a line of /proc/net/netfilter/nfnetlink_queue.
type kernelQueue struct {
	length, queueDropped, userDropped uint64
}

// kernelQueues reads the kernel's per-queue counters. Each line is: queue number, peer port ID,
// queue length, copy mode, copy range, queue dropped, user dropped, last packet ID, 1.
func kernelQueues() (map[uint16]kernelQueue, error) {
	f, err := os.Open("/proc/net/netfilter/nfnetlink_queue")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseKernelQueues(bufio.NewScanner(f))
}

func parseKernelQueues(sc *bufio.Scanner) (map[uint16]kernelQueue, error) {
	out := map[uint16]kernelQueue{}
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 7 {
			continue
		}
		var n [7]uint64
		ok := true
		for i := range n {
			v, err := strconv.ParseUint(f[i], 10, 64)
			ok = ok && err == nil
			n[i] = v
		}
		if ok && n[0] <= 0xffff {
			out[uint16(n[0])] = kernelQueue{length: n[2], queueDropped: n[5], userDropped: n[6]}
		}
	}
	return out, sc.Err()
}

// metricsAddress binds an address with no host (":9563", or a bare port "9563") to loopback
// only: the counters describe the traffic and the chain, which is not for whoever can reach the
// host. Another address (0.0.0.0:9563, a management address) is taken as asked.
func metricsAddress(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	switch {
	case err != nil && !strings.Contains(addr, ":"):
		return net.JoinHostPort("127.0.0.1", addr)
	case err == nil && host == "":
		return net.JoinHostPort("127.0.0.1", port)
	}
	return addr
}

// exportMetrics registers the daemon's collector on the Registerer it was given, and serves the
// Gatherer it was given at http://ADDR/metrics when --metrics asks, until closeMetrics.
func (d *daemon) exportMetrics() error {
	if d.cfg.Registerer != nil {
		if err := d.cfg.Registerer.Register(collector{d}); err != nil {
			return fmt.Errorf("registering the metrics: %w", err)
		}
		d.exports = true
	}
	if d.cfg.Metrics == "" {
		return nil
	}
	if d.cfg.Gatherer == nil {
		return fmt.Errorf("--metrics %s: no Gatherer to serve the metrics from", d.cfg.Metrics)
	}
	ln, err := net.Listen("tcp", metricsAddress(d.cfg.Metrics))
	if err != nil {
		return fmt.Errorf("--metrics %s: %w", d.cfg.Metrics, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(d.cfg.Gatherer, promhttp.HandlerOpts{}))
	go http.Serve(ln, mux) // returns when closeMetrics closes ln
	d.metrics = ln
	d.log.Info("metrics", "url", "http://"+ln.Addr().String()+"/metrics")
	return nil
}

// closeMetrics stops serving and exporting the metrics.
func (d *daemon) closeMetrics() {
	if d.metrics != nil {
		d.metrics.Close()
	}
	if d.exports {
		d.cfg.Registerer.Unregister(collector{d})
	}
}
