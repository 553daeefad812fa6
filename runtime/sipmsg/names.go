package sipmsg

import (
	"encoding/binary"
	"errors"
	"math/bits"

	"github.com/smcproject/smc/runtime/sip"
)

// Header name IDs known to every NameTable. The runtime needs these without a profile naming them:
// Content-Length for the fix-up, the dialog headers for generated responses, and every header with
// a compact form, so that a compact name and its long form always share one ID.
const (
	IDUnknown uint16 = iota // not a header line (the start line, a body line)
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

// MaxNames bounds the IDs of a NameTable, IDUnknown included: they are 16-bit, and the last one,
// 0xFFFF, stays unused. A compiled chain needs far fewer: compile.MaxProfiles ×
// compile.MaxHeaderNames names and the builtin ones make 64,022.
const MaxNames = 1<<16 - 1

// ErrTooManyNames is Intern's answer to a new name when the table already holds MaxNames IDs.
var ErrTooManyNames = errors.New("more distinct header names than a name table holds (sipmsg.MaxNames)")

// A NameTable interns header names case-insensitively, with compact forms folded into their long
// forms. It is built once for a chain and then only read, so workers share it without locks;
// Lookup runs per header line and does not allocate.
//
// Lookup is on the parser's hot path (a fifth of the Machine's time on an INVITE went to it and
// its byte-by-byte hash), so a name is keyed by its length and its first and last eight bytes,
// folded to lower case eight at a time (foldKey). For a name of up to 16 bytes, such as nearly
// every SIP header name, equal keys are equal names and no byte is compared again. The slots hold
// the keys, so a probe reads one place, and are kept at most a quarter full, so a lookup nearly
// always probes one slot.
type NameTable struct {
	names []string   // by ID; names[0] is unused
	slots []nameSlot // open addressing over nameKey.slot; ID 0 is empty
	mask  uint32
	shift uint8 // 64 - log2(len(slots)): the hash's top bits index the slots
}

type nameSlot struct {
	key nameKey
	id  uint16
}

// NewNameTable returns a table holding the builtin names.
func NewNameTable() *NameTable {
	t := &NameTable{names: []string{""}}
	t.rehash(128)
	for _, n := range builtinNames[1:] {
		t.Intern(n) // cannot fail: there are fewer than MaxNames
	}
	return t
}

// Len returns the number of IDs in use, plus one for IDUnknown.
func (t *NameTable) Len() int { return len(t.names) }

// Name returns the name an ID was interned with.
func (t *NameTable) Name(id uint16) string { return t.names[id] }

// Intern returns the ID of name, adding it when it is new, or ErrTooManyNames when it is new and
// the table is full. A compact form returns its long form's ID. Intern is for building the table
// and is not safe to call while others look names up.
func (t *NameTable) Intern(name string) (uint16, error) {
	if id := t.Lookup([]byte(name)); id != IDUnknown {
		return id, nil
	}
	if len(t.names) >= MaxNames {
		return IDUnknown, ErrTooManyNames
	}
	if 4*len(t.names) >= len(t.slots) {
		t.rehash(4 * len(t.slots))
	}
	t.names = append(t.names, name)
	t.insert(uint16(len(t.names) - 1))
	return uint16(len(t.names) - 1), nil
}

func (t *NameTable) rehash(size int) {
	t.slots = make([]nameSlot, size)
	t.mask = uint32(size - 1)
	t.shift = uint8(64 - bits.TrailingZeros(uint(size)))
	for id := 1; id < len(t.names); id++ {
		t.insert(uint16(id))
	}
}

func (t *NameTable) insert(id uint16) {
	k := foldKey([]byte(t.names[id]))
	for i := k.slot(t.shift); ; i = (i + 1) & t.mask {
		if t.slots[i].id == 0 {
			t.slots[i] = nameSlot{k, id}
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
	k := foldKey(name)
	for i := k.slot(t.shift); ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.id == 0 {
			return IDUnknown
		}
		if s.key == k && (k.n <= 16 || sip.EqualFold(name[8:k.n-8], t.names[s.id][8:k.n-8])) {
			return s.id
		}
	}
}

// A nameKey is a name's length with its first and last eight bytes (overlapping when the name is
// shorter than 16, zero-padded when shorter than 8), ASCII-folded to lower case. Two names of up
// to 16 bytes have the same key exactly when they are equal under sip.EqualFold.
type nameKey struct {
	head, tail uint64
	n          int
}

// foldKey computes the key of b. A name shorter than eight bytes is usually a slice of the message
// with its colon and value after it: then its eight bytes are read at once and the bytes past its
// end masked off.
func foldKey(b []byte) nameKey {
	if len(b) >= 8 {
		return nameKey{lower8(binary.LittleEndian.Uint64(b)), lower8(binary.LittleEndian.Uint64(b[len(b)-8:])), len(b)}
	}
	var w uint64
	if cap(b) >= 8 {
		w = binary.LittleEndian.Uint64(b[:8]) & (1<<(8*len(b)) - 1)
	} else {
		for i := len(b) - 1; i >= 0; i-- {
			w = w<<8 | uint64(b[i])
		}
	}
	w = lower8(w)
	return nameKey{w, w, len(b)}
}

// slot returns the key's first slot in a table of 1<<(64-shift) slots.
func (k nameKey) slot(shift uint8) uint32 {
	h := (k.head ^ bits.RotateLeft64(k.tail, 31) ^ uint64(k.n)) * 0x9e3779b97f4a7c15
	return uint32(h >> shift)
}

// lower8 folds the ASCII upper-case letters among the eight bytes of w to lower case, as
// sip.Lower does one byte at a time, and leaves every other byte alone.
func lower8(w uint64) uint64 {
	const high = 0x8080808080808080
	low7 := w &^ high
	atLeastA := low7 + 0x3f3f3f3f3f3f3f3f // the byte's high bit is set from 'A' (0x41) on
	pastZ := low7 + 0x2525252525252525    // ... and from '[' (0x5b) on
	upper := atLeastA &^ pastZ &^ w & high
	return w | upper>>2 // 0x80 >> 2 is the case bit 0x20
}

// HasPrefixFold reports whether b starts with prefix, ASCII case-insensitively.
func HasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && sip.EqualFold(b[:len(prefix)], prefix)
}
