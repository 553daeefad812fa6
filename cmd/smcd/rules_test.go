package main

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rules runs smcd rules and returns its exit code, standard output and standard error.
func rules(args ...string) (int, string, string) {
	var out, errs bytes.Buffer
	code := run(append([]string{"rules"}, args...), &out, &errs)
	return code, out.String(), errs.String()
}

const (
	iptablesHeader = "# iptables and ip6tables, mangle table: the filter table's rules still apply after smcd\n"
	nftHeader      = "# nft: one inet table for IPv4 and IPv6, at mangle priority: the filter chains still apply after smcd\n" +
		"nft add table inet smc\n"
)

// roleRules are the rules each role prints for UDP on ports 5060 and 5080, with %[1]s for the
// queue target. The iptables lines are the IPv4 ones: the same follow for ip6tables.
var roleRules = []struct {
	role, iptables, nft string
}{
	{"server", `iptables -t mangle -A INPUT -p udp -m multiport --dports 5060,5080 -j NFQUEUE %[1]s --queue-bypass
iptables -t mangle -A OUTPUT -p udp -m multiport --sports 5060,5080 -j NFQUEUE %[1]s --queue-bypass
`, `nft add chain inet smc input '{ type filter hook input priority mangle; }'
nft add chain inet smc output '{ type filter hook output priority mangle; }'
nft add rule inet smc input udp dport '{ 5060, 5080 }' %[1]s
nft add rule inet smc output udp sport '{ 5060, 5080 }' %[1]s
`},
	{"client", `iptables -t mangle -A INPUT -p udp -m multiport --sports 5060,5080 -j NFQUEUE %[1]s --queue-bypass
iptables -t mangle -A OUTPUT -p udp -m multiport --dports 5060,5080 -j NFQUEUE %[1]s --queue-bypass
`, `nft add chain inet smc input '{ type filter hook input priority mangle; }'
nft add chain inet smc output '{ type filter hook output priority mangle; }'
nft add rule inet smc input udp sport '{ 5060, 5080 }' %[1]s
nft add rule inet smc output udp dport '{ 5060, 5080 }' %[1]s
`},
	{"proxy", `iptables -t mangle -A INPUT -p udp -m multiport --ports 5060,5080 -j NFQUEUE %[1]s --queue-bypass
iptables -t mangle -A OUTPUT -p udp -m multiport --ports 5060,5080 -j NFQUEUE %[1]s --queue-bypass
`, `nft add chain inet smc input '{ type filter hook input priority mangle; }'
nft add chain inet smc output '{ type filter hook output priority mangle; }'
nft add rule inet smc input udp dport '{ 5060, 5080 }' %[1]s
nft add rule inet smc input udp sport '{ 5060, 5080 }' %[1]s
nft add rule inet smc output udp dport '{ 5060, 5080 }' %[1]s
nft add rule inet smc output udp sport '{ 5060, 5080 }' %[1]s
`},
	{"router", `iptables -t mangle -A FORWARD -p udp -m multiport --ports 5060,5080 -j NFQUEUE %[1]s --queue-bypass
`, `nft add chain inet smc forward '{ type filter hook forward priority mangle; }'
nft add rule inet smc forward udp dport '{ 5060, 5080 }' %[1]s
nft add rule inet smc forward udp sport '{ 5060, 5080 }' %[1]s
`},
}

// queueForms are the --queues forms and the target each format prints for them; "" where the
// format refuses the form.
var queueForms = []struct{ queues, iptables, nft string }{
	{"0", "--queue-num 0", "queue num 0 bypass"},
	{"2:3", "--queue-balance 2:3", "queue num 2-3 bypass"},
	{"3,1:2", "--queue-balance 1:3", "queue num 1-3 bypass"}, // a list that is a range once sorted
	{"0,2", "", "queue flags bypass to symhash mod 2 map '{ 0 : 0, 1 : 2 }'"},
	{"7,0:1", "", "queue flags bypass to symhash mod 3 map '{ 0 : 0, 1 : 1, 2 : 7 }'"},
}

