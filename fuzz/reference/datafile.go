package reference

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Data files (SMC-SPEC §7, docs/semantics.md "Data files"): a CSV reader and lookups by linear
// scan over the rows in file order, so that "the first row wins" needs no code of its own.

// A table is a data file's rows.
type table struct {
	rows [][]string
}

// field is column n (1-based) of a row; a missing column is the empty string.
func field(row []string, n int) string {
	if n >= 1 && n <= len(row) {
		return row[n-1]
	}
	return ""
}

func (r *reader) dataFile(name string) *table {
	if name == "" {
		r.fail("DataFile is empty")
		return &table{}
	}
	src, err := r.open(name)
	if err != nil {
		r.fail("DataFile %q: %v", name, err)
		return &table{}
	}
	rows, err := parseCSV(string(src))
	if err != nil {
		r.fail("DataFile %q: %v", name, err)
	}
	return &table{rows: rows}
}

// parseCSV reads RFC 4180 CSV: quoted fields keep every byte ("" is a quote), other fields are
// trimmed of spaces and tabs, a quote inside an unquoted field is an error; blank lines and lines
// whose first non-blank character is '#' are skipped; a UTF-8 byte order mark is skipped.
func parseCSV(s string) ([][]string, error) {
	s = strings.TrimPrefix(s, "\xEF\xBB\xBF")
	var rows [][]string
	for s != "" {
		first := strings.TrimLeft(s, " \t")
		if rest, ok := lineEnd(first); ok {
			s = rest // a blank line
			continue
		}
		if first[0] == '#' {
			_, s, _ = strings.Cut(first, "\n")
			continue
		}
		var row []string
		var err error
		row, s, err = record(s)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// lineEnd reports whether s starts with a line end (LF, CRLF, or the end of the text, with or
// without a CR), and returns what follows it.
func lineEnd(s string) (string, bool) {
	switch {
	case s == "" || s == "\r":
		return "", true
	case s[0] == '\n':
		return s[1:], true
	case strings.HasPrefix(s, "\r\n"):
		return s[2:], true
	}
	return s, false
}

// record reads one row up to and including its line end.
func record(s string) ([]string, string, error) {
	var row []string
	for {
		var f string
		var err error
		s = strings.TrimLeft(s, " \t")
		if strings.HasPrefix(s, `"`) {
			f, s, err = quotedField(s[1:])
		} else {
			f, s, err = plainField(s)
		}
		if err != nil {
			return nil, "", err
		}
		row = append(row, f)
		if strings.HasPrefix(s, ",") {
			s = s[1:]
			continue
		}
		rest, _ := lineEnd(s)
		return row, rest, nil
	}
}

func quotedField(s string) (string, string, error) {
	var b strings.Builder
	for {
		q := strings.IndexByte(s, '"')
		if q < 0 {
			return "", "", errors.New("a quoted field is not closed")
		}
		b.WriteString(s[:q])
		s = s[q+1:]
		if !strings.HasPrefix(s, `"`) {
			break
		}
		b.WriteByte('"')
		s = s[1:]
	}
	s = strings.TrimLeft(s, " \t")
	if _, end := lineEnd(s); !end && !strings.HasPrefix(s, ",") {
		return "", "", errors.New("text after a closing quote")
	}
	return b.String(), s, nil
}

func plainField(s string) (string, string, error) {
	end := strings.IndexAny(s, ",\n")
	if end < 0 {
		end = len(s)
	}
	f := s[:end]
	if strings.Contains(f, `"`) {
		return "", "", errors.New("a quote inside an unquoted field")
	}
	if end == len(s) || s[end] == '\n' {
		f = strings.TrimSuffix(f, "\r") // the CR of a CRLF line end
	}
	return strings.TrimRight(f, " \t"), s[end:], nil
}

// exact returns the first row whose column col equals key, ASCII case-insensitively with fold,
// or nil.
func (t *table) exact(col int, key string, fold bool) []string {
	for _, row := range t.rows {
		if k := field(row, col); k == key || fold && equalFold(k, key) {
			return row
		}
	}
	return nil
}

// longestPrefix is the row of the longest key of column col that is a prefix of text (SMC-SPEC §5,
// BSEARCH_PREFIX), compared byte for byte. Every row is read in file order and only a strictly
// longer key replaces the one kept, so among rows with the same key the first wins; the empty
// key is a prefix of every text, so a row whose key is empty (or missing) answers when nothing
// longer does.
func (t *table) longestPrefix(col int, text string) []string {
	var best []string
	bestLen := -1
	for _, row := range t.rows {
		if k := field(row, col); len(k) > bestLen && strings.HasPrefix(text, k) {
			best, bestLen = row, len(k)
		}
	}
	return best
}

// network reads an IP column's key: an address (a /32 or /128) or a CIDR network without host
// bits. A key inside ::ffff:0:0/96 with a prefix of /96 or longer is the IPv4 network it maps
// (docs/semantics.md "Data files").
func network(key string) (netip.Prefix, error) {
	text, bitsText, slash := strings.Cut(key, "/")
	a, err := netip.ParseAddr(text)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q is not an address", key)
	}
	bits := a.BitLen()
	if slash {
		if bitsText == "" || bitsText[0] == '+' || bitsText[0] == '-' || len(bitsText) > 1 && bitsText[0] == '0' {
			return netip.Prefix{}, fmt.Errorf("%q: bad prefix length", key)
		}
		if bits, err = strconv.Atoi(bitsText); err != nil || bits > a.BitLen() {
			return netip.Prefix{}, fmt.Errorf("%q: bad prefix length", key)
		}
	}
	p := netip.PrefixFrom(a, bits)
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("%q: host bits set", key)
	}
	if a.Is4In6() && bits >= 96 {
		p = netip.PrefixFrom(a.Unmap(), bits-96)
	}
	return p, nil
}

