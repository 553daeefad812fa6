package replay

import (
	"bytes"
	"strings"
	"testing"
)

// --diff shows each changed message as a unified diff headed by its packet, and a line for each
// message dropped or rejected.
func TestDiff(t *testing.T) {
	up := ipHeader{src: client4, dst: server4, id: 1, ttl: 64}
	in := capture(t, linkEthernet,
		ether(clientMAC, serverMAC, udpPacket(t, up, 4000, 4002, rtp)),
		ether(clientMAC, serverMAC, udpPacket(t, up, 5060, 5060, invite)),
		ether(clientMAC, serverMAC, udpPacket(t, up, 5060, 5060, reg)),
		ether(clientMAC, serverMAC, udpPacket(t, up, 5061, 5060, opts)))
	var diff bytes.Buffer
	replayBytes(t, in, Options{Chain: testChain(t, testProfile), Diff: &diff})
	want := `--- packet 2, as captured
+++ packet 2, after the chain
@@ -3,6 +3,7 @@
 From: <sip:alice@example.com>;tag=a
 To: <sip:bob@example.com>
 Call-ID: c1@192.0.2.10
+X-Peer: 192.0.2.10
 CSeq: 1 INVITE
 Content-Length: 37
 
packet 3: dropped: REGISTER sip:example.com SIP/2.0
packet 4: rejected with 403: OPTIONS sip:bob@example.com SIP/2.0
`
	if diff.String() != want {
		t.Errorf("diff:\n%s\nwant:\n%s", diff.String(), want)
	}
}

// Hunks keep three lines of context, merge when their contexts meet, and name an empty range by
// the line before it.
func TestHunks(t *testing.T) {
	a := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n"
	for _, tt := range []struct{ b, want string }{
		{strings.Replace(a, "2\n", "two\n", 1), "@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n"},
		{strings.Replace(strings.Replace(a, "2\n", "", 1), "13\n", "", 1),
			"@@ -1,5 +1,4 @@\n 1\n-2\n 3\n 4\n 5\n@@ -10,5 +9,4 @@\n 10\n 11\n 12\n-13\n 14\n"},
		{strings.Replace(strings.Replace(a, "2\n", "", 1), "7\n", "", 1),
			"@@ -1,10 +1,8 @@\n 1\n-2\n 3\n 4\n 5\n 6\n-7\n 8\n 9\n 10\n"},
	} {
		var w bytes.Buffer
		writeHunks(&w, diffLines(splitLines([]byte(a)), splitLines([]byte(tt.b))))
		if w.String() != tt.want {
			t.Errorf("diff to %q:\n%s\nwant:\n%s", tt.b, w.String(), tt.want)
		}
	}
	var w bytes.Buffer
	writeHunks(&w, diffLines(splitLines([]byte("1\n")), nil))
	if want := "@@ -1,1 +0,0 @@\n-1\n"; w.String() != want {
		t.Errorf("diff to nothing:\n%s\nwant:\n%s", w.String(), want)
	}
}
