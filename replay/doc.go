// Package replay runs a chain over a packet capture as smcd would have run it over the same packets
// live, and writes the capture of what smcd would have let through: `smcc pcap`.
//
// It is a package of its own, beside nfq rather than in it or in cmd/smcc, because it is a second
// source of packets for nfq's worker, not a part of the kernel queue, and because its stages are
// more than a command's flag handling: read (pcapgo: pcap and pcapng), link (where the IP packet
// is in a frame), reassemble (IP fragments, as the kernel does before any hook), rewrite (nfq's
// Worker, unchanged), write (pcapgo: pcap, in the input's order) and summary (with diff). Its name
// says what it does to a capture rather than naming the file format, which pcapgo already names,
// and leaves room for replaying captures into other sinks.
//
// The captures are read and written with github.com/gopacket/gopacket's pcapgo, the maintained
// fork of google/gopacket: google/gopacket's last release (v1.1.19) holds a link type in a byte,
// so it can neither read nor write Linux cooked captures v2 (link type 276), which tcpdump -i any
// writes since libpcap 1.10.
package replay
