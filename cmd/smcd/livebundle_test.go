package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smcproject/smc/compile/bundle"
)

// lookupProfile drops OPTIONS and INVITEs from the numbers of blocked.csv and tags the OPTIONS it
// passes, so that every message reads the bundle's data table.
const lookupProfile = `{"ProfileID": 6, "ProfileName": "lookup", "Rules": [
 {"MsgType": "REQUEST", "ReqMethod": "OPTIONS,INVITE", "DataFile": "blocked.csv", "DataFileBSearchIndex": 1,
  "Conditions": [{"Header": "From:", "HeaderAttr": "HEADER_SECTION_ONLY", "Macro": "GETURI_USERNAME", "Operator": "BSEARCH_EQ"}],
  "Action": "DROP_MSG"},
 {"MsgType": "REQUEST", "ReqMethod": "OPTIONS", "Action": "REPLACE_MSG",
  "ReplaceDefs": [{"ReplaceType": "ADD_LINE", "Header": "Via", "Output": "X-Looked-Up: yes"}]}]}`

// writeLookupBundle compiles lookupProfile with 50,000 blocked numbers into dir/chain.smcb and
// returns its bytes.
func writeLookupBundle(t *testing.T, dir string) []byte {
	t.Helper()
	var csv strings.Builder
	for i := range 50000 {
		fmt.Fprintf(&csv, "1555%07d\n", i*7)
	}
	profile := filepath.Join(dir, "lookup.json")
	os.WriteFile(profile, []byte(lookupProfile), 0o644)
	os.WriteFile(filepath.Join(dir, "blocked.csv"), []byte(csv.String()), 0o644)
	progs, m, diags := bundle.CompileFiles([]string{profile})
	if progs == nil {
		t.Fatal(diags)
	}
	var b bytes.Buffer
	if err := bundle.Encode(&b, progs, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// overwrite writes data over path in place, as cp, scp and editors do: the same inode, truncated
// first.
func overwrite(t *testing.T, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(data)
	f.Close()
}

// The live bundle is truncated and rewritten in place, half written, then whole but corrupt,
// while traffic that reads its data table flows (issue 16, 4). smcd runs a private, verified
// copy, so none of it reaches the running chain: the daemon stays up, every message of the flood
// is rewritten, a blocked number is still blocked, each damaged version is refused with a reason
// (and smcd check refuses the corrupt one), and the good bundle written back is reloaded, its
// digest in the log as sha256sum prints it.
func TestE2ELiveBundleOverwritten(t *testing.T) {
	tn := newTestNet(t)
	tn.queueInput(0, "udp")
	dir := t.TempDir()
	good := writeLookupBundle(t, dir)
	live := filepath.Join(dir, "chain.smcb")
	if err := os.WriteFile(live, good, 0o640); err != nil {
		t.Fatal(err)
	}
	d := tn.startSmcd("--queues", "0", "--bundle", live, "--watch", "50ms", "--metrics", "127.0.0.1:9573")
	to := netip.AddrPortFrom(tn.b4, 5060)
	const count, rate = 3000, 1500
	got := tn.receive(to, count+1, 5*time.Second)
	done := tn.flood(to, count, rate, strings.Replace(request("OPTIONS", "alice", tn.a4), "e2e-1", "flood-{n}", 1))

	time.Sleep(300 * time.Millisecond)
	overwrite(t, live, nil) // truncated: a mapped file would fault on the next lookup
	time.Sleep(300 * time.Millisecond)
	overwrite(t, live, good[:len(good)/2]) // half copied
	time.Sleep(300 * time.Millisecond)
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)-100] ^= 0x55 // in the last data section
	overwrite(t, live, corrupt)
	time.Sleep(300 * time.Millisecond)
	var out, errs bytes.Buffer
	if code := run([]string{"check", "--bundle", live}, &out, &errs); code == 0 || !strings.Contains(errs.String(), "corrupt") {
		t.Errorf("smcd check on the corrupt bundle: exit %d\n%s%s", code, out.String(), errs.String())
	}
	overwrite(t, live, good)
	done()

	tn.send(to, []byte(request("INVITE", "15550000007", tn.a4)), 0) // blocked
	ds := got()
	rewritten := 0
	for _, dg := range ds {
		if strings.Contains(string(dg.Payload), "X-Looked-Up: yes\r\n") {
			rewritten++
		}
		if strings.HasPrefix(string(dg.Payload), "INVITE") {
			t.Errorf("the blocked INVITE passed")
		}
	}
	if rewritten != count || len(ds) != count {
		t.Errorf("%d messages arrived, %d rewritten; want all %d rewritten", len(ds), rewritten, count)
	}
	time.Sleep(200 * time.Millisecond)
	sum := sha256.Sum256(good)
	if m := tn.metrics("127.0.0.1:9573"); !strings.Contains(m, `digest="`+hex.EncodeToString(sum[:])+`"`) {
		t.Errorf("smc_chain_info lacks the digest:\n%s", m)
	}
	out.Reset()
	errs.Reset() // smcd check names the same digest, for checking a fleet against the bundle rolled out
	if code := run([]string{"check", "--bundle", live}, &out, &errs); code != 0 || out.String() != "all: ok, 1 profile\ndigest: "+hex.EncodeToString(sum[:])+"\n" {
		t.Errorf("smcd check on the good bundle: exit %d\n%s%s", code, out.String(), errs.String())
	}
	d.stop(t)
	log := d.stderr.String()
	for _, want := range []string{"reload failed", "corrupt", "msg=reloaded", "digest=" + hex.EncodeToString(sum[:])} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
}
