package isup

// An encoder for the tests, written from Q.763 §1.4 and T1.113.3 apart from the decoder: it lays
// out the parts in order and computes the pointers, so that the tables can say what an IAM holds
// rather than spell its bytes.

// iam describes an IAM to build.
type iam struct {
	variant  Variant
	nci      byte
	fci      [2]byte
	cpc, tmr byte
	usi      []byte  // ANSI
	called   []byte  // the called party number's value
	opt      []param // optional parameters, in order
	noOpt    bool    // no optional part: its pointer is 0
	trailing []byte  // bytes after the IAM
}

type param struct {
	code  byte
	value []byte
}

// pointersFit reports whether bytes can lay the IAM out: a pointer is one octet, so the optional
// part must start within 255 octets of its pointer when the variable parts come first, in order.
// A decoded IAM whose parts sat elsewhere (the optional part before a long user service
// information, say) may not fit.
func (s iam) pointersFit() bool {
	variable := [][]byte{s.called}
	if s.variant == ANSI {
		variable = [][]byte{s.usi, s.called}
	}
	offset := len(variable) + 1 // from the first pointer to the first variable part
	for k, v := range variable {
		if offset-k > 255 {
			return false
		}
		offset += 1 + len(v)
	}
	return offset-len(variable) <= 255
}

func (s iam) bytes() []byte {
	msg := []byte{TypeIAM, s.nci, s.fci[0], s.fci[1], s.cpc}
	variable := [][]byte{s.called}
	if s.variant == ITU {
		msg = append(msg, s.tmr)
	} else {
		variable = [][]byte{s.usi, s.called}
	}
	ptrs := len(msg)
	msg = append(msg, make([]byte, len(variable)+1)...)
	for k, v := range variable {
		msg[ptrs+k] = byte(len(msg) - (ptrs + k))
		msg = append(append(msg, byte(len(v))), v...)
	}
	if !s.noOpt {
		msg[ptrs+len(variable)] = byte(len(msg) - (ptrs + len(variable)))
		for _, p := range s.opt {
			msg = append(append(msg, p.code, byte(len(p.value))), p.value...)
		}
		msg = append(msg, ParamEnd)
	}
	return append(msg, s.trailing...)
}

// number builds a number parameter's value: odd/even and NAI, the second octet, then the digits
// of a string of 0-9, *, #, and F for ST.
func number(nai, second byte, digits string) []byte {
	odd := byte(len(digits) % 2)
	return append([]byte{odd<<7 | nai, second}, bcd(digits)...)
}

// bcd packs digits two to an octet, low nibble first, with a 0 filler after an odd count.
func bcd(digits string) []byte {
	var out []byte
	for i := 0; i < len(digits); i += 2 {
		b := code(digits[i])
		if i+1 < len(digits) {
			b |= code(digits[i+1]) << 4
		}
		out = append(out, b)
	}
	return out
}

func code(c byte) byte {
	switch c {
	case '*':
		return 0xB
	case '#':
		return 0xC
	case 'F':
		return 0xF
	case 'A', 'D', 'E':
		return c - 'A' + 10
	}
	return c - '0'
}

// guideIAM is the IAM of the guide's "Test ISUP" example in either layout: NCI 00, FCI 6001,
// CPC 10, called 5551234567, calling 5550001111, JIP 555123, OLI 62.
func guideIAM(v Variant) iam {
	return iam{
		variant: v, nci: 0x00, fci: [2]byte{0x60, 0x01}, cpc: 10, tmr: 0,
		usi:    []byte{0x80, 0x90, 0xA2},
		called: number(3, 0x10, "5551234567"),
		opt: []param{
			{ParamCallingNumber, number(3, 0x13, "5550001111")},
			{ParamJurisdiction, bcd("555123")},
			{ParamOriginatingLine, []byte{62}},
		},
	}
}
