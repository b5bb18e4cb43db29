/**
 * Solaris ipnet (LINKTYPE_IPNET 226): a 24-byte header (version 1, Solaris
 * address family 2 or 26, hook type, packet length, interface and zone ids,
 * big-endian), then the IP packet. Checked on tcpdump's e1000g.pcap against
 * tshark.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { isKnownLinkType } from '../../src/decode/link.js';
import { addrs, decode, sharedFrames, survivesDamage, viewFacts } from '../helpers/decode-frame.js';

const RAW = 101;
const IPNET = 226;

/** version, family, hook type 0, packet length, ifindex 2, grifindex 0, zone ids. */
function ipnet(family: number, packet: Uint8Array, version = 1): Buffer {
  const h = Buffer.alloc(24);
  h[0] = version;
  h[1] = family;
  h.writeUInt32BE(packet.length, 4);
  h.writeUInt32BE(2, 8);
  h.writeUInt32BE(0xffffffff, 16);
  return Buffer.concat([h, packet]);
}

const v4 = B.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 53, payload: 'q' }) });
const v6 = B.ipv6({ src: 'fd00::1', dst: 'fd00::2', nextHeader: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 53, payload: 'q' }) });

test('ipnet is a known link type', () => {
  assert.ok(isKnownLinkType(IPNET));
});

test('IPv4 (family 2) and IPv6 (family 26): the same view as raw IP', () => {
  for (const [family, packet] of [[2, v4], [26, v6]] as const) {
    const { v, errs } = decode(ipnet(family, packet), IPNET);
    assert.equal(viewFacts(v), viewFacts(decode(Buffer.from(packet), RAW).v));
    assert.equal(errs.toObject(), {});
  }
});

test('another version or family is counted and not read', () => {
  const badVersion = decode(ipnet(2, v4, 2), IPNET);
  assert.is(addrs(badVersion.v), '-');
  assert.equal(badVersion.errs.toObject(), { 'ipnet.bad_version': 1 });
  const badFamily = decode(ipnet(10, v6), IPNET);
  assert.is(addrs(badFamily.v), '-');
  assert.equal(badFamily.errs.toObject(), { 'ipnet.unknown_family': 1 });
});

test('every truncation is counted, and random bytes never throw', () => {
  const frame = ipnet(2, v4);
  for (let n = 0; n < 24 + 20; n++) {
    const { v, errs } = decode(frame, IPNET, n);
    assert.ok(errs.total >= 1, `cut at ${n}`);
    assert.is(addrs(v), '-', `cut at ${n}`);
  }
  assert.equal(decode(frame, IPNET, 23).errs.toObject(), { 'ipnet.truncated': 1 });
  survivesDamage(frame, IPNET);
  survivesDamage(frame, IPNET, 2);
});

test("tcpdump's e1000g.pcap: the pings tshark shows", async () => {
  const pairs = new Map<string, number>();
  const errs = await sharedFrames('tcpdump', 'e1000g.pcap', (_i, v) => pairs.set(addrs(v), (pairs.get(addrs(v)) ?? 0) + 1));
  if (errs === null) return;
  // tshark -r e1000g.pcap -T fields -e ip.src -e ip.dst
  assert.equal(Object.fromEntries(pairs), { '129.146.106.55 > 10.5.233.117': 10, '10.5.233.117 > 129.146.106.55': 10 });
  assert.equal(errs.toObject(), {});
});

test.run();
