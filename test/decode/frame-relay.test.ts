/**
 * Frame Relay (LINKTYPE_FRELAY 107): a Q.922 address (2 to 4 bytes, EA bit
 * on the last), then RFC 2427 encapsulation (UI 0x03, optional pad, NLPID
 * 0xcc / 0x8e / 0x80 SNAP) or Cisco's (an EtherType). The shared tcpdump
 * captures are compared with tshark in test/engine/tshark-diff.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { isKnownLinkType } from '../../src/decode/link.js';
import { addrs, decode, hex, sharedFrames, survivesDamage, viewFacts } from '../helpers/decode-frame.js';

const RAW = 101;
const FR = 107;
/** DLCI 302, 2-byte address (as tcpdump's OSPFv3 captures). */
const ADDR = hex('48e1');

const v4 = B.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 53, payload: 'q' }) });
const v6 = B.ipv6({ src: 'fd00::1', dst: 'fd00::2', nextHeader: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 53, payload: 'q' }) });
const raw = (p: Uint8Array) => viewFacts(decode(Buffer.from(p), RAW).v);
const ipFacts = (v: ReturnType<typeof viewFacts>) => ({ ...v, etherType: undefined, macSrc: undefined, macDst: undefined });

test('Frame Relay is a known link type', () => {
  assert.ok(isKnownLinkType(FR));
});

test("Cisco's and RFC 2427's encapsulations, 2- to 4-byte addresses: the IP packet as raw IP gives it", () => {
  const cases: [string, Buffer, Uint8Array][] = [
    ['cisco ipv4', Buffer.concat([ADDR, hex('0800'), v4]), v4],
    ['cisco ipv6', Buffer.concat([ADDR, hex('86dd'), v6]), v6],
    ['nlpid ipv4', Buffer.concat([ADDR, hex('03 cc'), v4]), v4],
    ['nlpid ipv6, padded', Buffer.concat([ADDR, hex('03 00 8e'), v6]), v6],
    ['snap routed ipv4', Buffer.concat([ADDR, hex('03 00 80 000000 0800'), v4]), v4],
    ['3-byte address', Buffer.concat([hex('48 e0 01'), hex('03 cc'), v4]), v4],
    ['4-byte address', Buffer.concat([hex('48 e0 00 01'), hex('03 cc'), v4]), v4],
  ];
  for (const [name, frame, packet] of cases) {
    const { v, errs } = decode(frame, FR);
    assert.equal(ipFacts(viewFacts(v)), ipFacts(raw(packet)), name);
    assert.equal(errs.toObject(), {}, name);
  }
});

test('bridged Ethernet in SNAP 00-80-C2 (with and without its FCS); OSI and signalling carry nothing and are no error', () => {
  const eth = B.ethernet({ src: '00:16:3e:00:00:10', dst: '00:16:3e:00:00:20', etherType: 0x0800, payload: v4 });
  const plain = viewFacts(decode(eth, 1).v);
  assert.equal(viewFacts(decode(Buffer.concat([ADDR, hex('03 00 80 0080c2 0007'), eth]), FR).v), plain);
  assert.equal(viewFacts(decode(Buffer.concat([ADDR, hex('03 00 80 0080c2 0001'), eth, hex('deadbeef')]), FR).v), plain);
  for (const nlpid of ['81', '83', '08']) {
    const { v, errs } = decode(Buffer.concat([ADDR, hex('03' + nlpid), v4]), FR);
    assert.is(addrs(v), '-', nlpid);
    assert.equal(errs.toObject(), {}, nlpid);
  }
});

test('an address without its EA bit in 4 bytes, or of 1 byte, is counted', () => {
  assert.equal(decode(Buffer.concat([hex('48 e0 00 00 02'), hex('03 cc'), v4]), FR).errs.toObject(), { 'fr.bad_address': 1 });
  assert.equal(decode(Buffer.concat([hex('49'), hex('03 cc'), v4]), FR).errs.toObject(), { 'fr.bad_address': 1 });
});

test('every truncation is counted, and random bytes never throw', () => {
  for (const frame of [Buffer.concat([ADDR, hex('0800'), v4]), Buffer.concat([ADDR, hex('03 00 80 000000 0800'), v4])]) {
    const l3 = frame.length - v4.length;
    for (let n = 0; n < l3 + 20; n++) {
      const { v, errs } = decode(frame, FR, n);
      assert.ok(errs.total >= 1, `cut at ${n}`);
      assert.is(addrs(v), '-', `cut at ${n}`);
    }
    survivesDamage(frame, FR);
    survivesDamage(frame, FR, 2);
  }
});

test("tcpdump's OSPFv3_NBMA_adjacencies.pcap: the OSPFv3 hellos tshark shows", async () => {
  const from = new Map<string, number>();
  const errs = await sharedFrames('tcpdump', 'OSPFv3_NBMA_adjacencies.pcap', (_i, v) => {
    const src = addrs(v).split(' > ')[0]!;
    from.set(src, (from.get(src) ?? 0) + 1);
  });
  if (errs === null) return;
  // tshark -r OSPFv3_NBMA_adjacencies.pcap -T fields -e ipv6.src | sort | uniq -c
  assert.equal(Object.fromEntries(from), { 'fe80::3': 43, 'fe80::2': 21, 'fe80::1': 22 });
  assert.equal(errs.toObject(), {});
});

test.run();
