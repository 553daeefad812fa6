#!/usr/bin/env bash
# make demo: a SIPp call through smcd between two network namespaces, with the INVITE shown as the
# caller sent it and as the callee received it. Needs root; `make demo` installs what it needs
# (iproute2, iptables, sip-tester) and builds bin/smcd. Everything it creates is removed on exit,
# whatever happens. Traffic stays between 10.231.250.1 and 10.231.250.2, inside the namespaces.
set -euo pipefail
cd "$(dirname "$0")/../.."

A=smcdemo-a B=smcdemo-b
ADDR_A=10.231.250.1 ADDR_B=10.231.250.2
WORK=$(mktemp -d /tmp/smcdemo.XXXXXX)
SMCD_PID=

cleanup() {
	[ -n "$SMCD_PID" ] && kill "$SMCD_PID" 2>/dev/null && wait "$SMCD_PID" 2>/dev/null
	ip netns del "$A" 2>/dev/null || true
	ip netns del "$B" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ]; then
	echo "make demo needs root: it creates network namespaces and an NFQUEUE rule" >&2
	exit 1
fi

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "two namespaces joined by a veth pair: caller $ADDR_A ($A), callee $ADDR_B ($B)"
ip netns del "$A" 2>/dev/null || true
ip netns del "$B" 2>/dev/null || true
ip netns add "$A"
ip netns add "$B"
ip link add smcdemo-va netns "$A" type veth peer name smcdemo-vb netns "$B"
ip -n "$A" addr add "$ADDR_A/24" dev smcdemo-va
ip -n "$B" addr add "$ADDR_B/24" dev smcdemo-vb
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
ip -n "$A" link set smcdemo-va up
ip -n "$B" link set smcdemo-vb up

step "the NFQUEUE rules in $B, as 'smcd rules' prints them"
bin/smcd rules --format iptables --role server --queues 0 --transports udp | grep '^iptables ' | while read -r rule; do
	echo "$rule"
	ip netns exec "$B" sh -c "$rule"
done

step "smcd on queue 0 with examples/demo/profile.json"
ip netns exec "$B" bin/smcd --queues 0 -p examples/demo/profile.json 2>"$WORK/smcd.log" &
SMCD_PID=$!
for _ in $(seq 50); do grep -q 'msg=started' "$WORK/smcd.log" && break; sleep 0.1; done
cat "$WORK/smcd.log"

step "a SIPp call from $A to $B (INVITE sip:01155512345@$ADDR_B)"
(cd "$WORK" && exec ip netns exec "$B" sipp -sn uas -i "$ADDR_B" -p 5060 -m 1 -nostdin \
	-trace_msg -message_file "$WORK/uas.log" -timeout 20s >"$WORK/uas.out" 2>&1) &
UAS_PID=$!
sleep 0.3
(cd "$WORK" && ip netns exec "$A" sipp -sn uac -s 01155512345 "$ADDR_B:5060" -i "$ADDR_A" -p 5070 -m 1 -nostdin \
	-trace_msg -message_file "$WORK/uac.log" -timeout 20s -timeout_error >"$WORK/uac.out" 2>&1) || { tail -30 "$WORK/uac.out"; cat "$WORK/smcd.log"; exit 1; }
wait "$UAS_PID" || true
echo "call completed"

# first_invite prints the first INVITE of a SIPp message log.
first_invite() {
	awk '/^INVITE /{on=1} on{ if ($0 ~ /^\r?$/ && seen) exit; print; if ($0 ~ /^Content-Length/) seen=1 }' "$1" | tr -d '\r'
}

step "the INVITE as the caller sent it"
first_invite "$WORK/uac.log"
step "the INVITE as the callee received it, after smcd"
first_invite "$WORK/uas.log"

step "done: namespaces, rules and smcd are removed"
