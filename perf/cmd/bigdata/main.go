// Command bigdata writes the generated data files of the bundle benchmarks into a folder:
// numbers.csv (10,000,000 E.164 numbers with two more columns) and networks.csv (1,000,000 IPv4
// and IPv6 networks), and profile.json, which uses both. Files already there are kept.
//
//	go run ./perf/cmd/bigdata DIR
package main

import (
	"fmt"
	"os"

	"github.com/smcproject/smc/perf/bigdata"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: bigdata DIR")
		os.Exit(2)
	}
	f, err := bigdata.Ensure(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bigdata:", err)
		os.Exit(1)
	}
	fmt.Println(f.Numbers)
	fmt.Println(f.Networks)
	fmt.Println(f.Profile)
}
