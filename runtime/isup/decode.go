package isup

// The IAM's layout (Q.763 §1.4, T1.113.3): the message type; the mandatory fixed parameters,
// each of known length; one pointer per mandatory variable parameter and one to the optional
// part, each an octet counting from itself to its parameter's length octet (0 for the optional
// pointer: no optional part); the mandatory variable parameters, each a length octet and that many
// octets; and the optional parameters, each a code, a length and that many octets, ended by a
// code 0.
//
// A message is decoded only when all of that holds inside it: every pointer is non-zero (the
// optional one excepted), lands past the pointers and inside the message, every length stays
// inside it, the optional part reaches its end code, and no two of the parts the pointers reach
// share an octet. A cut or damaged IAM is therefore refused whatever byte it was cut at. Bytes
// after the IAM, and between its parts, are allowed and ignored.

// layout gives the offsets of a variant's mandatory parts.
type layout struct {
	pointers int // offset of the first pointer: 1 + the length of the mandatory fixed part
	variable int // mandatory variable parameters
}

var layouts = [...]layout{
	ITU:  {pointers: 6, variable: 1}, // NCI, FCI (2), CPC, TMR; called party number
	ANSI: {pointers: 5, variable: 2}, // NCI, FCI (2), CPC; user service information, called party number
}

// Decode decodes msg, an ISUP message from its message type octet on (the body of a SIP-I/SIP-T
// application/ISUP part carries no CIC), as an IAM of variant v. On error d is the zero IAM, which
// is no IAM. d keeps spans of msg.
func (d *IAM) Decode(msg []byte, v Variant) error {
	*d = IAM{}
	if err := d.decode(msg, v); err != nil {
		*d = IAM{}
		return err
	}
	d.ok = true
	return nil
}

func (d *IAM) decode(msg []byte, v Variant) error {
	switch {
	case len(msg) == 0:
		return ErrEmpty
	case msg[0] != TypeIAM:
		return ErrNotIAM
	}
	if v != ANSI {
		v = ITU
	}
	l := layouts[v]
	varStart := l.pointers + l.variable + 1 // after the optional part's pointer
	if len(msg) < varStart {
		return ErrTruncated
	}
	d.msg, d.Variant = msg, v
	d.NCI, d.FCI, d.CPC = msg[1], [2]byte{msg[2], msg[3]}, msg[4]
	if d.Variant == ITU {
		d.TMR = msg[5]
	}
	var parts [3]span // the variable parameters with their length octets, then the optional part
	for k := 0; k < l.variable; k++ {
		value, err := variable(msg, l.pointers+k, varStart)
		if err != nil {
			return err
		}
		at := l.pointers + k + int(msg[l.pointers+k]) // its length octet
		parts[k] = span{at, at + 1 + len(value)}
		if k == l.variable-1 {
			d.Called = Number{value, true}
		} else {
			d.USI = value
		}
	}
	if err := d.Called.check(); err != nil {
		return err
	}
	end, err := d.optional(l.pointers+l.variable, varStart)
	if err != nil {
		return err
	}
	n := l.variable
	if d.opt != 0 {
		parts[n], n = span{d.opt, end}, n+1
	}
	if overlap(parts[:n]) {
		return ErrOverlap
	}
	return nil
}

// span is the octets [start, end) of one part of the message.
type span struct{ start, end int }

// overlap reports whether two of the parts share an octet: pointers that lead into another
// parameter describe no message a switch sent.
func overlap(parts []span) bool {
	for i := range parts {
		for j := i + 1; j < len(parts); j++ {
			if parts[i].start < parts[j].end && parts[j].start < parts[i].end {
				return true
			}
		}
	}
	return false
}

// variable returns the mandatory variable parameter whose pointer is msg[p].
func variable(msg []byte, p, varStart int) ([]byte, error) {
	at := p + int(msg[p])
	switch {
	case msg[p] == 0 || at < varStart:
		return nil, ErrPointer
	case at >= len(msg) || at+1+int(msg[at]) > len(msg):
		return nil, ErrTruncated
	}
	return msg[at+1 : at+1+int(msg[at])], nil
}

// optional reads the optional part whose pointer is msg[p], up to its end code, and returns the
// offset past that code (0 when there is no optional part).
func (d *IAM) optional(p, varStart int) (int, error) {
	if d.msg[p] == 0 {
		return 0, nil
	}
	off := p + int(d.msg[p])
	if off < varStart {
		return 0, ErrPointer
	}
	d.opt = off
	for {
		if off >= len(d.msg) {
			return 0, ErrTruncated
		}
		code := d.msg[off]
		if code == ParamEnd {
			return off + 1, nil
		}
		if off+1 >= len(d.msg) || off+2+int(d.msg[off+1]) > len(d.msg) {
			return 0, ErrTruncated
		}
		end := off + 2 + int(d.msg[off+1])
		if err := d.param(code, d.msg[off+2:end]); err != nil {
			return 0, err
		}
		off = end
	}
}

// param records an optional parameter the reserved variables read. When one is given twice, the
// first counts; each must be well formed.
func (d *IAM) param(code byte, value []byte) error {
	switch code {
	case ParamCallingNumber:
		n := Number{value, true}
		if err := n.check(); err != nil {
			return err
		}
		if !d.Calling.present {
			d.Calling = n
		}
	case ParamJurisdiction:
		j := Digits{value, true}
		switch {
		case len(value) == 0:
			return ErrLength
		case !j.valid():
			return ErrDigits
		}
		if !d.JIP.present {
			d.JIP = j
		}
	case ParamOriginatingLine:
		if len(value) != 1 {
			return ErrLength
		}
		if !d.HasOLI {
			d.OLI, d.HasOLI = value[0], true
		}
	}
	return nil
}

// check says why a number parameter cannot be read: too short for its two indicator octets, or
// signals that are no digits.
func (n Number) check() error {
	switch {
	case len(n.v) < 2:
		return ErrLength
	case !n.valid():
		return ErrDigits
	}
	return nil
}
