/**
 * A tunnelled frame's outer headers are seen like any frame's (SPEC §4,
 * "every frame"): the tunnel's endpoints (VTEPs, tunnel routers) and each
 * layer's source MAC are inventoried, while the flows stay the inner
 * packets'. Nested tunnels count every layer; a datagram rebuilt from
 * fragments counts its outer header once per fragment, not again.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { Engine } from '../../src/engine/engine.js';
import { ip4ToString, macToString } from '../../src/inventory/addr-format.js';
import { T0 } from '../helpers/traffic.js';

const ETHERNET = 1;
const VTEP_A = '10.9.0.1';
const VTEP_B = '10.9.0.2';
const VTEP_MAC = '02:00:00:00:09:01';
const INNER_MAC = '02:00:00:00:01:01';

function innerUdp(src: string, dst: string): Buffer {
  return B.ipv4({ src, dst, proto: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 53, payload: Buffer.from('x') }) });
}

/** 10.1.0.5 → 10.1.0.6 inside VXLAN between the two VTEPs. */
function vxlanFrame(inner: Buffer): Buffer {
  const eth = B.linkFrame(inner, { srcMac: INNER_MAC, dstMac: '02:00:00:00:01:02' });
  const outer = B.ipv4({ src: VTEP_A, dst: VTEP_B, proto: B.IPPROTO.UDP, payload: B.udp({ srcPort: 50000, dstPort: 4789, payload: B.vxlan({ vni: 7, payload: eth }) }) });
  return B.linkFrame(outer, { srcMac: VTEP_MAC, dstMac: '02:00:00:00:09:02' });
}

function sources(e: Engine): Map<string, { out: number; in: number; macs: string[] }> {
  const m = new Map<string, { out: number; in: number; macs: string[] }>();
  for (const h of e.hosts.hosts()) m.set(ip4ToString(h.v4), { out: h.pktsOut, in: h.pktsIn, macs: h.macs.map(macToString) });
  return m;
}

test('VXLAN: both VTEPs and the inner hosts are seen; the VTEP is bound to the frame\'s MAC; the flow is the inner one', () => {
  const e = new Engine();
  for (let i = 0; i < 3; i++) {
    const f = vxlanFrame(innerUdp('10.1.0.5', '10.1.0.6'));
    e.packet(f, 0, f.length, f.length, T0 + i * 10_000, ETHERNET);
  }
  e.finish();
  const s = sources(e);
  assert.equal(s.get(VTEP_A), { out: 3, in: 0, macs: [VTEP_MAC] });
  assert.equal(s.get(VTEP_B), { out: 0, in: 3, macs: [] });
  assert.equal(s.get('10.1.0.5'), { out: 3, in: 0, macs: [INNER_MAC] });
  assert.equal(s.get('10.1.0.6'), { out: 0, in: 3, macs: [] });
  assert.ok(e.hosts.findMac(Number.parseInt(VTEP_MAC.replace(/:/g, ''), 16)) !== null, 'the frame\'s own MAC is recorded');
  assert.is(e.aggregate.size, 1, 'one flow row: the inner exchange');
});

test('an inner frame without IP (ARP in VXLAN) still shows the VTEPs', () => {
  const e = new Engine();
  const arp = B.arpPacket({ op: 'request', senderMac: INNER_MAC, senderIp: '10.1.0.5', targetIp: '10.1.0.6' });
  const outer = B.ipv4({ src: VTEP_A, dst: VTEP_B, proto: B.IPPROTO.UDP, payload: B.udp({ srcPort: 50000, dstPort: 4789, payload: B.vxlan({ vni: 7, payload: arp }) }) });
  const f = B.linkFrame(outer, { srcMac: VTEP_MAC, dstMac: '02:00:00:00:09:02' });
  e.packet(f, 0, f.length, f.length, T0, ETHERNET);
  e.finish();
  assert.equal(sources(e).get(VTEP_A)?.out, 1);
});

test('nested tunnels (IP-in-IP inside GRE): every layer\'s endpoints are seen once', () => {
  const e = new Engine();
  const inner = innerUdp('10.1.0.5', '10.1.0.6');
  const ipip = B.ipv4({ src: '10.8.0.1', dst: '10.8.0.2', proto: B.IPPROTO.IPIP, payload: inner });
  const gre = B.ipv4({ src: VTEP_A, dst: VTEP_B, proto: 47, payload: B.gre({ protocol: 0x0800, payload: ipip }) });
  const f = B.linkFrame(gre, { srcMac: VTEP_MAC });
  e.packet(f, 0, f.length, f.length, T0, ETHERNET);
  e.finish();
  const s = sources(e);
  for (const ip of [VTEP_A, '10.8.0.1', '10.1.0.5']) assert.is(s.get(ip)?.out, 1, ip);
  for (const ip of [VTEP_B, '10.8.0.2', '10.1.0.6']) assert.is(s.get(ip)?.in, 1, ip);
  assert.is(e.tunnelPackets, 1);
});

test('a fragmented tunnel packet: the outer header is counted per fragment, not again for the rebuilt datagram', () => {
  const e = new Engine();
  const inner = B.ipv4({ src: '10.1.0.5', dst: '10.1.0.6', proto: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 9999, payload: Buffer.alloc(1200, 1) }) });
  const outer = B.ipv4({ src: VTEP_A, dst: VTEP_B, proto: B.IPPROTO.IPIP, payload: inner, id: 77 });
  const frags = B.fragmentIpv4(outer, 600);
  assert.ok(frags.length >= 2);
  frags.forEach((p, i) => {
    const f = B.linkFrame(p, { srcMac: VTEP_MAC });
    e.packet(f, 0, f.length, f.length, T0 + i, ETHERNET);
  });
  e.finish();
  const s = sources(e);
  assert.is(s.get(VTEP_A)?.out, frags.length);
  assert.is(s.get('10.1.0.5')?.out, frags.length, 'the inner packet stands for every fragment that carried it');
});

test('a reply from a well-known port to a client that used port 4789 is that reply, not VXLAN', () => {
  const e = new Engine();
  // DNS answer from 10.1.0.53:53 to a forwarder's source port 4789, its first byte with the VXLAN I bit set.
  const dns = Buffer.concat([Buffer.from([0x08, 0x01, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]), Buffer.alloc(40, 0x41)]);
  const f = B.udpPacket({ src: '10.1.0.53', dst: '10.1.0.7', srcMac: VTEP_MAC, sport: 53, dport: 4789, payload: dns });
  e.packet(f, 0, f.length, f.length, T0, ETHERNET);
  e.finish();
  assert.is(e.tunnelPackets, 0);
  const s = sources(e);
  assert.equal(s.get('10.1.0.53'), { out: 1, in: 0, macs: [VTEP_MAC] });
  assert.equal(s.get('10.1.0.7')?.in, 1);
});

test.run();
