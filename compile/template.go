package compile

import (
	"sort"
	"strconv"
	"strings"
)

// reservedNameList is every reserved variable name, for suggestions.
var reservedNameList = append(sortedKeys(reservedNames), "DataFile.Field1")

// reservedVariable reports whether name (without {$ and }) is reserved, and which one.
// DataFile.FieldN is reserved for every N >= 1.
func reservedVariable(name string) (Reserved, bool) {
	if r, ok := reservedNames[name]; ok {
		return r, true
	}
	if _, ok := dataField(name); ok {
		return ResDataField, true
	}
	return 0, false
}

// dataField returns N of "DataFile.FieldN".
func dataField(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, "DataFile.Field")
	if !ok || digits == "" || digits[0] == '0' {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil && n >= 1 && n <= 1000
}

// A reference is one {$name} in a string, with its byte offset for error positions.
type reference struct {
	name   string
	offset int
}

// scanTemplate splits s into literal text and {$name} references. It returns the byte offset of
// the first malformed reference ("{$" without a valid name and closing brace), or -1.
func scanTemplate(s string, lit func(string), ref func(reference)) (bad int) {
	pos := 0
	for {
		i := strings.Index(s[pos:], "{$")
		if i < 0 {
			if pos < len(s) {
				lit(s[pos:])
			}
			return -1
		}
		i += pos
		end := strings.IndexByte(s[i:], '}')
		if end < 0 || !validVarName(s[i+2:i+end]) {
			return i
		}
		if i > pos {
			lit(s[pos:i])
		}
		ref(reference{name: s[i+2 : i+end], offset: i})
		pos = i + end + 1
	}
}

// templateRefs returns the references of s, or the offset of a malformed one.
func templateRefs(s string) ([]reference, int) {
	var refs []reference
	bad := scanTemplate(s, func(string) {}, func(r reference) { refs = append(refs, r) })
	return refs, bad
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
