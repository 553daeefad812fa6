package bundle

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/smcproject/smc/compile"
)

// A bundle holds a chain of at most compile.MaxProfiles profiles: one more is refused when it is
// written, and a programs section that claims one more is refused when it is opened.
func TestMaxProfiles(t *testing.T) {
	prog, diags := compile.Compile("p.json", []byte(`{"ProfileID": 1, "ProfileName": "p", "Rules": [{"MsgType": "REQUEST", "ReqMethod": "BYE", "Action": "DROP_MSG"}]}`), compile.Options{})
	if prog == nil {
		t.Fatal(diags)
	}
	chain := func(n int) []*compile.Program {
		progs := make([]*compile.Program, n)
		for i := range progs {
			progs[i] = prog
		}
		return progs
	}
	b := encode(t, chain(compile.MaxProfiles), Manifest{})
	bu, err := Parse("x.smcb", b)
	if err != nil || len(bu.Programs) != compile.MaxProfiles {
		t.Fatalf("%d profiles: %v", compile.MaxProfiles, err)
	}
	want := fmt.Sprintf("the chain has %d profiles; a chain holds at most %d (compile.MaxProfiles)", compile.MaxProfiles+1, compile.MaxProfiles)
	if err := Encode(&bytes.Buffer{}, chain(compile.MaxProfiles+1), Manifest{}); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("%d profiles: error %v, want %q", compile.MaxProfiles+1, err, want)
	}

	// No tables, exact, network or prefix indexes: the programs section starts 0 0 0 0, then the
	// count.
	_, e := sectionAt(t, b, KindPrograms)
	bad := bytes.Clone(b)
	if !bytes.Equal(bad[e.offset:e.offset+5], []byte{0, 0, 0, 0, compile.MaxProfiles}) {
		t.Fatalf("programs section starts with % x", bad[e.offset:e.offset+5])
	}
	bad[e.offset+4]++
	wantError(t, reseal(bad), "corrupt programs section at offset "+fmt.Sprint(e.offset+5)+": "+want)
}

// The section table holds at most MaxSections entries: a layout of exactly that many is placed,
// one more is refused (a header that claims more is refused on opening, corrupt_test.go).
func TestMaxSectionsPlaced(t *testing.T) {
	sections := func(n int) []section {
		all := []section{{entry: entry{kind: KindManifest}}, {entry: entry{kind: KindPrograms}}}
		for len(all) < n {
			all = append(all, section{entry: entry{kind: KindTableData}})
		}
		return all
	}
	if _, err := place(sections(MaxSections)); err != nil {
		t.Fatalf("%d sections: %v", MaxSections, err)
	}
	_, err := place(sections(MaxSections + 1))
	if want := fmt.Sprintf("the chain needs %d sections; a bundle holds at most %d", MaxSections+1, MaxSections); err == nil || err.Error() != want {
		t.Fatalf("%d sections: error %v, want %q", MaxSections+1, err, want)
	}
}
