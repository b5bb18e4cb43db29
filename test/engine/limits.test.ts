/**
 * Every table that traffic can grow has a bound (SPEC §10, `limits:`):
 * for each one, an engine with a tiny bound is fed more than it holds; the
 * evictions are counted, the newest entries survive (oldest-first), and the
 * report carries a `table-limit` warning naming the table.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { ConfigClassifier } from '../../src/config/classifier.js';
import { AddrClass } from '../../src/config/classify.js';
import { defaultConfig, parseConfig } from '../../src/config/load.js';
import { DuplicateDetector } from '../../src/engine/duplicates.js';
import { Engine, type EngineOptions } from '../../src/engine/engine.js';
import { engineLimits } from '../../src/engine/limits.js';
import { RowSpill } from '../../src/flows/row-spill.js';
import { buildReport, type Report } from '../../src/report/build.js';
import { reportSchemaErrors } from '../helpers/schema.js';
import { T0, dnsMessage } from '../helpers/traffic.js';

const ETHERNET = 1;
const GEN = { name: 'nps', version: '0' };

/** Feeds whole Ethernet frames with strictly increasing timestamps (1 ms apart). */
class Feeder {
  ts = T0;
  constructor(readonly engine: Engine) {}
  send(frame: Buffer): void {
    this.engine.packet(frame, 0, frame.length, frame.length, this.ts, ETHERNET);
    this.ts += 1000;
  }
}

function report(engine: Engine): Report {
  engine.finish();
  const r = buildReport(engine, [], { generator: GEN, deterministic: true });
  assert.equal(reportSchemaErrors(r), [], 'the report validates');
  return r;
}

function limitWarning(r: Report, table: string): { count: number; message: string } | undefined {
  return r.warnings.find((w) => w.code === 'table-limit' && w.table === table) as { count: number; message: string } | undefined;
}

