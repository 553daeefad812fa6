package auditlog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/smcproject/smc/runtime"
)

// A writtenLog is a log file the writer wrote, with what is known of it independently of the
// reader: its lines (decoded by the zstd library's stream reader, not by ReadFile's frame walk)
// and, for each record, an offset at or after the end of the frame that holds it (the file's size
// after the Flush that followed the record).
type writtenLog struct {
	data  []byte
	lines [][]byte
	ends  []int64
}

// The records the fuzzed logs hold: audit texts and dropped messages that need JSON escaping,
// invalid UTF-8, non-ASCII, both transports, IPv4, IPv6 and absent addresses.
var (
	fuzzTexts = []string{
		"class gold +15551230001",
		"INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n" +
			"From: \"Alice \\\"A\\\"\" <sip:alice@example.com>;tag=1928301774\r\nTo: <sip:bob@example.com>\r\n" +
			"Call-ID: a84b4c76e66710\r\nCSeq: 314159 INVITE\r\nContent-Length: 0\r\n\r\n",
		"bad \xff\xfe utf-8, a tab\t, a NUL \x00, DEL \x7f, ünïcödé ✓",
		"",
		strings.Repeat("compressible ", 300),
	}
	fuzzEnvs = []runtime.Env{
		env,
		{Remote: netip.MustParseAddrPort("[2001:db8::7]:5061"), Local: netip.MustParseAddrPort("[2001:db8::1]:5060"), Transport: runtime.TCP},
		{},
	}
)

// writeLog writes n records with the writer, flushing after every `every` of them, and returns
// the file.
func writeLog(tb testing.TB, n, every int) writtenLog {
	dir := tb.TempDir()
	l, err := Open(Config{Dir: dir})
	if err != nil {
		tb.Fatal(err)
	}
	var w writtenLog
	stat := func() int64 {
		files, _ := List(dir)
		if len(files) != 1 {
			return 0
		}
		fi, err := os.Stat(files[0])
		if err != nil {
			tb.Fatal(err)
		}
		return fi.Size()
	}
	pending := 0
	for i := range n {
		kind := runtime.AuditText
		if i%3 == 1 {
			kind = runtime.AuditDrop
		}
		rec := &runtime.AuditRecord{Profile: int64(i * 7), Rule: i % 5, Kind: kind, Text: []byte(fuzzTexts[i%len(fuzzTexts)])}
		if !l.Add(rec, &fuzzEnvs[i%len(fuzzEnvs)]) {
			tb.Fatal("Add refused a record")
		}
		pending++
		if (i+1)%every == 0 || i == n-1 {
			l.Flush()
			for size := stat(); pending > 0; pending-- {
				w.ends = append(w.ends, size)
			}
		}
	}
	l.Close()
	files, _ := List(dir)
	if len(files) != 1 {
		tb.Fatalf("%d files", len(files))
	}
	if w.data, err = os.ReadFile(files[0]); err != nil {
		tb.Fatal(err)
	}
	dec, err := zstd.NewReader(bytes.NewReader(w.data))
	if err != nil {
		tb.Fatal(err)
	}
	defer dec.Close()
	var all bytes.Buffer
	if _, err := all.ReadFrom(dec); err != nil {
		tb.Fatal(err)
	}
	w.lines = bytes.Split(bytes.TrimSuffix(all.Bytes(), []byte("\n")), []byte("\n"))
	if len(w.lines) != n || len(w.ends) != n {
		tb.Fatalf("%d records written, %d lines decoded, %d frame ends", n, len(w.lines), len(w.ends))
	}
	for i, line := range w.lines {
		if err := checkRecord(line); err != nil {
			tb.Fatalf("record %d as written: %v", i, err)
		}
	}
	return w
}

// Damage is what FuzzReadFile does to a log at the chosen offset. Every kind leaves the bytes
// before the offset as they were.
const (
	damageFlip      = iota // one byte XORed with a nonzero value
	damageCut              // the file ends at the offset
	damageInsert           // bytes inserted
	damageOverwrite        // bytes overwritten, the length kept
	damageDelete           // bytes removed
	damageReplace          // everything from the offset replaced (at offset 0: any file at all)
	numDamages
)

func damage(data []byte, kind uint8, off int, patch []byte) []byte {
	out := bytes.Clone(data[:off])
	switch kind % numDamages {
	case damageFlip:
		if off < len(data) {
			x := byte(1)
			if len(patch) > 0 && patch[0] != 0 {
				x = patch[0]
			}
			out = append(out, data[off]^x)
			out = append(out, data[off+1:]...)
		}
	case damageCut:
	case damageInsert:
		if len(patch) == 0 {
			patch = []byte{0}
		}
		out = append(append(out, patch...), data[off:]...)
	case damageOverwrite:
		out = append(out, data[off:]...)
		copy(out[off:], patch)
	case damageDelete:
		out = append(out, data[min(len(data), off+1+len(patch)):]...)
	case damageReplace:
		out = append(out, patch...)
	}
	return out
}

