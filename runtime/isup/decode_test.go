package isup

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// values are the reserved variables' texts (SMC-SPEC §4) of a decoded IAM.
type values struct {
	present                            bool
	nci, fci, cpc, cpn, cdpn, jip, oli string
}

func valuesOf(d *IAM) values {
	return values{d.Present(), string(d.AppendNCI(nil)), string(d.AppendFCI(nil)), string(d.AppendCPC(nil)),
		string(d.Calling.AppendDigits(nil)), string(d.Called.AppendDigits(nil)), string(d.JIP.AppendDigits(nil)),
		string(d.AppendOLI(nil))}
}

// without returns the guide's IAM without the optional parameters whose codes are given.
func without(v Variant, codes ...byte) iam {
	s := guideIAM(v)
	var kept []param
	for _, p := range s.opt {
		if !bytes.Contains(codes, []byte{p.code}) {
			kept = append(kept, p)
		}
	}
	s.opt = kept
	return s
}

// decodeCases are IAMs that decode, with their values; the truncation and fuzz tests use them
// too.
var decodeCases = []struct {
	name string
	iam  iam
	want values
}{
	{"ITU, every optional parameter", guideIAM(ITU), values{true, "00", "6001", "10", "5550001111", "5551234567", "555123", "62"}},
	{"ANSI, every optional parameter", guideIAM(ANSI), values{true, "00", "6001", "10", "5550001111", "5551234567", "555123", "62"}},
	{"ITU, no calling number", without(ITU, ParamCallingNumber), values{true, "00", "6001", "10", "", "5551234567", "555123", "62"}},
	{"ANSI, no calling number", without(ANSI, ParamCallingNumber), values{true, "00", "6001", "10", "", "5551234567", "555123", "62"}},
	{"ITU, no jurisdiction", without(ITU, ParamJurisdiction), values{true, "00", "6001", "10", "5550001111", "5551234567", "", "62"}},
	{"ANSI, no jurisdiction", without(ANSI, ParamJurisdiction), values{true, "00", "6001", "10", "5550001111", "5551234567", "", "62"}},
	{"ITU, no OLI", without(ITU, ParamOriginatingLine), values{true, "00", "6001", "10", "5550001111", "5551234567", "555123", ""}},
	{"ANSI, no OLI", without(ANSI, ParamOriginatingLine), values{true, "00", "6001", "10", "5550001111", "5551234567", "555123", ""}},
	{"ITU, an empty optional part", without(ITU, ParamCallingNumber, ParamJurisdiction, ParamOriginatingLine), values{true, "00", "6001", "10", "", "5551234567", "", ""}},
	{"ANSI, an empty optional part", without(ANSI, ParamCallingNumber, ParamJurisdiction, ParamOriginatingLine), values{true, "00", "6001", "10", "", "5551234567", "", ""}},
	{"ITU, no optional part", iam{variant: ITU, nci: 0x11, fci: [2]byte{0x20, 0x01}, cpc: 0xF7, tmr: 3, called: number(3, 0x10, "123"), noOpt: true},
		values{true, "11", "2001", "247", "", "123", "", ""}},
	{"ANSI, no optional part", iam{variant: ANSI, nci: 0x10, fci: [2]byte{0x60, 0x00}, cpc: 9, usi: []byte{0x90, 0x90, 0xA2}, called: number(3, 0x10, "8445618378"), noOpt: true},
		values{true, "10", "6000", "9", "", "8445618378", "", ""}},
	{"odd digit counts", iam{variant: ITU, called: number(4, 0x10, "4420712345"[:9]), opt: []param{{ParamCallingNumber, number(3, 0x13, "12345")}}},
		values{true, "00", "0000", "0", "12345", "442071234", "", ""}},
	{"one digit, and a calling number with no digits", iam{variant: ITU, called: number(1, 0x10, "7"), opt: []param{{ParamCallingNumber, number(0, 0x0B, "")}}},
		values{true, "00", "0000", "0", "", "7", "", ""}},
	{"no called digits", iam{variant: ANSI, usi: []byte{0x80}, called: number(3, 0x10, "")}, values{true, "00", "0000", "0", "", "", "", ""}},
	{"ST digit dropped, even count", iam{variant: ITU, called: number(3, 0x10, "9299420008F"+"")}, values{true, "00", "0000", "0", "", "9299420008", "", ""}},
	{"ST digit dropped, odd count", iam{variant: ITU, called: number(3, 0x10, "0396504232F"[:11])}, values{true, "00", "0000", "0", "", "0396504232", "", ""}},
	{"* and #", iam{variant: ITU, called: number(3, 0x10, "*72#"), opt: []param{{ParamCallingNumber, number(3, 0x10, "#31#5")}}},
		values{true, "00", "0000", "0", "#31#5", "*72#", "", ""}},
	{"JIP with an ST filler, OLI 0 and 255", iam{variant: ANSI, usi: []byte{0x80, 0x90}, called: number(3, 0x10, "2"),
		opt: []param{{ParamJurisdiction, bcd("55512F")}, {ParamOriginatingLine, []byte{0}}, {ParamOriginatingLine, []byte{255}}}},
		values{true, "00", "0000", "0", "", "2", "55512", "0"}},
	{"other optional parameters around, the first of two calling numbers", iam{variant: ITU, called: number(3, 0x10, "1"),
		opt: []param{{0x08, []byte{0x80}}, {0x0A, number(3, 0x13, "111")}, {0xF2, make([]byte, 21)}, {0x0A, number(3, 0x13, "222")}, {0x31, []byte{0, 100}}}},
		values{true, "00", "0000", "0", "111", "1", "", ""}},
	{"bytes after the end of optional parameters", iam{variant: ITU, called: number(3, 0x10, "1"), trailing: []byte{0xFF, 0x01}}, values{true, "00", "0000", "0", "", "1", "", ""}},
	{"parameters in any order after the pointers", iam{variant: ANSI, usi: []byte{0x80, 0x90}, called: number(3, 0x10, "55"), opt: []param{{ParamOriginatingLine, []byte{7}}}}, values{true, "00", "0000", "0", "", "55", "", "7"}},
}

