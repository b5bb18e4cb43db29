/**
 * 802.11 link types: LINKTYPE_IEEE802_11 (105, no FCS), radiotap (127), PPI
 * (192), Prism (119) and AVS (163). A data frame's SA and DA stand for an
 * Ethernet frame's source and destination, its LLC/SNAP header for the
 * EtherType; management and control frames give nothing (no MAC, no error);
 * protected and body-less data frames give their MACs only. Frames are
 * built here field by field; the last tests compare them and the shared
 * captures with tshark.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as B from '../../src/capture/builder.js';
import { dhcpFrame } from '../../src/capture/dhcp-builder.js';
import { pcapBytes } from '../../src/capture/writer.js';
import { decodeFrame } from '../../src/decode/decode.js';
import { DecodeErrors } from '../../src/decode/errors.js';
import { L3, PacketView } from '../../src/decode/view.js';
import { Engine } from '../../src/engine/engine.js';
import { macToString } from '../../src/inventory/addr-format.js';
import { buildReport, type Report } from '../../src/report/build.js';
import { addrs, decode, hex, sharedFrames, survivesDamage } from '../helpers/decode-frame.js';
import { tsharkByFrame } from '../helpers/real-captures.js';
import { haveTool, skip } from '../helpers/skip.js';
import { T0 } from '../helpers/traffic.js';

const ETHERNET = 1;
const IEEE802_11 = 105;
const RADIOTAP = 127;
const PPI = 192;
const PRISM = 119;
const AVS = 163;

const STA = '00:16:3e:00:00:10';
const HOST = '00:16:3e:00:00:20';
const AP = '00:16:3e:00:00:fe';
const AP2 = '00:16:3e:00:00:fd';

// ---------------------------------------------------------------------------
// builders

/** Radiotap flags. */
const FCS = 0x10;
const DATAPAD = 0x20;
const BADFCS = 0x40;

/**
 * A radiotap header: TSFT (8 bytes, 8-aligned) when `tsft`, Flags when
 * `flags` is given, then Rate; `ext` more present words chained by bit 31.
 */
function radiotap(o: { tsft?: boolean; flags?: number; ext?: number } = {}): Buffer {
  const ext = o.ext ?? 0;
  const h: number[] = [0, 0, 0, 0];
  const word = (w: number) => h.push(w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24);
  word((o.tsft ? 0x01 : 0) | (o.flags !== undefined ? 0x02 : 0) | 0x04 | (ext > 0 ? 0x80000000 : 0));
  for (let i = 0; i < ext; i++) word(i + 1 < ext ? 0x80000000 : 0);
  if (o.tsft) {
    while (h.length % 8 !== 0) h.push(0);
    h.push(1, 2, 3, 4, 5, 6, 7, 8);
  }
  if (o.flags !== undefined) h.push(o.flags);
  h.push(0x0c); // Rate: 6 Mb/s
  h[2] = h.length & 0xff;
  h[3] = h.length >> 8;
  return Buffer.from(h);
}

interface DataFrame {
  /** 0: in a BSS; 1: ToDS; 2: FromDS; 3: WDS/mesh (RA, TA, DA, SA). */
  ds: 0 | 1 | 2 | 3;
  da: string;
  sa: string;
  bssid?: string;
  /** Subtype (0 data, 4 null, 8 QoS data, 12 QoS null...); 8 when `qos` is given, else 0. */
  subtype?: number;
  /** The QoS Control's first byte (0x80: A-MSDU). */
  qos?: number;
  /** The Order (+HTC) bit. */
  order?: boolean;
  protected?: boolean;
  moreFragments?: boolean;
  fragment?: number;
  /** The header padded to a multiple of 4 (radiotap's DATAPAD). */
  pad?: boolean;
  body: Uint8Array;
}

const mac = (m: string) => Buffer.from(B.parseMac(m));

