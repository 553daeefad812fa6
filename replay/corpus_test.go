package replay

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// corpusDir holds real captures collected for the project (SOURCES.md beside it). They are read in
// place, never copied here: several carry licences we do not ship.
const corpusDir = "../../shared/corpus/pcap"

// growProfile adds a header to every request and every response: every SIP message changes length,
// in both directions of every TCP connection, in every fragmented datagram.
const growProfile = `{"ProfileID": 9, "ProfileName": "grow", "Rules": [
 {"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-Replayed: request"}]},
 {"MsgType": "RESPONSE", "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-Replayed: a response"}]}
]}`

// nothingProfile matches no message of the corpus.
const nothingProfile = `{"ProfileID": 8, "ProfileName": "nothing", "Rules": [
 {"MsgType": "REQUEST", "ReqMethod": "X-NONE", "Action": "DROP_MSG"}]}`

func corpusFiles(t *testing.T) []string {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*"))
	files = slices.DeleteFunc(files, func(f string) bool {
		fi, err := os.Stat(f)
		return err != nil || !fi.Mode().IsRegular()
	})
	if len(files) == 0 {
		t.Skipf("no captures under %s: the shared corpus is absent", corpusDir)
	}
	return files
}

// With a chain that changes nothing, every capture of the corpus comes out as it went in: every
// frame, its bytes and its time, fragmented datagrams included.
func TestCorpusUnchanged(t *testing.T) {
	chain := testChain(t, nothingProfile)
	for _, f := range corpusFiles(t) {
		name := filepath.Base(filepath.Dir(f)) + "/" + filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			sum, err := Run(bytes.NewReader(in), &out, Options{Chain: chain})
			if errors.Is(err, ErrNotCapture) {
				t.Skipf("not pcap or pcapng: %v", err) // c07-sip-r2.cap is a Microsoft NetMon capture
			}
			if err != nil {
				t.Fatal(err)
			}
			_, want := readBack(t, in)
			_, got := readBack(t, out.Bytes())
			if len(got) != len(want) {
				t.Fatalf("%d frames, want %d", len(got), len(want))
			}
			for i := range got {
				if !bytes.Equal(got[i].data, want[i].data) || !got[i].ci.Timestamp.Equal(want[i].ci.Timestamp) {
					t.Fatalf("frame %d differs", i+1)
				}
			}
			t.Logf("%d packets, %d SIP messages, %d not SIP, %d other, %d datagrams from %d fragments",
				sum.Packets, sum.Messages, sum.NotSIP, sum.Other, sum.Reassembled, sum.Fragments)
		})
	}
}

// tsharkCorpus is the part of the corpus read back by tshark: SIP over UDP and TCP, IPv4 and IPv6
// fragments, SIP-I, pcapng, Linux cooked captures, a capture with checksums the sender offloaded.
var tsharkCorpus = []string{
	"sipnab/sip-over-tcp.pcap",
	"sip-capture/sip-tcp.pcap",
	"sngrep/ipv6frag.pcap",
	"sip-capture/sip-i.pcap",
	"sngrep/aaa.pcap",
	"ndpi/sip_hello.pcapng",
	"sipnab/sip-488-codec-reject.pcapng",
	"sipnab/DTMFsipinfo.pcap",
}

// With every SIP message grown by a header, the output read back by tshark has no malformed
// packet, bad checksum or TCP analysis warning the input did not have, and every SIP message's
// Content-Length counts its body.
func TestCorpusTshark(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark is not installed (apt-get install tshark; make deps installs it)")
	}
	corpusFiles(t)
	chain := testChain(t, growProfile)
	for _, name := range tsharkCorpus {
		t.Run(name, func(t *testing.T) {
			in := filepath.Join(corpusDir, name)
			data, err := os.ReadFile(in)
			if err != nil {
				t.Skipf("not in this corpus: %v", err)
			}
			out := filepath.Join(t.TempDir(), "out.pcap")
			b, sum := replayBytes(t, data, Options{Chain: chain})
			if err := os.WriteFile(out, b, 0o644); err != nil {
				t.Fatal(err)
			}
			if sum.Verdicts[1] == 0 {
				t.Fatalf("no message changed: %+v", sum)
			}
			before, after := tsharkCounts(t, in), tsharkCounts(t, out)
			t.Logf("%d messages rewritten; before %+v, after %+v", sum.Verdicts[1], before, after)
			if after.malformed > before.malformed || after.badChecksum > before.badChecksum || after.tcpAnalysis > before.tcpAnalysis {
				t.Errorf("tshark finds more problems after: before %+v, after %+v", before, after)
			}
			if after.lengthMismatch > 0 || after.sip < sum.Messages {
				t.Errorf("%d of %d SIP messages with a Content-Length that is not their body's (%d messages run)", after.lengthMismatch, after.sip, sum.Messages)
			}
		})
	}
}

type tsharkCount struct {
	malformed, badChecksum, tcpAnalysis int
	sip, lengthMismatch                 int
}

// tsharkCounts reads a capture with tshark, checksums checked, and counts what it flags.
func tsharkCounts(t *testing.T, file string) tsharkCount {
	t.Helper()
	checks := []string{"-r", file, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE"}
	fields := tshark(t, append(checks, "-T", "fields", "-E", "occurrence=a", "-e", "_ws.malformed",
		"-e", "ip.checksum.status", "-e", "udp.checksum.status", "-e", "tcp.checksum.status", "-e", "tcp.analysis.flags")...)
	var c tsharkCount
	for _, line := range strings.Split(strings.TrimRight(string(fields), "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 5 {
			continue
		}
		if f[0] != "" {
			c.malformed++
		}
		if slices.Contains(strings.Split(f[1]+","+f[2]+","+f[3], ","), "0") { // 0: Bad
			c.badChecksum++
		}
		if f[4] != "" {
			c.tcpAnalysis++
		}
	}
	c.sip, c.lengthMismatch = contentLengths(t, tshark(t, append(checks, "-Y", "sip", "-T", "pdml")...))
	return c
}

func tshark(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("tshark", args...)
	cmd.Stderr = io.Discard // "Running as user root" and the like
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// pdmlField is a field of tshark's PDML, with the fields nested in it.
type pdmlField struct {
	Name   string      `xml:"name,attr"`
	Show   string      `xml:"show,attr"`
	Size   int         `xml:"size,attr"`
	Fields []pdmlField `xml:"field"`
}

// contentLengths counts the SIP messages in tshark's PDML and those whose Content-Length is not
// the length of the body tshark found.
func contentLengths(t *testing.T, pdml []byte) (messages, mismatched int) {
	t.Helper()
	var doc struct {
		Packets []struct {
			Protos []struct {
				Name   string      `xml:"name,attr"`
				Fields []pdmlField `xml:"field"`
			} `xml:"proto"`
		} `xml:"packet"`
	}
	if err := xml.Unmarshal(pdml, &doc); err != nil {
		t.Fatal(err)
	}
	for _, p := range doc.Packets {
		for _, proto := range p.Protos {
			if proto.Name != "sip" {
				continue
			}
			messages++
			cl, body := -1, 0
			walkFields(proto.Fields, func(f pdmlField) {
				switch f.Name {
				case "sip.Content-Length":
					cl, _ = strconv.Atoi(f.Show)
				case "sip.msg_body":
					body = f.Size
				}
			})
			if cl >= 0 && cl != body {
				mismatched++
			}
		}
	}
	return messages, mismatched
}

func walkFields(fs []pdmlField, visit func(pdmlField)) {
	for _, f := range fs {
		visit(f)
		walkFields(f.Fields, visit)
	}
}
