package daemon

import (
	"maps"
	"path/filepath"
	"syscall"
)

// The watch: every Config.Watch, Run compares the versions of the bundle files, and of who may
// write them, with those last loaded or tried, and reloads when one changed.

// bundleChanged reports whether a bundle file, or who may write it or its folder, changed since
// the chain was last loaded or a load was last tried.
func (d *daemon) bundleChanged() bool {
	return !maps.Equal(versions(d.cfg), d.seen)
}

// fileID tells one version of a file from the next, whatever changed: a new bundle renamed into
// place has a new inode; one rewritten in place a new size or time; a chmod or chown a new ctime.
type fileID struct {
	dev, ino     uint64
	size         int64
	mtime, ctime int64
	mode         uint32
	uid, gid     uint32
}

func statID(path string) fileID {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return fileID{} // gone: a new file in its place will differ
	}
	return fileID{uint64(st.Dev), st.Ino, st.Size, st.Mtim.Nano(), st.Ctim.Nano(), st.Mode, st.Uid, st.Gid}
}

// versions returns the versions of the bundle files of cfg and of the folders they are in, as
// the watch compares them: a reload that failed is tried again when any of them changes, a fixed
// owner or mode of the file or its folder included.
func versions(cfg *Config) map[string]fileID {
	ids := map[string]fileID{}
	for _, b := range cfg.Bindings {
		if b.Bundle != "" {
			ids[b.Bundle] = statID(b.Bundle)
			// Of the folder only who may write it: its times change with every file in it.
			dir := statID(filepath.Dir(b.Bundle))
			ids[filepath.Dir(b.Bundle)+"/"] = fileID{mode: dir.mode, uid: dir.uid, gid: dir.gid}
		}
	}
	return ids
}
