package compile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrDataOutside reports a DataFile name that leads out of the profile's folder. A profile is
// often written by one person and deployed by another: the folder it ships in is what the
// deployer reviews, so a profile may name files in that folder or below it, and nothing else
// (no absolute path, no "..", no symbolic link that leads out).
var ErrDataOutside = errors.New("names a file outside the profile's folder; put the file in the profile's folder (or below it) and name it relative to that folder")

// checkDataName refuses, before anything is read, a DataFile name that is absolute or climbs
// out with "..".
func checkDataName(name string) error {
	if !filepath.IsLocal(name) {
		return ErrDataOutside
	}
	return nil
}

// ReadData reads the data file name relative to the profile folder dir, through an os.Root so
// that a symbolic link leading out of the folder is refused as well.
func ReadData(dir, name string) ([]byte, error) {
	if err := checkDataName(name); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	b, err := root.ReadFile(name)
	if err != nil && isEscape(dir, name) {
		return nil, ErrDataOutside
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, missingData(root, dir, name)
	}
	return b, err
}

// A MissingDataError is a DataFile that is not there. It names the path tried, since a relative
// name is resolved against the profile's folder and not where the command runs, and a file of the
// same folder whose name is near (another case, a typo), which is most often what was meant.
type MissingDataError struct {
	Path string // the path tried, absolute when it can be made so
	Near string // a near name, as the profile would write it, or ""
}

func (e *MissingDataError) Error() string {
	if e.Near != "" {
		return fmt.Sprintf("no such file: %s; did you mean %q?", e.Path, e.Near)
	}
	return "no such file: " + e.Path
}

// missingData describes the missing file name of the folder dir, looking in root for a near name.
func missingData(root *os.Root, dir, name string) error {
	path := filepath.Join(dir, name)
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	e := &MissingDataError{Path: path}
	sub := filepath.Dir(name)
	entries, err := fs.ReadDir(root.FS(), filepath.ToSlash(sub))
	if err != nil {
		return e
	}
	var names []string
	for _, entry := range entries {
		if !entry.IsDir() {
			names = append(names, entry.Name())
		}
	}
	if near := suggest(filepath.Base(name), names); near != "" {
		e.Near = filepath.Join(sub, near)
	}
	return e
}

// isEscape tells an os.Root refusal from a plain read error: the name, its symbolic links
// followed, leads out of dir.
func isEscape(dir, name string) bool {
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return false
	}
	real, err := filepath.EvalSymlinks(filepath.Join(dir, name))
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(realDir, real)
	return err != nil || !filepath.IsLocal(rel)
}
