/**
 * Aruba's GRE (protocol types 0x8200 to 0x8370 in steps of 0x10): an access
 * point sends its controller each station's 802.11 frame right after the GRE
 * header. The frame is decoded as if captured on the air, the access point
 * and controller kept as the tunnel's outer header, the transport VLAN with
 * them. Checked against zeek's gre-aruba captures and against tshark.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as B from '../../src/capture/builder.js';
import { pcapBytes } from '../../src/capture/writer.js';
import { L3, PacketView } from '../../src/decode/view.js';
import { macToString } from '../../src/inventory/addr-format.js';
import { addrs, decode, everyCutCounted, hex, outerAddrs, sharedFrames, survivesDamage } from '../helpers/decode-frame.js';
import { listShared, tsharkByFrame } from '../helpers/real-captures.js';
import { haveTool, skip } from '../helpers/skip.js';
import { T0 } from '../helpers/traffic.js';
import { snap, wlanData } from '../helpers/wlan-frames.js';

const STA = '00:16:3e:00:00:10';
const ROUTER = '00:16:3e:00:00:01';
const BSSID = '00:16:3e:00:00:fe';
const AP_MAC = '00:16:3e:aa:00:01';
const AP = '10.3.34.171';
const WLC = '10.33.10.23';

/** The access point to its controller (`up`) or back, GRE with `protocol`, on VLAN 300. */
function frame(protocol: number, payload: Buffer, up = true, gre: { key?: number; seq?: number } = {}): Buffer {
  const ip = B.ipv4({ src: up ? AP : WLC, dst: up ? WLC : AP, proto: B.IPPROTO.GRE, payload: B.gre({ protocol, payload, ...gre }) });
  return B.linkFrame(ip, { srcMac: AP_MAC, vlans: [300] });
}

const http = B.ipv4({ src: '10.37.36.92', dst: '205.185.216.10', proto: B.IPPROTO.TCP, payload: B.tcp({ srcPort: 1510, dstPort: 80, flags: 'S' }) });
const arp = B.arp({ op: 'reply', senderMac: ROUTER, senderIp: '10.37.36.1', targetMac: STA, targetIp: '10.37.36.92' });
const up80211 = wlanData({ ds: 1, sa: STA, da: ROUTER, bssid: BSSID, qos: 0, body: snap(0x0800, http) });
const down80211 = wlanData({ ds: 2, sa: ROUTER, da: STA, bssid: BSSID, qos: 0, body: snap(0x0806, arp) });
/** A CCMP-protected frame (gre-aruba-ccmp.pcap's kind): CCMP header, ciphertext, MIC. */
const sealed = wlanData({ ds: 2, sa: ROUTER, da: STA, bssid: BSSID, qos: 0, protected: true, body: Buffer.concat([hex('0100 0020 00000000'), Buffer.alloc(40, 0x5a), Buffer.alloc(8, 0x11)]) });

const m = (v: PacketView) => `${v.macSrc >= 0 ? macToString(v.macSrc) : '-'} > ${v.macDst >= 0 ? macToString(v.macDst) : '-'}`;

test('GRE 0x8200: the station\'s packet and MACs; the AP, the controller and their VLAN kept outside', () => {
  const { v, errs } = decode(frame(0x8200, up80211));
  assert.is(addrs(v), '10.37.36.92 > 205.185.216.10');
  assert.is(v.dstPort, 80);
  assert.is(m(v), `${STA} > ${ROUTER}`);
  assert.is(v.tunnelDepth, 1);
  assert.is(outerAddrs(v, 0), `${AP} > ${WLC}`);
  assert.is(macToString(v.outerMacSrc[0]!), AP_MAC);
  assert.is(v.outerVlan[0], 300);
  assert.is(v.vlan, -1);
  assert.equal(errs.toObject(), {});
});

test('all 24 protocol types, both ways, with a key and sequence number too; others are not opened', () => {
  for (let p = 0x8200; p <= 0x8370; p += 0x10) {
    const a = decode(frame(p, down80211, false));
    assert.is(a.v.l3, L3.ARP, p.toString(16));
    assert.is(m(a.v), `${ROUTER} > ${STA}`);
    assert.equal(a.errs.toObject(), {});
  }
  const keyed = decode(frame(0x8210, up80211, true, { key: 7, seq: 1 }));
  assert.is(addrs(keyed.v), '10.37.36.92 > 205.185.216.10');
  for (const p of [0x8201, 0x81f0, 0x8380, 0x9000]) {
    const { v, errs } = decode(frame(p, up80211));
    assert.is(v.tunnelDepth, 0, p.toString(16));
    assert.is(addrs(v), `${AP} > ${WLC}`);
    assert.is(v.proto, 47);
    assert.equal(errs.toObject(), {});
  }
});