// Every role in every format with every queue form prints exactly its rules, and only the rules of
// the format asked for.
func TestRulesText(t *testing.T) {
	for _, role := range roleRules {
		for _, q := range queueForms {
			args := []string{"--role", role.role, "--queues", q.queues, "--ports", "5060,5080", "--transports", "udp"}
			t.Run(role.role+"/iptables/"+q.queues, func(t *testing.T) {
				if q.iptables == "" {
					return // TestRulesRefused
				}
				v4 := fmt.Sprintf(role.iptables, q.iptables)
				want := iptablesHeader + v4 + strings.ReplaceAll(v4, "iptables -t", "ip6tables -t")
				checkRules(t, append(args, "--format", "iptables"), want)
			})
			t.Run(role.role+"/nft/"+q.queues, func(t *testing.T) {
				checkRules(t, append(args, "--format", "nft"), nftHeader+fmt.Sprintf(role.nft, q.nft))
			})
		}
	}
}

func checkRules(t *testing.T, args []string, want string) {
	t.Helper()
	code, out, errs := rules(args...)
	if code != 0 || out != want || errs != "" {
		t.Errorf("smcd rules %s: exit %d, stderr %q\ngot:\n%s\nwant:\n%s", strings.Join(args, " "), code, errs, out, want)
	}
}

// With TCP the rules are followed by what conntrack needs; the response mark is skipped in every
// rule, in the order of --transports.
func TestRulesTCPAndMark(t *testing.T) {
	checkRules(t, []string{"--format", "iptables", "--role", "server", "--transports", "tcp,udp", "--response-mark", "83"},
		iptablesHeader+`iptables -t mangle -A INPUT -p tcp -m multiport --dports 5060 -m mark ! --mark 0x53 -j NFQUEUE --queue-num 0
iptables -t mangle -A OUTPUT -p tcp -m multiport --sports 5060 -m mark ! --mark 0x53 -j NFQUEUE --queue-num 0
iptables -t mangle -A INPUT -p udp -m multiport --dports 5060 -m mark ! --mark 0x53 -j NFQUEUE --queue-num 0 --queue-bypass
iptables -t mangle -A OUTPUT -p udp -m multiport --sports 5060 -m mark ! --mark 0x53 -j NFQUEUE --queue-num 0 --queue-bypass
ip6tables -t mangle -A INPUT -p tcp -m multiport --dports 5060 -m mark ! --mark 0x53 -j NFQUEUE --queue-num 0
ip6tables -t mangle -A OUTPUT -p tcp -m multiport --sports 5060 -m mark ! --mark 0x53 -j NFQUEUE --queue-num 0
ip6tables -t mangle -A INPUT -p udp -m multiport --dports 5060 -m mark ! --mark 0x53 -j NFQUEUE --queue-num 0 --queue-bypass
ip6tables -t mangle -A OUTPUT -p udp -m multiport --sports 5060 -m mark ! --mark 0x53 -j NFQUEUE --queue-num 0 --queue-bypass
`+conntrackAdvice)
	checkRules(t, []string{"--format", "nft", "--role", "router", "--transports", "tcp", "--response-mark", "0x53", "--queues", "0:1"},
		nftHeader+`nft add chain inet smc forward '{ type filter hook forward priority mangle; }'
nft add rule inet smc forward meta mark != 0x53 tcp dport '{ 5060 }' queue num 0-1
nft add rule inet smc forward meta mark != 0x53 tcp sport '{ 5060 }' queue num 0-1
`+conntrackAdvice)
	if !strings.Contains(conntrackAdvice, "sysctl -w net.netfilter.nf_conntrack_tcp_be_liberal=1\n") ||
		!strings.Contains(conntrackAdvice, "> /etc/sysctl.d/") {
		t.Errorf("the advice lacks the sysctl command or its persistent form:\n%s", conntrackAdvice)
	}
}

// The defaults: role proxy, queue 0, port 5060, UDP and TCP.
func TestRulesDefaults(t *testing.T) {
	_, out, _ := rules("--format", "iptables")
	_, proxy, _ := rules("--format", "iptables", "--role", "proxy", "--queues", "0", "--ports", "5060", "--transports", "udp,tcp")
	if out != proxy || !strings.Contains(out, "-A INPUT -p tcp -m multiport --ports 5060 -j NFQUEUE --queue-num 0\n") {
		t.Errorf("defaults:\n%s", out)
	}
}

