package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

const pcapProfile = `{"ProfileID": 3, "ProfileName": "tag invites", "Rules": [{"MsgType": "REQUEST", "ReqMethod": "INVITE",
  "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Call-ID", "Output": "X-Trunk: 7"}]}]}`

// pcapFixture writes a profile and a raw-IP capture of an INVITE and a non-SIP datagram to dir.
func pcapFixture(t *testing.T, dir string) (profile, capture string, data []byte) {
	t.Helper()
	profile, capture = filepath.Join(dir, "p.json"), filepath.Join(dir, "in.pcap")
	if err := os.WriteFile(profile, []byte(pcapProfile), 0o644); err != nil {
		t.Fatal(err)
	}
	invite := "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK-1\r\n" +
		"From: <sip:a@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	w.WriteFileHeader(65535, layers.LinkTypeRaw)
	for i, payload := range []string{invite, "not SIP at all"} {
		ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: []byte{192, 0, 2, 10}, DstIP: []byte{198, 51, 100, 2}}
		udp := &layers.UDP{SrcPort: 5060, DstPort: 5060}
		udp.SetNetworkLayerForChecksum(ip)
		sb := gopacket.NewSerializeBuffer()
		gopacket.SerializeLayers(sb, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ip, udp, gopacket.Payload(payload))
		w.WritePacket(gopacket.CaptureInfo{Timestamp: time.Unix(1700000000+int64(i), 0), CaptureLength: len(sb.Bytes()), Length: len(sb.Bytes())}, sb.Bytes())
	}
	data = buf.Bytes()
	if err := os.WriteFile(capture, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return profile, capture, data
}

func framesOf(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for {
		data, _, err := r.ReadPacketData()
		if err != nil {
			return out
		}
		out = append(out, data)
	}
}

// smcc pcap writes the rewritten capture, a summary on stderr and, with --diff, the diff on stdout;
// its exit statuses are smcc run's.
func TestPcapCommand(t *testing.T) {
	dir := t.TempDir()
	profile, in, data := pcapFixture(t, dir)
	out := filepath.Join(dir, "out.pcap")
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"ProfileID": 1, "Rules": [`), 0o644)
	cut := filepath.Join(dir, "cut.pcap")
	os.WriteFile(cut, data[:len(data)-5], 0o644)
	for _, tt := range []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string // substrings
		frames         int    // in out.pcap; -1: no file
	}{
		{"rewrite", []string{"pcap", "-p", profile, "-o", out, in}, exitOK, "",
			"SIP messages: 1: modified 1\n  profile 3 \"tag invites\" rule 0 (json:1): modified 1", 2},
		{"diff", []string{"pcap", "--diff", "-p", profile, "-o", out, in}, exitOK, "+X-Trunk: 7\n", "packets:      2 read, 2 written", 2},
		{"flags after", []string{"pcap", in, "-o", out, "--local", "192.0.2.0/24", "-p", profile}, exitOK, "", "modified 1", 2},
		{"no output", []string{"pcap", "-p", profile, in}, exitUsage, "", "give the capture to write with -o", -1},
		{"no input", []string{"pcap", "-p", profile, "-o", out}, exitUsage, "", "give one capture to read", -1},
		{"no chain", []string{"pcap", "-o", out, in}, exitUsage, "", "give at least one profile", -1},
		{"bad local", []string{"pcap", "-p", profile, "--local", "host", "-o", out, in}, exitUsage, "", "--local host: not an address", -1},
		{"profile does not compile", []string{"pcap", "-p", bad, "-o", out, in}, exitFailed, "", "bad.json:", -1},
		{"not a capture", []string{"pcap", "-p", profile, "-o", out, profile}, exitUsage, "", "not a pcap or pcapng capture", -1},
		{"missing capture", []string{"pcap", "-p", profile, "-o", out, filepath.Join(dir, "none.pcap")}, exitUsage, "", "no such file", -1},
		{"cut short", []string{"pcap", "-p", profile, "-o", out, cut}, exitUsage, "",
			"cut.pcap: packet 2 at byte offset ", 1},
	} {
		os.Remove(out)
		var stdout, stderr bytes.Buffer
		code := dispatch(tt.args, nil, &stdout, &stderr)
		if code != tt.code || !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", tt.name, code, tt.code, &stdout, &stderr)
		}
		_, err := os.Stat(out)
		switch {
		case tt.frames < 0 && err == nil:
			t.Errorf("%s: %s written", tt.name, out)
		case tt.frames >= 0 && len(framesOf(t, out)) != tt.frames:
			t.Errorf("%s: %d frames written, want %d", tt.name, len(framesOf(t, out)), tt.frames)
		}
		if m, _ := filepath.Glob(filepath.Join(dir, ".out.pcap.tmp-*")); len(m) > 0 {
			t.Errorf("%s: temporary files left: %v", tt.name, m)
		}
	}
}

// -o - writes the capture to standard output, and the diff then goes to standard error.
func TestPcapToStdout(t *testing.T) {
	profile, in, _ := pcapFixture(t, t.TempDir())
	var stdout, stderr bytes.Buffer
	if code := dispatch([]string{"pcap", "--diff", "-p", profile, "-o", "-", "-"}, bytes.NewReader(mustRead(t, in)), &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, &stderr)
	}
	r, err := pcapgo.NewReader(&stdout)
	if err != nil || r.LinkType() != layers.LinkTypeRaw {
		t.Fatalf("standard output is not the capture: %v", err)
	}
	if !strings.Contains(stderr.String(), "+X-Trunk: 7") {
		t.Errorf("no diff on standard error:\n%s", &stderr)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
