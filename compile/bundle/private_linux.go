package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// OpenPrivate opens a private copy of the bundle at path, for a daemon that must not depend on
// the file staying as it is: Open maps the file itself, so a bundle truncated in place (by cp,
// scp or an editor writing over it) makes every later read of a table a SIGBUS, and one
// rewritten in place changes the tables under the running programs. OpenPrivate copies the file
// into an unnamed file in dir (O_TMPFILE: no other process can open it by a name, and it is gone
// once closed; a memfd when dir cannot hold one), maps the copy, and verifies every section's
// checksum (Verify) before it returns, so a damaged or half-written bundle is refused whole.
//
// It also returns the SHA-256 of the bytes copied, as sha256sum prints it, which names the
// version running. The copy costs a read and a write of the file, and the same again in page
// cache for as long as the bundle is open (docs/bundles.md gives the numbers).
//
// pause is slept after every PaceChunk bytes copied or verified: a daemon that reloads while its
// workers are busy on the same cores leaves them the CPU that way (a lower scheduling priority
// would not do: the Go runtime stops every thread at times, and waits for a starved one). 0 does
// it all at once.
func OpenPrivate(path, dir string, pause time.Duration) (b *Bundle, digest string, err error) {
	src, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer src.Close()
	copyFile, err := unnamedFile(dir)
	if err != nil {
		return nil, "", fmt.Errorf("bundle %s: a private copy: %w", path, err)
	}
	digest, err = copyHashed(copyFile, src, pause)
	if err != nil {
		copyFile.Close()
		return nil, "", fmt.Errorf("bundle %s: copying it: %w", path, err)
	}
	b, err = open(path, copyFile)
	if err != nil {
		copyFile.Close()
		return nil, "", err
	}
	if err := b.verify(pause); err != nil {
		b.Close()
		return nil, "", err
	}
	return b, digest, nil
}

// copyHashed copies src into dst, PaceChunk at a time with a pause after each, and returns the
// SHA-256 of what it copied. A file that changes size while it is read (a copy still being
// written) is refused; a later reload takes it once it is complete.
func copyHashed(dst, src *os.File, pause time.Duration) (string, error) {
	before, err := src.Stat()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	buf := make([]byte, PaceChunk)
	var n int64
	for {
		m, err := io.ReadFull(src, buf)
		if m > 0 {
			h.Write(buf[:m])
			if _, err := dst.Write(buf[:m]); err != nil {
				return "", err
			}
			n += int64(m)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return "", err
		}
		time.Sleep(pause)
	}
	after, err := src.Stat()
	if err != nil {
		return "", err
	}
	if n != before.Size() || after.Size() != before.Size() {
		return "", errors.New("the file changed while it was read (a copy still being written?)")
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// unnamedFile returns a new file that has no name: O_TMPFILE in dir, or a memfd when dir is ""
// or its file system cannot make one.
func unnamedFile(dir string) (*os.File, error) {
	if dir != "" {
		fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
		if err == nil {
			return os.NewFile(uintptr(fd), dir+"/(private bundle copy)"), nil
		}
		if !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.EISDIR) && !errors.Is(err, unix.EINVAL) {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
	}
	fd, err := unix.MemfdCreate("smc-bundle", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), "memfd:smc-bundle"), nil
}
