package nfq

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestChecksumRFC1071 is the worked example of RFC 1071 §3.
func TestChecksumRFC1071(t *testing.T) {
	data := []byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}
	if got := checksum(data, 0); got != ^uint16(0xddf2) {
		t.Errorf("checksum = %#04x, want %#04x", got, ^uint16(0xddf2))
	}
}

// TestChecksumReference compares the 64-bit summation with the 16-bit reference loop for every
// length up to a few blocks (all tails, odd and even), with carries forced by 0xff bytes.
func TestChecksumReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 200 {
		for _, fill := range []string{"random", "ones", "zeros"} {
			data := make([]byte, n)
			switch fill {
			case "random":
				for i := range data {
					data[i] = byte(r.Uint32())
				}
			case "ones":
				copy(data, bytes.Repeat([]byte{0xff}, n))
			}
			for _, initial := range []uint32{0, 1, 0xffff, 0x1fffe, r.Uint32()} {
				want := ^refSum([]byte{byte(initial >> 24), byte(initial >> 16), byte(initial >> 8), byte(initial)}, data)
				if got := checksum(data, initial); got != want {
					t.Fatalf("%s %d bytes, initial %#x: %#04x, want %#04x", fill, n, initial, got, want)
				}
			}
		}
	}
}

func TestFold(t *testing.T) {
	for _, tt := range []struct {
		s    uint64
		want uint16
	}{
		{0, 0}, {0xffff, 0xffff}, {0x10000, 1}, {0x1fffe, 0xffff}, {^uint64(0), 0xffff},
		{0xffff_ffff, 0xffff}, {0x1_0000_0000, 1}, {0x8000_0000_0000_0000, 0x8000},
	} {
		if got := fold(tt.s); got != tt.want {
			t.Errorf("fold(%#x) = %#x, want %#x", tt.s, got, tt.want)
		}
	}
}

func BenchmarkChecksum(b *testing.B) {
	data := make([]byte, 1500)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		checksum(data, 0)
	}
}
