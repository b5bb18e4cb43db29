/**
 * CAPWAP data channel (RFC 5415 §4.3, RFC 5416), UDP 5247 on either side:
 * the station's frame an access point and its controller exchange (802.11
 * with T set, in 802.11's byte order or Cisco's, or 802.3 without T) is
 * decoded as if captured on the air, the two ends kept as the tunnel's outer
 * header. Keep-alives, DTLS, fragments and the control port (5246) stay the
 * outer UDP flow. Frames are built here field by field; the last tests run
 * the engine on them and compare them with tshark.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as B from '../../src/capture/builder.js';
import { dhcpFrame } from '../../src/capture/dhcp-builder.js';
import { pcapBytes } from '../../src/capture/writer.js';
import { L3, PacketView } from '../../src/decode/view.js';
import { Engine } from '../../src/engine/engine.js';
import { macToString } from '../../src/inventory/addr-format.js';
import { buildReport, type Report } from '../../src/report/build.js';
import { addrs, decode, everyCutCounted, hex, outerAddrs, survivesDamage } from '../helpers/decode-frame.js';
import { tsharkByFrame } from '../helpers/real-captures.js';
import { haveTool, skip } from '../helpers/skip.js';
import { T0 } from '../helpers/traffic.js';
import { ethToWlan, mac, snap, wlanData } from '../helpers/wlan-frames.js';

const STA = '00:16:3e:00:00:10';
const ROUTER = '00:16:3e:00:00:01';
const BSSID = '00:16:3e:00:00:fe';
const AP_MAC = '00:16:3e:aa:00:01';
const WLC_MAC = '00:16:3e:bb:00:01';
const AP = '10.20.0.11';
const WLC = '10.20.0.2';
/** The access point's ephemeral data port. */
const AP_PORT = 5264;

interface Capwap {
  /** Preamble type: 0 CAPWAP header, 1 DTLS. */
  type?: number;
  /** T: the payload is the binding's native frame (802.11). */
  native?: boolean;
  wbid?: number;
  keepAlive?: boolean;
  /** F, with the fragment id and offset (in 8-byte units); L when `last`. */
  fragment?: { id: number; offset: number; last: boolean };
  /** M: the radio MAC address (6 or 8 bytes). */
  radioMac?: Buffer;
  /** W: wireless specific information (RFC 5416: RSSI, SNR, data rate). */
  wireless?: Buffer;
  /** Overrides HLEN (in 4-byte words). */
  hlen?: number;
  payload: Uint8Array;
}

const pad4 = (b: Buffer) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);

/** A CAPWAP data message: preamble, header (HLEN computed from the optional parts), payload. */
function capwap(o: Capwap): Buffer {
  if (o.type === 1) return Buffer.concat([hex('01 000000'), o.payload]);
  const opt: Buffer[] = [];
  if (o.radioMac) opt.push(pad4(Buffer.concat([Buffer.of(o.radioMac.length), o.radioMac])));
  if (o.wireless) opt.push(pad4(Buffer.concat([Buffer.of(o.wireless.length), o.wireless])));
  const optional = Buffer.concat(opt);
  const hlen = o.hlen ?? (8 + optional.length) / 4;
  const rid = 1;
  const wbid = o.wbid ?? 1;
  const f = o.fragment;
  const h = Buffer.alloc(8);
  h[0] = o.type ?? 0;
  h[1] = (hlen << 3) | (rid >> 2);
  h[2] = ((rid & 3) << 6) | (wbid << 1) | (o.native ? 1 : 0);
  h[3] = (f ? 0x80 : 0) | (f?.last ? 0x40 : 0) | (o.wireless ? 0x20 : 0) | (o.radioMac ? 0x10 : 0) | (o.keepAlive ? 0x08 : 0);
  h.writeUInt16BE(f?.id ?? 0, 4);
  h.writeUInt16BE((f?.offset ?? 0) << 3, 6);
  return Buffer.concat([h, optional, o.payload]);
}

