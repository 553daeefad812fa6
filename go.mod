module github.com/smcproject/smc

go 1.26

require (
	github.com/florianl/go-nfqueue/v2 v2.0.2
	github.com/wasilibs/go-re2 v1.10.0
	golang.org/x/sys v0.37.0
	golang.org/x/tools v0.38.0
)

require (
	github.com/google/go-cmp v0.6.0 // indirect
	github.com/josharian/native v1.1.0 // indirect
	github.com/mdlayher/netlink v1.7.2 // indirect
	github.com/mdlayher/socket v0.4.1 // indirect
	github.com/tetratelabs/wazero v1.9.0 // indirect
	github.com/wasilibs/wazero-helpers v0.0.0-20240620070341-3dff1577cd52 // indirect
	golang.org/x/net v0.46.0 // indirect
	golang.org/x/sync v0.17.0 // indirect
)
