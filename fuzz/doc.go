// Package fuzz holds fuzz targets that drive the whole engine: arbitrary messages through the
// example chains and the reference chain. Targets of a single package (the SIP parser, the
// profile compiler, the JSON reader, data files) live next to their code. `make test` runs each
// briefly; `make fuzz FUZZTIME=10m` runs them long.
package fuzz
