package replay

import (
	"bytes"
	"fmt"
	"io"

	"github.com/smcproject/smc/runtime"
)

// With --diff, every message the chain changed is shown as a unified diff (the format of diff -u
// and git, which reviewers read without thinking), headed by the number of the packet that carried
// it; a dropped or rejected message gets a line with its start line.

// diffContext is the number of unchanged lines shown around a change, as diff -u shows.
const diffContext = 3

// writeDiff writes what the chain did to msg, carried by packet num, to w.
func writeDiff(w io.Writer, num int, msg []byte, res *runtime.Result) {
	switch res.Verdict {
	case runtime.Modified:
		fmt.Fprintf(w, "--- packet %d, as captured\n+++ packet %d, after the chain\n", num, num)
		writeHunks(w, diffLines(splitLines(msg), splitLines(res.Output)))
	case runtime.Drop:
		fmt.Fprintf(w, "packet %d: dropped: %s\n", num, firstLine(msg))
	case runtime.Reject:
		fmt.Fprintf(w, "packet %d: rejected with %d: %s\n", num, res.Code, firstLine(msg))
	}
}

func firstLine(b []byte) []byte {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r"))
}

// splitLines splits b after each LF, keeping the endings, so that a changed ending is a change.
func splitLines(b []byte) [][]byte {
	var lines [][]byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n') + 1
		if i == 0 {
			i = len(b)
		}
		lines = append(lines, b[:i])
		b = b[i:]
	}
	return lines
}

// An edit is one line of an edit script: kept (' '), removed ('-') or added ('+').
type edit struct {
	op   byte
	line []byte
}

// diffLines returns an edit script from a to b: the longest common subsequence of their lines,
// found by dynamic programming over what is left once the common first and last lines are set
// aside. A rule changes a few lines of a message of at most sipmsg.MaxLines, so the table is small.
func diffLines(a, b [][]byte) []edit {
	pre := 0
	for pre < len(a) && pre < len(b) && bytes.Equal(a[pre], b[pre]) {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && bytes.Equal(a[len(a)-1-suf], b[len(b)-1-suf]) {
		suf++
	}
	var script []edit
	for _, l := range a[:pre] {
		script = append(script, edit{' ', l})
	}
	script = append(script, lcsEdits(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for _, l := range a[len(a)-suf:] {
		script = append(script, edit{' ', l})
	}
	return script
}

func lcsEdits(a, b [][]byte) []edit {
	n, m := len(a), len(b)
	lcs := make([]int, (n+1)*(m+1)) // lcs[i*(m+1)+j]: of a[i:] and b[j:]
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if bytes.Equal(a[i], b[j]) {
				lcs[i*(m+1)+j] = lcs[(i+1)*(m+1)+j+1] + 1
			} else {
				lcs[i*(m+1)+j] = max(lcs[(i+1)*(m+1)+j], lcs[i*(m+1)+j+1])
			}
		}
	}
	var script []edit
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && bytes.Equal(a[i], b[j]):
			script = append(script, edit{' ', a[i]})
			i, j = i+1, j+1
		case i < n && (j == m || lcs[(i+1)*(m+1)+j] >= lcs[i*(m+1)+j+1]):
			script = append(script, edit{'-', a[i]})
			i++
		default:
			script = append(script, edit{'+', b[j]})
			j++
		}
	}
	return script
}

// writeHunks writes the changes of script with diffContext lines around each, in hunks headed
// "@@ -start,count +start,count @@".
func writeHunks(w io.Writer, script []edit) {
	for start := 0; start < len(script); {
		first := nextChange(script, start)
		if first == len(script) {
			return
		}
		from := max(first-diffContext, start)
		to := first
		for to < len(script) {
			next := nextChange(script, to+1)
			if next == len(script) || next-to > 2*diffContext {
				break
			}
			to = next
		}
		to = min(to+diffContext+1, len(script))
		writeHunk(w, script, from, to)
		start = to
	}
}

func nextChange(script []edit, i int) int {
	for i < len(script) && script[i].op == ' ' {
		i++
	}
	return i
}

func writeHunk(w io.Writer, script []edit, from, to int) {
	aStart, bStart := 1, 1
	for _, e := range script[:from] {
		aStart += b2i(e.op != '+')
		bStart += b2i(e.op != '-')
	}
	aLen, bLen := 0, 0
	for _, e := range script[from:to] {
		aLen += b2i(e.op != '+')
		bLen += b2i(e.op != '-')
	}
	if aLen == 0 {
		aStart-- // an empty range is named by the line before it, as diff -u does
	}
	if bLen == 0 {
		bStart--
	}
	fmt.Fprintf(w, "@@ -%d,%d +%d,%d @@\n", aStart, aLen, bStart, bLen)
	for _, e := range script[from:to] {
		line := bytes.TrimSuffix(bytes.TrimSuffix(e.line, []byte("\n")), []byte("\r"))
		fmt.Fprintf(w, "%c%s\n", e.op, line)
		if !bytes.HasSuffix(e.line, []byte("\n")) {
			fmt.Fprintln(w, `\ No newline at end of message`)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
