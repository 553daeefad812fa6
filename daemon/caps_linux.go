package daemon

import (
	"errors"
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// keptCaps are the capabilities smcd needs once its queues are bound: CAP_NET_ADMIN to answer
// and reconfigure the queues, CAP_NET_RAW for the raw sockets of reject responses.
const keptCaps = 1<<unix.CAP_NET_ADMIN | 1<<unix.CAP_NET_RAW

// errCapsUnsupported: the binary was built with cgo, where Go cannot change every thread's
// capabilities (syscall.AllThreadsSyscall); `make build` builds smcd without cgo.
var errCapsUnsupported = errors.New("this smcd binary was built with cgo, which cannot drop capabilities on every thread (build it with CGO_ENABLED=0, as make build does)")

// dropCapabilities reduces smcd, on every thread, to keptCaps: it takes the others out of the
// bounding set, so that nothing can gain them back, and out of the effective, permitted and
// inheritable sets. A packet that found a bug in smcd then finds a process that can do little
// besides what smcd does. Run as root without systemd, this is what keeps smcd from holding
// CAP_SYS_ADMIN, CAP_DAC_OVERRIDE and the rest; under the systemd unit, which already limits it,
// there is nothing left to drop.
func dropCapabilities() error {
	var hdr = unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("reading the capabilities: %w", err)
	}
	if data[0].Permitted&^keptCaps == 0 && data[1].Permitted == 0 {
		return nil
	}
	if data[0].Effective&(1<<unix.CAP_SETPCAP) != 0 {
		for c := uintptr(0); c < 64; c++ {
			if keptCaps&(1<<c) != 0 {
				continue
			}
			_, _, errno := syscall.AllThreadsSyscall(unix.SYS_PRCTL, unix.PR_CAPBSET_DROP, c, 0)
			if errno == unix.EINVAL {
				break // past the kernel's last capability
			}
			if errno == unix.ENOTSUP {
				return errCapsUnsupported
			}
			if errno != 0 {
				return fmt.Errorf("dropping capability %d from the bounding set: %w", c, errno)
			}
		}
	}
	for i := range data {
		keep := uint32(0)
		if i == 0 {
			keep = keptCaps
		}
		data[i].Effective &= keep
		data[i].Permitted &= keep
		data[i].Inheritable = 0
	}
	_, _, errno := syscall.AllThreadsSyscall(unix.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0)
	switch errno {
	case 0:
		return nil
	case unix.ENOTSUP:
		return errCapsUnsupported
	default:
		return fmt.Errorf("setting the capabilities: %w", errno)
	}
}
