package isup

import (
	"errors"

	"github.com/smcproject/smc/runtime/mime"
	"github.com/smcproject/smc/runtime/sip"
)

// ErrEncoding says that the ISUP part is not sent as binary (base64, quoted-printable), so its
// bytes are not the message; the decoder does not undo transfer encodings.
var ErrEncoding = errors.New("the application/ISUP part has a Content-Transfer-Encoding other than binary, 8bit or 7bit")

// A Body says where a SIP body carries its ISUP message (SMC-SPEC §4): the whole body, when the
// message's Content-Type is application/ISUP, or the first application/ISUP part of a multipart
// body. Type names are compared case-insensitively.
type Body struct {
	Found   bool
	Msg     []byte // the ISUP message: the part's content, or the whole body
	Type    []byte // the Content-Type value that names it (the part's, or the message's)
	Version []byte // its version parameter; nil when absent
	Part    int    // 1-based index of the part in a multipart body; 0 for a whole body
}

// Locate finds the ISUP message of body, whose message has the Content-Type value contentType.
// A multipart body must be readable to its close delimiter (mime.Reader): an ISUP part of a body
// cut short may itself be cut, so Locate then returns the reader's error, with the part found
// before it in b for the trace.
func Locate(contentType, body []byte) (b Body, err error) {
	if isISUP(contentType) {
		return found(body, contentType, 0), nil
	}
	boundary, ok := mime.Multipart(contentType)
	if !ok {
		return Body{}, ErrNoISUPPart
	}
	r := mime.NewReader(body, boundary)
	var p mime.Part
	for k := 1; r.Next(&p); k++ {
		if !b.Found && isISUP(p.Type) {
			b = found(body[p.Content:p.End], p.Type, k)
			if p.Encoding != nil && !binaryEncoding(p.Encoding) {
				err = ErrEncoding
			}
		}
	}
	switch {
	case r.Err() != nil:
		return b, r.Err()
	case !b.Found:
		return b, ErrNoISUPPart
	}
	return b, err
}

func found(msg, contentType []byte, part int) Body {
	_, _, params, _ := mime.MediaType(contentType)
	version, _ := mime.Param(params, "version")
	return Body{Found: true, Msg: msg, Type: contentType, Version: version, Part: part}
}

func isISUP(contentType []byte) bool { return mime.Is(contentType, "application", "isup") }

func binaryEncoding(cte []byte) bool {
	return sip.EqualFold(cte, "binary") || sip.EqualFold(cte, "8bit") || sip.EqualFold(cte, "7bit")
}

// VariantOf returns the layout a version parameter selects (SMC-SPEC §4): ANSI for a value
// starting with `ansi` in any case (ansi88, ansi92, ansi00), ITU for anything else and for none
// (the default version is itu-t92+).
func VariantOf(version []byte) Variant {
	if len(version) >= 4 && sip.EqualFold(version[:4], "ansi") {
		return ANSI
	}
	return ITU
}

// DecodeBody locates the ISUP message of a SIP body and decodes it as an IAM of the layout its
// version selects. On error d is no IAM; b says what was found, for the trace.
func (d *IAM) DecodeBody(contentType, body []byte) (b Body, err error) {
	*d = IAM{}
	if b, err = Locate(contentType, body); err != nil {
		return b, err
	}
	return b, d.Decode(b.Msg, VariantOf(b.Version))
}
