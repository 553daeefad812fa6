package runtime

import (
	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/runtime/sipmsg"
)

// The compiler resolves every rule's scope into a dispatch table (compile.Dispatch); these are the
// lookups a message makes in it, and the one scope check the table leaves to run time.

// dispatch returns the rules whose scope can match the message as it now is.
func (m *Machine) dispatch() []int {
	switch m.msg.Kind {
	case sipmsg.StartRequest:
		return requestRules(&m.prog.Dispatch, m.msg.Method())
	case sipmsg.StartResponse:
		return responseRules(&m.prog.Dispatch, m.msg.Code)
	}
	return nil
}

// redispatch is dispatch after a rule rewrote the start line: the rules after rule `after` that
// match the new start line.
func (m *Machine) redispatch(after int) []int {
	rules := m.dispatch()
	for len(rules) > 0 && rules[0] <= after {
		rules = rules[1:]
	}
	if m.trace != nil {
		m.trace.printf("    the start line changed; rules now in scope: %v\n", rules)
	}
	return rules
}

// requestRules returns the rules to visit for a request with the given method.
func requestRules(d *compile.Dispatch, method []byte) []int {
	for i, m := range d.Methods {
		if string(method) == m {
			return d.ByMethod[i]
		}
	}
	return d.OtherMethod
}

// responseRules returns the rules to visit for a response with the given status code. Rules that
// filter on the CSeq method are among them; runProfile checks the method (methodInScope).
func responseRules(d *compile.Dispatch, code int) []int {
	if code < 100 || code > 699 {
		return nil
	}
	return d.ByCode[code-100]
}

// methodInScope reports whether the scope accepts a method: the request method, or for a response
// the CSeq method.
func methodInScope(s *compile.Scope, method []byte) bool {
	if s.Methods == nil {
		return true
	}
	for _, m := range s.Methods {
		if string(method) == m {
			return true
		}
	}
	return false
}
