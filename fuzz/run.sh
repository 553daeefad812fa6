#!/usr/bin/env bash
# fuzz/run.sh FUZZTIME [PATTERN]: runs every fuzz target of the project for FUZZTIME each (a
# go test -fuzztime value: 20s, 10m, 100000x), or only those whose "package Target" line matches
# the grep pattern PATTERN. `make fuzz-short` and `make fuzz` call it; docs/fuzzing.md describes
# the targets.
#
# `go test -fuzz` takes exactly one target per package, hence one run per line below.
#
# A run that fails with "context deadline exceeded" and writes no failing input is the Go fuzz
# coordinator's race at the end of -fuzztime (go.dev/issue/75804, fixed in Go 1.27, not in 1.26):
# no target code runs at that point. Such a run is reported and counted as passed; any other
# failure, and any failing input written, fails the whole run.
set -uo pipefail
cd "$(dirname "$0")/.."

FUZZTIME=${1:?usage: fuzz/run.sh FUZZTIME [PATTERN]}
PATTERN=${2:-.}
GO=${GO:-go}

TARGETS=(
	"runtime/sipmsg FuzzParse"
	"runtime/sip FuzzPartInHeader"
	"runtime/sip FuzzParts"
	"runtime/mime FuzzMultipart"
	"runtime/isup FuzzDecode"
	"auditlog FuzzReadFile"
	"datafile FuzzParseAddr"
	"datafile FuzzParse"
	"compile/jsonpos FuzzParse"
	"compile FuzzCompile"
	"compile/bundle FuzzParse"
	"match FuzzSeqMatch"
	"nfq FuzzDecode"
	"fuzz FuzzMachine"
	"fuzz FuzzBodies"
	"fuzz FuzzXML"
	"fuzz FuzzCompileRules"
	"fuzz FuzzDifferential"
)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
ran=0 failed=() flaked=()
for target in "${TARGETS[@]}"; do
	grep -q -- "$PATTERN" <<<"$target" || continue
	read -r pkg name <<<"$target"
	ran=$((ran + 1))
	echo "== $pkg $name ($FUZZTIME)"
	# Minimising an input takes up to a minute by default, which would eat a short run. The cap
	# is a count of runs, not a time: when a time cap runs out, the coordinator stops the worker
	# mid-run and may report it as "hung or terminated unexpectedly", with an input that passes.
	"$GO" test -run='^$' -fuzz="^$name\$" -fuzztime="$FUZZTIME" -fuzzminimizetime=500x "./$pkg" 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
	if [ "$status" = 0 ]; then
		continue
	fi
	if grep -q "context deadline exceeded" "$log" && ! grep -q "Failing input written" "$log"; then
		echo "== $pkg $name: the fuzz coordinator's end-of-run race (go.dev/issue/75804), no failing input: counted as passed"
		flaked+=("$pkg $name")
		continue
	fi
	failed+=("$pkg $name")
done

echo "== fuzz: $ran targets run for $FUZZTIME each, ${#failed[@]} failed, ${#flaked[@]} ended in the coordinator's race"
for target in "${failed[@]}"; do
	echo "FAILED: $target"
done
[ ${#failed[@]} = 0 ]
