// Package jsonpos reads a profile's JSON into a tree that remembers where every value came from,
// and reports every syntax error of the file rather than the first.
//
// Profiles are written by hand, often after the vendor guide, whose own examples have missing
// commas, `\$` escapes, trailing commas and unquoted text. A reader that stops at the first
// mistake makes the engineer run the compiler once per typo, so this one keeps going: after each
// error it guesses what the writer meant (a missing comma, a missing quote, a missing closing
// brace), records the error, and carries on with that guess. The guesses are chosen so that one
// mistake gives one error, not a cascade.
//
// The grammar accepted without error is exactly RFC 8259. The only leniency is a byte-order mark
// at the start of the file, which editors on Windows add and which carries no meaning.
package jsonpos

import "strconv"

// MaxDepth is how deeply arrays and objects may nest, the document's own array or object being
// the first level. A profile needs five (profile, Rules, rule, Conditions, condition); 64 leaves
// room for anything a person writes while bounding the parser's recursion, so that a hostile
// file cannot exhaust the stack. A deeper value is skipped, with one error.
const MaxDepth = 64

// MaxErrors is how many errors Parse reports before it gives up with "too many errors". Past that
// the file is most likely not JSON at all (a CSV or a SIP message given by mistake), and the rest
// would be noise that hides the first, useful errors.
const MaxErrors = 100

// Pos is a 1-based line and column in the input. The column counts bytes from the start of the
// line, as the Go compiler does, so that it is exact whatever the editor thinks a character is.
// Only LF ends a line: in a CRLF file the CR is the last byte of its line and never shifts the
// columns of the next one.
type Pos struct{ Line, Col int }

// String formats the position as LINE:COL, the form editors jump to.
func (p Pos) String() string { return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col) }

// before reports whether p comes before q in the file.
func (p Pos) before(q Pos) bool { return p.Line < q.Line || p.Line == q.Line && p.Col < q.Col }

// Kind is the JSON type of a Value.
type Kind uint8

// The kinds of JSON value, in the order of RFC 8259 §3.
const (
	Null   Kind = iota // null
	Bool               // true or false: Value.Bool
	Number             // a number, kept as its text: Value.Text
	String             // a string, unescaped: Value.Text
	Array              // Value.Elems
	Object             // Value.Members, in file order
)

var kindNames = [...]string{"null", "boolean", "number", "string", "array", "object"}

// String names the kind as an error message says it: "a string, not a number".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one JSON value with its place in the file. Which fields are set depends on Kind.
type Value struct {
	Kind Kind
	Pos  Pos // where the value starts
	End  Pos // just after the value ends
	// Str is the decoded text of a String and the literal of a Number as written, so that a later
	// stage decides how wide an integer may be and can quote the number back exactly.
	Str  string
	Bool bool
	// Members holds an Object's members in source order. Duplicate keys are all kept: a later
	// stage reports them, with both positions.
	Members []Member
	Elems   []*Value // Array elements
}

// Member is one key and value of an object. A member whose value could not be read at all is
// left out of its object (the error says why), so Value is never nil.
type Member struct {
	Key    string
	KeyPos Pos
	Value  *Value
}

// Error is one syntax error: where it is and what was expected there.
type Error struct {
	Pos Pos
	Msg string
}

// Error formats the error as LINE:COL: message; the caller puts the file name in front.
func (e Error) Error() string { return e.Pos.String() + ": " + e.Msg }