// FuzzReadFile reads damaged log files. Logs of 1, 7 and 40 records written by the writer in one
// or several frames are damaged at a fuzz-chosen offset (a byte flipped, the file cut, bytes
// inserted, overwritten or deleted, or everything after the offset replaced by the fuzz bytes, so
// that offset 0 reads any file at all). Whatever the damage:
//
//   - the reader does not panic, and the offset it returns is inside the file;
//   - every record it returns is one JSON object with exactly the fields of SMC-SPEC §9, of the
//     right types (checkRecord), and is one of the records written;
//   - every record whose frame ended before the damage is returned, intact and in order, before
//     any other;
//   - after a damage that cannot duplicate a frame (a flip, a cut), what it returns is the records
//     written, in order, up to some point;
//   - reading on from the offset it returned, when it returned no error, gives no more records.
//
// The seeds (testdata/fuzz/FuzzReadFile) are each damage at the start, inside the first frame, at
// a frame boundary and at the end of each log.
func FuzzReadFile(f *testing.F) {
	logs := []writtenLog{writeLog(f, 1, 1), writeLog(f, 7, 3), writeLog(f, 40, 4)}
	f.Add(uint8(1), uint8(damageFlip), uint32(10), []byte{0x40})
	f.Add(uint8(0), uint8(damageReplace), uint32(0), []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0x01, 0x00, 0x00})
	r := NewReader()
	path := filepath.Join(f.TempDir(), "f"+FileSuffix) // one per fuzzing process
	f.Fuzz(func(t *testing.T, which, kind uint8, off uint32, patch []byte) {
		w := logs[int(which)%len(logs)]
		at := int(off % uint32(len(w.data)+1))
		data := damage(w.data, kind, at, patch)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var got [][]byte
		next, _, err := r.ReadFile(path, 0, func(line []byte) error { got = append(got, bytes.Clone(line)); return nil })
		if next < 0 || next > int64(len(data)) {
			t.Fatalf("next %d of %d bytes", next, len(data))
		}
		written := map[string]bool{}
		for _, line := range w.lines {
			written[string(line)] = true
		}
		for i, line := range got {
			if err := checkRecord(line); err != nil {
				t.Fatalf("record %d of %d returned: %v", i, len(got), err)
			}
			if !written[string(line)] {
				t.Fatalf("record %d returned was never written: %s", i, line)
			}
		}
		intact := 0
		for intact < len(w.ends) && w.ends[intact] <= int64(at) {
			intact++
		}
		if len(got) < intact {
			t.Fatalf("damage at %d (%d): %d records returned, but the frames of %d ended before it (%v)", at, kind%numDamages, len(got), intact, err)
		}
		prefix := len(got)
		if k := kind % numDamages; k != damageFlip && k != damageCut {
			prefix = intact
		}
		for i := range min(prefix, len(w.lines)) {
			if !bytes.Equal(got[i], w.lines[i]) {
				t.Fatalf("damage at %d (%d): record %d returned is\n%s\nwritten\n%s", at, kind%numDamages, i, got[i], w.lines[i])
			}
		}
		if prefix > len(w.lines) {
			t.Fatalf("%d records returned, %d written", len(got), len(w.lines))
		}
		if err == nil {
			n := 0
			again, _, err := r.ReadFile(path, next, func([]byte) error { n++; return nil })
			if err != nil || again != next || n != 0 {
				t.Fatalf("reading on from %d: %d, %d records, %v", next, again, n, err)
			}
		}
	})
}

// checkRecord checks that line is one audit record of SMC-SPEC §9: a JSON object with exactly ts
// (RFC 3339 with nanoseconds), profile and rule (integers), kind (audit, drop or shadow), remote and local
// (an address and port, or empty when unknown), transport (UDP or TCP) and text (a string).
func checkRecord(line []byte) error {
	var rec map[string]any
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&rec); err != nil || dec.More() {
		return fmt.Errorf("not one JSON object (%v): %q", err, line)
	}
	if len(rec) != 8 {
		return fmt.Errorf("%d fields, want 8: %s", len(rec), line)
	}
	str := func(k string) (string, bool) { s, ok := rec[k].(string); return s, ok }
	num := func(k string) bool {
		n, ok := rec[k].(json.Number)
		_, err := n.Int64()
		return ok && err == nil
	}
	addr := func(k string) bool {
		s, ok := str(k)
		_, err := netip.ParseAddrPort(s)
		return ok && (s == "" || err == nil)
	}
	ts, tsOK := str("ts")
	_, tsErr := time.Parse(time.RFC3339Nano, ts)
	kind, _ := str("kind")
	transport, _ := str("transport")
	_, textOK := str("text")
	if !tsOK || tsErr != nil || !num("profile") || !num("rule") || kind != "audit" && kind != "drop" && kind != "shadow" ||
		!addr("remote") || !addr("local") || transport != "UDP" && transport != "TCP" || !textOK {
		return fmt.Errorf("fields of the wrong form: %s", line)
	}
	return nil
}
