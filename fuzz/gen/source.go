// Package gen turns a fuzzer's bytes into a test case for the SMC engine: a chain of well-formed
// profiles (their JSON text and the CSV data files they name), one SIP message, and the packet's
// environment. The same bytes always give the same case, and any bytes, even none, give a
// complete one, so a fuzz target spends its time on what the profiles and the message do rather
// than on getting past the compiler's checks.
//
// The vocabulary (vocab.go) is chosen to reach every fast path of the compiler and the Machine:
// literal and anchored-literal patterns, sequence patterns, RE2 patterns whose answer depends on
// leftmost-longest matching, dispatch tables, interned and compact header names, every operator,
// macro, action and replace type, reserved variables, data file lookups, directives and packet
// actions. It imports nothing from compile/ or runtime/: it says what SMC-SPEC.md allows, not
// what the engine happens to accept.
//
// XML bodies, whole and in multipart bodies, are generated (xml.go), and multipart bodies around
// an SDP offer (sdp.go); ISUP bodies are not.
package gen

// A source hands out decisions read from the fuzzer's bytes. When the bytes run out every
// decision is 0: the first choice of each list, no option taken, so generation always ends.
type source struct {
	b []byte
	i int
}

func (s *source) byte() byte {
	if s.i >= len(s.b) {
		return 0
	}
	s.i++
	return s.b[s.i-1]
}

// intn returns a number in 0..n-1; one byte decides it when n <= 256, two otherwise.
func (s *source) intn(n int) int {
	if n <= 1 {
		return 0
	}
	v := int(s.byte())
	if n > 256 {
		v = v<<8 | int(s.byte())
	}
	return v % n
}

// chance is true one time in k. Exhausted bytes give false, so options stay off.
func (s *source) chance(k int) bool { return s.intn(k) == k-1 }

// between returns a number in lo..hi.
func (s *source) between(lo, hi int) int { return lo + s.intn(hi-lo+1) }

func pick[T any](s *source, list []T) T { return list[s.intn(len(list))] }
