package bundle

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/runtime"
)

// manyTables compiles a chain of n rules, each looking the caller up in a data file of its own,
// in profiles of at most compile.MaxRules rules.
func manyTables(t *testing.T, n int) []*compile.Program {
	t.Helper()
	var rules []string
	for i := range n {
		rules = append(rules, fmt.Sprintf(`{"MsgType": "REQUEST", "DataFile": "d%d.csv", "DataFileBSearchIndex": 1,
 "Conditions": [{"Header": "From", "Macro": "GETURI_USERNAME", "Operator": "BSEARCH_EQ", "RightOperand": "{$DataFile.Field1}"}],
 "Action": "DROP_MSG"}`, i))
	}
	open := func(name string) ([]byte, error) {
		return []byte("1" + strings.TrimSuffix(name[1:], ".csv") + ",x\n"), nil
	}
	var progs []*compile.Program
	for len(rules) > 0 {
		part := rules[:min(len(rules), compile.MaxRules)]
		rules = rules[len(part):]
		src := `{"ProfileID": 1, "ProfileName": "tables", "Rules": [` + strings.Join(part, ",\n") + `]}`
		prog, diags := compile.Compile("tables.json", []byte(src), compile.Options{OpenData: open})
		if prog == nil {
			t.Fatal(diags)
		}
		progs = append(progs, prog)
	}
	return progs
}

// A chain may use MaxTables data tables; one more is refused when the bundle is written, and a
// bundle that claims more is refused when it is opened.
func TestMaxTables(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a profile of a thousand rules")
	}
	progs := manyTables(t, MaxTables)
	b := encode(t, progs, Manifest{})
	bu, err := Parse("x.smcb", b)
	if err != nil {
		t.Fatal(err)
	}
	// The last table answers for its own key, so the sections are not mixed up.
	msg := []byte("INVITE sip:a@b SIP/2.0\r\nFrom: <sip:11023@example.com>\r\n\r\n")
	if o := run(smctest.MustChain(t, bu.Programs...), msg); o.verdict != runtime.Drop {
		t.Fatalf("key of table %d: verdict %v, want drop", MaxTables-1, o.verdict)
	}

	err = Encode(&bytes.Buffer{}, manyTables(t, MaxTables+1), Manifest{})
	if want := fmt.Sprintf("the chain uses %d data tables; a bundle holds at most %d", MaxTables+1, MaxTables); err == nil || err.Error() != want {
		t.Fatalf("%d tables: error %v, want %q", MaxTables+1, err, want)
	}

	// A programs section that claims one table more than the limit.
	_, e := sectionAt(t, b, KindPrograms)
	bad := bytes.Clone(b)
	if bad[e.offset] != 0x80 || bad[e.offset+1] != 0x08 { // uvarint 1024
		t.Fatalf("programs section starts with % x, want the table count 1024", bad[e.offset:e.offset+2])
	}
	bad[e.offset] = 0x81
	wantError(t, reseal(bad), fmt.Sprintf("%d tables (at most %d)", MaxTables+1, MaxTables))
}

// Programs over MaxProgramPart are refused when the bundle is written, and a header that claims
// a program part over it is refused when the bundle is opened, before the part is read.
func TestMaxProgramPart(t *testing.T) {
	programs := func(n int) []section {
		return []section{{entry: entry{kind: KindManifest}}, {entry: entry{kind: KindPrograms, length: uint64(n)}, data: make([]byte, n)}}
	}
	fits := MaxProgramPart - headerSize - 2*entrySize
	if _, err := place(programs(fits)); err != nil {
		t.Fatalf("a program part of exactly %d bytes: %v", MaxProgramPart, err)
	}
	_, err := place(programs(fits + 1))
	if want := fmt.Sprintf("the compiled programs take %d bytes; a bundle holds at most %d", MaxProgramPart+1, MaxProgramPart); err == nil || err.Error() != want {
		t.Fatalf("one byte more: error %v, want %q", err, want)
	}

	// A file large enough to hold the part it claims, so that only the limit is broken.
	b := fixtureBundle(t)
	b = append(b, make([]byte, MaxProgramPart+1-len(b))...)
	le.PutUint64(b[16:], uint64(len(b)))
	le.PutUint64(b[24:], MaxProgramPart+1)
	wantError(t, reseal(b), fmt.Sprintf("corrupt header: program part of %d bytes at offset 24", MaxProgramPart+1))
}
