package sipmsg

import (
	"encoding/binary"
	"errors"
	"strconv"
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
	pai := mustIntern(t, nt, "P-Asserted-Identity")
	xa := mustIntern(t, nt, "X-A")
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

func mustIntern(t testing.TB, nt *NameTable, name string) uint16 {
	t.Helper()
	id, err := nt.Intern(name)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A table takes names until it holds MaxNames IDs; past that, a new name is refused with
// ErrTooManyNames (building a chain used to panic), and names it holds are still found.
func TestNameTableFull(t *testing.T) {
	nt := NewNameTable()
	for i := 0; nt.Len() < MaxNames; i++ {
		mustIntern(t, nt, "X-"+strconv.Itoa(i))
	}
	if id, err := nt.Intern("X-One-Too-Many"); !errors.Is(err, ErrTooManyNames) || id != IDUnknown {
		t.Fatalf("Intern past MaxNames = %d, %v; want IDUnknown, ErrTooManyNames", id, err)
	}
	if id, err := nt.Intern("x-7"); err != nil || id != nt.Lookup([]byte("X-7")) || id == IDUnknown {
		t.Errorf("Intern of a name the full table holds = %d, %v", id, err)
	}
	if id, err := nt.Intern("f"); err != nil || id != IDFrom {
		t.Errorf("Intern of a compact form in a full table = %d, %v", id, err)
	}
	if nt.Len() != MaxNames || nt.Name(MaxNames-1) == "" {
		t.Errorf("a full table has %d IDs, the last %q", nt.Len(), nt.Name(MaxNames-1))
	}
}
