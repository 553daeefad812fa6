package daemon

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Whoever can change the chain decides what happens to every call through the host, so smcd runs
// only a chain that no one but root and smcd's own user can change: the file (bundle, profile or
// configuration) and the folder it is in (where anyone who may write can rename another file over
// it) must be owned by one of them and not writable by every user. Each refusal says the command
// that fixes it. A group-writable file or folder is the administrator's deliberate choice and is
// taken.

// refuseUntrusted returns an error when path, or the folder it is in, could be changed by a user
// other than root and smcd's.
func refuseUntrusted(path string) error {
	if err := checkTrusted(path, path, "file"); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	return checkTrusted(path, dir, "folder")
}

// checkTrusted checks one file or folder, what, of the chain file path.
func checkTrusted(path, what, kind string) error {
	st, err := os.Stat(what)
	if err != nil {
		return nil // the open that follows reports it
	}
	if st.Mode().Perm()&0o002 != 0 {
		if kind == "folder" {
			return fmt.Errorf("%s is in the folder %s, which every user of this host may write, who could then put another chain in its place; refusing it (chmod o-w %s, or move the file to a folder only root writes)", path, what, what)
		}
		return fmt.Errorf("%s is writable by every user of this host, who could then change what smcd does to the traffic; refusing it (chmod o-w %s)", path, what)
	}
	owner := st.Sys().(*syscall.Stat_t).Uid
	if owner != 0 && int(owner) != os.Geteuid() {
		return fmt.Errorf("the %s %s belongs to user %d, neither root nor smcd's user (%d), who could then change what smcd does to the traffic; refusing it (chown root %s)", kind, what, owner, os.Geteuid(), what)
	}
	return nil
}
