package compile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A DataFile may name a file in the profile's folder or below it; anything leading out is a
// compile error at the DataFile's position, whether by name or through a symbolic link.
func TestDataFileStaysInTheProfileFolder(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "profiles")
	os.MkdirAll(filepath.Join(dir, "lists"), 0o755)
	csv := []byte("key,value\n+15551230000,x\n")
	os.WriteFile(filepath.Join(base, "outside.csv"), csv, 0o644)
	os.WriteFile(filepath.Join(dir, "inside.csv"), csv, 0o644)
	os.WriteFile(filepath.Join(dir, "lists", "below.csv"), csv, 0o644)
	os.Symlink(filepath.Join(base, "outside.csv"), filepath.Join(dir, "link-out.csv"))
	os.Symlink("inside.csv", filepath.Join(dir, "link-in.csv"))

	for _, tt := range []struct {
		name    string
		wantErr bool
	}{
		{"inside.csv", false},
		{"lists/below.csv", false},
		{"link-in.csv", false},
		{"../outside.csv", true},
		{"lists/../../outside.csv", true},
		{filepath.Join(base, "outside.csv"), true},
		{"link-out.csv", true},
	} {
		profile := `{"ProfileID": 1, "ProfileName": "p", "Rules": [{"MsgType": "REQUEST", "DataFile": "` + tt.name + `",
 "Conditions": [{"Header": "From", "Macro": "GETURI_USERNAME", "Operator": "BSEARCH_EQ"}],
 "Action": "DROP_MSG"}]}`
		path := filepath.Join(dir, "p.json")
		os.WriteFile(path, []byte(profile), 0o644)
		prog, diags := CompileFile(path)
		if !tt.wantErr {
			if prog == nil {
				t.Errorf("%s: %v", tt.name, diags)
			}
			continue
		}
		if prog != nil || !strings.Contains(fmt.Sprint(diags), "outside the profile's folder") {
			t.Errorf("%s: want the outside-the-folder error, got %v", tt.name, diags)
		}
		if len(diags) > 0 && (diags[0].Pos.Line != 1 || diags[0].Pos.Col < 40) {
			t.Errorf("%s: the error should point at the DataFile value, at %v", tt.name, diags[0].Pos)
		}
	}
}

// A DataFile that is not there is reported with the path tried, resolved against the profile's
// folder, and the file of that folder with the nearest name, when one is near enough.
func TestMissingDataFile(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "lists"), 0o755)
	os.WriteFile(filepath.Join(dir, "blocked.csv"), []byte("1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "lists", "routes.csv"), []byte("1\n"), 0o644)
	for _, tt := range []struct{ name, want string }{
		{"Blocked.csv", fmt.Sprintf("no such file: %s; did you mean %q?", filepath.Join(dir, "Blocked.csv"), "blocked.csv")},
		{"lists/rotes.csv", fmt.Sprintf("no such file: %s; did you mean %q?", filepath.Join(dir, "lists", "rotes.csv"), "lists/routes.csv")},
		{"numbers.csv", "no such file: " + filepath.Join(dir, "numbers.csv")},
		{"nowhere/numbers.csv", "no such file: " + filepath.Join(dir, "nowhere", "numbers.csv")},
	} {
		_, err := ReadData(dir, tt.name)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.want)
		}
	}
	// The compiler reports it at the DataFile's value, the path and the near name kept whole.
	profile := filepath.Join(dir, "p.json")
	os.WriteFile(profile, []byte(`{"ProfileID": 1, "ProfileName": "p", "Rules": [{"MsgType": "REQUEST", "DataFile": "Blockd.csv",
 "Conditions": [{"Header": "From", "Macro": "GETURI_USERNAME", "Operator": "BSEARCH_EQ"}], "Action": "DROP_MSG"}]}`), 0o644)
	_, diags := CompileFile(profile)
	want := fmt.Sprintf("%s:1:83: rule 0: cannot read DataFile \"Blockd.csv\": no such file: %s; did you mean \"blocked.csv\"?",
		profile, filepath.Join(dir, "Blockd.csv"))
	if len(diags) != 1 || diags[0].String() != want {
		t.Errorf("compiled: %v\nwant %s", diags, want)
	}
}
