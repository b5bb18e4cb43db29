/**
 * Partial states (one file's analysis as plain data) folded into one engine:
 * for captures that do not share connections, the result is the report one
 * engine gives reading the files one after another; a partial survives the
 * structured clone a worker thread's message applies; and a capture cut in
 * two gives the same assets and traffic as the whole.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readCapture } from '../../src/capture/reader.js';
import { PcapWriter, fileSink } from '../../src/capture/writer.js';
import { Engine } from '../../src/engine/engine.js';
import { absorbPartial, exportPartial, partialOrder, type PartialState } from '../../src/engine/partial.js';
import { analyseFile, firstTimestamp } from '../../src/cli/file-partial.js';
import { buildReport, type Report, type ReportFile } from '../../src/report/build.js';
import { projectRoot } from '../helpers/skip.js';

const SAMPLES = ['office.pcapng', 'messy.pcap', 'small-office.pcapng', 'ot-cell.pcapng', 'branch-erspan.pcap'].map((f) => join(projectRoot, 'samples', f));
const GEN = { generator: { name: 'nps', version: 'test' }, deterministic: true };
let tmp = '';
test.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'nps-partial-'));
});
test.after(() => rmSync(tmp, { recursive: true, force: true }));

async function inTimeOrder(paths: string[]): Promise<string[]> {
  const keyed = await Promise.all(paths.map(async (path, index) => ({ path, index, firstTs: await firstTimestamp(path) })));
  return keyed.sort(partialOrder).map((k) => k.path);
}

async function oneEngine(paths: string[]): Promise<Report> {
  const engine = new Engine();
  const files: ReportFile[] = [];
  for (const path of paths) {
    const info = await readCapture(path, (f) => engine.frame(f));
    engine.addProblems(path, info.problems);
    files.push({ path, info });
  }
  return buildReport(engine, files, GEN);
}

async function merged(paths: string[], clone = false): Promise<Report> {
  const partials: PartialState[] = [];
  for (const p of paths) partials.push(await analyseFile(p, new Engine(), {}));
  const engine = new Engine();
  for (const p of partials) absorbPartial(engine, clone ? structuredClone(p) : p);
  return buildReport(engine, partials.map((p) => p.file), GEN);
}

test('separate captures: partial states folded give the report of one engine reading them in turn', async () => {
  const paths = await inTimeOrder(SAMPLES);
  const whole = await oneEngine(paths);
  const folded = await merged(paths);
  assert.ok(whole.assets.length > 30, 'the samples hold many assets');
  assert.equal(folded, whole);
});

test('a partial state survives structured cloning (what a worker thread sends)', async () => {
  const paths = await inTimeOrder(SAMPLES.slice(0, 3));
  assert.equal(await merged(paths, true), await merged(paths, false));
});

test('an engine with no packets exports an empty partial that changes nothing', async () => {
  const paths = await inTimeOrder(SAMPLES.slice(0, 2));
  const partials: PartialState[] = [];
  for (const p of paths) partials.push(await analyseFile(p, new Engine(), {}));
  const empty = exportPartial(new Engine(), { path: 'empty', info: { format: 'pcap', gzip: false, linkTypes: [], packets: 0, bytesRead: 24, problems: [] } });
  const a = new Engine();
  for (const p of partials) absorbPartial(a, p);
  const b = new Engine();
  absorbPartial(b, partials[0]!);
  absorbPartial(b, empty);
  absorbPartial(b, partials[1]!);
  const ra = buildReport(a, [], GEN);
  const rb = buildReport(b, [], GEN);
  assert.equal(rb, ra);
});

test('a capture cut in two: the same assets, traffic and bytes as the whole', async () => {
  const src = join(projectRoot, 'samples', 'office.pcapng');
  const frames: { ts: number; data: Buffer; orig: number; link: number }[] = [];
  await readCapture(src, (f) => {
    frames.push({ ts: f.tsUs, data: Buffer.from(f.buf.subarray(f.off, f.off + f.capLen)), orig: f.origLen, link: f.linkType });
  });
  const half = frames.length >> 1;
  const parts = [join(tmp, 'a.pcap'), join(tmp, 'b.pcap')];
  [frames.slice(0, half), frames.slice(half)].forEach((chunk, i) => {
    const w = new PcapWriter(fileSink(parts[i]!), { linkType: chunk[0]!.link });
    for (const f of chunk) w.write(f.ts, f.data, f.orig);
    w.close();
  });
  const whole = await oneEngine([src]);
  const cut = await merged(parts);
  const strip = (r: Report) => r.assets.map((a) => ({ id: a.id, ips: a.ips, mac: a.mac, hostnames: a.hostnames, os: a.os, device: a.device, open_ports: a.open_ports, traffic: a.traffic }));
  assert.equal(strip(cut), strip(whole));
  const bytes = (r: Report) => r.flows.reduce((n, f) => n + Number(f.client_bytes) + Number(f.server_bytes), 0);
  assert.is(bytes(cut), bytes(whole));
  assert.is((cut.capture as { packets: number }).packets, (whole.capture as { packets: number }).packets);
});

test.run();
