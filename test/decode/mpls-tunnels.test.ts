/**
 * MPLS inside a tunnel: over UDP (port 6635, RFC 7510), in GRE (protocol
 * 0x8847, RFC 4023) and in IP (protocol 137). The label stack is walked to
 * the bottom-of-stack bit and IP guessed by its version nibble, by the same
 * code as MPLS on Ethernet; the tunnel's endpoints are kept as its outer
 * header.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { addrs, decode, hex, outerAddrs, sharedFrames, survivesDamage } from '../helpers/decode-frame.js';

const inner = B.ipPacketRaw({ src: '10.3.0.10', dst: '10.1.0.10' }, B.IPPROTO.ICMP, hex('0800 0000 a6eb 0010 61626364'));
const inner6 = B.ipPacketRaw({ src: 'fd00:3::10', dst: 'fd00:1::10' }, B.IPPROTO.ICMPV6, hex('8000 0000 a6eb 0010 61626364'));
/** Two labels: 1000 (TTL 63), then 21 with the bottom-of-stack bit (TTL 63). */
const LABELS = hex('003e8 0 3f | 00015 1 3f');

const OUTER = { src: '10.100.12.170', dst: '10.100.13.157' };

function overUdp(payload: Buffer, sport = 58699): Buffer {
  return B.udpPacket({ ...OUTER, sport, dport: 6635, payload });
}

test('over UDP 6635: label stack, then IPv4 or IPv6', () => {
  for (const [pkt, want] of [[inner, '10.3.0.10 > 10.1.0.10'], [inner6, 'fd00:3::10 > fd00:1::10']] as const) {
    const { v, errs } = decode(overUdp(Buffer.concat([LABELS, pkt])));
    assert.is(addrs(v), want);
    assert.is(v.tunnelDepth, 1);
    assert.is(outerAddrs(v, 0), '10.100.12.170 > 10.100.13.157');
    assert.equal(errs.toObject(), {});
  }
});

test('over UDP from a well-known port: not MPLS, plain UDP', () => {
  const { v, errs } = decode(overUdp(Buffer.concat([LABELS, inner]), 53));
  assert.is(v.tunnelDepth, 0);
  assert.is(v.dstPort, 6635);
  assert.equal(errs.toObject(), {});
});

test('in GRE, unicast and multicast EtherTypes', () => {
  for (const protocol of [0x8847, 0x8848]) {
    const gre = B.gre({ protocol, payload: Buffer.concat([LABELS, inner]) });
    const { v, errs } = decode(B.linkFrame(B.ipv4({ ...OUTER, proto: B.IPPROTO.GRE, payload: gre })));
    assert.is(addrs(v), '10.3.0.10 > 10.1.0.10');
    assert.is(v.tunnelDepth, 1);
    assert.is(outerAddrs(v, 0), '10.100.12.170 > 10.100.13.157');
    assert.equal(errs.toObject(), {});
  }
});

test('in IPv4 and IPv6 (protocol 137)', () => {
  for (const outer of [B.ipv4({ ...OUTER, proto: 137, payload: Buffer.concat([LABELS, inner]) }), B.ipv6({ src: 'fd00::1', dst: 'fd00::2', nextHeader: 137, payload: Buffer.concat([LABELS, inner]) })]) {
    const { v, errs } = decode(B.linkFrame(outer));
    assert.is(addrs(v), '10.3.0.10 > 10.1.0.10');
    assert.is(v.tunnelDepth, 1);
    assert.equal(errs.toObject(), {});
  }
});

test('a stack without its bottom is counted as MPLS truncated; a non-IP payload as an unknown version', () => {
  let r = decode(overUdp(hex('003e803f 003e803f')));
  assert.equal(r.errs.toObject(), { 'mpls.truncated': 1 });
  r = decode(overUdp(Buffer.concat([LABELS, hex('0000 0000 0000')])));
  assert.equal(r.errs.toObject(), { 'raw.bad_ip_version': 1 });
  assert.is(r.v.tunnelDepth, 1, 'the tunnel was entered: its endpoints are still kept');
});

test('every truncation and random bytes: the decoder returns', () => {
  survivesDamage(overUdp(Buffer.concat([LABELS, inner])), 1, 14 + 20 + 8);
  survivesDamage(B.linkFrame(B.ipv4({ ...OUTER, proto: 137, payload: Buffer.concat([LABELS, inner]) })), 1, 14 + 20);
});

test('tcpdump\'s mpls-over-udp.pcap: the ICMP echo inside each datagram', async () => {
  const seen: string[] = [];
  const errs = await sharedFrames('tcpdump', 'mpls-over-udp.pcap', (_i, v) => {
    seen.push(`${outerAddrs(v, 0)} | ${addrs(v)} icmp ${v.icmpType}`);
  });
  if (errs === null) return;
  // tcpdump: 10.100.12.170.58699 > 10.100.13.157.6635: MPLS (label 21, [S]) IP 10.3.0.10 > 10.1.0.10: ICMP echo request, and the reply
  assert.equal(seen, [
    '10.100.12.170 > 10.100.13.157 | 10.3.0.10 > 10.1.0.10 icmp 8',
    '10.100.13.157 > 10.100.12.170 | 10.1.0.10 > 10.3.0.10 icmp 0',
  ]);
  assert.equal(errs.toObject(), {});
});

test.run();
