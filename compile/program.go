package compile

import (
	"github.com/smcproject/smc/datafile"
	"github.com/smcproject/smc/match"
	"github.com/smcproject/smc/runtime/xmlscan"
)

// A Program is one compiled profile: a flat list of instructions plus the side tables they index
// (selectors, conditions, replace definitions, templates, matchers, interned header names, data
// tables). A Program is immutable once built and safe to share between goroutines; each worker runs
// it with its own runtime.Machine.
type Program struct {
	File string // the profile file, for traces and audit records
	ID   int64  // ProfileID
	Name string // ProfileName

	Rules []Rule
	Insts []Inst

	Selectors  []Selector
	Conds      []Cond
	Vars       []VarDef
	Defs       []ReplaceDef
	Templates  []Template
	Matchers   []*match.Matcher
	HeaderName []string // interned header names, long form as written in the profile
	Tables     []*Table

	// NumVars is the number of user variable slots; VarNames[i] names slot i ("{$PAI-UserName}").
	NumVars  int
	VarNames []string

	Dispatch Dispatch
}

// A Rule is a range of instructions with its scope.
type Rule struct {
	Index   int    // 0-based, as the guide's traces count ("rule seq 0")
	Comment string // shown in traces
	Line    int    // source line of the rule's opening brace
	Scope   Scope
	Imports []Part // the reserved variables the rule imports, for traces
	Start   int    // first instruction
	End     int    // one past the last instruction
}

// A Scope is what a rule's MsgType, ReqMethod and RspCodeList accept. The dispatch table is built
// from it; the runtime checks it again only for a response's CSeq method (runtime/dispatch.go),
// which the table does not resolve.
type Scope struct {
	Response bool
	Methods  []string // nil: every method; for responses, the CSeq method
	Codes    []string // RESPONSE only: 3-character patterns of digits and 'X'; nil: every code
}

// Opcode is an instruction's operation. Its constants carry the Op prefix; comparison operators carry Cmp.
type Opcode uint8

const (
	OpSetVar     Opcode = iota + 1 // Arg: index into Vars
	OpRandomRow                    // Arg: table slot of the rule (Tables); B: reserved Rand variable
	OpCond                         // Arg: index into Conds; sets the condition flag
	OpJumpFalse                    // Arg: instruction to jump to when the flag is false
	OpJumpTrue                     // Arg: instruction to jump to when the flag is true
	OpTrue                         // the rule evaluated TRUE: its actions follow
	OpFalse                        // the rule evaluated FALSE: end of rule
	OpDrop                         // DROP_MSG
	OpDropRecord                   // DROP_MSG_RECORD
	OpReplace                      // Arg: index into Defs
	OpBreak                        // Break: 1, stop the rest of the profile
	OpEnd                          // end of the rule
)

var opNames = [...]string{
	OpSetVar: "SETVAR", OpRandomRow: "RANDROW", OpCond: "COND", OpJumpFalse: "JUMPF",
	OpJumpTrue: "JUMPT", OpTrue: "TRUE", OpFalse: "FALSE", OpDrop: "DROP", OpDropRecord: "DROPREC",
	OpReplace: "REPLACE", OpBreak: "BREAK", OpEnd: "END",
}

func (o Opcode) String() string {
	if int(o) < len(opNames) && opNames[o] != "" {
		return opNames[o]
	}
	return "OP?"
}

// An Inst is one instruction.
type Inst struct {
	Op  Opcode
	Arg int32
	B   int32
}

// SelectKind says where a selector takes its text from (SMC-SPEC §3).
type SelectKind uint8

const (
	SelectHeader  SelectKind = iota + 1 // header lines by interned name
	SelectTopLine                       // the start line
	SelectBody                          // body lines by prefix
	SelectLiteral                       // CONDITION_LITERAL: the expanded Header text
	SelectXML                           // XML_BODY: the values Path selects in the received XML (SMC-SPEC §3.1)
)

