package torture

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// A Message is one message of the corpus.
type Message struct {
	Name  string // group/file, and #N for the Nth SIP datagram of a capture
	Group string // rfc4475, rfc5118, protos or pcap
	Data  []byte
}

// Groups are the corpus parts Load reads, in order.
var Groups = []string{"rfc4475", "rfc5118", "protos", "pcap"}

// Load reads every message of the corpus under root. It returns an error when root does not
// exist, so that a test can skip with a message saying so.
func Load(root string) ([]Message, error) {
	if _, err := os.Stat(filepath.Join(root, "SOURCES.md")); err != nil {
		return nil, fmt.Errorf("no shared corpus at %s: %w", root, err)
	}
	var all []Message
	for _, load := range []func(string) ([]Message, error){loadRFC4475, loadRFC5118, loadProtos, loadCaptures} {
		ms, err := load(root)
		if err != nil {
			return nil, err
		}
		all = append(all, ms...)
	}
	return all, nil
}

// loadRFC4475 reads the .dat files: each is one message, byte for byte as the RFC prints it.
func loadRFC4475(root string) ([]Message, error) {
	files, err := filepath.Glob(filepath.Join(root, "rfc4475", "*.dat"))
	if err != nil {
		return nil, err
	}
	return readFiles("rfc4475", files)
}

// loadRFC5118 reads the messages of RFC 5118 §4: every regular file of rfc5118/ but its manifest.
func loadRFC5118(root string) ([]Message, error) {
	files, err := filepath.Glob(filepath.Join(root, "rfc5118", "*"))
	if err != nil {
		return nil, err
	}
	files = slices.DeleteFunc(files, func(f string) bool {
		fi, err := os.Stat(f)
		return err != nil || !fi.Mode().IsRegular() || strings.HasSuffix(f, ".tsv")
	})
	return readFiles("rfc5118", files)
}

func readFiles(group string, files []string) ([]Message, error) {
	var ms []Message
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Message{Name: group + "/" + filepath.Base(f), Group: group, Data: data})
	}
	return ms, nil
}

// loadCaptures reads the SIP datagrams of every capture under pcap/: UDP payloads, whole (not
// fragments), to or from port 5060 or with a first line that names SIP/2.0.
func loadCaptures(root string) ([]Message, error) {
	files, err := filepath.Glob(filepath.Join(root, "pcap", "*", "*"))
	if err != nil {
		return nil, err
	}
	var ms []Message
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // a folder
		}
		frames, err := ReadCapture(data)
		if err != nil && len(frames) == 0 {
			continue // not a capture (the text fixtures beside them)
		}
		name := "pcap/" + filepath.Base(filepath.Dir(f)) + "/" + filepath.Base(f)
		for i, fr := range frames {
			if payload := sipDatagram(IPOf(fr.Link, fr.Data)); payload != nil {
				ms = append(ms, Message{Name: fmt.Sprintf("%s#%d", name, i+1), Group: "pcap", Data: payload})
			}
		}
	}
	return ms, nil
}

// sipDatagram returns the UDP payload of an unfragmented IPv4 or IPv6 packet when it looks like
// SIP, else nil. IPv6 extension headers are not followed: captures rarely carry them on SIP.
func sipDatagram(ip []byte) []byte {
	var udp []byte
	switch {
	case len(ip) >= 20 && ip[0]>>4 == 4:
		ihl := int(ip[0]&0x0f) * 4
		total := int(ip[2])<<8 | int(ip[3])
		fragmented := (int(ip[6])<<8|int(ip[7]))&0x3fff != 0
		if ip[9] != 17 || fragmented || ihl < 20 || total < ihl+8 || total > len(ip) {
			return nil
		}
		udp = ip[ihl:total]
	case len(ip) >= 48 && ip[0]>>4 == 6:
		payloadLen := int(ip[4])<<8 | int(ip[5])
		if ip[6] != 17 || payloadLen < 8 || 40+payloadLen > len(ip) {
			return nil
		}
		udp = ip[40 : 40+payloadLen]
	default:
		return nil
	}
	n := int(udp[4])<<8 | int(udp[5])
	if n < 8 || n > len(udp) {
		return nil
	}
	src, dst := int(udp[0])<<8|int(udp[1]), int(udp[2])<<8|int(udp[3])
	payload := udp[8:n]
	line, _, _ := bytes.Cut(payload, []byte("\n"))
	if len(payload) == 0 || src != 5060 && dst != 5060 && !bytes.Contains(line, []byte("SIP/2.0")) {
		return nil
	}
	return bytes.Clone(payload)
}
