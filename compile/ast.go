package compile

import (
	"github.com/smcproject/smc/compile/jsonpos"
	"github.com/smcproject/smc/runtime/xmlscan"
)

// The checked tree: what check makes of a profile's JSON, with every value validated and every
// position kept for the code generator's own errors. Names follow the profile's keys.

type profileNode struct {
	id    int64
	name  string
	rules []*ruleNode
}

type ruleNode struct {
	pos     jsonpos.Pos
	index   int
	comment string
	scope   Scope

	dataFile    string
	dataFilePos jsonpos.Pos
	keyCol      int

	vars     []*varNode
	and      bool
	conds    []*condNode
	action   string // DROP_MSG, DROP_MSG_RECORD, REPLACE_MSG
	defs     []*defNode
	breakOut bool
}

type selectNode struct {
	kind      SelectKind
	header    string // without the trailing colon; the literal text for SelectLiteral
	headerPos jsonpos.Pos
	macro     Macro
	macroPos  jsonpos.Pos
	re1, re2  string
	re1Pos    jsonpos.Pos
	re2Pos    jsonpos.Pos
	hasRe1    bool
	hasRe2    bool
	path      xmlscan.Path // XML_BODY
}

type varNode struct {
	pos      jsonpos.Pos
	name     string // without {$ and }
	namePos  jsonpos.Pos
	reserved Reserved
	sel      selectNode
}

type condNode struct {
	pos        jsonpos.Pos
	sel        selectNode
	op         Operator
	negate     bool
	opName     string
	opPos      jsonpos.Pos
	operand    string
	hasOperand bool
	operandPos jsonpos.Pos
}

type defNode struct {
	pos       jsonpos.Pos
	typ       ReplaceType
	typPos    jsonpos.Pos
	sel       selectNode
	hasSel    bool
	output    string
	hasOutput bool
	outputPos jsonpos.Pos
}
