package daemon

import (
	"bufio"
	"fmt"
	"strings"
	"testing"
)

func TestParseKernelQueues(t *testing.T) {
	in := "    0  12345     3 2 65535     7     9 1042  1\n" +
		"    5      0     0 2 65535     0     0    0  1\n" +
		"garbage\n"
	got, err := parseKernelQueues(bufio.NewScanner(strings.NewReader(in)))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != (kernelQueue{length: 3, queueDropped: 7, userDropped: 9}) || got[5] != (kernelQueue{}) {
		t.Errorf("parsed %+v", got)
	}
}

func TestParseQueues(t *testing.T) {
	for in, want := range map[string]string{"0": "[0]", "0:3": "[0 1 2 3]", "1,4,2:3": "[1 4 2 3]", "2,2": "[2]"} {
		got, err := ParseQueues(in)
		if err != nil || fmt.Sprint(got) != want {
			t.Errorf("ParseQueues(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "x", "3:1", "70000", "0:2000"} {
		if _, err := ParseQueues(bad); err == nil {
			t.Errorf("ParseQueues(%q) accepted", bad)
		}
	}
}

func TestMetricsAddressDefaultsToLoopback(t *testing.T) {
	for in, want := range map[string]string{
		"9563":           "127.0.0.1:9563",
		":9563":          "127.0.0.1:9563",
		"0.0.0.0:9563":   "0.0.0.0:9563",
		"10.0.0.5:9563":  "10.0.0.5:9563",
		"[::1]:9563":     "[::1]:9563",
		"localhost:9563": "localhost:9563",
	} {
		if got := metricsAddress(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