// Macro narrows a value to a part of a SIP URI (SMC-SPEC §3).
type Macro uint8

const (
	MacroNone        Macro = iota // the whole value
	MacroDisplayName              // GETDISPLAYNAME: the display name, without quotes
	MacroURI                      // GETURI: the URI inside <>, or the bare URI
	MacroUser                     // GETURI_USERNAME: the user part (tel: the number)
	MacroHost                     // GETURI_HOST: the host
	MacroPort                     // GETURI_PORT: the port
	MacroParams                   // GETURI_PARAMETERS: the URI's ;parameters
)

var macroNames = [...]string{"", "GETDISPLAYNAME", "GETURI", "GETURI_USERNAME", "GETURI_HOST", "GETURI_PORT", "GETURI_PARAMETERS"}

func (m Macro) String() string { return macroNames[m] }

// A Selector picks text from the message: lines, then a macro part, then RegEx1 and RegEx2.
type Selector struct {
	Kind    SelectKind
	Name    int    // SelectHeader: index into HeaderName
	Prefix  []byte // SelectBody: the line prefix
	Literal int    // SelectLiteral: index into Templates
	Macro   Macro
	Re1     int // index into Matchers, or -1
	Re2     int // index into Matchers, or -1
	Header  string
	Path    xmlscan.Path // SelectXML: Header compiled
}

// Operator is a condition's comparison (SMC-SPEC §5). Negated operators are stored as their
// positive twin plus Cond.Negate, so the runtime has one implementation per comparison.
type Operator uint8

const (
	CmpEQ          Operator = iota + 1 // EQ: the selected value equals the operand
	CmpIEQ                             // I_EQ: equal, ASCII case folded
	CmpPrefix                          // PREFIX: the value starts with the operand
	CmpIPrefix                         // I_PREFIX: PREFIX, ASCII case folded
	CmpSuffix                          // SUFFIX: the value ends with the operand
	CmpISuffix                         // I_SUFFIX: SUFFIX, ASCII case folded
	CmpContains                        // CONTAINS: the operand occurs in the value
	CmpIContains                       // I_CONTAINS: CONTAINS, ASCII case folded
	CmpGT                              // GT: both integers, value > operand
	CmpGE                              // GE: both integers, value >= operand
	CmpLT                              // LT: both integers, value < operand
	CmpLE                              // LE: both integers, value <= operand
	CmpBetween                         // BETWEEN: an integer within the operand's "lo-hi" range
	CmpRegex                           // REGEX: Cond.Pattern matches the value
	CmpInTable                         // BSEARCH_EQ: the value is a key of Cond.Column (a hash index, not a binary search)
	CmpInTableFold                     // BSEARCH_I_EQ: BSEARCH_EQ, ASCII case folded
	CmpInNetworks                      // IP_LOOKUP: the value is an address inside a network of Cond.Column
	CmpInPrefixes                      // BSEARCH_PREFIX: some key of Cond.Column is a prefix of the value; the longest selects the row
)

// Lookup reports whether the operator searches the rule's DataFile (SMC-SPEC §5: the BSEARCH and
// IP operators), which needs a DataFile and takes no RightOperand but a column.
func (o Operator) Lookup() bool {
	return o == CmpInTable || o == CmpInTableFold || o == CmpInNetworks || o == CmpInPrefixes
}

// A Cond is one condition.
type Cond struct {
	Sel      int      // index into Selectors
	Operator Operator // the positive comparison
	Negate   bool
	Name     string // the operator as written, for traces
	Positive string // the positive twin's name (Name itself for a positive operator)
	Operand  int    // index into Templates (RightOperand), or -1
	Pattern  int    // CmpRegex: index into Matchers
	Table    int    // lookups: index into Tables
	Column   int    // lookups: 1-based searched column
	Line     int    // source line, for traces

	// Index (BSEARCH), Nets (IP_LOOKUP) or Prefixes (BSEARCH_PREFIX) is the prebuilt index over
	// Column of the rule's table.
	Index    *datafile.Index
	Nets     *datafile.Networks
	Prefixes *datafile.Prefixes
}

