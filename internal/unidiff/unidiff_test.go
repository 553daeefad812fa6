package unidiff

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

func numbered(from, to int) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		fmt.Fprintf(&b, "%d\n", i)
	}
	return b.String()
}

// The expected texts are what GNU diffutils 3.8 writes for the same input with
// `diff -u --label from --label to`.
func TestAppend(t *testing.T) {
	invite := "INVITE sip:a SIP/2.0\r\nVia: x\r\nFrom: a\r\nTo: b\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n" +
		"Max-Forwards: 70\r\nContact: d\r\nContent-Length: 0\r\n\r\n"
	cases := []struct {
		name, from, to, want string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"both empty", "", "", ""},
		{"a SIP header changed, CRLF kept", invite, strings.Replace(invite, "To: b", "To: B", 1),
			"--- from\n+++ to\n@@ -1,7 +1,7 @@\n INVITE sip:a SIP/2.0\r\n Via: x\r\n From: a\r\n-To: b\r\n+To: B\r\n" +
				" Call-ID: c\r\n CSeq: 1 INVITE\r\n Max-Forwards: 70\r\n"},
		{"no newline at the end", "a\nb\nc", "a\nb\nd",
			"--- from\n+++ to\n@@ -1,3 +1,3 @@\n a\n b\n-c\n\\ No newline at end of file\n+d\n\\ No newline at end of file\n"},
		{"a newline added at the end", "a\nb", "a\nb\n",
			"--- from\n+++ to\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"},
		{"changes 2·Context apart share a hunk", numbered(1, 16),
			strings.NewReplacer("\n2\n", "\ntwo\n", "\n9\n", "\nnine\n", "\n16\n", "\nsixteen\n").Replace(numbered(1, 16)),
			"--- from\n+++ to\n@@ -1,16 +1,16 @@\n 1\n-2\n+two\n 3\n 4\n 5\n 6\n 7\n 8\n-9\n+nine\n 10\n 11\n 12\n 13\n 14\n 15\n-16\n+sixteen\n"},
		{"changes further apart get hunks of their own", numbered(1, 20),
			strings.NewReplacer("\n2\n", "\ntwo\n", "\n10\n", "\nten\n", "\n20\n", "\n").Replace(numbered(1, 20)),
			"--- from\n+++ to\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n@@ -7,7 +7,7 @@\n 7\n 8\n 9\n-10\n+ten\n 11\n 12\n 13\n" +
				"@@ -17,4 +17,3 @@\n 17\n 18\n 19\n-20\n"},
		{"everything removed", "a\nb\n", "", "--- from\n+++ to\n@@ -1,2 +0,0 @@\n-a\n-b\n"},
		{"everything added", "", "a\nb\nc", "--- from\n+++ to\n@@ -0,0 +1,3 @@\n+a\n+b\n+c\n\\ No newline at end of file\n"},
		{"one line each", "a\n", "b\n", "--- from\n+++ to\n@@ -1 +1 @@\n-a\n+b\n"},
		{"an insertion names the line before it", numbered(1, 10), strings.Replace(numbered(1, 10), "5\n", "5\nnew\n", 1),
			"--- from\n+++ to\n@@ -3,6 +3,7 @@\n 3\n 4\n 5\n+new\n 6\n 7\n 8\n"},
	}
	var d Differ
	for _, c := range cases {
		got := d.Append([]byte("prefix "), "from", "to", []byte(c.from), []byte(c.to))
		if string(got) != "prefix "+c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, "prefix "+c.want)
		}
		if err := apply(c.from, string(got[len("prefix "):])); c.want != "" && err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// apply checks that diff is a unified diff that turns from into to: every hunk's range, context
// and removed lines must match from, and the result must be to. It is a small patch(1).
func apply(from, diff string) error { _, err := patch(from, diff); return err }

func patch(from, diff string) (string, error) {
	if diff == "" {
		return from, nil
	}
	old := splitKeep(from)
	lines := splitKeep(diff)
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "--- ") || !strings.HasPrefix(lines[1], "+++ ") {
		return "", errors.New("no --- and +++ lines")
	}
	var out strings.Builder
	next := 0 // the next line of old not yet copied
	for i := 2; i < len(lines); {
		var fs, fn, ts, tn int
		if _, err := fmt.Sscanf(rangeText(lines[i]), "%d %d %d %d", &fs, &fn, &ts, &tn); err != nil {
			return "", fmt.Errorf("bad hunk line %q", lines[i])
		}
		first := fs - 1
		if fn == 0 {
			first = fs
		}
		if first < next {
			return "", fmt.Errorf("hunk %q overlaps the one before", lines[i])
		}
		for ; next < first; next++ {
			out.WriteString(old[next])
		}
		i++
		seenFrom, seenTo := 0, 0
		for i < len(lines) && !strings.HasPrefix(lines[i], "@@ ") {
			l := lines[i]
			body := l[1:]
			if i+1 < len(lines) && lines[i+1] == "\\ No newline at end of file\n" {
				body = strings.TrimSuffix(body, "\n")
				i++
			}
			switch l[0] {
			case ' ', '-':
				if next >= len(old) || old[next] != body {
					return "", fmt.Errorf("line %d of from is %q, the diff says %q", next+1, at(old, next), body)
				}
				next++
				seenFrom++
				if l[0] == ' ' {
					out.WriteString(body)
					seenTo++
				}
			case '+':
				out.WriteString(body)
				seenTo++
			default:
				return "", fmt.Errorf("bad diff line %q", l)
			}
			i++
		}
		if seenFrom != fn || seenTo != tn {
			return "", fmt.Errorf("a hunk says %d,%d lines, has %d,%d", fn, tn, seenFrom, seenTo)
		}
	}
	for ; next < len(old); next++ {
		out.WriteString(old[next])
	}
	return out.String(), nil
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end)"
}