/** The access point to its controller (`up`) or back, on an Ethernet segment tagged with VLAN 20. */
function frame(payload: Buffer, up = true, ports: [number, number] = up ? [AP_PORT, 5247] : [5247, AP_PORT]): Buffer {
  return B.udpPacket({
    src: up ? AP : WLC, dst: up ? WLC : AP, srcMac: up ? AP_MAC : WLC_MAC, dstMac: up ? WLC_MAC : AP_MAC,
    vlans: [20], sport: ports[0], dport: ports[1], payload,
  });
}

/** A station's DNS query, its ARP request, and an IPv6 packet. */
const dns = B.ipv4({ src: '192.168.7.20', dst: '192.168.7.1', proto: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 53, payload: 'q' }) });
const arp = B.arp({ op: 'request', senderMac: STA, senderIp: '192.168.7.20', targetIp: '192.168.7.1' });
const v6 = B.ipv6({ src: '2001:db8:7::20', dst: '2001:db8:7::1', nextHeader: B.IPPROTO.UDP, payload: B.udp({ srcPort: 40000, dstPort: 53, payload: 'q' }) });

/** The station's frame to the DS (ToDS), in 802.11's order or Cisco's. */
const up80211 = (body: Buffer, cisco = false) => wlanData({ ds: 1, sa: STA, da: ROUTER, bssid: BSSID, qos: 0, cisco, body });
/** The router's frame to the station (FromDS). */
const down80211 = (body: Buffer, cisco = false) => wlanData({ ds: 2, sa: ROUTER, da: STA, bssid: BSSID, cisco, body });

const m = (v: PacketView) => `${v.macSrc >= 0 ? macToString(v.macSrc) : '-'} > ${v.macDst >= 0 ? macToString(v.macDst) : '-'}`;

/** The datagram stayed the AP's and controller's UDP: no tunnel opened. */
function plainUdp(v: PacketView, what: string): void {
  assert.is(v.tunnelDepth, 0, what);
  assert.is(v.proto, 17, what);
  assert.ok(addrs(v) === `${AP} > ${WLC}` || addrs(v) === `${WLC} > ${AP}`, what);
  assert.is(macToString(v.macSrc), addrs(v).startsWith(AP) ? AP_MAC : WLC_MAC, what);
}

// ---------------------------------------------------------------------------
// 802.11 (T set)

test('802.11 data frame (T = 1, WBID 1) with IPv4: the station\'s packet and MACs, the AP and controller kept outside', () => {
  const { v, errs } = decode(frame(capwap({ native: true, payload: up80211(snap(0x0800, dns)) })));
  assert.is(addrs(v), '192.168.7.20 > 192.168.7.1');
  assert.is(v.dstPort, 53);
  assert.is(m(v), `${STA} > ${ROUTER}`);
  assert.is(v.tunnelDepth, 1);
  assert.is(outerAddrs(v, 0), `${AP} > ${WLC}`);
  assert.is(macToString(v.outerMacSrc[0]!), AP_MAC);
  assert.is(v.outerVlan[0], 20);
  assert.is(v.vlan, -1, 'the station is not on the AP\'s VLAN');
  assert.equal(errs.toObject(), {});
});

test('from the controller (source port 5247): ARP and IPv6 to the station', () => {
  const a = decode(frame(capwap({ native: true, payload: down80211(snap(0x0806, arp)) }), false));
  assert.is(a.v.l3, L3.ARP);
  assert.is(macToString(a.v.arpSenderMac), STA);
  assert.is(m(a.v), `${ROUTER} > ${STA}`);
  assert.is(outerAddrs(a.v, 0), `${WLC} > ${AP}`);
  assert.equal(a.errs.toObject(), {});
  const b = decode(frame(capwap({ native: true, payload: down80211(snap(0x86dd, v6)) }), false));
  assert.is(addrs(b.v), '2001:db8:7::20 > 2001:db8:7::1');
  assert.equal(b.errs.toObject(), {});
});