// A VarDef stores a selected value into a user variable slot.
type VarDef struct {
	Slot int
	Sel  int
	Line int
}

// ReplaceType is what a replace definition does (SMC-SPEC §6).
type ReplaceType uint8

const (
	ReplaceAddLine               ReplaceType = iota + 1 // ADD_LINE: Output as a new line after the first selected line, else at the end of its section
	ReplaceRewriteLine                                  // REWRITE_LINE: the selected line becomes Output
	ReplaceDeleteLines                                  // DELETE_LINES: the selected lines are removed
	ReplaceFindSubLines                                 // FINDSUB_LINES: every match of RegEx1 in the selected spans becomes Output
	ReplaceAppendLines                                  // APPEND_LINES: Output is appended to the selected lines
	ReplaceFindInsertAfterLines                         // FINDINSERTAFTER_LINES: Output inserted after every match of RegEx1
	ReplaceFindInsertBeforeLines                        // FINDINSERTBEFORE_LINES: Output inserted before every match of RegEx1
	ReplaceAuditRecord                                  // AUDIT_RECORD: an audit record with Output as its text
	ReplaceSetDSCP                                      // SET_DSCP: the packet's DSCP (Value)
	ReplaceSetMark                                      // SET_MARK: the packet's netfilter mark (Value)
	ReplaceSDPRemoveCodecs                              // SDP_REMOVE_CODECS: the listed formats leave the selected media sections
	ReplaceSDPKeepCodecs                                // SDP_KEEP_CODECS: only the listed formats stay in the selected media sections
)

var replaceNames = [...]string{"", "ADD_LINE", "REWRITE_LINE", "DELETE_LINES", "FINDSUB_LINES",
	"APPEND_LINES", "FINDINSERTAFTER_LINES", "FINDINSERTBEFORE_LINES", "AUDIT_RECORD", "SET_DSCP", "SET_MARK",
	"SDP_REMOVE_CODECS", "SDP_KEEP_CODECS"}

func (t ReplaceType) String() string { return replaceNames[t] }

// A ReplaceDef is one replace definition.
type ReplaceDef struct {
	Type   ReplaceType
	Sel    int    // index into Selectors, or -1 (AUDIT_RECORD, SET_DSCP, SET_MARK); for the SDP types a body selector of m= lines
	Output int    // index into Templates, or -1
	Value  uint32 // SET_DSCP: the code point; SET_MARK: the mark
	Line   int
}

// Reserved names a reserved variable (SMC-SPEC §4).
type Reserved uint8

const (
	ResRemoteIP      Reserved = iota + 1 // {$SIP.RemoteIP}: the peer's address
	ResRemotePort                        // {$SIP.RemotePort}
	ResLocalIP                           // {$SIP.LocalIP}: this host's address
	ResLocalPort                         // {$SIP.LocalPort}
	ResTransport                         // {$SIP.Transport}: UDP or TCP
	ResDate                              // {$SMC.Date}: the message's time, RFC 1123
	ResRand1000                          // {$SMC.Rand1000}: 1..1000, drawn once per message
	ResRand10000                         // {$SMC.Rand10000}
	ResRand100000                        // {$SMC.Rand100000}
	ResDataField                         // Template parts carry the column in Part.Field
	ResISUPIsPresent                     // {$ISUP.IsPresent}: whether the body has an ISUP IAM
	ResISUPNCI                           // {$ISUP.NCI}: nature of connection indicators
	ResISUPFCI                           // {$ISUP.FCI}: forward call indicators
	ResISUPCPC                           // {$ISUP.CPC}: calling party's category
	ResISUPCPN                           // {$ISUP.CPN}: calling party number
	ResISUPCdPN                          // {$ISUP.CdPN}: called party number
	ResISUPJIP                           // {$ISUP.ParamJIP} (or ParamJP): jurisdiction information
	ResISUPOLI                           // {$ISUP.ParamOLI}: originating line information

	// ResGroup is not a variable: {$0} ... {$9} in the Output of FINDSUB_LINES and the
	// FINDINSERT types, the current match (0) or one of its capture groups (SMC-SPEC §6), with
	// the number in Part.Field. It is kept among the reserved kinds so that a Part built without
	// it is no group reference.
	ResGroup
)

