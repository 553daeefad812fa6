package bigdata

import (
	"bytes"
	"strings"
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

// The routing table has the default route first, then distinct prefixes of 1 to 12 digits, and
// the profiles compile (by their JSON being valid here; the bundle benchmarks compile them).
func TestGeneratedPrefixes(t *testing.T) {
	var b bytes.Buffer
	if err := WritePrefixes(&b, 20000); err != nil {
		t.Fatal(err)
	}
	tab, err := datafile.Parse("prefixes.csv", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if tab.Len() != 20001 || len(tab.Field(0, 1)) != 0 || string(tab.Field(0, 2)) != "route-default" {
		t.Fatalf("%d rows, first %q", tab.Len(), tab.Field(0, 2))
	}
	seen, lengths := map[string]bool{}, map[int]int{}
	for r := 1; r < tab.Len(); r++ {
		k := string(tab.Field(r, 1))
		if seen[k] || len(k) < 1 || len(k) > 12 || strings.Trim(k, "0123456789") != "" {
			t.Fatalf("row %d: prefix %q repeats or is not 1 to 12 digits", r, k)
		}
		seen[k] = true
		lengths[len(k)]++
	}
	if len(lengths) != 12 {
		t.Errorf("lengths %v, want all of 1 to 12", lengths)
	}
	numbers := RouteNumbers(tab.Len(), func(r int) []byte { return tab.Field(r, 1) })
	if len(numbers) != 1<<16 || len(numbers[0]) < 11 {
		t.Errorf("%d numbers, the first %q", len(numbers), numbers[0])
	}
}
