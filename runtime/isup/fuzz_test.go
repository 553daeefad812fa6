package isup

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// FuzzDecode decodes arbitrary bytes in either layout and checks what must hold of any input:
// decoding never reads past the message (its capacity ends where it ends), it is deterministic, it
// does not allocate, no IAM means every value empty, and a decoded IAM laid out again from its
// spans (the mandatory parts and every optional parameter, by the tests' own encoder) decodes to
// the same values, when laid out in order it still fits its one-octet pointers
// (found-pointer-past-255: a 195-octet user service information before the called number).
func FuzzDecode(f *testing.F) {
	for _, s := range decodeSeeds() {
		f.Add(s.msg, s.ansi)
	}
	f.Fuzz(func(t *testing.T, msg []byte, ansi bool) {
		msg = msg[:len(msg):len(msg)]
		v := ITU
		if ansi {
			v = ANSI
		}
		var d, again IAM
		err := d.Decode(msg, v)
		err2 := again.Decode(msg, v)
		got := valuesOf(&d)
		if err != err2 || got != valuesOf(&again) {
			t.Fatalf("two decodings differ: %v %+v, then %v %+v", err, got, err2, valuesOf(&again))
		}
		if (err == nil) != d.Present() {
			t.Fatalf("error %v with Present %v", err, d.Present())
		}
		if !d.Present() && got != (values{}) {
			t.Fatalf("no IAM (%v) but values %+v", err, got)
		}
		if n := testing.AllocsPerRun(1, func() { again.Decode(msg, v) }); n != 0 {
			t.Fatalf("decoding allocates %v times", n)
		}
		if !d.Present() {
			return
		}
		s := relay(&d)
		if !s.pointersFit() {
			return // a layout in order cannot reach the optional part with a one-octet pointer
		}
		laid := s.bytes()
		var re IAM
		if err := re.Decode(laid, v); err != nil {
			t.Fatalf("the IAM laid out again from its spans (% x) does not decode: %v", laid, err)
		}
		if valuesOf(&re) != got {
			t.Fatalf("the IAM laid out again decodes to %+v, not %+v", valuesOf(&re), got)
		}
	})
}

// relay describes a decoded IAM for the tests' encoder: its mandatory parts and its optional
// parameters as the decoder found them.
func relay(d *IAM) iam {
	s := iam{variant: d.Variant, nci: d.NCI, fci: d.FCI, cpc: d.CPC, tmr: d.TMR, usi: d.USI, called: d.Called.Value(), noOpt: d.opt == 0}
	d.Optional(func(code byte, value []byte) bool {
		s.opt = append(s.opt, param{code, value})
		return true
	})
	return s
}

type decodeSeed struct {
	msg  []byte
	ansi bool
}

// decodeSeeds are the seed corpus: every IAM of the decode table, in its own layout and in the
// other one.
func decodeSeeds() []decodeSeed {
	var out []decodeSeed
	for _, tt := range decodeCases {
		msg := tt.iam.bytes()
		out = append(out, decodeSeed{msg, tt.iam.variant == ANSI}, decodeSeed{msg, tt.iam.variant != ANSI})
	}
	return out
}

var writeSeeds = flag.Bool("seeds", false, "write the seed corpus of FuzzDecode to testdata/fuzz")

// TestWriteSeeds writes the seed corpus (go test -run WriteSeeds -seeds), so that it is made from
// the seeds above and nothing else.
func TestWriteSeeds(t *testing.T) {
	if !*writeSeeds {
		t.Skip("run with -seeds to write testdata/fuzz/FuzzDecode")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range decodeSeeds() {
		data := "go test fuzz v1\n[]byte(" + strconv.Quote(string(s.msg)) + ")\nbool(" + strconv.FormatBool(s.ansi) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRelay checks the property FuzzDecode leans on with the table's IAMs: laid out again, each
// is byte for byte what it was (trailing bytes aside).
func TestRelay(t *testing.T) {
	for _, tt := range decodeCases {
		msg := tt.iam.bytes()
		var d IAM
		if err := d.Decode(msg, tt.iam.variant); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		whole := msg[:len(msg)-len(tt.iam.trailing)]
		if got := relay(&d).bytes(); !bytes.Equal(got, whole) {
			t.Errorf("%s: laid out again as % x, not % x", tt.name, got, whole)
		}
	}
}
