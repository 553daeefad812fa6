package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/smcproject/smc/daemon"
)

// rulesMain prints the firewall rules that feed smcd's queues, in one format: iptables (with the
// same rules for ip6tables) or nft. Only one, because the quick start pipes the output to a shell,
// and two rule sets loaded together would send every packet through the chain twice. The default
// is nft when the nft command is installed and the kernel has the nft_queue module (loaded, built
// in or installed: see nftQueueAvailable); otherwise iptables, whose NFQUEUE target (xt_NFQUEUE)
// works with both iptables backends.
//
// The rules queue both directions of the SIP ports: TCP needs them (a length change renumbers the
// connection, docs/smcd.md), and rules that act on responses need them for UDP too. They go
// into the mangle table (nft: a chain at mangle priority), which runs before the filter table,
// so the firewall's own filter rules still decide after smcd's verdict: a filter rule that
// accepts SIP early would otherwise keep it from ever being queued, and an NFQUEUE rule at the
// top of the filter table would let SIP past every filter rule after it. --queue-bypass lets UDP
// through unchanged while no smcd reads a queue (stopped, restarting, crashed). TCP is queued
// without it: a segment of a connection smcd resized must never pass with the sender's numbers,
// which the receiver would take in part for data it has not had; without smcd it is dropped, and
// TCP sends it again once smcd is back with the offsets it saved (docs/smcd.md).
func rulesMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("smcd rules", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		format     = fs.String("format", "", "iptables or nft (default: nft where the nft command and the kernel's nft_queue module are there, else iptables)")
		queues     = fs.String("queues", "0", "the queues smcd serves, as smcd takes them: N, A:B or N,M,...")
		ports      = fs.String("ports", "5060", "the SIP ports, comma-separated")
		transports = fs.String("transports", "udp,tcp", "udp, tcp or both")
		role       = fs.String("role", "proxy", "what the host does: server (peers connect to its SIP ports), client (it connects to the peers' SIP ports), proxy (both) or router (it forwards SIP between others)")
		hook       = fs.String("hook", "", "deprecated: input is --role server, forward is --role router")
		mark       = fs.String("response-mark", "0", "the --response-mark given to smcd: its reject responses are not queued again")
	)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *hook != "" {
		r, err := roleOfHook(*hook, flagSet(fs, "role"))
		if err != nil {
			fmt.Fprintln(stderr, "smcd rules:", err)
			return 2
		}
		fmt.Fprintf(stderr, "smcd rules: --hook is deprecated, use --role %s\n", r)
		*role = r
	}
	if *format == "" {
		*format = defaultFormat(hasCommand("nft"), "/")
	}
	r, err := newRuleSet(*format, *queues, *ports, *transports, *role, *mark)
	if err != nil {
		fmt.Fprintln(stderr, "smcd rules:", err)
		return 2
	}
	r.print(stdout)
	return 0
}

