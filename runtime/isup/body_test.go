package isup

import (
	"strings"
	"testing"

	"github.com/smcproject/smc/runtime/mime"
)

func TestDecodeBody(t *testing.T) {
	itu, ansi := string(guideIAM(ITU).bytes()), string(guideIAM(ANSI).bytes())
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	sdp := "v=0\nc=IN IP4 192.0.2.1\n"
	guide := values{true, "00", "6001", "10", "5550001111", "5551234567", "555123", "62"}
	tests := []struct {
		name, ctype, body string
		want              values
		part              int
		version           string
		err               error
	}{
		{name: "whole body", ctype: "application/ISUP;version=itu-t92+", body: itu, want: guide, version: "itu-t92+"},
		{name: "whole body, ANSI, lower case, spaces", ctype: "application/isup; version=ansi88; base=ansi88", body: ansi, want: guide, version: "ansi88"},
		{name: "whole body, no version: ITU", ctype: "Application/Isup", body: itu, want: guide},
		// The user service information pointer is read as the transmission medium requirement, and
		// since pointers count from themselves, the next two still land where they should.
		{name: "whole body, ANSI bytes read as ITU", ctype: "application/isup", body: ansi, want: guide},
		{name: "SIP-I multipart, CRLF", ctype: "multipart/mixed;boundary=unique-boundary-1",
			body: crlf("--unique-boundary-1\nContent-Type: application/sdp\n\n"+sdp+"--unique-boundary-1\nContent-Type: application/ISUP;version=itu-t92+\nContent-Disposition: signal;handling=optional\n\n") + itu + crlf("\n--unique-boundary-1--\n"),
			want: guide, part: 2, version: "itu-t92+"},
		{name: "SIP-T multipart, LF, quoted boundary, preamble, epilogue, ISUP first", ctype: `multipart/mixed; boundary="sonus content delim"`,
			body: "preamble\n--sonus content delim\nContent-Type: application/isup; version=\"ansi00\"\nContent-Length: 35\n\n" + ansi + "\n--sonus content delim\nContent-Type: application/sdp\n\n" + sdp + "\n--sonus content delim--\nepilogue\n",
			want: guide, part: 1, version: "ansi00"},
		{name: "the first of two ISUP parts", ctype: "multipart/mixed;boundary=b",
			body: "--b\r\nContent-Type: application/isup;version=ansi92\r\n\r\n" + ansi + "\r\n--b\r\nContent-Type: application/isup\r\n\r\n" + itu + "\r\n--b--\r\n",
			want: guide, part: 1, version: "ansi92"},
		{name: "ISUP part, binary encoding", ctype: "multipart/mixed;boundary=b",
			body: "--b\r\nContent-Type: application/isup\r\nContent-Transfer-Encoding: Binary\r\n\r\n" + itu + "\r\n--b--\r\n", want: guide, part: 1},
		{name: "ISUP part, base64", ctype: "multipart/mixed;boundary=b",
			body: "--b\r\nContent-Type: application/isup\r\nContent-Transfer-Encoding: base64\r\n\r\nAQBgAQ==\r\n--b--\r\n", part: 1, err: ErrEncoding},
		{name: "multipart without an ISUP part", ctype: "multipart/mixed;boundary=b",
			body: crlf("--b\nContent-Type: application/sdp\n\n" + sdp + "--b--\n"), err: ErrNoISUPPart},
		{name: "multipart cut inside the ISUP part", ctype: "multipart/mixed;boundary=b",
			body: "--b\r\nContent-Type: application/isup\r\n\r\n" + itu[:20], err: mime.ErrUnclosed},
		{name: "multipart cut after the ISUP part", ctype: "multipart/mixed;boundary=b",
			body: "--b\r\nContent-Type: application/isup\r\n\r\n" + itu + "\r\n--b\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n", part: 1, err: mime.ErrUnclosed},
		{name: "multipart without a boundary", ctype: "multipart/mixed", body: "--b\r\n\r\n\r\n--b--\r\n", err: mime.ErrBoundary},
		{name: "an SDP body", ctype: "application/sdp", body: sdp, err: ErrNoISUPPart},
		{name: "no Content-Type", ctype: "", body: itu, err: ErrNoISUPPart},
		{name: "an ISUP REL", ctype: "application/isup", body: "\x0c\x02\x00\x02\x80\x90", err: ErrNotIAM},
	}
	for _, tt := range tests {
		var d IAM
		b, err := d.DecodeBody([]byte(tt.ctype), []byte(tt.body))
		if err != tt.err {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.err)
		}
		if got := valuesOf(&d); got != tt.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
		if b.Part != tt.part || string(b.Version) != tt.version {
			t.Errorf("%s: part %d version %q, want %d %q", tt.name, b.Part, b.Version, tt.part, tt.version)
		}
	}
}

func TestView(t *testing.T) {
	var d IAM
	ctype := []byte("multipart/mixed;boundary=b")
	s := guideIAM(ANSI)
	s.opt = append(s.opt, param{0x0B, number(3, 0x10, "12345")}, param{0xC5, []byte{0x22, 0x90, 0x31}})
	body := []byte("--b\r\nContent-Type: application/isup;version=ansi00\r\n\r\n" + string(s.bytes()) + "\r\n--b--\r\n")
	b, err := d.DecodeBody(ctype, body)
	got := strings.Join(View(b, &d, err), "\n")
	want := `application/isup;version=ansi00 (multipart part 1, 50 bytes): IAM, ANSI T1.113 layout
  nature of connection indicators 00, forward call indicators 6001, calling party's category 10
  user service information 8090A2
  called party number 5551234567 (NAI 3, even, INN 0, NPI 1)
  optional 0x0A calling party number 5550001111 (NAI 3, even, NPI 1, presentation 0, screening 3)
  optional 0xC4 jurisdiction information 555123
  optional 0xEA originating line information 62
  optional 0x0B redirecting number 12345 (NAI 3, odd, NPI 1, presentation 0, screening 0)
  optional 0xC5 carrier identification, 3 octets: 229031`
	if got != want {
		t.Errorf("view:\n%s\nwant\n%s", got, want)
	}
	b, err = d.DecodeBody([]byte("application/ISUP"), []byte{1, 2})
	got = strings.Join(View(b, &d, err), "\n")
	want = "application/ISUP (the body, 2 bytes): not an IAM the decoder reads: " + ErrTruncated.Error() + "; {$ISUP.IsPresent} is 0 and every other {$ISUP.*} empty"
	if got != want {
		t.Errorf("view:\n%s\nwant\n%s", got, want)
	}
	b, err = d.DecodeBody([]byte("application/sdp"), []byte("v=0\r\n"))
	got = strings.Join(View(b, &d, err), "\n")
	want = "no ISUP message: " + ErrNoISUPPart.Error() + "; {$ISUP.IsPresent} is 0 and every other {$ISUP.*} empty"
	if got != want {
		t.Errorf("view:\n%s\nwant\n%s", got, want)
	}
}
