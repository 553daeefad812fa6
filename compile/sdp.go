package compile

import (
	"strings"

	"github.com/smcproject/smc/compile/jsonpos"
)

// The SDP codec replace types (SMC-SPEC §6, "SDP codecs"): SDP_REMOVE_CODECS and
// SDP_KEEP_CODECS edit the media sections of the message's SDP. Their Header selects media
// sections by the start of their m= line, in the body only, so the selection is a body selector
// whose prefix is the Header, or "m=" for every section.

// sdpAllSections is the prefix every m= line starts with: the Header of a definition that does
// not name one.
const sdpAllSections = "m="

// EditsSDP reports whether a replace type edits the SDP's media sections.
func (t ReplaceType) EditsSDP() bool {
	return t == ReplaceSDPRemoveCodecs || t == ReplaceSDPKeepCodecs
}

// sdpSelection checks the selecting keys of an SDP definition: BODY_SECTION_ONLY is the only
// HeaderAttr (and the default), the Header is the start of the m= lines it selects, and a Macro
// has nothing to read in an m= line.
func (c *checker) sdpSelection(v *jsonpos.Value, n *defNode, attr string) {
	what := n.typ.String()
	if attr != "" && attr != "BODY_SECTION_ONLY" {
		c.errorf(memberPos(v, "HeaderAttr"), "%s edits the media sections of the SDP body: leave HeaderAttr out or write BODY_SECTION_ONLY, not %s", what, attr)
	}
	if n.sel.macro != MacroNone {
		c.warnf(memberPos(v, "Macro"), "Macro is ignored by %s: an m= line holds no SIP URI", what)
		n.sel.macro = MacroNone
	}
	if n.sel.hasRe2 && !n.sel.hasRe1 {
		c.errorf(n.sel.re2Pos, "RegEx2 narrows RegEx1's match, but %s has no RegEx1", what)
	}
	n.hasSel, n.sel.kind = true, SelectBody
	switch {
	case !hasKey(v, "Header"):
		n.sel.header = sdpAllSections
	case !strings.HasPrefix(n.sel.header, sdpAllSections):
		c.errorf(c.headerPos(v, &n.sel), "%s selects media sections by their m= line: Header %q must start with \"m=\" (\"m=audio\", \"m=video\"), or be left out for every section", what, n.sel.header)
	}
}

// memberPos is the position of obj's value for key, or obj's own when it has none.
func memberPos(obj *jsonpos.Value, key string) jsonpos.Pos {
	for _, m := range obj.Members {
		if m.Key == key {
			return m.Value.Pos
		}
	}
	return obj.Pos
}

// checkCodecList checks an SDP definition's Output when it has no variable reference: a list of
// codec names and payload type numbers that names at least one, as an empty list would remove
// nothing (SDP_REMOVE_CODECS) or everything (SDP_KEEP_CODECS, which then changes nothing).
func (g *generator) checkCodecList(d *defNode, list string) {
	items := 0
	for _, item := range strings.Split(list, ",") {
		item = strings.Trim(item, " \t")
		switch {
		case item == "":
			continue
		case strings.ContainsAny(item, " \t\r\n"):
			g.warnf(d.outputPos, "%s: %q never matches a format: codec names and payload types hold no white space; separate them with commas", d.typ, item)
		case strings.Contains(item, "/"):
			g.warnf(d.outputPos, "%s: %q never matches a format: a name is compared with the a=rtpmap encoding name alone (\"opus\", not \"opus/48000\")", d.typ, item)
		}
		items++
	}
	if items == 0 {
		g.errorf(d.outputPos, "%s needs at least one codec name or payload type in Output, separated by commas (\"G729, telephone-event\", \"0,8\")", d.typ)
	}
}
