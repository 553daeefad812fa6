package bundle

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/datafile"
	"github.com/smcproject/smc/internal/smctest"
	"github.com/smcproject/smc/perf"
	"github.com/smcproject/smc/runtime"
)

var env = runtime.Env{
	Remote:    netip.MustParseAddrPort("203.0.113.5:5060"),
	Local:     netip.MustParseAddrPort("192.0.2.2:5060"),
	Transport: runtime.UDP,
	Now:       time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC),
	Rand:      7,
}

// fixture compiles testdata/chain: a profile with every kind of data section.
func fixture(t testing.TB) ([]*compile.Program, Manifest, []byte) {
	t.Helper()
	progs, m, diags := CompileFiles([]string{"testdata/chain/profile.json"})
	if progs == nil {
		t.Fatal(diags)
	}
	msg, err := os.ReadFile("testdata/chain/invite.sip")
	if err != nil {
		t.Fatal(err)
	}
	return progs, m, msg
}

func encode(t testing.TB, progs []*compile.Program, m Manifest) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, progs, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// outcome is what a chain did to a message, copied out of the Machine.
type outcome struct {
	verdict        runtime.Verdict
	code, dscp     int
	mark           uint32
	hasMark        bool
	output, answer string
	audit          []string
}

func run(chain *runtime.Chain, msg []byte) outcome {
	r := runtime.NewMachine(chain).Run(msg, &env)
	o := outcome{verdict: r.Verdict, code: r.Code, dscp: r.DSCP, mark: r.Mark, hasMark: r.HasMark,
		output: string(r.Output), answer: string(r.Response)}
	for _, a := range r.Audit {
		o.audit = append(o.audit, string(a.Text))
	}
	return o
}

func (o outcome) equal(p outcome) bool {
	if len(o.audit) != len(p.audit) {
		return false
	}
	for i := range o.audit {
		if o.audit[i] != p.audit[i] {
			return false
		}
	}
	o.audit, p.audit = nil, nil
	return o.verdict == p.verdict && o.code == p.code && o.dscp == p.dscp && o.mark == p.mark &&
		o.hasMark == p.hasMark && o.output == p.output && o.answer == p.answer
}

// Every example and spec case, compiled into a bundle and opened again, encodes to the same bytes
// and does to its message exactly what the compiled profiles do.
func TestRoundTripExamples(t *testing.T) {
	cases, err := perf.Examples("../../examples", "../../testdata/spec")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 200 {
		t.Fatalf("only %d cases found", len(cases))
	}
	for _, c := range cases {
		enc := encode(t, c.Chain.Programs, Manifest{})
		b, err := Parse(c.Name, enc)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if again := encode(t, b.Programs, Manifest{}); !bytes.Equal(again, enc) {
			t.Fatalf("%s: the opened bundle encodes to different bytes", c.Name)
		}
		if err := b.Verify(); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		want, got := run(c.Chain, c.Message), run(smctest.MustChain(t, b.Programs...), c.Message)
		if !want.equal(got) {
			t.Fatalf("%s: from profiles %+v\nfrom the bundle %+v", c.Name, want, got)
		}
	}
}

