package reference

import (
	"fmt"
	"strings"
)

// ISUP (SMC-SPEC §4, docs/semantics.md "ISUP"): the IAM of an application/ISUP body or part of
// the message as received, read byte by byte from the spec's layouts, and its values as text.

// isupValue is the value of an {$ISUP.*} variable.
func (st *state) isupValue(name string) string {
	v := decodeIAM(st.isupBody())
	if name == "ISUP.IsPresent" {
		if v == nil {
			return "0"
		}
		return "1"
	}
	if v == nil {
		return ""
	}
	return v[strings.TrimPrefix(name, "ISUP.")]
}

// isupBody finds the ISUP message of the received message and whether its layout is ANSI. ok is
// false when there is none.
func (st *state) isupBody() (msg string, ansi, ok bool) {
	m := st.orig
	i := m.find("content-type")
	if i < 0 {
		return "", false, false
	}
	ctype := m.value(i)
	lines := m.lines[m.bodyStart():]
	if typ, sub, params, _ := mediaType(ctype); typ == "application" && sub == "isup" {
		return joinLines(lines), ansiVersion(params), true
	}
	parts, readable := readMultipart(ctype, lines)
	if !readable {
		return "", false, false
	}
	for _, p := range parts {
		typ, sub, params, _ := mediaType(p.ctype)
		if typ != "application" || sub != "isup" {
			continue
		}
		// docs/semantics.md "ISUP": a transfer encoding other than these is not undone.
		if p.hasEncoding {
			switch strings.ToLower(strings.Trim(p.encoding, " \t\r\n")) {
			case "binary", "8bit", "7bit":
			default:
				return "", false, false
			}
		}
		// The line break before the delimiter is the delimiter's (RFC 2046), not content.
		content := ""
		if p.contentFrom < p.until {
			content = joinLines(lines[p.contentFrom:p.until-1]) + lines[p.until-1].text
		}
		return content, ansiVersion(params), true
	}
	return "", false, false
}

func joinLines(lines []line) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.text + l.eol)
	}
	return b.String()
}

// ansiVersion: a version parameter starting with "ansi", in any case, selects ANSI T1.113;
// anything else, and none, ITU-T Q.763.
func ansiVersion(params string) bool {
	v := mimeParam(params, "version")
	return len(v) >= 4 && strings.EqualFold(v[:4], "ansi")
}

// decodeIAM decodes an IAM and returns its values by variable name (without "ISUP."), or nil
// when msg is not an IAM read whole.
//
// ITU-T Q.763: type 01, NCI, FCI (2), CPC, TMR, a pointer to the called party number, a pointer
// to the optional part. ANSI T1.113: type 01, NCI, FCI (2), CPC, pointers to the user service
// information, the called party number and the optional part. A pointer counts from its own
// octet; a variable parameter is a length octet and that many octets; the optional part is
// code, length, value triples up to a code 0. No two of these parts may share an octet
// (docs/semantics.md, ISUP).
func decodeIAM(msg string, ansi, ok bool) map[string]string {
	if !ok || len(msg) == 0 || msg[0] != 0x01 {
		return nil
	}
	firstPointer, variables := 6, 1
	if ansi {
		firstPointer, variables = 5, 2
	}
	afterPointers := firstPointer + variables + 1
	if len(msg) < afterPointers {
		return nil
	}
	var called string
	used := make([]bool, len(msg)) // the octets some part of the IAM holds
	claim := func(from, to int) bool {
		for i := from; i < to; i++ {
			if used[i] {
				return false
			}
			used[i] = true
		}
		return true
	}
	for k := 0; k < variables; k++ {
		at := firstPointer + k + int(msg[firstPointer+k])
		if msg[firstPointer+k] == 0 || at < afterPointers || at >= len(msg) || at+1+int(msg[at]) > len(msg) {
			return nil
		}
		called = msg[at+1 : at+1+int(msg[at])] // the last one is the called party number
		if !claim(at, at+1+len(called)) {
			return nil
		}
	}
	cdpn, ok := numberDigits(called)
	if !ok {
		return nil
	}
	v := map[string]string{
		"NCI": fmt.Sprintf("%02X", msg[1]), "FCI": fmt.Sprintf("%02X%02X", msg[2], msg[3]),
		"CPC": fmt.Sprint(msg[4]), "CdPN": cdpn, "CPN": "", "ParamJIP": "", "ParamJP": "", "ParamOLI": "",
	}
	pointer := firstPointer + variables
	if msg[pointer] == 0 {
		return v
	}
	seen := map[byte]bool{}
	for at := pointer + int(msg[pointer]); ; {
		if at < afterPointers || at >= len(msg) {
			return nil
		}
		code := msg[at]
		if code == 0 {
			if !claim(pointer+int(msg[pointer]), at+1) {
				return nil
			}
			return v
		}
		if at+1 >= len(msg) || at+2+int(msg[at+1]) > len(msg) {
			return nil
		}
		value := msg[at+2 : at+2+int(msg[at+1])]
		at += 2 + len(value)
		var text string
		switch code {
		case 0x0A:
			if text, ok = numberDigits(value); !ok {
				return nil
			}
		case 0xC4:
			if text, ok = signals(value, 2*len(value)); !ok || value == "" {
				return nil
			}
		case 0xEA:
			if len(value) != 1 {
				return nil
			}
			text = fmt.Sprint(value[0])
		default:
			continue
		}
		if !seen[code] { // the first of a parameter given twice counts; each must be well formed
			seen[code] = true
			switch code {
			case 0x0A:
				v["CPN"] = text
			case 0xC4:
				v["ParamJIP"], v["ParamJP"] = text, text
			case 0xEA:
				v["ParamOLI"] = text
			}
		}
	}
}

// numberDigits reads a called or calling party number: the odd/even bit and nature of address,
// an indicator octet, then the address signals; with an odd count the last high nibble is filler.
func numberDigits(value string) (string, bool) {
	if len(value) < 2 {
		return "", false
	}
	count := 2 * (len(value) - 2)
	if value[0]&0x80 != 0 {
		count--
	}
	if count < 0 {
		return "", false
	}
	return signals(value[2:], count)
}

// signals reads count BCD address signals, low nibble first: 0-9, 11 as *, 12 as #, and 15 (ST)
// only as the last signal, dropped. Any other code (10, 13, 14) makes the IAM unreadable.
func signals(octets string, count int) (string, bool) {
	var b strings.Builder
	for i := 0; i < count; i++ {
		c := octets[i/2] & 0x0F
		if i%2 == 1 {
			c = octets[i/2] >> 4
		}
		switch {
		case c <= 9:
			b.WriteByte('0' + c)
		case c == 11:
			b.WriteByte('*')
		case c == 12:
			b.WriteByte('#')
		case c == 15 && i == count-1:
		default:
			return "", false
		}
	}
	return b.String(), true
}
