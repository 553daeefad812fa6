package reference

import (
	"fmt"
	"strconv"
	"strings"
)

// Variables (SMC-SPEC §4): names, the reserved names, and the expansion of {$...} references.

var reservedNames = []string{
	"SIP.RemoteIP", "SIP.RemotePort", "SIP.LocalIP", "SIP.LocalPort", "SIP.Transport",
	"SMC.Date", "SMC.Rand1000", "SMC.Rand10000", "SMC.Rand100000",
	"ISUP.IsPresent", "ISUP.NCI", "ISUP.FCI", "ISUP.CPC", "ISUP.CPN", "ISUP.CdPN",
	"ISUP.ParamJIP", "ISUP.ParamJP", "ISUP.ParamOLI",
}

func isReserved(name string) bool {
	_, field := dataField(name)
	return field || contains(reservedNames, name)
}

func isRandom(name string) bool {
	return strings.HasPrefix(name, "SMC.Rand") && contains(reservedNames, name)
}

// dataField reads DataFile.FieldN; N counts from 1 (docs/semantics.md §4).
func dataField(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, "DataFile.Field")
	if !ok || digits == "" || digits[0] == '0' {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil
}

// isGroup: a name of digits only names the current match or a capture group, never a variable
// (SMC-SPEC §4).
func isGroup(name string) bool {
	return strings.Trim(name, "0123456789") == "" && name != ""
}

// validName: letters, digits, '-', '_' and '.'.
func validName(name string) bool {
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return name != ""
}

// references returns the names referenced in s, in order. A "{$" that does not start a valid
// reference is an error (docs/semantics.md §4).
func references(s string) ([]string, error) {
	var names []string
	for {
		i := strings.Index(s, "{$")
		if i < 0 {
			return names, nil
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 || !validName(s[i+2:i+end]) {
			return nil, fmt.Errorf("%q is not a {$NAME} reference", s[i:])
		}
		names = append(names, s[i+2:i+end])
		s = s[i+end+1:]
	}
}

// expand replaces every reference in s by its value. An expansion longer than a message can be
// is an overflow (limits.go).
func (st *state) expand(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "{$")
		if i < 0 {
			b.WriteString(s)
			break
		}
		end := strings.IndexByte(s[i:], '}')
		b.WriteString(s[:i])
		b.WriteString(st.value(s[i+2 : i+end]))
		s = s[i+end+1:]
	}
	if b.Len() > maxSize {
		st.overflow = true
		return ""
	}
	return b.String()
}

// value is a variable's value now: a user variable's copy, or a reserved variable's, or a
// capture group of the current match (empty when it took no part in the match).
func (st *state) value(name string) string {
	if isGroup(name) {
		n, _ := strconv.Atoi(name)
		if n < len(st.match) {
			return st.match[n]
		}
		return ""
	}
	if !isReserved(name) {
		return st.vars[name]
	}
	env := st.env
	switch name {
	case "SIP.RemoteIP":
		return env.Remote.Addr().Unmap().String()
	case "SIP.RemotePort":
		return strconv.Itoa(int(env.Remote.Port()))
	case "SIP.LocalIP":
		return env.Local.Addr().Unmap().String()
	case "SIP.LocalPort":
		return strconv.Itoa(int(env.Local.Port()))
	case "SIP.Transport":
		return env.Transport
	case "SMC.Date":
		return env.Now.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")
	case "SMC.Rand1000", "SMC.Rand10000", "SMC.Rand100000":
		return strconv.Itoa(env.Rand)
	case "ISUP.IsPresent", "ISUP.NCI", "ISUP.FCI", "ISUP.CPC", "ISUP.CPN", "ISUP.CdPN",
		"ISUP.ParamJIP", "ISUP.ParamJP", "ISUP.ParamOLI":
		return st.isupValue(name) // isup.go
	}
	if n, ok := dataField(name); ok && st.row != nil {
		return field(st.row, n)
	}
	return ""
}

