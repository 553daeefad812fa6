package daemon

import (
	"os"
	"strings"
)

// beLiberalPath is conntrack's setting for TCP windows in smcd's network namespace (/proc/sys/net
// shows the reader's). The file exists only while conntrack is loaded. A variable so that tests
// can point it at a file of their own.
var beLiberalPath = "/proc/sys/net/netfilter/nf_conntrack_tcp_be_liberal"

// conntrackWarning returns the warning smcd logs at start when conntrack checks TCP windows, or ""
// when it does not (not loaded, or be_liberal set). Conntrack sees a packet before the queue: it
// counts the bytes the host sends before smcd resizes them, and the peer's acknowledgements before
// smcd renumbers them. Once a message over TCP changes length, the acknowledgements are out of
// the window conntrack computed and marked INVALID, and a firewall that drops INVALID packets
// (or accepts only ESTABLISHED ones) stalls the connection. smcd cannot see the firewall, so it
// warns whenever the check is on; a UDP-only edge can ignore it.
func conntrackWarning() string {
	b, err := os.ReadFile(beLiberalPath)
	if err != nil || strings.TrimSpace(string(b)) != "0" {
		return ""
	}
	return "conntrack checks TCP windows (net.netfilter.nf_conntrack_tcp_be_liberal=0): " +
		"after smcd changes the length of a SIP message over TCP, the peer's acknowledgements " +
		"are marked INVALID, and a firewall rule that drops INVALID packets stalls the connection. " +
		"Run sysctl -w net.netfilter.nf_conntrack_tcp_be_liberal=1 and add it to /etc/sysctl.d, " +
		"or accept the SIP ports' TCP before any INVALID drop (docs/smcd.md, Conntrack)"
}
