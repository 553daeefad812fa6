package datafile

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

// FuzzParseAddr holds ParseAddr to net/netip, which accepts the same text forms plus zones, and
// checks that it never allocates.
func FuzzParseAddr(f *testing.F) {
	for _, s := range []string{"192.0.2.1", "::", "::ffff:1.2.3.4", "2001:db8::1", "1:2:3:4:5:6:7:8", "01.2.3.4", "1::2::3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := ParseAddr([]byte(s))
		ref, err := netip.ParseAddr(s)
		if ref.Zone() != "" {
			err = errZone
		}
		if ok != (err == nil) {
			t.Fatalf("ParseAddr(%q) ok = %v; netip: %v", s, ok, err)
		}
		if ok && (a.String() != ref.String() || a.Is4() != ref.Is4()) {
			t.Fatalf("ParseAddr(%q) = %v; netip: %v", s, a, ref)
		}
		b := []byte(s)
		if n := testing.AllocsPerRun(10, func() { ParseAddr(b); AddrFromText(b) }); n != 0 {
			t.Fatalf("ParseAddr/AddrFromText(%q): %v allocations", s, n)
		}
	})
}

var errZone = errors.New("zones are not addresses here")

// FuzzParse checks that Parse never panics and that what it parses survives writing back as CSV
// with every field quoted.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"a,b\nc\n", "\"a\"\"b\",\" c \"\r\n# x\n\n", "\xEF\xBB\xBFk,\"1\n2\"", "a\"b", "\"a\"b"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := Parse("fuzz.csv", data)
		if err != nil {
			return
		}
		var out bytes.Buffer
		for r := 0; r < tab.Len(); r++ {
			for c := 1; c <= tab.NumFields(r); c++ {
				if c > 1 {
					out.WriteByte(',')
				}
				out.WriteByte('"')
				out.Write(bytes.ReplaceAll(tab.Field(r, c), []byte{'"'}, []byte(`""`)))
				out.WriteByte('"')
			}
			out.WriteByte('\n')
		}
		again, err := Parse("again.csv", out.Bytes())
		if err != nil {
			t.Fatalf("reparse of %q: %v", out.Bytes(), err)
		}
		if got, want := dump(again), dump(tab); got != want {
			t.Fatalf("reparse = %q, want %q", got, want)
		}
	})
}

func dump(t *Table) string {
	got, _ := rows(t)
	var b bytes.Buffer
	for _, row := range got {
		for _, f := range row {
			b.WriteString(f)
			b.WriteByte(0)
		}
		b.WriteByte(1)
	}
	return b.String()
}
