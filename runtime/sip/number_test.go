package sip

import (
	"strconv"
	"testing"
)

// ParseInt reads what strconv.ParseInt reads in base 10, within 64 bits, and nothing else.
func TestParseInt(t *testing.T) {
	for _, s := range []string{
		"0", "7", "-7", "+7", "-0", "+0", "007", "2125551234",
		"9223372036854775807", "-9223372036854775808", // the ends of int64
		"9223372036854775808", "-9223372036854775809", "99999999999999999999", // past them
		"", "+", "-", "--1", "+-1", " 1", "1 ", "1,000", "1_000", "0x10", "1e3", "1.0", "١", "\x00",
	} {
		got, ok := ParseInt([]byte(s))
		want, err := strconv.ParseInt(s, 10, 64)
		if ok != (err == nil) || ok && got != want {
			t.Errorf("ParseInt(%q) = %d, %v; strconv %d, %v", s, got, ok, want, err)
		}
	}
}

func TestParseRange(t *testing.T) {
	for _, tt := range []struct {
		s      string
		lo, hi int64
		ok     bool
	}{
		{"1,5", 1, 5, true}, {" -3 , +4 ", -3, 4, true}, {"5,1", 5, 1, true}, // an empty range reads; the compiler refuses it
		{"1", 0, 0, false}, {"1,", 0, 0, false}, {",1", 0, 0, false}, {"1,2,3", 0, 0, false}, {"1-5", 0, 0, false},
	} {
		lo, hi, ok := ParseRange([]byte(tt.s))
		if ok != tt.ok || ok && (lo != tt.lo || hi != tt.hi) {
			t.Errorf("ParseRange(%q) = %d, %d, %v; want %d, %d, %v", tt.s, lo, hi, ok, tt.lo, tt.hi, tt.ok)
		}
	}
}

func TestParseIntAllocs(t *testing.T) {
	b, r := []byte("-2125551234"), []byte(" 1 , 9 ")
	if n := testing.AllocsPerRun(100, func() { ParseInt(b); ParseRange(r) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
