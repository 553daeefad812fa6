package nfq

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/smcproject/smc/fuzz/torture"
)

// corpusDir holds real captures collected for the project (see SOURCES.md beside it). They are
// read in place, never copied here: several carry licences we do not ship.
const corpusDir = "../../shared/corpus/pcap"

// TestCaptures runs every IP packet of the real captures through Decode, and every SIP packet
// through Rebuild: with its own payload it must come back byte for byte wherever the capture's
// checksums are right (senders with checksum offload capture wrong ones), and with a changed
// payload it must verify.
func TestCaptures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*"))
	files = slices.DeleteFunc(files, func(f string) bool {
		fi, err := os.Stat(f)
		return err != nil || !fi.Mode().IsRegular()
	})
	if len(files) == 0 {
		t.Skipf("no captures under %s: the shared corpus is absent", corpusDir)
	}
	total := 0
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Skipf("unreadable: %v", err)
			}
			frames, err := torture.ReadCapture(data)
			if err != nil {
				t.Skipf("not a capture this reader parses: %v", err)
			}
			st := checkCapture(t, frames)
			total += st.rebuilt
			t.Logf("%d frames: %d IP, %d SIP (%d byte-identical, %d rebuilt), errors %v",
				len(frames), st.ip, st.sip, st.identical, st.rebuilt, st.errs)
			switch filepath.Base(f) {
			case "ipv6frag.pcap":
				if st.errs[ErrFirstFragment] == 0 || st.errs[ErrNotFirstFragment] == 0 {
					t.Errorf("IPv6 fragments not recognised: %v", st.errs)
				}
			case "sip-frag.pcap":
				if st.errs[ErrNotFirstFragment] != 1 {
					t.Errorf("the trailing IPv4 fragment not recognised: %v", st.errs)
				}
			case "sip-over-tcp.pcap": // sip-tcp.pcap has offloaded checksums
				if st.sip == 0 || st.identical != st.sip {
					t.Errorf("SIP over TCP not all rebuilt identically")
				}
			}
		})
	}
	if total == 0 {
		t.Skip("no SIP packet in the captures")
	}
}

type captureStats struct {
	ip, sip, identical, rebuilt int
	errs                        map[error]int
}

func checkCapture(t *testing.T, frames []torture.Frame) captureStats {
	st := captureStats{errs: map[error]int{}}
	for i, fr := range frames {
		pkt := torture.IPOf(fr.Link, fr.Data)
		if pkt == nil {
			continue
		}
		st.ip++
		var p Packet
		if err := Decode(pkt, &p); err != nil {
			st.errs[err]++
			if err == ErrBadHeader || err == ErrTruncated && !fr.Cut {
				t.Errorf("frame %d: %v\n%x", i+1, err, pkt)
			}
			continue
		}
		if !isSIP(&p) {
			continue
		}
		st.sip++
		if same := sameBytesExpected(pkt, &p); same {
			out, err := Rebuild(nil, pkt, &p, p.Payload)
			if err != nil || !bytes.Equal(out, pkt[:p.ipLen]) {
				t.Errorf("frame %d: rebuild with the same payload differs (%v)\n got %x\nwant %x", i+1, err, out, pkt[:p.ipLen])
			}
			st.identical++
		}
		for _, payload := range [][]byte{
			append(bytes.Clone(p.Payload), "X-Smc: rewritten\r\n"...),
			p.Payload[:len(p.Payload)/2],
		} {
			out, err := Rebuild(make([]byte, 0, 4096), pkt, &p, payload)
			if err != nil {
				t.Fatalf("frame %d: %v", i+1, err)
			}
			if err := verify(out); err != nil {
				t.Errorf("frame %d rebuilt with %d payload bytes: %v", i+1, len(payload), err)
			}
			if err := SetDSCP(out, 46); err != nil || verify(out) != nil {
				t.Errorf("frame %d: after SetDSCP: %v %v", i+1, err, verify(out))
			}
		}
		st.rebuilt++
	}
	return st
}

// isSIP: the SIP port, or a first line that names the SIP version (captures use other ports too).
func isSIP(p *Packet) bool {
	line, _, _ := bytes.Cut(p.Payload, []byte("\r\n"))
	return p.SrcPort == 5060 || p.DstPort == 5060 || bytes.Contains(line, []byte("SIP/2.0"))
}

// sameBytesExpected says whether Rebuild with the packet's own payload must give the packet back:
// the captured checksums are right and there is no padding after a UDP datagram.
func sameBytesExpected(pkt []byte, p *Packet) bool {
	if p.payloadOff+len(p.Payload) != p.ipLen {
		return false
	}
	if p.Version == 4 && refSum(pkt[:p.transportOff]) != 0xffff {
		return false
	}
	seg := pkt[p.transportOff:p.ipLen]
	if p.Version == 4 && p.Proto == ProtoUDP && seg[6] == 0 && seg[7] == 0 {
		return true
	}
	return transportVerifies(pkt, p)
}