function wlanData(o: DataFrame): Buffer {
  const subtype = o.subtype ?? (o.qos !== undefined ? 8 : 0);
  const bssid = o.bssid ?? AP;
  const fc = Buffer.of((2 << 2) | (subtype << 4), o.ds | (o.moreFragments ? 0x04 : 0) | (o.protected ? 0x40 : 0) | (o.order ? 0x80 : 0));
  const a = o.ds === 0 ? [o.da, o.sa, bssid] : o.ds === 1 ? [bssid, o.sa, o.da] : o.ds === 2 ? [o.da, bssid, o.sa] : [AP2, bssid, o.da, o.sa];
  const parts: Buffer[] = [fc, Buffer.of(0x2c, 0x00), mac(a[0]!), mac(a[1]!), mac(a[2]!), Buffer.of(((o.fragment ?? 0) & 0x0f) | 0x10, 0x00)];
  if (a[3] !== undefined) parts.push(mac(a[3]));
  if (subtype & 8) {
    parts.push(Buffer.of(o.qos ?? 0, 0));
    if (o.order) parts.push(Buffer.of(0xfc, 0xff, 0x0f, 0x00)); // HT Control
  }
  let hdr = Buffer.concat(parts);
  if (o.pad && hdr.length % 4 !== 0) hdr = Buffer.concat([hdr, Buffer.alloc(4 - (hdr.length % 4))]);
  return Buffer.concat([hdr, o.body]);
}

/** LLC/SNAP (RFC 1042 unless another OUI is given) and the payload. */
function snap(etherType: number, payload: Uint8Array, oui = 0): Buffer {
  return Buffer.concat([Buffer.of(0xaa, 0xaa, 0x03, oui >> 16, (oui >> 8) & 0xff, oui & 0xff, etherType >> 8, etherType & 0xff), payload]);
}

/** A beacon from AP: timestamp, interval, capabilities, SSID "lab". */
function beacon(): Buffer {
  return Buffer.concat([hex('8000 0000 ffffffffffff'), mac(AP), mac(AP), hex('2000 | 0102030405060708 6400 1104 | 00 03 6c6162')]);
}

/** A probe request from a randomised (locally administered) address. */
function probeRequest(from: string): Buffer {
  return Buffer.concat([hex('4000 0000 ffffffffffff'), mac(from), hex('ffffffffffff 3000 | 0000 | 0104 02040b16')]);
}

const FAKE_FCS = hex('deadbeef');
const v4 = B.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 53, payload: 'q' }) });
const v6 = B.ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 53, payload: 'q' }) });
const arp = B.arp({ op: 'request', senderMac: STA, senderIp: '10.0.0.1', targetIp: '10.0.0.2' });
/** TCP whose IPv4 total length is 0 (offload): the packet runs to the frame's end, so an FCS left in would be read as payload. */
const tcpToEnd = (() => {
  const p = B.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: B.IPPROTO.TCP, payload: B.tcp({ srcPort: 40000, dstPort: 80, flags: 'PA', payload: 'hello' }) });
  p.writeUInt16BE(0, 2);
  return p;
})();

const m = (v: PacketView) => `${v.macSrc >= 0 ? macToString(v.macSrc) : '-'} > ${v.macDst >= 0 ? macToString(v.macDst) : '-'}`;

// ---------------------------------------------------------------------------
// radiotap

test('radiotap: without Flags, with Flags, with TSFT before Flags, with extended present words', () => {
  const frame = wlanData({ ds: 1, sa: STA, da: HOST, body: snap(0x0800, v4) });
  for (const rt of [radiotap(), radiotap({ flags: 0 }), radiotap({ tsft: true, flags: 0 }), radiotap({ tsft: true, flags: 0, ext: 1 }), radiotap({ tsft: true, flags: 0, ext: 2 })]) {
    const { v, errs } = decode(Buffer.concat([rt, frame]), RADIOTAP);
    assert.is(addrs(v), '10.0.0.1 > 10.0.0.2', rt.toString('hex'));
    assert.is(m(v), `${STA} > ${HOST}`);
    assert.is(v.etherType, 0x0800);
    assert.is(v.dstPort, 53);
    assert.equal(errs.toObject(), {});
  }
});

