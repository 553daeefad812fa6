package runtime

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/smcproject/smc/compile"
)

// expand appends template t with its references replaced by their values (SMC-SPEC §4). An
// expansion longer than MaxOutputSize is stopped there, since no message could hold it: the
// message goes past its output limit and expand appends nothing.
func (m *Machine) expand(dst []byte, t int) []byte {
	start := len(dst)
	for i := range m.prog.Templates[t].Parts {
		p := &m.prog.Templates[t].Parts[i]
		switch {
		case p.Var >= 0:
			dst = append(dst, m.vals[p.Var]...)
		case p.Reserved != 0:
			dst = m.appendReserved(dst, p)
		default:
			dst = append(dst, p.Lit...)
		}
		if len(dst)-start > MaxOutputSize {
			m.fail(ErrExpansionTooLarge)
			return dst[:start]
		}
	}
	return dst
}

// imfFixdate is the HTTP/SIP date format of RFC 7231 §7.1.1.1, used by {$SMC.Date}.
const imfFixdate = "Mon, 02 Jan 2006 15:04:05 GMT"

// appendReserved appends a reserved variable's value.
func (m *Machine) appendReserved(dst []byte, p *compile.Part) []byte {
	env := m.env
	switch p.Reserved {
	case compile.ResRemoteIP:
		return appendAddr(dst, env.Remote)
	case compile.ResRemotePort:
		return strconv.AppendUint(dst, uint64(env.Remote.Port()), 10)
	case compile.ResLocalIP:
		return appendAddr(dst, env.Local)
	case compile.ResLocalPort:
		return strconv.AppendUint(dst, uint64(env.Local.Port()), 10)
	case compile.ResTransport:
		return append(dst, env.Transport.String()...)
	case compile.ResDate:
		return append(dst, m.dateText()...)
	case compile.ResRand1000, compile.ResRand10000, compile.ResRand100000:
		return appendInt(dst, m.random(p.Reserved))
	case compile.ResDataField:
		if m.row >= 0 {
			return append(dst, m.rowTable.Data.Field(m.row, p.Field)...)
		}
	case compile.ResGroup:
		// A group that took no part in the match has -1 for its start, and expands to nothing.
		if k := 2 * p.Field; k+1 < len(m.groups) && m.groups[k] >= 0 {
			return append(dst, m.groupText[m.groups[k]:m.groups[k+1]]...)
		}
	case compile.ResISUPIsPresent, compile.ResISUPNCI, compile.ResISUPFCI, compile.ResISUPCPC,
		compile.ResISUPCPN, compile.ResISUPCdPN, compile.ResISUPJIP, compile.ResISUPOLI:
		return m.appendISUP(dst, p.Reserved)
	}
	return dst
}

func appendAddr(dst []byte, ap netip.AddrPort) []byte {
	if !ap.IsValid() {
		return dst
	}
	return ap.Addr().Unmap().AppendTo(dst)
}

// dateText formats the message's time once per message, and only when its second is not the one
// it last formatted: the format has no finer unit, and formatting took a fiftieth of the time of
// an INVITE that gets a Date.
func (m *Machine) dateText() []byte {
	if !m.hasDate {
		now := m.env.Now
		if now.IsZero() {
			now = time.Now()
		}
		if sec := now.Unix(); !m.dateFormatted || sec != m.dateSec {
			m.date = now.UTC().AppendFormat(m.date[:0], imfFixdate)
			m.dateSec, m.dateFormatted = sec, true
		}
		m.hasDate = true
	}
	return m.date
}

// random draws a random variable's number once per message (SMC-SPEC §4).
func (m *Machine) random(r compile.Reserved) int {
	i := 0
	switch r {
	case compile.ResRand10000:
		i = 1
	case compile.ResRand100000:
		i = 2
	}
	if m.rand[i] == 0 {
		if m.env.Rand != 0 {
			m.rand[i] = m.env.Rand
		} else {
			m.rand[i] = 1 + m.rng.IntN(r.RandMax())
		}
	}
	return m.rand[i]
}

func appendInt(dst []byte, n int) []byte { return strconv.AppendInt(dst, int64(n), 10) }
