/**
 * docs/report.schema.json describes the report exactly as build.ts produces
 * it: reports built in-process from hand-made frames (covering every asset
 * identity and every warning the engine emits today) and from the shared
 * public captures must validate, and broken reports must not.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import { CaptureOpenError, readCapture } from '../../src/capture/reader.js';
import { Engine } from '../../src/engine/engine.js';
import { buildReport, type Report, type ReportFile } from '../../src/report/build.js';
import { stableStringify } from '../../src/report/json.js';
import { haveShared, projectRoot, sharedCaptures, skip } from '../helpers/skip.js';

// ---------------------------------------------------------------- schema

// ajv is CommonJS: under NodeNext the default import is module.exports, whose
// `default` is the class (at run time module.exports is the class itself too).
type Ajv2020Class = typeof Ajv2020Module.default;
const AjvClass = ((Ajv2020Module as unknown as { default?: Ajv2020Class }).default ?? Ajv2020Module) as Ajv2020Class;
const schema = JSON.parse(readFileSync(join(projectRoot, 'docs', 'report.schema.json'), 'utf8')) as Record<string, unknown>;
// strict: no unknown keywords or keywords applied to the wrong type; strictRequired is off
// because the per-code warning fields are required inside if/then, declared at the top.
const ajv = new AjvClass({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
const validate = ajv.compile(schema);

/** What the CLI prints: the report after JSON serialisation. */
function emitted(report: Report): unknown {
  return JSON.parse(stableStringify(report));
}

