package xmlscan

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
)

// pidf is SMC-SPEC §3.1's PIDF-LO body.
const pidf = `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10"
  xmlns:gml="http://www.opengis.net/gml" entity="pres:alice@example.com">
 <tuple id="t1"><status><gp:geopriv><gp:location-info>
  <gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>37.775 -122.418</gml:pos></gml:Point>
 </gp:location-info><gp:usage-rules/></gp:geopriv></status></tuple>
</presence>`

func values(t *testing.T, doc, path string) []string {
	t.Helper()
	p, err := ParsePath(path)
	if err != nil {
		t.Fatalf("ParsePath(%q): %v", path, err)
	}
	var d Doc
	if err := d.Read([]byte(doc)); err != nil {
		t.Fatalf("Read: %v", err)
	}
	var c Cursor
	var out []string
	for v, ok := p.Next(&d, &c); ok; v, ok = p.Next(&d, &c) {
		out = append(out, string(v))
	}
	return out
}

func TestSpecTable(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"//pos", "37.775 -122.418"},
		{"//Point/@srsName", "urn:ogc:def:crs:EPSG::4326"},
		{"/presence/@entity", "pres:alice@example.com"},
		{"/presence/tuple/@id", "t1"},
		{"/presence/tuple/status/geopriv/location-info", "37.775 -122.418"},
		{"/tuple", ""},
		{"/presence//pos", "37.775 -122.418"},
		{"/*/*/@id", "t1"},
		{"//usage-rules", ""}, // an empty element: one empty value
		{"//Pos", ""},
	} {
		got := strings.Join(values(t, pidf, tc.path), "|")
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.path, got, tc.want)
		}
	}
	if n := len(values(t, pidf, "//usage-rules")); n != 1 {
		t.Errorf("//usage-rules: %d values, want 1", n)
	}
}

func TestValues(t *testing.T) {
	for _, tc := range []struct{ doc, path, want string }{
		{`<a> x <b>&lt;y&gt;</b><![CDATA[ <z>&amp; ]]> &#x41;&#66;</a>`, "/a", "x <y> <z>&amp;  AB"},
		{`<a><a>1</a><a>2<a>3</a></a></a>`, "//a", "123|1|23|3"},
		{`<a x="1" p:x="2" y='&quot;3&apos;'/>`, "/a/@x", "1|2"},
		{`<a x="1" p:x="2" y='&quot;3&apos;'/>`, "/a/@y", `"3'`},
		{"<a>l1\r\nl2\rl3&#13;</a>", "/a", "l1\nl2\nl3"},
		{"<a v='a\r\nb'/>", "/a/@v", "a\nb"},
		{`<?xml version="1.0" encoding="utf-8" standalone='no'?><!-- c --><?pi x?><a><?p?><!---->t</a><!-- end -->`, "/a", "t"},
		{"\xEF\xBB\xBF<a>bom</a>", "/a", "bom"},
		{`<r><b>1</b><c><b>2</b></c></r>`, "/r//b", "1|2"},
		{`<r><b>1</b><c><b>2</b></c></r>`, "/r/*/b", "2"},
		{`<r><b>1</b><c><b>2</b></c></r>`, "//*", "12|1|2|2"},
	} {
		got := strings.Join(values(t, tc.doc, tc.path), "|")
		if got != tc.want {
			t.Errorf("%q %s: got %q, want %q", tc.doc, tc.path, got, tc.want)
		}
	}
}

func TestRefused(t *testing.T) {
	for _, tc := range []struct{ doc, why string }{
		{``, "no root element"},
		{`  `, "no root element"},
		{`<a>`, "an element without its end tag"},
		{`<a></b>`, "an end tag that does not match"},
		{`<p:a></q:a>`, "an end tag that does not match"},
		{`<a/><b/>`, "a second root element"},
		{`x<a/>`, "text outside the root element"},
		{`<a/>x`, "text outside the root element"},
		{`<!DOCTYPE a><a/>`, "DOCTYPE"},
		{`<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>`, "DOCTYPE"},
		{`<a>&e;</a>`, "a reference to an entity"},
		{`<a>&#0;</a>`, "a reference to an entity"},
		{`<a>&#xD800;</a>`, "a reference to an entity"},
		{`<a>&#x110000;</a>`, "a reference to an entity"},
		{`<a>&amp</a>`, "& that does not start"},
		{`<a>]]></a>`, "]]> in text"},
		{`<a x="1"y="2"/>`, "without white space"},
		{`<a x="1" x="2"/>`, "given twice"},
		{`<a x=1/>`, "without quotes"},
		{`<a x="<"/>`, "< in an attribute value"},
		{`<a:b:c/>`, "misplaced colon"},
		{`<:a/>`, "misplaced colon"},
		{`<a:/>`, "misplaced colon"},
		{`<1a/>`, "malformed name"},
		{`<a><!-- -- --></a>`, "-- inside a comment"},
		{`<a><?xml x?></a>`, "not at the start"},
		{`<?xml version="1.1"?><a/>`, "version"},
		{`<?xml version="1.0" encoding="ISO-8859-1"?><a/>`, "UTF-8"},
		{` <?xml version="1.0"?><a/>`, "not at the start"},
		{`<a><?pi?x?></a>`, "target followed"},
		{"<a>\x00</a>", "not a UTF-8 XML character"},
		{"<a>\xff</a>", "not a UTF-8 XML character"},
		{`<![CDATA[x]]><a/>`, "CDATA section outside"},
		{`<a><!ELEMENT a ANY></a>`, "declaration outside a DOCTYPE"},
		{`<a b="1" / >`, "/ not followed by >"},
	} {
		var d Doc
		err := d.Read([]byte(tc.doc))
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Why, tc.why) {
			t.Errorf("%q: got %v, want %q", tc.doc, err, tc.why)
		}
		if len(d.Elems)+len(d.Attrs)+len(d.Text)+len(d.Values) != 0 {
			t.Errorf("%q: a refused document left %d elements behind", tc.doc, len(d.Elems))
		}
	}
}

