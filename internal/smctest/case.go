// Package smctest reads the txtar test cases of SMC-SPEC §10 and runs them. `smcc test`, the
// conformance suite's TestCases (package runtime), perf's benchmarks and the fuzz targets' seeds
// all read cases here, so they agree on what a case means. It also holds what a case shares with
// `smcc run`: the packet's environment (NewEnv) and the verdict as text (VerdictString); and the
// helpers the tests of several packages share (helpers.go).
package smctest

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/runtime"
)

// A Case is one txtar archive of SMC-SPEC §10: a chain of profiles, the message it runs on, and
// what it must make of it.
type Case struct {
	Path     string            // the archive, as given to Load
	Env      *runtime.Env      // the packet, from the keys and their defaults
	Input    []byte            // input.sip after the eol conversion
	Profiles []Profile         // the chain: the profile keys' files, then the archive's .json files
	data     map[string][]byte // every other file, by name

	archive    *txtar.Archive
	verdict    string
	dscp, mark string // extension keys; "" when absent
	want       []byte
	wantReject []byte
	hasWant    bool
	hasReject  bool
	wantAudit  []string
	auditExact bool // the audit key: every record must hold one of wantAudit
	crlf       bool // the eol key
}

// A Profile is one profile of a case's chain: a file a profile key names, or a .json file of
// the archive.
type Profile struct {
	Name string                            // a profile key's path, or the archive file's name
	Data []byte                            // the JSON
	Open func(name string) ([]byte, error) // reads the profile's DataFiles
	line int                               // an archive file's line before its first; -1 for a key's file
}

// DefaultTime is the time of {$SMC.Date} in a case without a time key (SMC-SPEC §10).
var DefaultTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Load reads and checks a case; an error means the case is unreadable (smcc test's exit status 2).
func Load(path string) (*Case, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, src)
}

// Parse reads and checks a case from its bytes; path names it in messages. The examples of the
// language reference are cases inside a Markdown file, read this way.
func Parse(path string, src []byte) (*Case, error) {
	c := &Case{Path: path, archive: txtar.Parse(src), data: map[string][]byte{}}
	keys, profiles, err := parseKeys(c.archive.Comment)
	if err != nil {
		return nil, err
	}
	if err := c.applyKeys(keys); err != nil {
		return nil, err
	}
	if err := c.readProfileKeys(profiles); err != nil {
		return nil, err
	}
	c.crlf = keys["eol"] != "raw"
	if err := c.readFiles(); err != nil {
		return nil, err
	}
	if keys["content-length"] != "as-written" {
		return c, checkContentLength(c.Input, c.crlf)
	}
	return c, nil
}

var caseKeys = []string{"remote", "local", "transport", "time", "rand", "eol", "verdict", "dscp", "mark", "profile", "audit", "content-length"}

// parseKeys reads the comment's key lines. Every key but profile is given at most once; the
// profile keys come back in order.
func parseKeys(comment []byte) (keys map[string]string, profiles []string, err error) {
	keys = map[string]string{}
	for n, line := range strings.Split(string(comment), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || !slices.Contains(caseKeys, k) {
			return nil, nil, fmt.Errorf("line %d: %q is not one of the keys %s", n+1, line, strings.Join(caseKeys, ", "))
		}
		if k == "profile" {
			profiles = append(profiles, v)
			continue
		}
		if _, dup := keys[k]; dup {
			return nil, nil, fmt.Errorf("line %d: key %q given twice", n+1, k)
		}
		keys[k] = v
	}
	return keys, profiles, nil
}

// readProfileKeys reads the files the profile keys name, relative to the case file's folder (an
// absolute path is taken as it is, though a case that names one only runs on that host). Their
// DataFiles are read relative to their own folder, as smcc run -p reads them.
func (c *Case) readProfileKeys(paths []string) error {
	for _, p := range paths {
		path := p
		if !filepath.IsAbs(p) {
			path = filepath.Join(filepath.Dir(c.Path), p)
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("profile %s: %w", p, err)
		}
		dir := filepath.Dir(path)
		c.Profiles = append(c.Profiles, Profile{Name: path, Data: src, line: -1,
			Open: func(name string) ([]byte, error) { return compile.ReadData(dir, name) }})
	}
	return nil
}

