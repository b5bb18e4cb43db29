/**
 * GTPv1-U (UDP 2152 on either side): a G-PDU's user packet is decoded as if
 * seen directly, the base station and gateway kept as the tunnel's outer
 * header. The header itself decides (version 1, PT 1, type 255, a length
 * matching the datagram); the optional 4 bytes and the extension header
 * chain are skipped.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { L3 } from '../../src/decode/view.js';
import { addrs, decode, hex, outerAddrs, sharedFrames, survivesDamage } from '../helpers/decode-frame.js';

/** The user's packet: 10.45.0.7:40000 → 8.8.8.8:53. */
const inner4 = B.ipPacketRaw({ src: '10.45.0.7', dst: '8.8.8.8' }, B.IPPROTO.UDP, B.udp({ srcPort: 40000, dstPort: 53, payload: 'query' }));
const inner6 = B.ipPacketRaw({ src: '2001:db8:45::7', dst: '2001:db8::53' }, B.IPPROTO.UDP, B.udp({ srcPort: 40000, dstPort: 53, payload: 'query' }));

/**
 * flags | type | length (after the first 8 bytes) | TEID, then `rest`
 * (optional fields, extension headers, T-PDU).
 */
function gtp(flags: number, rest: Buffer, type = 0xff, length = rest.length): Buffer {
  const h = Buffer.alloc(8);
  h[0] = flags;
  h[1] = type;
  h.writeUInt16BE(length, 2);
  h.writeUInt32BE(0x0000abcd, 4);
  return Buffer.concat([h, rest]);
}

/** eNodeB 192.0.2.1 → gateway 192.0.2.2, UDP `sport` → `dport`. */
function frame(payload: Buffer, sport = 2152, dport = 2152): Buffer {
  return B.udpPacket({ src: '192.0.2.1', dst: '192.0.2.2', sport, dport, payload });
}

test('a G-PDU with the 8-byte header: the user packet is the view, the tunnel endpoints are kept', () => {
  const { v, errs } = decode(frame(gtp(0x30, inner4)));
  assert.is(addrs(v), '10.45.0.7 > 8.8.8.8');
  assert.is(v.dstPort, 53);
  assert.is(v.tunnelDepth, 1);
  assert.is(outerAddrs(v, 0), '192.0.2.1 > 192.0.2.2');
  assert.is(v.macSrc, -1, 'the frame\'s MAC is the tunnel endpoint\'s');
  assert.equal(errs.toObject(), {});
});

test('IPv6 inside, by the version nibble; 2152 on one side only, either side', () => {
  for (const [sport, dport] of [[2152, 2152], [50000, 2152], [2152, 50000]] as const) {
    const { v } = decode(frame(gtp(0x30, inner6), sport, dport));
    assert.is(v.l3, L3.IPv6, `${sport} → ${dport}`);
    assert.is(addrs(v), '2001:db8:45::7 > 2001:db8::53');
  }
});

test('sequence number present (S): the optional 4 bytes are skipped', () => {
  // seq 0x0102 | N-PDU 0 | next extension type 0
  const { v, errs } = decode(frame(gtp(0x32, Buffer.concat([hex('0102 00 00'), inner4]))));
  assert.is(addrs(v), '10.45.0.7 > 8.8.8.8');
  assert.equal(errs.toObject(), {});
});

test('extension headers (E): the chain is walked to type 0', () => {
  const rest = Buffer.concat([
    hex('0000 00 85'), // seq | N-PDU | next: PDU session container
    hex('01 | 10 05 | 40'), // length 1 (4 bytes) | content | next: 0x40 (UDP port)
    hex('02 | 1234 5678 9abc | 00'), // length 2 (8 bytes) | content | next: none
    inner4,
  ]);
  const { v, errs } = decode(frame(gtp(0x34, rest)));
  assert.is(addrs(v), '10.45.0.7 > 8.8.8.8');
  assert.is(v.tunnelDepth, 1);
  assert.equal(errs.toObject(), {});
});

