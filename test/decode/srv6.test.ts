/**
 * SRv6: IPv6 with a segment routing header (routing type 4, RFC 8754).
 * With segments left, the connection's destination is the last segment,
 * first in the reversed segment list (as tshark's conversations and the
 * type 0 routing header's handling count it). SRv6 encapsulation can carry
 * an Ethernet frame (next header 143, RFC 8986), decoded as if seen
 * directly, like IPv6 in IPv6.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { L3 } from '../../src/decode/view.js';
import { addrs, decode, hex, outerAddrs, sharedFrames, survivesDamage } from '../helpers/decode-frame.js';

/** Routing header body: type 4 | segments left | last entry | flags | tag (2), then the segment list, last segment first. */
function srh(segLeft: number, segments: string[], tlvs: Buffer = Buffer.alloc(0)): { type: 'raw'; code: number; body: Uint8Array } {
  const list = Buffer.concat(segments.map((s) => Buffer.from(B.parseIpv6(s))));
  return { type: 'raw', code: 43, body: Buffer.concat([Buffer.from([4, segLeft, segments.length - 1, 0, 0, 0]), list, tlvs]) };
}

function udp6(segLeft: number, segments: string[], tlvs?: Buffer): Buffer {
  return B.linkFrame(B.ipv6({
    src: '12::1',
    dst: '2::f1:0',
    nextHeader: B.IPPROTO.UDP,
    extHeaders: [srh(segLeft, segments, tlvs)],
    payload: B.udp({ srcPort: 57745, dstPort: 5001, payload: 'data' }),
  }));
}

test('segments left: the destination is segment 0, the final one', () => {
  const { v, errs } = decode(udp6(2, ['b2::2', '3::d6', '2::f1:0']));
  assert.is(addrs(v), '12::1 > b2::2');
  assert.is(v.dstPort, 5001);
  assert.equal(errs.toObject(), {});
});

test('with TLVs after the segment list (HMAC, padding): still segment 0', () => {
  const { v } = decode(udp6(1, ['b2::2', '2::f1:0'], hex('0106 0000 0000 0000')));
  assert.is(addrs(v), '12::1 > b2::2');
});

test('no segments left: the header\'s destination is the final one', () => {
  const { v } = decode(udp6(0, ['2::f1:0']));
  assert.is(addrs(v), '12::1 > 2::f1:0');
});

test('an Ethernet frame after the SRH (next header 143) is opened; the SRv6 nodes are the outer layer', () => {
  const frame = B.linkFrame(B.ipv6({ src: 'a::2', dst: 'e::2', nextHeader: B.IPPROTO.ICMPV6, payload: hex('8000 0000 4854 053b') }), { srcMac: '02:00:00:00:0a:02' });
  const outer = B.linkFrame(B.ipv6({ src: 'a::1', dst: 'c::2', nextHeader: 143, extHeaders: [srh(0, ['c::2'])], payload: frame }));
  const { v, errs } = decode(outer);
  assert.is(v.l3, L3.IPv6);
  assert.is(addrs(v), 'a::2 > e::2');
  assert.is(v.macSrc, 0x020000000a02);
  assert.is(v.tunnelDepth, 1);
  assert.is(outerAddrs(v, 0), 'a::1 > c::2');
  assert.equal(errs.toObject(), {});
});

test('every truncation and random bytes: the decoder returns', () => {
  survivesDamage(udp6(2, ['b2::2', '3::d6', '2::f1:0']), 1, 14 + 40);
});

test('tcpdump\'s SRv6 captures, as tshark reads them', async () => {
  const seen: string[] = [];
  for (const name of ['ipv6-srh-insert-cksum.pcap', 'ipv6-srh-ipproto-ether.pcap', 'ipv6-srh-ext-header.pcap']) {
    const errs = await sharedFrames('tcpdump', name, (_i, v) => {
      seen.push(`${name}: ${v.tunnelDepth ? `${outerAddrs(v, 0)} | ` : ''}${addrs(v)}`);
    });
    if (errs === null) return;
    assert.equal(errs.toObject(), {}, name);
  }
  assert.equal(seen, [
    // tshark's UDP conversation: 12::1:57745 <-> b2::2:5001 (segments left 2, segment 0 b2::2)
    'ipv6-srh-insert-cksum.pcap: 12::1 > b2::2',
    // tshark: ipv6:ipv6.routing:eth:ethertype:ipv6:icmpv6, a::2 inside
    'ipv6-srh-ipproto-ether.pcap: a::1 > c::2 | a::2 > e::2',
    // IPv6 in IPv6 after the SRH: the outer destination is the final segment, a:b:c:3::d6
    'ipv6-srh-ext-header.pcap: a:b:c:12::1 > a:b:c:3::d6 | a:b:c:12::1 > b2::2',
  ]);
});

test.run();
