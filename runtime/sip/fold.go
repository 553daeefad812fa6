package sip

// Lower folds an ASCII upper-case letter to lower case and leaves every other byte alone: SIP
// names and the SMC I_ operators compare ASCII case-insensitively (SMC-SPEC §2, §5), never by
// Unicode rules.
func Lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// EqualFold reports whether a and b are equal under ASCII case folding.
func EqualFold[S ~string | ~[]byte](a []byte, b S) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if Lower(a[i]) != Lower(b[i]) {
			return false
		}
	}
	return true
}
