/**
 * L2TPv2 (UDP 1701 on either side): a data message's PPP frame is opened
 * and its IP packet decoded as if seen directly, the LAC and LNS kept as the
 * tunnel's outer header. Control messages, other versions and datagrams
 * from well-known ports stay plain UDP.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { L3 } from '../../src/decode/view.js';
import { addrs, decode, hex, outerAddrs, survivesDamage } from '../helpers/decode-frame.js';

/** The subscriber's packet: 100.64.0.9 → 93.184.216.34, TCP SYN to 443. */
const inner = B.ipPacketRaw({ src: '100.64.0.9', dst: '93.184.216.34' }, B.IPPROTO.TCP, B.tcp({ srcPort: 50123, dstPort: 443, flags: 'S', seq: 1 }));
const inner6 = B.ipPacketRaw({ src: '2001:db8:64::9', dst: '2001:db8::443' }, B.IPPROTO.TCP, B.tcp({ srcPort: 50123, dstPort: 443, flags: 'S', seq: 1 }));
/** PPP: address, control, protocol 0x0021 (IPv4). */
const PPP_IP4 = hex('ff 03 0021');

/** LAC 192.0.2.1 → LNS 198.51.100.2. */
function frame(payload: Buffer, sport = 1701, dport = 1701): Buffer {
  return B.udpPacket({ src: '192.0.2.1', dst: '198.51.100.2', sport, dport, payload });
}

test('the smallest data message: flags (version 2) | tunnel id | session id, then PPP', () => {
  const { v, errs } = decode(frame(Buffer.concat([hex('0002 | 0001 | 0002'), PPP_IP4, inner])));
  assert.is(addrs(v), '100.64.0.9 > 93.184.216.34');
  assert.is(v.dstPort, 443);
  assert.is(v.tunnelDepth, 1);
  assert.is(outerAddrs(v, 0), '192.0.2.1 > 198.51.100.2');
  assert.equal(errs.toObject(), {});
});

test('length, Ns/Nr and offset fields, each and all together', () => {
  const body = Buffer.concat([PPP_IP4, inner]);
  const cases: [string, Buffer][] = [
    // L: flags | length | tunnel | session
    ['L', Buffer.concat([hex('4002'), u16(8 + body.length), hex('0001 0002')])],
    // S: flags | tunnel | session | Ns | Nr
    ['S', hex('0802 | 0001 0002 | 0005 0007')],
    // O: flags | tunnel | session | offset size 3 | 3 bytes of padding
    ['O', hex('0202 | 0001 0002 | 0003 | 000000')],
    // L S O P: flags | length | tunnel | session | Ns Nr | offset size 0
    ['LSOP', Buffer.concat([hex('4b02'), u16(14 + body.length), hex('0001 0002 | 0005 0007 | 0000')])],
  ];
  for (const [what, hdr] of cases) {
    const { v, errs } = decode(frame(Buffer.concat([hdr, body])));
    assert.is(addrs(v), '100.64.0.9 > 93.184.216.34', what);
    assert.equal(errs.toObject(), {}, what);
  }
});

test('on either side, or with an ephemeral port on the other side', () => {
  for (const [sport, dport] of [[1701, 50000], [50000, 1701]] as const) {
    const { v } = decode(frame(Buffer.concat([hex('0002 0001 0002'), PPP_IP4, inner]), sport, dport));
    assert.is(v.tunnelDepth, 1, `${sport} → ${dport}`);
  }
});

test('IPv6 in PPP, and the compressed PPP header forms (no address/control, 1-byte protocol)', () => {
  for (const [ppp, pkt, want] of [
    [hex('ff03 0057'), inner6, L3.IPv6],
    [hex('0021'), inner, L3.IPv4],
    [hex('21'), inner, L3.IPv4],
    [hex('ff03 57'), inner6, L3.IPv6],
  ] as const) {
    const { v, errs } = decode(frame(Buffer.concat([hex('0002 0001 0002'), ppp, pkt])));
    assert.is(v.l3, want, ppp.toString('hex'));
    assert.is(v.tunnelDepth, 1);
    assert.equal(errs.toObject(), {});
  }
});

test('PPP control protocols (LCP, IPCP) in a data message: nothing to open, nothing counted', () => {
  for (const ppp of [hex('ff03 c021 01 01 0004'), hex('ff03 8021 01 01 0004')]) {
    const { v, errs } = decode(frame(Buffer.concat([hex('0002 0001 0002'), ppp])));
    assert.is(v.tunnelDepth, 0);
    assert.is(v.dstPort, 1701);
    assert.equal(errs.toObject(), {});
  }
});

test('control messages, version 3, reserved bits, a bad length and well-known ports stay plain UDP, uncounted', () => {
  const body = Buffer.concat([PPP_IP4, inner]);
  const cases: [string, Buffer, number][] = [
    ['control (T, L, S)', hex('c802 000c 0001 0000 0000 0000'), 1701],
    ['version 3', Buffer.concat([hex('0003 0001 0002'), body]), 1701],
    ['reserved bit', Buffer.concat([hex('0012 0001 0002'), body]), 1701],
    ['length longer than the datagram', Buffer.concat([hex('4002'), u16(8 + body.length + 1), hex('0001 0002'), body]), 1701],
    ['length shorter than the header', Buffer.concat([hex('4002 0004 0001 0002'), body]), 1701],
    ['from port 53', Buffer.concat([hex('0002 0001 0002'), body]), 53],
  ];
  for (const [what, payload, sport] of cases) {
    const { v, errs } = decode(frame(payload, sport, 1701));
    assert.is(v.tunnelDepth, 0, what);
    assert.is(addrs(v), '192.0.2.1 > 198.51.100.2', what);
    assert.equal(errs.toObject(), {}, what);
  }
});

test('a data message cut short is counted', () => {
  const f = frame(Buffer.concat([hex('0802 0001 0002 0005 0007'), PPP_IP4, inner]));
  const { v, errs } = decode(f, 1, 14 + 20 + 8 + 8);
  assert.ok(v.truncated);
  assert.equal(errs.toObject(), { 'l2tp.truncated': 1 });
  const r = decode(f, 1, 14 + 20 + 8 + 12 + 1);
  assert.equal(r.errs.toObject(), { 'ppp.truncated': 1 });
});

test('every truncation and random bytes: the decoder returns', () => {
  survivesDamage(frame(Buffer.concat([hex('4b02'), u16(14 + 4 + inner.length), hex('0001 0002 0005 0007 0000'), PPP_IP4, inner])), 1, 14 + 20 + 8);
  survivesDamage(frame(Buffer.concat([hex('0002 0001 0002'), PPP_IP4, inner])), 1, 14 + 20 + 8 + 2);
});

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

test.run();