// networks checks that every row's column col is a network.
func (t *table) networks(col int) error {
	for i, row := range t.rows {
		if _, err := network(field(row, col)); err != nil {
			return fmt.Errorf("row %d: %v", i+1, err)
		}
	}
	return nil
}

// ipLookup returns the row of the most specific network in column col that contains a (the first
// row of identical networks), or nil. An IPv4-mapped address looks up as the IPv4 address.
func (t *table) ipLookup(col int, a netip.Addr) []string {
	a = a.Unmap()
	var best []string
	bestBits := -1
	for _, row := range t.rows {
		p, _ := network(field(row, col))
		if p.Contains(a) && p.Bits() > bestBits {
			best, bestBits = row, p.Bits()
		}
	}
	return best
}

// addrFromText reads the address an IP_LOOKUP looks up (SMC-SPEC §5, docs/semantics.md): l
// itself, or its last space- or tab-separated token, without a port (":port" after IPv4,
// "[...]:port" around IPv6).
func addrFromText(l string) (netip.Addr, bool) {
	if a, ok := parseIP(l); ok {
		return a, true
	}
	fields := strings.FieldsFunc(l, func(r rune) bool { return r == ' ' || r == '\t' })
	if len(fields) == 0 {
		return netip.Addr{}, false
	}
	tok := fields[len(fields)-1]
	if a, ok := parseIP(tok); ok {
		return a, true
	}
	if inner, ok := strings.CutPrefix(tok, "["); ok {
		addr, rest, _ := strings.Cut(inner, "]")
		a, ok := parseIP(addr)
		if !ok || !a.Is6() || rest != "" && !(rest[0] == ':' && isPort(rest[1:])) {
			return netip.Addr{}, false
		}
		return a, true
	}
	colon := strings.LastIndexByte(tok, ':')
	if colon < 0 {
		return netip.Addr{}, false
	}
	a, ok := parseIP(tok[:colon])
	if !ok || !a.Is4() || !isPort(tok[colon+1:]) {
		return netip.Addr{}, false
	}
	return a, true
}

// parseIP parses an address without a zone.
func parseIP(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	return a, err == nil && a.Zone() == ""
}

func isPort(s string) bool {
	if s == "" || len(s) > 5 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	n, _ := strconv.Atoi(s)
	return n <= 65535
}
