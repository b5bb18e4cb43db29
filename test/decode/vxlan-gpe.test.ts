/**
 * VXLAN-GPE (UDP 4790): VXLAN's header with a version, the P flag and a
 * next protocol (1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS); what it carries
 * is decoded as if seen directly, the VTEPs kept as the tunnel's outer
 * header. Like VXLAN, only from a source port of 1024 or more.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { L3 } from '../../src/decode/view.js';
import { ip4ToString } from '../../src/inventory/addr-format.js';
import { addrs, decode, hex, outerAddrs, sharedFrames, survivesDamage } from '../helpers/decode-frame.js';

const inner4 = B.ipPacketRaw({ src: '10.1.0.5', dst: '10.1.0.6' }, B.IPPROTO.UDP, B.udp({ srcPort: 40000, dstPort: 53, payload: 'x' }));
const inner6 = B.ipPacketRaw({ src: 'fd00::5', dst: 'fd00::6' }, B.IPPROTO.UDP, B.udp({ srcPort: 40000, dstPort: 53, payload: 'x' }));

/** flags (I, P) | reserved | next protocol | VNI 7 | reserved. */
function gpe(next: number, payload: Buffer, flags = 0x0c): Buffer {
  return Buffer.concat([Buffer.from([flags, 0, 0, next, 0, 0, 7, 0]), payload]);
}

/** VTEP 10.9.0.1 → 10.9.0.2. */
function frame(payload: Buffer, sport = 50000): Buffer {
  return B.udpPacket({ src: '10.9.0.1', dst: '10.9.0.2', sport, dport: 4790, payload });
}

test('next protocol IPv4, IPv6, Ethernet, MPLS', () => {
  const eth = B.linkFrame(inner4, { srcMac: '02:00:00:00:01:05' });
  const mpls = Buffer.concat([hex('00011 1 40'), inner6]); // label 17, bottom of stack, TTL 64
  for (const [next, payload, want] of [
    [1, inner4, '10.1.0.5 > 10.1.0.6'],
    [2, inner6, 'fd00::5 > fd00::6'],
    [3, eth, '10.1.0.5 > 10.1.0.6'],
    [5, mpls, 'fd00::5 > fd00::6'],
  ] as const) {
    const { v, errs } = decode(frame(gpe(next, payload)));
    assert.is(addrs(v), want, `next protocol ${next}`);
    assert.is(v.tunnelDepth, 1);
    assert.is(outerAddrs(v, 0), '10.9.0.1 > 10.9.0.2');
    assert.is(v.macSrc, next === 3 ? 0x020000000105 : -1);
    assert.equal(errs.toObject(), {});
  }
});

test('next protocol NSH: the NSH header is skipped within the one tunnel', () => {
  // NSH: ver 0, TTL 63, length 6 | MD type 1, next protocol IPv4 | SPI 0x000001, SI 255 | 16 bytes of context
  const nsh = Buffer.concat([hex('0fc6 0101 000001ff'), Buffer.alloc(16), inner4]);
  const { v, errs } = decode(frame(gpe(4, nsh)));
  assert.is(addrs(v), '10.1.0.5 > 10.1.0.6');
  assert.is(v.tunnelDepth, 1);
  assert.equal(errs.toObject(), {});
});

test('not GPE (no P flag, version 1, unknown next protocol) or from a well-known port: plain UDP, uncounted', () => {
  for (const [what, payload, sport] of [
    ['no P flag', gpe(1, inner4, 0x08), 50000],
    ['version 1', gpe(1, inner4, 0x1c), 50000],
    ['next protocol 9', gpe(9, inner4), 50000],
    ['from port 53', gpe(1, inner4), 53],
    ['too short', hex('0c00 0001'), 50000],
  ] as const) {
    const { v, errs } = decode(frame(payload, sport));
    assert.is(v.tunnelDepth, 0, what);
    assert.is(ip4ToString(v.src4), '10.9.0.1', what);
    assert.equal(errs.toObject(), {}, what);
  }
});

test('every truncation and random bytes: the decoder returns', () => {
  for (const next of [1, 2, 3, 4, 5]) survivesDamage(frame(gpe(next, inner4)), 1, 14 + 20 + 8 + 4, next);
});

test('tcpdump\'s nsh-over-vxlan-gpe.pcap: VXLAN-GPE, NSH with MD type 2 metadata, then IPv4', async () => {
  const seen: string[] = [];
  const errs = await sharedFrames('tcpdump', 'nsh-over-vxlan-gpe.pcap', (_i, v) => {
    seen.push(`${outerAddrs(v, 0)} | ${addrs(v)} ${v.srcPort}>${v.dstPort}`);
    assert.is(v.l3, L3.IPv4);
  });
  if (errs === null) return;
  // tcpdump: VXLAN-GPE, flags [IP] / NSH, service-path-id 0xffffff / IP 192.168.0.1.10000 > 192.168.0.2.20000
  assert.equal(seen, ['127.0.0.1 > 127.0.0.1 | 192.168.0.1 > 192.168.0.2 10000>20000']);
  assert.equal(errs.toObject(), {});
});

test.run();
