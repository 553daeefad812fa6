// Package bigdata writes the carrier-scale data files that the bundle benchmarks of issue 3 run
// on: a list of E.164 numbers with two more columns, and a list of IPv4 and IPv6 networks. The
// files are generated, never committed: they are hundreds of megabytes, and a generator with a
// fixed seed gives every machine the same bytes.
package bigdata

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
)

// Seed fixes the generated files, so numbers measured on two machines or two versions compare.
const Seed = 3

// NumberKey returns the number of row i (0-based) of a numbers file: "+" followed by a country
// code and a ten-digit national number. Distinct rows have distinct numbers: the national number
// is i times an odd constant not divisible by 5, modulo 10^10, which is a bijection.
func NumberKey(dst []byte, i int) []byte {
	const space = 10_000_000_000
	national := uint64(i) * 2654435761 % space
	dst = append(dst, '+')
	dst = append(dst, countryCodes[i%len(countryCodes)]...)
	n := len(dst)
	dst = strconv.AppendUint(dst, national+space, 10) // 11 digits: a leading 1 keeps the zeros
	return append(dst[:n], dst[n+1:]...)
}

var countryCodes = []string{"1", "44", "33", "49", "61", "81", "86", "91"}

// WriteNumbers writes rows rows of "number,carrier,reason".
func WriteNumbers(w io.Writer, rows int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	rng := rand.New(rand.NewPCG(Seed, 1))
	var line []byte
	for i := range rows {
		line = NumberKey(line[:0], i)
		line = fmt.Appendf(line, ",carrier-%04d,%s\n", rng.IntN(5000), reasons[rng.IntN(len(reasons))])
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

var reasons = []string{"fraud", "robocall", "unallocated", "complaint", "porting"}

// WriteNetworks writes rows rows of "network,label": about 70% IPv4 networks with prefix lengths
// 8 to 32 and 30% IPv6 networks with lengths 20 to 128, random, so that they nest and overlap the
// way merged blocklists do.
func WriteNetworks(w io.Writer, rows int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	rng := rand.New(rand.NewPCG(Seed, 2))
	var line []byte
	for i := range rows {
		line = RandomNetwork(rng).AppendTo(line[:0])
		line = fmt.Appendf(line, ",list-%d\n", i%97)
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// RandomNetwork returns a random network in the mix WriteNetworks writes.
func RandomNetwork(rng *rand.Rand) netip.Prefix {
	if rng.IntN(10) < 7 {
		bits := 8 + rng.IntN(25)
		p, _ := RandomAddr4(rng).Prefix(bits)
		return p
	}
	bits := 20 + rng.IntN(109)
	p, _ := RandomAddr6(rng).Prefix(bits)
	return p
}

// RandomAddr4 returns a random IPv4 address.
func RandomAddr4(rng *rand.Rand) netip.Addr {
	v := rng.Uint32()
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// RandomAddr6 returns a random global unicast IPv6 address (2000::/3), where the generated
// networks lie.
func RandomAddr6(rng *rand.Rand) netip.Addr {
	var a [16]byte
	for i := range a {
		a[i] = byte(rng.Uint32())
	}
	a[0] = 0x20 | a[0]&0x1f
	return netip.AddrFrom16(a)
}

// Files names the generated files in a folder.
type Files struct {
	Numbers  string // NumberRows rows
	Networks string // NetworkRows rows
	Prefixes string // PrefixRows rows and a default route
	Profile  string // a profile that looks callers up in Numbers, media addresses in Networks and called numbers in Prefixes
}

// Profile is the profile of the big benchmarks: an exact lookup of the caller's number and a
// longest-prefix match of the SDP media address, each adding a header from the row found. It has
// no RE2 pattern, so opening its bundle measures the bundle, not the regex engine's start-up.
const Profile = `{
  "ProfileID": 3,
  "ProfileName": "carrier-scale lists",
  "Rules": [
    {
      "MsgType": "REQUEST",
      "ReqMethod": "INVITE",
      "DataFile": "numbers.csv",
      "DataFileBSearchIndex": 1,
      "Conditions": [
        { "Header": "From", "Macro": "GETURI_USERNAME", "Operator": "BSEARCH_EQ", "RightOperand": "{$DataFile.Field1}" }
      ],
      "Action": "REPLACE_MSG",
      "ReplaceDefs": [
        { "ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-Blocked: {$DataFile.Field2} {$DataFile.Field3}" }
      ]
    },
    {
      "MsgType": "REQUEST",
      "ReqMethod": "INVITE",
      "DataFile": "networks.csv",
      "DataFileBSearchIndex": 1,
      "Conditions": [
        { "Header": "c=", "HeaderAttr": "BODY_SECTION_ONLY", "Operator": "IP_LOOKUP", "RightOperand": "{$DataFile.Field1}" }
      ],
      "Action": "REPLACE_MSG",
      "ReplaceDefs": [
        { "ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-Media-List: {$DataFile.Field2}" }
      ]
    },
    {
      "MsgType": "REQUEST",
      "ReqMethod": "INVITE",
      "DataFile": "prefixes.csv",
      "Conditions": [
        { "Header": "TOPLINE", "Macro": "GETURI_USERNAME", "RegEx1": "[0-9]+", "Operator": "BSEARCH_PREFIX" }
      ],
      "Action": "REPLACE_MSG",
      "ReplaceDefs": [
        { "ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-Route: {$DataFile.Field2}" }
      ]
    }
  ]
}
`

// PrefixProfile is the profile of the prefix benchmarks alone: the longest prefix of the called
// number, and an exact lookup in the same table to compare it with.
const PrefixProfile = `{
  "ProfileID": 4,
  "ProfileName": "a routing table",
  "Rules": [
    {
      "MsgType": "REQUEST",
      "DataFile": "prefixes.csv",
      "Conditions": [
        { "Header": "TOPLINE", "Macro": "GETURI_USERNAME", "RegEx1": "[0-9]+", "Operator": "BSEARCH_PREFIX" },
        { "Header": "To", "Macro": "GETURI_USERNAME", "Operator": "BSEARCH_EQ" }
      ],
      "Action": "REPLACE_MSG",
      "ReplaceDefs": [
        { "ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-Route: {$DataFile.Field2}" }
      ]
    }
  ]
}
`

// The sizes issue 3 sets its targets for.
const (
	NumberRows  = 10_000_000
	NetworkRows = 1_000_000
)

// Ensure writes the data files into dir unless they are there already, and the profile unless
// it is there with this text, and returns their names.
func Ensure(dir string) (Files, error) {
	f := Files{Numbers: filepath.Join(dir, "numbers.csv"), Networks: filepath.Join(dir, "networks.csv"),
		Prefixes: filepath.Join(dir, "prefixes.csv"), Profile: filepath.Join(dir, "profile.json")}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return f, err
	}
	if err := ensureText(f.Profile, Profile); err != nil {
		return f, err
	}
	if err := ensure(f.Numbers, func(w io.Writer) error { return WriteNumbers(w, NumberRows) }); err != nil {
		return f, err
	}
	if err := ensure(f.Prefixes, func(w io.Writer) error { return WritePrefixes(w, PrefixRows) }); err != nil {
		return f, err
	}
	return f, ensure(f.Networks, func(w io.Writer) error { return WriteNetworks(w, NetworkRows) })
}

// EnsurePrefixes writes the routing table and PrefixProfile into dir, as Ensure does, and
// returns the profile's name: the prefix benchmarks need neither of the larger files.
func EnsurePrefixes(dir string) (profile string, err error) {
	profile = filepath.Join(dir, "prefix-profile.json")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return profile, err
	}
	if err := ensureText(profile, PrefixProfile); err != nil {
		return profile, err
	}
	return profile, ensure(filepath.Join(dir, "prefixes.csv"), func(w io.Writer) error { return WritePrefixes(w, PrefixRows) })
}

// ensureText writes text to path unless the file holds it already: a profile of an older
// version of this package is replaced, where a data file, being generated with a fixed seed,
// is kept.
func ensureText(path, text string) error {
	if b, err := os.ReadFile(path); err == nil && string(b) == text {
		return nil
	}
	os.Remove(path)
	return ensure(path, func(w io.Writer) error { _, err := io.WriteString(w, text); return err })
}

// ensure writes path through a temporary file and a rename, so that an interrupted run leaves no
// half-written file that a later run would take for complete.
func ensure(path string, write func(io.Writer) error) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".gen-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// PrefixRows is the size of the routing table of the BSEARCH_PREFIX benchmarks.
const PrefixRows = 1_000_000

// callingCodes are country calling codes of ITU-T E.164 of one, two and three digits, for the
// routing table: each zone's numbers start with one.
var callingCodes = []string{"1", "7", "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43",
	"44", "45", "46", "47", "48", "49", "52", "54", "55", "56", "57", "60", "61", "62", "63", "64", "65", "66",
	"81", "82", "84", "86", "90", "91", "92", "93", "94", "212", "234", "254", "351", "353", "358", "380",
	"420", "852", "880", "966", "971", "972"}

// prefixLengthWeights weighs the lengths 1 to 12 of the generated prefixes the way carrier
// routing tables spread: a few zones and countries, many area codes and exchanges, fewer single
// blocks of numbers.
var prefixLengthWeights = [...]int{1, 1, 1, 2, 4, 8, 12, 14, 14, 12, 8, 4}

// PrefixKey returns a random prefix of the mix WritePrefixes writes: digits without the "+", a
// calling code (cut short for lengths under its own) and random digits, 1 to 12 in all.
func PrefixKey(dst []byte, rng *rand.Rand) []byte {
	w := rng.IntN(81) // the sum of prefixLengthWeights
	n := 1
	for _, pw := range prefixLengthWeights {
		if w < pw {
			break
		}
		w -= pw
		n++
	}
	cc := callingCodes[rng.IntN(len(callingCodes))]
	dst = append(dst, cc[:min(n, len(cc))]...)
	for len(dst) < n {
		dst = append(dst, byte('0'+rng.IntN(10)))
	}
	return dst
}

// WritePrefixes writes a least-cost-routing table of "prefix,route,rate" rows: first the default
// route, whose prefix is empty, then rows distinct prefixes of PrefixKey's mix, which nest (a
// zone, a country, its area codes, their exchanges) as real tables do.
func WritePrefixes(w io.Writer, rows int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	rng := rand.New(rand.NewPCG(Seed, 3))
	if _, err := bw.WriteString(",route-default,0.0900\n"); err != nil {
		return err
	}
	seen := make(map[string]bool, rows)
	var line []byte
	for len(seen) < rows {
		line = PrefixKey(line[:0], rng)
		if seen[string(line)] {
			continue
		}
		seen[string(line)] = true
		line = fmt.Appendf(line, ",route-%03d,0.%04d\n", rng.IntN(400), rng.IntN(10000))
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// RouteNumbers returns 65,536 called numbers to route through a table of rows prefixes, key(r)
// being row r's: half extend the prefix of a random row to 11 to 13 digits, so that long
// prefixes are found, and half are random numbers of a calling code, which stop at a country,
// an area code or the default route.
func RouteNumbers(rows int, key func(r int) []byte) [][]byte {
	rng := rand.New(rand.NewPCG(Seed, 4))
	numbers := make([][]byte, 1<<16)
	for i := range numbers {
		var n []byte
		if i%2 == 0 {
			n = append(n, key(rng.IntN(rows))...)
		} else {
			n = append(n, callingCodes[rng.IntN(len(callingCodes))]...)
		}
		for want := 11 + rng.IntN(3); len(n) < want; {
			n = append(n, byte('0'+rng.IntN(10)))
		}
		numbers[i] = n
	}
	return numbers
}
