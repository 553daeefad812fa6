package gen

import "strings"

// Variations decided after everything else. They come last so that the bytes of an older corpus
// entry, which run out before reaching them, still describe the case they were found as.

// lineBreaks are put into an Output that edits a line, so that the edit splits the line
// (docs/semantics.md §6), possibly into a line that starts with white space or is empty.
var lineBreaks = []string{"\r\nX-Split: 1", "\n", "\r\n", "\n continued", "x\r\n\r\ny"}

// vary applies the late variations to the profiles' trees and the message. A flawed profile is
// left as it is, since a line break could make its flaw (an empty ADD_LINE Output) legal.
func (s *source) vary(trees []object, flawed int, msg []byte) []byte {
	if i := s.intn(len(trees)); s.chance(4) && i+1 != flawed {
		s.splitOutput(trees[i])
	}
	if s.chance(16) {
		msg = lowerMethod(msg)
	}
	return msg
}

// splitOutput adds a line break to the Output of one edit of the profile.
func (s *source) splitOutput(p object) {
	rules := p["Rules"].([]any)
	defs := list(rules[s.intn(len(rules))].(object), "ReplaceDefs")
	if len(defs) == 0 {
		return
	}
	d := defs[s.intn(len(defs))].(object)
	switch d["ReplaceType"] {
	case "SET_DSCP", "SET_MARK", "DELETE_LINES", "AUDIT_RECORD":
		return
	}
	out, _ := d["Output"].(string)
	brk := pick(s, lineBreaks)
	if s.chance(2) {
		d["Output"] = out + brk
	} else {
		d["Output"] = brk + out
	}
}

// lowerMethod writes a request's method in lower case, which no rule's method matches (methods
// are case-sensitive).
func lowerMethod(msg []byte) []byte {
	sp := strings.IndexByte(string(msg), ' ')
	if sp < 0 || strings.HasPrefix(string(msg), "SIP/") {
		return msg
	}
	return append([]byte(strings.ToLower(string(msg[:sp]))), msg[sp:]...)
}

// prefixLookups gives the case a routing table, prefix.csv, and turns lookups of keys.csv into
// BSEARCH_PREFIX and BSEARCH_NPREFIX, some of them on the new table, whose keys nest and
// repeat and include the empty key (a default row). Only keys.csv rules change: their lookups
// are all BSEARCH, and the tables have the same columns. A flawed profile is left as it is.
func (s *source) prefixLookups(trees []object, flawed int, data map[string][]byte) {
	if !s.chance(3) {
		return
	}
	data[prefixFile] = s.csv(s.prefixRow)
	for i, t := range trees {
		if i+1 == flawed {
			continue
		}
		for _, r := range list(t, "Rules") {
			rule := r.(object)
			if rule["DataFile"] != keysFile {
				continue
			}
			if s.chance(2) {
				rule["DataFile"] = prefixFile
			}
			for _, c := range list(rule, "Conditions") {
				cond := c.(object)
				if op, _ := cond["Operator"].(string); strings.HasPrefix(op, "BSEARCH") && !s.chance(4) {
					cond["Operator"] = pick(s, []string{"BSEARCH_PREFIX", "BSEARCH_PREFIX", "BSEARCH_NPREFIX"})
				}
			}
		}
	}
}