// rangeText turns "@@ -3,6 +3 @@" into "3 6 3 1".
func rangeText(l string) string {
	l = strings.TrimSuffix(strings.TrimPrefix(l, "@@ -"), " @@\n")
	from, to, _ := strings.Cut(l, " +")
	part := func(r string) string {
		s, n, ok := strings.Cut(r, ",")
		if !ok {
			n = "1"
		}
		return s + " " + n
	}
	return part(from) + " " + part(to)
}

func splitKeep(s string) []string {
	var lines []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i+1])
		s = s[i+1:]
	}
	return lines
}

// Any two texts give a diff that patch applies to the first to get the second, and that has no
// more changed lines than the obvious script (all removed, all added).
func FuzzAppend(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nc\nd")
	f.Add(numbered(1, 30), strings.Replace(numbered(1, 30), "15\n", "", 1))
	f.Add("INVITE sip:a SIP/2.0\r\nTo: b\r\n\r\n", "INVITE sip:a SIP/2.0\r\nTo: c\r\nX: y\r\n\r\nbody")
	f.Add("\n\n\n", "\n")
	var d Differ
	f.Fuzz(func(t *testing.T, from, to string) {
		diff := d.Append(nil, "from", "to", []byte(from), []byte(to))
		if (len(diff) == 0) != (from == to) {
			t.Fatalf("diff %q for from %q, to %q", diff, from, to)
		}
		got, err := patch(from, string(diff))
		if err != nil {
			t.Fatalf("%v\nfrom %q\nto %q\ndiff:\n%s", err, from, to, diff)
		}
		if got != to {
			t.Fatalf("patched to %q, want %q; diff:\n%s", got, to, diff)
		}
	})
}

// lines returns n numbered lines, prefix0 to prefix(n-1); with every > 0, the lines whose number is a
// multiple of every begin with "changed ".
func lines(prefix string, n, every int) string {
	var b strings.Builder
	for i := range n {
		if every > 0 && i%every == 0 {
			b.WriteString("changed ")
		}
		b.WriteString(prefix + strconv.Itoa(i) + "\n")
	}
	return b.String()
}

// changedLines counts the - and + lines of a diff.
func changedLines(diff []byte) (removed, added int) {
	for _, l := range bytes.Split(diff, []byte("\n")) {
		switch {
		case bytes.HasPrefix(l, []byte("---")), bytes.HasPrefix(l, []byte("+++")):
		case bytes.HasPrefix(l, []byte("-")):
			removed++
		case bytes.HasPrefix(l, []byte("+")):
			added++
		}
	}
	return removed, added
}

// A middle of 511 lines each way fills MaxCells and gets the shortest diff; one more line and
// the middle is shown removed and added whole, still a diff that applies.
func TestMaxCells(t *testing.T) {
	var d Differ
	// The first and last lines differ, so that nothing is taken off either end.
	for _, c := range []struct {
		n            int
		wantShortest bool
	}{{511, true}, {512, false}} {
		if c.n == 511 && (c.n+1)*(c.n+1) != MaxCells {
			t.Fatalf("the test's middle does not fill MaxCells")
		}
		from := lines("l", c.n, 0)
		to := lines("l", c.n, 2) // every other line changed, the first and the last among them
		if c.n%2 == 0 {
			to = lines("l", c.n-1, 2) + "changed\n"
		}
		diff := d.Append(nil, "from", "to", []byte(from), []byte(to))
		if err := apply(from, string(diff)); err != nil {
			t.Fatalf("%d lines: %v", c.n, err)
		}
		removed, added := changedLines(diff)
		shortest := removed < c.n
		if shortest != c.wantShortest {
			t.Errorf("%d lines: %d removed, %d added; want the shortest diff: %v", c.n, removed, added, c.wantShortest)
		}
	}
}

// After the first diffs of its size, a Differ allocates nothing.
func TestAppendAllocs(t *testing.T) {
	from := []byte(lines("Header-", 40, 0))
	to := []byte(lines("Header-", 40, 7))
	var d Differ
	buf := d.Append(nil, "received", "would send", from, to)
	if n := testing.AllocsPerRun(100, func() { buf = d.Append(buf[:0], "received", "would send", from, to) }); n != 0 {
		t.Errorf("%v allocations per diff", n)
	}
}

// BenchmarkAppend is the diff of a SIP INVITE with SDP of which a rule changed one header.
func BenchmarkAppend(b *testing.B) {
	from := []byte("INVITE sip:+15551234567@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n" +
		"From: <sip:alice@example.com>;tag=1\r\nTo: <sip:+15551234567@example.com>\r\nCall-ID: c1@192.0.2.1\r\n" +
		"CSeq: 1 INVITE\r\nContact: <sip:alice@192.0.2.1>\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\n" +
		"Content-Length: 129\r\n\r\nv=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" +
		"m=audio 4000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n")
	to := bytes.Replace(from, []byte("To: <sip:+1555"), []byte("To: <sip:1555"), 1)
	var d Differ
	buf := d.Append(nil, "received", "would send", from, to)
	b.ReportAllocs()
	b.SetBytes(int64(len(from)))
	for b.Loop() {
		buf = d.Append(buf[:0], "received", "would send", from, to)
	}
}
