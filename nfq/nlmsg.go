package nfq

import (
	"encoding/binary"
	"errors"

	nfqueue "github.com/florianl/go-nfqueue/v2"
)

// The nfnetlink_queue protocol (include/uapi/linux/netfilter/nfnetlink_queue.h), encoded and
// decoded here in the caller's buffers so that the packet path allocates nothing. A netlink
// message is a 16-byte header in host byte order, then for nfnetlink a 4-byte nfgenmsg (family,
// version, queue number big-endian), then attributes: a 16-bit length and type in host order,
// the value (big-endian numbers, as the kernel's nfqueue code writes them), padding to 4 bytes.
// go-nfqueue exports the flag, copy-mode and verdict values used here; the message and attribute
// numbers it keeps unexported are spelled out below from the kernel header.

const (
	nlmsgHeaderLen = 16
	nfgenLen       = 4
	attrHeaderLen  = 4

	nlmsgError = 2 // NLMSG_ERROR
	nlmsgDone  = 3 // NLMSG_DONE

	nlmFRequest = 0x1
	nlmFAck     = 0x4

	nfnlSubsysQueue = 3
	msgPacket       = nfnlSubsysQueue<<8 | 0 // NFQNL_MSG_PACKET
	msgVerdict      = nfnlSubsysQueue<<8 | 1 // NFQNL_MSG_VERDICT
	msgConfig       = nfnlSubsysQueue<<8 | 2 // NFQNL_MSG_CONFIG
	msgVerdictBatch = nfnlSubsysQueue<<8 | 3 // NFQNL_MSG_VERDICT_BATCH

	// Attributes of a packet message and of a verdict (enum nfqnl_attr_type).
	attrPacketHdr  = 1
	attrVerdictHdr = 2
	attrMark       = 3
	attrPayload    = 10
	attrCT         = 11
	attrCTInfo     = 12
	attrCapLen     = 13
	attrSkbInfo    = 14

	// Attributes of a config message (enum nfqnl_attr_config).
	attrCfgCmd      = 1
	attrCfgParams   = 2
	attrCfgMaxLen   = 3
	attrCfgMask     = 4
	attrCfgFlags    = 5
	cfgCmdBind      = 1
	cfgCmdUnbind    = 2
	nlaFNested      = 1 << 15
	ctaMark         = 8 // CTA_MARK inside NFQA_CT
	nfnetlinkV0     = 0
	afUnspec        = 0
	attrTypeMask    = 0x3fff // without NLA_F_NESTED and NLA_F_NET_BYTEORDER
	maxPacketCopied = 0xffff
)

// errMalformed reports a netlink message that does not parse; the kernel does not send them, so
// the worker counts it and reads on.
var errMalformed = errors.New("nfq: malformed netlink message from the kernel")

var native = binary.NativeEndian

// appendHeader appends a netlink header and an nfgenmsg for a message of type typ to queue
// num; the caller sets the length with finish once the attributes are appended.
func appendHeader(b []byte, typ, flags uint16, seq uint32, num uint16) []byte {
	b = native.AppendUint32(b, 0) // length, set by finish
	b = native.AppendUint16(b, typ)
	b = native.AppendUint16(b, flags)
	b = native.AppendUint32(b, seq)
	b = native.AppendUint32(b, 0) // port ID: the kernel
	return append(b, afUnspec, nfnetlinkV0, byte(num>>8), byte(num))
}

// finish sets the length of the message that starts at start in b.
func finish(b []byte, start int) []byte {
	native.PutUint32(b[start:], uint32(len(b)-start))
	return b
}

// appendAttr appends an attribute with value v and its padding.
func appendAttr(b []byte, typ uint16, v []byte) []byte {
	b = native.AppendUint16(b, uint16(attrHeaderLen+len(v)))
	b = native.AppendUint16(b, typ)
	b = append(b, v...)
	return pad(b)
}

func appendAttr32(b []byte, typ uint16, v uint32) []byte {
	b = native.AppendUint16(b, attrHeaderLen+4)
	b = native.AppendUint16(b, typ)
	return binary.BigEndian.AppendUint32(b, v)
}