// checkReferences checks every expanded text of the profile: each reference names a variable
// some rule defines or a reserved one, and DataFile fields appear only in rules with a DataFile.
func (r *reader) checkReferences(p *Profile) {
	defined := map[string]bool{}
	for _, rule := range p.Rules {
		for _, v := range rule.Vars {
			defined[v.Name] = true
		}
	}
	for _, rule := range p.Rules {
		r.checkGroups(rule)
		for _, text := range expandedTexts(rule) {
			names, err := references(text)
			if err != nil {
				r.fail("rule %d: %v", rule.Index, err)
			}
			for _, n := range names {
				col, field := dataField(n)
				switch {
				case isGroup(n):
					// checkGroups checks it, where it knows which text it is in
				case field && rule.Data == nil:
					r.fail("rule %d: {$%s} without a DataFile", rule.Index, n)
				case field && col > maxFields:
					r.fail("rule %d: {$%s} is past column %d", rule.Index, n, maxFields)
				case !defined[n] && !isReserved(n):
					r.fail("rule %d: {$%s} is not defined", rule.Index, n)
				}
			}
		}
	}
}

// checkGroups checks the {$N} references of a rule (SMC-SPEC §6): only in the Output of
// FINDSUB_LINES, FINDINSERTAFTER_LINES and FINDINSERTBEFORE_LINES with a RegEx1, and N at most
// the number of groups of RegEx2 when there is one, else of RegEx1.
func (r *reader) checkGroups(rule *Rule) {
	groups := func(text string) []int {
		names, _ := references(text)
		var ns []int
		for _, n := range names {
			if isGroup(n) {
				k, err := strconv.Atoi(n)
				if err != nil || len(n) > 1 {
					k = 10
				}
				ns = append(ns, k)
			}
		}
		return ns
	}
	for _, d := range rule.Defs {
		if d.Type == "SET_DSCP" || d.Type == "SET_MARK" {
			continue
		}
		most := -1
		switch {
		case d.Type != "FINDSUB_LINES" && !strings.HasPrefix(d.Type, "FINDINSERT"):
		case d.Sel.Re2 != nil:
			most = d.Sel.Re2.NumSubexp()
		case d.Sel.Re1 != nil:
			most = d.Sel.Re1.NumSubexp()
		}
		for _, k := range groups(d.Output) {
			if k > most {
				r.fail("rule %d: {$%d} where the match has %d groups", rule.Index, k, most)
			}
		}
	}
	for _, v := range rule.Vars {
		if !v.Reserved && v.Sel.Attr == "CONDITION_LITERAL" && len(groups(v.Sel.Header)) > 0 {
			r.fail("rule %d: a capture group in a variable", rule.Index)
		}
	}
	for _, c := range rule.Conds {
		if len(groups(c.Sel.Header)) > 0 && c.Sel.Attr == "CONDITION_LITERAL" || expandsOperand(c.Op) && len(groups(c.Operand)) > 0 {
			r.fail("rule %d: a capture group in a condition", rule.Index)
		}
	}
}

// expandedTexts lists a rule's texts that are expanded, in the order the rule reads them:
// CONDITION_LITERAL headers of variables, then of each condition with its operand, then Outputs.
// A pattern operand is not expanded, and a lookup's operand only names a column.
func expandedTexts(rule *Rule) []string {
	var texts []string
	for _, v := range rule.Vars {
		if !v.Reserved && v.Sel.Attr == "CONDITION_LITERAL" {
			texts = append(texts, v.Sel.Header)
		}
	}
	for _, c := range rule.Conds {
		if c.Sel.Attr == "CONDITION_LITERAL" {
			texts = append(texts, c.Sel.Header)
		}
		if expandsOperand(c.Op) {
			texts = append(texts, c.Operand)
		}
	}
	for _, d := range rule.Defs {
		if d.Type != "SET_DSCP" && d.Type != "SET_MARK" {
			texts = append(texts, d.Output)
		}
	}
	return texts
}

// expandsOperand reports whether an operator's RightOperand is expanded: a pattern is not, and a
// lookup's operand only names a column.
func expandsOperand(op string) bool {
	return op != "REGEX" && !strings.HasPrefix(op, "BSEARCH") && op != "IP_LOOKUP"
}

// usesRandom reports whether a rule imports or references a {$SMC.RandN} (SMC-SPEC §7).
func usesRandom(rule *Rule) bool {
	for _, v := range rule.Vars {
		if isRandom(v.Name) {
			return true
		}
	}
	for _, text := range expandedTexts(rule) {
		names, _ := references(text)
		for _, n := range names {
			if isRandom(n) {
				return true
			}
		}
	}
	return false
}
