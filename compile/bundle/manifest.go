package bundle

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/compile/jsonpos"
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

// CompileFiles compiles the profiles at paths, in chain order, reading each rule's DataFile
// relative to its profile's folder, and records every file read in the manifest. The programs are
// nil when any diagnostic is an error; diagnostics of all profiles are returned together.
func CompileFiles(paths []string) ([]*compile.Program, Manifest, compile.Diagnostics) {
	var (
		progs []*compile.Program
		m     Manifest
		all   compile.Diagnostics
		read  = map[string]bool{}
	)
	for _, path := range paths {
		src, err := compile.ReadProfile(path)
		if err != nil {
			all = append(all, compile.Diagnostic{File: path, Pos: jsonpos.Pos{Line: 1, Col: 1}, Msg: fmt.Sprintf("cannot read the profile: %v", err)})
			continue
		}
		m.Profiles = append(m.Profiles, newSource(path, src))
		dir := filepath.Dir(path)
		prog, diags := compile.Compile(path, src, compile.Options{OpenData: func(name string) ([]byte, error) {
			full := filepath.Join(dir, name)
			b, err := compile.ReadData(dir, name)
			if err == nil && !read[full] {
				read[full] = true
				m.Data = append(m.Data, newSource(full, b))
			}
			return b, err
		}})
		all = append(all, diags...)
		progs = append(progs, prog)
	}
	if err := compile.CheckChainLength(len(paths)); err != nil {
		all = append(all, compile.Diagnostic{File: paths[compile.MaxProfiles], Pos: jsonpos.Pos{Line: 1, Col: 1}, Msg: err.Error()})
	}
	if all.HasErrors() {
		return nil, m, all
	}
	return progs, m, all
}
