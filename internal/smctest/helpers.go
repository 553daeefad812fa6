package smctest

import (
	"net"
	"testing"
	"time"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/runtime"
)

// What the tests of several packages share, so that each is written once.

// MustChain links programs into a chain, or ends the test.
func MustChain(tb testing.TB, progs ...*compile.Program) *runtime.Chain {
	tb.Helper()
	chain, err := runtime.NewChain(progs...)
	if err != nil {
		tb.Fatal(err)
	}
	return chain
}

// ListenNotify is the service manager's end of sd_notify: a datagram socket at name, a path or an
// abstract name starting with '@', as systemd's NOTIFY_SOCKET gives it. It closes when the test
// ends.
func ListenNotify(tb testing.TB, name string) *net.UnixConn {
	tb.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// NextNotify returns the next notification's text, or fails the test after wait.
func NextNotify(tb testing.TB, c *net.UnixConn, wait time.Duration) string {
	tb.Helper()
	buf := make([]byte, 4096)
	c.SetReadDeadline(time.Now().Add(wait))
	n, err := c.Read(buf)
	if err != nil {
		tb.Fatalf("no notification: %v", err)
	}
	return string(buf[:n])
}
