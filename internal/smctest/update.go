package smctest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/smcproject/smc/runtime"
)

// Updated returns the case's file rewritten so that it expects res, for `smcc test --update`: the
// verdict, dscp and mark keys, want.sip and want.reject.sip take what the chain produced, an
// expected file the new verdict does not use goes, and every other byte of the file (comments,
// other keys, profiles, data files, input.sip, want.audit) stays as it was. A file is written so
// that the case's eol conversion gives back exactly the bytes produced; when it cannot be (a bare
// LF in a message under eol: crlf), Updated says so and the case is left to be fixed by hand.
func (c *Case) Updated(src []byte, res *runtime.Result) ([]byte, error) {
	if res.ParseError != nil && res.Verdict != runtime.Accept {
		return nil, fmt.Errorf("input.sip is not parsed as SIP: %v", res.ParseError)
	}
	a := splitArchive(src)
	a.comment = setKey(a.comment, "verdict", VerdictString(res))
	dscp, mark := "", ""
	if res.DSCP >= 0 {
		dscp = strconv.Itoa(res.DSCP)
	}
	if res.HasMark {
		mark = strconv.FormatUint(uint64(res.Mark), 10)
	}
	a.comment = setKey(a.comment, "dscp", dscp)
	a.comment = setKey(a.comment, "mark", mark)
	var want, reject []byte
	switch res.Verdict {
	case runtime.Accept, runtime.Modified:
		want = res.Output
	case runtime.Reject:
		reject = res.Response
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{"want.sip", want}, {"want.reject.sip", reject}} {
		if f.data == nil {
			a.remove(f.name)
			continue
		}
		written, err := c.unconvert(f.data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		a.set(f.name, written)
	}
	return a.bytes(), nil
}

// unconvert returns the bytes to write so that the case's eol conversion gives back b.
func (c *Case) unconvert(b []byte) ([]byte, error) {
	if !c.crlf {
		return b, nil
	}
	written := bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	if !bytes.Equal(convertEOL(written, true), b) {
		return nil, errors.New("the chain's output has a line end that eol: crlf cannot write (a bare LF, or a CR before CR LF); give the case eol: raw and update it again")
	}
	return written, nil
}

// WriteFileAtomic replaces the file at path with data: written to a temporary file of the same
// folder, synced, and renamed over it, so that a reader sees the old case or the new one.
func WriteFileAtomic(path string, data []byte) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".smcc-update-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err = tmp.Write(data); err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), info.Mode().Perm())
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// rawArchive is a txtar file cut into its comment and its files, each file kept with its marker
// line exactly as written, so that what is not changed is written back byte for byte.
type rawArchive struct {
	comment []byte
	files   []rawFile
}

type rawFile struct {
	name   string
	marker []byte // the "-- name --" line with its line end
	data   []byte
}

// splitArchive cuts src as txtar reads it: a marker is a line "-- NAME --".
func splitArchive(src []byte) *rawArchive {
	a := &rawArchive{}
	var cur *rawFile
	for len(src) > 0 {
		line := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line = src[:i+1]
		}
		src = src[len(line):]
		if name, ok := markerName(line); ok {
			a.files = append(a.files, rawFile{name: name, marker: line})
			cur = &a.files[len(a.files)-1]
			continue
		}
		if cur == nil {
			a.comment = append(a.comment, line...)
		} else {
			cur.data = append(cur.data, line...)
		}
	}
	return a
}

// markerName returns the file name of a txtar marker line.
func markerName(line []byte) (string, bool) {
	line = bytes.TrimRight(line, "\r\n")
	if !bytes.HasPrefix(line, []byte("-- ")) || !bytes.HasSuffix(line, []byte(" --")) || len(line) < 7 {
		return "", false
	}
	name := bytes.TrimSpace(line[3 : len(line)-3])
	return string(name), len(name) > 0
}

func (a *rawArchive) set(name string, data []byte) {
	for i := range a.files {
		if a.files[i].name == name {
			a.files[i].data = data
			return
		}
	}
	a.files = append(a.files, rawFile{name: name, marker: []byte("-- " + name + " --\n"), data: data})
}

func (a *rawArchive) remove(name string) {
	for i := range a.files {
		if a.files[i].name == name {
			a.files = append(a.files[:i], a.files[i+1:]...)
			return
		}
	}
}

func (a *rawArchive) bytes() []byte {
	out := bytes.Clone(a.comment)
	for _, f := range a.files {
		if len(out) > 0 && out[len(out)-1] != '\n' {
			out = append(out, '\n') // a file that ended without a line end, followed by another
		}
		out = append(append(out, f.marker...), f.data...)
	}
	return out
}

// setKey gives the comment's key the value, changing its line in place, adding a line after
// the last key line when it has none, and removing it when value is "".
func setKey(comment []byte, key, value string) []byte {
	lines := bytes.SplitAfter(comment, []byte("\n"))
	lastKey := -1
	for i, l := range lines {
		k, _, ok := bytes.Cut(l, []byte(":"))
		t := bytes.TrimSpace(l)
		if !ok || len(t) == 0 || t[0] == '#' {
			continue
		}
		lastKey = i
		if string(bytes.TrimSpace(k)) != key {
			continue
		}
		if value == "" {
			return bytes.Join(append(lines[:i:i], lines[i+1:]...), nil)
		}
		lines[i] = append([]byte(key+": "+value), lineEnd(l)...)
		return bytes.Join(lines, nil)
	}
	if value == "" {
		return comment
	}
	line := []byte(key + ": " + value + "\n")
	at := lastKey + 1
	lines = append(lines[:at], append([][]byte{line}, lines[at:]...)...)
	return bytes.Join(lines, nil)
}

func lineEnd(l []byte) []byte {
	switch {
	case bytes.HasSuffix(l, []byte("\r\n")):
		return []byte("\r\n")
	case bytes.HasSuffix(l, []byte("\n")):
		return []byte("\n")
	}
	return nil
}