test('a bad extension chain is counted: length 0, too many, running past the message', () => {
  const zero = Buffer.concat([hex('0000 00 85'), hex('00 000000'), inner4]);
  let r = decode(frame(gtp(0x34, zero)));
  assert.is(r.v.tunnelDepth, 0);
  assert.equal(r.errs.toObject(), { 'gtp.bad_extension_length': 1 });

  const loop = Buffer.concat([hex('0000 00 85'), Buffer.from(Array.from({ length: 20 }, () => [0x01, 0, 0, 0x85]).flat()), inner4]);
  r = decode(frame(gtp(0x34, loop)));
  assert.equal(r.errs.toObject(), { 'gtp.too_many_extension_headers': 1 });

  const past = Buffer.concat([hex('0000 00 85'), hex('03 000000')]);
  r = decode(frame(gtp(0x34, past)));
  assert.equal(r.errs.toObject(), { 'gtp.bad_length': 1 });
});

test('a header cut by the snap length is counted as truncated', () => {
  const f = frame(gtp(0x34, Buffer.concat([hex('0000 00 85'), hex('02 1234 5678 9abc 00'), inner4])));
  const { v, errs } = decode(f, 1, 14 + 20 + 8 + 12 + 4);
  assert.ok(v.truncated);
  assert.equal(errs.toObject(), { 'gtp.truncated': 1 });
  assert.is(addrs(v), '192.0.2.1 > 192.0.2.2', 'the outer packet stays');
});

test('not a G-PDU, not version 1, GTP\'s PT 0, or a length that disagrees: plain UDP, nothing counted', () => {
  const cases: [string, Buffer][] = [
    ['echo request (type 1)', gtp(0x32, hex('0001 0000'), 0x01)],
    ['end marker (type 254)', gtp(0x30, Buffer.alloc(0), 0xfe)],
    ['version 2', gtp(0x50, inner4)],
    ['PT 0 (GTP\')', gtp(0x20, inner4)],
    ['length too long', gtp(0x30, inner4, 0xff, inner4.length + 1)],
    ['length too short', gtp(0x30, inner4, 0xff, inner4.length - 4)],
    ['DNS answer to a client that picked 2152', hex('1234 8180 0001 0001 0000 0000')],
  ];
  for (const [what, payload] of cases) {
    const { v, errs } = decode(frame(payload, 53, 2152));
    assert.is(v.tunnelDepth, 0, what);
    assert.is(v.proto, 17, what);
    assert.is(addrs(v), '192.0.2.1 > 192.0.2.2', what);
    assert.equal(errs.toObject(), {}, what);
  }
});

test('an Ethernet or unstructured PDU (no IP version nibble) is left as the outer packet', () => {
  const { v, errs } = decode(frame(gtp(0x30, hex('0011 2233 4455 6677 8899 aabb 0800'))));
  assert.is(v.tunnelDepth, 0);
  assert.is(v.dstPort, 2152);
  assert.equal(errs.toObject(), {});
});

test('every truncation and random bytes: the decoder returns', () => {
  const f = frame(gtp(0x34, Buffer.concat([hex('0000 00 85'), hex('01 1005 00'), inner4])));
  survivesDamage(f, 1, 14 + 20 + 8 + 4); // keep the UDP header and GTP's flags and type
  survivesDamage(f, 1, 14 + 20 + 8);
});

test('zeek\'s GTP-U captures: every G-PDU is opened', async () => {
  // tshark: 'gtp' followed by 'ip' in frame.protocols.
  let opened = 0;
  let frames = 0;
  const errs = await sharedFrames('zeek', 'tunnels/gtp/gtp1_gn_normal_incl_fragmentation.pcap', (_i, v) => {
    frames++;
    if (v.tunnelDepth === 1 && v.l3 !== L3.None) opened++;
  });
  if (errs === null) return;
  assert.ok(frames > 0);
  assert.ok(opened > 0);
  assert.equal(errs.toObject(), {});
});

test.run();