func pad(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// AppendVerdict appends the verdict message for v on queue num to b.
func AppendVerdict(b []byte, num uint16, v *Verdict) []byte {
	start := len(b)
	b = appendHeader(b, msgVerdict, nlmFRequest, 0, num)
	verdict := uint32(nfqueue.NfAccept)
	if v.Drop {
		verdict = nfqueue.NfDrop
	}
	b = native.AppendUint16(b, attrHeaderLen+8)
	b = native.AppendUint16(b, attrVerdictHdr)
	b = binary.BigEndian.AppendUint32(b, verdict)
	b = binary.BigEndian.AppendUint32(b, v.ID)
	if v.SetMark {
		b = appendAttr32(b, attrMark, v.Mark)
	}
	if v.SetConnMark {
		b = native.AppendUint16(b, attrHeaderLen+attrHeaderLen+4)
		b = native.AppendUint16(b, attrCT|nlaFNested)
		b = appendAttr32(b, ctaMark, v.ConnMark)
	}
	if v.Packet != nil && !v.Drop {
		b = appendAttr(b, attrPayload, v.Packet)
	}
	return finish(b, start)
}

// AppendBatchVerdict appends a verdict for every packet of queue num up to and including id that
// has none yet: one message instead of one per packet, for runs of untouched packets.
func AppendBatchVerdict(b []byte, num uint16, id uint32, drop bool) []byte {
	start := len(b)
	b = appendHeader(b, msgVerdictBatch, nlmFRequest, 0, num)
	verdict := uint32(nfqueue.NfAccept)
	if drop {
		verdict = nfqueue.NfDrop
	}
	b = native.AppendUint16(b, attrHeaderLen+8)
	b = native.AppendUint16(b, attrVerdictHdr)
	b = binary.BigEndian.AppendUint32(b, verdict)
	b = binary.BigEndian.AppendUint32(b, id)
	return finish(b, start)
}

// appendConfig appends the config messages that bind queue num and set it up: copy whole
// packets, the queue length, and the flags (GSO always off, so that the kernel segments and
// completes checksums before it queues). Each asks for an acknowledgement, numbered from seq.
func appendConfig(b []byte, num uint16, seq uint32, maxLen, flags uint32) []byte {
	start := len(b)
	b = appendHeader(b, msgConfig, nlmFRequest|nlmFAck, seq, num)
	b = appendAttr(b, attrCfgCmd, []byte{cfgCmdBind, 0, 0, afUnspec})
	b = finish(b, start)

	start = len(b)
	b = appendHeader(b, msgConfig, nlmFRequest|nlmFAck, seq+1, num)
	params := binary.BigEndian.AppendUint32(nil, maxPacketCopied)
	b = appendAttr(b, attrCfgParams, append(params, nfqueue.NfQnlCopyPacket))
	b = appendAttr32(b, attrCfgMaxLen, maxLen)
	b = appendAttr32(b, attrCfgFlags, flags)
	b = appendAttr32(b, attrCfgMask, nfqueue.NfQaCfgFlagFailOpen|nfqueue.NfQaCfgFlagConntrack|nfqueue.NfQaCfgFlagGSO)
	return finish(b, start)
}

// appendIntakeOff appends the message that sets queue num's length limit to 0: the kernel then
// queues nothing more and gives each new packet the verdict of a full queue at once (accepted
// with failOpen, else dropped). The packets already queued stay queued.
func appendIntakeOff(b []byte, num uint16, seq uint32, failOpen bool) []byte {
	var flags uint32
	if failOpen {
		flags = nfqueue.NfQaCfgFlagFailOpen
	}
	start := len(b)
	b = appendHeader(b, msgConfig, nlmFRequest|nlmFAck, seq, num)
	b = appendAttr32(b, attrCfgMaxLen, 0)
	b = appendAttr32(b, attrCfgFlags, flags)
	b = appendAttr32(b, attrCfgMask, nfqueue.NfQaCfgFlagFailOpen)
	return finish(b, start)
}

// appendUnbind appends the message that unbinds queue num.
func appendUnbind(b []byte, num uint16, seq uint32) []byte {
	start := len(b)
	b = appendHeader(b, msgConfig, nlmFRequest|nlmFAck, seq, num)
	b = appendAttr(b, attrCfgCmd, []byte{cfgCmdUnbind, 0, 0, afUnspec})
	return finish(b, start)
}

// splitMessage returns the first netlink message of b, its type and sequence number, and the
// rest of b.
func splitMessage(b []byte) (msg []byte, typ uint16, seq uint32, rest []byte, err error) {
	if len(b) < nlmsgHeaderLen {
		return nil, 0, 0, nil, errMalformed
	}
	n := int(native.Uint32(b))
	if n < nlmsgHeaderLen || n > len(b) {
		return nil, 0, 0, nil, errMalformed
	}
	next := min((n+3)&^3, len(b))
	return b[:n], native.Uint16(b[4:]), native.Uint32(b[8:]), b[next:], nil
}

// errnoOf returns the error code of an NLMSG_ERROR message: 0 for an acknowledgement, else a
// positive errno.
func errnoOf(msg []byte) (int, error) {
	if len(msg) < nlmsgHeaderLen+4 {
		return 0, errMalformed
	}
	return -int(int32(native.Uint32(msg[nlmsgHeaderLen:]))), nil
}

// parsePacket reads a packet message into p. Its views point into msg.
func parsePacket(msg []byte, p *Queued) error {
	if len(msg) < nlmsgHeaderLen+nfgenLen {
		return errMalformed
	}
	*p = Queued{Queue: binary.BigEndian.Uint16(msg[nlmsgHeaderLen+2:])}
	haveHdr := false
	for b := msg[nlmsgHeaderLen+nfgenLen:]; len(b) >= attrHeaderLen; {
		n := int(native.Uint16(b))
		if n < attrHeaderLen || n > len(b) {
			return errMalformed
		}
		v := b[attrHeaderLen:n]
		switch native.Uint16(b[2:]) & attrTypeMask {
		case attrPacketHdr:
			if len(v) < 7 {
				return errMalformed
			}
			p.ID, p.HWProto, p.Hook = binary.BigEndian.Uint32(v), binary.BigEndian.Uint16(v[4:]), v[6]
			haveHdr = true
		case attrMark:
			p.Mark = be32(v)
		case attrPayload:
			p.Packet = v
		case attrCT:
			p.CT, p.HasCT = v, true
		case attrCTInfo:
			p.CTInfo = be32(v)
		case attrCapLen:
			p.CapLen = be32(v)
		case attrSkbInfo:
			p.SkbInfo = be32(v)
		}
		b = b[min((n+3)&^3, len(b)):]
	}
	if !haveHdr {
		return errMalformed
	}
	return nil
}

func be32(v []byte) uint32 {
	if len(v) < 4 {
		return 0
	}
	return binary.BigEndian.Uint32(v)
}
