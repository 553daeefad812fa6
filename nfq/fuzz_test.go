package nfq

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite testdata/fuzz/FuzzDecode from the test samples")

// FuzzDecode: any bytes decode or fail without panicking or allocating. A decoded packet rebuilt
// with its own payload decodes to the same packet with the same payload, and every rebuilt packet,
// with its own payload or another, has lengths and checksums that the reference checker accepts.
func FuzzDecode(f *testing.F) {
	dst := make([]byte, 0, 0x20000)
	f.Fuzz(func(t *testing.T, pkt []byte) {
		var p Packet
		allocs := testing.AllocsPerRun(1, func() {
			if Decode(pkt, &p) == nil {
				dst, _ = Rebuild(dst, pkt, &p, p.Payload)
			}
		})
		if allocs != 0 {
			t.Fatalf("%v allocations", allocs)
		}
		if Decode(pkt, &p) != nil {
			return
		}
		out, err := Rebuild(nil, pkt, &p, p.Payload)
		if err != nil {
			t.Fatalf("rebuild with the same payload: %v", err)
		}
		var q Packet
		if err := Decode(out, &q); err != nil {
			t.Fatalf("rebuilt packet does not decode: %v", err)
		}
		if !samePacket(&p, &q) || !bytes.Equal(q.Payload, p.Payload) || q.ipLen != len(out) {
			t.Fatalf("rebuilt packet decodes differently:\n%+v\n%+v", p, q)
		}
		if err := verify(out); err != nil {
			t.Fatalf("rebuilt with the same payload: %v", err)
		}
		grown := append(bytes.Clone(p.Payload), "X-Fuzz: 1\r\n"...)
		out, err = Rebuild(out, pkt, &p, grown)
		if err == ErrTooLarge {
			return
		}
		if err != nil || verify(out) != nil {
			t.Fatalf("rebuilt with a longer payload: %v %v", err, verify(out))
		}
		if err := SetDSCP(out, 46); err != nil || verify(out) != nil {
			t.Fatalf("after SetDSCP: %v %v", err, verify(out))
		}
	})
}

func samePacket(p, q *Packet) bool {
	return p.Version == q.Version && p.Src == q.Src && p.Dst == q.Dst && p.SrcPort == q.SrcPort &&
		p.DstPort == q.DstPort && p.Proto == q.Proto && p.transportOff == q.transportOff && p.payloadOff == q.payloadOff
}

// seeds are the fuzzing starting points: every sample, plus packets at each refusal Decode
// makes, so the fuzzer starts next to every branch.
func seeds() map[string][]byte {
	out := map[string][]byte{}
	for _, s := range samples() {
		out[s.name] = build(s.spec)
	}
	out["v4-first-fragment"] = build(spec{proto: ProtoUDP, payload: sipPayload, frag: 0x2000})
	out["v6-first-fragment"] = build(spec{v6: true, proto: ProtoUDP, payload: sipPayload, exts: []ext{hopByHop, firstFr}})
	out["v6-later-fragment"] = build(spec{v6: true, proto: ProtoUDP, payload: sipPayload, exts: []ext{laterFr}})
	out["v6-ah"] = build(spec{v6: true, proto: ProtoTCP, payload: sipPayload, exts: []ext{ahHeader}})
	out["v4-source-route"] = build(spec{proto: ProtoUDP, payload: sipPayload, ipOpts: []byte{1, 131, 7, 4, 10, 0, 0, 1}})
	out["v6-routing-segments-left"] = build(spec{v6: true, proto: ProtoUDP, payload: sipPayload,
		exts: []ext{{43, []byte{2, 4, 1, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7}}}})
	exts := make([]ext, maxExtensionHeaders)
	for i := range exts {
		exts[i] = destOpts
	}
	out["v6-extension-limit"] = build(spec{v6: true, proto: ProtoUDP, payload: sipPayload, exts: exts})
	padded := append(build(spec{proto: ProtoUDP, payload: sipPayload}), 0, 0, 0, 0)
	binary.BigEndian.PutUint16(padded[2:], uint16(len(padded)))
	out["v4-udp-padding"] = padded
	return out
}

// TestFuzzSeeds keeps the committed seed corpus in step with the samples: run with -update-seeds
// after changing them.
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	for name, pkt := range seeds() {
		file := filepath.Join(dir, "seed-"+name)
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", pkt)
		if *updateSeeds {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got, err := os.ReadFile(file); err != nil || string(got) != want {
			t.Errorf("%s is missing or stale (%v): run go test -run TestFuzzSeeds -update-seeds", file, err)
		}
	}
}
