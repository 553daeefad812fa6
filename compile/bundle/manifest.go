package bundle

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/smcproject/smc/compile"
)

// Manifest says what a bundle was compiled from, so an operator can tell which profiles and which
// version of each data file a running daemon has (`smcc disasm` prints it). It holds no time or
// host, so compiling the same files twice gives the same bytes.
type Manifest struct {
	Profiles []Source // in chain order
	Data     []Source // every data file the profiles read, in the order first read
}

// A Source is one input file.
type Source struct {
	Path   string // as given on the command line, or as written in DataFile
	SHA256 [32]byte
	Size   int64
}

func newSource(path string, content []byte) Source {
	return Source{Path: path, SHA256: sha256.Sum256(content), Size: int64(len(content))}
}

// String formats a source as a manifest line's fields: digest, size, path.
func (s Source) String() string {
	return fmt.Sprintf("sha256:%s %d %s", hex.EncodeToString(s.SHA256[:]), s.Size, s.Path)
}

// marshal writes the manifest as text: a first line "smc-bundle-manifest 1", then one line per
// source: "profile" or "data", the digest, the size and the path (last, as it may hold spaces).
func (m *Manifest) marshal() []byte {
	var b bytes.Buffer
	b.WriteString("smc-bundle-manifest 1\n")
	for _, s := range m.Profiles {
		fmt.Fprintf(&b, "profile %s\n", s)
	}
	for _, s := range m.Data {
		fmt.Fprintf(&b, "data %s\n", s)
	}
	return b.Bytes()
}

func (m *Manifest) unmarshal(b []byte) error {
	lines := strings.Split(string(b), "\n")
	if len(lines) < 2 || lines[0] != "smc-bundle-manifest 1" || lines[len(lines)-1] != "" {
		return fmt.Errorf("manifest does not start with its version line or lacks its final line break")
	}
	for i, line := range lines[1 : len(lines)-1] {
		kind, s, err := parseSource(line)
		if err != nil {
			return fmt.Errorf("manifest line %d: %v", i+2, err)
		}
		switch kind {
		case "profile":
			m.Profiles = append(m.Profiles, s)
		case "data":
			m.Data = append(m.Data, s)
		default:
			return fmt.Errorf("manifest line %d: unknown entry %q", i+2, kind)
		}
	}
	return nil
}

func parseSource(line string) (string, Source, error) {
	f := strings.SplitN(line, " ", 4)
	if len(f) != 4 || !strings.HasPrefix(f[1], "sha256:") {
		return "", Source{}, fmt.Errorf("not KIND sha256:DIGEST SIZE PATH")
	}
	var s Source
	digest, err := hex.DecodeString(strings.TrimPrefix(f[1], "sha256:"))
	if err != nil || len(digest) != len(s.SHA256) {
		return "", s, fmt.Errorf("bad digest %q", f[1])
	}
	copy(s.SHA256[:], digest)
	if s.Size, err = strconv.ParseInt(f[2], 10, 64); err != nil || s.Size < 0 {
		return "", s, fmt.Errorf("bad size %q", f[2])
	}
	s.Path = f[3]
	return f[0], s, nil
}

// CompileFiles compiles the profiles at paths as a chain (compile.CompileFiles) and records every
// file read in the manifest, each data file once. The programs are nil when any diagnostic is an
// error; diagnostics of all profiles are returned together.
func CompileFiles(paths []string) ([]*compile.Program, Manifest, compile.Diagnostics) {
	var m Manifest
	recorded := map[string]bool{}
	progs, diags := compile.CompileFiles(paths, func(f compile.SourceFile) {
		switch {
		case !f.Data:
			m.Profiles = append(m.Profiles, newSource(f.Path, f.Content))
		case !recorded[f.Path]:
			recorded[f.Path] = true
			m.Data = append(m.Data, newSource(f.Path, f.Content))
		}
	})
	return progs, m, diags
}
