package smctest

import (
	"bytes"
	"strconv"
	"strings"
)

// LineDiff shows how got differs from want, line by line, with each line quoted so that line
// endings and invisible characters show. It uses the longest common subsequence, which is fine
// for SIP messages of a few dozen lines.
func LineDiff(want, got []byte) string {
	a, b := splitKeepEOL(want), splitKeepEOL(got)
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var sb strings.Builder
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			sb.WriteString("  " + strconv.Quote(a[i]) + "\n")
			i, j = i+1, j+1
		case j < len(b) && (i == len(a) || lcs[i][j+1] >= lcs[i+1][j]):
			sb.WriteString("+ " + strconv.Quote(b[j]) + "\n")
			j++
		default:
			sb.WriteString("- " + strconv.Quote(a[i]) + "\n")
			i++
		}
	}
	return strings.TrimSuffix(sb.String(), "\n")
}

func splitKeepEOL(b []byte) []string {
	var lines []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			lines = append(lines, string(b))
			break
		}
		lines = append(lines, string(b[:i+1]))
		b = b[i+1:]
	}
	return lines
}
