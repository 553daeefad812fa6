package auditlog

import (
	"strconv"
	"testing"
	"time"

	"github.com/smcproject/smc/runtime"
)

// BenchmarkWriter measures what one writer sustains: DROP_MSG_RECORD records of a 600-byte
// INVITE, each with its own Call-ID, added as fast as the buffer takes them (a refused record is
// retried), until every one is compressed and on disk. records/s is the rate from the first Add
// to the end of Close.
func BenchmarkWriter(b *testing.B) {
	msg := []byte("INVITE sip:+15551234567@example.com;user=phone SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-74b3a1c\r\n" +
		"From: \"Caller\" <sip:+15557654321@198.51.100.7>;tag=9fxced76sl\r\n" +
		"To: <sip:+15551234567@example.com>\r\n" +
		"Call-ID: 3848276298220188511@198.51.100.7\r\nCSeq: 1 INVITE\r\n" +
		"Contact: <sip:+15557654321@198.51.100.7:5060>\r\nMax-Forwards: 70\r\n" +
		"Content-Type: application/sdp\r\nContent-Length: 142\r\n\r\n" +
		"v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n" +
		"m=audio 31000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n")
	at := len("INVITE sip:+15551234567@example.com;user=phone SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-74b3a1c\r\nFrom: \"Caller\" <sip:+15557654321@198.51.100.7>;tag=9fxced76sl\r\nTo: <sip:+15551234567@example.com>\r\nCall-ID: ")
	l, err := Open(Config{Dir: b.TempDir(), KeepFiles: -1, KeepBytes: -1})
	if err != nil {
		b.Fatal(err)
	}
	rec := &runtime.AuditRecord{Profile: 1, Rule: 0, Kind: runtime.AuditDrop, Text: msg}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	start := time.Now()
	b.ResetTimer()
	for i := range b.N {
		strconv.AppendInt(msg[at:at], int64(1_000_000_000+i), 10) // a different Call-ID each time
		for !l.Add(rec, &env) {
			time.Sleep(50 * time.Microsecond)
		}
	}
	l.Close()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
	if l.Stats.Written.Load() != uint64(b.N) {
		b.Fatalf("wrote %d of %d", l.Stats.Written.Load(), b.N)
	}
}

// Add, the part the packet path runs, does not allocate.
func TestAddAllocs(t *testing.T) {
	l, _ := Open(Config{Dir: t.TempDir()})
	defer l.Close()
	rec := record(1)
	l.Add(rec, &env)
	if n := testing.AllocsPerRun(1000, func() { l.Add(rec, &env) }); n != 0 {
		t.Errorf("Add: %v allocations", n)
	}
}