// reservedNames maps the reserved variable names (without "{$" and "}") to their kind.
var reservedNames = map[string]Reserved{
	"SIP.RemoteIP": ResRemoteIP, "SIP.RemotePort": ResRemotePort, "SIP.LocalIP": ResLocalIP,
	"SIP.LocalPort": ResLocalPort, "SIP.Transport": ResTransport, "SMC.Date": ResDate,
	"SMC.Rand1000": ResRand1000, "SMC.Rand10000": ResRand10000, "SMC.Rand100000": ResRand100000,
	"ISUP.IsPresent": ResISUPIsPresent, "ISUP.NCI": ResISUPNCI, "ISUP.FCI": ResISUPFCI,
	"ISUP.CPC": ResISUPCPC, "ISUP.CPN": ResISUPCPN, "ISUP.CdPN": ResISUPCdPN,
	"ISUP.ParamJIP": ResISUPJIP, "ISUP.ParamJP": ResISUPJIP, "ISUP.ParamOLI": ResISUPOLI,
}

// RandMax is the upper bound of a random reserved variable, or 0 for the others.
func (r Reserved) RandMax() int {
	switch r {
	case ResRand1000:
		return 1000
	case ResRand10000:
		return 10000
	case ResRand100000:
		return 100000
	}
	return 0
}

// A Template is a string with {$...} references, split into parts at compile time so that
// expansion is a loop of appends.
type Template struct {
	Text  string // as written, for traces
	Parts []Part
}

// Const reports whether the template has no references, and its text.
func (t *Template) Const() (string, bool) {
	if len(t.Parts) == 0 {
		return "", true
	}
	if len(t.Parts) == 1 && t.Parts[0].Var < 0 && t.Parts[0].Reserved == 0 {
		return t.Parts[0].Lit, true
	}
	return "", false
}

// A Part is a literal, a user variable slot or a reserved variable.
type Part struct {
	Lit      string
	Var      int      // user variable slot, or -1
	Reserved Reserved // or 0
	Field    int      // ResDataField: 1-based column; ResGroup: the group, 0 for the whole match
}

// Groups reports whether the template refers to the current match or its capture groups, so
// that it is expanded once per match rather than once per replace definition.
func (t *Template) Groups() bool {
	for i := range t.Parts {
		if t.Parts[i].Reserved == ResGroup {
			return true
		}
	}
	return false
}

// A Table is a data file as one rule uses it. Conditions carry their own prebuilt indexes;
// KeyIndex serves the random-row selection of SMC-SPEC §7.
type Table struct {
	Path     string // as written in the profile
	Data     *datafile.Table
	KeyCol   int             // DataFileBSearchIndex
	KeyIndex *datafile.Index // exact index over KeyCol, or nil when no random row is selected
}

// Dispatch maps a message's type, method and status code to the rules whose scope can match it,
// so a message visits only those rules. Rule lists are ascending rule indexes. The compiler builds
// it (dispatch.go); the runtime looks messages up in it (runtime/dispatch.go).
type Dispatch struct {
	Methods     []string // request methods named by some rule, in first-seen order
	ByMethod    [][]int  // ByMethod[i]: rules for a request with Methods[i]
	OtherMethod []int    // rules for a request whose method no rule names
	ByCode      [][]int  // ByCode[code-100] for 100..699: response rules whose code list matches
}

// Link rebuilds what a Program derives from its rules (the dispatch table), for a program
// decoded from a bundle: a derived table is not stored, so it cannot disagree with the rules.
func (p *Program) Link() { p.Dispatch = buildDispatch(p.Rules) }
