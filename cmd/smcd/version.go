package main

import "github.com/smcproject/smc/internal/buildinfo"

// thisBuild is read once, for --version (the daemon reads its own for smc_build_info).
var thisBuild = buildinfo.Read()
