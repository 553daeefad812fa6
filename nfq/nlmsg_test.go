package nfq

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// The verdict message, byte by byte as nfnetlink_queue reads it: netlink header, nfgenmsg with the
// queue number big-endian, the verdict header, the mark, the connection mark nested in NFQA_CT,
// and the packet, each attribute padded to 4 bytes.
func TestAppendVerdict(t *testing.T) {
	v := &Verdict{ID: 0x01020304, Packet: []byte{0x45, 1, 2}, SetMark: true, Mark: 0x2a, SetConnMark: true, ConnMark: 0x2b}
	got := AppendVerdict(nil, 0x0102, v)
	var want []byte
	want = native.AppendUint32(want, 16+4+12+8+12+8)
	want = native.AppendUint16(want, 0x0301)
	want = native.AppendUint16(want, 1) // NLM_F_REQUEST
	want = native.AppendUint32(want, 0)
	want = native.AppendUint32(want, 0)
	want = append(want, 0, 0, 0x01, 0x02)
	want = append(want, native.AppendUint16(native.AppendUint16(nil, 12), 2)...)
	want = append(want, 0, 0, 0, 1, 1, 2, 3, 4) // NF_ACCEPT, the ID
	want = append(want, native.AppendUint16(native.AppendUint16(nil, 8), 3)...)
	want = append(want, 0, 0, 0, 0x2a)
	want = append(want, native.AppendUint16(native.AppendUint16(nil, 12), 11|1<<15)...)
	want = append(want, native.AppendUint16(native.AppendUint16(nil, 8), 8)...)
	want = append(want, 0, 0, 0, 0x2b)
	want = append(want, native.AppendUint16(native.AppendUint16(nil, 7), 10)...)
	want = append(want, 0x45, 1, 2, 0)
	if !bytes.Equal(got, want) {
		t.Fatalf("verdict\n% x\nwant\n% x", got, want)
	}
	drop := AppendVerdict(nil, 0, &Verdict{ID: 9, Drop: true, Packet: []byte{1}})
	if len(drop) != 16+4+12 || binary.BigEndian.Uint32(drop[24:]) != 0 {
		t.Errorf("a drop carries no packet and verdict NF_DROP: % x", drop)
	}
	batch := AppendBatchVerdict(nil, 3, 77, false)
	if native.Uint16(batch[4:]) != 0x0303 || binary.BigEndian.Uint32(batch[28:]) != 77 {
		t.Errorf("batch verdict % x", batch)
	}
}

// A packet message as the kernel writes it parses into its fields, with the packet and the
// conntrack attributes as views into the message; damaged messages are errors.
func TestParsePacket(t *testing.T) {
	msg := appendHeader(nil, msgPacket, 0, 0, 5)
	msg = appendAttr(msg, attrPacketHdr, []byte{0, 0, 1, 0, 0x08, 0x00, HookLocalOut})
	msg = appendAttr32(msg, attrMark, 0xbeef)
	msg = appendAttr32(msg, attrCTInfo, 2)
	msg = appendAttr(msg, attrCT|nlaFNested, []byte{8, 0, 8, 0, 0, 0, 0, 1})
	msg = appendAttr32(msg, 99, 0) // unknown: skipped
	msg = appendAttr(msg, attrPayload, []byte{0x45, 0, 0, 5, 9})
	msg = finish(msg, 0)
	var p Queued
	if err := parsePacket(msg, &p); err != nil {
		t.Fatal(err)
	}
	if p.ID != 256 || p.Queue != 5 || p.Hook != HookLocalOut || p.HWProto != 0x0800 || p.Mark != 0xbeef ||
		p.CTInfo != 2 || !p.HasCT || len(p.CT) != 8 || !bytes.Equal(p.Packet, []byte{0x45, 0, 0, 5, 9}) {
		t.Fatalf("parsed %+v", p)
	}
	if DirectionOf(p.Hook) != Outbound || DirectionOf(HookForward) != Inbound {
		t.Error("direction by hook")
	}
	for _, bad := range [][]byte{msg[:19], append(bytes.Clone(msg[:20]), 0xff, 0xff, 1, 0)} {
		if err := parsePacket(bad, &p); err == nil {
			t.Errorf("parsed % x", bad)
		}
	}
	noHeader := finish(appendAttr(appendHeader(nil, msgPacket, 0, 0, 5), attrPayload, []byte{1}), 0)
	if err := parsePacket(noHeader, &p); err == nil {
		t.Error("parsed a packet message without a packet header")
	}

	// Several messages in one datagram, and an acknowledgement.
	ack := native.AppendUint32(nil, 36)
	ack = native.AppendUint16(ack, nlmsgError)
	ack = append(ack, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0)
	ack = native.AppendUint32(ack, uint32(0xffffffff-15)) // -EBUSY
	ack = append(ack, make([]byte, 16)...)
	two := append(bytes.Clone(msg), ack...)
	first, typ, _, rest, err := splitMessage(two)
	if err != nil || typ != msgPacket || !bytes.Equal(first, msg) {
		t.Fatalf("first message: %v %x", err, typ)
	}
	second, typ, seq, rest, err := splitMessage(rest)
	if err != nil || typ != nlmsgError || seq != 7 || len(rest) != 0 {
		t.Fatalf("second message: %v %x %d %d", err, typ, seq, len(rest))
	}
	if code, _ := errnoOf(second); code != 16 {
		t.Errorf("errno %d, want EBUSY", code)
	}
}
