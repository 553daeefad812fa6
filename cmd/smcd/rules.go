package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// rulesMain prints the iptables and nft commands that feed smcd's queues.
//
// Both directions of the SIP ports are queued: TCP needs them (a length change renumbers the
// connection, docs/smcd.md), and rules that act on responses need them for UDP too. With several
// queues the rules spread traffic with --queue-balance, which hashes both directions of a
// connection to the same queue. --queue-bypass lets traffic through unchanged while no smcd reads
// a queue (stopped, restarting, crashed).
func rulesMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("smcd rules", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		queues     = fs.String("queues", "0", "the queues smcd serves: N or A:B")
		ports      = fs.String("ports", "5060", "the SIP ports, comma-separated")
		transports = fs.String("transports", "udp,tcp", "udp, tcp or both")
		hook       = fs.String("hook", "input", "where the SIP traffic is seen: input (the host is the SIP server: INPUT and OUTPUT) or forward (the host routes it: FORWARD)")
		mark       = fs.String("response-mark", "0", "the --response-mark given to smcd: its reject responses are not queued again")
	)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	qs, err := parseQueues(*queues)
	if err != nil || !contiguous(qs) {
		fmt.Fprintln(stderr, "smcd rules: --queues: N or A:B")
		return 2
	}
	if *hook != "input" && *hook != "forward" {
		fmt.Fprintln(stderr, "smcd rules: --hook: input or forward")
		return 2
	}
	m, err := strconv.ParseUint(*mark, 0, 32)
	if err != nil {
		fmt.Fprintln(stderr, "smcd rules: --response-mark: a number")
		return 2
	}
	var protos []string
	for _, p := range strings.Split(*transports, ",") {
		if p = strings.TrimSpace(p); p != "udp" && p != "tcp" {
			fmt.Fprintln(stderr, "smcd rules: --transports: udp, tcp or udp,tcp")
			return 2
		}
		protos = append(protos, p)
	}
	r := ruleSet{queues: qs, ports: strings.Split(*ports, ","), protos: protos, forward: *hook == "forward", mark: uint32(m)}
	r.iptables(stdout)
	fmt.Fprintln(stdout)
	r.nft(stdout)
	return 0
}

func contiguous(qs []uint16) bool {
	for i := 1; i < len(qs); i++ {
		if qs[i] != qs[i-1]+1 {
			return false
		}
	}
	return len(qs) > 0
}

type ruleSet struct {
	queues  []uint16
	ports   []string
	protos  []string
	forward bool
	mark    uint32
}

// directions lists the chains and port matches that see both directions of the SIP traffic.
func (r ruleSet) directions() [][2]string {
	if r.forward {
		return [][2]string{{"FORWARD", "dport"}, {"FORWARD", "sport"}}
	}
	return [][2]string{{"INPUT", "dport"}, {"OUTPUT", "sport"}}
}

func (r ruleSet) iptables(w io.Writer) {
	target := "--queue-num " + strconv.Itoa(int(r.queues[0]))
	if len(r.queues) > 1 {
		target = fmt.Sprintf("--queue-balance %d:%d", r.queues[0], r.queues[len(r.queues)-1])
	}
	skip := ""
	if r.mark != 0 {
		skip = fmt.Sprintf(" -m mark ! --mark %#x", r.mark)
	}
	fmt.Fprintln(w, "# iptables (and ip6tables, the same rules):")
	for _, ipt := range []string{"iptables", "ip6tables"} {
		for _, p := range r.protos {
			for _, d := range r.directions() {
				fmt.Fprintf(w, "%s -A %s -p %s -m multiport --%ss %s%s -j NFQUEUE %s --queue-bypass\n",
					ipt, d[0], p, d[1], strings.Join(r.ports, ","), skip, target)
			}
		}
	}
}

func (r ruleSet) nft(w io.Writer) {
	queue := strconv.Itoa(int(r.queues[0]))
	if len(r.queues) > 1 {
		queue = fmt.Sprintf("%d-%d", r.queues[0], r.queues[len(r.queues)-1])
	}
	skip := ""
	if r.mark != 0 {
		skip = fmt.Sprintf("meta mark != %#x ", r.mark)
	}
	fmt.Fprintln(w, "# nft (one inet table for IPv4 and IPv6):")
	fmt.Fprintln(w, "nft add table inet smc")
	chains := []string{"input", "output"}
	if r.forward {
		chains = []string{"forward"}
	}
	for _, c := range chains {
		fmt.Fprintf(w, "nft add chain inet smc %s '{ type filter hook %s priority 0; }'\n", c, c)
	}
	for _, p := range r.protos {
		for _, d := range r.directions() {
			fmt.Fprintf(w, "nft add rule inet smc %s %s%s %s '{ %s }' queue num %s bypass\n",
				strings.ToLower(d[0]), skip, p, d[1], strings.Join(r.ports, ", "), queue)
		}
	}
}
