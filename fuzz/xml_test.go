package fuzz

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/smcproject/smc/fuzz/reference"
	"github.com/smcproject/smc/runtime/xmlscan"
)

// xmlSeeds are documents for FuzzXML: the spec's PIDF-LO, and each kind of document the reader
// must refuse.
var xmlSeeds = []string{
	`<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10"
  xmlns:gml="http://www.opengis.net/gml" entity="pres:alice@example.com">
 <tuple id="t1"><status><gp:geopriv><gp:location-info>
  <gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>37.775 -122.418</gml:pos></gml:Point>
 </gp:location-info><gp:usage-rules/></gp:geopriv></status></tuple>
</presence>`,
	"\xEF\xBB\xBF<?xml version='1.0' encoding='utf-8' standalone='no'?>\r\n<!-- c --><?pi x?><a b='&lt;&#x41;'>t&amp;<![CDATA[<c>]]>\r\n<c/></a>",
	`<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>`,
	`<a x="1"y="2"/>`, `<a x="1" x="2"/>`, `<a>&#xD800;</a>`, `<a/><b/>`, `<a:b:c/>`, `<?xml version="1.1"?><a/>`,
	`<a><?xml x?></a>`, `<a><?pi?x?></a>`, `<a>]]></a>`, "<a>\x00</a>", `<![CDATA[x]]><a/>`, `<p:a></q:a>`,
}

// FuzzXML compares the engine's XML reader (runtime/xmlscan, a scanner written for the packet
// path) with the reference's (fuzz/reference/xml.go, encoding/xml and the checks it leaves out)
// on any document: they must refuse the same documents, and select the same values, in the same
// order, for //* (every element's text) and for //*/@NAME for every attribute name the document
// has. Beyond that, the reader must be deterministic, leave a Doc as it was when it refuses a
// document, and allocate nothing once its buffers have grown.
func FuzzXML(f *testing.F) {
	for _, s := range xmlSeeds {
		f.Add(s)
	}
	var d xmlscan.Doc
	f.Fuzz(func(t *testing.T, doc string) {
		src := []byte(doc)
		d.Reset()
		d.Read([]byte("<before>x</before>")) // the document is read after another one
		before := len(d.Elems)
		err := d.Read(src)
		if err != nil && len(d.Elems) != before {
			t.Fatalf("refused (%v), but the Doc has %d elements, not %d", err, len(d.Elems), before)
		}
		paths := []string{"//*"}
		for _, name := range reference.XMLAttributeNames(doc) {
			paths = append(paths, "//*/@"+name)
		}
		for _, path := range paths {
			want, werr := reference.XMLValues(doc, path)
			if errors.Is(werr, reference.ErrXMLUndecided) {
				t.Skip(werr)
			}
			got := engineValues(t, &d, before, path)
			if (err == nil) != (werr == nil) {
				t.Fatalf("%q: engine error %v, reference error %v", doc, err, werr)
			}
			if err == nil && !slices.Equal(got, want) {
				t.Fatalf("%q %s:\nengine    %q\nreference %q", doc, path, got, want)
			}
		}
		var again xmlscan.Doc
		if err2 := again.Read(src); (err2 == nil) != (err == nil) || err == nil && !bytes.Equal(again.Text, d.Text[len(d.Text)-len(again.Text):]) {
			t.Fatalf("a second reading differs: %v, then %v", err, err2)
		}
		if n := testing.AllocsPerRun(2, func() { d.Reset(); d.Read(src) }); n != 0 {
			t.Fatalf("%v allocations reading %q", n, doc)
		}
	})
}

// engineValues is what path selects in the documents of d from element first on.
func engineValues(t *testing.T, d *xmlscan.Doc, first int, path string) []string {
	p, err := xmlscan.ParsePath(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []string
	var c xmlscan.Cursor
	for v, ok := p.Next(d, &c); ok; v, ok = p.Next(d, &c) {
		out = append(out, string(v))
	}
	// The first document, <before>, gives one value to //* and none to attributes.
	if path == "//*" && len(out) > 0 && first == 1 {
		out = out[1:]
	}
	return out
}
