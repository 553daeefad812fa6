// Package unidiff writes the unified diff (the format of `diff -u`, which `patch` reads) of two
// texts, line by line. smcd's shadow mode shows with one what a chain would have done to a
// message, so a Differ works in buffers it keeps: after the first few messages, a diff allocates
// only when a message is larger than any before it.
package unidiff

import (
	"bytes"
	"strconv"
)

// Context is how many unchanged lines are shown around each change, as `diff -u` shows them.
const Context = 3

// MaxCells bounds the work of one diff. The lines the two texts share at their start and at their
// end are taken off first; the table of the longest common subsequence of the lines in between
// has one cell per pair of lines, so its size is the work. A SIP rewrite changes a few header
// lines, and the table then has a handful of cells. 2^18 two-byte cells are 512 KiB and take
// about a millisecond to fill: a middle of 511 lines each way. Past that, the middle is shown as
// removed and the new middle as added, which is a correct diff but not the shortest one.
const MaxCells = 1 << 18

// Edit operations, one per line of the script.
const (
	opSame = iota // the line is in both texts
	opDel         // the line of the first text is not in the second
	opAdd         // the line of the second text is not in the first
)

// line is one line of a text, its newline included: text[off:end].
type line struct {
	off, end int
	hash     uint64 // FNV-1a of the line, so that most comparisons are of two numbers
}

// A Differ writes unified diffs. Its buffers grow to the largest texts it has compared and are
// reused; it is not safe for concurrent use (each worker owns one).
type Differ struct {
	from, to []line
	table    []uint16 // lengths of common subsequences: (n+1) × (m+1), below MaxCells
	ops      []byte   // the edit script, one op per line
}

// Append appends to dst the unified diff that turns from into to, with the names fromName and
// toName on its --- and +++ lines, and returns it. Each hunk has Context unchanged lines around
// its changes; a last line without a newline is followed by "\ No newline at end of file", as
// `diff -u` writes it. When the texts are equal it appends nothing.
func (d *Differ) Append(dst []byte, fromName, toName string, from, to []byte) []byte {
	d.from = split(d.from[:0], from)
	d.to = split(d.to[:0], to)
	if !d.script(from, to) {
		return dst
	}
	dst = append(append(append(dst, "--- "...), fromName...), '\n')
	dst = append(append(append(dst, "+++ "...), toName...), '\n')
	return d.hunks(dst, from, to)
}

// split appends the lines of text to lines.
func split(lines []line, text []byte) []line {
	for off := 0; off < len(text); {
		end := len(text)
		if i := bytes.IndexByte(text[off:], '\n'); i >= 0 {
			end = off + i + 1
		}
		lines = append(lines, line{off: off, end: end, hash: fnv(text[off:end])})
		off = end
	}
	return lines
}

func fnv(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

// same reports whether line i of from is line j of to.
func (d *Differ) same(from, to []byte, i, j int) bool {
	a, b := d.from[i], d.to[j]
	return a.hash == b.hash && bytes.Equal(from[a.off:a.end], to[b.off:b.end])
}

// script makes the edit script into d.ops and reports whether it changes anything.
func (d *Differ) script(from, to []byte) bool {
	n, m := len(d.from), len(d.to)
	head := 0
	for head < n && head < m && d.same(from, to, head, head) {
		head++
	}
	if head == n && head == m {
		return false
	}
	tail := 0
	for tail < n-head && tail < m-head && d.same(from, to, n-1-tail, m-1-tail) {
		tail++
	}
	d.ops = appendOps(d.ops[:0], opSame, head)
	d.middle(from, to, head, n-tail, m-tail)
	d.ops = appendOps(d.ops, opSame, tail)
	return true
}

func appendOps(ops []byte, op byte, n int) []byte {
	for range n {
		ops = append(ops, op)
	}
	return ops
}

// middle appends the script of from's lines [start, fromEnd) against to's [start, toEnd): a
// longest common subsequence, or everything removed and added when that would take more than
// MaxCells.
func (d *Differ) middle(from, to []byte, start, fromEnd, toEnd int) {
	n, m := fromEnd-start, toEnd-start
	if (n+1)*(m+1) > MaxCells {
		d.ops = appendOps(appendOps(d.ops, opDel, n), opAdd, m)
		return
	}
	w := m + 1
	d.table = d.table[:0]
	d.table = append(d.table, make([]uint16, (n+1)*w)...)
	t := d.table
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if d.same(from, to, start+i, start+j) {
				t[i*w+j] = t[(i+1)*w+j+1] + 1
			} else {
				t[i*w+j] = max(t[(i+1)*w+j], t[i*w+j+1])
			}
		}
	}
	// Walk the table; on a tie the removal goes first, so that a changed line reads as its old
	// text followed by its new one, as diff writes it.
	for i, j := 0, 0; i < n || j < m; {
		switch {
		case i < n && j < m && d.same(from, to, start+i, start+j):
			d.ops = append(d.ops, opSame)
			i, j = i+1, j+1
		case i < n && (j == m || t[(i+1)*w+j] >= t[i*w+j+1]):
			d.ops = append(d.ops, opDel)
			i++
		default:
			d.ops = append(d.ops, opAdd)
			j++
		}
	}
}

