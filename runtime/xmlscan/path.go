package xmlscan

import (
	"bytes"
	"errors"
)

// MaxPathSteps is the most element steps a path may have. A path is matched by carrying, for each
// open element, the set of steps reached so far as bits of one word; the PIDF-LO path to a
// location's position has seven steps.
const MaxPathSteps = 32

// A Path is a compiled XML_BODY path (SMC-SPEC §3.1): element steps from the root, each a child
// step (/name) or a descendant step (//name), name "*" matching any element, and optionally a
// final attribute (/@name). Names are local names.
type Path struct {
	Steps []Step
	Attr  string // the final attribute's name, or ""
}

// A Step is one element step of a path.
type Step struct {
	Desc bool   // "//": at any depth below the context, not only as its child
	Name string // a local name, or "*"
}

// ParsePath compiles a path. Its errors say what is wrong in words an operator can act on.
func ParsePath(src string) (Path, error) {
	var p Path
	if src == "" || src[0] != '/' {
		return p, errors.New("an XML path starts with / (from the root element) or // (at any depth)")
	}
	for i := 0; i < len(src); {
		desc := false
		i++
		if i < len(src) && src[i] == '/' {
			desc, i = true, i+1
		}
		end := i
		for end < len(src) && src[end] != '/' {
			end++
		}
		name := src[i:end]
		if err := checkStep(name, desc, end == len(src)); err != nil {
			return Path{}, err
		}
		if name[0] == '@' {
			if len(p.Steps) == 0 {
				return Path{}, errors.New("an attribute step /@name needs an element step before it")
			}
			p.Attr = name[1:]
			break
		}
		if len(p.Steps) == MaxPathSteps {
			return Path{}, errors.New("an XML path has at most 32 element steps (xmlscan.MaxPathSteps)")
		}
		p.Steps = append(p.Steps, Step{Desc: desc, Name: name})
		i = end
	}
	return p, nil
}

// checkStep checks one step's text: a local name, *, or @name as the last step.
func checkStep(name string, desc, last bool) error {
	switch {
	case name == "":
		return errors.New("an empty step: write /name, //name, * or a final /@name")
	case name == "*":
		return nil
	case name[0] == '@':
		switch {
		case desc:
			return errors.New("an attribute is selected with /@name after an element step, not //@name")
		case !last:
			return errors.New("/@name can only be the last step")
		case name == "@*":
			return errors.New("/@* is not supported: name the attribute")
		}
		name = name[1:]
	case name[0] == '[' || bytes.ContainsAny([]byte(name), "[]()"):
		return errors.New("predicates and functions are not supported: write element names, * and a final /@name")
	}
	if i := bytes.IndexByte([]byte(name), ':'); i >= 0 {
		return errors.New("names compare the local name and ignore namespaces: write " + name[i+1:] + " instead of " + name)
	}
	if nameEnd([]byte(name), 0) != len(name) {
		return errors.New("\"" + name + "\" is not an XML name")
	}
	return nil
}

func (s Step) matches(local []byte) bool { return s.Name == "*" || string(local) == s.Name }

// A Cursor walks the values a path selects in a Doc, in document order. The zero Cursor starts
// at the beginning.
type Cursor struct {
	elem  int                  // the next element to look at
	attr  int                  // inside a selected element: the next attribute to look at, or -1
	state [MaxDepth + 1]uint64 // by depth: bit k set when steps 0..k-1 have matched
}

// Next returns the next value the path selects: an element's text, trimmed, or an attribute's
// value. Both are slices of d's buffers.
func (p *Path) Next(d *Doc, c *Cursor) ([]byte, bool) {
	final := uint64(1) << len(p.Steps)
	for {
		if c.attr > 0 {
			if v, ok := p.nextAttr(d, c); ok {
				return v, true
			}
		}
		if c.elem >= len(d.Elems) {
			return nil, false
		}
		e := &d.Elems[c.elem]
		c.elem++
		st := p.step(c.state[e.Depth-1]|rootState(e.Depth == 1), e.Local)
		c.state[e.Depth] = st
		if st&final == 0 {
			continue
		}
		if p.Attr == "" {
			return TrimSpace(d.Text[e.Text[0]:e.Text[1]]), true
		}
		c.attr = e.Attrs[0] + 1
	}
}

// nextAttr returns the next attribute of the element before c.elem named p.Attr. Attribute
// positions are kept one up in c.attr so that the zero Cursor means none.
func (p *Path) nextAttr(d *Doc, c *Cursor) ([]byte, bool) {
	end := d.Elems[c.elem-1].Attrs[1]
	for k := c.attr - 1; k < end; k++ {
		if a := &d.Attrs[k]; string(a.Local) == p.Attr {
			c.attr = k + 2
			return d.Values[a.Value[0]:a.Value[1]], true
		}
	}
	c.attr = 0
	return nil, false
}

// rootState is the state of the document node, the root element's parent: where step 0 starts.
func rootState(root bool) uint64 {
	if root {
		return 1
	}
	return 0
}

// step is the set of steps reached at an element called local whose parent reached set.
func (p *Path) step(set uint64, local []byte) uint64 {
	var out uint64
	for k, s := range p.Steps {
		bit := uint64(1) << k
		if set&bit == 0 {
			continue
		}
		if s.Desc {
			out |= bit
		}
		if s.matches(local) {
			out |= bit << 1
		}
	}
	return out
}

// String writes the path back in its grammar.
func (p *Path) String() string {
	var b []byte
	for _, s := range p.Steps {
		b = append(b, '/')
		if s.Desc {
			b = append(b, '/')
		}
		b = append(b, s.Name...)
	}
	if p.Attr != "" {
		b = append(b, "/@"...)
		b = append(b, p.Attr...)
	}
	return string(b)
}
