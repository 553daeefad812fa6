package jsonpos

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// errorCases pins the exact errors, positions and messages, of each kind of mistake and of
// several together. They double as the fuzz seeds.
var errorCases = []struct {
	name string
	in   string
	want []string
}{
	{"valid", `{"a": [1, -2.5e+3, true, false, null, "x", {}, []]}`, nil},
	{"bom", "\ufeff{\"a\": 1}", nil},
	{"crlf valid", "{\r\n\"a\": 1\r\n}\r\n", nil},

	// Missing commas: one error each, and the parse goes on as if the comma were there.
	{"missing comma members", `{"a": 1 "b": 2}`, []string{"1:9: missing ',' between members"}},
	{"missing comma elements", `[1 2]`, []string{"1:4: missing ',' between elements"}},
	{"missing comma objects", "[\n  {\"a\": 1}\n  {\"b\": 2}\n]", []string{"3:3: missing ',' between elements"}},
	{"missing comma operator", `{"Operator": "IP_LOOKUP" "RightOperand": "x"}`, []string{"1:26: missing ',' between members"}},
	{"missing comma unquoted key", `{"a": 1 b: 2}`, []string{"1:9: missing ',' between members", "1:9: unexpected 'b'; keys must be quoted"}},

	{"invalid escape", `{"RegEx1": "^\$"}`, []string{`1:14: invalid escape '\$'`}},
	{"invalid escapes", `"\d+\.\'"`, []string{`1:2: invalid escape '\d'`, `1:5: invalid escape '\.'`, `1:7: invalid escape '\''`}},
	{"escaped control", "\"\\\x01\"", []string{`1:2: invalid escape: '\' followed by U+0001`}},
	{"bad unicode escape", `"\u12G4"`, []string{`1:2: invalid escape '\u12G4'; \u needs four hex digits`}},
	{"short unicode escape", `"\u12"`, []string{`1:2: invalid escape '\u12'; \u needs four hex digits`}},
	{"lone high surrogate", `"\ud800\u0041"`, []string{`1:2: lone surrogate '\ud800'; a character above U+FFFF needs a high and a low surrogate`}},
	{"lone low surrogate", `"x\uDC00"`, []string{`1:3: lone surrogate '\uDC00'; a character above U+FFFF needs a high and a low surrogate`}},

	{"trailing comma object", `{"a": 1,}`, []string{"1:8: trailing ',' before '}'"}},
	{"trailing comma array", "[1,\n]", []string{"1:3: trailing ',' before ']'"}},

	{"missing colon", `{"Foo" 1}`, []string{`1:8: missing ':' after key "Foo"`}},
	{"key without value", `{"Foo", "b": 1}`, []string{`1:7: missing ':' after key "Foo"`}},
	{"missing value", `{"a": , "b": 1}`, []string{`1:7: expected a value for key "a", found ','`}},
	{"equals for colon", `{"a" = 1, "b"=>2}`, []string{`1:6: expected ':' after key "a", found '='`, `1:14: expected ':' after key "b", found '=>'`}},
	{"missing opening quote", `{"Action": DROP_MSG", Break": 1}`, []string{`1:12: missing '"' before 'DROP_MSG'`, `1:23: missing '"' before 'Break'`}},

	{"unquoted value", `{"MsgType": Respone}`, []string{"1:13: unexpected 'Respone'; strings must be quoted"}},
	{"unquoted text", `{"Header": sip:x@y.com;user=phone, "b": 1}`, []string{"1:12: unexpected 'sip:x@y.com;user=phone'; strings must be quoted"}},
	{"unquoted key", `{ProfileID: 1}`, []string{"1:2: unexpected 'ProfileID'; keys must be quoted"}},
	{"literal case", `[True, FALSE, Null]`, []string{"1:2: unexpected 'True'; did you mean true?", "1:8: unexpected 'FALSE'; did you mean false?", "1:15: unexpected 'Null'; did you mean null?"}},
	{"single quotes", `{'a': 'b\'c'}`, []string{"1:2: strings use double quotes, not '", "1:7: strings use double quotes, not '"}},
	{"curly quotes", "{\u201cProfileID\u201d: 1}", []string{"1:2: strings use double quotes, not \u201c"}},
	{"number key", `{1: 2}`, []string{"1:2: expected a string key, found '1'"}},

	{"line comment", "{// note\n\"a\": 1}", []string{"1:2: comments are not allowed in JSON"}},
	{"block comment", `{"a": 1 /* x */}`, []string{"1:9: comments are not allowed in JSON"}},
	{"unterminated comment", `{"a": 1 /* x`, []string{"1:9: unterminated comment; comments are not allowed in JSON"}},

	{"tab in string", "\"a\tb\"", []string{`1:3: control character U+0009 in a string; write it as \t`}},
	{"control in string", "\"a\x01b\"", []string{`1:3: control character U+0001 in a string; write it as \u0001`}},
	{"control outside", "[\x0c1]", []string{"1:2: unexpected control character U+000C"}},
	{"no-break space", "{\u00a0\"a\": 1}", []string{"1:2: unexpected U+00A0, a space that JSON does not allow; use an ASCII space"}},
	{"no-break spaces once per file", "{\u00a0\u00a0\"a\":\n\u00a01}", []string{"1:2: unexpected U+00A0, a space that JSON does not allow; use an ASCII space (2 more follow in the file; replace them all)"}},

	{"unterminated string at eof", `{"a": "abc}`, []string{`1:7: unterminated string; missing closing '"'`}},
	{"unterminated string at eol", "{\"a\": \"abc,\n \"b\": 2}", []string{`1:7: unterminated string; missing closing '"'`}},
	{"unterminated key", "{\"a: 1,\r\n \"b\": 2}", []string{`1:2: unterminated string; missing closing '"'`}},

	{"leading zero", `01`, []string{"1:1: invalid number '01'; leading zeros are not allowed"}},
	{"plus", `[+1]`, []string{"1:2: invalid number '+1'; a number cannot start with '+'"}},
	{"trailing dot", `[1.]`, []string{"1:2: invalid number '1.'; a digit must follow '.'"}},
	{"leading dot", `[.5]`, []string{"1:2: invalid number '.5'; a digit must come before '.'"}},
	{"hex", `[0x1F]`, []string{"1:2: invalid number '0x1F'; hexadecimal numbers are not allowed"}},
	{"exponent", `[1e, 1e+]`, []string{"1:2: invalid number '1e'; the exponent needs a digit", "1:6: invalid number '1e+'; the exponent needs a digit"}},
	{"minus", `[-, -a]`, []string{"1:2: invalid number '-'; a digit must follow '-'", "1:5: invalid number '-a'; a digit must follow '-'"}},
	{"number junk", `[1_000, 1.2.3]`, []string{"1:2: invalid number '1_000'", "1:9: invalid number '1.2.3'"}},
	{"nan inf", `[NaN, Infinity, -Infinity, +Inf]`, []string{
		"1:2: invalid number 'NaN'; JSON has no NaN or Infinity",
		"1:7: invalid number 'Infinity'; JSON has no NaN or Infinity",
		"1:17: invalid number '-Infinity'; JSON has no NaN or Infinity",
		"1:28: invalid number '+Inf'; JSON has no NaN or Infinity",
	}},

	{"empty", ``, []string{"1:1: unexpected end of input; expected a JSON value"}},
	{"blank", "\n  ", []string{"2:3: unexpected end of input; expected a JSON value"}},
	{"not a value", `}`, []string{"1:1: expected a JSON value, found '}'"}},
	{"eof in object", "{\"a\": 1", []string{"1:8: unexpected end of input; missing '}' to close the object at 1:1"}},
	{"eof in nested array", "{\"a\": [1, 2\n", []string{"2:1: unexpected end of input; missing ']' to close the array at 1:7"}},
	{"eof after colon", `{"a":`, []string{"1:6: unexpected end of input; missing '}' to close the object at 1:1"}},
	{"extra text", `{"a": 1} x`, []string{"1:10: unexpected text after the end of the document"}},
	{"two documents", "{}\n{}", []string{"2:1: unexpected text after the end of the document"}},

	{"forgotten brace", `[{"a": 1]`, []string{"1:9: expected '}' to close the object at 1:2, found ']'"}},
	{"forgotten brace in rules", `{"Rules": [{"a": 1}, {"b": 2]}`, []string{"1:29: expected '}' to close the object at 1:22, found ']'"}},
	{"brace for bracket", `{"a": [1, 2}, "b": 3}`, []string{"1:12: expected ']' to close the array at 1:7, found '}'"}},
	{"bracket for brace", `{"a": 1]`, []string{"1:8: expected '}' to close the object at 1:1, found ']'"}},
	{"stray brace", `[{"a": 1}}, {"b": 2}]`, []string{"1:10: expected ']' to close the array at 1:1, found '}'"}},
	{"stray bracket", `{"a": [1]], "b": 2}`, []string{"1:10: expected '}' to close the object at 1:1, found ']'"}},
	{"forgotten bracket and brace", `{"Rules": [{"a": [1}, {"b": 2}]}`, []string{"1:20: expected ']' to close the array at 1:18, found '}'"}},
	{"array syntax in object", `["a": 1]`, []string{"1:5: expected ',' or ']' after an array element, found ':'"}},
	{"double comma", `[1,,2]`, []string{"1:4: expected a value, found ','"}},

	{"invalid utf-8", "\"a\xff\xfeb\xc0\"", []string{"1:3: invalid UTF-8 in a string"}},
	{"invalid utf-8 strings", "[\"\xe9\", \"\xe8\xe0\"]", []string{"1:3: invalid UTF-8 in a string", "1:8: invalid UTF-8 in a string"}},
	{"invalid utf-8 outside", "[\xff]", []string{"1:2: invalid UTF-8; save the file as UTF-8"}},
	{"invalid utf-8 key", "{\xff: 1, a\xff: 2}", []string{"1:2: invalid UTF-8; save the file as UTF-8", `1:8: unexpected 'a\xff'; keys must be quoted`}},
	{"missing comma after object value", `{"a": {"x": 1} "b": 2}`, []string{"1:16: missing ',' between members"}},
	{"missing comma after array value", `{"a": [1, 2] "b": 2}`, []string{"1:14: missing ',' between members"}},
	{"missing comma after arrays", `[[1] [2] {"a": []} ["x"]]`, []string{"1:6: missing ',' between elements", "1:10: missing ',' between elements", "1:20: missing ',' between elements"}},
	{"missing commas crlf", "{\r\n  \"a\": {\"x\": 1}\r\n  \"b\": [1]\r\n  \"c\": \"IP_LOOKUP\"\r\n  \"d\": 4\r\n}",
		[]string{"3:3: missing ',' between members", "4:3: missing ',' between members", "5:3: missing ',' between members"}},

	// Several mistakes in one file: every one is reported, in order, and each only once.
	{"combination", "{\r\n" +
		"  \"ProfileID\": 100\r\n" +
		"  \"Rules\": [\r\n" +
		"    {\"MsgType\": REQUEST, \"Header\": \"To\\$\",},\r\n" +
		"    {'Action': \"DROP_MSG\"} // drop\r\n" +
		"  ],\r\n" +
		"}\r\n",
		[]string{
			"3:3: missing ',' between members",
			"4:17: unexpected 'REQUEST'; strings must be quoted",
			`4:39: invalid escape '\$'`,
			"4:42: trailing ',' before '}'",
			"5:6: strings use double quotes, not '",
			"5:28: comments are not allowed in JSON",
			"6:4: trailing ',' before '}'",
		}},
}

