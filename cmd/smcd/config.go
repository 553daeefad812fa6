package main

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/smcproject/smc/compile/jsonpos"
	"github.com/smcproject/smc/nfq"
)

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
//	    {"Name": "default", "Queues": "0:3", "Bundle": "default.smcb"}
//	  ]
//	}
//
// A packet takes the first binding that matches its queue, its direction (inbound: received or
// forwarded; outbound: sent by the host) and its peer's address; one that matches none passes
// unchanged and is counted (smc_unbound_packets_total). Paths are relative to the file's folder.
// Flags given on the command line override the file's settings.

// bindingConfig is one binding as the file gives it.
type bindingConfig struct {
	name      string
	queues    []uint16
	direction *nfq.Direction
	peers     []netip.Prefix
	bundle    string
	profiles  []string
}

// configError is a problem in a configuration file, at a place in it.
type configError struct {
	file string
	pos  jsonpos.Pos
	msg  string
}

func (e *configError) Error() string { return fmt.Sprintf("%s:%s: %s", e.file, e.pos, e.msg) }

// readConfig reads the file into opts; set tells which flags the command line gave, which win.
func readConfig(path string, opts *options, set map[string]bool) error {
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
	c.top(root, opts, set)
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

func (c *configReader) top(v *jsonpos.Value, opts *options, set map[string]bool) {
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
			c.fail(m.KeyPos, "unknown key %q; the keys are Queues, Metrics, OnError, Direction, ResponseMark, Watch, QueueMaxLen, RcvBuf, FailClosed, AuditDir, AuditMaxFileSize, AuditMaxAge, AuditKeepFiles, AuditKeepBytes, StateDir and Bindings", m.Key)
			continue
		}
		if set[flagName] {
			continue // the command line wins
		}
		if m.Key == "Bindings" {
			sawBindings = true
			c.bindings(m.Value, opts)
			continue
		}
		if m.Key == "FailClosed" {
			if m.Value.Kind != jsonpos.Bool {
				c.fail(m.Value.Pos, "FailClosed must be true or false")
				continue
			}
			opts.queue.FailClosed = m.Value.Bool
			continue
		}
		if !isString {
			c.fail(m.Value.Pos, "%s must be a string, not a %s", m.Key, m.Value.Kind)
			continue
		}
		if flagName == "audit-dir" || flagName == "state-dir" {
			s = c.path(s)
		}
		if err := applySetting(opts, flagName, s); err != nil {
			c.fail(m.Value.Pos, "%s: %v", m.Key, err)
		}
	}
	if !sawBindings && !set["bundle"] && !set["p"] {
		c.fail(v.Pos, "no Bindings: give at least one binding with a Bundle or Profiles")
	}
}

// topKeys maps the file's keys to the flags they stand for.
var topKeys = map[string]string{
	"Queues": "queues", "Metrics": "metrics", "OnError": "on-error", "Direction": "direction",
	"ResponseMark": "response-mark", "Watch": "watch", "QueueMaxLen": "queue-maxlen", "RcvBuf": "rcvbuf",
	"FailClosed": "fail-closed", "Bindings": "bindings",
	"AuditDir": "audit-dir", "AuditMaxFileSize": "audit-max-file-size", "AuditMaxAge": "audit-max-age",
	"AuditKeepFiles": "audit-keep-files", "AuditKeepBytes": "audit-keep-bytes", "StateDir": "state-dir",
}

func (c *configReader) bindings(v *jsonpos.Value, opts *options) {
	if v.Kind != jsonpos.Array || len(v.Elems) == 0 {
		c.fail(v.Pos, "Bindings must be an array of at least one binding")
		return
	}
	for i, e := range v.Elems {
		if b, ok := c.binding(e, i); ok {
			opts.bindings = append(opts.bindings, b)
		}
	}
}

func (c *configReader) binding(v *jsonpos.Value, i int) (bindingConfig, bool) {
	b := bindingConfig{name: "binding " + strconv.Itoa(i)}
	if v.Kind != jsonpos.Object {
		c.fail(v.Pos, "a binding is an object with a Bundle or Profiles, not a %s", v.Kind)
		return b, false
	}
	before := len(c.errs)
	for _, m := range v.Members {
		switch m.Key {
		case "Name":
			b.name, _ = c.str(m.Value, m.Key)
		case "Queues":
			if s, ok := c.str(m.Value, m.Key); ok {
				q, err := parseQueues(s)
				if err != nil {
					c.fail(m.Value.Pos, "%v", err)
				}
				b.queues = q
			}
		case "Direction":
			if s, ok := c.str(m.Value, m.Key); ok {
				d, err := parseDirection(s)
				if err != nil || d == nil {
					c.fail(m.Value.Pos, "Direction %q: inbound or outbound (leave it out for both)", s)
				}
				b.direction = d
			}
		case "Peers":
			b.peers = c.peers(m.Value)
		case "Bundle":
			if s, ok := c.str(m.Value, m.Key); ok {
				b.bundle = c.path(s)
			}
		case "Profiles":
			if m.Value.Kind != jsonpos.Array || len(m.Value.Elems) == 0 {
				c.fail(m.Value.Pos, "Profiles must be an array of profile files, in chain order")
				continue
			}
			for _, e := range m.Value.Elems {
				if s, ok := c.str(e, "a profile"); ok {
					b.profiles = append(b.profiles, c.path(s))
				}
			}
		default:
			c.fail(m.KeyPos, "unknown key %q in a binding; the keys are Name, Queues, Direction, Peers, Bundle and Profiles", m.Key)
		}
	}
	if (b.bundle == "") == (len(b.profiles) == 0) {
		c.fail(v.Pos, "binding %q: give its chain as a Bundle or as Profiles (one of the two)", b.name)
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

// applySetting sets one of the daemon's settings from its text, as its flag would.
func applySetting(opts *options, name, v string) error {
	var err error
	switch name {
	case "queues":
		opts.queues, err = parseQueues(v)
	case "metrics":
		opts.metrics = v
	case "on-error":
		switch v {
		case "accept", "drop":
			opts.dropOnError = v == "drop"
		default:
			err = fmt.Errorf("%q: accept or drop", v)
		}
	case "direction":
		opts.direction, err = parseDirection(v)
	case "response-mark":
		var m uint64
		m, err = strconv.ParseUint(v, 0, 32)
		opts.responseMark = uint32(m)
	case "watch":
		opts.watch, err = time.ParseDuration(v)
	case "queue-maxlen":
		var n uint64
		n, err = strconv.ParseUint(v, 10, 32)
		opts.queue.MaxLen = uint32(n)
	case "rcvbuf":
		opts.queue.RcvBuf, err = strconv.Atoi(v)
	case "audit-dir":
		opts.audit.Dir = v
	case "audit-max-file-size":
		opts.audit.MaxFileBytes, err = parseBytes(v)
	case "audit-max-age":
		opts.audit.MaxAge, err = time.ParseDuration(v)
	case "audit-keep-files":
		opts.audit.KeepFiles, err = strconv.Atoi(v)
	case "audit-keep-bytes":
		opts.audit.KeepBytes, err = parseBytes(v)
	case "state-dir":
		opts.stateDir = v
	}
	return err
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
