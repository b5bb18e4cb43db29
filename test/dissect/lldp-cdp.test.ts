/**
 * LLDP and CDP parsers: hand-built PDUs for every field, malformed lengths,
 * every truncation of a valid PDU, random bytes, and a differential test
 * against tshark on the shared captures (PDUs located in the raw frames).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseLldp, type LldpInfo } from '../../src/dissect/lldp.js';
import { parseCdp, cdpPduOffset, type CdpInfo } from '../../src/dissect/cdp.js';
import { readCapture } from '../../src/capture/reader.js';
import { haveShared, haveTool, sharedCaptures, skip } from '../helpers/skip.js';

class Counts {
  m = new Map<string, number>();
  count(reason: string): void {
    this.m.set(reason, (this.m.get(reason) ?? 0) + 1);
  }
  get(reason: string): number {
    return this.m.get(reason) ?? 0;
  }
}

function str(s: string): number[] {
  return [...Buffer.from(s, 'latin1')];
}
function u16b(v: number): number[] {
  return [(v >> 8) & 255, v & 255];
}
function u32b(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}
function macb(s: string): number[] {
  return s.split(':').map((h) => parseInt(h, 16));
}
function ip4b(s: string): number[] {
  return s.split('.').map(Number);
}
function ip6b(s: string): number[] {
  // full form only (8 groups) for the builders
  return s.split(':').flatMap((g) => u16b(parseInt(g, 16)));
}
function u8(a: number[]): Uint8Array {
  return Uint8Array.from(a);
}

// ---------------------------------------------------------------------------
// LLDP builders

function ltlv(type: number, value: number[]): number[] {
  return [(type << 1) | ((value.length >> 8) & 1), value.length & 255, ...value];
}
const END = [0, 0];

function fullLldp(): number[] {
  return [
    ...ltlv(1, [4, ...macb('00:19:2f:a7:b2:8d')]),
    ...ltlv(2, [5, ...str('Gi0/13')]),
    ...ltlv(3, u16b(120)),
    ...ltlv(4, str('Uplink to S1')),
    ...ltlv(5, str('S2.example.com')),
    ...ltlv(6, str('Cisco IOS\nline 2')),
    ...ltlv(7, [...u16b(0x0014), ...u16b(0x0004)]),
    // management address IPv4, ifIndex 2, OID 1.3.6.1.4.1.9
    ...ltlv(8, [5, 1, ...ip4b('192.168.0.2'), 2, ...u32b(2), 7, 0x2b, 6, 1, 4, 1, 9, 0]),
    // management address IPv6, system port 7, no OID
    ...ltlv(8, [17, 2, ...ip6b('2001:0db8:0000:0000:0000:0000:0000:0001'), 3, ...u32b(7), 0]),
    // 802.1 port VLAN id 10
    ...ltlv(127, [0x00, 0x80, 0xc2, 1, ...u16b(10)]),
    // 802.3 MAC/PHY: autoneg supported + enabled, advertised 0x6c01, MAU 30
    ...ltlv(127, [0x00, 0x12, 0x0f, 1, 3, ...u16b(0x6c01), ...u16b(30)]),
    // 802.3 max frame size 1522
    ...ltlv(127, [0x00, 0x12, 0x0f, 4, ...u16b(1522)]),
    // LLDP-MED, kept as a summary only
    ...ltlv(127, [0x00, 0x12, 0xbb, 5, ...str('hw1')]),
    ...END,
  ];
}

test('lldp: every field of a hand-built PDU', () => {
  const c = new Counts();
  const pdu = fullLldp();
  // parse inside a larger buffer at an offset, with Ethernet padding after it
  const buf = u8([9, 9, 9, ...pdu, 0, 0, 0, 0]);
  const r = parseLldp(buf, 3, pdu.length + 4, c);
  assert.ok(r);
  assert.equal(r, {
    chassisId: { subtype: 4, value: '00:19:2f:a7:b2:8d' },
    portId: { subtype: 5, value: 'Gi0/13' },
    ttl: 120,
    portDescription: 'Uplink to S1',
    systemName: 'S2.example.com',
    systemDescription: 'Cisco IOS\\x0aline 2',
    capabilities: ['bridge', 'router'],
    enabledCapabilities: ['bridge'],
    managementAddresses: [
      { family: 1, address: '192.168.0.2', ifSubtype: 2, ifNumber: 2, oid: '1.3.6.1.4.1.9.0' },
      { family: 2, address: '2001:db8::1', ifSubtype: 3, ifNumber: 7, oid: null },
    ],
    orgTlvs: [
      { oui: '00:80:c2', subtype: 1, length: 2 },
      { oui: '00:12:0f', subtype: 1, length: 5 },
      { oui: '00:12:0f', subtype: 4, length: 2 },
      { oui: '00:12:bb', subtype: 5, length: 3 },
    ],
    portVlanId: 10,
    mau: { autonegSupported: true, autonegEnabled: true, advertised: 0x6c01, mauType: 30 },
    maxFrameSize: 1522,
    tlvTypes: [1, 2, 3, 4, 5, 6, 7, 8, 8, 127, 127, 127, 127, 0],
  } satisfies LldpInfo);
  assert.equal([...c.m], []);
});

test('lldp: id subtypes, capability names, 9-bit length', () => {
  const caps = (bits: number) =>
    parseLldp(u8([...ltlv(1, [7, ...str('x')]), ...ltlv(2, [7, 49]), ...ltlv(3, [0, 1]), ...ltlv(7, [...u16b(bits), ...u16b(bits)]), ...END]), 0, 100)!;
  assert.equal(caps(0xff).capabilities, ['other', 'repeater', 'bridge', 'wlan-ap', 'router', 'telephone', 'docsis', 'station']);
  assert.equal(caps(0x8700).enabledCapabilities, ['c-vlan', 's-vlan', 'tpmr', 'bit15']);

  const ids = (chassis: number[], port: number[]) => {
    const c = new Counts();
    const r = parseLldp(u8([...ltlv(1, chassis), ...ltlv(2, port), ...ltlv(3, [0, 0]), ...END]), 0, 1000, c)!;
    return { chassis: r.chassisId, port: r.portId, errs: c.get('lldp.bad_tlv_value') };
  };
  // chassis network address IPv4, port MAC (port MAC subtype is 3, chassis 4)
  assert.equal(ids([5, 1, 10, 0, 0, 1], [3, ...macb('aa:bb:cc:dd:ee:ff')]), {
    chassis: { subtype: 5, value: '10.0.0.1' },
    port: { subtype: 3, value: 'aa:bb:cc:dd:ee:ff' },
    errs: 0,
  });
  // chassis network address IPv6, port network address IPv4
  assert.equal(ids([5, 2, ...ip6b('fe80:0:0:0:0:0:0:1')], [4, 1, 1, 2, 3, 4]), {
    chassis: { subtype: 5, value: 'fe80::1' },
    port: { subtype: 4, value: '1.2.3.4' },
    errs: 0,
  });
  // chassis component / locally assigned: printable with escapes and trailing NULs dropped
  assert.equal(ids([1, ...str('A\\B'), 0xff, 0, 0], [7, ...str('p1')]), {
    chassis: { subtype: 1, value: 'A\\x5cB\\xff' },
    port: { subtype: 7, value: 'p1' },
    errs: 0,
  });
  // wrong sizes: a 5-byte MAC, IPv4 family with 3 bytes, empty id
  assert.equal(ids([4, 1, 2, 3, 4, 5], [4, 1, 1, 2, 3]), {
    chassis: { subtype: 4, value: '01:02:03:04:05' },
    port: { subtype: 4, value: '1:01:02:03' },
    errs: 2,
  });
  assert.equal(ids([], [3]), { chassis: null, port: { subtype: 3, value: '' }, errs: 2 });

  // a value longer than 255 bytes uses the 9th length bit
  const long = 'd'.repeat(300);
  const r = parseLldp(u8([...ltlv(6, str(long)), ...END]), 0, 400)!;
  assert.is(r.systemDescription, long);
});

test('lldp: malformations are counted, the walk keeps what it read', () => {
  let c = new Counts();
  // value past the end
  let r = parseLldp(u8([...ltlv(5, str('sw1')), 0x0c, 10, 1, 2]), 0, 100, c)!;
  assert.is(r.systemName, 'sw1');
  assert.is(r.systemDescription, null);
  assert.is(c.get('lldp.bad_tlv_length'), 1);
  assert.is(c.get('lldp.no_end'), 1);
  assert.is(c.get('lldp.missing_mandatory'), 1);

  // short TTL, short capabilities, short org TLV, short mgmt address, short 802.1 / 802.3 values
  c = new Counts();
  r = parseLldp(
    u8([
      ...ltlv(3, [1]),
      ...ltlv(7, [0, 4, 0]),
      ...ltlv(127, [0, 0x80, 0xc2]),
      ...ltlv(127, [0, 0x80, 0xc2, 1, 5]),
      ...ltlv(127, [0, 0x12, 0x0f, 1, 3, 0]),
      ...ltlv(127, [0, 0x12, 0x0f, 4]),
      ...ltlv(8, [5, 1, 1, 2, 3, 4, 2, 0, 0]),
      ...ltlv(8, [200, 1, 1, 2, 3, 4, 2, 0, 0, 0, 0, 0]),
      // OID length past the end: the address is kept without the OID
      ...ltlv(8, [5, 1, 1, 2, 3, 4, 2, 0, 0, 0, 1, 9, 0x2b]),
      ...END,
    ]),
    0,
    200,
    c,
  )!;
  assert.is(r.ttl, null);
  assert.is(r.capabilities, null);
  assert.is(r.portVlanId, null);
  assert.is(r.mau, null);
  assert.is(r.maxFrameSize, null);
  assert.equal(r.orgTlvs, [
    { oui: '00:80:c2', subtype: 1, length: 1 },
    { oui: '00:12:0f', subtype: 1, length: 2 },
    { oui: '00:12:0f', subtype: 4, length: 0 },
  ]);
  assert.equal(r.managementAddresses, [{ family: 1, address: '1.2.3.4', ifSubtype: 2, ifNumber: 1, oid: null }]);
  assert.is(c.get('lldp.bad_tlv_value'), 9);
  assert.is(c.get('lldp.no_end'), 0);

  // a lone byte after the last TLV, then nothing
  c = new Counts();
  r = parseLldp(u8([...ltlv(3, [0, 5]), 7]), 0, 3 + 2 + 1, c)!;
  assert.is(r.ttl, 5);
  assert.is(c.get('lldp.bad_tlv_length'), 1);

  // first instance kept; everything after End ignored
  r = parseLldp(u8([...ltlv(5, str('a')), ...ltlv(5, str('b')), ...END, ...ltlv(4, str('z'))]), 0, 100)!;
  assert.is(r.systemName, 'a');
  assert.is(r.portDescription, null);
  assert.equal(r.tlvTypes, [5, 5, 0]);

  // too short, bad arguments
  c = new Counts();
  assert.is(parseLldp(u8([0]), 0, 1, c), null);
  assert.is(parseLldp(u8([0, 0]), 1, 5, c), null);
  assert.is(parseLldp(u8([0, 0]), -1, 2, c), null);
  assert.is(parseLldp(u8([0, 0]), 0, NaN, c), null);
  assert.is(c.get('lldp.truncated'), 4);
});

test('lldp: every truncation and random bytes never throw', () => {
  const pdu = u8(fullLldp());
  for (let n = 0; n <= pdu.length; n++) {
    const c = new Counts();
    const r = parseLldp(pdu.subarray(0, n), 0, n, c);
    if (n < 2) assert.is(r, null);
    else assert.ok(r);
    // the same truncation through len only
    parseLldp(pdu, 0, n);
    if (n === pdu.length) assert.equal([...c.m], []);
  }
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  for (let i = 0; i < 3000; i++) {
    const b = new Uint8Array(rnd() * 2);
    for (let k = 0; k < b.length; k++) b[k] = rnd();
    // bias toward plausible TLV headers: small lengths
    if (i % 2 === 0) for (let k = 0; k + 1 < b.length; k += 2 + (b[k + 1]! & 7)) b[k + 1]! &= 7;
    parseLldp(b, 0, b.length, new Counts());
    parseLldp(b, 1, b.length + 10);
  }
});

// ---------------------------------------------------------------------------
// CDP builders

function ctlv(type: number, value: number[]): number[] {
  return [...u16b(type), ...u16b(value.length + 4), ...value];
}

/** CDP's checksum (see cdp.ts), computed with the checksum field zero. */
function cdpChecksum(b: number[]): number {
  let sum = 0;
  let i = 0;
  for (; i + 1 < b.length; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (i < b.length) {
    const x = b[i]!;
    sum += x & 0x80 ? 0xff00 | (x - 1) : x;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function cdpPdu(tlvs: number[], version = 2, ttl = 180): number[] {
  const b = [version, ttl, 0, 0, ...tlvs];
  const ck = cdpChecksum(b);
  b[2] = ck >> 8;
  b[3] = ck & 255;
  return b;
}

const IPV4_ENTRY = (ip: string) => [1, 1, 0xcc, ...u16b(4), ...ip4b(ip)];
const IPV6_ENTRY = (ip: string) => [2, 8, 0xaa, 0xaa, 0x03, 0, 0, 0, 0x86, 0xdd, ...u16b(16), ...ip6b(ip)];

function fullCdpTlvs(): number[] {
  return [
    ...ctlv(1, str('SW1.example.com')),
    ...ctlv(2, [...u32b(3), ...IPV4_ENTRY('10.1.2.3'), ...IPV6_ENTRY('2001:db8:0:0:0:0:0:5'), 1, 1, 0x81, ...u16b(2), 0xab, 0xcd]),
    ...ctlv(3, str('GigabitEthernet0/1')),
    ...ctlv(4, u32b(0x0000_0629)),
    ...ctlv(5, str('Cisco IOS Software\nVersion 15.2')),
    ...ctlv(6, str('cisco WS-C2960X-48FPD-L')),
    ...ctlv(9, str('LAB')),
    ...ctlv(10, u16b(20)),
    ...ctlv(11, [1]),
    ...ctlv(14, [1, ...u16b(110)]),
    ...ctlv(20, str('sw1-sys')),
    ...ctlv(22, [...u32b(1), ...IPV4_ENTRY('192.0.2.9')]),
    ...ctlv(0x1a, [0, 0, 0, 1]),
  ];
}

test('cdp: every field of a hand-built PDU, LLC/SNAP located in the frame', () => {
  const pdu = cdpPdu(fullCdpTlvs());
  const frame = [
    ...macb('01:00:0c:cc:cc:cc'),
    ...macb('00:11:22:33:44:55'),
    ...u16b(pdu.length + 8),
    0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00,
    ...pdu,
    0, 0, 0, // padding
  ];
  const buf = u8(frame);
  const at = cdpPduOffset(buf, 14);
  assert.is(at, 22);
  const c = new Counts();
  const r = parseCdp(buf, at, pdu.length, c);
  assert.ok(r);
  assert.equal(r, {
    version: 2,
    ttl: 180,
    checksum: (pdu[2]! << 8) | pdu[3]!,
    checksumOk: true,
    deviceId: 'SW1.example.com',
    addresses: [
      { protocol: 'ipv4', address: '10.1.2.3' },
      { protocol: 'ipv6', address: '2001:db8::5' },
      { protocol: 'other', address: '1/81/abcd' },
    ],
    portId: 'GigabitEthernet0/1',
    capabilityBits: 0x629,
    capabilities: ['router', 'switch', 'igmp', 'cvta', 'mac-relay'],
    softwareVersion: 'Cisco IOS Software\\x0aVersion 15.2',
    platform: 'cisco WS-C2960X-48FPD-L',
    vtpDomain: 'LAB',
    nativeVlan: 20,
    duplex: 'full',
    voiceVlan: 110,
    systemName: 'sw1-sys',
    managementAddresses: [{ protocol: 'ipv4', address: '192.0.2.9' }],
    tlvTypes: [1, 2, 3, 4, 5, 6, 9, 10, 11, 14, 20, 22, 0x1a],
  } satisfies CdpInfo);
  assert.equal([...c.m], []);

  // LLC/SNAP checks
  assert.is(cdpPduOffset(buf, 14, 21), -1);
  assert.is(cdpPduOffset(buf, 15), -1);
  assert.is(cdpPduOffset(buf, -1), -1);
  assert.is(cdpPduOffset(u8([0xaa, 0xaa, 0x03, 0, 0, 0x0c, 0x20, 0x04]), 0), -1); // VTP, not CDP
  assert.is(cdpPduOffset(u8([0xaa, 0xaa, 0x03, 0, 0, 0x0c, 0x20, 0x00]), 0), 8);

  // all capability names, duplex half, odd-length checksum with a high last byte
  const all = cdpPdu([...ctlv(4, u32b(0x7ff)), ...ctlv(11, [0]), ...ctlv(1, [0x41, 0x90])]);
  const ra = parseCdp(u8(all), 0, all.length)!;
  assert.equal(ra.capabilities, ['router', 'trans-bridge', 'source-route-bridge', 'switch', 'host', 'igmp', 'repeater', 'phone', 'remote', 'cvta', 'mac-relay']);
  assert.is(ra.duplex, 'half');
  assert.is(ra.deviceId, 'A\\x90');
  assert.is(all.length % 2, 1);
  assert.is(ra.checksumOk, true);
  assert.is(parseCdp(u8(cdpPdu([...ctlv(4, u32b(0x1000))])), 0, 12)!.capabilities!.join(), 'bit12');
});

test('cdp: malformations are counted, the walk keeps what it read', () => {
  let c = new Counts();
  // bad checksum
  const good = cdpPdu(ctlv(1, str('R1')));
  good[3] ^= 1;
  let r = parseCdp(u8(good), 0, good.length, c)!;
  assert.is(r.checksumOk, false);
  assert.is(r.deviceId, 'R1');
  assert.is(c.get('cdp.bad_checksum'), 1);

  // TLV length below 4, TLV past the end, trailing bytes
  c = new Counts();
  r = parseCdp(u8(cdpPdu([...ctlv(6, str('p')), 0, 3, 0, 2, 9, 9])), 0, 100, c)!;
  assert.is(r.platform, 'p');
  assert.equal(r.tlvTypes, [6]);
  assert.is(c.get('cdp.bad_tlv_length'), 1);
  c = new Counts();
  r = parseCdp(u8(cdpPdu([...ctlv(6, str('p')), 0, 3, 0, 20, 1])), 0, 100, c)!;
  assert.is(c.get('cdp.bad_tlv_length'), 1);
  c = new Counts();
  r = parseCdp(u8(cdpPdu([...ctlv(6, str('p')), 0, 0])), 0, 100, c)!;
  assert.is(c.get('cdp.trailing_bytes'), 1);
  assert.is(c.get('cdp.bad_tlv_length'), 0);

  // short values
  c = new Counts();
  r = parseCdp(
    u8(
      cdpPdu([
        ...ctlv(4, [0, 0, 1]),
        ...ctlv(10, [1]),
        ...ctlv(11, []),
        ...ctlv(14, [1, 0]),
        ...ctlv(2, [0, 0, 0]),
        // count 2 but only one entry; then an entry whose address runs past the TLV
        ...ctlv(2, [...u32b(2), ...IPV4_ENTRY('10.0.0.1')]),
        ...ctlv(22, [...u32b(1), 1, 1, 0xcc, 0, 4, 10]),
        // absurd count: bounded by the bytes
        ...ctlv(22, [...u32b(0xffffffff), 1, 0, 0, 0]),
      ]),
    ),
    0,
    1000,
    c,
  )!;
  assert.is(r.capabilities, null);
  assert.is(r.nativeVlan, null);
  assert.is(r.duplex, null);
  assert.is(r.voiceVlan, null);
  assert.equal(r.addresses, [{ protocol: 'ipv4', address: '10.0.0.1' }]);
  assert.equal(r.managementAddresses, [{ protocol: 'other', address: '1//' }]);
  assert.is(c.get('cdp.bad_tlv_value'), 8);

  c = new Counts();
  assert.is(parseCdp(u8([2, 180, 0]), 0, 3, c), null);
  assert.is(parseCdp(u8([2, 180, 0, 0]), 1, 4, c), null);
  assert.is(parseCdp(u8([2, 180, 0, 0]), -2, 4, c), null);
  assert.is(c.get('cdp.truncated'), 3);
  assert.ok(parseCdp(u8([2, 180, 0, 0]), 0, 4));
});

test('cdp: every truncation and random bytes never throw', () => {
  const pdu = u8(cdpPdu(fullCdpTlvs()));
  for (let n = 0; n <= pdu.length; n++) {
    const r = parseCdp(pdu.subarray(0, n), 0, n, new Counts());
    if (n < 4) assert.is(r, null);
    else assert.ok(r);
    parseCdp(pdu, 0, n);
  }
  let seed = 999;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  for (let i = 0; i < 3000; i++) {
    const b = new Uint8Array(rnd() * 2);
    for (let k = 0; k < b.length; k++) b[k] = rnd();
    if (i % 2 === 0) for (let k = 4; k + 3 < b.length; k += 4 + (b[k + 3]! & 15)) { b[k + 2] = 0; b[k + 3]! &= 15; }
    parseCdp(b, 0, b.length, new Counts());
    parseCdp(b, 3, b.length);
    cdpPduOffset(b, i % 7, b.length);
  }
});

// ---------------------------------------------------------------------------
// Real captures against tshark.

interface RawFrame {
  index: number;
  bytes: Buffer;
}

async function frames(path: string): Promise<RawFrame[]> {
  const out: RawFrame[] = [];
  await readCapture(path, (f) => {
    if (f.linkType === 1) out.push({ index: f.index, bytes: Buffer.from(f.buf.subarray(f.off, f.off + f.capLen)) });
  });
  return out;
}

/** LLDP PDU offset in an Ethernet frame (EtherType 0x88cc, after any 802.1Q tags), or -1. */
function lldpAt(b: Buffer): number {
  let p = 12;
  while (p + 2 <= b.length && (b.readUInt16BE(p) === 0x8100 || b.readUInt16BE(p) === 0x88a8)) p += 4;
  return p + 2 <= b.length && b.readUInt16BE(p) === 0x88cc ? p + 2 : -1;
}

function tsharkRows(path: string, filter: string, fields: string[]): Map<number, string[]> {
  const out = execFileSync('tshark', ['-r', path, '-Y', filter, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.number', ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const m = new Map<number, string[]>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [n, ...rest] = line.split('|');
    m.set(Number(n), rest);
  }
  return m;
}

const LLDP_FILES = [
  'tcpdump/LLDP_and_CDP.pcap',
  'tcpdump/lldp-app-priority.pcap',
  'tcpdump/lldp-infinite-loop-1.pcap',
  'tcpdump/lldp_mudurl.pcap',
  'tcpdump/lldp_8021_linkagg.pcap',
  'tcpdump/lldp_asan.pcap',
  'tcpdump/lldp_mgmt_addr_tlv_asan.pcap',
];
/** Files whose PDUs tshark finds malformed: parsed (no throw), not compared. */
const LLDP_MALFORMED = new Set(['tcpdump/lldp_8021_linkagg.pcap', 'tcpdump/lldp_asan.pcap', 'tcpdump/lldp_mgmt_addr_tlv_asan.pcap']);
const CDP_FILES = ['tcpdump/LLDP_and_CDP.pcap', 'tcpdump/3560_CDP.pcap', 'zeek/cdp-v1.pcap'];

const LLDP_CAP_NAMES = ['other', 'repeater', 'bridge', 'wlan-ap', 'router', 'telephone', 'docsis', 'station'];
const capsFromHex = (h: string, names: string[]) => (h === '' ? null : names.filter((_, i) => (parseInt(h, 16) >>> i) & 1));

test('lldp: real PDUs match tshark', async () => {
  if (!haveShared()) return skip('no shared captures');
  const tshark = haveTool('tshark');
  if (!tshark) skip('tshark not installed: parse-only');
  let compared = 0;
  for (const rel of LLDP_FILES) {
    const path = join(sharedCaptures, rel);
    if (!existsSync(path)) continue;
    const fr = await frames(path);
    const rows = tshark && !LLDP_MALFORMED.has(rel)
      ? tsharkRows(path, 'lldp', [
          'lldp.chassis.subtype', 'lldp.chassis.id', 'lldp.chassis.id.mac', 'lldp.port.subtype', 'lldp.port.id', 'lldp.port.id.mac',
          'lldp.time_to_live', 'lldp.tlv.system.name', 'lldp.port.desc', 'lldp.tlv.system_cap', 'lldp.tlv.enable_system_cap',
          'lldp.mgn.addr.ip4', 'lldp.mgn.addr.ip6', 'lldp.mgn.interface.number', 'lldp.orgtlv.oui', 'lldp.ieee.802_1.port_vlan.id',
          'lldp.ieee.802_3.pmd_mau_type', 'lldp.ieee.802_3.max_frame_size',
        ])
      : null;
    for (const f of fr) {
      const at = lldpAt(f.bytes);
      if (at < 0) continue;
      const r = parseLldp(f.bytes, at, f.bytes.length - at, new Counts());
      const row = rows?.get(f.index);
      if (!row) continue;
      assert.ok(r, `${rel}#${f.index}`);
      const [cs, cid, cmac, ps, pid, pmac, ttl, name, pdesc, cap, ecap, ip4, ip6, ifn, ouis, pvid, mau, mfs] = row as string[];
      const ctx = `${rel}#${f.index}`;
      assert.equal(r.chassisId, { subtype: Number(cs), value: cmac || cid }, ctx);
      assert.equal(r.portId, { subtype: Number(ps), value: pmac || pid }, ctx);
      assert.is(r.ttl, Number(ttl), ctx);
      assert.is(r.systemName, name || null, ctx);
      assert.is(r.portDescription, pdesc || null, ctx);
      assert.equal(r.capabilities, capsFromHex(cap!, LLDP_CAP_NAMES), ctx);
      assert.equal(r.enabledCapabilities, capsFromHex(ecap!, LLDP_CAP_NAMES), ctx);
      const addrs = r.managementAddresses.map((m) => m.address);
      assert.equal(addrs, [...(ip4 ? ip4.split(',') : []), ...(ip6 ? ip6.split(',') : [])], ctx);
      assert.equal(r.managementAddresses.map((m) => String(m.ifNumber)).join(','), ifn, ctx);
      assert.equal(r.orgTlvs.map((o) => String(parseInt(o.oui.replace(/:/g, ''), 16))).join(','), ouis, ctx);
      assert.is(r.portVlanId, pvid ? Number(pvid.split(',')[0]) : null, ctx);
      assert.is(r.mau?.mauType ?? null, mau ? Number(mau.split(',')[0]) : null, ctx);
      assert.is(r.maxFrameSize, mfs ? Number(mfs.split(',')[0]) : null, ctx);
      compared++;
    }
  }
  if (tshark) assert.ok(compared >= 8, `compared ${compared}`);
});

test('cdp: real PDUs match tshark', async () => {
  if (!haveShared()) return skip('no shared captures');
  const tshark = haveTool('tshark');
  if (!tshark) skip('tshark not installed: parse-only');
  let compared = 0;
  for (const rel of CDP_FILES) {
    const path = join(sharedCaptures, rel);
    if (!existsSync(path)) continue;
    const fr = await frames(path);
    const rows = tshark
      ? tsharkRows(path, 'cdp', [
          'cdp.version', 'cdp.ttl', 'cdp.deviceid', 'cdp.platform', 'cdp.portid', 'cdp.capabilities', 'cdp.nrgyz.ip_address',
          'cdp.native_vlan', 'cdp.vtp_management_domain', 'cdp.duplex', 'cdp.checksum.status', 'cdp.software_version',
        ])
      : null;
    for (const f of fr) {
      const b = f.bytes;
      if (b.length < 22 || b.readUInt16BE(12) > 1500) continue;
      const at = cdpPduOffset(b, 14);
      if (at < 0) continue;
      const c = new Counts();
      const r = parseCdp(b, at, b.readUInt16BE(12) - 8, c);
      assert.ok(r, `${rel}#${f.index}`);
      const row = rows?.get(f.index);
      if (!row) continue;
      const [ver, ttl, dev, plat, port, caps, ips, nvlan, vtp, duplex, ck, sw] = row as string[];
      const ctx = `${rel}#${f.index}`;
      assert.is(r.version, Number(ver), ctx);
      assert.is(r.ttl, Number(ttl), ctx);
      assert.is(r.deviceId, dev, ctx);
      assert.is(r.platform, plat, ctx);
      assert.is(r.portId, port, ctx);
      assert.is(r.capabilityBits, parseInt(caps!, 16), ctx);
      assert.is([...r.addresses, ...r.managementAddresses].map((a) => a.address).join(','), ips, ctx);
      assert.is(r.nativeVlan, nvlan ? Number(nvlan) : null, ctx);
      assert.is(r.vtpDomain ?? '', vtp, ctx);
      assert.is(r.duplex, duplex === '' ? null : duplex === '1' ? 'full' : 'half', ctx);
      assert.is(r.checksumOk, ck === '1', ctx);
      assert.is(c.get('cdp.bad_checksum'), ck === '1' ? 0 : 1, ctx);
      assert.is(r.softwareVersion!.split('\\x0a').join(','), sw, ctx);
      compared++;
    }
  }
  if (tshark) assert.ok(compared >= 8, `compared ${compared}`);
});

test.run();
