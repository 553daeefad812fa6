package gen

import "strings"

// Data files (SMC-SPEC §7). Every case carries the same two names, with rows drawn from the
// bytes: keys.csv, whose columns hold text keys (and the small numbers a random row is keyed by),
// and nets.csv, whose columns 1 and 3 hold networks and addresses, so that IP_LOOKUP may search
// either and every row of it is valid.

const (
	keysFile   = "keys.csv"
	netsFile   = "nets.csv"
	prefixFile = "prefix.csv" // added late (late.go), for BSEARCH_PREFIX
)

// keyColumns and netColumns are the columns a rule may name for each file; IP lookups on nets.csv
// use only netIPColumns.
const keyColumns = 4

var netIPColumns = []int{1, 3}

var keys = []string{"alice", "ALICE", "Alice", "18665551000", "+15551234", "1", "2", "3", "5", "example.com",
	"trunk-7", "192.0.2.10", "bob", "5060", "é", "anonymous", "host.example", "2001:db8::1"}

var fieldValues = []string{"gw1", "10.0.0.1", "sip:x@y", "{$v1}", "a=b;c", "", "é", "486", "EF", "Sansay-SMC-RejectCall403",
	"two words", "line\r\nbreak"}

var networks = []string{"192.168.50.0/23", "192.0.2.0/24", "192.0.2.10", "10.0.0.0/8", "0.0.0.0/0", "2001:db8::/32",
	"2001:db8::5", "::/0", "::ffff:10.0.0.0/104", "::ffff:0:0/96", "198.51.100.0/25", "203.0.113.7/32",
	"192.0.2.1/32", "2001:db8::/127", "::1"}

var addresses = []string{"192.0.2.1", "10.1.2.3", "2001:db8::1", "198.51.100.33", "::ffff:192.0.2.9", "fe80::1"}

// dataFiles generates both files.
func (s *source) dataFiles() map[string][]byte {
	return map[string][]byte{keysFile: s.csv(s.keyRow), netsFile: s.csv(s.netRow)}
}

// csv writes 1 to 6 rows, with the comments, blank lines, byte-order mark and line endings a
// file written by hand has.
func (s *source) csv(row func() []string) []byte {
	var b strings.Builder
	if s.chance(8) {
		b.WriteString("\ufeff")
	}
	n := s.between(1, 6)
	for i := 0; i < n; i++ {
		switch s.intn(10) {
		case 8:
			b.WriteString("# a comment, with a comma\n")
		case 9:
			b.WriteString("\n")
		}
		fields := row()
		for j, f := range fields {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString(s.csvField(f))
		}
		b.WriteString(pick(s, []string{"\n", "\r\n"}))
	}
	return []byte(b.String())
}

// csvField writes a field plain, padded with spaces, or quoted (RFC 4180); a field that needs
// quotes always gets them.
func (s *source) csvField(f string) string {
	quote := strings.ContainsAny(f, ",\"\r\n") || s.chance(4)
	switch {
	case quote:
		return `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
	case f != "" && f[0] != '#' && s.chance(4):
		return "  " + f + " "
	}
	return f
}

func (s *source) keyRow() []string {
	row := []string{pick(s, keys)}
	for n := s.intn(keyColumns); n > 0; n-- {
		row = append(row, pick(s, fieldValues))
	}
	return row
}

// prefixKeys are the keys of prefix.csv: prefixes of one another and of the numbers, users and
// hosts the messages carry, with and without "+", and the empty key of a default row.
var prefixKeys = []string{"", "", "1", "18", "1866", "18665551000", "186655510001", "+", "+1", "+1555",
	"+15551234", "+1800", "+18005551212", "2", "2001", "a", "al", "alice", "ALICE", "bob", "sip:", "192.0.2.", "é", "5060"}

// prefixRow is a key of prefixKeys and one to three more columns, so that a row with an empty key
// is never a blank line.
func (s *source) prefixRow() []string {
	row := []string{pick(s, prefixKeys), pick(s, fieldValues)}
	for n := s.intn(keyColumns - 1); n > 0; n-- {
		row = append(row, pick(s, fieldValues))
	}
	return row
}

func (s *source) netRow() []string {
	return []string{pick(s, networks), pick(s, fieldValues), pick(s, addresses)}
}
