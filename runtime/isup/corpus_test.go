package isup

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The shared corpus holds IAMs that other implementations encoded (open-source ISUP codecs' test
// vectors, real captures), each with Wireshark's decode beside it (../shared/corpus/isup/README.md).
// These tests read it in place, from the folder beside the repository, and compare the decoder
// with Wireshark field by field. The files are never copied into the project: their licences are
// not ours.

// corpusDir is the shared ISUP corpus, relative to this package's folder.
const corpusDir = "../../../shared/corpus/isup"

func needCorpus(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("the shared corpus is not here (%v); the comparison with other implementations is skipped", err)
	}
}

// sample is one row of iam_samples.tsv, by column name.
type sample map[string]string

func readSamples(t *testing.T) []sample {
	data, err := os.ReadFile(filepath.Join(corpusDir, "iam_samples.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	header := strings.Split(lines[0], "\t")
	var out []sample
	for _, line := range lines[1:] {
		s := sample{}
		for i, v := range strings.Split(line, "\t") {
			s[header[i]] = v
		}
		out = append(out, s)
	}
	if len(out) < 6 {
		t.Fatalf("%d samples in iam_samples.tsv; the corpus has 6", len(out))
	}
	return out
}

// TestCorpusSamples decodes every sample and compares it with Wireshark's values in
// iam_samples.tsv and in its full decode.
func TestCorpusSamples(t *testing.T) {
	needCorpus(t, corpusDir)
	for _, s := range readSamples(t) {
		t.Run(s["sample"], func(t *testing.T) {
			msg, err := hex.DecodeString(s["isup_hex_without_cic"])
			if err != nil {
				t.Fatal(err)
			}
			bin, err := os.ReadFile(filepath.Join(corpusDir, "bin", s["sample"]+".isup.bin"))
			if err != nil || !bytes.Equal(bin, msg) {
				t.Fatalf("bin/%s.isup.bin differs from the hex of the table (%v)", s["sample"], err)
			}
			var d IAM
			if err := d.Decode(bin, VariantOf([]byte(s["variant"]))); err != nil {
				t.Fatalf("not decoded: %v", err)
			}
			checkTable(t, &d, s)
			checkWireshark(t, &d, readDecode(t, s["sample"]))
			t.Logf("NCI %s FCI %s CPC %s CdPN %q CPN %q JIP %q OLI %q", d.AppendNCI(nil), d.AppendFCI(nil), d.AppendCPC(nil),
				d.Called.AppendDigits(nil), d.Calling.AppendDigits(nil), d.JIP.AppendDigits(nil), d.AppendOLI(nil))
		})
	}
}

// checkTable compares the decode with the flattened Wireshark fields. A field Wireshark shows
// for several parameters holds their values in message order, joined by "|".
func checkTable(t *testing.T, d *IAM, s sample) {
	t.Helper()
	fci0, fci1 := int(d.FCI[0]), int(d.FCI[1])
	nums := wsNumbers(d)
	want := map[string]string{
		"message_type":                              "1",
		"satellite_indicator":                       fmt.Sprintf("0x%02x", d.NCI&3),
		"continuity_check_indicator":                fmt.Sprintf("0x%02x", d.NCI>>2&3),
		"echo_control_device_indicator":             fmt.Sprint(d.NCI >> 4 & 1),
		"forw_call_end_to_end_method_indicator":     fmt.Sprintf("0x%04x", fci0>>1&3),
		"forw_call_interworking_indicator":          fmt.Sprint(fci0 >> 3 & 1),
		"forw_call_isdn_user_part_indicator":        fmt.Sprint(fci0 >> 5 & 1),
		"forw_call_preferences_indicator":           fmt.Sprintf("0x%04x", fci0>>6&3),
		"forw_call_isdn_access_indicator":           fmt.Sprint(fci1 & 1),
		"calling_partys_category":                   fmt.Sprintf("0x%02x", d.CPC),
		"called":                                    string(d.Called.AppendDigits(nil)),
		"called_party_nature_of_address_indicator":  fmt.Sprint(d.Called.NAI()),
		"inn_indicator":                             join(append([]num{{d.Called, 0x04}}, only(nums, 0x3F)...), func(n num) int { return int(n.Indicators() >> 7) }),
		"numbering_plan_indicator":                  join(append([]num{{d.Called, 0x04}}, nums...), func(n num) int { return int(n.Indicators() >> 4 & 7) }),
		"calling":                                   string(d.Calling.AppendDigits(nil)),
		"calling_party_nature_of_address_indicator": join(nums, func(n num) int { return int(n.NAI()) }),
		"address_presentation_restricted_indicator": join(nums, func(n num) int { return int(n.Indicators() >> 2 & 3) }),
		"screening_indicator":                       join(only(nums, 0x0A, 0x3F), func(n num) int { return int(n.Indicators() & 3) }),
		"jurisdiction":                              string(d.JIP.AppendDigits(nil)),
		"originating_line_info":                     string(d.AppendOLI(nil)),
		"user_service_information":                  usi(d),
	}
	if d.Variant == ITU {
		want["transmission_medium_requirement"] = fmt.Sprint(d.TMR)
	} else {
		want["transmission_medium_requirement"] = ""
	}
	for field, w := range want {
		got := s[field]
		if field == "called" || field == "calling" {
			got = strings.TrimSuffix(got, "F") // Wireshark shows the ST digit; SMC-SPEC §4 drops it
		}
		if got != w {
			t.Errorf("%s: Wireshark %q, decoded %q", field, s[field], w)
		}
	}
}

// num is a number parameter with its code.
type num struct {
	Number
	code byte
}

// wsNumbers are the optional parameters Wireshark decodes with the calling party number's
// fields, in message order.
func wsNumbers(d *IAM) []num {
	var out []num
	d.Optional(func(code byte, value []byte) bool {
		switch code {
		case 0x0A, 0x0B, 0x28, 0x3F, 0x6F:
			out = append(out, num{Number{v: value, present: true}, code})
		}
		return true
	})
	return out
}

func only(nums []num, codes ...byte) []num {
	var out []num
	for _, n := range nums {
		if bytes.IndexByte(codes, n.code) >= 0 {
			out = append(out, n)
		}
	}
	return out
}

func join(nums []num, f func(num) int) string {
	var parts []string
	for _, n := range nums {
		parts = append(parts, strconv.Itoa(f(n)))
	}
	return strings.Join(parts, "|")
}

// usi is the user service information: mandatory in ANSI, the optional 0x1D in ITU.
func usi(d *IAM) string {
	v := d.USI
	d.Optional(func(code byte, value []byte) bool {
		if code == 0x1D && v == nil {
			v = value
		}
		return true
	})
	return hex.EncodeToString(v)
}

// decode is what a Wireshark decode (decoded/*.tshark-decode.txt) says of an IAM.
type decode struct {
	nci, fci, cpc, tmr, usi, called, calling string
	params                                   []wsParam
}

type wsParam struct {
	code, length int
	name         string
}

var (
	reTop   = regexp.MustCompile(`^    (Nature of Connection Indicators|Forward Call Indicators|Calling Party's category|Transmission medium requirement|Called Party Number) ?: ?(\S+)`)
	reParam = regexp.MustCompile(`^    Parameter: \(t=(\d+), l=(\d+)\): ([^:]+)(?:: (\S+))?`)
	reUSI   = regexp.MustCompile(`User service information \(-> Q\.931 Bearer_capability\): ([0-9a-f]+)`)
)

func readDecode(t *testing.T, name string) decode {
	f, err := os.Open(filepath.Join(corpusDir, "decoded", name+".tshark-decode.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var w decode
	top := map[string]*string{"Nature of Connection Indicators": &w.nci, "Forward Call Indicators": &w.fci,
		"Calling Party's category": &w.cpc, "Transmission medium requirement": &w.tmr, "Called Party Number": &w.called}
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := sc.Text()
		if m := reTop.FindStringSubmatch(line); m != nil {
			*top[m[1]] = m[2]
		}
		if m := reUSI.FindStringSubmatch(line); m != nil && w.usi == "" {
			w.usi = m[1]
		}
		if m := reParam.FindStringSubmatch(line); m != nil {
			code, _ := strconv.Atoi(m[1])
			length, _ := strconv.Atoi(m[2])
			w.params = append(w.params, wsParam{code, length, m[3]})
			if code == 0x0A && w.calling == "" {
				w.calling = m[4]
			}
		}
	}
	if w.nci == "" || w.called == "" {
		t.Fatalf("decoded/%s.tshark-decode.txt: no IAM found in it", name)
	}
	return w
}

// checkWireshark compares the decode with Wireshark's full decode: the mandatory parts, and the
// optional parameters one by one (code, length, and the name where Wireshark knows one).
func checkWireshark(t *testing.T, d *IAM, w decode) {
	t.Helper()
	hexNum := func(s string) int64 { n, _ := strconv.ParseInt(strings.TrimPrefix(s, "0x"), 16, 32); return n }
	checks := []struct {
		what      string
		ws, ours  int64
		wsS, ourS string
	}{
		{what: "NCI", ws: hexNum(w.nci), ours: int64(d.NCI)},
		{what: "FCI", ws: hexNum(w.fci), ours: int64(d.FCI[0])<<8 | int64(d.FCI[1])},
		{what: "CPC", ws: hexNum(w.cpc), ours: int64(d.CPC)},
		{what: "called party number", wsS: strings.TrimSuffix(w.called, "F"), ourS: string(d.Called.AppendDigits(nil))},
		{what: "calling party number", wsS: w.calling, ourS: string(d.Calling.AppendDigits(nil))},
		{what: "user service information", wsS: w.usi, ourS: usi(d)},
	}
	if d.Variant == ITU {
		tmr, _ := strconv.Atoi(w.tmr)
		checks = append(checks, struct {
			what      string
			ws, ours  int64
			wsS, ourS string
		}{what: "TMR", ws: int64(tmr), ours: int64(d.TMR)})
	}
	for _, c := range checks {
		if c.ws != c.ours || c.wsS != c.ourS {
			t.Errorf("%s: Wireshark %d %q, decoded %d %q", c.what, c.ws, c.wsS, c.ours, c.ourS)
		}
	}
	var ours []wsParam
	d.Optional(func(code byte, value []byte) bool {
		ours = append(ours, wsParam{int(code), len(value), ParamName(d.Variant, code)})
		return true
	})
	if len(ours) != len(w.params) {
		t.Fatalf("optional parameters: Wireshark %v, decoded %v", w.params, ours)
	}
	for i, p := range w.params {
		name := strings.ToLower(p.name)
		if p.code != ours[i].code || p.length != ours[i].length || name != "unknown" && !strings.HasPrefix(name, strings.ToLower(ours[i].name)) {
			t.Errorf("optional parameter %d: Wireshark %v, decoded %v", i+1, p, ours[i])
		}
	}
}
