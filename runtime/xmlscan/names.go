package xmlscan

import "unicode/utf8"

// Names (XML 1.0 fifth edition, §2.3): NameStartChar, then NameChar. Colons are name characters
// here; where a name must be a qualified name, the caller checks them.

// nameEnd returns where the name that starts at b[i] ends: i when no name starts there.
func nameEnd(b []byte, i int) int {
	start := i
	for i < len(b) && asciiName[b[i]]&(1+boolByte(i > start)) != 0 {
		i++ // the common case: ASCII, one table lookup
	}
	for i < len(b) {
		r, n := rune(b[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
		}
		if !isNameStart(r) && (i == start || !isNameRest(r)) {
			break
		}
		i += n
	}
	return i
}

// startsName reports whether b starts with a NameStartChar.
func startsName(b []byte) bool {
	r, n := utf8.DecodeRune(b)
	return len(b) > 0 && (n > 1 || r != utf8.RuneError) && isNameStart(r)
}

func isNameStart(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r == ':'
	}
	return r >= 0xC0 && r <= 0xD6 || r >= 0xD8 && r <= 0xF6 || r >= 0xF8 && r <= 0x2FF ||
		r >= 0x370 && r <= 0x37D || r >= 0x37F && r <= 0x1FFF || r >= 0x200C && r <= 0x200D ||
		r >= 0x2070 && r <= 0x218F || r >= 0x2C00 && r <= 0x2FEF || r >= 0x3001 && r <= 0xD7FF ||
		r >= 0xF900 && r <= 0xFDCF || r >= 0xFDF0 && r <= 0xFFFD || r >= 0x10000 && r <= 0xEFFFF
}

func isNameRest(r rune) bool {
	return r >= '0' && r <= '9' || r == '-' || r == '.' || r == 0xB7 ||
		r >= 0x300 && r <= 0x36F || r >= 0x203F && r <= 0x2040
}

// asciiName has bit 1 for the ASCII characters that start a name and bit 2 for those that may
// follow the first.
var asciiName = func() (t [256]uint8) {
	for c := range utf8.RuneSelf {
		if isNameStart(rune(c)) {
			t[c] |= 1 | 2
		}
		if isNameRest(rune(c)) {
			t[c] |= 2
		}
	}
	return t
}()

func boolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
