package runtime

import (
	"net/netip"
	"strconv"
	"time"
	"unicode/utf8"
)

// AuditKind tells an AUDIT_RECORD from a DROP_MSG_RECORD, and both from the record smcd writes
// for a message a shadow binding would have changed.
type AuditKind uint8

const (
	AuditText   AuditKind = iota + 1 // AUDIT_RECORD: the expanded Output
	AuditDrop                        // DROP_MSG_RECORD: the complete original message
	AuditShadow                      // smcd's shadow mode: the verdict the message would have had, and the change
)

func (k AuditKind) String() string {
	switch k {
	case AuditDrop:
		return "drop"
	case AuditShadow:
		return "shadow"
	}
	return "audit"
}

// An AuditRecord is one record of SMC-SPEC §9. Text points into the Machine's buffers or the
// input, like the rest of the Result.
type AuditRecord struct {
	Profile int64
	Rule    int
	Kind    AuditKind
	Text    []byte
}

type auditSpan struct {
	profile int64
	rule    int
	kind    AuditKind
	off, n  int
}

// addAudit records an audit record, or counts it lost when it would go past MaxAuditRecords or
// MaxAuditText.
func (m *Machine) addAudit(kind AuditKind, text []byte) {
	if len(m.audits) == MaxAuditRecords || kind == AuditText && len(m.auditBuf)+len(text) > MaxAuditText {
		m.result.AuditLost++
		if m.trace != nil {
			m.trace.printf("    audit record lost: the message's records would pass %d records or %d bytes\n", MaxAuditRecords, MaxAuditText)
		}
		return
	}
	off := len(m.auditBuf)
	if kind == AuditText {
		m.auditBuf = append(m.auditBuf, text...)
	}
	m.audits = append(m.audits, auditSpan{profile: m.prog.ID, rule: m.rule, kind: kind, off: off, n: len(m.auditBuf) - off})
}

// AppendJSON appends the record as one line of JSON (without the newline): ts, profile, rule,
// kind, remote, local, transport, text (SMC-SPEC §9). It does not allocate, so the daemon can
// write records from the packet path.
func (r *AuditRecord) AppendJSON(dst []byte, ts time.Time, env *Env) []byte {
	dst = append(dst, `{"ts":"`...)
	dst = ts.AppendFormat(dst, "2006-01-02T15:04:05.000000000Z07:00")
	dst = append(dst, `","profile":`...)
	dst = strconv.AppendInt(dst, r.Profile, 10)
	dst = append(dst, `,"rule":`...)
	dst = strconv.AppendInt(dst, int64(r.Rule), 10)
	dst = append(dst, `,"kind":"`...)
	dst = append(dst, r.Kind.String()...)
	dst = append(dst, `","remote":"`...)
	dst = appendAddrPort(dst, env.Remote)
	dst = append(dst, `","local":"`...)
	dst = appendAddrPort(dst, env.Local)
	dst = append(dst, `","transport":"`...)
	dst = append(dst, env.Transport.String()...)
	dst = append(dst, `","text":`...)
	dst = AppendJSONString(dst, r.Text)
	return append(dst, '}')
}

func appendAddrPort(dst []byte, ap netip.AddrPort) []byte {
	if !ap.IsValid() {
		return dst
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).AppendTo(dst)
}

// AppendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, since a message may
// carry any bytes and a record must stay valid JSON.
func AppendJSONString(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20 || c == 0x7f:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
