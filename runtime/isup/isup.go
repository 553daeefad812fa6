// Package isup decodes the ISUP Initial Address Message that SIP-I (ITU-T Q.1912.5) and SIP-T
// (RFC 3372, RFC 3204) carry in an INVITE's application/ISUP body, for SMC-SPEC §4's {$ISUP.*}
// reserved variables: the nature of connection and forward call indicators, the calling party's
// category, the called and calling party numbers, the jurisdiction information and the originating
// line information.
//
// Two layouts are read, chosen by the body's `version` parameter (VariantOf): ITU-T Q.763 and ANSI
// T1.113. The decoder checks every pointer and length against the message and keeps spans of it
// rather than copies, so it never reads past the bytes it is given and never allocates; a message
// it cannot read whole is not an IAM at all (Decode's error), never a half-decoded one.
package isup

import "errors"

// Variant is the layout of an IAM: the parameters of its mandatory parts differ.
type Variant uint8

const (
	// ITU is ITU-T Q.763: mandatory fixed NCI, FCI, CPC and transmission medium requirement;
	// mandatory variable called party number.
	ITU Variant = iota
	// ANSI is ANSI T1.113: mandatory fixed NCI, FCI and CPC; mandatory variable user service
	// information and called party number.
	ANSI
)

// String names the layout's standard, for the trace.
func (v Variant) String() string {
	if v == ANSI {
		return "ANSI T1.113"
	}
	return "ITU-T Q.763"
}

// Message type and parameter codes (Q.763 §1.3 and Table 5, T1.113.3).
const (
	TypeIAM = 0x01

	ParamEnd             = 0x00 // end of optional parameters
	ParamCallingNumber   = 0x0A
	ParamJurisdiction    = 0xC4 // ANSI; read in either layout, as SMC-SPEC §4 lists it
	ParamOriginatingLine = 0xEA // ANSI; likewise
)

// Errors say why a message is not a decodable IAM; the trace shows them. They are preallocated
// for the packet path.
var (
	ErrEmpty      = errors.New("the ISUP message is empty")
	ErrNotIAM     = errors.New("the ISUP message is not an IAM (message type 0x01)")
	ErrTruncated  = errors.New("the IAM ends inside a parameter or before its end of optional parameters")
	ErrPointer    = errors.New("a pointer of the IAM is 0 or points into its pointers")
	ErrLength     = errors.New("a parameter of the IAM has a length its kind cannot have")
	ErrOverlap    = errors.New("two parts of the IAM that its pointers reach share octets")
	ErrDigits     = errors.New("an address of the IAM holds a spare digit code, a digit after ST, or an odd count with no digits")
	ErrNoISUPPart = errors.New("no application/ISUP body or part")
)

// An IAM is a decoded Initial Address Message. Its numbers are spans of the message it was
// decoded from, which must not change while the IAM is used. The zero IAM is no IAM: every value
// is empty.
type IAM struct {
	msg     []byte
	ok      bool
	Variant Variant
	NCI     byte    // nature of connection indicators
	FCI     [2]byte // forward call indicators, in wire order
	CPC     byte    // calling party's category
	TMR     byte    // transmission medium requirement (ITU only)
	USI     []byte  // user service information (ANSI only)
	Called  Number  // called party number
	Calling Number  // calling party number (optional: Present says whether it was there)
	JIP     Digits  // jurisdiction information (optional)
	OLI     byte    // originating line information, when HasOLI
	HasOLI  bool
	opt     int // offset of the first optional parameter; 0 when there is no optional part
}

// Present reports whether the IAM was decoded: {$ISUP.IsPresent}.
func (d *IAM) Present() bool { return d.ok }

// Message returns the ISUP message the IAM was decoded from.
func (d *IAM) Message() []byte { return d.msg }

// Optional calls yield with each optional parameter in message order, end marker excluded,
// until yield returns false. Decode has checked every length, so this walk needs no checks of its
// own beyond the loop's.
func (d *IAM) Optional(yield func(code byte, value []byte) bool) {
	if !d.ok || d.opt == 0 {
		return
	}
	for off := d.opt; off+1 < len(d.msg) && d.msg[off] != ParamEnd; {
		end := off + 2 + int(d.msg[off+1])
		if end > len(d.msg) || !yield(d.msg[off], d.msg[off+2:end]) {
			return
		}
		off = end
	}
}

const hexDigits = "0123456789ABCDEF"

// AppendNCI appends {$ISUP.NCI}: the octet as 2 upper-case hex digits; nothing for no IAM.
func (d *IAM) AppendNCI(dst []byte) []byte {
	if !d.ok {
		return dst
	}
	return appendHex(dst, d.NCI)
}

// AppendFCI appends {$ISUP.FCI}: the 2 octets in wire order as 4 upper-case hex digits.
func (d *IAM) AppendFCI(dst []byte) []byte {
	if !d.ok {
		return dst
	}
	return appendHex(appendHex(dst, d.FCI[0]), d.FCI[1])
}

// AppendCPC appends {$ISUP.CPC}: the octet in decimal.
func (d *IAM) AppendCPC(dst []byte) []byte {
	if !d.ok {
		return dst
	}
	return appendDecimal(dst, d.CPC)
}

// AppendOLI appends {$ISUP.ParamOLI}: the octet in decimal; nothing when the IAM has none.
func (d *IAM) AppendOLI(dst []byte) []byte {
	if !d.ok || !d.HasOLI {
		return dst
	}
	return appendDecimal(dst, d.OLI)
}

func appendHex(dst []byte, b byte) []byte { return append(dst, hexDigits[b>>4], hexDigits[b&15]) }

func appendDecimal(dst []byte, b byte) []byte {
	switch {
	case b >= 100:
		return append(dst, '0'+b/100, '0'+b/10%10, '0'+b%10)
	case b >= 10:
		return append(dst, '0'+b/10, '0'+b%10)
	}
	return append(dst, '0'+b)
}
