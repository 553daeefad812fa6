# smc: the two commands a newcomer runs are `make demo` and `make test` (see README.md).
# Both install what they need on a fresh Debian machine (run as root).

GO        ?= go
# VCS stamps the commit into the binaries (--version, smc_build_info) whenever the build runs in a
# checkout, even where GOFLAGS says -buildvcs=false, as it does on some build machines.
VCS       := -buildvcs=auto
BIN       := bin
FUZZTIME  ?= 20s
export GOFLAGS := -mod=mod
# The Go toolchain of this project's machines lives in /usr/local/go; a shell without it on PATH
# (CI's environment, a cron job) still finds it.
export PATH := $(PATH):/usr/local/go/bin

.PHONY: all build smcc install package deps demo demo-offline test unit lint cases fuzz-short fuzz soak soak-short bench bench-compare bench-big perf perf-deps clean

all: build

# deps installs the Go toolchain when it is missing (Debian's golang-go, which then fetches the
# toolchain go.mod names through the module proxy), the tools the end-to-end tests drive (ip,
# iptables, SIPp), tshark, which reads back the captures smcc pcap writes, and what the package's
# test uses (groff and man render the manual pages, lintian checks the package, systemd-sysusers
# creates its user: the standalone one where systemd is not installed) when running as root, and
# downloads the modules.
SYSTEM_TOOLS := ip:iproute2 iptables:iptables sipp:sip-tester tshark:tshark groff:groff-base man:man-db \
  lintian:lintian systemd-sysusers:systemd-standalone-sysusers
deps:
	@command -v $(GO) >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq golang-go ca-certificates git; }
	@missing=""; for t in $(SYSTEM_TOOLS); do command -v $${t%%:*} >/dev/null 2>&1 || missing="$$missing $${t#*:}"; done; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	    else echo "not root: the end-to-end tests will skip (missing:$$missing)"; fi; \
	  fi
	@GOTOOLCHAIN=auto $(GO) mod download

build: deps
	$(GO) build $(VCS) -o $(BIN)/smcc ./cmd/smcc
	CGO_ENABLED=0 $(GO) build $(VCS) -o $(BIN)/smcd ./cmd/smcd

# smcc builds the offline tool alone: no root, no system packages, only Go and the modules.
smcc:
	$(GO) build $(VCS) -o $(BIN)/smcc ./cmd/smcc

# install puts what make build made, and what runs it under systemd, where a host looks for them:
# smcd and smcc in PREFIX/bin, their manual pages in MANDIR (written by the binaries themselves,
# smcc --man and smcd --man, from their help), the unit in UNITDIR (systemd reads
# /usr/local/lib/systemd/system as well as /usr/lib/systemd/system), the smc user's sysusers.d
# file, and the operator's documents the unit names in DOCDIR. The unit's paths are rewritten to
# follow PREFIX and DOCDIR, and SMCD_ARGS, when given, replaces the arguments of its ExecStart
# (make package gives --config /etc/smc/smcd.json). DESTDIR stages it all under another root (a
# package build, a test). It does not build: run make build first, as yourself, then make
# install as root; docs/smcd.md, "Installing", has the steps after.
PREFIX      ?= /usr/local
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= /usr/lib/sysusers.d
DOCDIR      ?= $(PREFIX)/share/doc/smc
MANDIR      ?= $(PREFIX)/share/man
SMCD_ARGS   ?=
DOCS        := docs/smcd.md docs/fleet.md docs/bundles.md docs/language.md docs/limits.md docs/semantics.md
install:
	@for f in $(BIN)/smcd $(BIN)/smcc; do \
	  [ -x $$f ] || { echo "install: no $$f; run make build first"; exit 1; }; done
	install -D -m 0755 $(BIN)/smcd $(DESTDIR)$(PREFIX)/bin/smcd
	install -D -m 0755 $(BIN)/smcc $(DESTDIR)$(PREFIX)/bin/smcc
	install -d $(DESTDIR)$(UNITDIR)
	sed -e 's|/usr/local/bin/|$(PREFIX)/bin/|g' -e 's|/usr/local/share/doc/smc/|$(DOCDIR)/|g' \
	  -e 's|/usr/local/lib/systemd/system/|$(UNITDIR)/|g' \
	  $(if $(SMCD_ARGS),-e 's|^\(ExecStart=[^ ]*\) .*|\1 $(SMCD_ARGS)|') cmd/smcd/smcd.service >$(DESTDIR)$(UNITDIR)/smcd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/smcd.service
	install -D -m 0644 cmd/smcd/smc.sysusers $(DESTDIR)$(SYSUSERSDIR)/smc.conf
	install -d $(DESTDIR)$(DOCDIR)
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8
	$(BIN)/smcc --man >$(DESTDIR)$(MANDIR)/man1/smcc.1
	$(BIN)/smcd --man >$(DESTDIR)$(MANDIR)/man8/smcd.8
	chmod 0644 $(DESTDIR)$(MANDIR)/man1/smcc.1 $(DESTDIR)$(MANDIR)/man8/smcd.8

