/**
 * NSH (RFC 8300) on Ethernet (EtherType 0x894f) and in GRE (protocol
 * 0x894f): the header's length (in 4-byte words) is skipped and the packet
 * it steers, by next protocol (1 IPv4, 2 IPv6, 3 Ethernet, 5 MPLS), is
 * decoded as if seen directly. The frame's MAC belongs to the service
 * function forwarder, kept with the tunnel's outer layer.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { L3 } from '../../src/decode/view.js';
import { addrs, decode, hex, outerAddrs, sharedFrames, survivesDamage } from '../helpers/decode-frame.js';

const inner4 = B.ipPacketRaw({ src: '10.0.8.3', dst: '10.13.13.13' }, B.IPPROTO.UDP, B.udp({ srcPort: 52229, dstPort: 8000, payload: 'begin' }));
const inner6 = B.ipPacketRaw({ src: 'fd00::3', dst: 'fd00::13' }, B.IPPROTO.UDP, B.udp({ srcPort: 52229, dstPort: 8000, payload: 'begin' }));
const SFF_MAC = '02:42:0a:00:08:03';

/** NSH: version 0, TTL 63 | length in words | MD type | next protocol | SPI 777, SI 255 | metadata. */
function nsh(next: number, payload: Buffer, metadata: Buffer = Buffer.alloc(16), mdType = 1): Buffer {
  const words = 2 + metadata.length / 4;
  return Buffer.concat([Buffer.from([0x0f, 0xc0 | words, mdType, next]), hex('000309 ff'), metadata, payload]);
}

function onEthernet(body: Buffer): Buffer {
  return B.linkFrame(body, { etherType: 0x894f, srcMac: SFF_MAC });
}

test('on Ethernet: IPv4, IPv6, Ethernet and MPLS behind the header', () => {
  const eth = B.linkFrame(inner4, { srcMac: '02:00:00:00:0d:0d' });
  const mpls = Buffer.concat([hex('00010 1 3f'), inner4]);
  for (const [next, payload, want] of [
    [1, inner4, '10.0.8.3 > 10.13.13.13'],
    [2, inner6, 'fd00::3 > fd00::13'],
    [3, eth, '10.0.8.3 > 10.13.13.13'],
    [5, mpls, '10.0.8.3 > 10.13.13.13'],
  ] as const) {
    const { v, errs } = decode(onEthernet(nsh(next, payload)));
    assert.is(addrs(v), want, `next protocol ${next}`);
    assert.is(v.tunnelDepth, 1);
    assert.is(v.outerL3[0], L3.None, 'no IP header outside');
    assert.is(v.outerMacSrc[0], 0x02420a000803, 'the forwarder\'s MAC is the outer layer\'s');
    assert.is(v.macSrc, next === 3 ? 0x020000000d0d : -1);
    assert.equal(errs.toObject(), {});
  }
});

test('MD type 2 with variable metadata, and MD type 2 with none', () => {
  const tlvs = hex('0001 02 01 12345678 | 0002 03 01 12345678'); // class | type | length 1 word | value, twice
  for (const meta of [tlvs, Buffer.alloc(0)]) {
    const { v, errs } = decode(onEthernet(nsh(1, inner4, meta, 2)));
    assert.is(addrs(v), '10.0.8.3 > 10.13.13.13');
    assert.equal(errs.toObject(), {});
  }
});

test('in GRE (protocol 0x894f): one tunnel, the GRE endpoints outside', () => {
  const gre = B.gre({ protocol: 0x894f, payload: nsh(1, inner4) });
  const { v, errs } = decode(B.linkFrame(B.ipv4({ src: '192.0.2.1', dst: '192.0.2.2', proto: B.IPPROTO.GRE, payload: gre })));
  assert.is(addrs(v), '10.0.8.3 > 10.13.13.13');
  assert.is(v.tunnelDepth, 1);
  assert.is(outerAddrs(v, 0), '192.0.2.1 > 192.0.2.2');
  assert.equal(errs.toObject(), {});
});

test('a bad version or length is counted; an unknown next protocol just stops', () => {
  const bad = nsh(1, inner4);
  bad[0] = 0x4f; // version 1
  let r = decode(onEthernet(bad));
  assert.equal(r.errs.toObject(), { 'nsh.bad_version': 1 });
  const short = nsh(1, inner4);
  short[1] = 0xc1; // one word: less than the base and service path headers
  r = decode(onEthernet(short));
  assert.equal(r.errs.toObject(), { 'nsh.bad_length': 1 });
  const long = nsh(1, Buffer.alloc(0));
  long[1] = 0xc0 | 40;
  r = decode(onEthernet(long));
  assert.equal(r.errs.toObject(), { 'nsh.truncated': 1 });
  r = decode(onEthernet(nsh(0x41, inner4)));
  assert.is(r.v.l3, L3.None);
  assert.equal(r.errs.toObject(), {});
});

test('every truncation and random bytes: the decoder returns', () => {
  for (const next of [1, 2, 3, 5]) survivesDamage(onEthernet(nsh(next, inner4)), 1, 14 + 4, next);
  survivesDamage(onEthernet(nsh(1, inner4)), 1, 14);
});

test('tcpdump\'s nsh.pcap: MD type 1 on Ethernet, then IPv4', async () => {
  const seen: string[] = [];
  const errs = await sharedFrames('tcpdump', 'nsh.pcap', (_i, v) => {
    seen.push(`${addrs(v)} ${v.srcPort}>${v.dstPort} depth ${v.tunnelDepth}`);
  });
  if (errs === null) return;
  // tcpdump: NSH, service-path-id 0x000309, service-index 0x7 / IP 10.0.8.3.52229 > 10.13.13.13.8000: UDP, length 6
  assert.equal(seen, ['10.0.8.3 > 10.13.13.13 52229>8000 depth 1']);
  assert.equal(errs.toObject(), {});
});

test.run();
