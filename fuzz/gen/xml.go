package gen

import (
	"fmt"
	"strings"
)

// XML bodies (SMC-SPEC §3.1): PIDF-LO-like documents with namespace prefixes, attributes,
// entities, character references and CDATA, nested a few levels (now and then past 64), whole or
// as parts of multipart bodies (nested, beside SDP, a base64 part, a text/plain part), and now and
// then not well-formed or with a DOCTYPE. The paths read them (xmlPaths).

// xmlTypes are Content-Type values, XML or nearly.
var xmlTypes = []string{"application/pidf+xml", "application/xml", "text/xml; charset=utf-8", "APPLICATION/RLMI+XML",
	"application/vnd.etsi.aoc+xml;charset=UTF-8", "application/xml-dtd", "application/+xml", "text/plain"}

var (
	xmlNames    = []string{"presence", "tuple", "pos", "Point", "r", "n", "a", "Pos"}
	xmlPrefixes = []string{"", "", "gml:", "gp:"}
	xmlAttrs    = []string{"id", "a", "srsName", "entity", "xmlns", "xmlns:gml"}
	xmlTexts    = []string{"37.775 -122.418", "t1", "1", " x ", "&lt;&amp;&gt;", "&#65;&#x42;", "<![CDATA[<n>&amp;]]>",
		"&apos;&quot;", "\r\n  ", "", "x\ry", "sip:alice@example.com"}
	xmlBadTexts = []string{"&nbsp;", "&#0;", "]]>", "&#xD800;", "<!ELEMENT n ANY>", "&amp"}
	xmlValues   = []string{"1", "t1", "urn:ogc:def:crs:EPSG::4326", "sip:alice@example.com", "&#49;&amp;", "a\r\nb", "", "a\tb"}
)

// xmlPaths are XML_BODY Headers: the spec's, and paths over the generated names.
var xmlPaths = []string{"//pos", "//Point/@srsName", "/presence/@entity", "/presence/tuple/@id", "/presence/tuple/status/geopriv/location-info",
	"/tuple", "/r/n", "//n", "//*", "/r//n/@a", "/*/*", "//*/@id", "//a", "/presence//pos", "/*", "//n//n", "//Pos"}

// xmlBody returns a body holding XML and its Content-Type value.
func (s *source) xmlBody(eol string) (body, ctype string) {
	if s.chance(3) {
		return s.multipartXML(eol, 0)
	}
	return s.xmlDocument(eol), pick(s, xmlTypes)
}

// multipartXML is a multipart/mixed (or related) body with SDP, XML and other parts.
func (s *source) multipartXML(eol string, depth int) (body, ctype string) {
	boundary := fmt.Sprintf("b%d", depth)
	var b strings.Builder
	for n := s.between(1, 3); n > 0; n-- {
		b.WriteString("--" + boundary + eol)
		var part, ptype string
		switch k := s.intn(6); {
		case k == 0:
			part, ptype = pick(s, sdpLines)+eol, "application/sdp"
		case k == 1 && depth < 2:
			part, ptype = s.multipartXML(eol, depth+1)
		default:
			part, ptype = s.xmlDocument(eol), pick(s, xmlTypes)
		}
		b.WriteString("Content-Type: " + ptype + eol)
		if s.chance(8) {
			b.WriteString("Content-Transfer-Encoding: " + pick(s, []string{"base64", "8bit", "BINARY"}) + eol)
		}
		b.WriteString(eol + part + eol)
	}
	if !s.chance(16) { // unclosed now and then
		b.WriteString("--" + boundary + "--" + eol)
	}
	return b.String(), pick(s, []string{"multipart/mixed;boundary=", "multipart/related; boundary="}) + boundary
}

// xmlDocument is one document: an optional declaration, DOCTYPE or comment, the root element,
// and now and then a mistake.
func (s *source) xmlDocument(eol string) string {
	var b strings.Builder
	switch s.intn(8) {
	case 0:
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + eol)
	case 1:
		b.WriteString("<!-- location -->" + eol)
	case 2:
		if s.chance(4) {
			b.WriteString(`<!DOCTYPE r [<!ENTITY e "x">]>` + eol)
		}
	}
	if s.chance(16) {
		b.WriteString(strings.Repeat("<n>", 65) + "deep" + strings.Repeat("</n>", 65))
	} else {
		s.xmlElement(&b, eol, 0)
	}
	if s.chance(12) {
		b.WriteString(pick(s, []string{"<r/>", "text", "<!-- end -->", "</r>", "<?pi x?>"}))
	}
	return b.String()
}

// xmlElement writes an element with attributes, text and children.
func (s *source) xmlElement(b *strings.Builder, eol string, depth int) {
	name := pick(s, xmlPrefixes) + pick(s, xmlNames)
	b.WriteString("<" + name)
	for n := s.intn(3); n > 0; n-- {
		q, v := pick(s, []string{`"`, `'`}), pick(s, xmlValues)
		if s.chance(40) {
			v = pick(s, []string{"<", "x&y", "&#0;", `'"`})
		}
		b.WriteString(pick(s, []string{" ", eol + "  "}) + pick(s, xmlAttrs) + "=" + q + v + q)
	}
	if s.chance(4) {
		b.WriteString("/>")
		return
	}
	b.WriteString(">")
	for n := s.intn(4); n > 0; n-- {
		if depth < 4 && s.chance(2) {
			s.xmlElement(b, eol, depth+1)
		} else if s.chance(40) {
			b.WriteString(pick(s, xmlBadTexts))
		} else {
			b.WriteString(pick(s, xmlTexts))
		}
	}
	if !s.chance(48) { // unclosed now and then
		b.WriteString("</" + name + ">")
	}
}