// Each mistake is refused with what to do, and nothing is printed on standard output.
func TestRulesRefused(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "iptables", "--queues", "0,2"}, `smcd rules: --queues 0,2: iptables spreads packets over a contiguous range of queues only (--queue-balance A:B). Number smcd's queues contiguously (--queues 0:1 for both smcd and smcd rules), or use --format nft, which spreads over any list`},
		{[]string{"--format", "iptables", "--queues", "4,8,6"}, `smcd rules: --queues 4,8,6: iptables spreads packets over a contiguous range of queues only (--queue-balance A:B). Number smcd's queues contiguously (--queues 4:6 for both smcd and smcd rules), or use --format nft, which spreads over any list`},
		{[]string{"--format", "pf"}, `smcd rules: --format "pf": iptables or nft`},
		{[]string{"--role", "gateway"}, `smcd rules: --role "gateway": server, client, proxy or router`},
		{[]string{"--queues", "0:x"}, `smcd rules: --queues "0:x": a queue number 0..65535, a range A:B, or a list N,M`},
		{[]string{"--queues", "0:1024"}, `smcd rules: --queues "0:1024": 1025 queues; one worker per queue, and at most 1024`},
		{[]string{"--ports", "5060,sip"}, `smcd rules: --ports "5060,sip": port numbers 1..65535, comma-separated`},
		{[]string{"--ports", "0"}, `smcd rules: --ports "0": port numbers 1..65535, comma-separated`},
		{[]string{"--format", "iptables", "--ports", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16"}, `smcd rules: --ports: 16 ports; one iptables multiport match takes at most 15 (nft sets take any number)`},
		{[]string{"--transports", "udp,sctp"}, `smcd rules: --transports "udp,sctp": udp, tcp or udp,tcp`},
		{[]string{"--response-mark", "red"}, `smcd rules: --response-mark "red": a number`},
		{[]string{"--hook", "input", "--role", "client"}, `smcd rules: --hook and --role: give --role only`},
		{[]string{"--hook", "output"}, `smcd rules: --hook "output": input or forward (deprecated: use --role)`},
	} {
		code, out, errs := rules(c.args...)
		if code != 2 || out != "" || errs != c.want+"\n" {
			t.Errorf("smcd rules %s: exit %d, stdout %q, stderr\n%s\nwant\n%s", strings.Join(c.args, " "), code, out, errs, c.want)
		}
	}
}

