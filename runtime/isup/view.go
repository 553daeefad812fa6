package isup

import "fmt"

// The decoded view of an IAM for `smcc run --trace`. It formats text and allocates, so only the
// trace calls it.

// View describes what Locate found and what Decode made of it, in lines for the trace: a first
// line saying where the ISUP message is and whether it is an IAM, then for an IAM one line per
// mandatory part and per optional parameter. err is DecodeBody's.
func View(b Body, d *IAM, err error) []string {
	if !b.Found {
		return []string{fmt.Sprintf("no ISUP message: %v; {$ISUP.IsPresent} is 0 and every other {$ISUP.*} empty", err)}
	}
	where := "the body"
	if b.Part > 0 {
		where = fmt.Sprintf("multipart part %d", b.Part)
	}
	head := fmt.Sprintf("%s (%s, %d bytes)", b.Type, where, len(b.Msg))
	if err != nil || !d.Present() {
		return []string{fmt.Sprintf("%s: not an IAM the decoder reads: %v; {$ISUP.IsPresent} is 0 and every other {$ISUP.*} empty", head, err)}
	}
	lines := []string{
		fmt.Sprintf("%s: IAM, %s layout", head, d.Variant),
		fmt.Sprintf("  nature of connection indicators %02X, forward call indicators %02X%02X, calling party's category %d", d.NCI, d.FCI[0], d.FCI[1], d.CPC),
	}
	if d.Variant == ITU {
		lines = append(lines, fmt.Sprintf("  transmission medium requirement %d", d.TMR))
	} else {
		lines = append(lines, fmt.Sprintf("  user service information %X", d.USI))
	}
	lines = append(lines, "  called party number "+numberView(0x04, d.Called.v))
	if d.opt == 0 {
		return append(lines, "  no optional part")
	}
	d.Optional(func(code byte, value []byte) bool {
		lines = append(lines, fmt.Sprintf("  optional 0x%02X %s", code, paramView(d.Variant, code, value)))
		return true
	})
	return lines
}

// paramView describes one optional parameter: its name, and its value decoded where it is a
// number, else in hex.
func paramView(v Variant, code byte, value []byte) string {
	name := ParamName(v, code)
	switch {
	case code == ParamJurisdiction:
		return fmt.Sprintf("%s %s", name, Digits{v: value}.AppendDigits(nil))
	case code == ParamOriginatingLine:
		return fmt.Sprintf("%s %d", name, value[0])
	case numberParams[code] && validNumber(value):
		return fmt.Sprintf("%s %s", name, numberView(code, value))
	case len(value) == 1:
		return fmt.Sprintf("%s, 1 octet: %02X", name, value)
	}
	return fmt.Sprintf("%s, %d octets: %X", name, len(value), value)
}

// numberParams are the optional parameters laid out as a Number (Q.763 §3.9-style: two indicator
// octets, then address signals).
var numberParams = map[byte]bool{0x0A: true, 0x0B: true, 0x0C: true, 0x28: true, 0x3F: true, 0x6F: true, 0xEB: true}

func validNumber(value []byte) bool { return Number{v: value}.valid() }

// numberView shows a number's digits, its nature of address and its second octet's indicators:
// INN and numbering plan for a called or redirection number (codes 0x04, 0x0C), numbering plan,
// presentation and screening for the others, which are laid out as a calling number.
func numberView(code byte, value []byte) string {
	n := Number{v: value}
	digits := string(n.AppendDigits(nil))
	if digits == "" {
		digits = `""`
	}
	ind, parity := n.Indicators(), map[bool]string{false: "even", true: "odd"}[n.Odd()]
	if code == 0x04 || code == 0x0C {
		return fmt.Sprintf("%s (NAI %d, %s, INN %d, NPI %d)", digits, n.NAI(), parity, ind>>7, ind>>4&7)
	}
	return fmt.Sprintf("%s (NAI %d, %s, NPI %d, presentation %d, screening %d)", digits, n.NAI(), parity, ind>>4&7, ind>>2&3, ind&3)
}

