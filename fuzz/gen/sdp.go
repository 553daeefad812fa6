package gen

import (
	"fmt"
	"strings"
)

// The SDP codec replace types (SMC-SPEC §6 "SDP codecs") and the reason phrase of a directive's
// value, added to a case after every older decision (late.go says why): an SDP_REMOVE_CODECS or
// SDP_KEEP_CODECS definition in a rule, an SDP offer in the message (several media sections with
// static and dynamic payload types, rtpmap, fmtp and rtcp-fb lines, a rejected (port 0) section,
// a non-numeric format (t38); now and then inside a multipart body beside an ISUP part, after a
// text part, or twice), a directive line with a value, and the mistakes of an SDP definition
// that both sides must refuse.

// mediaSections are whole media sections, each a list of lines.
var mediaSections = [][]string{
	{"m=audio 49170 RTP/AVP 0 8 18 101", "a=rtpmap:18 G729/8000", "a=fmtp:18 annexb=no", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16", "a=ptime:20"},
	{"m=audio 49172 RTP/SAVP 96 0 101", "a=rtpmap:96 opus/48000/2", "a=fmtp:96 useinbandfec=1", "a=rtcp-fb:96 nack", "a=rtpmap:101 TELEPHONE-EVENT/8000", "a=sendrecv"},
	{"m=video 51372 RTP/AVPF 96 97 31", "a=rtpmap:96 VP8/90000", "a=rtcp-fb:96 nack pli", "a=rtcp-fb:* ccm fir", "a=rtpmap:97 H264/90000", "a=fmtp:97 profile-level-id=42e01f", "a=rtcp-fb:97 nack"},
	{"m=audio 0 RTP/AVP 18 0", "a=rtpmap:18 G729/8000"},
	{"m=video 0/2 RTP/AVP 31"},
	{"m=image 4000 udptl t38", "a=T38FaxVersion:0"},
	{"m=audio 5004 RTP/AVP 8", "a=rtpmap:8 PCMA/8000"},
	{"m=audio 5006 RTP/AVP  9\t13 ", "a=fmtp:9 x", "a=rtpmap:13 CN/8000"},
	{"m=audio 5008 RTP/AVP 97 98", "a=rtpmap:97 speex/8000", "a=rtpmap:97 iLBC/8000", "a=fmtp:98 mode=20"},
	{"m=audio", "a=rtpmap:0 PCMU/8000"},
	{"m=text 5010 RTP/AVP 100", "a=rtpmap:100 t140/1000"},
}

// codecLists are the Outputs of the SDP types: names in any case, payload types, white space and
// empty items.
var codecLists = []string{"G729", "g729, telephone-event", "0", "PCMU,PCMA", " 101 ", "opus", "H264",
	"VP8,97", "t38", "T38, PCMU", "CN", "18,,8", "speex", "DVI4", "iLBC, 0, 8, 101", "96", "x"}

// sdpHeaders are the Headers of the SDP types; "" leaves the key out.
var sdpHeaders = []string{"", "", "m=", "m=audio", "m=video", "m=image", "m=audio 0", "m=audio 4917"}

// sdpDef writes an SDP_REMOVE_CODECS or SDP_KEEP_CODECS definition.
func (g *profileGen) sdpDef(d object, plan rulePlan) {
	if h := pick(g.source, sdpHeaders); h != "" {
		d["Header"] = h
	}
	if g.chance(4) {
		d["HeaderAttr"] = "BODY_SECTION_ONLY"
	}
	if g.chance(4) {
		d["RegEx1"] = pick(g.source, []string{"RTP/S?AVP", "^ 0", "49170", "AVPF", `\b8\b`, g.pattern()})
		if g.chance(4) {
			d["RegEx2"] = g.pattern()
		}
	}
	d["Output"] = pick(g.source, codecLists)
	if g.chance(6) {
		d["Output"] = pick(g.source, codecLists) + "," + g.reference(plan)
	}
}

// sdpBody is an SDP offer of one to four media sections, or that offer in a multipart body; it
// returns the Content-Type that says which.
func (s *source) sdpBody(eol string) (ctype, body string) {
	var lines []string
	lines = append(lines, "v=0", "o=- 20518 0 IN IP4 203.0.113.1", "s=-", "c=IN IP4 192.0.2.10", "t=0 0")
	for n := s.between(1, 4); n > 0; n-- {
		lines = append(lines, pick(s, mediaSections)...)
	}
	sdp := strings.Join(lines, eol) + eol
	switch s.intn(6) {
	case 0:
		return "multipart/mixed;boundary=b1", "--b1" + eol + "Content-Type: application/sdp" + eol + eol + sdp +
			"--b1" + eol + "Content-Type: application/ISUP;version=itu-t92+" + eol + eol + "m=audio 1 RTP/AVP 0" + eol + "--b1--" + eol
	case 1:
		return "multipart/mixed; boundary=\"b2\"", "--b2" + eol + "Content-Type: text/plain" + eol + eol + "m=audio 2 RTP/AVP 0 18" + eol +
			"--b2" + eol + "Content-Type: Application/SDP" + eol + eol + sdp + "--b2" + eol + "Content-Type: application/sdp" + eol + eol + sdp + "--b2--" + eol
	case 2:
		return "multipart/mixed;boundary=b3", "--b3" + eol + "Content-Type: application/sdp" + eol + sdp + "--b3--" + eol // no empty line: no content
	case 3:
		return "text/plain", sdp
	}
	return pick(s, []string{"application/sdp", "application/SDP; charset=utf-8"}), sdp
}

// reasonLines are directive lines with values: reason phrases RFC 3261 allows, and values it does
// not (which give the standard phrase).
var reasonLines = []string{"Sansay-SMC-RejectCall403: Caller Blocked", "Sansay-SMC-RejectCall486:  \t",
	"Sansay-SMC-BlockMedia: 50%25 <off>", "Sansay-SMC-RejectCall480: 100%", "Sansay-SMC-RejectCall404: Ünknown; reason=x",
	"Sansay-SMC-RejectCall603: a\r\n b", "Sansay-SMC-RejectCall499: Policy (7)", "Sansay-SMC-RejectCall488: \xff"}

// sdpFlaws are the mistakes of an SDP definition that the spec makes compile errors.
var sdpFlaws = []struct {
	name string
	def  object
}{
	{"SDP_REMOVE_CODECS without Output", object{"ReplaceType": "SDP_REMOVE_CODECS"}},
	{"SDP_KEEP_CODECS with no codec", object{"ReplaceType": "SDP_KEEP_CODECS", "Output": " , "}},
	{"SDP_REMOVE_CODECS on header lines", object{"ReplaceType": "SDP_REMOVE_CODECS", "HeaderAttr": "HEADER_SECTION_ONLY", "Output": "G729"}},
	{"SDP_KEEP_CODECS on a=rtpmap lines", object{"ReplaceType": "SDP_KEEP_CODECS", "Header": "a=rtpmap", "Output": "G729"}},
}

// varySDP makes the SDP and reason phrase variations of a case whose profiles' trees are trees.
func (s *source) varySDP(c *Case, trees []object, msg []byte) []byte {
	for n := s.intn(3); n > 0; n-- {
		i := s.intn(len(trees))
		if i+1 == c.Flawed {
			continue
		}
		rules := trees[i]["Rules"].([]any)
		r := rules[s.intn(len(rules))].(object)
		g := &profileGen{source: s}
		d := object{"ReplaceType": pick(s, []string{"SDP_REMOVE_CODECS", "SDP_KEEP_CODECS"})}
		g.sdpDef(d, rulePlan{})
		addDef(d)(s, trees[i], r)
	}
	if !s.chance(4) {
		msg = s.withSDP(msg)
	}
	if i := s.intn(len(trees)); s.chance(6) && i+1 != c.Flawed {
		rules := trees[i]["Rules"].([]any)
		d := object{"ReplaceType": "ADD_LINE", "Header": pick(s, []string{"Call-ID", "TOPLINE", "v="}), "Output": pick(s, reasonLines)}
		if d["Header"] == "v=" {
			d["HeaderAttr"] = "BODY_SECTION_ONLY" // a directive in the body
		}
		addDef(d)(s, trees[i], rules[s.intn(len(rules))].(object))
	}
	if c.Flawed == 0 && s.chance(24) {
		f := pick(s, sdpFlaws)
		c.Flawed = s.intn(len(trees)) + 1
		c.Flaw = f.name
		rules := trees[c.Flawed-1]["Rules"].([]any)
		addDef(f.def)(s, trees[c.Flawed-1], rules[s.intn(len(rules))].(object))
	}
	return msg
}

// withSDP gives a message an SDP body: a Content-Type and a Content-Length right after the start
// line (the first of each counts), and the offer in place of the body. A message with no empty
// line after its headers is left as it is.
func (s *source) withSDP(msg []byte) []byte {
	text := string(msg)
	eol := "\r\n"
	sep := strings.Index(text, "\r\n\r\n")
	if lf := strings.Index(text, "\n\n"); lf >= 0 && (sep < 0 || lf < sep) {
		eol, sep = "\n", lf
	}
	first := strings.Index(text, eol)
	if sep < 0 || first < 0 {
		return msg
	}
	ctype, body := s.sdpBody(eol)
	head := text[:first+len(eol)] + pick(s, []string{"Content-Type: ", "c: "}) + ctype + eol +
		fmt.Sprintf("Content-Length: %d", len(body)) + eol + text[first+len(eol):sep+len(eol)]
	return []byte(head + eol + body)
}