test('radiotap FCS flag: the last 4 bytes are excluded, also when the snap length cut them', () => {
  const frame = Buffer.concat([wlanData({ ds: 1, sa: STA, da: HOST, body: snap(0x0800, tcpToEnd) }), FAKE_FCS]);
  // The Flags byte found past TSFT, past two present words (TSFT 8-aligned at 16, Flags at 24).
  for (const rt of [radiotap({ flags: FCS }), radiotap({ tsft: true, flags: FCS }), radiotap({ tsft: true, flags: FCS, ext: 1 })]) {
    const whole = Buffer.concat([rt, frame]);
    for (const cut of [0, 2, 4]) {
      const { v, errs } = decode(whole, RADIOTAP, whole.length - cut);
      assert.is(addrs(v), '10.0.0.1 > 10.0.0.2');
      assert.is(v.payloadLen, 5, `cut ${cut}: only "hello", no FCS byte`);
      assert.equal(errs.toObject(), {});
    }
  }
  // The same frame without the flag: the FCS is read as payload (what the flag is for).
  assert.is(decode(Buffer.concat([radiotap({ flags: 0 }), frame]), RADIOTAP).v.payloadLen, 9);
});

test('radiotap bad-FCS flag: counted, and nothing is taken from the frame', () => {
  const frame = Buffer.concat([wlanData({ ds: 1, sa: STA, da: HOST, body: snap(0x0800, v4) }), FAKE_FCS]);
  const { v, errs } = decode(Buffer.concat([radiotap({ tsft: true, flags: FCS | BADFCS }), frame]), RADIOTAP);
  assert.is(addrs(v), '-');
  assert.is(v.macSrc, -1);
  assert.equal(errs.toObject(), { 'wlan.bad_fcs': 1 });
});

test('radiotap DATAPAD flag: the MAC header is padded to 4 bytes', () => {
  // A QoS data header is 26 bytes: 2 bytes of padding follow it.
  const frame = wlanData({ ds: 1, sa: STA, da: HOST, qos: 0, pad: true, body: snap(0x86dd, v6) });
  const { v, errs } = decode(Buffer.concat([radiotap({ flags: DATAPAD }), frame]), RADIOTAP);
  assert.is(addrs(v), '2001:db8::1 > 2001:db8::2');
  assert.equal(errs.toObject(), {});
});

test('radiotap damage: bad version, a length below 8 or past the capture, present words past the length', () => {
  const frame = wlanData({ ds: 1, sa: STA, da: HOST, body: snap(0x0800, v4) });
  const cases: [string, string][] = [
    ['01000800 04000000', 'radiotap.bad_version'],
    ['00000400 04000000', 'radiotap.bad_length'],
    ['0000ff00 04000000', 'radiotap.truncated'],
    ['00000800 04000080', 'radiotap.bad_length'], // a second present word announced, no room for it
    ['00000800 02000000', 'radiotap.bad_length'], // Flags announced, no byte for it
    ['00000c00 03000000 00000000', 'radiotap.bad_length'], // TSFT at 8 would end past the header
  ];
  for (const [rt, reason] of cases) {
    const { v, errs } = decode(Buffer.concat([hex(rt), frame]), RADIOTAP);
    assert.is(addrs(v), '-', rt);
    assert.equal(errs.toObject(), { [reason]: 1 }, rt);
  }
});

// ---------------------------------------------------------------------------
// the 802.11 frame

test('LINKTYPE_IEEE802_11 (105): the frame alone, ARP in it', () => {
  const { v, errs } = decode(wlanData({ ds: 1, sa: STA, da: 'ff:ff:ff:ff:ff:ff', body: snap(0x0806, arp) }), IEEE802_11);
  assert.is(v.l3, L3.ARP);
  assert.is(macToString(v.arpSenderMac), STA);
  assert.is(m(v), `${STA} > ff:ff:ff:ff:ff:ff`);
  assert.equal(errs.toObject(), {});
});

test('addresses by ToDS/FromDS: SA and DA become the source and destination MACs', () => {
  for (const ds of [0, 1, 2, 3] as const) {
    const { v, errs } = decode(wlanData({ ds, sa: STA, da: HOST, body: snap(0x0800, v4) }), IEEE802_11);
    assert.is(m(v), `${STA} > ${HOST}`, `DS ${ds}`);
    assert.is(addrs(v), '10.0.0.1 > 10.0.0.2');
    assert.equal(errs.toObject(), {});
  }
});

