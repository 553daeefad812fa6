package compile

import "slices"

// The words of the language, for the tools that describe it (smcc help's quick references) and
// for their tests, which check that a description names every word the compiler accepts.

// Vocabulary lists every name the compiler accepts for one kind of word, sorted.
type Vocabulary struct {
	Actions      []string // Action
	HeaderAttrs  []string // HeaderAttr
	Macros       []string // Macro (the guide's misspelt alias of GETURI_PARAMETERS aside)
	Operators    []string // Operator
	ReplaceTypes []string // ReplaceType
	Reserved     []string // reserved variable names, without "{$" and "}" (DataFile.FieldN as DataFile.Field1)
}

// Words returns the language's vocabulary.
func Words() Vocabulary {
	return Vocabulary{
		Actions:      slices.Sorted(slices.Values(actionNames)),
		HeaderAttrs:  slices.Sorted(slices.Values(headerAttrNames)),
		Macros:       slices.Clone(macroNameList),
		Operators:    slices.Clone(operatorNames),
		ReplaceTypes: slices.Clone(replaceTypeNames),
		Reserved:     slices.Sorted(slices.Values(reservedNameList)),
	}
}