// nft takes as many ports as it is given.
func TestRulesManyPortsNft(t *testing.T) {
	code, out, _ := rules("--format", "nft", "--role", "server", "--ports", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16", "--transports", "udp")
	if code != 0 || !strings.Contains(out, "udp dport '{ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }' queue num 0 bypass\n") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// --hook still works, as the role that queues the same packets, and says it is deprecated.
func TestRulesHookDeprecated(t *testing.T) {
	for hook, role := range map[string]string{"input": "server", "forward": "router"} {
		code, out, errs := rules("--format", "nft", "--hook", hook)
		_, want, _ := rules("--format", "nft", "--role", role)
		if code != 0 || out != want || errs != "smcd rules: --hook is deprecated, use --role "+role+"\n" {
			t.Errorf("--hook %s: exit %d, stderr %q\n%s", hook, code, errs, out)
		}
	}
}

// The default format is nft only where both the command and the kernel's queue module are there.
func TestRulesDefaultFormat(t *testing.T) {
	const release = "6.1.0-test-amd64"
	for _, c := range []struct {
		name    string
		files   map[string]string
		haveNft bool
		want    string
	}{
		{"no nft command", map[string]string{"sys/module/nft_queue/refcnt": "0"}, false, "iptables"},
		{"loaded", map[string]string{"sys/module/nft_queue/refcnt": "0"}, true, "nft"},
		{"built in", map[string]string{"lib/modules/" + release + "/modules.builtin": "kernel/net/netfilter/nf_tables.ko\nkernel/net/netfilter/nft_queue.ko\n"}, true, "nft"},
		{"installed, compressed", map[string]string{"lib/modules/" + release + "/kernel/net/netfilter/nft_queue.ko.xz": ""}, true, "nft"},
		{"installed", map[string]string{"lib/modules/" + release + "/kernel/net/netfilter/nft_queue.ko": ""}, true, "nft"},
		{"other modules only", map[string]string{
			"lib/modules/" + release + "/modules.builtin":                       "kernel/net/netfilter/nft_queue_x.ko\n",
			"lib/modules/" + release + "/kernel/net/netfilter/nft_reject.ko.xz": "",
			"lib/modules/6.0.0-older/kernel/net/netfilter/nft_queue.ko":         "",
		}, true, "iptables"},
		{"nothing", nil, true, "iptables"},
	} {
		root := t.TempDir()
		files := map[string]string{"proc/sys/kernel/osrelease": release + "\n"}
		for name, text := range c.files {
			files[name] = text
		}
		for name, text := range files {
			os.MkdirAll(filepath.Join(root, filepath.Dir(name)), 0o755)
			if err := os.WriteFile(filepath.Join(root, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if got := defaultFormat(c.haveNft, root); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// The nft rules pass nft's check, run inside a namespace of the test's own. Where the kernel has no
// nft_queue (CI), the kernel refuses each queue statement: then the check must fail on those
// statements only, and the rules with each queue statement turned into a statement that sets the
// mark from the same expression must pass, which checks everything but the queue itself.
func TestRulesNftCheck(t *testing.T) {
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("nft is not installed (apt-get install nftables): the nft rules are checked only by their text")
	}
	tn := newTestNet(t)
	withQueue := nftQueueAvailable("/")
	if !withQueue {
		t.Log("the kernel has no nft_queue: the queue statements are checked by nft's parser only")
	}
	for _, role := range roleRules {
		for _, q := range queueForms {
			batch := nftBatch(t, "--format", "nft", "--role", role.role, "--queues", q.queues, "--response-mark", "0x53")
			out, err := tn.nftCheck(t, batch)
			if withQueue {
				if err != nil {
					t.Errorf("%s %s: %v\n%s\n%s", role.role, q.queues, err, out, batch)
				}
				continue
			}
			checkQueueRefusals(t, batch, out)
			stand := regexp.MustCompile(`queue num [0-9-]+( bypass)?`).ReplaceAllString(batch, "counter")
			stand = regexp.MustCompile(`queue (flags bypass )?to `).ReplaceAllString(stand, "meta mark set ")
			if out, err := tn.nftCheck(t, stand); err != nil {
				t.Errorf("%s %s: %v\n%s\n%s", role.role, q.queues, err, out, stand)
			}
		}
	}
}

// nftBatch runs the shell commands smcd rules prints with nft defined as a function that collects
// its arguments, one line each: the batch nft -f reads, as the shell would have passed it.
func nftBatch(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := rules(args...)
	if code != 0 {
		t.Fatalf("smcd rules: %s", errs)
	}
	script := filepath.Join(t.TempDir(), "rules.sh")
	if err := os.WriteFile(script, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	batch, err := exec.Command("sh", "-c", `nft() { printf '%s\n' "$*"; }; . "$1"`, "sh", script).Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(batch)
}

// nftCheck runs nft -c on batch in namespace b: nothing is committed.
func (tn *testNet) nftCheck(t *testing.T, batch string) (string, error) {
	path := filepath.Join(t.TempDir(), "batch.nft")
	if err := os.WriteFile(path, []byte(batch), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ip", "netns", "exec", tn.b, "nft", "-c", "-f", path).CombinedOutput()
	return string(out), err
}

var nftErrorLine = regexp.MustCompile(`(?m)^[^\n]*:(\d+):(\d+)-(\d+): Error: (.*)$`)

// checkQueueRefusals fails the test unless nft's output has one error for each rule of batch, each
// the kernel's "No such file or directory" pointing at the rule's queue statement: nft parsed
// every rule, and only the missing module stopped it.
func checkQueueRefusals(t *testing.T, batch, out string) {
	t.Helper()
	lines := strings.Split(batch, "\n")
	errs := nftErrorLine.FindAllStringSubmatch(out, -1)
	if rulesIn := strings.Count(batch, "add rule "); len(errs) != rulesIn || strings.Contains(out, "syntax error") {
		t.Fatalf("%d errors for %d rules:\n%s\n%s", len(errs), rulesIn, out, batch)
	}
	for _, e := range errs {
		n, _ := strconv.Atoi(e[1])
		from, _ := strconv.Atoi(e[2])
		to, _ := strconv.Atoi(e[3])
		// nft marks the statement's first word, or for an expression the whole statement.
		line := lines[n-1]
		if e[4] != "Could not process rule: No such file or directory" || to > len(line) ||
			from-1 != strings.Index(line, " queue ")+1 || (to != from+4 && to != len(line)) {
			t.Errorf("not the queue statement refused: %s\n%s", e[0], line)
		}
	}
}

// The client role queues the connections the host opens: a SIPp UAC in b calls a SIPp UAS in a
// over TCP from a random local port, smcd in b grows every message of both directions, and every
// call completes with each side seeing the other's messages rewritten. The server rules (all that
// --hook input printed) queue none of it.
func TestRulesClientTCP(t *testing.T) {
	sipp := needSIPp(t)
	tn := newTestNet(t)
	d := tn.startSmcd("--queues", "0", "-p", writeProfile(t, tcpProfile))
	tn.applyRules(t, "--format", "iptables", "--role", "server", "--transports", "tcp")
	uasLog, _, err := tn.sippTCP(t, sipp, tn.a, tn.a4, tn.b, tn.b4, 1, 5*time.Second)
	if err != nil || strings.Contains(uasLog, "X-Smc-In: ") || !strings.Contains(uasLog, "INVITE sip:") {
		t.Fatalf("with the server rules: %v, the UAS received\n%s", err, uasLog)
	}
	tn.inB("iptables", "-t", "mangle", "-F")
	tn.inB("ip6tables", "-t", "mangle", "-F")
	tn.applyRules(t, "--format", "iptables", "--role", "client", "--transports", "tcp")
	for _, family := range []struct {
		name string
		a, b netip.Addr
	}{{"IPv4", tn.a4, tn.b4}, {"IPv6", tn.a6, tn.b6}} {
		t.Run(family.name, func(t *testing.T) {
			const calls = 10
			uasLog, uacLog, err := tn.sippTCP(t, sipp, tn.a, family.a, tn.b, family.b, calls, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			// Each call: INVITE, ACK and BYE out of b to the peer a; 180, 200 and the BYE's 200 in.
			if n := strings.Count(uasLog, "X-Smc-In: "+family.a.String()+" TCP"); n != 3*calls {
				t.Errorf("the UAS saw %d rewritten requests, want %d", n, 3*calls)
			}
			if n := strings.Count(uacLog, "X-Smc-Out: "); n != 3*calls {
				t.Errorf("the UAC saw %d rewritten responses, want %d", n, 3*calls)
			}
		})
	}
	d.stop(t)
}

// applyRules runs in namespace b each iptables and ip6tables command smcd rules prints.
func (tn *testNet) applyRules(t *testing.T, args ...string) []string {
	t.Helper()
	code, out, errs := rules(args...)
	if code != 0 {
		t.Fatalf("smcd rules: %s", errs)
	}
	var applied []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "iptables ") || strings.HasPrefix(line, "ip6tables ") {
			tn.inB("sh", "-c", line)
			applied = append(applied, line)
		}
	}
	return applied
}

// sippTCP runs calls over TCP from a SIPp UAC in namespace uacNS (a random local port) to a SIPp
// UAS in uasNS on port 5060 (sipp): a response that takes longer than recvTimeout fails its call.
func (tn *testNet) sippTCP(t *testing.T, sipp, uasNS string, uasAddr netip.Addr, uacNS string, uacAddr netip.Addr, calls int, recvTimeout time.Duration) (uasLog, uacLog string, err error) {
	t.Helper()
	return tn.sipp(t, sipp, sippRun{transport: "t1", uasNS: uasNS, uas: uasAddr, uacNS: uacNS, uac: uacAddr, calls: calls, rate: 20, recvTimeout: recvTimeout})
}

// The examples of docs/smcd.md that show a `$ smcd rules` command and its output are what the
// command prints.
func TestRulesDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/smcd.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := regexp.MustCompile("(?m)^```\n\\$ smcd rules (.*)\n((?s:.*?))^```$").FindAllStringSubmatch(string(doc), -1)
	if len(examples) < 2 {
		t.Fatalf("%d examples in docs/smcd.md, want the iptables and the nft one", len(examples))
	}
	for _, e := range examples {
		checkRules(t, strings.Fields(e[1]), e[2])
	}
}