test('a protected frame gives the MACs only; a management frame nothing; no error', () => {
  const a = decode(frame(0x8300, sealed, false));
  assert.is(a.v.tunnelDepth, 1);
  assert.is(a.v.l3, L3.None);
  assert.is(m(a.v), `${ROUTER} > ${STA}`);
  assert.equal(a.errs.toObject(), {});
  const beacon = Buffer.concat([hex('8000 0000 ffffffffffff 00163e0000fe 00163e0000fe 2000 | 0102030405060708 6400 1104 | 00 03 6c6162')]);
  const b = decode(frame(0x8200, beacon));
  assert.is(b.v.tunnelDepth, 1);
  assert.is(b.v.macSrc, -1);
  assert.equal(b.errs.toObject(), {});
});

test('every truncation is counted until the station\'s IP header is whole; random bytes never throw', () => {
  for (const f of [frame(0x8200, up80211), frame(0x8370, down80211, false)]) {
    everyCutCounted(f);
    survivesDamage(f);
    survivesDamage(f, 1, 18 + 20 + 4, 3);
  }
});

/** What a frame left in the view: the tunnel opened or not, the inner packet, the station's MACs. */
const row = (v: PacketView) => `${v.tunnelDepth} ${v.l3 === L3.ARP ? 'arp' : v.tunnelDepth > 0 ? addrs(v) : '-'} ${v.tunnelDepth > 0 ? m(v) : 'outer'}`;
const FIELDS = ['ip.src', 'ip.dst', 'arp.src.proto_ipv4', 'wlan.sa', 'wlan.da', 'wlan.fc.type', 'frame.protocols'];

/** tshark's rows as the decoder's (see row). */
function theirs(rows: Map<number, string[]>, n: number): string[] {
  const out: string[] = [];
  for (let i = 1; i <= n; i++) {
    const [s4 = '', d4 = '', arpSrc = '', wsa = '', wda = '', type = '', protos = ''] = rows.get(i) ?? [];
    const opened = /:gre:wlan/.test(protos);
    const last = (x: string) => x.split(',').pop()!;
    const inner = arpSrc ? 'arp' : opened && s4.includes(',') ? `${last(s4)} > ${last(d4)}` : '-';
    out.push(`${opened ? 1 : 0} ${inner} ${opened ? (type === '2' ? `${wsa} > ${wda}` : '- > -') : 'outer'}`);
  }
  return out;
}

test('zeek\'s gre-aruba captures: every frame opened, the stations\' packets and MACs (as tshark reads them)', async () => {
  const rows: string[] = [];
  let errs = await sharedFrames('zeek', 'tunnels/gre-aruba.pcap', (_i, v) => rows.push(row(v)));
  if (errs === null) return;
  assert.is(rows.length, 2407);
  assert.ok(rows.every((r) => r.startsWith('1 10.37.36.92 > ') || / > 10\.37\.36\.92 /.test(r)), 'the station\'s TCP, both ways');
  assert.equal(errs.toObject(), {});
  const ccmp: string[] = [];
  errs = await sharedFrames('zeek', 'tunnels/gre-aruba-ccmp.pcap', (_i, v) => ccmp.push(row(v)));
  assert.equal(ccmp, ['1 - 88:e0:f3:7f:ae:c0 > 98:af:65:ca:84:bf', '1 - 88:e0:f3:7f:ae:c0 > 98:af:65:ca:84:bf']);
  assert.equal(errs!.toObject(), {});
  if (!haveTool('tshark')) return;
  for (const [file, ours] of [[listShared('zeek/tunnels', /^gre-aruba\.pcap$/)[0], rows], [listShared('zeek/tunnels', /^gre-aruba-ccmp\.pcap$/)[0], ccmp]] as const) {
    assert.equal(ours, theirs(tsharkByFrame(file!, 'frame', FIELDS), ours.length), file);
  }
});

test('tshark reads the hand-built Aruba GRE frames as the decoder does', () => {
  if (!haveTool('tshark')) {
    skip('tshark is not installed: the hand-built Aruba GRE frames are not compared');
    return;
  }
  const frames = [frame(0x8200, up80211), frame(0x8370, down80211, false), frame(0x8300, sealed, false), frame(0x8210, up80211, true, { key: 7, seq: 1 }), frame(0x9000, up80211)];
  const dir = mkdtempSync(join(tmpdir(), 'nps-aruba-'));
  try {
    const file = join(dir, 'aruba.pcap');
    writeFileSync(file, pcapBytes(frames.map((data, i) => ({ tsUs: T0 + i, data })), { linkType: 1 }));
    assert.equal(frames.map((f) => row(decode(f).v)), theirs(tsharkByFrame(file, 'frame', FIELDS), frames.length));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
