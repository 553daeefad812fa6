package sipmsg

import (
	"encoding/binary"
	"testing"

	"github.com/smcproject/smc/runtime/sip"
)

// lower8 folds every byte value at every position exactly as sip.Lower does.
func TestLower8(t *testing.T) {
	for c := 0; c < 256; c++ {
		var b [8]byte
		for i := range b {
			b[i] = byte(c + 37*i) // every value meets every position and varied neighbours
		}
		got := lower8(binary.LittleEndian.Uint64(b[:]))
		for i := range b {
			if want := sip.Lower(b[i]); byte(got>>(8*i)) != want {
				t.Fatalf("lower8 of %#x at byte %d: %#x, want %#x", b[i], i, byte(got>>(8*i)), want)
			}
		}
	}
}

// Names that differ in any byte, in case or not, in length or in a byte past the eighth, and names
// read from a message (with the bytes after them) or from a string, all resolve as EqualFold says.
func TestNameTableKeys(t *testing.T) {
	nt := NewNameTable()
	pai := nt.Intern("P-Asserted-Identity")
	xa := nt.Intern("X-A")
	tests := []struct {
		name string
		id   uint16
	}{
		{"p-asserted-identity", pai},
		{"P-ASSERTED-IDENTITY", pai},
		{"P-Asserted-IdentitY", pai},
		{"P-Asserted-Identita", IDUnknown}, // the last byte
		{"P-AssertXd-Identity", IDUnknown}, // a byte only the middle comparison sees
		{"P-Asserted-Identity-", IDUnknown},
		{"x-a", xa},
		{"X-A ", IDUnknown},
		{"X-@", IDUnknown}, // '@' and '`' differ by the case bit but are not letters
		{"Contact", IDContact},
		{"CONTACT", IDContact},
		{"Contac", IDUnknown},
		{"Content-Length", IDContentLength},
		{"content-length", IDContentLength},
		{"Content-Lengtx", IDUnknown},
		{"m", IDContact},
		{"", IDUnknown},
	}
	for _, tt := range tests {
		for _, b := range [][]byte{[]byte(tt.name), []byte(tt.name + ": value follows")[:len(tt.name)]} {
			if got := nt.Lookup(b); got != tt.id {
				t.Errorf("Lookup(%q) with capacity %d = %d, want %d", tt.name, cap(b), got, tt.id)
			}
		}
	}
}