// roleOfHook maps the deprecated --hook to the --role that queues the same packets.
func roleOfHook(hook string, roleGiven bool) (string, error) {
	if roleGiven {
		return "", errors.New("--hook and --role: give --role only")
	}
	switch hook {
	case "input":
		return "server", nil
	case "forward":
		return "router", nil
	}
	return "", fmt.Errorf("--hook %q: input or forward (deprecated: use --role)", hook)
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func hasCommand(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

// defaultFormat is nft when the nft command exists and the kernel under root has nft_queue, else
// iptables: nft rules with a queue statement do not load without the module, while the iptables
// rules need only xt_NFQUEUE, which both iptables backends use.
func defaultFormat(haveNft bool, root string) string {
	if haveNft && nftQueueAvailable(root) {
		return "nft"
	}
	return "iptables"
}

// nftQueueAvailable reports whether the running kernel has nft_queue: loaded (/sys/module), built
// in (modules.builtin; a built-in module without parameters has no /sys/module entry) or
// installed where modprobe finds it, compressed or not. root is "/" except in tests.
func nftQueueAvailable(root string) bool {
	if _, err := os.Stat(filepath.Join(root, "sys/module/nft_queue")); err == nil {
		return true
	}
	release, err := os.ReadFile(filepath.Join(root, "proc/sys/kernel/osrelease"))
	if err != nil {
		return false
	}
	dir := filepath.Join(root, "lib/modules", strings.TrimSpace(string(release)))
	if builtin, err := os.ReadFile(filepath.Join(dir, "modules.builtin")); err == nil &&
		strings.Contains(string(builtin), "/nft_queue.ko\n") {
		return true
	}
	found, _ := filepath.Glob(filepath.Join(dir, "kernel/net/netfilter/nft_queue.ko*"))
	return len(found) > 0
}

// multiportMax is the most ports one iptables multiport match takes (XT_MULTI_PORTS). The rules
// keep one rule per chain and transport rather than split a longer list: a SIP edge listens on
// a few ports.
const multiportMax = 15

// ruleSet is what the printed rules queue: which transports on which ports, in which chains, to
// which queues, and the mark of smcd's own responses that they skip.
type ruleSet struct {
	format  string
	queues  []uint16 // sorted
	ports   []string
	protos  []string
	matches []portMatch
	mark    uint32
}

// portMatch is one chain and which of a packet's ports must be a SIP port there.
type portMatch struct {
	chain string // INPUT, OUTPUT or FORWARD
	port  string // dport, sport, or port: either
}

// roleMatches gives, per role, the matches that see both directions of its SIP traffic. A server
// receives on its SIP ports; a client talks from a random local port to the peers' SIP ports;
// a proxy does both, and a router sees either kind pass.
var roleMatches = map[string][]portMatch{
	"server": {{"INPUT", "dport"}, {"OUTPUT", "sport"}},
	"client": {{"INPUT", "sport"}, {"OUTPUT", "dport"}},
	"proxy":  {{"INPUT", "port"}, {"OUTPUT", "port"}},
	"router": {{"FORWARD", "port"}},
}

// newRuleSet checks the flags' values and refuses what the format cannot express: a list of queues
// that is not a range, and more ports than one multiport match takes, in iptables.
func newRuleSet(format, queues, ports, transports, role, mark string) (ruleSet, error) {
	r := ruleSet{format: format, matches: roleMatches[role]}
	if format != "iptables" && format != "nft" {
		return r, fmt.Errorf("--format %q: iptables or nft", format)
	}
	if r.matches == nil {
		return r, fmt.Errorf("--role %q: server, client, proxy or router", role)
	}
	var err error
	if r.queues, err = daemon.ParseQueues(queues); err != nil {
		return r, fmt.Errorf("--queues %v", err)
	}
	slices.Sort(r.queues)
	if format == "iptables" && !contiguous(r.queues) {
		return r, fmt.Errorf("--queues %s: iptables spreads packets over a contiguous range of queues only (--queue-balance A:B). "+
			"Number smcd's queues contiguously (--queues %d:%d for both smcd and smcd rules), or use --format nft, which spreads over any list",
			queues, r.queues[0], int(r.queues[0])+len(r.queues)-1)
	}
	if r.ports, err = parsePorts(ports); err != nil {
		return r, err
	}
	if format == "iptables" && len(r.ports) > multiportMax {
		return r, fmt.Errorf("--ports: %d ports; one iptables multiport match takes at most %d (nft sets take any number)", len(r.ports), multiportMax)
	}
	if r.protos, err = parseTransports(transports); err != nil {
		return r, err
	}
	m, err := strconv.ParseUint(mark, 0, 32)
	if err != nil {
		return r, fmt.Errorf("--response-mark %q: a number", mark)
	}
	r.mark = uint32(m)
	return r, nil
}

func contiguous(qs []uint16) bool {
	return int(qs[len(qs)-1]-qs[0]) == len(qs)-1
}

func parsePorts(s string) ([]string, error) {
	ports := strings.Split(s, ",")
	for i, p := range ports {
		n, err := strconv.ParseUint(strings.TrimSpace(p), 10, 16)
		if err != nil || n == 0 {
			return nil, fmt.Errorf("--ports %q: port numbers 1..65535, comma-separated", s)
		}
		ports[i] = strconv.Itoa(int(n))
	}
	return ports, nil
}

func parseTransports(s string) ([]string, error) {
	var protos []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "udp" && p != "tcp" {
			return nil, fmt.Errorf("--transports %q: udp, tcp or udp,tcp", s)
		}
		if !slices.Contains(protos, p) {
			protos = append(protos, p)
		}
	}
	return protos, nil
}

func (r ruleSet) print(w io.Writer) {
	if r.format == "nft" {
		r.nft(w)
	} else {
		r.iptables(w)
	}
	if slices.Contains(r.protos, "tcp") {
		fmt.Fprint(w, conntrackAdvice)
	}
}

// conntrackAdvice follows the rules when they queue TCP. docs/smcd.md (Conntrack) says more.
const conntrackAdvice = `
# TCP and conntrack: once smcd changes the length of a message, the peers' acknowledgements no
# longer match the numbers conntrack saw (it sees packets before the queue), and conntrack marks
# them INVALID. A rule that drops INVALID packets, or a policy that accepts only ESTABLISHED
# ones, then stalls the connection. Make conntrack accept them (it then skips its TCP window
# check, for every connection):
#   sysctl -w net.netfilter.nf_conntrack_tcp_be_liberal=1
#   echo net.netfilter.nf_conntrack_tcp_be_liberal=1 > /etc/sysctl.d/90-smcd.conf
# or accept the SIP ports' TCP before any INVALID drop in every chain that has one.
`

func (r ruleSet) iptables(w io.Writer) {
	target := "--queue-num " + strconv.Itoa(int(r.queues[0]))
	if len(r.queues) > 1 {
		target = fmt.Sprintf("--queue-balance %d:%d", r.queues[0], r.queues[len(r.queues)-1])
	}
	skip := ""
	if r.mark != 0 {
		skip = fmt.Sprintf(" -m mark ! --mark %#x", r.mark)
	}
	fmt.Fprintln(w, "# iptables and ip6tables, mangle table: the filter table's rules still apply after smcd")
	for _, ipt := range []string{"iptables", "ip6tables"} {
		for _, p := range r.protos {
			for _, m := range r.matches {
				fmt.Fprintf(w, "%s -t mangle -A %s -p %s -m multiport --%ss %s%s -j NFQUEUE %s%s\n",
					ipt, m.chain, p, m.port, strings.Join(r.ports, ","), skip, target, bypassFlag(p, " --queue-bypass"))
			}
		}
	}
}

func (r ruleSet) nft(w io.Writer) {
	skip := ""
	if r.mark != 0 {
		skip = fmt.Sprintf("meta mark != %#x ", r.mark)
	}
	fmt.Fprintln(w, "# nft: one inet table for IPv4 and IPv6, at mangle priority: the filter chains still apply after smcd")
	fmt.Fprintln(w, "nft add table inet smc")
	var chains []string
	for _, m := range r.matches {
		chain := strings.ToLower(m.chain)
		if !slices.Contains(chains, chain) {
			chains = append(chains, chain)
			fmt.Fprintf(w, "nft add chain inet smc %s '{ type filter hook %s priority mangle; }'\n", chain, chain)
		}
	}
	ports := "'{ " + strings.Join(r.ports, ", ") + " }'"
	for _, p := range r.protos {
		for _, m := range r.matches {
			// nft has no match for either port: a queued packet leaves the chain, so a
			// second rule sees only what the first did not take.
			for _, port := range nftPorts(m.port) {
				fmt.Fprintf(w, "nft add rule inet smc %s %s%s %s %s %s\n",
					strings.ToLower(m.chain), skip, p, port, ports, r.nftQueue(p))
			}
		}
	}
}

func nftPorts(port string) []string {
	if port == "port" {
		return []string{"dport", "sport"}
	}
	return []string{port}
}

// nftQueue is the queue statement. A list that is not a range is spread with symhash, which,
// like the range's hash, sends both directions of a connection to the same queue, through a map
// from the hash's buckets to the queues.
func (r ruleSet) nftQueue(proto string) string {
	first, last := r.queues[0], r.queues[len(r.queues)-1]
	switch {
	case len(r.queues) == 1:
		return fmt.Sprintf("queue num %d%s", first, bypassFlag(proto, " bypass"))
	case contiguous(r.queues):
		return fmt.Sprintf("queue num %d-%d%s", first, last, bypassFlag(proto, " bypass"))
	}
	buckets := make([]string, len(r.queues))
	for i, q := range r.queues {
		buckets[i] = fmt.Sprintf("%d : %d", i, q)
	}
	return fmt.Sprintf("queue %sto symhash mod %d map '{ %s }'", bypassFlag(proto, "flags bypass "), len(r.queues), strings.Join(buckets, ", "))
}

// bypassFlag is flag for UDP and nothing for TCP, which is queued without bypass (rulesMain).
func bypassFlag(proto, flag string) string {
	if proto == "tcp" {
		return ""
	}
	return flag
}
