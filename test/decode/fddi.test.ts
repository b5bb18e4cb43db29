/**
 * FDDI (LINKTYPE_FDDI 10): frame control, destination, source, then for LLC
 * frames (frame control 0x50-0x57 asynchronous, 0xd0-0xd7 synchronous) an
 * LLC/SNAP header giving the EtherType. Addresses are kept in the capture's
 * order (fddi.ts says why tshark's bit-swapped ones are not followed).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { isKnownLinkType } from '../../src/decode/link.js';
import { macToString } from '../../src/inventory/addr-format.js';
import { addrs, decode, hex, sharedFrames, survivesDamage, viewFacts } from '../helpers/decode-frame.js';

const ETHERNET = 1;
const FDDI = 10;
const A = '00:16:3e:00:00:10';
const C = '00:16:3e:00:00:20';
const mac = (m: string) => Buffer.from(B.parseMac(m));
const snap = (etherType: number, payload: Uint8Array) =>
  Buffer.concat([Buffer.of(0xaa, 0xaa, 0x03, 0, 0, 0, etherType >> 8, etherType & 0xff), payload]);
const fddi = (fc: number, body: Uint8Array) => Buffer.concat([Buffer.of(fc), mac(C), mac(A), body]);

const v4 = B.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: B.IPPROTO.TCP, payload: B.tcp({ srcPort: 40000, dstPort: 80, flags: 'S' }) });
const arp = B.arp({ op: 'request', senderMac: A, senderIp: '10.0.0.1', targetIp: '10.0.0.2' });

test('FDDI is a known link type', () => {
  assert.ok(isKnownLinkType(FDDI));
});

test('IPv4 and ARP over FDDI LLC/SNAP: the same view as over Ethernet', () => {
  for (const [et, payload] of [[0x0800, v4], [0x0806, arp]] as const) {
    const eth = decode(B.ethernet({ src: A, dst: C, etherType: et, payload }), ETHERNET);
    for (const fc of [0x50, 0x51, 0x57, 0xd0, 0xd4]) {
      const { v, errs } = decode(fddi(fc, snap(et, payload)), FDDI);
      assert.equal(viewFacts(v), viewFacts(eth.v), `fc ${fc.toString(16)}`);
      assert.equal(errs.toObject(), {});
    }
  }
});

test('SMT, MAC frames and tokens, and LLC without SNAP: nothing read, nothing counted', () => {
  for (const fc of [0x41, 0x4f, 0xc1, 0xc2, 0x80, 0xc0, 0x60]) {
    const { v, errs } = decode(fddi(fc, snap(0x0800, v4)), FDDI);
    assert.is(addrs(v), '-', fc.toString(16));
    assert.is(v.macSrc, -1);
    assert.equal(errs.toObject(), {});
  }
  const stp = decode(fddi(0x50, hex('424203 0000 00')), FDDI);
  assert.is(macToString(stp.v.macSrc), A);
  assert.is(addrs(stp.v), '-');
  assert.equal(stp.errs.toObject(), {});
});

test('every truncation is counted, and random bytes never throw', () => {
  const frame = fddi(0x50, snap(0x0800, v4));
  for (let n = 0; n < 13 + 8 + 20; n++) {
    const { v, errs } = decode(frame, FDDI, n);
    assert.ok(errs.total >= 1, `cut at ${n}`);
    assert.is(addrs(v), '-', `cut at ${n}`);
  }
  assert.equal(decode(frame, FDDI, 5).errs.toObject(), { 'fddi.truncated': 1 });
  assert.equal(decode(frame, FDDI, 15).errs.toObject(), { 'llc.truncated': 1 });
  assert.equal(decode(frame, FDDI, 18).errs.toObject(), { 'snap.truncated': 1 });
  survivesDamage(frame, FDDI);
  survivesDamage(frame, FDDI, 1);
  survivesDamage(fddi(0x50, snap(0x0806, arp)), FDDI, 16);
});

test('Zeek\'s FDDI captures: the addresses tshark shows', async () => {
  // tshark -r llc.pcap -T fields -e frame.protocols -e ip.src -e ip.dst: 1333 x fddi:llc:ip:tcp 128.3.140.132 194.140.136.34.
  // Bytes 1-12: aa:00:04:00:82:a7, aa:00:04:00:83:a7 (DECnet's canonical prefix); tshark shows them bit-swapped (55:00:20:00:41:e5).
  const seen = new Map<string, number>();
  let errs = await sharedFrames('zeek', 'llc.pcap', (_i, v) => {
    const k = `${addrs(v)} ${macToString(v.macSrc)} > ${macToString(v.macDst)}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  });
  if (errs === null) return;
  assert.equal([...seen], [['128.3.140.132 > 194.140.136.34 aa:00:04:00:83:a7 > aa:00:04:00:82:a7', 1333]]);
  assert.equal(errs.toObject(), {});
  // tshark -r dns-inverse-query.pcap: 5 frames 131.243.64.3 > 212.180.42.100, 6 back.
  const pairs = new Map<string, number>();
  errs = await sharedFrames('zeek', 'dns-inverse-query.pcap', (_i, v) => pairs.set(addrs(v), (pairs.get(addrs(v)) ?? 0) + 1));
  if (errs === null) return;
  assert.equal(Object.fromEntries(pairs), { '131.243.64.3 > 212.180.42.100': 5, '212.180.42.100 > 131.243.64.3': 6 });
  assert.equal(errs.toObject(), {});
});

test.run();
