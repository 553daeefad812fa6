// Package datafile loads the CSV data files of SMC rules (SMC-SPEC §7) into flat tables and answers
// the BSEARCH and IP_LOOKUP conditions against them without allocating: exact keys through a hash
// index (the first row in file order, as the binary search the language describes would find),
// addresses through sorted, non-overlapping ranges, the longest key that is a prefix of a number
// through the exact index, probed at each key length that a Bloom filter of the keys lets through.
//
// A data file is read once, when a profile is compiled. Parse copies every field, unescaped, into
// one byte slice and records where each field, row and source line starts in integer offset
// arrays; indexes are arrays of hash slots and range starts. Nothing holds a string or a pointer
// per row, so the same layout can later be backed by the bytes of a memory-mapped file instead of
// the heap, and the garbage collector has a handful of objects to scan however large the file is.
//
// The pieces, in the order a rule uses them:
//
//	Parse, Load      CSV → *Table           (csv.go, table.go)
//	Table.Index      column → *Index        exact or ASCII-case-folded key lookup (index.go)
//	Table.Networks   column → *Networks     longest-prefix match of IP addresses (networks.go)
//	Table.Prefixes   column → *Prefixes     the longest key that is a prefix of a text (prefix.go)
//	AddrFromText     selected text → Addr   the address an IP_LOOKUP reads (addr.go)
//
// Tables and indexes are immutable once built and safe to share between goroutines.
package datafile
