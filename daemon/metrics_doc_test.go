package daemon

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/smcproject/smc/nfq"
	"github.com/smcproject/smc/runtime"
)

// metricsSection is the "## Metrics" section of docs/smcd.md.
func metricsSection(t *testing.T) string {
	t.Helper()
	doc, err := os.ReadFile("../docs/smcd.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Metrics\n")
	if !ok {
		t.Fatal(`docs/smcd.md has no "## Metrics" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	return section
}

var descPattern = regexp.MustCompile(`fqName: "([^"]+)".*variableLabels: \{([^}]*)\}`)

// Every metric smcd exports is in the table of docs/smcd.md's Metrics section, in a row that
// names each of its labels; and every value of the labels that take a fixed set (error kinds,
// limits, verdicts) is listed there.
func TestMetricsDocumented(t *testing.T) {
	section := metricsSection(t)
	rows := map[string]string{}
	for _, line := range strings.Split(section, "\n") {
		for _, m := range regexp.MustCompile("`(smc_[a-z_]+)`").FindAllStringSubmatch(line, -1) {
			rows[m[1]] += line
		}
	}
	descs := make(chan *prometheus.Desc, 64)
	collector{}.Describe(descs)
	close(descs)
	n := 0
	for d := range descs {
		m := descPattern.FindStringSubmatch(d.String())
		if m == nil {
			t.Fatalf("cannot read the descriptor %s", d)
		}
		n++
		row, ok := rows[m[1]]
		if !ok {
			t.Errorf("docs/smcd.md, Metrics, does not list %s", m[1])
			continue
		}
		for _, label := range strings.Split(m[2], ",") {
			if label != "" && !strings.Contains(row, label) {
				t.Errorf("docs/smcd.md, Metrics: the row of %s does not name its label %s:\n%s", m[1], label, row)
			}
		}
	}
	if n < 20 {
		t.Errorf("read %d descriptors; is the pattern still right?", n)
	}
	var values []string
	for _, k := range nfq.ErrKinds() {
		values = append(values, k.String())
	}
	for _, l := range nfq.Limits() {
		values = append(values, l.String())
	}
	for v := runtime.Accept; v <= runtime.Reject; v++ {
		values = append(values, v.String())
	}
	for _, v := range append(values, "single", "batch", "ok", "failed", "written", "lost_buffer_full", "lost_write_failed") {
		if !strings.Contains(section, "`"+v+"`") {
			t.Errorf("docs/smcd.md, Metrics, does not list the label value `%s`", v)
		}
	}
}

// smc_build_info names the running build, with the value 1.
func TestMetricsBuildInfo(t *testing.T) {
	d := &daemon{cfg: &Config{}, totals: nfq.NewRuleTotals()}
	d.info.Store(&[2]string{"all", "all: 1 p"})
	digest := "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	d.digest.Store(&digest)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(collector{d})
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"version": thisBuild.Version, "revision": thisBuild.RevisionLabel(), "goversion": thisBuild.GoVersion}
	for _, f := range families {
		if f.GetName() != "smc_build_info" {
			continue
		}
		if len(f.Metric) != 1 || f.Metric[0].GetGauge().GetValue() != 1 {
			t.Fatalf("smc_build_info: %v", f.Metric)
		}
		got := map[string]string{}
		for _, l := range f.Metric[0].Label {
			got[l.GetName()] = l.GetValue()
		}
		if len(got) != len(want) || got["version"] != want["version"] || got["revision"] != want["revision"] || got["goversion"] != want["goversion"] {
			t.Errorf("smc_build_info labels %v, want %v", got, want)
		}
		return
	}
	t.Error("no smc_build_info")
}
