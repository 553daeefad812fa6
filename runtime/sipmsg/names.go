package sipmsg

import "github.com/smcproject/smc/runtime/sip"

// Header name IDs known to every NameTable. The runtime needs these without a profile naming them:
// Content-Length for the fix-up, the dialog headers for generated responses, and every header with
// a compact form, so that a compact name and its long form always share one ID.
const (
	IDUnknown uint16 = iota
	IDVia
	IDFrom
	IDTo
	IDCallID
	IDCSeq
	IDContentLength
	IDContentType
	IDContact
	IDContentEncoding
	IDSubject
	IDSupported
	IDEvent
	IDReferTo
	IDReferredBy
	IDAllowEvents
	IDAcceptContact
	IDRejectContact
	IDRequestDisposition
	IDSessionExpires
	IDIdentity
	IDIdentityInfo
	numBuiltin
)

// builtinNames are the long forms of the builtin IDs, in ID order.
var builtinNames = [numBuiltin]string{"", "Via", "From", "To", "Call-ID", "CSeq", "Content-Length",
	"Content-Type", "Contact", "Content-Encoding", "Subject", "Supported", "Event", "Refer-To",
	"Referred-By", "Allow-Events", "Accept-Contact", "Reject-Contact", "Request-Disposition",
	"Session-Expires", "Identity", "Identity-Info"}

// compactForms maps a compact form letter (lower case) to its builtin ID (RFC 3261 §7.3.3 and the
// IANA header field registry).
var compactForms = [256]uint16{
	'i': IDCallID, 'm': IDContact, 'e': IDContentEncoding, 'l': IDContentLength, 'c': IDContentType,
	'f': IDFrom, 's': IDSubject, 'k': IDSupported, 't': IDTo, 'v': IDVia, 'o': IDEvent,
	'r': IDReferTo, 'b': IDReferredBy, 'u': IDAllowEvents, 'a': IDAcceptContact,
	'j': IDRejectContact, 'd': IDRequestDisposition, 'x': IDSessionExpires, 'y': IDIdentity,
	'n': IDIdentityInfo,
}

// A NameTable interns header names case-insensitively, with compact forms folded into their long
// forms. It is built once for a chain and then only read, so workers share it without locks;
// Lookup runs per header line and does not allocate.
type NameTable struct {
	names []string // by ID; names[0] is unused
	slots []uint16 // open addressing over the hash of the lower-case name; 0 is empty
	mask  uint32
}

// NewNameTable returns a table holding the builtin names.
func NewNameTable() *NameTable {
	t := &NameTable{names: []string{""}}
	t.rehash(64)
	for _, n := range builtinNames[1:] {
		t.Intern(n)
	}
	return t
}

// Len returns the number of IDs in use, plus one for IDUnknown.
func (t *NameTable) Len() int { return len(t.names) }

// Name returns the name an ID was interned with.
func (t *NameTable) Name(id uint16) string { return t.names[id] }

// Intern returns the ID of name, adding it when it is new. A compact form returns its long form's
// ID. Intern is for building the table and is not safe to call while others look names up.
func (t *NameTable) Intern(name string) uint16 {
	if id := t.Lookup([]byte(name)); id != IDUnknown {
		return id
	}
	if len(t.names) >= 1<<16-1 {
		panic("sipmsg: too many header names")
	}
	if 2*len(t.names) >= len(t.slots) {
		t.rehash(4 * len(t.slots))
	}
	t.names = append(t.names, name)
	t.insert(uint16(len(t.names) - 1))
	return uint16(len(t.names) - 1)
}

func (t *NameTable) rehash(size int) {
	t.slots = make([]uint16, size)
	t.mask = uint32(size - 1)
	for id := 1; id < len(t.names); id++ {
		t.insert(uint16(id))
	}
}

func (t *NameTable) insert(id uint16) {
	for i := hashFold([]byte(t.names[id])) & t.mask; ; i = (i + 1) & t.mask {
		if t.slots[i] == 0 {
			t.slots[i] = id
			return
		}
	}
}

// Lookup returns the ID of name, or IDUnknown.
func (t *NameTable) Lookup(name []byte) uint16 {
	if len(name) == 1 {
		if id := compactForms[sip.Lower(name[0])]; id != IDUnknown {
			return id
		}
	}
	for i := hashFold(name) & t.mask; ; i = (i + 1) & t.mask {
		id := t.slots[i]
		if id == 0 {
			return IDUnknown
		}
		if sip.EqualFold(name, t.names[id]) {
			return id
		}
	}
}

// hashFold is FNV-1a over the ASCII lower-case bytes.
func hashFold(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h ^= uint32(sip.Lower(c))
		h *= 16777619
	}
	return h
}

// HasPrefixFold reports whether b starts with prefix, ASCII case-insensitively.
func HasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && sip.EqualFold(b[:len(prefix)], prefix)
}