test('Cisco\'s byte order (Frame Control swapped, Sequence Control big-endian) gives the same, both ways', () => {
  for (const seq of [0x123, 0x001, 0xfff]) {
    const up = decode(frame(capwap({ native: true, payload: wlanData({ ds: 1, sa: STA, da: ROUTER, bssid: BSSID, qos: 0, cisco: true, seq, body: snap(0x0800, dns) }) })));
    assert.is(addrs(up.v), '192.168.7.20 > 192.168.7.1', `seq ${seq}`);
    assert.is(m(up.v), `${STA} > ${ROUTER}`);
    assert.equal(up.errs.toObject(), {});
  }
  const down = decode(frame(capwap({ native: true, payload: down80211(snap(0x0806, arp), true) }), false));
  assert.is(down.v.l3, L3.ARP);
  assert.is(m(down.v), `${ROUTER} > ${STA}`);
  assert.equal(down.errs.toObject(), {});
});

test('radio MAC address (M) and wireless specific information (W): HLEN says where the frame starts', () => {
  const payload = up80211(snap(0x0800, dns));
  const cases: Capwap[] = [
    { native: true, radioMac: mac(BSSID), payload }, // HLEN 4
    { native: true, wireless: hex('c4 1e 0258'), payload }, // RSSI -60, SNR 30, 60 Mb/s: HLEN 4
    { native: true, radioMac: Buffer.from('0016 3eff fe00 00fe'.replace(/ /g, ''), 'hex'), wireless: hex('c4 1e 0258'), payload }, // EUI-64: HLEN 7
  ];
  for (const c of cases) {
    const msg = capwap(c);
    assert.ok(msg[1]! >> 3 > 2);
    const { v, errs } = decode(frame(msg));
    assert.is(addrs(v), '192.168.7.20 > 192.168.7.1', JSON.stringify(msg.subarray(0, 8)));
    assert.is(m(v), `${STA} > ${ROUTER}`);
    assert.equal(errs.toObject(), {});
  }
});

test('management frames and body-less data frames: the tunnel is opened, no station fact, no error', () => {
  const probe = Buffer.concat([hex('4000 0000 ffffffffffff'), mac('da:a1:19:00:00:01'), hex('ffffffffffff 3000 | 0000 | 0104 02040b16')]);
  const assoc = Buffer.concat([hex('0000 3a01'), mac(BSSID), mac(STA), mac(BSSID), hex('1000 | 3104 0a00 | 0003 6c6162')]);
  const assocResp = Buffer.concat([hex('0010 3a01'), mac(STA), mac(BSSID), mac(BSSID), hex('1000 | 3104 0000 0100 | 0104 02040b16')]); // Cisco's order
  for (const f of [probe, assoc, assocResp]) {
    const { v, errs } = decode(frame(capwap({ native: true, payload: f })));
    assert.is(v.tunnelDepth, 1);
    assert.is(v.macSrc, -1);
    assert.is(v.l3, L3.None);
    assert.equal(errs.toObject(), {});
  }
  // A null-function frame: the station's MAC only; a data frame with neither ToDS nor FromDS (which a
  // swapped management frame with Retry set looks like): nothing.
  const nul = decode(frame(capwap({ native: true, payload: wlanData({ ds: 1, sa: STA, da: BSSID, bssid: BSSID, subtype: 4, body: Buffer.alloc(0) }) })));
  assert.is(m(nul.v), `${STA} > ${BSSID}`);
  assert.equal(nul.errs.toObject(), {});
  const retried = Buffer.concat([Buffer.of(0x08, 0xb0), assoc.subarray(2)]); // an authentication frame, Cisco's order, Retry
  const amb = decode(frame(capwap({ native: true, payload: retried })));
  assert.is(amb.v.macSrc, -1);
  assert.equal(amb.errs.toObject(), {});
});

// ---------------------------------------------------------------------------
// 802.3 (T clear)

test('802.3 frame (T = 0): the Ethernet frame inside, its own MACs and VLAN', () => {
  const eth = B.udpPacket({ src: '192.168.7.20', dst: '192.168.7.1', srcMac: STA, dstMac: ROUTER, vlans: [7], sport: 40000, dport: 53, payload: 'q' });
  for (const wbid of [1, 3]) {
    const { v, errs } = decode(frame(capwap({ wbid, payload: eth })));
    assert.is(addrs(v), '192.168.7.20 > 192.168.7.1');
    assert.is(m(v), `${STA} > ${ROUTER}`);
    assert.is(v.vlan, 7);
    assert.is(outerAddrs(v, 0), `${AP} > ${WLC}`);
    assert.equal(errs.toObject(), {});
  }
});

