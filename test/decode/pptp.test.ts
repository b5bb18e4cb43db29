/**
 * PPTP's enhanced GRE (GRE version 1, protocol 0x880b, RFC 2637): the PPP
 * frame's IP packet is decoded as if seen directly, the PPTP client and
 * server kept as the tunnel's outer header. The key field (payload length,
 * call id) is always there; sequence (S) and acknowledgment (A) numbers
 * when flagged.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { addrs, decode, hex, outerAddrs, survivesDamage } from '../helpers/decode-frame.js';

/** Inside the VPN: 172.16.36.2 → 172.16.0.10, DNS query. */
const inner = B.ipPacketRaw({ src: '172.16.36.2', dst: '172.16.0.10' }, B.IPPROTO.UDP, B.udp({ srcPort: 53000, dstPort: 53, payload: 'q' }));
const PPP_IP4 = hex('ff03 0021');

/** GRE version 1: flags/version | protocol 0x880b | payload length | call id | [seq] | [ack], then `payload`. */
function enhancedGre(flags: number, payload: Buffer, seq?: number, ack?: number, proto = 0x880b): Buffer {
  const parts: Buffer[] = [Buffer.alloc(8)];
  parts[0]!.writeUInt16BE(flags, 0);
  parts[0]!.writeUInt16BE(proto, 2);
  parts[0]!.writeUInt16BE(payload.length, 4);
  parts[0]!.writeUInt16BE(0x4001, 6);
  for (const n of [seq, ack]) {
    if (n === undefined) continue;
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    parts.push(b);
  }
  parts.push(payload);
  return Buffer.concat(parts);
}

/** PPTP client 192.0.2.7 → server 198.51.100.3, IP protocol 47. */
function frame(gre: Buffer): Buffer {
  return B.linkFrame(B.ipv4({ src: '192.0.2.7', dst: '198.51.100.3', proto: B.IPPROTO.GRE, payload: gre }));
}

test('key only, S, A, and S with A: the PPP frame\'s IPv4 packet is the view', () => {
  const ppp = Buffer.concat([PPP_IP4, inner]);
  for (const [what, gre] of [
    ['K', enhancedGre(0x2001, ppp)],
    ['K S', enhancedGre(0x3001, ppp, 7)],
    ['K A', enhancedGre(0x2081, ppp, undefined, 6)],
    ['K S A', enhancedGre(0x3081, ppp, 7, 6)],
  ] as const) {
    const { v, errs } = decode(frame(gre));
    assert.is(addrs(v), '172.16.36.2 > 172.16.0.10', what);
    assert.is(v.dstPort, 53, what);
    assert.is(v.tunnelDepth, 1, what);
    assert.is(outerAddrs(v, 0), '192.0.2.7 > 198.51.100.3', what);
    assert.equal(errs.toObject(), {}, what);
  }
});

test('the payload length bounds the PPP frame; an acknowledgment alone carries none', () => {
  const short = enhancedGre(0x3001, Buffer.concat([PPP_IP4, inner]), 7);
  short.writeUInt16BE(4 + inner.length - 1, 4); // one byte less than the PPP frame
  let r = decode(frame(short));
  assert.is(addrs(r.v), '172.16.36.2 > 172.16.0.10');
  assert.is(r.v.l3End, 14 + 20 + 12 + 4 + inner.length - 1, 'the inner packet ends with the GRE payload');
  assert.equal(r.errs.toObject(), { 'ipv4.total_length_exceeds_frame': 1 });
  r = decode(frame(enhancedGre(0x2081, Buffer.alloc(0), undefined, 9)));
  assert.is(r.v.tunnelDepth, 0);
  assert.is(addrs(r.v), '192.0.2.7 > 198.51.100.3');
  assert.equal(r.errs.toObject(), {});
});

test('compressed or encrypted PPP (CCP, 0x00fd) and LCP: nothing to open, nothing counted', () => {
  for (const ppp of [hex('fd 9000 1234 5678'), hex('ff03 c021 0901 0008 0000 0000')]) {
    const { v, errs } = decode(frame(enhancedGre(0x3001, ppp, 1)));
    assert.is(v.tunnelDepth, 0);
    assert.equal(errs.toObject(), {});
  }
});

test('version 1 without the key field, or with a checksum, is counted; another protocol is left alone', () => {
  let r = decode(frame(Buffer.concat([hex('0001 880b'), PPP_IP4, inner])));
  assert.equal(r.errs.toObject(), { 'pptp.bad_gre_header': 1 });
  assert.ok(r.v.malformed);
  r = decode(frame(enhancedGre(0xa001, Buffer.concat([PPP_IP4, inner]))));
  assert.equal(r.errs.toObject(), { 'pptp.bad_gre_header': 1 });
  r = decode(frame(enhancedGre(0x2001, inner, undefined, undefined, 0x0800)));
  assert.is(r.v.tunnelDepth, 0);
  assert.equal(r.errs.toObject(), {});
});

test('a header cut short is counted as truncated', () => {
  const { v, errs } = decode(frame(enhancedGre(0x3081, Buffer.concat([PPP_IP4, inner]), 7, 6)), 1, 14 + 20 + 12);
  assert.ok(v.truncated);
  assert.equal(errs.toObject(), { 'gre.truncated': 1 });
});

test('every truncation and random bytes: the decoder returns', () => {
  survivesDamage(frame(enhancedGre(0x3081, Buffer.concat([PPP_IP4, inner]), 7, 6)), 1, 14 + 20 + 4);
  survivesDamage(frame(enhancedGre(0x3081, Buffer.concat([PPP_IP4, inner]), 7, 6)), 1, 14 + 20 + 16);
});

test.run();