// ParamName returns the name of an ISUP parameter code in a variant: Q.763 Table 5's names, and
// T1.113's where ANSI differs; `parameter 0xNN` for a code neither names.
func ParamName(v Variant, code byte) string {
	if name, ok := ansiNames[code]; ok && v == ANSI {
		return name
	}
	if name, ok := ituNames[code]; ok {
		return name
	}
	if name, ok := ansiNames[code]; ok {
		return name
	}
	return fmt.Sprintf("parameter 0x%02X", code)
}

var ituNames = map[byte]string{
	0x01: "call reference", 0x02: "transmission medium requirement", 0x03: "access transport",
	0x04: "called party number", 0x05: "subsequent number", 0x06: "nature of connection indicators",
	0x07: "forward call indicators", 0x08: "optional forward call indicators",
	0x09: "calling party's category", 0x0A: "calling party number", 0x0B: "redirecting number",
	0x0C: "redirection number", 0x0D: "connection request", 0x0E: "information request indicators",
	0x0F: "information indicators", 0x10: "continuity indicators", 0x11: "backward call indicators",
	0x12: "cause indicators", 0x13: "redirection information", 0x18: "facility indicator",
	0x1A: "closed user group interlock code", 0x1D: "user service information",
	0x1E: "signalling point code", 0x20: "user-to-user information", 0x21: "connected number",
	0x23: "transit network selection", 0x24: "event information", 0x28: "original called number",
	0x29: "optional backward call indicators", 0x2A: "user-to-user indicators",
	0x2B: "origination ISC point code", 0x2C: "generic notification indicator",
	0x2D: "call history information", 0x2E: "access delivery information",
	0x2F: "network specific facility", 0x30: "user service information prime",
	0x31: "propagation delay counter", 0x32: "remote operations", 0x33: "service activation",
	0x34: "user teleservice information", 0x35: "transmission medium used",
	0x36: "call diversion information", 0x37: "echo control information",
	0x38: "message compatibility information", 0x39: "parameter compatibility information",
	0x3A: "MLPP precedence", 0x3B: "MCID request indicators", 0x3C: "MCID response indicators",
	0x3D: "hop counter", 0x3E: "transmission medium requirement prime", 0x3F: "location number",
	0x40: "redirection number restriction", 0x43: "call transfer reference",
	0x44: "loop prevention indicators", 0x45: "call transfer number", 0x4B: "CCSS",
	0x4C: "forward GVNS", 0x4D: "backward GVNS", 0x4E: "redirect capability",
	0x5B: "network management controls", 0x65: "correlation id", 0x66: "SCF id",
	0x6E: "call diversion treatment indicators", 0x6F: "called IN number",
	0x70: "call offering treatment indicators", 0x71: "charged party identification",
	0x72: "conference treatment indicators", 0x73: "display information",
	0x74: "UID action indicators", 0x75: "UID capability indicators",
	0x77: "redirect counter", 0x78: "application transport", 0x79: "collect call request",
	0xC0: "generic number", 0xC1: "generic digits",
}

var ansiNames = map[byte]string{
	0xC0: "generic address", 0xC1: "generic digits", 0xC2: "operator services information",
	0xC3: "egress service", 0xC4: "jurisdiction information", 0xC5: "carrier identification",
	0xC6: "business group", 0xC7: "generic name", 0xE1: "notification indicator",
	0xE5: "circuit group characteristic indicator", 0xE6: "circuit validation response indicator",
	0xE7: "outgoing trunk group number", 0xE8: "circuit identification name",
	0xE9: "common language location identification",
	0xEA: "originating line information", 0xEB: "charge number", 0xEC: "service code indicator",
	0xED: "special processing request", 0xEE: "carrier selection information",
	0xEF: "network transport",
}