test('QoS data: QoS Control, and HT Control when Order is set; Order in a non-QoS frame adds nothing', () => {
  for (const o of [{ qos: 0 }, { qos: 0, order: true }, { qos: 0, order: true, ds: 3 as const }, { order: true }]) {
    const { v, errs } = decode(wlanData({ ds: 1, sa: STA, da: HOST, ...o, body: snap(0x0800, v4) }), IEEE802_11);
    assert.is(addrs(v), '10.0.0.1 > 10.0.0.2', JSON.stringify(o));
    assert.is(m(v), `${STA} > ${HOST}`);
    assert.equal(errs.toObject(), {});
  }
});

test('A-MSDU: the first subframe is read, with its own DA and SA', () => {
  const sub = snap(0x0800, v4);
  const subframe = Buffer.concat([mac('ff:ff:ff:ff:ff:ff'), mac(HOST), Buffer.of(sub.length >> 8, sub.length & 0xff), sub, Buffer.alloc((4 - ((14 + sub.length) % 4)) % 4)]);
  const second = Buffer.concat([mac(STA), mac(HOST), Buffer.of(0, sub.length), sub]);
  const { v, errs } = decode(wlanData({ ds: 2, sa: HOST, da: STA, qos: 0x80, body: Buffer.concat([subframe, second]) }), IEEE802_11);
  assert.is(addrs(v), '10.0.0.1 > 10.0.0.2');
  assert.is(m(v), `${HOST} > ff:ff:ff:ff:ff:ff`);
  assert.equal(errs.toObject(), {});
});

test('protected, null-function and QoS-null frames: the MACs only, no error', () => {
  // CCMP header, then ciphertext and MIC.
  const sealed = Buffer.concat([hex('0100 0020 00000000'), Buffer.alloc(40, 0x5a), Buffer.alloc(8, 0x11)]);
  for (const f of [
    wlanData({ ds: 1, sa: STA, da: HOST, qos: 0, protected: true, body: sealed }),
    wlanData({ ds: 2, sa: HOST, da: STA, protected: true, body: sealed }),
    wlanData({ ds: 1, sa: STA, da: AP, subtype: 4, body: Buffer.alloc(0) }),
    wlanData({ ds: 1, sa: STA, da: AP, subtype: 12, body: Buffer.alloc(0) }),
  ]) {
    const { v, errs } = decode(f, IEEE802_11);
    assert.is(addrs(v), '-');
    assert.ok(v.macSrc >= 0, 'the station is noted');
    assert.is(v.etherType, 0);
    assert.equal(errs.toObject(), {});
  }
});

test('management and control frames: no MAC, no packet, no error', () => {
  for (const f of [beacon(), probeRequest('da:a1:19:00:00:01'), hex('d400 0000 001122334455'), hex('b400 0000 001122334455 66778899aabb')]) {
    for (const lt of [IEEE802_11, RADIOTAP]) {
      const frame = lt === RADIOTAP ? Buffer.concat([radiotap({ flags: 0 }), f]) : f;
      const { v, errs } = decode(frame, lt);
      assert.is(v.macSrc, -1);
      assert.is(v.l3, L3.None);
      assert.equal(errs.toObject(), {});
    }
  }
});

test('fragments, non-SNAP LLC, other OUIs, a protocol version other than 0', () => {
  // A fragmented MSDU keeps its addresses; its body is not read.
  for (const o of [{ moreFragments: true }, { fragment: 1 }]) {
    const { v, errs } = decode(wlanData({ ds: 1, sa: STA, da: HOST, ...o, body: snap(0x0800, v4) }), IEEE802_11);
    assert.is(addrs(v), '-');
    assert.is(m(v), `${STA} > ${HOST}`);
    assert.equal(errs.toObject(), {});
  }
  // STP over LLC, and SNAP with Apple's OUI: no EtherType; Cisco's OUI: CDP's protocol id, as on Ethernet.
  assert.is(decode(wlanData({ ds: 1, sa: STA, da: HOST, body: hex('424203 0000 00') }), IEEE802_11).v.etherType, 0);
  assert.is(decode(wlanData({ ds: 1, sa: STA, da: HOST, body: snap(0x0800, v4, 0x0017f2) }), IEEE802_11).v.etherType, 0);
  assert.is(decode(wlanData({ ds: 1, sa: STA, da: HOST, body: snap(0x2000, hex('02b4 0000'), 0x00000c) }), IEEE802_11).v.etherType, 0x2000);
  const bad = decode(hex('0900 0000 001122334455 66778899aabb 001122334455 1000'), IEEE802_11);
  assert.equal(bad.errs.toObject(), { 'wlan.bad_version': 1 });
});

