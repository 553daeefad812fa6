package isup

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/smcproject/smc/fuzz/torture"
)

// captureFile is a real SIP-T INVITE from a Sonus gateway with an ANSI IAM in a multipart body,
// sent in two IPv4 fragments (../shared/corpus/isup/README.md: sip_capture_sip_i_ansi88).
const captureFile = "../../../shared/corpus/pcap/sip-capture/sip-i.pcap"

// TestCorpusCapture reassembles the capture's INVITE, finds the ISUP part of its body as the
// runtime does, and compares the decode with Wireshark's decode of that part.
func TestCorpusCapture(t *testing.T) {
	needCorpus(t, captureFile)
	data, err := os.ReadFile(captureFile)
	if err != nil {
		t.Fatal(err)
	}
	frames, err := torture.ReadCapture(data)
	if err != nil {
		t.Fatal(err)
	}
	var packets [][]byte
	for _, f := range frames {
		if ip := torture.IPOf(f.Link, f.Data); ip != nil {
			packets = append(packets, ip)
		}
	}
	datagrams, err := torture.UDPDatagrams(packets)
	if err != nil {
		t.Fatal(err)
	}
	var invite []byte
	for _, d := range datagrams {
		if bytes.HasPrefix(d, []byte("INVITE ")) {
			invite = d
		}
	}
	if invite == nil {
		t.Fatalf("no INVITE among the %d datagrams", len(datagrams))
	}
	ctype, body := splitMessage(t, invite)
	var d IAM
	b, err := d.DecodeBody(ctype, body)
	if err != nil {
		t.Fatalf("ISUP body not decoded: %v (found %v, part %d)", err, b.Found, b.Part)
	}
	bin, err := os.ReadFile(filepath.Join(corpusDir, "bin", "sip_capture_sip_i_ansi88.isup.bin"))
	if err != nil || !bytes.Equal(b.Msg, bin) {
		t.Errorf("the ISUP part (% x) is not the corpus's sip_capture_sip_i_ansi88 (%v)", b.Msg, err)
	}
	if b.Part != 2 || string(b.Version) != "ansi88" || d.Variant != ANSI {
		t.Errorf("part %d, version %q, variant %v; want part 2, ansi88, ANSI", b.Part, b.Version, d.Variant)
	}
	checkWireshark(t, &d, readDecode(t, "sip_capture_sip_i_ansi88"))
	got := valuesOf(&d)
	want := values{true, "10", "6000", "10", "", "8445618378", "", ""}
	if got != want {
		t.Errorf("values %+v, want %+v", got, want)
	}
	for _, line := range View(b, &d, err) {
		t.Log(line)
	}
}

var reHeader = regexp.MustCompile(`(?im)^(Content-Type|Content-Length)[ \t]*:[ \t]*(.*?)\r?$`)

// splitMessage returns a SIP message's Content-Type value and its body, cut to Content-Length.
func splitMessage(t *testing.T, msg []byte) (ctype, body []byte) {
	end := bytes.Index(msg, []byte("\r\n\r\n"))
	if end < 0 {
		t.Fatal("no end to the header section")
	}
	body = msg[end+4:]
	for _, m := range reHeader.FindAllSubmatch(msg[:end+2], -1) {
		switch string(bytes.ToLower(m[1])) {
		case "content-type":
			ctype = m[2]
		case "content-length":
			n, err := strconv.Atoi(string(bytes.TrimSpace(m[2])))
			if err != nil || n > len(body) {
				t.Fatalf("Content-Length %q for a body of %d bytes", m[2], len(body))
			}
			body = body[:n]
		}
	}
	return ctype, body
}