func TestDecode(t *testing.T) {
	for _, tt := range decodeCases {
		var d IAM
		msg := tt.iam.bytes()
		if err := d.Decode(msg, tt.iam.variant); err != nil {
			t.Errorf("%s: %v (% x)", tt.name, err, msg)
			continue
		}
		if got := valuesOf(&d); got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

// TestDecodeByHand checks the encoder of the tests against the IAMs of the guide's "Test ISUP"
// cases (examples/guide/20-test-isup.*.txtar), which were written out byte by byte.
func TestDecodeByHand(t *testing.T) {
	for v, want := range map[Variant]string{
		ITU:  "010060010a00" + "0209" + "0703105515325476" + "0a0703135505001111" + "c403551532" + "ea013e" + "00",
		ANSI: "010060010a" + "03060d" + "038090a2" + "0703105515325476" + "0a0703135505001111" + "c403551532" + "ea013e" + "00",
	} {
		if got := hex.EncodeToString(guideIAM(v).bytes()); got != want {
			t.Errorf("%v guide IAM built as %s, want %s", v, got, want)
		}
	}
}

// TestDecodeErrors: IAMs that are whole but wrong give no IAM and say why.
func TestDecodeErrors(t *testing.T) {
	ok, ansi := guideIAM(ITU).bytes(), guideIAM(ANSI).bytes()
	set := func(b []byte, i int, v byte) []byte { c := bytes.Clone(b); c[i] = v; return c }
	withOpt := func(v Variant, p ...param) []byte {
		s := guideIAM(v)
		s.opt = p
		return s.bytes()
	}
	withCalled := func(v []byte) []byte { s := guideIAM(ITU); s.called = v; return s.bytes() }
	tests := []struct {
		name    string
		msg     []byte
		variant Variant
		err     error
	}{
		{"empty", nil, ITU, ErrEmpty},
		{"an ACM", set(ok, 0, 0x06), ITU, ErrNotIAM},
		{"called party pointer 0", set(ok, 6, 0), ITU, ErrPointer},
		{"called party pointer to the optional pointer", set(ok, 6, 1), ITU, ErrPointer},
		{"optional pointer 0: no optional part, which is fine", set(ok, 7, 0), ITU, nil},
		{"ANSI user service information pointer to a pointer", set(ansi, 5, 1), ANSI, ErrPointer},
		{"ANSI called party pointer 0", set(ansi, 6, 0), ANSI, ErrPointer},
		{"called party length past the end", set(ok, 8, 200), ITU, ErrTruncated},
		{"called party pointer past the end", set(ok, 6, 250), ITU, ErrTruncated},
		{"optional pointer past the end", set(ok, 7, 250), ITU, ErrTruncated},
		{"optional parameter length past the end", set(ok, 17, 250), ITU, ErrTruncated},
		{"ITU bytes read as ANSI: TMR 0 is a pointer", ok, ANSI, ErrPointer},
		{"called number of one octet", withCalled([]byte{0x03}), ITU, ErrLength},
		{"called number with no octet for its odd digit", withCalled([]byte{0x83, 0x10}), ITU, ErrDigits},
		{"spare digit code A", withCalled(number(3, 0x10, "12A4")), ITU, ErrDigits},
		{"spare digit code D", withCalled(number(3, 0x10, "D")), ITU, ErrDigits},
		{"spare digit code E", withCalled(number(3, 0x10, "1E")), ITU, ErrDigits},
		{"ST before the last digit", withCalled(number(3, 0x10, "12F4")), ITU, ErrDigits},
		{"calling number of one octet", withOpt(ITU, param{ParamCallingNumber, []byte{3}}), ITU, ErrLength},
		{"calling number with a spare code", withOpt(ANSI, param{ParamCallingNumber, number(3, 0x13, "5A")}), ANSI, ErrDigits},
		{"a second, bad calling number", withOpt(ITU, param{ParamCallingNumber, number(3, 0x13, "5")}, param{ParamCallingNumber, number(3, 0x13, "E")}), ITU, ErrDigits},
		{"empty jurisdiction", withOpt(ANSI, param{ParamJurisdiction, nil}), ANSI, ErrLength},
		{"jurisdiction with a spare code", withOpt(ANSI, param{ParamJurisdiction, []byte{0xA5}}), ANSI, ErrDigits},
		{"OLI of 2 octets", withOpt(ANSI, param{ParamOriginatingLine, []byte{1, 2}}), ANSI, ErrLength},
		{"OLI of 0 octets", withOpt(ITU, param{ParamOriginatingLine, nil}), ITU, ErrLength},
		// Each of these reads whole but for the overlap: a called number 1234 (03 10 21 43).
		{"optional part inside the called number", []byte{1, 0, 0x60, 1, 10, 0, 2, 3, 4, 0x03, 0x00, 0x21, 0x43}, ITU, ErrOverlap},
		{"called number inside an optional parameter", []byte{1, 0, 0x60, 1, 10, 0, 4, 1, 0xFE, 5, 4, 0x03, 0x10, 0x21, 0x43, 0}, ITU, ErrOverlap},
		{"ANSI called number on the user service information", []byte{1, 0, 0x60, 1, 10, 3, 2, 0, 4, 0x03, 0x10, 0x21, 0x43}, ANSI, ErrOverlap},
	}
	for _, tt := range tests {
		var d IAM
		d.Decode(ok, ITU) // a decoded IAM before: an error must leave nothing of it
		err := d.Decode(tt.msg, tt.variant)
		if err != tt.err {
			t.Errorf("%s: error %v, want %v (% x)", tt.name, err, tt.err, tt.msg)
		}
		if err != nil && valuesOf(&d) != (values{}) {
			t.Errorf("%s: values %+v after an error", tt.name, valuesOf(&d))
		}
	}
}

// TestDecodeTruncated cuts every IAM of the tables at every length: each cut is refused with all
// values empty, whatever byte it falls on, and decoding never reads past the cut (the cut's
// capacity is its length, so a read past it would panic).
func TestDecodeTruncated(t *testing.T) {
	for _, tt := range decodeCases {
		msg := tt.iam.bytes()
		whole := len(msg) - len(tt.iam.trailing)
		for n := 0; n < whole; n++ {
			var d IAM
			cut := bytes.Clone(msg[:n])
			if err := d.Decode(cut[:n:n], tt.iam.variant); err == nil {
				t.Errorf("%s cut to %d of %d bytes: decoded %+v", tt.name, n, whole, valuesOf(&d))
			}
			if got := valuesOf(&d); got != (values{}) {
				t.Errorf("%s cut to %d bytes: values %+v", tt.name, n, got)
			}
			if d.Decode(msg[:n], tt.iam.variant) == nil { // the rest of msg is in the slice's capacity
				t.Errorf("%s cut to %d bytes inside a longer buffer: decoded", tt.name, n)
			}
		}
	}
}

func TestDecodeAllocs(t *testing.T) {
	msg := guideIAM(ANSI).bytes()
	var d IAM
	buf := make([]byte, 0, 64)
	n := testing.AllocsPerRun(100, func() {
		d.Decode(msg, ANSI)
		buf = d.AppendNCI(buf[:0])
		buf = d.AppendFCI(buf)
		buf = d.AppendCPC(buf)
		buf = d.Calling.AppendDigits(buf)
		buf = d.Called.AppendDigits(buf)
		buf = d.JIP.AppendDigits(buf)
		buf = d.AppendOLI(buf)
	})
	if n != 0 {
		t.Errorf("decoding and formatting an IAM allocates %v times", n)
	}
}

func TestVariantOf(t *testing.T) {
	for v, want := range map[string]Variant{"ansi88": ANSI, "ANSI92": ANSI, "Ansi00": ANSI, "ansi": ANSI, "": ITU, "itu-t92+": ITU, "ans": ITU, "etsi121": ITU, "gr317": ITU} {
		if got := VariantOf([]byte(v)); got != want {
			t.Errorf("VariantOf(%q) = %v, want %v", v, got, want)
		}
	}
}
