// Package nfq is the packet side of smc: from the kernel's queue to a verdict.
//
// The pure part decodes the raw IPv4 and IPv6 packets that the kernel hands to user space
// through NFQUEUE (no link-layer header; packet.go), finds the SIP payload of UDP and TCP
// packets, tells which end is the peer from the hook the packet was queued from, rebuilds a
// packet whose payload the rule engine changed with lengths and checksums fixed (rebuild.go,
// checksum.go), and rewrites the DSCP a SET_DSCP action asks for. It works in the caller's
// buffers: a decoded Packet is a set of views into the packet, Rebuild appends into a buffer the
// caller keeps, and errors are preallocated sentinels counted by the worker, never formatted per
// packet.
//
// The stateful part runs a queue. Queue owns one nfnetlink_queue socket (netlink_linux.go,
// nlmsg.go: messages encoded and decoded in its own buffers, verdicts batched), and a Worker
// reads packets from it, runs the chain on each SIP message through its own runtime.Machine,
// and gives the verdict: accept, accept with the rewritten packet, drop, or drop and answer
// with the generated response (respond_linux.go). For TCP the worker keeps the sequence offsets
// its length changes introduce (tcp.go, tcpflow.go) and can save them across a restart
// (tcpstate.go). Bindings (binding.go) choose which packets a chain applies to; a shadow binding
// (shadow.go) runs its chain but lets every packet pass as it came, and records what the chain
// would have changed. Nothing on the packet path allocates; tests assert it.
package nfq