/** 192.168.(i >> 8).(i & 255), inventoried by the default configuration. */
const inside = (i: number) => `192.168.${(i >> 8) & 255}.${(i & 255) + 1}`;
const macOf = (i: number) => `02:00:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
const OUTSIDE = '198.51.100.7';
const GW = '02:00:00:00:ff:fe';

function udp(src: string, dst: string, sport: number, dport: number, srcMac = macOf(1), payload = 'x'): Buffer {
  return B.udpPacket({ src, dst, srcMac, dstMac: GW, sport, dport, payload });
}

test('limits from the configuration become engine options', () => {
  const { config } = parseConfig(
    'limits:\n  flows: 64\n  assets: 5\n  macs: 6\n  flow_rows: 7\n  fragments: 8\n  fragment_bytes: 70000\n  tcp_streams: 9\n  observations: 10\n  dns_names: 11\n  duplicate_slots: 32\n',
    'nps.yaml',
  );
  const opts = engineLimits(config.limits);
  assert.equal(opts, {
    flows: { maxFlows: 64 },
    maxHosts: 5,
    maxMacs: 6,
    maxFlowRows: 7,
    maxFragments: 8,
    maxFragmentBytes: 70000,
    maxTcpStreams: 9,
    maxObservations: 10,
    duplicateSlots: 32,
  });
  const e = new Engine({ ...opts, classifier: new ConfigClassifier(config, config.limits.dnsNames) });
  assert.is(e.flows.capacity, 64);
  assert.is(e.aggregate.maxRows, 7);
  assert.is(e.fragments.maxEntries, 8);
  assert.is(e.fragments.maxBufferedBytes, 70000);
  assert.is(e.observations.max, 10);
  assert.is(e.dispatch.maxStreams, 9);
  assert.is(e.duplicates.slots, 32);
  assert.is(e.config!.maxLearned, 11);
  // The configuration's defaults are the engine's own.
  const d = engineLimits(defaultConfig().limits);
  const plain = new Engine();
  const withDefaults = new Engine(d);
  assert.is(withDefaults.flows.capacity, plain.flows.capacity);
  assert.is(withDefaults.aggregate.maxRows, plain.aggregate.maxRows);
  assert.is(withDefaults.fragments.maxEntries, plain.fragments.maxEntries);
  assert.is(withDefaults.fragments.maxBufferedBytes, plain.fragments.maxBufferedBytes);
  assert.is(withDefaults.observations.max, plain.observations.max);
  assert.is(withDefaults.dispatch.maxStreams, plain.dispatch.maxStreams);
  assert.is(withDefaults.duplicates.slots, plain.duplicates.slots);
  assert.is(new ConfigClassifier(defaultConfig()).maxLearned, 65536);
});

test('flows: the least recently active connection is evicted and counted', () => {
  const e = new Engine({ flows: { maxFlows: 16 } });
  const f = new Feeder(e);
  for (let i = 0; i < 40; i++) f.send(udp(inside(1), OUTSIDE, 40000 + i, 161));
  assert.is(e.flows.created, 40);
  assert.is(e.flows.evicted, 24);
  // The newest connection is still open: another packet on it creates nothing.
  f.send(udp(inside(1), OUTSIDE, 40039, 161));
  assert.is(e.flows.created, 40, 'the newest connection survived');
  // The oldest was evicted: a packet on it is a new connection.
  f.send(udp(inside(1), OUTSIDE, 40000, 161));
  assert.is(e.flows.created, 41, 'the oldest connection was evicted');
  const w = limitWarning(report(e), 'flows');
  assert.ok(w, 'a table-limit warning names the flows table');
  assert.is(w!.count, e.flows.evicted);
  assert.match(w!.message, 'limits.flows');
});

test('flows: evicting a TCP connection that ended (reset, or closed both ways) is not counted', () => {
  const e = new Engine({ flows: { maxFlows: 16 } });
  const f = new Feeder(e);
  const tcp = (src: string, dst: string, sport: number, dport: number, flags: string, srcMac: string, dstMac: string) =>
    B.tcpPacket({ src, dst, srcMac, dstMac, sport, dport, flags, seq: 1 });
  // A scan: each SYN answered by a reset, then half of the rest closed by FIN both ways.
  for (let i = 0; i < 40; i++) {
    f.send(tcp(inside(1), OUTSIDE, 40000 + i, 80, 'S', macOf(1), GW));
    if (i % 2 === 0) f.send(tcp(OUTSIDE, inside(1), 80, 40000 + i, 'RA', GW, macOf(1)));
    else {
      f.send(tcp(inside(1), OUTSIDE, 40000 + i, 80, 'FA', macOf(1), GW));
      f.send(tcp(OUTSIDE, inside(1), 80, 40000 + i, 'FA', GW, macOf(1)));
    }
  }
  assert.is(e.flows.created, 40);
  assert.is(e.flows.evicted, 0);
  assert.is(limitWarning(report(e), 'flows'), undefined);
  // A connection closed by one side only is still open: evicting it counts.
  const g = new Engine({ flows: { maxFlows: 16 } });
  const h = new Feeder(g);
  for (let i = 0; i < 20; i++) {
    h.send(tcp(inside(1), OUTSIDE, 40000 + i, 80, 'S', macOf(1), GW));
    h.send(tcp(inside(1), OUTSIDE, 40000 + i, 80, 'FA', macOf(1), GW));
  }
  assert.is(g.flows.evicted, 4);
});

test('assets: the least recently seen addresses are evicted and counted', () => {
  const e = new Engine({ maxHosts: 16 });
  const f = new Feeder(e);
  for (let i = 0; i < 40; i++) f.send(udp(inside(i), OUTSIDE, 40000, 53, macOf(i)));
  assert.ok(e.hosts.hostEvictions >= 24, `evictions counted (${e.hosts.hostEvictions})`);
  assert.ok(e.hosts.find4(ipNum(inside(39))) !== null, 'the newest address is kept');
  assert.is(e.hosts.find4(ipNum(inside(0))), null, 'the oldest address was evicted');
  let kept = 0;
  for (let i = 0; i < 40; i++) if (e.hosts.find4(ipNum(inside(i))) !== null) kept++;
  assert.ok(kept <= 16, `at most 16 addresses kept (${kept})`);
  const w = limitWarning(report(e), 'hosts');
  assert.ok(w, 'a table-limit warning names the hosts table');
  assert.is(w!.count, e.hosts.hostEvictions);
  assert.match(w!.message, 'limits.assets');
});

test('macs: the least recently seen MACs are evicted and counted', () => {
  const e = new Engine({ maxMacs: 16 });
  const f = new Feeder(e);
  for (let i = 0; i < 40; i++) f.send(udp(inside(i), OUTSIDE, 40000, 53, macOf(i)));
  assert.ok(e.hosts.macEvictions >= 24, `evictions counted (${e.hosts.macEvictions})`);
  assert.ok(e.hosts.findMac(macNum(macOf(39))) !== null, 'the newest MAC is kept');
  assert.is(e.hosts.findMac(macNum(macOf(0))), null, 'the oldest MAC was evicted');
  const w = limitWarning(report(e), 'macs');
  assert.ok(w, 'a table-limit warning names the macs table');
  assert.is(w!.count, e.hosts.macEvictions);
});

test('flow_rows: rows past the bound are dropped and counted', () => {
  const e = new Engine({ maxFlowRows: 4 });
  const f = new Feeder(e);
  for (let i = 0; i < 10; i++) f.send(udp(inside(1), inside(2), 40000, 1000 + i));
  const r = report(e);
  assert.is(r.flows.length, 4);
  assert.is(e.aggregate.dropped, 6);
  const w = limitWarning(r, 'flow_rows');
  assert.ok(w, 'a table-limit warning names the flow_rows table');
  assert.is(w!.count, 6);
  assert.match(w!.message, 'new rows were dropped');
});

/**
 * `n` one-packet UDP exchanges, `stepUs` apart, each to its own port (1000 +
 * i), then one more at `endUs` that times the others out (after 1 s, with
 * ROWS_OPTS): each row is made when its exchange ends, in time order.
 */
function feedExchanges(e: Engine, n: number, stepUs: number, endUs: number): void {
  const f = new Feeder(e);
  for (let i = 0; i < n; i++) {
    f.ts = T0 + i * stepUs;
    f.send(udp(inside(1), inside(2), 40000, 1000 + i));
  }
  f.ts = T0 + endUs;
  f.send(udp(inside(3), inside(4), 40000, 9));
}

/** Four rows per 1 s interval over ten intervals. */
const feedIntervals = (e: Engine) => feedExchanges(e, 40, 250_000, 60e6);

const ROWS_OPTS: EngineOptions = { intervalUs: 1e6, flows: { udpTimeoutUs: 1e6 } };
const portsOf = (r: Report) => r.flows.filter((x) => x.client_ip === inside(1)).map((x) => Number(x.server_port));

test('flow_rows: a full table evicts the rows of its oldest intervals (a sensor keeps its latest rows)', () => {
  const e = new Engine({ ...ROWS_OPTS, maxFlowRows: 8 });
  feedIntervals(e);
  const r = report(e);
  const ports = portsOf(r);
  assert.ok(ports.includes(1039), 'the newest row is kept');
  assert.not.ok(ports.includes(1000), 'the oldest row was evicted');
  // What is kept is the latest stretch: no gap.
  assert.equal(ports, Array.from({ length: ports.length }, (_, i) => 1040 - ports.length + i));
  assert.is(e.aggregate.dropped, 0, 'no new row was refused');
  assert.is(e.aggregate.evicted, 41 - r.flows.length);
  const w = limitWarning(r, 'flow_rows');
  assert.ok(w, 'a table-limit warning names the flow_rows table');
  assert.is(w!.count, e.aggregate.evicted);
  assert.match(w!.message, 'rows of the oldest intervals were evicted');
  assert.not.match(w!.message, 'dropped');
});

test('flow_rows: a full table of one interval (a flood) refuses new rows without searching its rows each time', () => {
  const e = new Engine({ ...ROWS_OPTS, intervalUs: 60e6, maxFlowRows: 500 });
  feedExchanges(e, 3000, 10, 30e6);
  e.finish();
  assert.is(e.aggregate.dropped, 2501);
  assert.is(e.aggregate.evicted, 0);
  // One search finds no older interval; later full-table rows are refused at once.
  assert.is(e.aggregate.roomSearches, 1);
});

test('flow_rows: with a spill file, a full table moves its oldest intervals there and loses nothing', () => {
  const all = new Engine(ROWS_OPTS);
  feedIntervals(all);
  const want = report(all);
  const e = new Engine({ ...ROWS_OPTS, maxFlowRows: 8 });
  // Interval sealing off (a huge threshold): only the full table puts rows aside.
  e.spillRowsTo(() => RowSpill.open(), 1e9);
  feedIntervals(e);
  const got = report(e);
  e.closeSpill();
  assert.ok((e.spilledRows?.rows ?? 0) > 0, 'rows went to the spill file');
  assert.is(e.aggregate.evicted + e.aggregate.dropped, 0);
  assert.is(limitWarning(got, 'flow_rows'), undefined);
  assert.equal(got.flows, want.flows);
  assert.equal(got.traffic, want.traffic);
});

/** The fragments of a UDP datagram to `dport` with IP id `id`, 1200 bytes of payload, 3 fragments. */
function fragmented(id: number, dport: number): Buffer[] {
  const payload = Buffer.alloc(1200, id & 0xff);
  const seg = B.udp({ srcPort: 40000, dstPort: dport, payload });
  const ip = B.ipv4({ src: inside(1), dst: inside(2), proto: B.IPPROTO.UDP, payload: seg, id });
  return B.fragmentIpv4(ip, 500).map((p) => B.linkFrame(p, { srcMac: macOf(1), dstMac: GW }));
}

function serverPorts(r: Report): number[] {
  return r.flows.map((row) => Number(row.server_port)).sort((a, b) => a - b);
}

test('fragments: the oldest datagrams being reassembled are evicted and counted', () => {
  const e = new Engine({ maxFragments: 4 });
  const f = new Feeder(e);
  const all = Array.from({ length: 10 }, (_, i) => fragmented(100 + i, 2000 + i));
  assert.is(all[0]!.length, 3);
  // The first fragment of each of 10 datagrams: only 4 fit.
  for (const frags of all) f.send(frags[0]!);
  assert.is(e.fragments.evicted, 6);
  // The rest of the newest and of the oldest datagram.
  for (const i of [9, 0]) for (const frag of all[i]!.slice(1)) f.send(frag);
  const r = report(e);
  const ports = serverPorts(r);
  assert.ok(ports.includes(2009), `the newest datagram was reassembled (${ports})`);
  assert.not.ok(ports.includes(2000), 'the oldest was evicted, so never completes');
  const w = limitWarning(r, 'fragments');
  assert.ok(w, 'a table-limit warning names the fragments table');
  assert.ok(w!.count >= 6);
});

test('fragment_bytes: the oldest datagrams are evicted to keep the buffered bytes bounded', () => {
  const e = new Engine({ maxFragmentBytes: 2000 });
  const f = new Feeder(e);
  const all = Array.from({ length: 10 }, (_, i) => fragmented(300 + i, 3000 + i));
  // ~480 bytes per first fragment: 10 of them need ~4800 bytes.
  for (const frags of all) f.send(frags[0]!);
  assert.ok(e.fragments.evicted >= 5, `evictions counted (${e.fragments.evicted})`);
  for (const i of [9, 0]) for (const frag of all[i]!.slice(1)) f.send(frag);
  const r = report(e);
  const ports = serverPorts(r);
  assert.ok(ports.includes(3009), `the newest datagram was reassembled (${ports})`);
  assert.not.ok(ports.includes(3000), 'the oldest was evicted');
  assert.ok(limitWarning(r, 'fragments'), 'a table-limit warning names the fragments table');
});

test('fragment_bytes: a datagram larger than the bound is still reassembled, and its bytes released', () => {
  const e = new Engine({ maxFragmentBytes: 600 });
  const f = new Feeder(e);
  for (const frag of fragmented(400, 4000)) f.send(frag);
  for (const frag of fragmented(401, 4001)) f.send(frag);
  const r = report(e);
  assert.equal(serverPorts(r), [4000, 4001]);
  assert.is(e.fragments.evicted, 0);
});

const HTTP_UA = (n: number) => `GET / HTTP/1.1\r\nHost: web${n}.example.lan\r\nUser-Agent: probe-agent/${n}.0\r\nAccept: */*\r\n\r\n`;

function uaValues(e: Engine): string[] {
  return [...e.observations.values()].map((o) => o.value).filter((v) => v.startsWith('probe-agent/'));
}

test('observations: the oldest facts are evicted and counted', () => {
  const e = new Engine({ maxObservations: 4 });
  const f = new Feeder(e);
  for (let i = 0; i < 12; i++) {
    f.send(B.tcpPacket({ src: inside(10 + i), dst: inside(2), srcMac: macOf(10 + i), dstMac: GW, sport: 50000, dport: 80, flags: 'PA', seq: 1, payload: HTTP_UA(i) }));
  }
  assert.ok(e.observations.evicted > 0, `evictions counted (${e.observations.evicted})`);
  assert.ok(e.observations.size <= 4);
  const uas = uaValues(e);
  assert.ok(uas.some((v) => v.startsWith('probe-agent/11.')), `the newest fact is kept (${uas})`);
  assert.not.ok(uas.some((v) => v.startsWith('probe-agent/0.')), 'the oldest was evicted');
  const w = limitWarning(report(e), 'observations');
  assert.ok(w, 'a table-limit warning names the observations table');
  assert.is(w!.count, e.observations.evicted);
});

test('tcp_streams: the least recently active stream is evicted and new connections are still reassembled', () => {
  const e = new Engine({ maxTcpStreams: 2 });
  const f = new Feeder(e);
  const n = 6;
  const msg = (i: number) => HTTP_UA(i);
  // Each connection sends the first half of its request: not a whole message, so it is collected.
  for (let i = 0; i < n; i++) {
    const m = msg(i);
    const half = m.slice(0, 30);
    f.send(B.tcpPacket({ src: inside(10 + i), dst: inside(2), srcMac: macOf(10 + i), dstMac: GW, sport: 50000, dport: 80, flags: 'S', seq: 999 }));
    f.send(B.tcpPacket({ src: inside(2), dst: inside(10 + i), srcMac: GW, dstMac: macOf(10 + i), sport: 80, dport: 50000, flags: 'SA', seq: 4999, ack: 1000 }));
    f.send(B.tcpPacket({ src: inside(10 + i), dst: inside(2), srcMac: macOf(10 + i), dstMac: GW, sport: 50000, dport: 80, flags: 'PA', seq: 1000, payload: half }));
  }
  assert.is(e.dispatch.streamsDropped, n - 2, 'evictions counted');
  // The rest of the requests, newest connection first, then the oldest.
  for (const i of [n - 1, 0]) {
    const m = msg(i);
    f.send(B.tcpPacket({ src: inside(10 + i), dst: inside(2), srcMac: macOf(10 + i), dstMac: GW, sport: 50000, dport: 80, flags: 'PA', seq: 1030, payload: m.slice(30) }));
  }
  const uas = uaValues(e);
  assert.ok(uas.includes(`probe-agent/${n - 1}.0`), `the newest connection was reassembled and dissected (${uas})`);
  assert.not.ok(uas.includes('probe-agent/0.0'), 'the oldest stream was evicted');
  const w = limitWarning(report(e), 'tcp_streams');
  assert.ok(w, 'a table-limit warning names the tcp_streams table');
  assert.is(w!.count, n - 2);
});

test('dns_names: the oldest learned addresses are evicted and counted', () => {
  const { config } = parseConfig('external:\n  - name: watched\n    fqdns: ["*.watched.example"]\nlimits:\n  dns_names: 4\n', 'nps.yaml');
  const classifier = new ConfigClassifier(config, config.limits.dnsNames);
  const e = new Engine({ classifier });
  const f = new Feeder(e);
  const answer = (i: number) => `203.0.113.${i + 1}`;
  for (let i = 0; i < 10; i++) {
    f.send(B.udpPacket({ src: '192.0.2.53', dst: inside(1), srcMac: GW, dstMac: macOf(1), sport: 53, dport: 53000 + i, payload: dnsMessage(i, `h${i}.watched.example`, answer(i)) }));
  }
  assert.is(classifier.learnedEvicted, 6);
  assert.is(classifier.classify4(ipNum(answer(9))), AddrClass.MonitoredByName, 'the newest name mapping is kept');
  assert.is(classifier.classify4(ipNum(answer(0))), AddrClass.External, 'the oldest was evicted');
  const w = limitWarning(report(e), 'dns_names');
  assert.ok(w, 'a table-limit warning names the dns_names table');
  assert.is(w!.count, 6);
  assert.match(w!.message, 'limits.dns_names');
});

test('duplicate_slots: the table size is configurable; a collision overwrites without a warning', () => {
  assert.throws(() => new DuplicateDetector(1000, 1000), /power of two/);
  const d = new DuplicateDetector(1000, 1);
  const a = Buffer.from('packet a, some bytes');
  const b = Buffer.from('packet b, other bytes');
  assert.not.ok(d.check(a, 0, a.length, a.length, 0));
  assert.ok(d.check(a, 0, a.length, a.length, 10), 'a copy within the window is a duplicate');
  assert.not.ok(d.check(b, 0, b.length, b.length, 20));
  assert.not.ok(d.check(a, 0, a.length, a.length, 30), 'with one slot, b overwrote a');
  const big = new DuplicateDetector(1000, 1 << 10);
  assert.not.ok(big.check(a, 0, a.length, a.length, 0));
  assert.not.ok(big.check(b, 0, b.length, b.length, 20));
  assert.ok(big.check(a, 0, a.length, a.length, 30), 'with more slots both are remembered');
  const e = new Engine({ duplicateSlots: 1 } satisfies EngineOptions);
  const f = new Feeder(e);
  for (let i = 0; i < 5; i++) f.send(udp(inside(1), OUTSIDE, 40000 + i, 53));
  assert.not.ok(report(e).warnings.some((w) => w.code === 'table-limit'), 'no table-limit warning for overwritten slots');
});

function ipNum(s: string): number {
  return s.split('.').reduce((n, x) => n * 256 + Number(x), 0);
}

function macNum(s: string): number {
  return parseInt(s.replace(/:/g, ''), 16);
}

test.run();
