package bigdata

import (
	"bytes"
	"testing"

	"github.com/smcproject/smc/datafile"
)

// The generated files must parse as data files, with distinct numbers and valid networks.
func TestGeneratedFilesParse(t *testing.T) {
	var nums, nets bytes.Buffer
	if err := WriteNumbers(&nums, 10000); err != nil {
		t.Fatal(err)
	}
	tab, err := datafile.Parse("numbers.csv", nums.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if tab.Len() != 10000 || tab.NumFields(0) != 3 {
		t.Fatalf("numbers: %d rows, %d fields", tab.Len(), tab.NumFields(0))
	}
	seen := map[string]bool{}
	for r := range tab.Len() {
		k := string(tab.Field(r, 1))
		if seen[k] {
			t.Fatalf("row %d: number %s repeats", r, k)
		}
		seen[k] = true
		if want := string(NumberKey(nil, r)); k != want {
			t.Fatalf("row %d: %s, NumberKey says %s", r, k, want)
		}
	}
	if err := WriteNetworks(&nets, 10000); err != nil {
		t.Fatal(err)
	}
	tab, err = datafile.Parse("networks.csv", nets.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tab.Networks(1); err != nil {
		t.Fatal(err)
	}
}
