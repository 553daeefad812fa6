package daemon

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/smcproject/smc/auditlog"
	"github.com/smcproject/smc/compile/jsonpos"
	"github.com/smcproject/smc/nfq"
)

// Config is what a daemon runs with. Its settings have no defaults of their own: smcd's flags
// give them (cmd/smcd), then its configuration file (ReadConfigFile) and the flags given (Set)
// change them. The rest is what the caller gives the daemon to report to and to be told through.
type Config struct {
	Queues       []uint16        // the NFQUEUE queues to serve, one worker each
	Bindings     []Binding       // which chain runs on which traffic: a packet takes the first that matches
	Shadow       bool            // every binding is a shadow one (Binding.Shadow), whatever the file says
	DropOnError  bool            // drop a packet whose processing failed, instead of accepting it unchanged
	Direction    *nfq.Direction  // which end of a packet is the peer; nil: from the hook
	Queue        nfq.QueueConfig // each queue's length, buffer and fail-open; Num is set per queue
	ResponseMark uint32          // packet mark of the reject responses; 0: none
	Watch        time.Duration   // how often the bundle files are checked for a change; 0: never
	Metrics      string          // address of the Prometheus endpoint; "": none
	Audit        auditlog.Config // where and how the audit records are written; Dir "": nowhere
	StateDir     string          // where state that outlives a restart is kept; "": nowhere

	Log *slog.Logger // nil: nothing is logged
	// Registerer takes the daemon's metrics while it runs (nil: they are not exported), and
	// Gatherer is what the endpoint at Metrics serves: the caller's registry, not a global one.
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer
	// NotifySocket is the service manager's socket, as $NOTIFY_SOCKET names it: the daemon says
	// there when it is ready, reloading and stopping (notify.go). "": no service manager.
	NotifySocket string
	// Reload asks for a reload, with why (SIGHUP); nil: only the watch reloads.
	Reload <-chan string
	// Reread reads the configuration again for a reload (the command line and the file it names),
	// of which the daemon takes the bindings; nil: a reload loads the same bindings again.
	Reread func() (Config, error)
}

// A configuration file is for real deployments: which queues smcd serves, and which chain runs on
// which traffic, as session border controllers bind SMC profiles to trunks. It is JSON, with the
// keys spelled like a profile's:
//
//	{
//	  "Queues": "0:3",
//	  "Metrics": "127.0.0.1:9563",
//	  "OnError": "accept",
//	  "ResponseMark": "0x53",
//	  "Bindings": [
//	    {"Name": "carrier-a", "Direction": "inbound", "Peers": ["198.51.100.0/24", "2001:db8:a::/48"],
//	     "Bundle": "carrier-a.smcb"},
//	    {"Name": "carrier-a-out", "Direction": "outbound", "Peers": ["198.51.100.0/24"], "Profiles": ["egress.json"]},
//	    {"Name": "carrier-b", "Peers": ["203.0.113.0/24"], "Bundle": "carrier-b-next.smcb", "Shadow": true},
//	    {"Name": "default", "Queues": "0:3", "Bundle": "default.smcb"}
//	  ]
//	}
//
// A packet takes the first binding that matches its queue, its direction (inbound: received or
// forwarded; outbound: sent by the host) and its peer's address; one that matches none passes
// unchanged and is counted (smc_unbound_packets_total). A shadow binding runs its chain but passes
// every packet as it came, and records what the chain would have changed (nfq.Binding.Shadow).
// Paths are relative to the file's folder. Flags given on the command line override the file's
// settings.

// Binding is a chain and the traffic it runs on, as the command line or the file gives it.
type Binding struct {
	Name      string
	Queues    []uint16       // nil: every queue
	Direction *nfq.Direction // nil: both
	Peers     []netip.Prefix // the peers' addresses and networks; nil: every peer
	Bundle    string         // the chain compiled (smcc compile), or
	Profiles  []string       // its profiles, in chain order, compiled when loaded
	Shadow    bool           // run the chain without acting on its verdicts (nfq.Binding.Shadow)
}

// configError is a problem in a configuration file, at a place in it.
type configError struct {
	file string
	pos  jsonpos.Pos
	msg  string
}

func (e *configError) Error() string { return fmt.Sprintf("%s:%s: %s", e.file, e.pos, e.msg) }