// ---------------------------------------------------------------------------
// PPI, Prism, AVS

/** A PPI header for 802.11 (105) or Ethernet (1), with an 802.11-Common field carrying `commonFlags`. */
function ppi(dlt: number, commonFlags?: number): Buffer {
  const fields: Buffer[] = [];
  if (commonFlags !== undefined) {
    const f = Buffer.alloc(24);
    f.writeUInt16LE(2, 0);
    f.writeUInt16LE(20, 2);
    f.writeUInt16LE(commonFlags, 4 + 8);
    f.writeUInt16LE(2437, 4 + 12); // channel frequency
    fields.push(f);
  }
  const body = Buffer.concat(fields);
  const h = Buffer.alloc(8);
  h.writeUInt16LE(8 + body.length, 2);
  h.writeUInt32LE(dlt, 4);
  return Buffer.concat([h, body]);
}

/** A Prism monitor header: message code, length 144, the device name, then DID items (left zero). */
function prism(): Buffer {
  const h = Buffer.alloc(144);
  h.writeUInt32LE(0x41, 0);
  h.writeUInt32LE(144, 4);
  h.write('wlan0', 8, 'latin1');
  return h;
}

/** An AVS (version 1) header of 64 bytes. */
function avs(): Buffer {
  const h = Buffer.alloc(64);
  h.writeUInt32BE(0x80211001, 0);
  h.writeUInt32BE(64, 4);
  return h;
}

test('PPI: 802.11 with and without an FCS (802.11-Common flags), a bad FCS, Ethernet inside', () => {
  const frame = wlanData({ ds: 1, sa: STA, da: HOST, body: snap(0x0800, tcpToEnd) });
  const withFcs = decode(Buffer.concat([ppi(105, 0x0001), frame, FAKE_FCS]), PPI);
  assert.is(addrs(withFcs.v), '10.0.0.1 > 10.0.0.2');
  assert.is(withFcs.v.payloadLen, 5);
  assert.is(decode(Buffer.concat([ppi(105, 0), frame]), PPI).v.payloadLen, 5);
  assert.is(decode(Buffer.concat([ppi(105), frame]), PPI).v.payloadLen, 5);
  const bad = decode(Buffer.concat([ppi(105, 0x0005), frame, FAKE_FCS]), PPI);
  assert.is(addrs(bad.v), '-');
  assert.equal(bad.errs.toObject(), { 'wlan.bad_fcs': 1 });
  const eth = decode(Buffer.concat([ppi(1), B.linkFrame(v4, { srcMac: STA })]), PPI);
  assert.is(addrs(eth.v), '10.0.0.1 > 10.0.0.2');
  assert.is(macToString(eth.v.macSrc), STA);
  assert.equal(decode(Buffer.concat([ppi(9), v4]), PPI).errs.toObject(), { 'ppi.unsupported_link_type': 1 });
});

test('Prism and AVS headers, and an AVS header under the Prism link type', () => {
  const frame = wlanData({ ds: 2, sa: HOST, da: STA, body: snap(0x0800, v4) });
  for (const [head, lt] of [[prism(), PRISM], [avs(), AVS], [avs(), PRISM]] as const) {
    const { v, errs } = decode(Buffer.concat([head, frame]), lt);
    assert.is(addrs(v), '10.0.0.1 > 10.0.0.2', `${lt}`);
    assert.is(m(v), `${HOST} > ${STA}`);
    assert.equal(errs.toObject(), {});
  }
  assert.equal(decode(Buffer.concat([hex('80211003 00000040'), Buffer.alloc(56), frame]), AVS).errs.toObject(), { 'avs.bad_version': 1 });
});

// ---------------------------------------------------------------------------
// damage

