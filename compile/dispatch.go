package compile

// buildDispatch resolves every rule's scope into lists per request method and per status code,
// so that the runtime finds the rules for a message with one lookup and visits no other rule.
func buildDispatch(rules []Rule) Dispatch {
	var d Dispatch
	for _, r := range rules {
		if r.Scope.Response {
			continue
		}
		for _, m := range r.Scope.Methods {
			if !contains(d.Methods, m) {
				d.Methods = append(d.Methods, m)
			}
		}
	}
	d.ByMethod = make([][]int, len(d.Methods))
	for i, r := range rules {
		if r.Scope.Response {
			continue
		}
		for j, m := range d.Methods {
			if r.Scope.Methods == nil || contains(r.Scope.Methods, m) {
				d.ByMethod[j] = append(d.ByMethod[j], i)
			}
		}
		if r.Scope.Methods == nil {
			d.OtherMethod = append(d.OtherMethod, i)
		}
	}
	d.ByCode = make([][]int, 600)
	for code := 100; code <= 699; code++ {
		for i, r := range rules {
			if r.Scope.Response && r.Scope.MatchesCode(code) {
				d.ByCode[code-100] = append(d.ByCode[code-100], i)
			}
		}
	}
	return d
}

// MatchesCode reports whether a response scope's RspCodeList accepts code.
func (s *Scope) MatchesCode(code int) bool {
	if s.Codes == nil {
		return true
	}
	digits := [3]byte{byte('0' + code/100), byte('0' + code/10%10), byte('0' + code%10)}
	for _, p := range s.Codes {
		if (p[0] == 'X' || p[0] == digits[0]) && (p[1] == 'X' || p[1] == digits[1]) && (p[2] == 'X' || p[2] == digits[2]) {
			return true
		}
	}
	return false
}