func TestLimits(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("<a>", n) + "x" + strings.Repeat("</a>", n) }
	var d Doc
	if err := d.Read([]byte(nest(MaxDepth))); err != nil {
		t.Errorf("depth %d: %v", MaxDepth, err)
	}
	if err := d.Read([]byte(nest(MaxDepth + 1))); err == nil || !strings.Contains(err.Error(), WhyDepth) {
		t.Errorf("depth %d: %v, want %q", MaxDepth+1, err, WhyDepth)
	}
	attrs := func(n int) string {
		var b strings.Builder
		b.WriteString("<a")
		for i := range n {
			b.WriteString(" a" + itoa(i) + "=''")
		}
		return b.String() + "/>"
	}
	if err := d.Read([]byte(attrs(MaxAttributes))); err != nil {
		t.Errorf("%d attributes: %v", MaxAttributes, err)
	}
	if err := d.Read([]byte(attrs(MaxAttributes + 1))); err == nil || !strings.Contains(err.Error(), WhyAttributes) {
		t.Errorf("%d attributes: %v, want %q", MaxAttributes+1, err, WhyAttributes)
	}
	if _, err := ParsePath(strings.Repeat("/a", MaxPathSteps) + "/@x"); err != nil {
		t.Errorf("%d steps: %v", MaxPathSteps, err)
	}
	if _, err := ParsePath(strings.Repeat("/a", MaxPathSteps+1)); err == nil {
		t.Errorf("%d steps: no error", MaxPathSteps+1)
	}
}

func TestParsePath(t *testing.T) {
	for _, ok := range []string{"/a", "//a", "/a/b//c", "/*", "//*/@x", "/a/@b", "/é", "/a.b-c_d"} {
		p, err := ParsePath(ok)
		if err != nil {
			t.Errorf("%q: %v", ok, err)
		} else if p.String() != ok {
			t.Errorf("%q prints as %q", ok, p.String())
		}
	}
	for _, bad := range []string{"", "a", "/", "//", "/a/", "///a", "/@x", "/a//@x", "/a/@x/b", "/a/@*", "/a[1]", "/gml:pos", "/a b", "/1a", "/a/text()", " /a"} {
		if _, err := ParsePath(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestReadAllocs(t *testing.T) {
	p, _ := ParsePath("//Point/@srsName")
	var d Doc
	var c Cursor
	doc, bad := []byte(pidf), []byte("<a><b></a>")
	n := testing.AllocsPerRun(100, func() {
		d.Reset()
		if err := d.Read(doc); err != nil {
			t.Fatal(err)
		}
		c = Cursor{}
		for _, ok := p.Next(&d, &c); ok; _, ok = p.Next(&d, &c) {
		}
		_ = d.Read(bad) // refused: no allocation either
	})
	if n != 0 {
		t.Errorf("%v allocations per document", n)
	}
}

// BenchmarkRead reads the spec's PIDF-LO body and selects //pos; BenchmarkEncodingXML reads the
// same body with encoding/xml into the same information, which is what this package saves.
func BenchmarkRead(b *testing.B) {
	doc := []byte(pidf)
	p, _ := ParsePath("//pos")
	var d Doc
	var c Cursor
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		d.Reset()
		if err := d.Read(doc); err != nil {
			b.Fatal(err)
		}
		c = Cursor{}
		if _, ok := p.Next(&d, &c); !ok {
			b.Fatal("no //pos")
		}
	}
}

func BenchmarkEncodingXML(b *testing.B) {
	doc := []byte(pidf)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		dec := xml.NewDecoder(bytes.NewReader(doc))
		var texts []string
		var names []string
		for {
			tok, err := dec.Token()
			if err != nil {
				break
			}
			switch t := tok.(type) {
			case xml.StartElement:
				names = append(names, t.Name.Local)
				texts = append(texts, "")
			case xml.CharData:
				for i := range texts {
					texts[i] += string(t)
				}
			}
		}
		if len(names) != 8 {
			b.Fatal(len(names))
		}
	}
}