func errorStrings(errs []Error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func TestErrors(t *testing.T) {
	for _, c := range errorCases {
		t.Run(c.name, func(t *testing.T) {
			v, errs := Parse([]byte(c.in))
			if got := errorStrings(errs); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Parse(%q) errors:\n got  %q\n want %q", c.in, got, c.want)
			}
			if v == nil && strings.TrimSpace(c.in) != "" && c.in != "}" {
				t.Errorf("Parse(%q) returned no tree", c.in)
			}
		})
	}
}

// TestRecovery checks that the tree after a mistake holds what the writer meant, since a later
// stage checks it and should not report the same mistake again.
func TestRecovery(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"a": 1 "b": 2}`, `{"a":1,"b":2}`},
		{`[{"a":1} {"b":2}]`, `[{"a":1},{"b":2}]`},
		{`{"Operator": "IP_LOOKUP" "RightOperand": "x"}`, `{"Operator":"IP_LOOKUP","RightOperand":"x"}`},
		{`{"RegEx1": "^\$\d"}`, `{"RegEx1":"^$d"}`},
		{`{"a": 1,}`, `{"a":1}`},
		{`{"MsgType": Respone , "b": sip:x@y}`, `{"MsgType":"Respone","b":"sip:x@y"}`},
		{`{ProfileID: 1, 'Name': 'x\'y'}`, `{"ProfileID":1,"Name":"x'y"}`},
		{"{\"a\": \"abc,\n \"b\": 2}", `{"a":"abc,","b":2}`},
		{"{\"a: 1,\n \"b\": 2}", `{"b":2}`},
		{`{"a": , "b": 1}`, `{"b":1}`},
		{`{"a": [1, 2}, "b": 3}`, `{"a":[1,2],"b":3}`},
		{`{"Rules": [{"a": 1}, {"b": 2]}`, `{"Rules":[{"a":1},{"b":2}]}`},
		{`[True, NULL, 01]`, `[true,null,01]`},
		{`{"a": 1, "a": 2}`, `{"a":1,"a":2}`},
		{"{\u201ckey\u201d: \u201cvalue\u201d}", `{"key":"value"}`},
		{`{"a": [1, 2`, `{"a":[1,2]}`},
		{`{"a" = 1, "b"=>2}`, `{"a":1,"b":2}`},
		{`{"Action": DROP_MSG", Break": 1}`, `{"Action":"DROP_MSG","Break":1}`},
		{`[{"a": 1}}, {"b": 2}]`, `[{"a":1},{"b":2}]`},
		{`{"a": [1]], "b": 2}`, `{"a":[1],"b":2}`},
		{`{"Rules": [{"a": [1}, {"b": 2}]}`, `{"Rules":[{"a":[1]},{"b":2}]}`},
	} {
		v, _ := Parse([]byte(c.in))
		if got := encode(v); got != c.want {
			t.Errorf("Parse(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestPositions(t *testing.T) {
	in := "{\r\n  \"ProfileID\": 100,\r\n  \"Rules\": [\r\n    {\"x\": \"y\"}\r\n  ]\r\n}\r\n"
	root, errs := Parse([]byte(in))
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	id, rules := root.Members[0], root.Members[1]
	elem := rules.Value.Elems[0]
	for _, c := range []struct {
		what     string
		got, pos Pos
	}{
		{"root", root.Pos, Pos{1, 1}},
		{"root end", root.End, Pos{6, 2}},
		{"ProfileID key", id.KeyPos, Pos{2, 3}},
		{"ProfileID value", id.Value.Pos, Pos{2, 16}},
		{"ProfileID end", id.Value.End, Pos{2, 19}},
		{"Rules key", rules.KeyPos, Pos{3, 3}},
		{"Rules value", rules.Value.Pos, Pos{3, 12}},
		{"Rules end", rules.Value.End, Pos{5, 4}},
		{"rule", elem.Pos, Pos{4, 5}},
		{"rule end", elem.End, Pos{4, 15}},
		{"x key", elem.Members[0].KeyPos, Pos{4, 6}},
		{"x value", elem.Members[0].Value.Pos, Pos{4, 11}},
		{"x end", elem.Members[0].Value.End, Pos{4, 14}},
	} {
		if c.got != c.pos {
			t.Errorf("%s at %v, want %v", c.what, c.got, c.pos)
		}
	}
	if id.Value.Kind != Number || id.Value.Str != "100" {
		t.Errorf("ProfileID = %v %q", id.Value.Kind, id.Value.Str)
	}

	// After a byte-order mark the first line's columns are those an editor shows.
	v, _ := Parse([]byte("\ufeff {}"))
	if v.Pos != (Pos{1, 2}) {
		t.Errorf("after a BOM the value is at %v, want 1:2", v.Pos)
	}
}

func TestStrings(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`""`, ""},
		{`"plain"`, "plain"},
		{`"\" \\ \/ \b \f \n \r \t"`, "\" \\ / \b \f \n \r \t"},
		{`"\u0041\u00e9\u20AC\u0000"`, "Aé€\x00"},
		{`"\ud83d\ude00"`, "😀"},
		{`"\uD834\uDD1E!"`, "𝄞!"},
		{`"héllo wörld ☎"`, "héllo wörld ☎"},
		{"\"\x7f\"", "\x7f"},
		// Broken escapes decode as encoding/json decodes them, so a later stage sees the same.
		{`"\ud800\u0041"`, "\uFFFDA"},
		{`"\ud800\ud800\udc00"`, "\uFFFD\U00010000"},
		{`"\udc00x"`, "\uFFFDx"},
		{"\"a\xffb\"", "a\uFFFDb"},
	} {
		v, _ := Parse([]byte(c.in))
		if v == nil || v.Kind != String || v.Str != c.want {
			t.Errorf("Parse(%s) = %+v, want string %q", c.in, v, c.want)
		}
	}
}

func TestNumbers(t *testing.T) {
	for _, lit := range []string{"0", "-0", "1", "-12", "1.5", "-0.0e+00", "1E10", "2e-3", "123456789012345678901234567890"} {
		v, errs := Parse([]byte(" " + lit + " "))
		if len(errs) != 0 || v.Kind != Number || v.Str != lit {
			t.Errorf("Parse(%s) = %+v %v, want the number as written", lit, v, errs)
		}
	}
}

func TestLimits(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if _, errs := Parse([]byte(deep)); len(errs) != 0 {
		t.Errorf("%d levels: %v", MaxDepth, errs)
	}
	tooDeep := `{"a": ` + strings.Repeat("[", MaxDepth) + `{"b": "]"}` + strings.Repeat("]", MaxDepth) + `, "c": 1 "d": 2}`
	v, errs := Parse([]byte(tooDeep))
	want := []string{
		"1:70: nesting deeper than 64",
		"1:154: missing ',' between members",
	}
	if got := errorStrings(errs); !reflect.DeepEqual(got, want) {
		t.Errorf("too deep: got %q, want %q", got, want)
	}
	if got := encode(v); got != `{"a":`+strings.Repeat("[", MaxDepth-1)+strings.Repeat("]", MaxDepth-1)+`,"c":1,"d":2}` {
		t.Errorf("too deep: tree %s", got)
	}

	many := "[" + strings.Repeat("01,", MaxErrors+50) + "0]"
	_, errs = Parse([]byte(many))
	if len(errs) != MaxErrors+1 {
		t.Fatalf("%d errors, want %d", len(errs), MaxErrors+1)
	}
	if last := errs[MaxErrors]; last.Msg != "too many errors" || last.Pos != (Pos{1, 2 + 3*MaxErrors}) {
		t.Errorf("last error %v, want 1:%d: too many errors", last, 2+3*MaxErrors)
	}
}

func TestStrings_APIs(t *testing.T) {
	if got := (Error{Pos{3, 7}, "missing ',' between members"}).Error(); got != "3:7: missing ',' between members" {
		t.Errorf("Error() = %q", got)
	}
	var names []string
	for k := Null; k <= Object+1; k++ {
		names = append(names, k.String())
	}
	if got := strings.Join(names, " "); got != "null boolean number string array object Kind(6)" {
		t.Errorf("Kind names: %s", got)
	}
}

// encode writes v back as JSON, numbers as written, so that a test can compare it with what
// encoding/json makes of the input.
func encode(v *Value) string {
	var b bytes.Buffer
	encodeTo(&b, v)
	return b.String()
}

func encodeTo(b *bytes.Buffer, v *Value) {
	if v == nil {
		b.WriteString("<nil>")
		return
	}
	switch v.Kind {
	case Null:
		b.WriteString("null")
	case Bool:
		b.WriteString(strconv.FormatBool(v.Bool))
	case Number:
		b.WriteString(v.Str)
	case String:
		q, _ := json.Marshal(v.Str)
		b.Write(q)
	case Array:
		b.WriteByte('[')
		for i, e := range v.Elems {
			if i > 0 {
				b.WriteByte(',')
			}
			encodeTo(b, e)
		}
		b.WriteByte(']')
	case Object:
		b.WriteByte('{')
		for i, m := range v.Members {
			if i > 0 {
				b.WriteByte(',')
			}
			q, _ := json.Marshal(m.Key)
			b.Write(q)
			b.WriteByte(':')
			encodeTo(b, m.Value)
		}
		b.WriteByte('}')
	}
}

// checkTree checks what every caller relies on: no nil values, and positions inside the input
// that never run backwards.
func checkTree(t *testing.T, v *Value, lines int) {
	if v.Pos.Line < 1 || v.Pos.Col < 1 || v.End.Line > lines || v.End.before(v.Pos) {
		t.Fatalf("value %v from %v to %v in %d lines", v.Kind, v.Pos, v.End, lines)
	}
	for _, e := range v.Elems {
		if e == nil {
			t.Fatal("nil element")
		}
		checkTree(t, e, lines)
	}
	for _, m := range v.Members {
		if m.Value == nil {
			t.Fatalf("nil value for key %q", m.Key)
		}
		if m.Value.Pos.before(m.KeyPos) {
			t.Fatalf("key %q at %v after its value at %v", m.Key, m.KeyPos, m.Value.Pos)
		}
		checkTree(t, m.Value, lines)
	}
}

// decodeJSON decodes as encoding/json does, keeping numbers as written.
func decodeJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var x any
	err := d.Decode(&x)
	return x, err
}

func FuzzParse(f *testing.F) {
	for _, c := range errorCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, errs := Parse(data)
		for i := 1; i < len(errs); i++ {
			if errs[i].Pos.before(errs[i-1].Pos) {
				t.Fatalf("errors out of order: %v", errs)
			}
		}
		if len(errs) > MaxErrors+1 {
			t.Fatalf("%d errors", len(errs))
		}
		if v != nil {
			checkTree(t, v, bytes.Count(data, []byte{'\n'})+1)
		}

		// encoding/json does not skip a byte-order mark; Parse does, on purpose.
		in := bytes.TrimPrefix(data, bom)
		if !json.Valid(in) {
			if len(errs) == 0 {
				t.Fatalf("no error for invalid JSON %q", data)
			}
			return
		}
		// encoding/json accepts, silently, what a profile must not hold: invalid UTF-8 and lone
		// surrogates (both decode as U+FFFD) and nesting up to 10000. Those are the only errors
		// Parse may report on JSON that encoding/json accepts.
		for _, e := range errs {
			switch {
			case e.Msg == "invalid UTF-8 in a string", strings.HasPrefix(e.Msg, "lone surrogate"):
			case e.Msg == "nesting deeper than 64", e.Msg == "too many errors":
				return // the tree is partial
			default:
				t.Fatalf("error %v for valid JSON %q", e, data)
			}
		}
		if v == nil {
			t.Fatalf("no tree for valid JSON %q", data)
		}
		want, err := decodeJSON(in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeJSON([]byte(encode(v)))
		if err != nil {
			t.Fatalf("re-encoding %s: %v", encode(v), err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Parse(%q) = %s\nencoding/json: %#v", data, encode(v), want)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	rule := `{"Comment": "block toll free", "MsgType": "REQUEST", "ReqMethod": "INVITE",
      "Conditions": [{"Header": "From:", "Macro": "GETURI_USERNAME", "RegEx1": "^\\+?1", "Operator": "PREFIX", "RightOperand": "1800"}],
      "Action": "REPLACE_MSG", "ReplaceDefs": [{"Header": "P-Asserted-Identity:", "ReplaceType": "ADD_LINE", "Output": "<sip:{$PAI}@example.com>\u003b\r\n"}]}`
	src := []byte(`{"ProfileID": 100, "ProfileName": "bench", "Rules": [` + strings.Repeat(rule+",\n", 49) + rule + "]}")
	if _, errs := Parse(src); len(errs) != 0 {
		b.Fatal(errs)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Parse(src)
	}
}
