module github.com/smcproject/smc

go 1.26

require (
	github.com/florianl/go-nfqueue/v2 v2.0.2
	github.com/gopacket/gopacket v1.3.1
	github.com/klauspost/compress v1.18.0
	github.com/mdlayher/netlink v1.7.2
	github.com/montanaflynn/stats v0.7.1
	github.com/prometheus/client_golang v1.20.5
	github.com/wasilibs/go-re2 v1.10.0
	golang.org/x/sys v0.37.0
	golang.org/x/tools v0.38.0
)

require (
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/google/go-cmp v0.6.0 // indirect
	github.com/josharian/native v1.1.0 // indirect
	github.com/mdlayher/socket v0.4.1 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/prometheus/client_model v0.6.1 // indirect
	github.com/prometheus/common v0.55.0 // indirect
	github.com/prometheus/procfs v0.15.1 // indirect
	github.com/tetratelabs/wazero v1.9.0 // indirect
	github.com/wasilibs/wazero-helpers v0.0.0-20240620070341-3dff1577cd52 // indirect
	golang.org/x/mod v0.29.0 // indirect
	golang.org/x/net v0.46.0 // indirect
	golang.org/x/sync v0.17.0 // indirect
	google.golang.org/protobuf v1.34.2 // indirect
	mvdan.cc/unparam v0.0.0-20251027182757-5beb8c8f8f15 // indirect
)

tool mvdan.cc/unparam