// ---------------------------------------------------------------------------
// what stays the outer flow

test('keep-alive, DTLS, fragments, another binding: no tunnel; fragments and the binding counted', () => {
  const payload = up80211(snap(0x0800, dns));
  const keepAlive = capwap({ keepAlive: true, payload: hex('0014 | 0023 0010 00112233445566778899aabbccddeeff') }); // length | Session ID element
  const dtls = capwap({ type: 1, payload: Buffer.concat([hex('17 fefd 0001 000000000007 0030'), Buffer.alloc(48, 0x5a)]) });
  const first = capwap({ native: true, fragment: { id: 7, offset: 0, last: false }, payload: payload.subarray(0, 48) });
  const last = capwap({ native: true, fragment: { id: 7, offset: 6, last: true }, payload: payload.subarray(48) });
  const cases: [string, Buffer, Record<string, number>][] = [
    ['keep-alive', keepAlive, {}],
    ['DTLS', dtls, {}],
    ['first fragment', first, { 'capwap.fragment_unsupported': 1 }],
    ['last fragment', last, { 'capwap.fragment_unsupported': 1 }],
    ['EPCglobal binding', capwap({ native: true, wbid: 3, payload }), { 'capwap.unsupported_binding': 1 }],
    ['reserved binding 0', capwap({ native: true, wbid: 0, payload }), { 'capwap.unsupported_binding': 1 }],
  ];
  for (const [what, msg, want] of cases) {
    for (const up of [true, false]) {
      const { v, errs } = decode(frame(msg, up));
      plainUdp(v, what);
      assert.equal(errs.toObject(), want, what);
    }
  }
});

test('the control port (5246), a well-known source port, another version or type: plain UDP, nothing counted', () => {
  const msg = capwap({ native: true, payload: up80211(snap(0x0800, dns)) });
  const cases: [string, Buffer][] = [
    ['control port', frame(msg, true, [AP_PORT, 5246])],
    ['control port, from the controller', frame(msg, false, [5246, AP_PORT])],
    ['DNS answer to a client that picked 5247', frame(msg, false, [53, 5247])],
    ['version 1', frame(Buffer.concat([Buffer.of(0x10), msg.subarray(1)]))],
    ['type 2', frame(Buffer.concat([Buffer.of(0x02), msg.subarray(1)]))],
    ['empty datagram', frame(Buffer.alloc(0))],
  ];
  for (const [what, f] of cases) {
    const { v, errs } = decode(f);
    plainUdp(v, what);
    assert.equal(errs.toObject(), {}, what);
  }
});

test('a header length below 2 words or past the datagram, or a datagram shorter than the header: counted', () => {
  const payload = up80211(snap(0x0800, dns));
  for (const [what, msg] of [
    ['HLEN 1', capwap({ native: true, hlen: 1, payload })],
    ['HLEN 0', capwap({ native: true, hlen: 0, payload })],
    ['HLEN past the datagram', capwap({ native: true, hlen: 31, payload: Buffer.alloc(8) })],
    ['7 bytes', capwap({ native: true, payload: Buffer.alloc(0) }).subarray(0, 7)],
  ] as const) {
    const { v, errs } = decode(frame(msg));
    plainUdp(v, what);
    assert.ok(v.malformed, what);
    assert.equal(errs.toObject(), { 'capwap.bad_header_length': 1 }, what);
  }
});

test('every truncation is counted until the station\'s IP header is whole; random bytes never throw', () => {
  const frames = [
    frame(capwap({ native: true, radioMac: mac(BSSID), wireless: hex('c4 1e 0258'), payload: up80211(snap(0x0800, dns)) })),
    frame(capwap({ native: true, payload: up80211(snap(0x0800, dns), true) })),
    frame(capwap({ native: true, payload: down80211(snap(0x0806, arp)) }), false),
    frame(capwap({ payload: B.linkFrame(dns, { srcMac: STA, dstMac: ROUTER }) })),
  ];
  for (const f of frames) {
    const innerL3 = everyCutCounted(f);
    survivesDamage(f);
    survivesDamage(f, 1, 14 + 4 + 20 + 8, 3); // random CAPWAP messages
    survivesDamage(f, 1, innerL3 - 40, 5); // random 802.11 or Ethernet frames
  }
});

