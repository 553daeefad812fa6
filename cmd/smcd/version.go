package main

import "github.com/smcproject/smc/internal/buildinfo"

// thisBuild is read once, for --version and smc_build_info: it does not change while smcd runs.
var thisBuild = buildinfo.Read()