function check(doc: unknown, what: string): void {
  const ok = validate(doc);
  if (!ok) {
    const errs = (validate.errors ?? []).slice(0, 10).map((e: ErrorObject) => `  ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
    assert.unreachable(`${what} does not validate against docs/report.schema.json:\n${errs.join('\n')}`);
  }
}

function rejects(doc: unknown, what: string): void {
  assert.not.ok(validate(doc), `the schema accepted ${what}`);
}

// ---------------------------------------------------------------- frames

const GEN = { name: 'nps', version: '0' };

function mac(s: string): Buffer {
  return Buffer.from(s.split(':').map((x) => parseInt(x, 16)));
}
function ip4(s: string): Buffer {
  return Buffer.from(s.split('.').map(Number));
}
function ip6(s: string): Buffer {
  const [l, r] = s.includes('::') ? s.split('::') : [s, undefined];
  const left = l ? l.split(':') : [];
  const right = r ? r.split(':') : [];
  const groups = r === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}
function checksum(b: Buffer): number {
  let s = 0;
  for (let i = 0; i + 1 < b.length; i += 2) s += b.readUInt16BE(i);
  if (b.length % 2) s += b[b.length - 1]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

function eth(dst: string, src: string, type: number, payload: Buffer, vlan?: number): Buffer {
  const tag = vlan === undefined ? Buffer.alloc(0) : Buffer.from([0x81, 0x00, (vlan >> 8) & 0x0f, vlan & 0xff]);
  const t = Buffer.alloc(2);
  t.writeUInt16BE(type);
  return Buffer.concat([mac(dst), mac(src), tag, t, payload]);
}
function ipv4(src: string, dst: string, proto: number, payload: Buffer, id = 1, ihl = 5): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x40 | ihl;
  h.writeUInt16BE(20 + payload.length, 2);
  h.writeUInt16BE(id, 4);
  h[8] = 64;
  h[9] = proto;
  ip4(src).copy(h, 12);
  ip4(dst).copy(h, 16);
  h.writeUInt16BE(checksum(h), 10);
  return Buffer.concat([h, payload]);
}
function ipv6(src: string, dst: string, next: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(payload.length, 4);
  h[6] = next;
  h[7] = 255;
  ip6(src).copy(h, 8);
  ip6(dst).copy(h, 24);
  return Buffer.concat([h, payload]);
}
const SYN = 0x02, ACK = 0x10, FIN = 0x01, PSH = 0x08;
function tcp(sp: number, dp: number, flags: number, data = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(sp, 0);
  h.writeUInt16BE(dp, 2);
  h.writeUInt32BE(1000, 4);
  h[12] = 5 << 4;
  h[13] = flags;
  h.writeUInt16BE(65535, 14);
  return Buffer.concat([h, data]);
}
function udp(sp: number, dp: number, data: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sp, 0);
  h.writeUInt16BE(dp, 2);
  h.writeUInt16BE(8 + data.length, 4);
  return Buffer.concat([h, data]);
}
function icmp(type: number, code: number, rest: Buffer): Buffer {
  const b = Buffer.concat([Buffer.from([type, code, 0, 0]), rest]);
  b.writeUInt16BE(checksum(b), 2);
  return b;
}
function arp(op: number, sMac: string, sIp: string, tMac: string, tIp: string): Buffer {
  const h = Buffer.from([0, 1, 0x08, 0x00, 6, 4, 0, op]);
  return Buffer.concat([h, mac(sMac), ip4(sIp), mac(tMac), ip4(tIp)]);
}
/** ICMPv6 neighbour advertisement for `target` with a target link-layer address option. */
function neighbourAdvert(target: string, lla: string): Buffer {
  const body = Buffer.concat([Buffer.from([0x60, 0, 0, 0]), ip6(target), Buffer.from([2, 1]), mac(lla)]);
  return icmp(136, 0, body);
}

const BCAST = 'ff:ff:ff:ff:ff:ff';
const M_A = '02:00:00:00:00:0a';
const M_B = '02:00:00:00:00:0b';
const M_C = '02:00:00:00:00:0c';
const M_SWITCH = '02:00:00:00:00:0d';
const M_ROUTER = '02:00:00:00:00:01';
const A = '192.168.1.10';
const B = '192.168.1.20';
const FAR = '10.9.8.7'; // internal, but behind the router
const WEB = '93.184.216.34';
const DNS = '8.8.8.8';
const T0 = 1_700_000_000_000_000;

/** Feeds frames to an engine at increasing times (1 ms apart unless told). */
class Feeder {
  ts = T0;
  constructor(readonly engine: Engine) {}
  send(frame: Buffer, stepUs = 1000, linkType = 1): void {
    this.ts += stepUs;
    this.engine.packet(frame, 0, frame.length, frame.length, this.ts, linkType);
  }
}

/** A small segment: ARP, TCP and UDP between hosts and via a router, ICMP, IPv6 ND, LLDP, plus damage. */
function syntheticEngine(): Engine {
  const engine = new Engine();
  const f = new Feeder(engine);
  // ARP binds A and B to their MACs.
  f.send(eth(BCAST, M_A, 0x0806, arp(1, M_A, A, '00:00:00:00:00:00', B)));
  f.send(eth(M_A, M_B, 0x0806, arp(2, M_B, B, M_A, A)));
  // SMB session A -> B, on VLAN 20.
  f.send(eth(M_B, M_A, 0x0800, ipv4(A, B, 6, tcp(49152, 445, SYN)), 20));
  f.send(eth(M_A, M_B, 0x0800, ipv4(B, A, 6, tcp(445, 49152, SYN | ACK)), 20));
  f.send(eth(M_B, M_A, 0x0800, ipv4(A, B, 6, tcp(49152, 445, ACK)), 20));
  f.send(eth(M_B, M_A, 0x0800, ipv4(A, B, 6, tcp(49152, 445, PSH | ACK, Buffer.alloc(100, 1))), 20));
  f.send(eth(M_B, M_A, 0x0800, ipv4(A, B, 6, tcp(49152, 445, FIN | ACK)), 20));
  // HTTPS to the Internet through the router: its MAC sends from an External address.
  f.send(eth(M_ROUTER, M_A, 0x0800, ipv4(A, WEB, 6, tcp(49153, 443, SYN))));
  f.send(eth(M_A, M_ROUTER, 0x0800, ipv4(WEB, A, 6, tcp(443, 49153, SYN | ACK))));
  f.send(eth(M_ROUTER, M_A, 0x0800, ipv4(A, WEB, 6, tcp(49153, 443, ACK))));
  // DNS to the Internet.
  const query = udp(53000, 53, Buffer.alloc(30, 2));
  f.send(eth(M_ROUTER, M_A, 0x0800, ipv4(A, DNS, 17, query, 7)));
  // The same packet again within the window: a duplicate (a SPAN feeding it twice).
  f.send(eth(M_ROUTER, M_A, 0x0800, ipv4(A, DNS, 17, query, 7)), 10);
  f.send(eth(M_A, M_ROUTER, 0x0800, ipv4(DNS, A, 17, udp(53, 53000, Buffer.alloc(60, 3)))));
  // Ping A -> B.
  f.send(eth(M_B, M_A, 0x0800, ipv4(A, B, 1, icmp(8, 0, Buffer.from([0, 1, 0, 1])))));
  f.send(eth(M_A, M_B, 0x0800, ipv4(B, A, 1, icmp(0, 0, Buffer.from([0, 1, 0, 1])))));
  // A host behind the router connects to A: only the router's MAC carries it, so IP identity.
  f.send(eth(M_A, M_ROUTER, 0x0800, ipv4(FAR, A, 6, tcp(50000, 22, SYN))));
  f.send(eth(M_ROUTER, M_A, 0x0800, ipv4(A, FAR, 6, tcp(22, 50000, SYN | ACK))));
  // IPv6 link-local host: neighbour advertisement, then mDNS to a multicast group.
  f.send(eth('33:33:00:00:00:01', M_C, 0x86dd, ipv6('fe80::c', 'ff02::1', 58, neighbourAdvert('fe80::c', M_C))));
  f.send(eth('33:33:00:00:00:fb', M_C, 0x86dd, ipv6('fe80::c', 'ff02::fb', 17, udp(5353, 5353, Buffer.alloc(20)))));
  // A switch that speaks only LLDP: a MAC-only asset.
  f.send(eth('01:80:c2:00:00:0e', M_SWITCH, 0x88cc, Buffer.alloc(40, 0)));
  // Damage: an IPv4 header length below 20 bytes.
  f.send(eth(M_B, M_A, 0x0800, ipv4(A, B, 6, tcp(1, 2, SYN), 9, 3)));
  // Time going backwards by 2 s.
  f.send(eth(M_B, M_A, 0x0800, ipv4(A, B, 17, udp(5000, 514, Buffer.from('hello')))), -2_000_000);
  // A link type nps does not decode (USER0).
  f.send(Buffer.alloc(32, 7), 1000, 147);
  // Structural problems a reader reported.
  engine.addProblems('synthetic.pcapng', [
    { code: 'bad-interface', message: 'interface description block too short', byteOffset: 28, packetNumber: 1 },
    { code: 'truncated-capture', message: 'the last packet record is cut short', byteOffset: 4096, packetNumber: 30 },
  ]);
  return engine;
}

/** More simultaneous connections than the flow table holds: the table-limit warning. */
function overflowEngine(): Engine {
  const engine = new Engine({ flows: { maxFlows: 16 } });
  const f = new Feeder(engine);
  for (let i = 0; i < 40; i++) f.send(eth(M_B, M_A, 0x0800, ipv4(A, B, 17, udp(40000 + i, 161, Buffer.alloc(10)))), 10);
  return engine;
}

const SYNTH_FILE: ReportFile = {
  path: 'synthetic.pcapng',
  info: { format: 'pcapng', gzip: false, linkTypes: [1, 147], packets: 24, bytesRead: 4096, problems: [] },
};

// ---------------------------------------------------------------- tests

test('schema compiles under ajv 2020 strict mode', () => {
  assert.is(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.type(validate, 'function');
});

test('a deterministic synthetic report validates and exercises every branch emitted today', () => {
  const report = buildReport(syntheticEngine(), [SYNTH_FILE], { generator: GEN, deterministic: true });
  const doc = emitted(report) as Report;
  check(doc, 'the synthetic report');
  assert.not.ok('generated_at' in doc, '--deterministic omits generated_at');

  const byId = new Map(doc.assets.map((a) => [a.id as string, a]));
  assert.equal(byId.get(`mac:${M_A}`)?.identity, 'mac');
  assert.equal((byId.get(`mac:${M_A}`)?.attributes as { link: { mac_binding: string[] } }).link.mac_binding, ['arp']);
  assert.is(byId.get(`mac:${M_A}`)?.vlan, 20);
  assert.equal(byId.get(`ip:${FAR}`)?.identity, 'ip', 'a host seen only behind the router is identified by IP');
  assert.equal((byId.get(`mac:${M_C}`)?.attributes as { link: { mac_binding: string[] } }).link.mac_binding, ['icmpv6-nd']);
  assert.equal(byId.get(`mac:${M_SWITCH}`)?.ips, [], 'a device that sent no IP is a MAC-only asset');
  assert.not.ok(byId.has(`mac:${M_ROUTER}`) && (byId.get(`mac:${M_ROUTER}`)!.ips as string[]).length > 0, 'the router MAC owns no address');
  assert.ok(doc.flows.some((r) => r.server === 'External' && r.server_ip === null), 'External flows');
  assert.ok(doc.flows.some((r) => r.protocol === 'icmp'), 'ICMP flows');
  assert.ok(doc.flows.some((r) => r.ip_version === 6), 'IPv6 flows');

  const codes = new Set(doc.warnings.map((w) => w.code));
  for (const c of ['truncated-capture', 'decode-errors', 'duplicate-packets', 'clock-jump', 'unknown-link-type']) {
    assert.ok(codes.has(c), `warning ${c} is emitted (so the schema is tested on it)`);
  }
});

test('a report with generated_at (not deterministic) validates', () => {
  const now = new Date('2024-05-01T12:34:56.789Z');
  const doc = emitted(buildReport(syntheticEngine(), [], { generator: GEN, deterministic: false, now })) as Report;
  check(doc, 'the non-deterministic report');
  assert.is(doc.generated_at, '2024-05-01T12:34:56.789000Z');
  const doc2 = emitted(buildReport(new Engine(), [], { generator: GEN })) as Report;
  check(doc2, 'a report with the default options (wall-clock generated_at)');
  assert.type(doc2.generated_at, 'string');
});

test('an empty engine and a table-limit report validate', () => {
  const empty = emitted(buildReport(new Engine(), [], { generator: GEN, deterministic: true })) as Report;
  check(empty, 'the empty report');
  assert.is((empty.capture as { first_ts: unknown }).first_ts, null);
  const full = emitted(buildReport(overflowEngine(), [], { generator: GEN, deterministic: true })) as Report;
  check(full, 'the table-limit report');
  assert.ok(full.warnings.some((w) => w.code === 'table-limit' && w.table === 'flows'), 'the flows table-limit warning is emitted');
});

test('the schema rejects misspelled fields, wrong time formats and unknown codes', () => {
  const good = emitted(buildReport(syntheticEngine(), [SYNTH_FILE], { generator: GEN, deterministic: true })) as Report;
  check(good, 'the baseline');
  const clone = (): Report => structuredClone(good);

  let r = clone();
  const a = r.assets[0]!;
  a.first_sen = a.first_seen!;
  delete a.first_seen;
  rejects(r, 'an asset with first_seen misspelled');

  r = clone();
  (r as Record<string, unknown>).warning = r.warnings;
  rejects(r, 'an unknown top-level field');

  r = clone();
  r.flows[0]!.comunity_id = r.flows[0]!.community_id!;
  rejects(r, 'an unknown flow field');

  r = clone();
  (r.capture as Record<string, unknown>).first_ts = '2023-11-14T22:13:20.001Z';
  rejects(r, 'a time with milliseconds');

  r = clone();
  r.assets[0]!.last_seen = '2023-11-14 22:13:20.001000';
  rejects(r, 'a time without T and Z');

  r = clone();
  r.flows[0]!.first_seen = 1700000000001000;
  rejects(r, 'a time as a number');

  r = clone();
  r.warnings[0]!.code = 'duplicate-packet';
  rejects(r, 'an unknown warning code');

  r = clone();
  delete r.warnings[0]!.count;
  rejects(r, 'a warning without count');

  r = clone();
  r.assets[0]!.identity = 'hostname';
  rejects(r, 'an unknown identity');

  r = clone();
  r.assets[0]!.ip_assignment = 'manual';
  rejects(r, 'an unknown ip_assignment');

  r = clone();
  r.assets[0]!.os = { name: 'Linux' };
  rejects(r, 'an os without confidence and evidence');

  r = clone();
  r.schema = 'nps.report/v2';
  rejects(r, 'another schema version');
});

// ---------------------------------------------------------------- shared captures

/** About 15 varied captures: link types, pcapng, gzip, tunnels, damaged files. */
const SHARED = [
  'zeek/dce-rpc/mapi.pcap', // many MAC-identity assets, open ports
  'ics/IEC61850/Sample_File_MMS_and_GOOSE.pcap', // industrial, open ports
  'zeek/rpc-portmap-sadmind.pcap',
  'ics/bro/modbus/modbusBig.pcap', // mid-stream: IP-identity assets
  'zeek/nmap-vsn.pcap', // duplicate-packets
  'zeek/snmp/leak_test.pcapng',
  'ics/beckoff/addroute1.pcapng',
  'zeek/contentline/telnet-long-line-no-eol.pcapng.gz', // gzip pcapng
  'zeek/echo-connections.pcap.gz', // gzip pcap, clock-jump
  'zeek/tunnels/gre-aruba.pcap',
  'tcpdump/erspan-type-iii-ft-7.pcap',
  'zeek/icmp/icmp6-router-advert.pcap', // IPv6 neighbour discovery
  'ics/Zigbee/control4-sample.pcap', // unknown-link-type
  'tcpdump/aoe-oobr-1.pcap', // truncated-capture
  'zeek/nflog-bad-tlv-len.pcap', // decode-errors
  'tcpdump/LINKTYPE_RAW_ipv4.pcap',
  'tcpdump/time_2106_overflow.pcapng',
  'tcpdump/empty.pcapng',
];

function pickShared(): string[] {
  const listed = SHARED.map((p) => join(sharedCaptures, p));
  const present = listed.filter((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
  // If the collection changed, fall back on a spread of whatever is there.
  if (present.length >= 10) return present;
  const all: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(pcap|pcapng|cap)(\.gz)?$/.test(n)) all.push(p);
    }
  };
  walk(sharedCaptures);
  const step = Math.max(1, Math.floor(all.length / 15));
  return all.filter((_, i) => i % step === 0).slice(0, 15);
}

if (haveShared()) {
  test('reports of the shared public captures validate', async () => {
    let validated = 0;
    for (const path of pickShared()) {
      const engine = new Engine();
      let info;
      try {
        info = await readCapture(path, (f) => engine.frame(f));
      } catch (e) {
        if (e instanceof CaptureOpenError) continue;
        throw e;
      }
      engine.addProblems(path, info.problems);
      const report = buildReport(engine, [{ path, info }], { generator: GEN, deterministic: true });
      check(emitted(report), relative(sharedCaptures, path));
      validated++;
    }
    assert.ok(validated >= 10, `only ${validated} shared captures could be read`);
  });
} else {
  skip(`no shared captures at ${sharedCaptures}: the real-capture schema check did not run`);
}

test.run();
