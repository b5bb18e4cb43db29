/**
 * LWAPP (RFC 5412) over UDP 12222 and 12223, on either side: a data message
 * (C clear) carries a station's 802.11 frame, decoded as if captured on the
 * air, with the access point and controller kept as the tunnel's outer
 * header. A 6-byte length-checked header decides; control messages (also
 * behind the AP's MAC address, as Cisco sends them to 12223) stay plain UDP,
 * fragments are counted and left. Checked against tcpdump's lwapp-data.pcap
 * (a Cisco controller: Frame Control swapped) and against tshark.
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
import { mac, snap, wlanData } from '../helpers/wlan-frames.js';

const STA = '00:16:3e:00:00:10';
const ROUTER = '00:16:3e:00:00:01';
const BSSID = '00:16:3e:00:00:fe';
const AP_MAC = '00:16:3e:aa:00:01';
const AP = '10.20.0.11';
const WLC = '10.20.0.2';
const AP_PORT = 20105;

/** flags (radio id 1 | C | F | L) | fragment id | length of the rest | status, then the payload. */
function lwapp(payload: Uint8Array, o: { control?: boolean; fragment?: boolean; notLast?: boolean; version?: number; length?: number } = {}): Buffer {
  const h = Buffer.alloc(6);
  h[0] = ((o.version ?? 0) << 6) | (1 << 3) | (o.control ? 0x04 : 0) | (o.fragment ? 0x02 : 0) | (o.notLast ? 0x01 : 0);
  h[1] = 0x20;
  h.writeUInt16BE(o.length ?? payload.length, 2);
  h.writeUInt16BE(0xe948, 4);
  return Buffer.concat([h, payload]);
}

/** The access point to its controller's `port` (`up`), or the controller back from it. */
function frame(payload: Buffer, up = true, port = up ? 12222 : 12223, apPort = AP_PORT): Buffer {
  return B.udpPacket({ src: up ? AP : WLC, dst: up ? WLC : AP, sport: up ? apPort : port, dport: up ? port : apPort, payload });
}

const dhcp = B.ipv4({ src: '0.0.0.0', dst: '255.255.255.255', proto: B.IPPROTO.UDP, payload: B.udp({ srcPort: 68, dstPort: 67, payload: Buffer.alloc(240) }) });
const arp = B.arp({ op: 'request', senderMac: STA, senderIp: '192.168.7.20', targetIp: '192.168.7.1' });
const upFrame = (cisco: boolean) => wlanData({ ds: 1, sa: STA, da: 'ff:ff:ff:ff:ff:ff', bssid: BSSID, cisco, body: snap(0x0800, dhcp) });
const downFrame = (cisco: boolean) => wlanData({ ds: 2, sa: ROUTER, da: STA, bssid: BSSID, cisco, body: snap(0x0806, arp) });

const m = (v: PacketView) => `${v.macSrc >= 0 ? macToString(v.macSrc) : '-'} > ${v.macDst >= 0 ? macToString(v.macDst) : '-'}`;

function plainUdp(v: PacketView, what: string): void {
  assert.is(v.tunnelDepth, 0, what);
  assert.is(v.proto, 17, what);
  assert.ok(addrs(v) === `${AP} > ${WLC}` || addrs(v) === `${WLC} > ${AP}`, what);
}

test('a data message to 12222 and one from 12223: the station\'s frame, in 802.11\'s order or Cisco\'s', () => {
  for (const cisco of [false, true]) {
    const up = decode(frame(lwapp(upFrame(cisco))));
    assert.is(addrs(up.v), '0.0.0.0 > 255.255.255.255', `cisco ${cisco}`);
    assert.is(up.v.dstPort, 67);
    assert.is(m(up.v), `${STA} > ff:ff:ff:ff:ff:ff`);
    assert.is(up.v.tunnelDepth, 1);
    assert.is(outerAddrs(up.v, 0), `${AP} > ${WLC}`);
    assert.equal(up.errs.toObject(), {});
    const down = decode(frame(lwapp(downFrame(cisco)), false));
    assert.is(down.v.l3, L3.ARP);
    assert.is(m(down.v), `${ROUTER} > ${STA}`);
    assert.is(outerAddrs(down.v, 0), `${WLC} > ${AP}`);
    assert.equal(down.errs.toObject(), {});
  }
});

test('to 12223 behind the access point\'s MAC address: a data message is opened, a control message is not', () => {
  const data = decode(frame(Buffer.concat([mac(AP_MAC), lwapp(upFrame(true))]), true, 12223));
  assert.is(addrs(data.v), '0.0.0.0 > 255.255.255.255');
  assert.equal(data.errs.toObject(), {});
  // CONFIGURE_COMMAND_RES (13), sequence 8, length 0
  const control = decode(frame(Buffer.concat([mac(AP_MAC), lwapp(hex('0d 08 0000'), { control: true })]), true, 12223));
  plainUdp(control.v, 'control behind a MAC');
  assert.equal(control.errs.toObject(), {});
});

test('control messages, fragments, a wrong length or version, a well-known port: no tunnel; fragments counted', () => {
  const cases: [string, Buffer, Record<string, number>][] = [
    ['control message', frame(lwapp(hex('0c 07 0004 00000000'), { control: true }), false), {}],
    ['first fragment', frame(lwapp(upFrame(false).subarray(0, 40), { fragment: true, notLast: true })), { 'lwapp.fragment_unsupported': 1 }],
    ['last fragment', frame(lwapp(upFrame(false).subarray(40), { fragment: true })), { 'lwapp.fragment_unsupported': 1 }],
    ['length one short', frame(lwapp(upFrame(false), { length: upFrame(false).length - 1 })), {}],
    ['length one long', frame(lwapp(upFrame(false), { length: upFrame(false).length + 1 })), {}],
    ['version 1', frame(lwapp(upFrame(false), { version: 1 })), {}],
    ['from port 53', frame(lwapp(upFrame(false)), true, 12222, 53), {}],
    ['5 bytes', frame(hex('08 20 0000 00')), {}],
  ];
  for (const [what, f, want] of cases) {
    const { v, errs } = decode(f);
    plainUdp(v, what);
    assert.equal(errs.toObject(), want, what);
  }
});