// ---------------------------------------------------------------------------
// the engine: a wireless client seen on the controller's uplink

function run(frames: Buffer[]): { e: Engine; report: Report } {
  const e = new Engine();
  frames.forEach((f, i) => e.packet(f, 0, f.length, f.length, T0 + i * 100_000, 1));
  e.finish();
  return { e, report: buildReport(e, [], { generator: { name: 'nps', version: 'test' }, deterministic: true }) };
}

/** Assets without their byte counts (the tunnelled frames are longer). */
function facts(assets: Report['assets']): unknown {
  return JSON.parse(JSON.stringify(assets, (k, val: unknown) => (/bytes$/.test(k) ? undefined : val)));
}

test('engine: DHCP and HTTP through CAPWAP give the client\'s asset (MAC, IP, hostname) as if seen directly', () => {
  const client = STA;
  const server = ROUTER;
  const eth = [
    dhcpFrame({ op: 1, type: 3, mac: client, hostname: 'laptop-7', prl: [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252], vendorClass: 'MSFT 5.0', requestedIp: '192.168.7.20' }),
    dhcpFrame({ op: 2, type: 5, mac: client, yiaddr: '192.168.7.20', leaseSeconds: 86400, serverId: '192.168.7.1', serverMac: server }),
    ...B.tcpSession({
      client: '192.168.7.20', clientMac: client, cport: 51000, server: '192.168.7.1', serverMac: server, sport: 80,
      requests: [
        { fromClient: true, data: 'GET / HTTP/1.1\r\nHost: router.lan\r\nUser-Agent: curl/8.4.0\r\n\r\n' },
        { fromClient: false, data: 'HTTP/1.1 200 OK\r\nServer: lighttpd/1.4.59\r\nContent-Length: 0\r\n\r\n' },
      ],
    }).map((p) => p.data),
  ];
  const direct = run(eth);
  for (const cisco of [false, true]) {
    for (const form of ['802.11', '802.3'] as const) {
      // The client's frames go up to the controller, the router's come down to the AP.
      const tunnelled = eth.map((f) => {
        const up = B.formatMac(f, 6) === client;
        const payload = form === '802.11' ? ethToWlan(f, up ? 1 : 2, BSSID, cisco) : f;
        return frame(capwap({ native: form === '802.11', payload }), up);
      });
      const got = run(tunnelled);
      const what = `${form}${cisco ? ', Cisco' : ''}`;
      assert.equal(got.e.errors.toObject(), {}, what);
      const ids = got.report.assets.map((a) => a.id);
      for (const want of direct.report.assets) {
        const mine = got.report.assets.find((a) => a.id === want.id);
        assert.ok(mine, `${what}: ${want.id} among ${ids.join(' ')}`);
        assert.equal(facts([mine]), facts([want]), `${what}: ${want.id}`);
      }
      const client7 = got.report.assets.find((a) => JSON.stringify(a).includes('laptop-7'));
      assert.ok(client7, `${what}: the hostname is the client's`);
      assert.ok(JSON.stringify(client7).includes(client), `${what}: with its MAC`);
      assert.ok(JSON.stringify(client7).includes('192.168.7.20'), `${what}: and its IP`);
      // The access point and the controller are assets too, with their own MACs.
      for (const ip of [AP, WLC]) assert.ok(got.report.assets.some((a) => JSON.stringify(a).includes(`"${ip}"`)), `${what}: ${ip}`);
      assert.is(got.e.tunnelPackets, eth.length);
    }
  }
});

// ---------------------------------------------------------------------------
// tshark