test('every truncation is counted while the link headers are incomplete; random bytes never throw', () => {
  const frames: [Buffer, number][] = [
    [Buffer.concat([radiotap({ tsft: true, flags: FCS, ext: 1 }), wlanData({ ds: 3, sa: STA, da: HOST, qos: 0, order: true, body: snap(0x0800, v4) }), FAKE_FCS]), RADIOTAP],
    [Buffer.concat([radiotap({ flags: DATAPAD }), wlanData({ ds: 1, sa: STA, da: HOST, qos: 0x80, pad: true, body: Buffer.concat([mac(HOST), mac(STA), Buffer.of(0, 8 + v4.length), snap(0x0800, v4)]) })]), RADIOTAP],
    [wlanData({ ds: 2, sa: HOST, da: STA, body: snap(0x0806, arp) }), IEEE802_11],
    [Buffer.concat([ppi(105, 1), wlanData({ ds: 1, sa: STA, da: HOST, body: snap(0x86dd, v6) }), FAKE_FCS]), PPI],
    [Buffer.concat([prism(), wlanData({ ds: 1, sa: STA, da: HOST, body: snap(0x0800, v4) })]), PRISM],
    [Buffer.concat([avs(), wlanData({ ds: 1, sa: STA, da: HOST, body: snap(0x0800, v4) })]), AVS],
  ];
  for (const [frame, lt] of frames) {
    const full = decode(frame, lt);
    assert.equal(full.errs.toObject(), {}, `${lt}: whole frame`);
    assert.ok(full.v.l3 !== L3.None);
    const l3Off = full.v.l3Off;
    for (let n = 0; n < l3Off + 1; n++) {
      const v = new PacketView();
      const errs = new DecodeErrors();
      decodeFrame(v, errs, frame, 0, n, frame.length, 0, lt);
      assert.ok(errs.total >= 1, `${lt}: cut at ${n} of ${frame.length} not counted`);
      assert.is(v.l3, L3.None);
    }
    survivesDamage(frame, lt);
    // Random bytes behind a valid radio header too.
    survivesDamage(frame, lt, lt === RADIOTAP ? 8 : 0, 7);
  }
});

// ---------------------------------------------------------------------------
// the engine: Wi-Fi frames give the facts Ethernet frames do

/** An untagged Ethernet frame's DA, SA, EtherType and payload as an 802.11 data frame behind radiotap (with an FCS). */
function ethToWifi(eth: Buffer, ds: 0 | 1 | 2 | 3): Buffer {
  const da = B.formatMac(eth, 0);
  const sa = B.formatMac(eth, 6);
  const frame = wlanData({ ds, da, sa, qos: 0, body: snap(eth.readUInt16BE(12), eth.subarray(14)) });
  return Buffer.concat([radiotap({ tsft: true, flags: FCS }), frame, FAKE_FCS]);
}

function run(frames: Buffer[], linkType: number): { e: Engine; report: Report } {
  const e = new Engine();
  frames.forEach((f, i) => e.packet(f, 0, f.length, f.length, T0 + i * 100_000, linkType));
  e.finish();
  return { e, report: buildReport(e, [], { generator: { name: 'nps', version: 'test' }, deterministic: true }) };
}

/** The report's assets without their byte counts (the two link layers' frames differ in length). */
function facts(r: Report): unknown {
  return JSON.parse(JSON.stringify(r.assets, (k, val: unknown) => (/bytes$/.test(k) ? undefined : val)));
}