// The fixture's bundle, written to a file and mapped, runs like its profile, and its manifest
// names the profile and every data file with their digests.
func TestWriteOpen(t *testing.T) {
	progs, m, msg := fixture(t)
	path := filepath.Join(t.TempDir(), "chain.smcb")
	if err := WriteFile(path, progs, m); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != FileMode {
		t.Errorf("bundle written with mode %v, want %v", fi.Mode().Perm(), os.FileMode(FileMode))
	}
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Verify(); err != nil {
		t.Fatal(err)
	}
	want, got := run(smctest.MustChain(t, progs...), msg), run(smctest.MustChain(t, b.Programs...), msg)
	if !want.equal(got) {
		t.Fatalf("from profiles %+v\nfrom the bundle %+v", want, got)
	}
	for _, s := range []string{"X-Carrier: carrier-7 (fraud)", "X-Media-List: media-narrow", "X-Route: route-b", "User-Agent: Friendly-Scanner/x.y"} {
		if !bytes.Contains([]byte(got.output), []byte(s)) {
			t.Errorf("output lacks %q:\n%s", s, got.output)
		}
	}
	if got.dscp != 46 || len(got.audit) != 1 {
		t.Errorf("dscp %d, audit %q", got.dscp, got.audit)
	}
	if len(b.Manifest.Profiles) != 1 || len(b.Manifest.Data) != 4 {
		t.Fatalf("manifest %+v", b.Manifest)
	}
	if b.Manifest.Profiles[0].Path != "testdata/chain/profile.json" || b.Manifest.Data[0].Path != filepath.Join("testdata/chain", "numbers.csv") {
		t.Errorf("manifest paths %+v", b.Manifest)
	}
}

// Compiling the same files twice gives the same bytes: a bundle can be identified by its digest.
func TestDeterministic(t *testing.T) {
	p1, m1, _ := fixture(t)
	p2, m2, _ := fixture(t)
	if !bytes.Equal(encode(t, p1, m1), encode(t, p2, m2)) {
		t.Error("two compilations of the same files differ")
	}
}

// Lookups in an opened bundle read the mapped file and allocate nothing: exact, case-folded and
// CIDR, hits and misses, and the fields of the row found.
func TestMappedLookups(t *testing.T) {
	progs, m, _ := fixture(t)
	path := filepath.Join(t.TempDir(), "chain.smcb")
	if err := WriteFile(path, progs, m); err != nil {
		t.Fatal(err)
	}
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var exact, folded *datafile.Index
	var nets *datafile.Networks
	for _, c := range b.Programs[0].Conds {
		switch {
		case c.Index != nil && c.Index.Fold():
			folded = c.Index
		case c.Index != nil:
			exact = c.Index
		case c.Nets != nil:
			nets = c.Nets
		}
	}
	if exact == nil || folded == nil || nets == nil {
		t.Fatal("the fixture lacks an exact, a folded or a network index")
	}
	lookups := []struct {
		name string
		find func() (int, bool)
		row  int // -1: not found
	}{
		{"exact hit, first of duplicates", func() (int, bool) { return exact.Lookup([]byte("+15550001111")) }, 0},
		{"exact miss", func() (int, bool) { return exact.Lookup([]byte("+15550003333")) }, -1},
		{"folded hit", func() (int, bool) { return folded.Lookup([]byte("sipvicious")) }, 1},
		{"folded miss", func() (int, bool) { return folded.Lookup([]byte("sipp")) }, -1},
		{"IPv4 most specific", func() (int, bool) { return nets.Lookup(datafile.AddrFrom4([4]byte{198, 51, 100, 200})) }, 1},
		{"IPv6", func() (int, bool) {
			return nets.Lookup(datafile.AddrFrom16(netip.MustParseAddr("2001:db8::1").As16()))
		}, 2},
		{"IPv4 miss", func() (int, bool) { return nets.Lookup(datafile.AddrFrom4([4]byte{192, 0, 2, 1})) }, -1},
	}
	for _, l := range lookups {
		if r, ok := l.find(); r != l.row || ok != (l.row >= 0) {
			t.Errorf("%s: row %d %v, want %d", l.name, r, ok, l.row)
		}
		if n := testing.AllocsPerRun(100, func() { l.find() }); n != 0 {
			t.Errorf("%s: %v allocations", l.name, n)
		}
	}
	if got := string(exact.Table().Field(0, 2)); got != "carrier-7" {
		t.Errorf("Field(0, 2) = %q", got)
	}
	if n := testing.AllocsPerRun(100, func() { exact.Table().Field(0, 3) }); n != 0 {
		t.Errorf("Field: %v allocations", n)
	}
}
