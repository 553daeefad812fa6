package daemon

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// The TCP offsets of each queue's worker outlive a stop in the state folder (--state-dir, or the
// StateDirectory systemd gives): saved when the worker has drained its queue, loaded by the next
// start before the queue is read, and removed once loaded, so that a crash later cannot bring
// back offsets that are no longer right. A crash loses them: docs/smcd.md says what that costs.

// tcpStatePath is where the offsets of queue num are kept.
func tcpStatePath(dir string, num uint16) string {
	return filepath.Join(dir, fmt.Sprintf("tcp-queue-%d.state", num))
}

// loadTCPState gives each worker the offsets saved for its queue, and removes the files.
func (d *daemon) loadTCPState() {
	if d.cfg.StateDir == "" {
		return
	}
	for i, w := range d.workers {
		path := tcpStatePath(d.cfg.StateDir, d.cfg.Queues[i])
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		n := 0
		if err == nil {
			n, err = w.LoadFlows(b)
		}
		if err != nil {
			d.log.Warn("saved TCP offsets not loaded: connections resized before the restart will stall", "file", path, "err", err)
		} else {
			d.log.Info("loaded TCP offsets", "queue", d.cfg.Queues[i], "connections", n)
		}
		os.Remove(path)
	}
}

// saveTCPState writes each worker's offsets; the workers must have returned.
func (d *daemon) saveTCPState() error {
	if d.cfg.StateDir == "" {
		return nil
	}
	var errs []error
	for i, w := range d.workers {
		if err := writeFileAtomic(tcpStatePath(d.cfg.StateDir, d.cfg.Queues[i]), w.SaveFlows(nil)); err != nil {
			errs = append(errs, fmt.Errorf("saving TCP offsets: %w", err))
		}
	}
	return errors.Join(errs...)
}

// writeFileAtomic writes data to a new file beside path and renames it into place, so that a
// reader finds either the old file or the whole new one.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