test('engine: ARP, DHCP and TCP in radiotap give the assets that the same frames in Ethernet give', () => {
  const client = '00:16:3e:00:00:10';
  const server = '00:16:3e:00:00:01';
  const eth = [
    B.arpPacket({ op: 'request', senderMac: server, senderIp: '192.168.1.1', targetIp: '192.168.1.10' }),
    B.arpPacket({ op: 'reply', senderMac: client, senderIp: '192.168.1.10', targetMac: server, targetIp: '192.168.1.1', dstMac: server }),
    dhcpFrame({ op: 1, type: 3, mac: client, hostname: 'laptop-7', prl: [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252], vendorClass: 'MSFT 5.0', requestedIp: '192.168.1.10' }),
    dhcpFrame({ op: 2, type: 5, mac: client, yiaddr: '192.168.1.10', leaseSeconds: 86400, serverId: '192.168.1.1', serverMac: server }),
    ...B.tcpSession({
      client: '192.168.1.10', clientMac: client, cport: 51000, server: '192.168.1.1', serverMac: server, sport: 80,
      requests: [
        { fromClient: true, data: 'GET / HTTP/1.1\r\nHost: router.lan\r\nUser-Agent: curl/8.4.0\r\n\r\n' },
        { fromClient: false, data: 'HTTP/1.1 200 OK\r\nServer: lighttpd/1.4.59\r\nContent-Length: 0\r\n\r\n' },
      ],
    }).map((p) => p.data),
  ];
  const want = run(eth, ETHERNET);
  assert.ok(want.report.assets.length >= 2);
  // The station's frames go to the AP (ToDS), the router's come from it (FromDS); in an IBSS neither.
  const toDs = (f: Buffer) => (B.formatMac(f, 6) === client ? 1 : 2);
  for (const ds of ['infrastructure', 'ibss'] as const) {
    const wifi = eth.map((f) => ethToWifi(f, ds === 'ibss' ? 0 : toDs(f)));
    const got = run(wifi, RADIOTAP);
    assert.equal(facts(got.report), facts(want.report), ds);
    assert.equal(got.e.errors.toObject(), {});
    assert.is(got.e.flows.created, want.e.flows.created);
  }
});

test('engine: only data frames give MACs; an encrypted station is a MAC-only asset, beacons and probes are not assets', () => {
  const sealed = Buffer.concat([hex('0100 0020 00000000'), Buffer.alloc(40, 0x5a)]);
  const frames = [
    Buffer.concat([radiotap({ flags: 0 }), beacon()]),
    Buffer.concat([radiotap({ flags: 0 }), probeRequest('da:a1:19:00:00:01')]),
    Buffer.concat([radiotap({ flags: 0 }), probeRequest('00:16:3e:00:00:99')]),
    Buffer.concat([radiotap({ flags: 0 }), wlanData({ ds: 1, sa: STA, da: HOST, qos: 0, protected: true, body: sealed })]),
  ];
  const { e, report } = run(frames, RADIOTAP);
  assert.equal([...e.hosts.macRecords()].map((r) => macToString(r.mac)), [STA]);
  assert.equal(report.assets.map((a) => a.id), [`mac:${STA}`]);
  assert.equal(e.errors.toObject(), {});
  assert.equal(report.warnings.filter((w) => w.code === 'unknown-link-type'), []);
});

// ---------------------------------------------------------------------------
// tshark

/**
 * The frames above written as captures and read by tshark: the IPv4/IPv6
 * source and destination and, for data frames, wlan.sa/wlan.da (for an
 * A-MSDU, the subframe's, listed last) must be what the decoder found.
 * (Bad-FCS frames are left out: tshark reads them.)
 */