func (c *Case) applyKeys(keys map[string]string) error {
	get := func(k, def string) string {
		if v, ok := keys[k]; ok {
			return v
		}
		return def
	}
	at := get("time", DefaultTime.Format(time.RFC3339))
	rand, err := strconv.Atoi(get("rand", "1"))
	if err != nil || rand < 1 {
		return fmt.Errorf("rand %q is not a positive number", keys["rand"])
	}
	c.Env, err = NewEnv(get("remote", DefaultRemote), get("local", DefaultLocal), get("transport", "udp"), at, rand)
	if err != nil {
		return err
	}
	if eol := get("eol", "crlf"); eol != "crlf" && eol != "raw" {
		return fmt.Errorf("eol %q is not crlf or raw", eol)
	}
	c.verdict, c.dscp, c.mark = keys["verdict"], keys["dscp"], keys["mark"]
	switch keys["audit"] {
	case "", "contains":
	case "exact":
		c.auditExact = true
	default:
		return fmt.Errorf("audit %q is not contains or exact", keys["audit"])
	}
	if cl := keys["content-length"]; cl != "" && cl != "as-written" {
		return fmt.Errorf("content-length %q: the one value is as-written", cl)
	}
	return checkVerdict(c.verdict)
}

func checkVerdict(v string) error {
	switch {
	case v == "":
		return errors.New("no verdict key")
	case v == "accept", v == "modified", v == "drop":
		return nil
	}
	code, ok := strings.CutPrefix(v, "reject ")
	if n, err := strconv.Atoi(code); ok && err == nil && n >= 400 && n <= 699 {
		return nil
	}
	return fmt.Errorf("verdict %q is not accept, modified, drop or reject NNN", v)
}

func (c *Case) readFiles() error {
	crlf := c.crlf
	for _, f := range c.archive.Files {
		switch {
		case strings.HasSuffix(f.Name, ".json"):
			c.Profiles = append(c.Profiles, Profile{Name: f.Name, Data: f.Data, Open: c.OpenData, line: sectionLine(c.archive, f.Name)})
		case f.Name == "input.sip":
			c.Input = convertEOL(f.Data, crlf)
		case f.Name == "want.sip":
			c.want, c.hasWant = convertEOL(f.Data, crlf), true
		case f.Name == "want.reject.sip":
			c.wantReject, c.hasReject = convertEOL(f.Data, crlf), true
		case f.Name == "want.audit":
			for _, l := range strings.Split(string(f.Data), "\n") {
				if l = strings.TrimRight(l, "\r"); l != "" {
					c.wantAudit = append(c.wantAudit, l)
				}
			}
		default:
			c.data[f.Name] = f.Data
		}
	}
	switch {
	case len(c.Profiles) == 0:
		return errors.New("no profile (a .json file, or a profile key)")
	case c.Input == nil:
		return errors.New("no input.sip")
	case (c.verdict == "accept" || c.verdict == "modified") && !c.hasWant:
		return fmt.Errorf("verdict %s needs want.sip", c.verdict)
	case c.verdict == "accept" && !bytes.Equal(c.want, c.Input):
		return errors.New("verdict accept, but want.sip differs from input.sip")
	case c.hasWant && c.verdict != "accept" && c.verdict != "modified":
		return fmt.Errorf("verdict %s sends no message, so want.sip makes no sense", c.verdict)
	case c.hasReject && !strings.HasPrefix(c.verdict, "reject"):
		return fmt.Errorf("want.reject.sip needs verdict reject NNN, not %s", c.verdict)
	}
	return nil
}

// convertEOL turns every LF not preceded by CR into CRLF when crlf is set.
func convertEOL(b []byte, crlf bool) []byte {
	if !crlf {
		return b
	}
	out := make([]byte, 0, len(b)+len(b)/20)
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}

// Find expands folders into the .txtar files below them and returns every case file, sorted.
func Find(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".txtar") {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(files)
	return files, nil
}
