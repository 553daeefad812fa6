// Package nfq is the packet side of smc. It decodes the raw IPv4 and IPv6 packets that the kernel
// hands to user space through NFQUEUE (no link-layer header), finds the SIP payload of UDP and TCP
// packets, tells which end is the peer from the hook the packet was queued from, rebuilds a packet
// whose payload the rule engine changed (lengths and checksums fixed), and rewrites the DSCP that
// a SET_DSCP action asks for (SMC-SPEC §6).
//
// Everything here is pure and works in the caller's buffers: a decoded Packet is a set of views
// into the packet, Rebuild appends into a buffer the caller keeps, and nothing allocates, so a
// worker can run a packet through Decode, the machine and Rebuild without garbage. Errors are
// preallocated sentinels that the worker counts, never formatted per packet.
//
// The NFQUEUE worker that reads packets from netlink and gives the kernel its verdict comes with
// the daemon, smcd.
package nfq
