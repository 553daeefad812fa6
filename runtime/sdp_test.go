package runtime

import (
	"fmt"
	"strings"
	"testing"
)

// sdpOffer is an SDP offer with audio (a static, a static named by rtpmap, a dynamic payload type
// with fmtp), video with rtcp-fb lines, and a rejected audio section.
const sdpOffer = "v=0\r\n" +
	"o=- 1 1 IN IP4 192.0.2.10\r\n" +
	"s=-\r\n" +
	"c=IN IP4 192.0.2.10\r\n" +
	"t=0 0\r\n" +
	"m=audio 49170 RTP/AVP 0 18 8 101\r\n" +
	"a=rtpmap:18 G729/8000\r\n" +
	"a=fmtp:18 annexb=no\r\n" +
	"a=rtpmap:101 telephone-event/8000\r\n" +
	"a=fmtp:101 0-16\r\n" +
	"a=ptime:20\r\n" +
	"m=video 49172 RTP/AVP 96 97\r\n" +
	"a=rtpmap:96 VP8/90000\r\n" +
	"a=rtcp-fb:96 nack\r\n" +
	"a=rtcp-fb:* ccm fir\r\n" +
	"a=rtpmap:97 H264/90000\r\n" +
	"a=fmtp:97 profile-level-id=42e01f\r\n" +
	"m=audio 0 RTP/AVP 18\r\n"

// withBody is the test INVITE with another Content-Type and body.
func withBody(ctype, body string) []byte {
	in := strings.Replace(invite, "Content-Type: application/sdp", "Content-Type: "+ctype, 1)
	return []byte(strings.Replace(in, "Content-Length: 26\r\n\r\nv=0\r\nc=IN IP4 192.0.2.10\r\n",
		fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body), 1))
}

func sdpProfile(defs string) string {
	return `{"ProfileID": 1, "ProfileName": "sdp", "Rules": [{"MsgType": "REQUEST", "Action": "REPLACE_MSG", "ReplaceDefs": [` + defs + `]}]}`
}

const sdpDefs = `{"ReplaceType": "SDP_REMOVE_CODECS", "Output": "g729, Telephone-Event"},
 {"ReplaceType": "SDP_KEEP_CODECS", "Header": "m=video", "Output": "97"}`

// sdpWant is sdpOffer after sdpDefs.
const sdpWant = "v=0\r\n" +
	"o=- 1 1 IN IP4 192.0.2.10\r\n" +
	"s=-\r\n" +
	"c=IN IP4 192.0.2.10\r\n" +
	"t=0 0\r\n" +
	"m=audio 49170 RTP/AVP 0 8\r\n" +
	"a=ptime:20\r\n" +
	"m=video 49172 RTP/AVP 97\r\n" +
	"a=rtcp-fb:* ccm fir\r\n" +
	"a=rtpmap:97 H264/90000\r\n" +
	"a=fmtp:97 profile-level-id=42e01f\r\n" +
	"m=audio 0 RTP/AVP 18\r\n"

// sdpMultipart puts sdp in a multipart/mixed body after a text part and before an ISUP part.
func sdpMultipart(sdp string) string {
	return "--b\r\nContent-Type: text/plain\r\n\r\nm=audio 1 RTP/AVP 18\r\n" +
		"--b\r\nContent-Type: application/sdp\r\n\r\n" + sdp +
		"--b\r\nContent-Type: application/ISUP;version=itu-t92+\r\n\r\nm=audio 2 RTP/AVP 18\r\n--b--\r\n"
}

func TestSDPCodecs(t *testing.T) {
	tests := []struct {
		name, ctype, body, want string
	}{
		{"whole body", "application/sdp", sdpOffer, sdpWant},
		{"type parameters and case", "Application/SDP;charset=utf-8", sdpOffer, sdpWant},
		{"multipart part", "multipart/mixed;boundary=b", sdpMultipart(sdpOffer), sdpMultipart(sdpWant)},
		{"no sdp", "text/plain", sdpOffer, sdpOffer},
		{"unclosed multipart", "multipart/mixed;boundary=b", strings.TrimSuffix(sdpMultipart(sdpOffer), "--b--\r\n"), strings.TrimSuffix(sdpMultipart(sdpOffer), "--b--\r\n")},
	}
	m := NewMachine(mustChain(t, sdpProfile(sdpDefs)))
	for _, tt := range tests {
		in := withBody(tt.ctype, tt.body)
		res := m.Run(in, &testEnv)
		if want := string(withBody(tt.ctype, tt.want)); string(res.Output) != want {
			t.Errorf("%s: output\n%s\nwant\n%s", tt.name, res.Output, want)
		}
	}
}

// A section the edit would empty is left unchanged, with a warning that names it.
func TestSDPEmptySection(t *testing.T) {
	m := NewMachine(mustChain(t, sdpProfile(`{"ReplaceType": "SDP_KEEP_CODECS", "Output": "H264"}`)))
	in := withBody("application/sdp", sdpOffer)
	res := m.Run(in, &testEnv)
	want := strings.Replace(sdpOffer, "m=video 49172 RTP/AVP 96 97\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\n", "m=video 49172 RTP/AVP 97\r\n", 1)
	if string(res.Output) != string(withBody("application/sdp", want)) {
		t.Errorf("output\n%s", res.Output)
	}
	if len(res.Warnings) != 1 || res.Warnings[0].Kind != WarnSDPEmptySection ||
		string(res.Warnings[0].Text) != `SDP_KEEP_CODECS would leave no format in m=audio 49170 RTP/AVP 0 18 8 101 (msg:16): the section is left unchanged` {
		t.Errorf("warnings %+v", res.Warnings)
	}
}

// TestSDPAllocs: finding the SDP, whole or in a part, and editing its sections allocate nothing.
func TestSDPAllocs(t *testing.T) {
	m := NewMachine(mustChain(t, sdpProfile(sdpDefs+`, {"ReplaceType": "SDP_KEEP_CODECS", "Output": "nothing"}`)))
	for _, in := range [][]byte{withBody("application/sdp", sdpOffer), withBody("multipart/mixed;boundary=b", sdpMultipart(sdpOffer))} {
		m.Run(in, &testEnv)
		if n := testing.AllocsPerRun(200, func() { m.Run(in, &testEnv) }); n != 0 {
			t.Errorf("Machine.Run with SDP codec edits allocates %v times per message", n)
		}
	}
}