test('tshark reads the hand-built frames as the decoder does', () => {
  if (!haveTool('tshark')) {
    skip('tshark is not installed: the hand-built 802.11 frames are not compared');
    return;
  }
  // An A-MSDU's subframe holds the packet's own DA and SA (here the header's, swapped): tshark lists them after the header's.
  const dataFrames = [
    wlanData({ ds: 0, sa: STA, da: HOST, body: snap(0x0800, v4) }),
    wlanData({ ds: 1, sa: STA, da: HOST, qos: 0, body: snap(0x0800, v4) }),
    wlanData({ ds: 2, sa: HOST, da: STA, qos: 0, order: true, body: snap(0x86dd, v6) }),
    wlanData({ ds: 3, sa: STA, da: HOST, qos: 0, order: true, body: snap(0x0800, v4) }),
    wlanData({ ds: 2, sa: STA, da: HOST, qos: 0x80, body: Buffer.concat([mac(STA), mac(HOST), Buffer.of(0, 8 + v4.length), snap(0x0800, v4)]) }),
    wlanData({ ds: 1, sa: STA, da: HOST, subtype: 4, body: Buffer.alloc(0) }),
    wlanData({ ds: 1, sa: STA, da: HOST, protected: true, body: Buffer.concat([hex('0100 0020 00000000'), Buffer.alloc(40, 0x5a)]) }),
  ];
  const captures: [number, Buffer[]][] = [
    [IEEE802_11, [...dataFrames, beacon()]],
    [RADIOTAP, [
      ...dataFrames.map((f) => Buffer.concat([radiotap({ tsft: true, flags: FCS, ext: 1 }), f, FAKE_FCS])),
      Buffer.concat([radiotap({ flags: DATAPAD }), wlanData({ ds: 1, sa: STA, da: HOST, qos: 0, pad: true, body: snap(0x0800, v4) })]),
      Buffer.concat([radiotap(), wlanData({ ds: 1, sa: STA, da: HOST, body: snap(0x0806, arp) })]),
    ]],
    [PPI, [...dataFrames.map((f) => Buffer.concat([ppi(105, 1), f, FAKE_FCS])), Buffer.concat([ppi(105), dataFrames[0]!]), Buffer.concat([ppi(1), B.linkFrame(v4, { srcMac: STA, dstMac: HOST })])]],
    [PRISM, [Buffer.concat([prism(), dataFrames[1]!]), Buffer.concat([avs(), dataFrames[2]!])]],
    [AVS, dataFrames.map((f) => Buffer.concat([avs(), f]))],
  ];
  const dir = mkdtempSync(join(tmpdir(), 'nps-wifi-'));
  try {
    for (const [lt, frames] of captures) {
      const file = join(dir, `${lt}.pcap`);
      writeFileSync(file, pcapBytes(frames.map((data, i) => ({ tsUs: T0 + i, data })), { linkType: lt }));
      const rows = tsharkByFrame(file, 'frame', ['ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'arp.src.proto_ipv4', 'wlan.sa', 'wlan.da', 'eth.src', 'eth.dst', 'wlan.fc.type']);
      assert.is(rows.size, frames.length, `${lt}: tshark read every frame`);
      frames.forEach((f, i) => {
        const { v, errs } = decode(f, lt);
        assert.equal(errs.toObject(), {});
        const [s4 = '', d4 = '', s6 = '', d6 = '', arpSrc = '', wsa = '', wda = '', esrc = '', edst = '', type = ''] = rows.get(i + 1)!;
        const first = (x: string) => x.split(',')[0]!;
        const theirs = s4 ? `${first(s4)} > ${first(d4)}` : s6 ? `${first(s6)} > ${first(d6)}` : arpSrc ? 'arp' : '-';
        const ours = v.l3 === L3.ARP ? 'arp' : addrs(v);
        assert.is(ours, theirs, `${lt} frame ${i + 1}`);
        const last = (x: string) => x.split(',').pop()!;
        // Data frames only: a management frame's addresses are not taken (see wifi.ts).
        const want = esrc ? `${esrc} > ${edst}` : type === '2' ? `${last(wsa)} > ${last(wda)}` : '- > -';
        assert.is(m(v), want, `${lt} frame ${i + 1} MACs`);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('shared captures: the addresses tshark shows (zeek\'s radiotap and 802.11 captures)', async () => {
  // tshark -T fields -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst: two DNS packets, then an mDNS one over IPv6.
  const want = ['172.17.156.76 > 208.67.220.220', '208.67.220.220 > 172.17.156.76', 'fe80::a667:6ff:fef7:ec54 > ff02::fb'];
  for (const name of ['radiotap.pcap', 'wlanmon.pcap']) {
    const seen: string[] = [];
    const errs = await sharedFrames('zeek', name, (_i, v) => seen.push(addrs(v)));
    if (errs === null) return;
    assert.equal(seen, want, name);
    assert.equal(errs.toObject(), {});
  }
  // ARP requests and replies (tshark: wlan:llc:arp), from the stations' data frames.
  for (const name of ['arp-who-has-radiotap.pcap', 'arp-who-has-wlanmon.pcap']) {
    const seen: string[] = [];
    const errs = await sharedFrames('zeek', name, (_i, v) => seen.push(`${v.l3 === L3.ARP ? 'arp' : '-'} ${m(v)}`));
    if (errs === null) return;
    assert.equal(seen, ['arp 78:31:c1:c6:3f:c2 > ff:ff:ff:ff:ff:ff', 'arp f8:ed:a5:c0:a4:f1 > 78:31:c1:c6:3f:c2'], name);
    assert.equal(errs.toObject(), {});
  }
});

test.run();
