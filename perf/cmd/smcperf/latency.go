package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/montanaflynn/stats"
)

// pingReport is what the ping role prints: round-trip times in microseconds.
type pingReport struct {
	N                 int
	Lost              int
	P50, P99, P999    float64
	Min, Mean, StdDev float64
}

// echoRole answers every datagram on -listen with the same bytes, until killed.
func echoRole(args []string) int {
	fs := flag.NewFlagSet("echo", flag.ContinueOnError)
	listen := fs.String("listen", "", "address:port")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	addr, err := net.ResolveUDPAddr("udp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		return 2
	}
	c, err := net.ListenUDP("udp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		return 1
	}
	fmt.Println("ready")
	buf := make([]byte, 65536)
	for {
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return 1
		}
		c.WriteToUDPAddrPort(buf[:n], from)
	}
}

// pingRole sends -msg to -dst -n times, one at a time, each after the answer to the one before,
// and reports the percentiles of the round-trip times. A round trip with no answer within a
// second counts as lost.
func pingRole(args []string) int {
	fs := flag.NewFlagSet("ping", flag.ContinueOnError)
	dst := fs.String("dst", "", "address:port of the echo role")
	msgFile := fs.String("msg", "", "the message to send")
	n := fs.Int("n", 10000, "round trips")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	msg, err := os.ReadFile(*msgFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ping:", err)
		return 2
	}
	c, err := net.Dial("udp", *dst)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ping:", err)
		return 1
	}
	rtts, lost := pingPong(c, msg, *n)
	rep, err := summarize(rtts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ping:", err)
		return 1
	}
	rep.Lost = lost
	json.NewEncoder(os.Stdout).Encode(rep)
	return 0
}

// pingPong measures n round trips, after a warm-up of a hundred that are not counted.
func pingPong(c net.Conn, msg []byte, n int) (rtts []float64, lost int) {
	buf := make([]byte, 65536)
	rtts = make([]float64, 0, n)
	for i := -100; i < n; i++ {
		start := time.Now()
		c.SetReadDeadline(start.Add(time.Second))
		if _, err := c.Write(msg); err != nil {
			lost++
			continue
		}
		if _, err := c.Read(buf); err != nil {
			lost++
			continue
		}
		if i >= 0 {
			rtts = append(rtts, float64(time.Since(start).Nanoseconds())/1e3)
		}
	}
	return rtts, lost
}

func summarize(rtts []float64) (pingReport, error) {
	var r pingReport
	var err error
	r.N = len(rtts)
	data := stats.Float64Data(rtts)
	for _, p := range []struct {
		to  *float64
		pct float64
	}{{&r.P50, 50}, {&r.P99, 99}, {&r.P999, 99.9}} {
		if *p.to, err = data.Percentile(p.pct); err != nil {
			return r, err
		}
	}
	if r.Min, err = data.Min(); err != nil {
		return r, err
	}
	if r.Mean, err = data.Mean(); err != nil {
		return r, err
	}
	r.StdDev, err = data.StandardDeviation()
	return r, err
}
