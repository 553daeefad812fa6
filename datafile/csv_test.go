package datafile

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// rows returns the table as strings, and the source line of each row.
func rows(t *Table) ([][]string, []int) {
	out := [][]string{}
	lines := []int{}
	for r := 0; r < t.Len(); r++ {
		row := []string{}
		for c := 1; c <= t.NumFields(r); c++ {
			row = append(row, string(t.Field(r, c)))
		}
		out = append(out, row)
		lines = append(lines, t.Line(r))
	}
	return out, lines
}

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		rows  [][]string
		lines []int
	}{
		{"empty", "", [][]string{}, []int{}},
		{"one field", "a", [][]string{{"a"}}, []int{1}},
		{"simple", "a,b,c\n1,2,3\n", [][]string{{"a", "b", "c"}, {"1", "2", "3"}}, []int{1, 2}},
		{"no final newline", "a,b\nc,d", [][]string{{"a", "b"}, {"c", "d"}}, []int{1, 2}},
		{"crlf", "a,b\r\nc,d\r\n", [][]string{{"a", "b"}, {"c", "d"}}, []int{1, 2}},
		{"crlf at end without lf", "a,b\r", [][]string{{"a", "b"}}, []int{1}},
		{"bare cr inside a field is data", "a\rb,c\n", [][]string{{"a\rb", "c"}}, []int{1}},
		{"empty fields", ",a,,\n", [][]string{{"", "a", "", ""}}, []int{1}},
		{"trimming", "  a  ,\tb\t, c d \n", [][]string{{"a", "b", "c d"}}, []int{1}},
		{"trimming before crlf", "a , b \r\n", [][]string{{"a", "b"}}, []int{1}},
		{"quoted", `"a","b c"` + "\n", [][]string{{"a", "b c"}}, []int{1}},
		{"quoted comma", `"a,b",c`, [][]string{{"a,b", "c"}}, []int{1}},
		{"escaped quotes", `"say ""hi""",""""`, [][]string{{`say "hi"`, `"`}}, []int{1}},
		{"empty quoted", `"",x`, [][]string{{"", "x"}}, []int{1}},
		{"quoted keeps spaces", `" a ", "b"` + "\t", [][]string{{" a ", "b"}}, []int{1}},
		{"spaces around quotes", `  "a"  ,  "b"  ` + "\r\n", [][]string{{"a", "b"}}, []int{1}},
		{
			"quoted newlines",
			"k1,\"line1\nline2\r\nline3\",x\nk2,y\n",
			[][]string{{"k1", "line1\nline2\r\nline3", "x"}, {"k2", "y"}},
			[]int{1, 4},
		},
		{"quoted hash is data", "\"#a\",b\n", [][]string{{"#a", "b"}}, []int{1}},
		{"hash after first field is data", "a,#b\n", [][]string{{"a", "#b"}}, []int{1}},
		{"hash inside a field is data", "a#b\n", [][]string{{"a#b"}}, []int{1}},
		{
			"comments and blank lines",
			"# header\n\n   \n\t\r\na,b\n  # indented comment\n#\nc,d\n\n",
			[][]string{{"a", "b"}, {"c", "d"}},
			[]int{5, 8},
		},
		{"comment at end without newline", "a\n# end", [][]string{{"a"}}, []int{1}},
		{"comment with crlf", "# c\r\na\r\n", [][]string{{"a"}}, []int{2}},
		{"a lone comma is a row", ",\n", [][]string{{"", ""}}, []int{1}},
		{"empty quoted field is a row", "\"\"\n", [][]string{{""}}, []int{1}},
		{"ragged", "a\nb,c,d\n\ne,f\n", [][]string{{"a"}, {"b", "c", "d"}, {"e", "f"}}, []int{1, 2, 4}},
		{"bom", "\xEF\xBB\xBFa,b\n", [][]string{{"a", "b"}}, []int{1}},
		{"bom then comment", "\xEF\xBB\xBF# x\na\n", [][]string{{"a"}}, []int{2}},
		{"bom only at start", "a\n\xEF\xBB\xBFb\n", [][]string{{"a"}, {"\xEF\xBB\xBFb"}}, []int{1, 2}},
		{"utf-8 kept", "ü,\"日本\"\n", [][]string{{"ü", "日本"}}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := Parse("f.csv", []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, lines := rows(tab)
			if !reflect.DeepEqual(got, tt.rows) {
				t.Errorf("rows = %q, want %q", got, tt.rows)
			}
			if !reflect.DeepEqual(lines, tt.lines) {
				t.Errorf("lines = %v, want %v", lines, tt.lines)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"text after closing quote", "a\n\"b\"c,d\n", `f.csv:2: text after the closing quote of a field; write "" for a quote inside quotes`},
		{"text after closing quote and spaces", "\"b\"  c\n", `f.csv:1: text after the closing quote of a field; write "" for a quote inside quotes`},
		{"text after multi-line quote", "a\n\"b\nc\"d\n", `f.csv:3: text after the closing quote of a field; write "" for a quote inside quotes`},
		{"bare cr after closing quote", "\"b\"\rc\n", `f.csv:1: text after the closing quote of a field; write "" for a quote inside quotes`},
		{"unterminated", "a\nb,\"c\nd\ne\n", "f.csv:2: quoted field is not closed"},
		{"unterminated at end", "a,\"", "f.csv:1: quoted field is not closed"},
		{"quote in unquoted field", "a\nb\"c\n", `f.csv:2: quote inside an unquoted field; quote the whole field and write "" for the quote`},
		{"quote at end of unquoted field", "ab\"\n", `f.csv:1: quote inside an unquoted field; quote the whole field and write "" for the quote`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.csv", []byte(tt.in))
			if err == nil {
				t.Fatalf("Parse succeeded, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error = %q, want %q", err, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.Name != "f.csv" || e.Line == 0 {
				t.Errorf("error %#v is not an *Error with name and line", err)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	field := strings.Repeat("x", MaxFieldLen)
	fields := strings.Repeat("a,", MaxFields-1) + "a"
	tests := []struct {
		name string
		in   string
		want string // "" for success
	}{
		{"longest field", "k\n" + field + "\n", ""},
		{"field too long", "k\n" + field + "y\n", "f.csv:2: field is 4097 bytes long; the limit is 4096"},
		{"quoted field too long", "k\n\"" + field + "\"\"\"\n", "f.csv:2: field is 4097 bytes long; the limit is 4096 (is a quote not closed?)"},
		{"stray quote swallows lines", "\"a\n" + strings.Repeat("b,c\n", 2000) + "\"\n", "f.csv:1: field is 8002 bytes long; the limit is 4096 (is a quote not closed?)"},
		{"most fields", fields + "\n", ""},
		{"longest row", "k\n" + strings.Repeat(field+",", MaxRowLen/MaxFieldLen-1) + field + "\n", ""},
		{"row too long", "k\n" + strings.Repeat(field+",", MaxRowLen/MaxFieldLen) + "y\n", "f.csv:2: row is 16385 bytes long; the limit is 16384"},
		{"too many fields", "k\n" + fields + ",a\n", "f.csv:2: more than 64 fields in a row"},
		{"too many fields after a multi-line field", "\"x\ny\"," + fields + "\n", "f.csv:2: more than 64 fields in a row"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.csv", []byte(tt.in))
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
		})
	}
}

// setLimit lowers a limit for one test.
func setLimit[T any](t *testing.T, p *T, v T) {
	old := *p
	*p = v
	t.Cleanup(func() { *p = old })
}

func TestMaxRows(t *testing.T) {
	setLimit(t, &maxRows, 3)
	tab, err := Parse("f.csv", []byte("# rows\na\nb\n\nc\n"))
	if err != nil || tab.Len() != 3 {
		t.Fatalf("3 rows: Len %d, err %v; want 3 rows", tab.Len(), err)
	}
	_, err = Parse("f.csv", []byte("# rows\na\nb\n\nc\nd\n"))
	if want := "f.csv:6: more than 3 rows"; err == nil || err.Error() != want {
		t.Errorf("4 rows: error %v, want %q", err, want)
	}
}

func TestMaxFileSize(t *testing.T) {
	setLimit(t, &maxFileSize, 8)
	if _, err := Parse("f.csv", []byte("1234567\n")); err != nil {
		t.Errorf("8 bytes: %v", err)
	}
	_, err := Parse("f.csv", []byte("12345678\n"))
	if want := "f.csv: file is 9 bytes; a data file may have at most 8"; err == nil || err.Error() != want {
		t.Errorf("9 bytes: error %v, want %q", err, want)
	}
	path := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(path, []byte("12345678\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path)
	if want := path + ": file is 9 bytes; a data file may have at most 8"; err == nil || err.Error() != want {
		t.Errorf("Load 9 bytes: error %v, want %q", err, want)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "numbers.csv")
	if err := os.WriteFile(path, []byte("1800,free\n\"1900\",\"premium\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tab, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := rows(tab)
	if want := [][]string{{"1800", "free"}, {"1900", "premium"}}; !reflect.DeepEqual(got, want) || tab.Name() != path {
		t.Errorf("Load = %q named %q, want %q named %q", got, tab.Name(), want, path)
	}

	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("a\n\"b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil || err.Error() != bad+":2: quoted field is not closed" {
		t.Errorf("Load(bad) error = %v, want it to name %s:2", err, bad)
	}

	missing := filepath.Join(dir, "missing.csv")
	if _, err := Load(missing); err == nil || !strings.Contains(err.Error(), missing) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) error = %v, want a not-exist error naming the path", err)
	}
}

func TestField(t *testing.T) {
	tab, err := Parse("f.csv", []byte("a,b\nc\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		row, col int
		want     string
		isNil    bool
	}{
		{0, 1, "a", false},
		{0, 2, "b", false},
		{0, 3, "", true},
		{0, 0, "", true},
		{0, -1, "", true},
		{1, 1, "c", false},
		{1, 2, "", true},
	}
	for _, tt := range tests {
		f := tab.Field(tt.row, tt.col)
		if string(f) != tt.want || (f == nil) != tt.isNil {
			t.Errorf("Field(%d, %d) = %q (nil %v), want %q (nil %v)", tt.row, tt.col, f, f == nil, tt.want, tt.isNil)
		}
	}
	// An append to a field must not overwrite the next one.
	_ = append(tab.Field(0, 1), 'X')
	if got := string(tab.Field(0, 2)); got != "b" {
		t.Errorf("after append to field 1, field 2 = %q, want %q", got, "b")
	}
}

func TestParseDoesNotKeepInput(t *testing.T) {
	in := []byte("key,value\n")
	tab, err := Parse("f.csv", in)
	if err != nil {
		t.Fatal(err)
	}
	copy(in, "XXXXXXXXX")
	if got := string(tab.Field(0, 1)) + "," + string(tab.Field(0, 2)); got != "key,value" {
		t.Errorf("after overwriting the input, row = %q, want %q", got, "key,value")
	}
}