test('every truncation is counted until the station\'s IP header is whole; random bytes never throw', () => {
  for (const f of [frame(lwapp(upFrame(true))), frame(lwapp(downFrame(false)), false), frame(Buffer.concat([mac(AP_MAC), lwapp(upFrame(false))]), true, 12223)]) {
    everyCutCounted(f);
    survivesDamage(f);
    survivesDamage(f, 1, 14 + 20 + 8 + 6, 3);
  }
});

test('tcpdump\'s lwapp-data.pcap: the station\'s DHCP through a Cisco controller', async () => {
  // tshark -o lwapp.swap_fc:TRUE -T fields -e ip.src -e ip.dst -e wlan.sa -e wlan.da: an association
  // exchange (management frames), two control messages, a WLCCP frame, then DHCP request and ACK.
  const want = [
    '- - > - 1', '- - > - 1', '- - > - 1',
    '10.48.73.246 > 10.48.74.126 00:0b:85:32:e4:05 > 00:0b:85:24:e8:90 0', '10.48.74.126 > 10.48.73.246 00:0b:85:24:e8:90 > 00:0b:85:32:e4:05 0',
    '- 00:02:8a:d8:de:9a > 00:0b:85:24:e8:9f 1',
    '100.0.253.3 > 255.255.255.255 00:02:8a:d8:de:9a > ff:ff:ff:ff:ff:ff 1',
    '1.1.1.1 > 100.0.253.3 00:0b:85:24:e8:90 > 00:02:8a:d8:de:9a 1',
  ];
  const seen: string[] = [];
  const errs = await sharedFrames('tcpdump', 'lwapp-data.pcap', (_i, v) => seen.push(`${addrs(v)} ${m(v)} ${v.tunnelDepth}`));
  if (errs === null) return;
  assert.equal(seen, want);
  assert.equal(errs.toObject(), {});
});

/** What a frame left in the view: the tunnel opened or not, the inner packet, the station's MACs. */
const row = (v: PacketView) => `${v.tunnelDepth} ${v.l3 === L3.ARP ? 'arp' : v.tunnelDepth > 0 ? addrs(v) : '-'} ${v.tunnelDepth > 0 ? m(v) : 'outer'}`;
const FIELDS = ['ip.src', 'ip.dst', 'arp.src.proto_ipv4', 'wlan.sa', 'wlan.da', 'wlan.fc.type', 'frame.protocols'];

test('tshark reads the hand-built LWAPP frames as the decoder does (lwapp.swap_fc as the frames need)', () => {
  if (!haveTool('tshark')) {
    skip('tshark is not installed: LWAPP frames are not compared');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'nps-lwapp-'));
  try {
    for (const cisco of [true, false]) {
      const frames = [
        frame(lwapp(upFrame(cisco))),
        frame(lwapp(downFrame(cisco)), false),
        frame(lwapp(hex('0c 07 0004 00000000'), { control: true }), false),
        frame(Buffer.concat([mac(AP_MAC), lwapp(upFrame(cisco))]), true, 12223),
        frame(lwapp(wlanData({ ds: 1, sa: STA, da: BSSID, bssid: BSSID, subtype: 4, cisco, body: Buffer.alloc(0) }))),
      ];
      const file = join(dir, `lwapp-${cisco}.pcap`);
      writeFileSync(file, pcapBytes(frames.map((data, i) => ({ tsUs: T0 + i, data })), { linkType: 1 }));
      const rows = tsharkByFrame(file, 'frame', FIELDS, ',', [`lwapp.swap_fc:${cisco ? 'TRUE' : 'FALSE'}`]);
      assert.equal(frames.map((f) => row(decode(f).v)), theirs(rows, frames.length), `cisco ${cisco}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tshark (LWAPP read swapped) agrees on lwapp-data.pcap', async () => {
  const file = listShared('tcpdump', /^lwapp-data\.pcap$/)[0];
  if (file === undefined || !haveTool('tshark')) return; // the frames are checked above without tshark
  const rows = tsharkByFrame(file, 'frame', FIELDS, ',', ['lwapp.swap_fc:TRUE']);
  const ours: string[] = [];
  await sharedFrames('tcpdump', 'lwapp-data.pcap', (_i, v) => ours.push(row(v)));
  assert.equal(ours, theirs(rows, ours.length));
});

/**
 * tshark's rows as the decoder's: whether a frame follows LWAPP's header (the
 * tunnel opened), the inner packet, and a data frame's SA and DA (or the
 * outer Ethernet addresses when nothing was opened).
 */
function theirs(rows: Map<number, string[]>, n: number): string[] {
  const out: string[] = [];
  for (let i = 1; i <= n; i++) {
    const [s4 = '', d4 = '', arpSrc = '', wsa = '', wda = '', type = '', protos = ''] = rows.get(i) ?? [];
    const opened = /:lwapp:wlan/.test(protos);
    const last = (x: string) => x.split(',').pop()!;
    const inner = arpSrc ? 'arp' : opened ? (s4.includes(',') ? `${last(s4)} > ${last(d4)}` : '-') : '-';
    const macs = opened ? (type === '2' ? `${wsa} > ${wda}` : '- > -') : null;
    out.push(`${opened ? 1 : 0} ${inner} ${macs ?? 'outer'}`);
  }
  return out;
}

test.run();