// ReadConfigFile reads the configuration file at path into cfg. given names the flags the command
// line gave (by their names: queues, on-error, ...), whose settings win over the file's; a file
// without Bindings is refused unless the command line gave the chain (bundle or p).
func ReadConfigFile(path string, cfg *Config, given map[string]bool) error {
	if err := refuseUntrusted(path); err != nil {
		return fmt.Errorf("--config: %w", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("--config: %w", err)
	}
	root, syntax := jsonpos.Parse(data)
	if len(syntax) > 0 {
		var errs []error
		for _, e := range syntax {
			errs = append(errs, &configError{path, e.Pos, e.Msg})
		}
		return errors.Join(errs...)
	}
	c := &configReader{file: path, dir: filepath.Dir(path)}
	c.top(root, cfg, given)
	return errors.Join(c.errs...)
}

type configReader struct {
	file, dir string
	errs      []error
}

func (c *configReader) fail(pos jsonpos.Pos, format string, args ...any) {
	c.errs = append(c.errs, &configError{c.file, pos, fmt.Sprintf(format, args...)})
}

// str returns v's text, or fails.
func (c *configReader) str(v *jsonpos.Value, key string) (string, bool) {
	if v.Kind != jsonpos.String {
		c.fail(v.Pos, "%s must be a string, not a %s", key, v.Kind)
		return "", false
	}
	return v.Str, true
}

func (c *configReader) top(v *jsonpos.Value, cfg *Config, given map[string]bool) {
	if v.Kind != jsonpos.Object {
		c.fail(v.Pos, "a configuration is an object with Queues and Bindings, not a %s", v.Kind)
		return
	}
	sawBindings := false
	for _, m := range v.Members {
		s, isString := "", m.Value.Kind == jsonpos.String
		if isString {
			s = m.Value.Str
		}
		flagName, known := topKeys[m.Key]
		if !known {
			c.fail(m.KeyPos, "unknown key %q; the keys are Queues, Metrics, OnError, Direction, ResponseMark, Watch, QueueMaxLen, RcvBuf, FailClosed, Shadow, AuditDir, AuditMaxFileSize, AuditMaxAge, AuditKeepFiles, AuditKeepBytes, StateDir and Bindings", m.Key)
			continue
		}
		if given[flagName] {
			continue // the command line wins
		}
		if m.Key == "Bindings" {
			sawBindings = true
			c.bindings(m.Value, cfg)
			continue
		}
		if boolKeys[m.Key] {
			if m.Value.Kind != jsonpos.Bool {
				c.fail(m.Value.Pos, "%s must be true or false", m.Key)
				continue
			}
			s, isString = strconv.FormatBool(m.Value.Bool), true
		}
		if !isString {
			c.fail(m.Value.Pos, "%s must be a string, not a %s", m.Key, m.Value.Kind)
			continue
		}
		if flagName == "audit-dir" || flagName == "state-dir" {
			s = c.path(s)
		}
		if err := cfg.Set(flagName, s); err != nil {
			c.fail(m.Value.Pos, "%s: %v", m.Key, err)
		}
	}
	if !sawBindings && !given["bundle"] && !given["p"] {
		c.fail(v.Pos, "no Bindings: give at least one binding with a Bundle or Profiles")
	}
}

// topKeys maps the file's keys to the flags they stand for.
var topKeys = map[string]string{
	"Queues": "queues", "Metrics": "metrics", "OnError": "on-error", "Direction": "direction",
	"ResponseMark": "response-mark", "Watch": "watch", "QueueMaxLen": "queue-maxlen", "RcvBuf": "rcvbuf",
	"FailClosed": "fail-closed", "Shadow": "shadow", "Bindings": "bindings",
	"AuditDir": "audit-dir", "AuditMaxFileSize": "audit-max-file-size", "AuditMaxAge": "audit-max-age",
	"AuditKeepFiles": "audit-keep-files", "AuditKeepBytes": "audit-keep-bytes", "StateDir": "state-dir",
}

// boolKeys are the file's keys that take true or false, as their flags do.
var boolKeys = map[string]bool{"FailClosed": true, "Shadow": true}

func (c *configReader) bindings(v *jsonpos.Value, cfg *Config) {
	if v.Kind != jsonpos.Array || len(v.Elems) == 0 {
		c.fail(v.Pos, "Bindings must be an array of at least one binding")
		return
	}
	for i, e := range v.Elems {
		if b, ok := c.binding(e, i); ok {
			cfg.Bindings = append(cfg.Bindings, b)
		}
	}
}

func (c *configReader) binding(v *jsonpos.Value, i int) (Binding, bool) {
	b := Binding{Name: "binding " + strconv.Itoa(i)}
	if v.Kind != jsonpos.Object {
		c.fail(v.Pos, "a binding is an object with a Bundle or Profiles, not a %s", v.Kind)
		return b, false
	}
	before := len(c.errs)
	for _, m := range v.Members {
		switch m.Key {
		case "Name":
			b.Name, _ = c.str(m.Value, m.Key)
		case "Queues":
			if s, ok := c.str(m.Value, m.Key); ok {
				q, err := ParseQueues(s)
				if err != nil {
					c.fail(m.Value.Pos, "%v", err)
				}
				b.Queues = q
			}
		case "Direction":
			if s, ok := c.str(m.Value, m.Key); ok {
				d, err := parseDirection(s)
				if err != nil || d == nil {
					c.fail(m.Value.Pos, "Direction %q: inbound or outbound (leave it out for both)", s)
				}
				b.Direction = d
			}
		case "Peers":
			b.Peers = c.peers(m.Value)
		case "Bundle":
			if s, ok := c.str(m.Value, m.Key); ok {
				b.Bundle = c.path(s)
			}
		case "Shadow":
			if m.Value.Kind != jsonpos.Bool {
				c.fail(m.Value.Pos, "Shadow must be true or false")
				continue
			}
			b.Shadow = m.Value.Bool
		case "Profiles":
			if m.Value.Kind != jsonpos.Array || len(m.Value.Elems) == 0 {
				c.fail(m.Value.Pos, "Profiles must be an array of profile files, in chain order")
				continue
			}
			for _, e := range m.Value.Elems {
				if s, ok := c.str(e, "a profile"); ok {
					b.Profiles = append(b.Profiles, c.path(s))
				}
			}
		default:
			c.fail(m.KeyPos, "unknown key %q in a binding; the keys are Name, Queues, Direction, Peers, Bundle, Profiles and Shadow", m.Key)
		}
	}
	if (b.Bundle == "") == (len(b.Profiles) == 0) {
		c.fail(v.Pos, "binding %q: give its chain as a Bundle or as Profiles (one of the two)", b.Name)
	}
	return b, len(c.errs) == before
}

func (c *configReader) peers(v *jsonpos.Value) []netip.Prefix {
	if v.Kind != jsonpos.Array {
		c.fail(v.Pos, "Peers must be an array of addresses and networks (CIDR)")
		return nil
	}
	var out []netip.Prefix
	for _, e := range v.Elems {
		s, ok := c.str(e, "a peer")
		if !ok {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				c.fail(e.Pos, "peer %q is not an address or a network (192.0.2.0/24, 2001:db8::/32)", s)
				continue
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if p != p.Masked() {
			c.fail(e.Pos, "peer %q has host bits set; did you mean %s?", s, p.Masked())
			continue
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p)
	}
	return out
}

func (c *configReader) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

// Set sets the setting name from its text, as smcd's flag of that name takes it (the file's keys,
// Queues, OnError and the rest, stand for the same settings). A name that is no setting is
// ignored.
func (cfg *Config) Set(name, v string) error {
	var err error
	switch name {
	case "queues":
		cfg.Queues, err = ParseQueues(v)
	case "metrics":
		cfg.Metrics = v
	case "on-error":
		switch v {
		case "accept", "drop":
			cfg.DropOnError = v == "drop"
		default:
			err = fmt.Errorf("%q: accept or drop", v)
		}
	case "direction":
		cfg.Direction, err = parseDirection(v)
	case "response-mark":
		var m uint64
		m, err = strconv.ParseUint(v, 0, 32)
		cfg.ResponseMark = uint32(m)
	case "watch":
		cfg.Watch, err = time.ParseDuration(v)
	case "queue-maxlen":
		var n uint64
		n, err = strconv.ParseUint(v, 10, 32)
		cfg.Queue.MaxLen = uint32(n)
	case "rcvbuf":
		cfg.Queue.RcvBuf, err = strconv.Atoi(v)
	case "fail-closed":
		cfg.Queue.FailClosed, err = strconv.ParseBool(v)
	case "shadow":
		cfg.Shadow, err = strconv.ParseBool(v)
	case "audit-dir":
		cfg.Audit.Dir = v
	case "audit-max-file-size":
		cfg.Audit.MaxFileBytes, err = parseBytes(v)
	case "audit-max-age":
		cfg.Audit.MaxAge, err = time.ParseDuration(v)
	case "audit-keep-files":
		cfg.Audit.KeepFiles, err = strconv.Atoi(v)
	case "audit-keep-bytes":
		cfg.Audit.KeepBytes, err = parseBytes(v)
	case "state-dir":
		cfg.StateDir = v
	}
	return err
}

// ParseQueues reads a list of queues as smcd's --queues takes it: N, A:B (as iptables'
// --queue-balance A:B) or N,M,...
func ParseQueues(s string) ([]uint16, error) {
	bad := fmt.Errorf("%q: a queue number 0..65535, a range A:B, or a list N,M", s)
	var out []uint16
	seen := map[uint16]bool{}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, ":")
		a, err := strconv.ParseUint(strings.TrimSpace(lo), 10, 16)
		if err != nil {
			return nil, bad
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(strings.TrimSpace(hi), 10, 16); err != nil || b < a {
				return nil, bad
			}
		}
		for q := a; q <= b; q++ {
			if !seen[uint16(q)] {
				seen[uint16(q)] = true
				out = append(out, uint16(q))
			}
		}
	}
	if len(out) > 1024 {
		return nil, fmt.Errorf("%q: %d queues; one worker per queue, and at most 1024", s, len(out))
	}
	return out, nil
}

// parseBytes reads a size: a number with an optional K, M or G (binary multiples), or -1.
func parseBytes(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || (n < 1 && n != -1) {
		return 0, fmt.Errorf("%q: a size in bytes, with K, M or G (64M), or -1", s)
	}
	if n == -1 {
		return -1, nil
	}
	return n * mult, nil
}

// parseDirection reads auto (nil), inbound or outbound.
func parseDirection(s string) (*nfq.Direction, error) {
	switch strings.ToLower(s) {
	case "auto", "":
		return nil, nil
	case "inbound":
		d := nfq.Inbound
		return &d, nil
	case "outbound":
		d := nfq.Outbound
		return &d, nil
	}
	return nil, fmt.Errorf("%q: auto, inbound or outbound", s)
}
