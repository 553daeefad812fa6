package main

import (
	"testing"

	"github.com/smcproject/smc/compile"
	"github.com/smcproject/smc/runtime"
)

// mustChain links programs into a chain, or ends the test.
func mustChain(t testing.TB, progs ...*compile.Program) *runtime.Chain {
	t.Helper()
	chain, err := runtime.NewChain(progs...)
	if err != nil {
		t.Fatal(err)
	}
	return chain
}
