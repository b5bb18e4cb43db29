/**
 * Ethernet with a switch chip's tag after the source MAC (Linux DSA):
 * Marvell DSA (284, 4 bytes), Marvell EDSA (285, 8 bytes), Broadcom (281,
 * 4 bytes) and Broadcom prepended (282, 4 bytes before the destination).
 * tshark 4.0 does not read these link types; tcpdump does, and the shared
 * captures are compared with it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { isKnownLinkType } from '../../src/decode/link.js';
import { addrs, agreesWithTcpdump, decode, hex, survivesDamage, viewFacts } from '../helpers/decode-frame.js';
import { haveTool, skip } from '../helpers/skip.js';

const ETHERNET = 1;
const DSA = 284;
const EDSA = 285;
const BRCM = 281;
const BRCM_PREPEND = 282;
const A = '00:16:3e:00:00:10';
const C = '00:16:3e:00:00:20';

const v4 = B.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 53, payload: 'q' }) });
const eth = B.ethernet({ src: A, dst: C, etherType: 0x0800, payload: v4 });
/** The Ethernet frame with `tag` put after the source MAC (or before the destination). */
const tagged = (tag: Buffer, prepend = false) => (prepend ? Buffer.concat([tag, eth]) : Buffer.concat([eth.subarray(0, 12), tag, eth.subarray(12)]));
/** Marvell Forward mode, device 0, port 1; `vlanTagged`: the Tagged bit, with VID 1337. */
const marvell = (vlanTagged: boolean) => (vlanTagged ? hex('e0 08 05 39') : hex('c0 08 00 00'));

test('the four link types are known', () => {
  for (const t of [DSA, EDSA, BRCM, BRCM_PREPEND]) assert.ok(isKnownLinkType(t), String(t));
});

test('each tag is skipped: the same view as the plain Ethernet frame', () => {
  const plain = viewFacts(decode(eth, ETHERNET).v);
  const cases: [number, Buffer][] = [
    [DSA, tagged(marvell(false))],
    [EDSA, tagged(Buffer.concat([hex('dada 0000'), marvell(false)]))],
    [BRCM, tagged(hex('20 00 00 80'))],
    [BRCM_PREPEND, tagged(hex('20 00 00 80'), true)],
  ];
  for (const [lt, frame] of cases) {
    const { v, errs } = decode(frame, lt);
    assert.equal(viewFacts(v), plain, String(lt));
    assert.equal(errs.toObject(), {});
  }
});

test("a Marvell tag with its Tagged bit gives the frame's VLAN; an untagged frame's VID is not taken", () => {
  assert.is(decode(tagged(marvell(true)), DSA).v.vlan, 1337);
  assert.is(decode(tagged(Buffer.concat([hex('dada 0000'), marvell(true)])), EDSA).v.vlan, 1337);
  assert.is(decode(tagged(hex('c0 08 05 39')), DSA).v.vlan, -1);
});

test('every truncation is counted, and random bytes never throw', () => {
  for (const [lt, frame, tagLen] of [[DSA, tagged(marvell(false)), 4], [EDSA, tagged(Buffer.concat([hex('dada 0000'), marvell(false)])), 8], [BRCM_PREPEND, tagged(hex('20000080'), true), 4]] as const) {
    for (let n = 0; n < 14 + tagLen + 20; n++) {
      const { v, errs } = decode(frame, lt, n);
      assert.ok(errs.total >= 1, `${lt}: cut at ${n}`);
      assert.is(addrs(v), '-', `${lt}: cut at ${n}`);
    }
    survivesDamage(frame, lt);
    survivesDamage(frame, lt, 12);
  }
});

test('the shared captures: the IPv4 packets tcpdump shows, and no error', async () => {
  if (!haveTool('tcpdump')) return skip('tcpdump is not installed');
  for (const name of ['dsa.pcap', 'dsa-high-vid.pcap', 'edsa.pcap', 'brcm-tag.pcap']) {
    const errs = await agreesWithTcpdump('tcpdump', name);
    if (errs !== null) assert.equal(errs.toObject(), {}, name);
  }
});

test.run();
