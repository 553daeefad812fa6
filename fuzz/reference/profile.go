package reference

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Profiles (SMC-SPEC §1): decoded with encoding/json into a generic tree, then read key by key
// into the structs below. Only what a rule needs at run time is kept.

// A Profile is one profile file.
type Profile struct {
	ID    int64
	Name  string
	Rules []*Rule
}

// A Rule is one rule of a profile, with its scope, variables, conditions and action.
type Rule struct {
	Index    int
	Response bool
	Methods  []string // nil: every method (a response rule: every CSeq method)
	Codes    []string // nil: every status code; otherwise three characters of digits and X
	Data     *table   // nil without a DataFile
	KeyCol   int
	Vars     []*Var
	And      bool
	Conds    []*Cond
	Action   string // DROP_MSG, DROP_MSG_RECORD or REPLACE_MSG
	Defs     []*Def
	Break    bool
}

// A Selection is the Header, HeaderAttr, Macro, RegEx1 and RegEx2 keys (SMC-SPEC §3).
type Selection struct {
	Header   string // as written; the trimmed name without its colon for header lines
	Attr     string // HEADER_SECTION_ONLY, BODY_SECTION_ONLY, CONDITION_LITERAL or XML_BODY
	Macro    string // "" or one of the GET* names (the alias already resolved)
	Re1, Re2 *regexp.Regexp
	path     xmlPath // XML_BODY: Header read as a path
}

// A Var is one stored variable (SMC-SPEC §4).
type Var struct {
	Name     string // without {$ and }
	Reserved bool
	Sel      Selection
}

// A Cond is one condition (SMC-SPEC §5). Op is the positive operator; Negate says it was the N
// twin.
type Cond struct {
	Sel        Selection
	Op         string
	Negate     bool
	Operand    string
	HasOperand bool
	Pattern    *regexp.Regexp // REGEX
	Col        int            // BSEARCH and IP: the searched column
}

// A Def is one replace definition (SMC-SPEC §6).
type Def struct {
	Type   string
	Sel    Selection
	Output string
	Value  uint32 // SET_DSCP, SET_MARK
}

// Load reads a profile file; its data files are read relative to its folder.
func Load(path string) (*Profile, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	return Decode(src, func(name string) ([]byte, error) {
		if filepath.IsAbs(name) || strings.Contains(name, "..") {
			return nil, fmt.Errorf("DataFile %q leads out of the profile's folder", name)
		}
		return os.ReadFile(filepath.Join(dir, name))
	})
}

// Decode reads a profile from its JSON text; open returns the contents of a DataFile by name.
func Decode(src []byte, open func(name string) ([]byte, error)) (*Profile, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("text after the profile")
	}
	root, ok := tree.(map[string]any)
	if !ok {
		return nil, errors.New("a profile is an object")
	}
	r := &reader{open: open}
	p := r.profile(root)
	if r.err != nil {
		return nil, r.err
	}
	return p, nil
}

// A reader walks the tree and keeps the first mistake it finds.
type reader struct {
	open func(string) ([]byte, error)
	err  error
	rule *Rule
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
}

func (r *reader) keys(obj map[string]any, what string, known ...string) {
	for k := range obj {
		if !contains(known, k) {
			r.fail("unknown key %q in %s", k, what)
		}
	}
}

func (r *reader) profile(obj map[string]any) *Profile {
	r.keys(obj, "the profile", "ProfileID", "ProfileName", "Rules")
	p := &Profile{ID: r.integer(obj, "ProfileID", 0, 1<<31-1, -1)}
	if p.Name = r.str(obj, "ProfileName", true); strings.TrimSpace(p.Name) == "" {
		r.fail("ProfileName is empty")
	}
	rules, _ := obj["Rules"].([]any)
	if len(rules) == 0 {
		r.fail("Rules must hold at least one rule")
	}
	for i, v := range rules {
		obj, ok := v.(map[string]any)
		if !ok {
			r.fail("rule %d is not an object", i)
			continue
		}
		p.Rules = append(p.Rules, r.readRule(obj, i))
	}
	r.checkReferences(p)
	return p
}

// integer reads a number or a string of digits (SMC-SPEC §1); def is the value of an absent key,
// -1 when the key is required.
func (r *reader) integer(obj map[string]any, key string, lo, hi, def int64) int64 {
	v, ok := obj[key]
	if !ok {
		if def < 0 {
			r.fail("no %q", key)
		}
		return def
	}
	var text string
	switch v := v.(type) {
	case json.Number:
		text = string(v)
	case string:
		text = strings.TrimSpace(v)
	default:
		r.fail("%s is not a number", key)
		return 0
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n < lo || n > hi {
		r.fail("%s %q is out of range", key, text)
	}
	return n
}

// str reads a string key; an absent optional key is "".
func (r *reader) str(obj map[string]any, key string, required bool) string {
	v, ok := obj[key]
	if !ok {
		if required {
			r.fail("no %q", key)
		}
		return ""
	}
	s, ok := v.(string)
	if !ok {
		r.fail("%s is not a string", key)
	}
	return s
}

// oneOf reads a string key that must be one of names; fold compares case-insensitively.
func (r *reader) oneOf(obj map[string]any, key string, fold bool, names ...string) string {
	s := r.str(obj, key, false)
	for _, n := range names {
		if s == n || fold && strings.EqualFold(s, n) {
			return n
		}
	}
	r.fail("%s %q is not one of %v", key, s, names)
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