# package builds the Debian package, DIST/smc_VERSION_ARCH.deb (DIST: dist): the binaries, built
# static and without this machine's paths, make install's files under /usr, a default
# /etc/smc/smcd.json, and the scripts that create the smc user and handle the unit. VERSION comes
# from git describe (0.0~gitYYYYMMDD.COMMIT before the first tag). packaging/deb.sh builds it;
# docs/smcd.md, "The Debian package", says what it installs and does.
DIST ?= dist
package: deps
	GO=$(GO) MAKE=$(MAKE) bash packaging/deb.sh $(DIST)

# demo: a SIPp call through smcd between two network namespaces, the INVITE shown before and
# after (root; it installs what it needs and removes everything it creates).
demo: build
	bash cmd/smcd/demo.sh

# demo-offline runs the same example chain on an INVITE with smcc, without root or packets.
demo-offline: build
	@echo "== profile: examples/demo/profile.json"
	@echo "== message before:"
	@cat examples/demo/invite.sip
	@echo "== message after (smcc run --trace):"
	@$(BIN)/smcc run --trace --time 2026-11-22T10:00:00Z --rand 7 --remote 198.51.100.33:5060 -p examples/demo/profile.json examples/demo/invite.sip

test: deps lint unit cases fuzz-short soak-short

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool unparam ./...

unit:
	$(GO) test -count=1 ./...

# cases runs the txtar suites through the smcc binary, as a user would: from the profiles and
# again through a bundle compiled from them, which must give the same results.
cases: build
	$(BIN)/smcc test --bundle testdata examples

# fuzz-short runs every fuzz target for FUZZTIME (20 s each in make test; make fuzz runs them
# for 10 minutes each). The list of targets, and how a run is judged, are in fuzz/run.sh;
# docs/fuzzing.md says what each target checks.
fuzz-short:
	GO=$(GO) bash fuzz/run.sh $(FUZZTIME)

fuzz:
	$(MAKE) fuzz-short FUZZTIME=$${FUZZTIME:-10m}

# bench runs every benchmark but the carrier-scale ones, which have their own target.
bench: deps
	$(GO) test -run='^$$' -bench=. -skip='Big' -benchmem -count=6 ./... | tee bench.txt

# bench-compare compares the reference chain's Machine benchmarks of BASE (a revision) with the
# working tree, over randomised code layouts (perf/cmd/layoutcmp says why): BASE=v0.1 make bench-compare
BASE   ?= HEAD
SEEDS  ?= 8
ROUNDS ?= 6
bench-compare: deps
	$(GO) run ./perf/cmd/layoutcmp -base $(BASE) -seeds $(SEEDS) -rounds $(ROUNDS)

