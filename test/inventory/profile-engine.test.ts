/**
 * Asset profiling end to end on traffic built in code: DHCP ties host names,
 * fingerprints and leases to the MAC (a reused address does not inherit the
 * last device's OS); HTTP on an odd port is recognised by its payload; a
 * request split over segments is reassembled; two stacks behind one address
 * raise nat_suspected; dissector exceptions and malformed results are
 * counted and never escape; every report validates against the schema.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { Engine } from '../../src/engine/engine.js';
import { buildReport, type Report } from '../../src/report/build.js';
import { Verdict, type Dissector } from '../../src/dissect/types.js';
import { ipDissectors } from '../../src/dissect/all.js';
import { dhcpFrame } from '../../src/capture/dhcp-builder.js';
import { reportSchemaErrors } from '../helpers/schema.js';

const T0 = 1_700_000_000_000_000;
const MIN = 60e6;
const WIN_PRL = [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252];
const IOS_PRL = [1, 121, 3, 6, 15, 119, 252];
const WIN_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const IOS_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';
const MAC_A = '00:16:3e:00:00:0a';
const MAC_B = '00:16:3e:00:00:0b';
const MAC_WEB = '00:16:3e:00:00:20';

type Frame = { ts: number; data: Buffer };

function feed(frames: Frame[], engine = new Engine()): { engine: Engine; report: Report } {
  frames.sort((a, b) => a.ts - b.ts);
  for (const f of frames) engine.packet(f.data, 0, f.data.length, f.data.length, f.ts, 1);
  const report = buildReport(engine, [], { generator: { name: 'nps', version: 'test' }, deterministic: true });
  return { engine, report };
}

function session(o: Partial<B.TcpSessionOptions> & { client: string; server: string; sport: number; start: number; request: string; response?: string; mss?: number }): Frame[] {
  const requests: B.SessionMessage[] = [{ fromClient: true, data: o.request }];
  if (o.response) requests.push({ fromClient: false, data: o.response });
  return B.tcpSession({ cport: 40000 + (o.start % 1000), ...o, requests, startUs: o.start }).map((p) => ({ ts: p.tsUs, data: p.data }));
}

function http(host: string, ua: string): string {
  return `GET / HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${ua}\r\nAccept: */*\r\n\r\n`;
}

const asset = (r: Report, id: string) => r.assets.find((a) => a.id === id) as Record<string, any> | undefined;

function dhcpExchange(mac: string, ip: string, hostname: string, prl: number[], vendorClass: string | undefined, ts: number): Frame[] {
  return [
    { ts, data: dhcpFrame({ op: 1, type: 3, mac, hostname, prl, vendorClass, requestedIp: ip }) },
    { ts: ts + 1000, data: dhcpFrame({ op: 2, type: 5, mac, yiaddr: ip, leaseSeconds: 86400, serverId: '192.168.1.1', serverIp: '192.168.1.1' }) },
  ];
}

test('DHCP and User-Agent profile the device behind a MAC; a reused address does not inherit its OS', () => {
  const frames: Frame[] = [
    ...dhcpExchange(MAC_A, '192.168.1.50', 'LAPTOP-A', WIN_PRL, 'MSFT 5.0', T0),
    ...session({ client: '192.168.1.50', server: '192.168.1.20', clientMac: MAC_A, serverMac: MAC_WEB, sport: 80, start: T0 + MIN, request: http('intranet.example.org', WIN_UA), response: 'HTTP/1.1 200 OK\r\nServer: nginx/1.18.0 (Ubuntu)\r\nContent-Length: 0\r\n\r\n' }),
    ...dhcpExchange(MAC_B, '192.168.1.50', 'iPhone-B', IOS_PRL, undefined, T0 + 60 * MIN),
    ...session({ client: '192.168.1.50', server: '192.168.1.20', clientMac: MAC_B, serverMac: MAC_WEB, sport: 80, start: T0 + 61 * MIN, request: http('intranet.example.org', IOS_UA) }),
  ];
  const { report } = feed(frames);
  assert.equal(reportSchemaErrors(report), []);
  const a = asset(report, `mac:${MAC_A}`)!;
  const b = asset(report, `mac:${MAC_B}`)!;
  assert.ok(a && b, 'both devices are assets');
  assert.equal(a.hostnames, ['laptop-a']);
  assert.equal(b.hostnames, ['iphone-b']);
  assert.is(a.os.family, 'Windows');
  assert.ok(a.os.confidence >= 0.8, `confidence ${a.os.confidence}`);
  assert.ok(a.os.evidence.some((e: any) => e.source === 'dhcp' && e.kind === 'dhcp_fingerprint'));
  assert.ok(a.os.evidence.some((e: any) => e.source === 'http' && e.kind === 'user_agent' && e.value === WIN_UA));
  assert.is(b.os.family, 'iOS');
  assert.ok(!a.os.alternatives.some((x: any) => x.family === 'iOS'), 'A does not inherit the iPhone');
  assert.ok(!JSON.stringify(b.attributes).includes('MSFT'), 'B does not inherit the laptop');
  assert.is(a.ip_assignment, 'dhcp');
  assert.is(a.dhcp.lease_seconds, 86400);
  assert.is(a.dhcp.server, '192.168.1.1');
  assert.is(a.dhcp.fingerprint, WIN_PRL.join(','));
  assert.is(a.dhcp.vendor_class, 'MSFT 5.0');
  assert.is(b.dhcp.lease_start, '2023-11-14T23:13:20.001000Z');
  assert.equal(a.attributes.http.user_agent, [WIN_UA]);
  // The web server: its Server header, and its name from the Host header.
  const web = asset(report, `mac:${MAC_WEB}`)!;
  assert.equal(web.attributes.http.server, ['nginx/1.18.0 (Ubuntu)']);
  assert.ok(web.hostnames.includes('intranet.example.org'));
  assert.is(web.os.name.includes('Ubuntu'), true);
});

test('a plain BOOTP reply (no option 53), as industrial BOOTP servers send, binds its address and names the client like an ACK', () => {
  const PLC = '00:00:bc:3e:eb:e4';
  const { report } = feed([
    { ts: T0, data: dhcpFrame({ op: 1, type: null, mac: PLC }) },
    { ts: T0 + 1000, data: dhcpFrame({ op: 2, type: null, mac: PLC, yiaddr: '192.168.10.120', hostname: 'ConLgxEIP', serverIp: '192.168.10.105' }) },
    { ts: T0 + 2000, data: B.udpPacket({ srcMac: PLC, dstMac: MAC_WEB, src: '192.168.10.120', dst: '192.168.10.105', sport: 2222, dport: 2222, payload: 'x' }) },
  ]);
  const plc = asset(report, `mac:${PLC}`)!;
  assert.ok(plc, 'the PLC is an asset');
  assert.ok(plc.hostnames.includes('conlgxeip'), `hostnames ${JSON.stringify(plc.hostnames)}`);
  assert.is(plc.ip_assignment, 'dhcp');
  assert.is(plc.dhcp.address, '192.168.10.120');
  assert.is(plc.dhcp.lease_seconds, null, 'BOOTP has no lease time');
  // A DHCP OFFER is not a binding: only the ACK (or a BOOTP reply) is.
  const offer = feed([{ ts: T0, data: dhcpFrame({ op: 2, type: 2, mac: PLC, yiaddr: '192.168.10.121', hostname: 'Offered' }) }]).report;
  assert.is(asset(offer, `mac:${PLC}`)?.dhcp ?? null, null);
});

test('HTTP on an unregistered port is recognised by its payload; a request split over segments is reassembled', () => {
  const ua = 'curl/8.4.0 ' + 'x'.repeat(120);
  const frames = session({ client: '192.168.1.30', server: '192.168.1.20', sport: 9999, start: T0, request: http('odd.example.org', ua), mss: 40, clientSynOptions: [{ kind: 'mss', value: 40 }] });
  assert.ok(frames.length > 8, 'the request takes several segments');
  const { report } = feed(frames);
  const client = report.assets.find((a) => (a.ips as string[]).includes('192.168.1.30')) as Record<string, any>;
  assert.equal(client.attributes.http.user_agent, [ua]);
  const flow = report.flows.find((f) => f.server_port === 9999)!;
  assert.is(flow.application, 'HTTP');
  assert.is(flow.family, 'Web Services');
});

test('segments delivered out of order are put back in order before dissection', () => {
  const ua = 'Wget/1.21.3 ' + 'y'.repeat(100);
  const frames = session({ client: '192.168.1.31', server: '192.168.1.20', sport: 80, start: T0, request: http('ooo.example.org', ua), mss: 48, clientSynOptions: [{ kind: 'mss', value: 48 }] });
  // Swap the second and third data segments of the client (keep their timestamps in place).
  const data = frames.filter((f) => f.data.length > 80 && f.data.readUInt16BE(34) !== 80).slice(1, 3);
  assert.is(data.length, 2);
  const [a, b] = data as [Frame, Frame];
  [a.data, b.data] = [b.data, a.data];
  const { report, engine } = feed(frames);
  const client = report.assets.find((x) => (x.ips as string[]).includes('192.168.1.31')) as Record<string, any>;
  assert.equal(client.attributes.http.user_agent, [ua]);
  assert.is(((report.capture as Record<string, any>).decode_errors)['tcp.stream_gap'], undefined);
  assert.ok(engine);
});

/** A DNS response with one answer (A or PTR), hand-built. */
function dnsAnswer(qname: string, type: 1 | 12, rdata: Buffer): Buffer {
  const name = (n: string) => Buffer.concat([...n.split('.').map((l) => Buffer.concat([Buffer.of(l.length), Buffer.from(l)])), Buffer.of(0)]);
  const hdr = Buffer.from([0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
  const q = Buffer.concat([name(qname), Buffer.from([0, type, 0, 1])]);
  const rr = Buffer.concat([Buffer.from([0xc0, 12, 0, type, 0, 1, 0, 0, 0x0e, 0x10, rdata.length >> 8, rdata.length & 255]), rdata]);
  return Buffer.concat([hdr, q, rr]);
}

test('DNS answers name internal addresses (PTR and A); answers about external addresses are not kept', () => {
  const ptrName = Buffer.concat(['fileserver', 'corp', 'example'].map((l) => Buffer.concat([Buffer.of(l.length), Buffer.from(l)])).concat([Buffer.of(0)]));
  const frames: Frame[] = [
    { ts: T0, data: B.udpPacket({ src: '192.168.1.20', dst: '192.168.1.30', srcMac: MAC_WEB, sport: 8000, dport: 9000, payload: 'hello' }) },
    { ts: T0 + 1, data: B.udpPacket({ src: '192.168.1.40', dst: '192.168.1.30', sport: 8000, dport: 9000, payload: 'hello' }) },
    { ts: T0 + 10, data: B.udpPacket({ src: '192.168.1.1', dst: '192.168.1.30', sport: 53, dport: 40001, payload: dnsAnswer('20.1.168.192.in-addr.arpa', 12, ptrName) }) },
    { ts: T0 + 20, data: B.udpPacket({ src: '192.168.1.1', dst: '192.168.1.30', sport: 53, dport: 40002, payload: dnsAnswer('printer.corp.example', 1, Buffer.from([192, 168, 1, 40])) }) },
    { ts: T0 + 30, data: B.udpPacket({ src: '192.168.1.1', dst: '192.168.1.30', sport: 53, dport: 40003, payload: dnsAnswer('www.example.com', 1, Buffer.from([93, 184, 216, 34])) }) },
  ];
  const { report, engine } = feed(frames);
  const web = asset(report, `mac:${MAC_WEB}`)!;
  assert.equal(web.hostnames, ['fileserver.corp.example']);
  assert.is(web.domain, 'corp.example');
  const printer = report.assets.find((a) => (a.ips as string[]).includes('192.168.1.40')) as Record<string, any>;
  assert.equal(printer.attributes.dns.hostname, ['printer.corp.example']);
  assert.ok(![...engine.observations.values()].some((o) => o.value === 'www.example.com'), 'external answers are not stored');
});

test('IPv6 privacy addresses of one MAC are one asset with every address', () => {
  const mac = '00:16:3e:00:00:66';
  const addrs = ['fd00::216:3eff:fe00:66', 'fd00::1c2b:9a4e:77f1:2d10', 'fd00::8f3:5c21:aa90:1e7b'];
  const frames: Frame[] = addrs.map((src, i) => ({ ts: T0 + i * 1e6, data: B.udpPacket({ src, dst: 'fd00::1', srcMac: mac, sport: 5000 + i, dport: 53, payload: 'q' }) }));
  const { report } = feed(frames);
  const a = asset(report, `mac:${mac}`)!;
  assert.equal([...a.ips].sort(), [...addrs].sort());
  assert.is(a.mac_local, false);
});

test('two stacks behind one address: nat_suspected and a nat-suspected warning with the evidence', () => {
  const mac = '00:16:3e:00:00:60';
  const linux = session({ client: '192.168.1.60', server: '192.168.1.20', clientMac: mac, sport: 80, start: T0, request: http('a', 'x'), clientTtl: 64 });
  const windows = session({
    client: '192.168.1.60', server: '192.168.1.20', clientMac: mac, sport: 80, start: T0 + 5e6, request: http('a', 'y'), clientTtl: 128,
    clientSynWindow: 64240, clientSynOptions: [{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'wscale', value: 8 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sackok' }],
  });
  const { report } = feed([...linux, ...windows]);
  const a = asset(report, `mac:${mac}`)!;
  assert.is(a.nat_suspected, true);
  const w = report.warnings.find((x) => x.code === 'nat-suspected') as Record<string, any>;
  assert.ok(w, 'warning present');
  assert.equal(w.addresses, ['192.168.1.60']);
  assert.match(w.evidence[0].reasons[0], /initial TTLs 64 and 128/);
  assert.match(w.message, /excluded/);
  assert.equal(reportSchemaErrors(report), []);
});

test('a dissector that throws is counted, not fatal; one that keeps failing is dropped from the connection', () => {
  let calls = 0;
  const thrower: Dissector = { id: 'thrower', app: { application: 'X', family: 'Y' }, udpPorts: [7777], dissect() { calls++; throw new Error('boom'); } };
  // Accepts the first message, then fails on every one after it.
  let bad = 0;
  const broken: Dissector = { id: 'broken', app: { application: 'Z', family: 'Y' }, udpPorts: [7778], dissect() { return bad++ === 0 ? Verdict.Continue : Verdict.Malformed; } };
  const engine = new Engine({ dissectors: [thrower, broken, ...ipDissectors()] });
  const frames: Frame[] = [];
  for (let i = 0; i < 20; i++) {
    frames.push({ ts: T0 + i * 1000, data: B.udpPacket({ src: '192.168.1.5', dst: '192.168.1.6', sport: 5000, dport: 7777, payload: 'hello' }) });
    frames.push({ ts: T0 + i * 1000 + 1, data: B.udpPacket({ src: '192.168.1.5', dst: '192.168.1.6', sport: 5001, dport: 7778, payload: 'hello' }) });
  }
  const { report } = feed(frames, engine);
  const errs = (report.capture as Record<string, unknown>).decode_errors as Record<string, number>;
  // Never accepted: tried on the first few messages only (each exception counted).
  assert.ok(errs['thrower.exception']! >= 3);
  assert.ok(calls <= 10, `thrower called ${calls} times`);
  // Accepted, then dropped after three malformed messages.
  assert.is(bad, 4);
});

test('every registered dissector survives random payloads and truncated real-looking messages through the engine', () => {
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
  const engine = new Engine();
  const frames: Frame[] = [];
  let t = T0;
  const ports = new Set<number>();
  for (const d of ipDissectors()) for (const p of [...(d.tcpPorts ?? []), ...(d.udpPorts ?? [])]) ports.add(p);
  const samples = [
    http('h', WIN_UA),
    'SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n',
    '220 mail.example.org ESMTP Postfix (Ubuntu)\r\n',
    'INVITE sip:bob@example.org SIP/2.0\r\nUser-Agent: Yealink SIP-T46S\r\n\r\n',
    'NOTIFY * HTTP/1.1\r\nSERVER: Linux/5.4 UPnP/1.0 Sonos/70.3\r\nNT: urn:schemas-upnp-org:device:ZonePlayer:1\r\n\r\n',
  ].map((s) => Buffer.from(s, 'latin1'));
  samples.push(Buffer.from(dhcpFrame({ op: 1, type: 3, mac: MAC_A, hostname: 'x', prl: WIN_PRL }).subarray(42)));
  for (const port of ports) {
    for (let k = 0; k < 12; k++) {
      const len = rnd() % 300;
      const payload = Buffer.alloc(len);
      for (let i = 0; i < len; i++) payload[i] = rnd();
      frames.push({ ts: (t += 10), data: B.udpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 30000 + k, dport: port, payload }) });
      frames.push({ ts: (t += 10), data: B.tcpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 30000 + k, dport: port, flags: 'PA', seq: 1000 * k, payload }) });
    }
    for (const s of samples) {
      for (let cut = 1; cut < s.length; cut += 7) {
        frames.push({ ts: (t += 10), data: B.udpPacket({ src: '10.0.0.3', dst: '10.0.0.4', sport: 20000 + (cut % 5000), dport: port, payload: s.subarray(0, cut) }) });
        frames.push({ ts: (t += 10), data: B.tcpPacket({ src: '10.0.0.3', dst: '10.0.0.4', sport: 20000 + (cut % 5000), dport: port, flags: 'PA', seq: 7, payload: s.subarray(0, cut) }) });
      }
    }
  }
  const { report } = feed(frames, engine);
  const errs = (report.capture as Record<string, unknown>).decode_errors as Record<string, number>;
  for (const k of Object.keys(errs)) assert.not.ok(k.endsWith('.exception'), `${k}: ${errs[k]}`);
  assert.equal(reportSchemaErrors(report), []);
});

test.run();