/**
 * The frames above written as captures and read by tshark: the innermost
 * IPv4/IPv6 source and destination (or ARP), and the station's MACs (the
 * last wlan.sa/wlan.da, or the inner eth.src/eth.dst) must be what the
 * decoder found. tshark swaps CAPWAP's Frame Control by default
 * (capwap.swap_fc): Cisco-ordered frames are read with the default, the
 * others with the preference off; the decoder reads both alike.
 */
test('tshark reads the hand-built CAPWAP frames as the decoder does', () => {
  if (!haveTool('tshark')) {
    skip('tshark is not installed: the hand-built CAPWAP frames are not compared');
    return;
  }
  const build = (cisco: boolean): Buffer[] => [
    frame(capwap({ native: true, payload: up80211(snap(0x0800, dns), cisco) })),
    frame(capwap({ native: true, payload: down80211(snap(0x0806, arp), cisco) }), false),
    frame(capwap({ native: true, payload: down80211(snap(0x86dd, v6), cisco) }), false),
    frame(capwap({ native: true, radioMac: mac(BSSID), wireless: hex('c4 1e 0258'), payload: up80211(snap(0x0800, dns), cisco) })),
    frame(capwap({ native: true, payload: wlanData({ ds: 1, sa: STA, da: BSSID, bssid: BSSID, subtype: 4, cisco, body: Buffer.alloc(0) }) })),
    frame(capwap({ payload: B.linkFrame(dns, { srcMac: STA, dstMac: ROUTER }) })),
    frame(capwap({ keepAlive: true, payload: hex('0014 | 0023 0010 00112233445566778899aabbccddeeff') })),
    frame(capwap({ type: 1, payload: Buffer.concat([hex('17 fefd 0001 000000000007 0030'), Buffer.alloc(48, 0x5a)]) })),
    frame(capwap({ native: true, payload: up80211(snap(0x0800, dns), cisco) }), true, [AP_PORT, 5246]),
  ];
  const dir = mkdtempSync(join(tmpdir(), 'nps-capwap-'));
  try {
    for (const cisco of [true, false]) {
      const frames = build(cisco);
      const file = join(dir, `capwap-${cisco}.pcap`);
      writeFileSync(file, pcapBytes(frames.map((data, i) => ({ tsUs: T0 + i, data })), { linkType: 1 }));
      const fields = ['ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'arp.src.proto_ipv4', 'wlan.sa', 'wlan.da', 'eth.src', 'eth.dst', 'frame.protocols'];
      const rows = tsharkByFrame(file, 'frame', fields, ',', cisco ? [] : ['capwap.swap_fc:FALSE']);
      assert.is(rows.size, frames.length, 'tshark read every frame');
      frames.forEach((f, i) => {
        const { v } = decode(f);
        const [s4 = '', d4 = '', s6 = '', d6 = '', arpSrc = '', wsa = '', wda = '', esrc = '', edst = '', protos = ''] = rows.get(i + 1)!;
        const last = (x: string) => x.split(',').pop()!;
        const what = `${cisco ? 'Cisco' : '802.11'} frame ${i + 1} (${protos})`;
        // Opened where tshark finds a frame after CAPWAP's header: 802.11 or a second Ethernet header.
        const layers = protos.split(':');
        const after = layers[layers.findIndex((x) => x.startsWith('capwap')) + 1];
        const opened = after === 'wlan' || after === 'eth';
        assert.is(v.tunnelDepth, opened ? 1 : 0, what);
        const inner = arpSrc ? 'arp' : s6 ? `${last(s6)} > ${last(d6)}` : s4.includes(',') ? `${last(s4)} > ${last(d4)}` : '-';
        const ours = v.l3 === L3.ARP ? 'arp' : v.tunnelDepth > 0 ? addrs(v) : '-';
        assert.is(ours, inner, what);
        // The station's MACs: the 802.11 frame's, or the inner Ethernet frame's (the second eth layer).
        const eths = esrc.split(',');
        const want = wsa ? `${last(wsa)} > ${last(wda)}` : eths.length > 1 ? `${last(esrc)} > ${last(edst)}` : `${eths[0]} > ${edst.split(',')[0]}`;
        assert.is(m(v), want, `${what} MACs`);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