# bench-big generates the carrier-scale data of issue 3 (10,000,000 numbers, 1,000,000 networks,
# 1,000,000 routing prefixes; about 430 MB, kept in BIGDIR between runs), compiles it with smcc
# compile, which prints the time and peak memory, and runs the bundle benchmarks on it: open time
# and memory, lookups, medians.
BIGDIR ?= /tmp/smc-bigdata
bench-big: build
	$(GO) run ./perf/cmd/bigdata $(BIGDIR)
	$(BIN)/smcc compile -o $(BIGDIR)/big.smcb $(BIGDIR)/profile.json
	SMC_BIG_DIR=$(BIGDIR) $(GO) test -run='^$$' -bench='Big' -benchmem -count=6 ./compile/bundle | tee bench-big.txt

# perf runs the harness of issue 6 (root, about 20 minutes): in network namespaces it creates,
# smcd with the reference chain of ../shared/bench against the kernel's queue with no consumer
# (B0), a C libnetfilter_queue loop (B1, B1m modifying, B1b batching) and a naive go-nfqueue
# consumer (B3): highest lossless rates, CPU and syscalls per packet, added latency, two queues,
# overload. It prints the table and adds it to BENCHMARKS.md as a dated section (review it before
# committing). PERF_RUNS, PERF_TRIAL (10s) and PERF_PROBE (1s) shorten a run; PERF_ARGS passes
# more flags (bin/smcperf -h).
PERF_RUNS ?= 3
PERF_ARGS ?=
perf: deps perf-deps
	$(GO) build -o $(BIN)/smcperf ./perf/cmd/smcperf
	$(BIN)/smcperf -runs $(PERF_RUNS) -benchmarks BENCHMARKS.md $(PERF_ARGS)

# soak drives smcd (root; SOAK_TIME, default 30 minutes) at 80% of its lossless rate, found first,
# on the reference chain with a mix that includes messages that are not SIP, replacing and
# reloading its bundle every 5 s: it fails unless smcd stays up, every packet reaches the sink
# behind the queue, every reload takes, and smcd's resident memory stays flat (perf/cmd/smcperf,
# soak.go); it fails too when a single packet passes without the chain (fail-open), which at 80% of
# the lossless rate only a stall can cause. soak-short is the same for 40 s with short probes, run
# by make test, at half the lossless rate: 3 s trials on this shared VM overestimate it (151,000
# against 105,000 found with 10 s trials on the same code, BENCHMARKS.md), and a smoke test must
# not fail on the estimate.
SOAK_TIME ?= 30m
soak: deps
	$(GO) build -o $(BIN)/smcperf ./perf/cmd/smcperf
	$(BIN)/smcperf -soak $(SOAK_TIME) $(PERF_ARGS)

soak-short: deps
	@if [ "$$(id -u)" != 0 ]; then echo "soak-short: skipped, needs root (network namespaces, NFQUEUE)"; exit 0; fi; \
	  if [ ! -d ../shared/bench ]; then echo "soak-short: skipped, no reference chain at ../shared/bench"; exit 0; fi; \
	  $(GO) build -o $(BIN)/smcperf ./perf/cmd/smcperf && \
	  PERF_PROBE=500ms PERF_TRIAL=3s $(BIN)/smcperf -soak 40s -soak-load 50

# perf-deps installs what the harness builds and runs besides Go: a C compiler, the
# libnetfilter_queue and libmnl headers, strace and taskset.
perf-deps:
	@missing=""; \
	  command -v cc >/dev/null 2>&1 || missing="$$missing gcc libc6-dev"; \
	  [ -f /usr/include/libnetfilter_queue/libnetfilter_queue.h ] || missing="$$missing libnetfilter-queue-dev"; \
	  [ -f /usr/include/libmnl/libmnl.h ] || missing="$$missing libmnl-dev"; \
	  command -v strace >/dev/null 2>&1 || missing="$$missing strace"; \
	  command -v taskset >/dev/null 2>&1 || missing="$$missing util-linux"; \
	  if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

clean:
	rm -rf $(BIN) $(DIST) bench.txt bench-big.txt
