package daemon

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// smcd tells the service manager how it is doing with the notification protocol of sd_notify(3):
// one datagram of newline-separated KEY=VALUE lines to the socket named in $NOTIFY_SOCKET. It is
// a dozen lines, so smcd speaks it itself rather than linking libsystemd (smcd is built without
// cgo) or taking a module for it.
//
// Under the unit's Type=notify, systemd counts smcd as started only when it says READY=1, which
// it does once its queues are bound and its workers run: a chain that does not load or a queue
// that cannot be bound fails `systemctl start`, instead of a start that succeeds and a service
// that is gone a moment later. Sending a datagram needs no capability, so it works after smcd has
// dropped its own.

// errNotifySocket: $NOTIFY_SOCKET names neither a path nor an abstract socket ('@'). Newer
// systemd may give a vsock: address to a service in a virtual machine, which smcd does not speak.
var errNotifySocket = errors.New("NOTIFY_SOCKET is neither a socket path nor an abstract socket name (@...)")

// sdNotify sends the lines to socket, the value of $NOTIFY_SOCKET; with none (smcd not started by
// systemd, or not as Type=notify) it sends nothing. A name starting with '@' is in the abstract
// namespace, which Go's Linux socket addresses take care of. A line break inside a line (an
// error of several lines in STATUS=) becomes a space: the protocol takes each line as a setting.
func sdNotify(socket string, lines ...string) error {
	if socket == "" {
		return nil
	}
	if socket[0] != '/' && socket[0] != '@' {
		return fmt.Errorf("%w: %q", errNotifySocket, socket)
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: socket, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer c.Close()
	msg := make([]string, len(lines))
	for i, l := range lines {
		msg[i] = strings.ReplaceAll(l, "\n", " ")
	}
	_, err = c.Write([]byte(strings.Join(msg, "\n")))
	return err
}

// notifier returns what tells the service manager at socket how smcd is doing; a notification that
// cannot be sent is logged, and smcd goes on.
func notifier(socket string, log *slog.Logger) func(lines ...string) {
	return func(lines ...string) {
		if err := sdNotify(socket, lines...); err != nil {
			log.Warn("cannot notify the service manager", "socket", socket, "err", err)
		}
	}
}

// monotonicUsec is CLOCK_MONOTONIC in microseconds, which RELOADING=1 carries as MONOTONIC_USEC=
// so that systemd can tell this reload from an earlier one.
func monotonicUsec() string {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return strconv.FormatInt(ts.Nano()/1000, 10)
}

// status is the STATUS= line `systemctl status smcd` shows while smcd runs: the queues and what
// runs on them.
func status(d *daemon) string {
	names, profiles := d.chainInfo()
	return fmt.Sprintf("queues %s; bindings %s; profiles %s", formatQueues(d.cfg.Queues), names, profiles)
}

// formatQueues writes queues as --queues takes them, runs of consecutive numbers as A:B, so that a
// status line stays short with many queues.
func formatQueues(queues []uint16) string {
	var parts []string
	for i := 0; i < len(queues); {
		j := i
		for j+1 < len(queues) && int(queues[j+1]) == int(queues[j])+1 {
			j++
		}
		part := strconv.Itoa(int(queues[i]))
		if j > i {
			part += ":" + strconv.Itoa(int(queues[j]))
		}
		parts = append(parts, part)
		i = j + 1
	}
	return strings.Join(parts, ",")
}
