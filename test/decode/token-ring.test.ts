/**
 * IEEE 802.5 Token Ring (LINKTYPE_IEEE802_5 6): access control, frame
 * control, destination, source (its first bit: a routing information field
 * follows, 2 to 30 bytes, its length in the low 5 bits of its first byte),
 * then for LLC frames (frame control 01xxxxxx) an LLC/SNAP header giving
 * the EtherType. No shared capture holds this link type: frames are built.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { isKnownLinkType } from '../../src/decode/link.js';
import { addrs, decode, hex, survivesDamage, viewFacts } from '../helpers/decode-frame.js';

const ETHERNET = 1;
const TOKEN_RING = 6;
const A = '00:16:3e:00:00:10';
const C = '00:16:3e:00:00:20';
const mac = (m: string) => Buffer.from(B.parseMac(m));
const snap = (etherType: number, payload: Uint8Array) =>
  Buffer.concat([Buffer.of(0xaa, 0xaa, 0x03, 0, 0, 0, etherType >> 8, etherType & 0xff), payload]);
/** AC 0x10, FC `fc`, DA, SA (route bit set when a RIF is given), RIF, body. */
function tr(fc: number, body: Uint8Array, rif?: Buffer): Buffer {
  const sa = mac(A);
  if (rif) sa[0]! |= 0x80;
  return Buffer.concat([Buffer.of(0x10, fc), mac(C), sa, rif ?? Buffer.alloc(0), body]);
}

const v4 = B.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 53, payload: 'q' }) });
const arp = B.arp({ op: 'request', senderMac: A, senderIp: '10.0.0.1', targetIp: '10.0.0.2' });
/** Routing information: 2 bytes of routing control (length 6), two route descriptors. */
const RIF6 = hex('0630 0011 0020');

test('Token Ring is a known link type', () => {
  assert.ok(isKnownLinkType(TOKEN_RING));
});

test('IPv4 and ARP over Token Ring LLC/SNAP, with and without a RIF: the same view as over Ethernet', () => {
  for (const [et, payload] of [[0x0800, v4], [0x0806, arp]] as const) {
    const eth = decode(B.ethernet({ src: A, dst: C, etherType: et, payload }), ETHERNET);
    for (const rif of [undefined, hex('0200'), RIF6, Buffer.concat([hex('1e00'), Buffer.alloc(28)])]) {
      const { v, errs } = decode(tr(0x40, snap(et, payload), rif), TOKEN_RING);
      assert.equal(viewFacts(v), viewFacts(eth.v), `rif ${rif?.toString('hex')}`);
      assert.equal(errs.toObject(), {});
    }
  }
});

test('MAC frames: nothing read, nothing counted; a bad RIF length is counted', () => {
  const macFrame = decode(tr(0x01, snap(0x0800, v4)), TOKEN_RING);
  assert.is(addrs(macFrame.v), '-');
  assert.is(macFrame.v.macSrc, -1);
  assert.equal(macFrame.errs.toObject(), {});
  for (const rif of [hex('0000'), hex('0100'), hex('0500 000000')]) {
    const { v, errs } = decode(tr(0x40, snap(0x0800, v4), rif), TOKEN_RING);
    assert.is(addrs(v), '-');
    assert.equal(errs.toObject(), { 'tr.bad_rif_length': 1 });
  }
});

test('every truncation is counted, and random bytes never throw', () => {
  for (const rif of [undefined, RIF6]) {
    const frame = tr(0x40, snap(0x0800, v4), rif);
    for (let n = 0; n < 14 + (rif?.length ?? 0) + 8 + 20; n++) {
      const { v, errs } = decode(frame, TOKEN_RING, n);
      assert.ok(errs.total >= 1, `cut at ${n}`);
      assert.is(addrs(v), '-', `cut at ${n}`);
    }
    survivesDamage(frame, TOKEN_RING);
    survivesDamage(frame, TOKEN_RING, 2);
  }
  assert.equal(decode(tr(0x40, snap(0x0800, v4), RIF6), TOKEN_RING, 16).errs.toObject(), { 'tr.truncated': 1 });
});

test.run();
