package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	nfqueue "github.com/florianl/go-nfqueue/v2"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// naiveRole is baseline B3: a consumer of github.com/florianl/go-nfqueue/v2 written as its
// README and example show (Register a callback, SetVerdict in it), with the settings every
// consumer of the harness gets (8 MiB receive buffer, NETLINK_NO_ENOBUFS, maxlen 8192,
// fail-open). It accepts every packet unchanged and, on SIGTERM, prints how many it handled.
func naiveRole(args []string) int {
	fs := flag.NewFlagSet("naive", flag.ContinueOnError)
	queue := fs.Uint("queue", 0, "the queue number")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	nf, err := nfqueue.Open(&nfqueue.Config{
		NfQueue:      uint16(*queue),
		MaxPacketLen: 0xFFFF,
		MaxQueueLen:  8192,
		Copymode:     nfqueue.NfQnlCopyPacket,
		Flags:        nfqueue.NfQaCfgFlagFailOpen,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "naive:", err)
		return 1
	}
	defer nf.Close()
	if err := nf.SetOption(netlink.NoENOBUFS, true); err != nil {
		fmt.Fprintln(os.Stderr, "naive:", err)
		return 1
	}
	if err := forceReadBuffer(nf.Con, 8<<20); err != nil {
		fmt.Fprintln(os.Stderr, "naive:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	var handled atomic.Uint64
	err = nf.RegisterWithErrorFunc(ctx, func(a nfqueue.Attribute) int {
		nf.SetVerdict(*a.PacketID, nfqueue.NfAccept)
		handled.Add(1)
		return 0
	}, func(err error) int {
		return 0 // keep reading, as the README's error function does for ENOBUFS
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "naive:", err)
		return 1
	}
	fmt.Println("ready")
	<-ctx.Done()
	fmt.Printf("handled %d\n", handled.Load())
	return 0
}

// forceReadBuffer sets the socket's receive buffer past net.core.rmem_max (SO_RCVBUFFORCE), as
// the other consumers do; the library's SetReadBuffer stops at rmem_max.
func forceReadBuffer(c *netlink.Conn, size int) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = raw.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, size)
	})
	if err != nil {
		return err
	}
	return serr
}