// hunks appends a hunk for each group of changes of d.ops whose unchanged lines in between are at
// most 2·Context, so that hunks never overlap.
func (d *Differ) hunks(dst, from, to []byte) []byte {
	ops := d.ops
	fromLine, toLine := 0, 0 // the lines before ops[i]
	for i := 0; ; {
		j := i
		for j < len(ops) && ops[j] == opSame {
			j++
		}
		if j == len(ops) {
			return dst
		}
		start := max(i, j-Context)
		fromLine, toLine = fromLine+start-i, toLine+start-i
		end := hunkEnd(ops, j)
		dst = d.hunk(dst, from, to, ops[start:end], fromLine, toLine)
		nf, nt := counts(ops[start:end])
		fromLine, toLine, i = fromLine+nf, toLine+nt, end
	}
}

// hunkEnd returns where the hunk whose first change is ops[j] ends: Context lines after its last
// change, which is the last one before a run of more than 2·Context unchanged lines or the end.
func hunkEnd(ops []byte, j int) int {
	for {
		for j < len(ops) && ops[j] != opSame {
			j++
		}
		k := j
		for k < len(ops) && ops[k] == opSame {
			k++
		}
		if k == len(ops) || k-j > 2*Context {
			return min(j+Context, k)
		}
		j = k
	}
}

// counts returns how many lines of the first and of the second text ops cover.
func counts(ops []byte) (from, to int) {
	for _, op := range ops {
		if op != opAdd {
			from++
		}
		if op != opDel {
			to++
		}
	}
	return from, to
}

// hunk appends one hunk: its @@ line, then its lines, starting after line fromLine of from and
// toLine of to.
func (d *Differ) hunk(dst, from, to, ops []byte, fromLine, toLine int) []byte {
	nf, nt := counts(ops)
	dst = appendRange(append(dst, "@@ -"...), fromLine, nf)
	dst = appendRange(append(dst, " +"...), toLine, nt)
	dst = append(dst, " @@\n"...)
	for _, op := range ops {
		switch op {
		case opSame:
			dst = appendLine(dst, ' ', from, d.from[fromLine])
			fromLine, toLine = fromLine+1, toLine+1
		case opDel:
			dst = appendLine(dst, '-', from, d.from[fromLine])
			fromLine++
		case opAdd:
			dst = appendLine(dst, '+', to, d.to[toLine])
			toLine++
		}
	}
	return dst
}

// appendRange appends a hunk's range as diff -u writes it: the first line (1-based) and the count,
// the count left out when it is 1; an empty range names the line before it.
func appendRange(dst []byte, before, n int) []byte {
	if n == 0 {
		return append(strconv.AppendInt(dst, int64(before), 10), ",0"...)
	}
	dst = strconv.AppendInt(dst, int64(before+1), 10)
	if n != 1 {
		dst = strconv.AppendInt(append(dst, ','), int64(n), 10)
	}
	return dst
}

func appendLine(dst []byte, mark byte, text []byte, l line) []byte {
	dst = append(append(dst, mark), text[l.off:l.end]...)
	if text[l.end-1] != '\n' {
		dst = append(dst, "\n\\ No newline at end of file\n"...)
	}
	return dst
}
