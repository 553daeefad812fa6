package compile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// CompileFiles hands every file it reads to its caller, profile then data, with the data file's
// path in its profile's folder; an error in one profile makes the programs of all nil and keeps
// the diagnostics of all.
func TestCompileFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write("nums.csv", "1234,gold\n")
	lookup := write("a.json", `{"ProfileID": 1, "ProfileName": "a", "Rules": [{"MsgType": "REQUEST", "DataFile": "nums.csv",
 "Conditions": [{"Header": "From", "Macro": "GETURI_USERNAME", "Operator": "BSEARCH_EQ"}], "Action": "DROP_MSG"}]}`)
	drop := write("b.json", `{"ProfileID": 2, "ProfileName": "b", "Rules": [{"MsgType": "REQUEST", "Action": "DROP_MSG"}]}`)
	bad := write("c.json", `{"ProfileID": 3}`)

	var read []string
	progs, diags := CompileFiles([]string{lookup, drop}, func(f SourceFile) {
		read = append(read, fmt.Sprintf("%s %v", filepath.Base(f.Path), f.Data))
		if on, err := os.ReadFile(f.Path); err != nil || string(on) != string(f.Content) {
			t.Errorf("%s: handed %q, the file holds %q (%v)", f.Path, f.Content, on, err)
		}
	})
	if len(progs) != 2 || progs[0].ID != 1 || progs[1].ID != 2 || diags.HasErrors() {
		t.Fatalf("CompileFiles: %d programs, %v", len(progs), diags)
	}
	if got, want := strings.Join(read, "; "), "a.json false; nums.csv true; b.json false"; got != want {
		t.Errorf("files read: %s\nwant:       %s", got, want)
	}

	progs, diags = CompileFiles([]string{lookup, bad, drop}, nil)
	if progs != nil || len(diags.Errors()) != 2 || !strings.HasPrefix(diags[0].String(), bad+":1:1: ") {
		t.Errorf("with a bad profile: %d programs, %v", len(progs), diags)
	}
}
