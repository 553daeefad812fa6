package daemon

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/smcproject/smc/auditlog"
	"github.com/smcproject/smc/nfq"
)

// shadowProfile tags OPTIONS and rejects INVITEs from 666 with 403.
const shadowProfile = `{"ProfileID": 7, "ProfileName": "shadow", "Rules": [
 {"MsgType": "REQUEST", "ReqMethod": "OPTIONS", "Action": "REPLACE_MSG",
  "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Via", "Output": "X-New: rules"}]},
 {"MsgType": "REQUEST", "ReqMethod": "INVITE",
  "Conditions": [{"Header": "From", "Macro": "GETURI_USERNAME", "Operator": "EQ", "RightOperand": "666"}],
  "Action": "REPLACE_MSG", "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Via", "Output": "Sansay-SMC-RejectCall403: fraud"}]}
]}`

func writeShadowProfile(t *testing.T, dir string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "p.json"), []byte(shadowProfile), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A binding's "Shadow": true makes that binding a shadow one; the file's top-level "Shadow" and
// --shadow make every binding one, the command line winning over the file. smcd check says which.
func TestConfigShadow(t *testing.T) {
	dir := t.TempDir()
	writeShadowProfile(t, dir)
	text := `{"Queues": "0", %s"Bindings": [
  {"Name": "trial", "Peers": ["192.0.2.0/24"], "Profiles": ["p.json"], "Shadow": true},
  {"Name": "live", "Profiles": ["p.json"]}]}`
	for _, c := range []struct {
		name  string
		top   string
		given map[string]bool
		flag  bool // --shadow
		want  string
	}{
		{"one binding", "", nil, false, "trial: ok, 1 profile, shadow\nlive: ok, 1 profile\n"},
		{"the file's Shadow", `"Shadow": true, `, nil, false, "trial: ok, 1 profile, shadow\nlive: ok, 1 profile, shadow\n"},
		{"--shadow", "", map[string]bool{"shadow": true}, true, "trial: ok, 1 profile, shadow\nlive: ok, 1 profile, shadow\n"},
		{"--shadow=false wins over the file's", `"Shadow": true, `, map[string]bool{"shadow": true}, false, "trial: ok, 1 profile, shadow\nlive: ok, 1 profile\n"},
	} {
		path := filepath.Join(dir, "smcd.json")
		if err := os.WriteFile(path, []byte(strings.Replace(text, "%s", c.top, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := Config{Shadow: c.flag}
		if err := ReadConfigFile(path, &cfg, c.given); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var out bytes.Buffer
		err := Check(cfg, &out)
		checked, _, _ := strings.Cut(out.String(), "digest: ") // the digest line: cmd/smcd TestE2ELiveBundleOverwritten
		if err != nil || checked != c.want {
			t.Errorf("%s: smcd check says\n%s(%v), want\n%s", c.name, out.String(), err, c.want)
		}
	}
	for _, c := range []struct{ text, want string }{
		{`{"Queues": "0", "Bindings": [{"Bundle": "a.smcb", "Shadow": "yes"}]}`, `:1:61: Shadow must be true or false`},
		{`{"Queues": "0", "Shadow": 1, "Bindings": [{"Bundle": "a.smcb"}]}`, `:1:27: Shadow must be true or false`},
	} {
		path := writeConfig(t, c.text)
		if err := ReadConfigFile(path, &Config{}, nil); err == nil || !strings.Contains(err.Error(), path+c.want) {
			t.Errorf("%s:\nerror %v\nwant %s%s", c.text, err, path, c.want)
		}
	}
}

// A reload reads which bindings are shadow ones again, so that the switch from shadow to live is
// a change of the file and a SIGHUP; the log names the shadow bindings.
func TestReloadSwitchesShadow(t *testing.T) {
	dir := t.TempDir()
	writeShadowProfile(t, dir)
	shadow := true
	reread := func() (Config, error) {
		return Config{Bindings: []Binding{{Name: "trial", Profiles: []string{filepath.Join(dir, "p.json")}, Shadow: shadow}}}, nil
	}
	first, _ := reread()
	var logs bytes.Buffer
	first.Log, first.Reread = slog.New(slog.NewTextHandler(&logs, nil)), reread
	l, err := load(&first, 0)
	if err != nil {
		t.Fatal(err)
	}
	d := &daemon{cfg: &first, log: first.Log, ref: nfq.NewChainSetRef(l.set), current: l}
	if !d.ref.Load().Bindings[0].Shadow {
		t.Fatal("the binding does not start in shadow")
	}
	shadow = false
	if err := d.reload("test"); err != nil {
		t.Fatal(err)
	}
	if d.ref.Load().Bindings[0].Shadow {
		t.Error("the reload left the binding in shadow")
	}
	shadow = true
	if err := d.reload("test"); err != nil {
		t.Fatal(err)
	}
	if !d.ref.Load().Bindings[0].Shadow || !strings.Contains(logs.String(), "msg=reloaded why=test bindings=trial") ||
		!strings.Contains(logs.String(), "shadow=trial\n") {
		t.Errorf("after the reload back: shadow %v; log:\n%s", d.ref.Load().Bindings[0].Shadow, logs.String())
	}
	if !strings.Contains(logs.String(), "shadow bindings without --audit-dir") {
		t.Errorf("no warning that nothing is recorded:\n%s", logs.String())
	}
	d.current.close()
}

// Through the daemon's audit log: a shadow binding's rewrite and reject are written as one record
// each, of kind shadow, with the verdict and the diff or the response, read back as smcc audit
// cat reads them; the metrics count the verdicts the chain would have given.
func TestShadowRecordsAndMetrics(t *testing.T) {
	dir := t.TempDir()
	writeShadowProfile(t, dir)
	cfg := &Config{Queues: []uint16{0}, Shadow: true,
		Bindings: []Binding{{Name: "all", Profiles: []string{filepath.Join(dir, "p.json")}}}}
	l, err := load(cfg, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	audit, err := auditlog.Open(auditlog.Config{Dir: filepath.Join(dir, "audit")})
	if err != nil {
		t.Fatal(err)
	}
	request := func(method, from string) []byte {
		return []byte(method + " sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n" +
			"From: <sip:" + from + "@example.com>;tag=a\r\nTo: <sip:bob@example.com>\r\nCall-ID: c1\r\n" +
			"CSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n")
	}
	src := &listSource{packets: [][]byte{udp4(request("OPTIONS", "alice")), udp4(request("INVITE", "666")), udp4(request("INVITE", "alice"))}}
	d := &daemon{cfg: cfg, log: slog.New(slog.DiscardHandler), totals: nfq.NewRuleTotals(), audit: audit}
	d.info.Store(&[2]string{"all", "all: 7 shadow"})
	w := nfq.NewWorker(src, nfq.NewChainSetRef(l.set), nil, nil)
	w.Audit = audit
	d.workers = []*nfq.Worker{w}
	for range src.packets {
		if err := w.Step(); err != nil {
			t.Fatal(err)
		}
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(collector{d})
	got := gatherCounters(t, reg)
	for name, want := range map[string]float64{
		`smc_shadow_verdicts_total{verdict="accept"}`:   1,
		`smc_shadow_verdicts_total{verdict="modified"}`: 1,
		`smc_shadow_verdicts_total{verdict="drop"}`:     0,
		`smc_shadow_verdicts_total{verdict="reject"}`:   1,
		`smc_verdicts_total{verdict="accept"}`:          3,
		`smc_verdicts_total{verdict="modified"}`:        0,
		`smc_verdicts_total{verdict="reject"}`:          0,
		`smc_responses_total`:                           0,
	} {
		if v, ok := got[name]; !ok || v != want {
			t.Errorf("%s = %v (exported %v), want %v", name, v, ok, want)
		}
	}
	audit.Close()

	type record struct {
		Profile   int64
		Rule      int
		Kind      string
		Remote    string
		Transport string
		Text      string
	}
	var recs []record
	files, _ := auditlog.List(filepath.Join(dir, "audit"))
	for _, f := range files {
		if _, _, err := auditlog.NewReader().ReadFile(f, 0, func(line []byte) error {
			var r record
			err := json.Unmarshal(line, &r)
			recs = append(recs, r)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	wantRecs := []record{
		{7, 0, "shadow", "192.0.2.1:5060", "UDP", "verdict: modified\n--- received\n+++ would send\n@@ -1,5 +1,6 @@\n" +
			" OPTIONS sip:bob@example.com SIP/2.0\r\n Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n+X-New: rules\r\n" +
			" From: <sip:alice@example.com>;tag=a\r\n To: <sip:bob@example.com>\r\n Call-ID: c1\r\n"},
		{7, 1, "shadow", "192.0.2.1:5060", "UDP", "verdict: reject 403\nSIP/2.0 403 fraud\r\n" +
			"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\nFrom: <sip:666@example.com>;tag=a\r\n" +
			"To: <sip:bob@example.com>;tag=smc228ccf8e\r\n" +
			"Call-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"},
	}
	if len(recs) != len(wantRecs) {
		t.Fatalf("%d records: %+v", len(recs), recs)
	}
	for i := range recs {
		if recs[i] != wantRecs[i] {
			t.Errorf("record %d:\n%+v\nwant\n%+v", i, recs[i], wantRecs[i])
		}
	}
}

// gatherCounters returns the counters reg exports by name and labels, the queue label left out.
func gatherCounters(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			name := f.GetName()
			for _, l := range m.GetLabel() {
				if l.GetName() != "queue" {
					name += fmt.Sprintf("{%s=%q}", l.GetName(), l.GetValue())
				}
			}
			got[name] = m.GetCounter().GetValue()
		}
	}
	return got
}
