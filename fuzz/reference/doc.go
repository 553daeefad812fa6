// Package reference is a second, independent reading of SMC-SPEC.md: an interpreter that applies
// a chain of profiles to one SIP message directly from the profile's JSON tree and the message's
// text, for tests to compare the real engine (compile + runtime) against.
//
// It exists to prove the engine, so it follows three rules that the engine does not:
//
//   - Simple. Every step is the spec's sentence turned into the most direct code: profiles are
//     decoded with encoding/json, a message is a list of lines held as strings, a header's name
//     is found again each time it is compared, a data file is searched row by row, patterns run
//     on Go's regexp (leftmost-longest). A reader checks it against the spec one section at a
//     time; the file names follow the spec's sections.
//   - Slow. Nothing is precomputed, cached, interned, dispatched or compared eight bytes at a
//     time. Speed is not a goal; it runs in tests only.
//   - Independent. It imports nothing from compile/, match/, runtime/ or datafile/, and no package
//     that they import for their logic (not go-re2, not runtime/sip): a shared helper would make
//     both sides wrong together. Where the spec is silent, it follows the decision written in
//     docs/semantics.md, and the code cites it, so the two sides agree on the record rather than
//     on shared code.
//
// ISUP bodies are decoded by isup.go, a byte-by-byte reading of SMC-SPEC §4's layouts on strings,
// and multipart bodies read by multipart.go, line by line, for both the ISUP part and the lines
// BODY_SECTION_ONLY selects (docs/semantics.md "Multipart bodies"). XML bodies (SMC-SPEC §3.1)
// are read by xml.go with encoding/xml, where the engine has a scanner of its own, and paths are
// matched by a memoised recursion over each element's ancestors, where the engine carries step
// sets; where encoding/xml cannot decide (names outside ASCII), Result.XMLUndecided says so.
// sdp.go reads media sections and their formats as strings for SDP_REMOVE_CODECS and
// SDP_KEEP_CODECS.
//
// What it leaves out: random numbers must be fixed by Env.Rand, and warnings are not reported.
// It checks profiles only as far as a test needs to know that a profile is invalid; its error
// messages are terse, without positions.
//
// Tests use it two ways: fuzz/reference_cases_test.go runs every txtar case of testdata/spec and
// examples/ through it alone (which is what makes it trustworthy), and FuzzDifferential
// (fuzz/differential_test.go) runs generated chains and messages through both it and the engine
// and requires the same results.
package reference
