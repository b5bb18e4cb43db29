/**
 * A long capture's flow rows kept in a scratch file interval by interval
 * (engine.spillRowsTo) give the very report that keeping them in memory
 * gives: flows, traffic summary and asset totals, with connections that
 * outlive the interval they began in (their rows are folded with the spilled
 * ones when the report reads them back).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture } from '../../src/capture/reader.js';
import { PcapWriter, fileSink } from '../../src/capture/writer.js';
import { absorbPartial } from '../../src/engine/partial.js';
import { analyseFile, analyseFirstFile } from '../../src/cli/file-partial.js';
import { Engine } from '../../src/engine/engine.js';
import { RowSpill } from '../../src/flows/row-spill.js';
import { buildLazyReport, type ReportFile } from '../../src/report/build.js';
import { stableStringify, writeStableJson } from '../../src/report/json.js';
import { TrafficSpill } from '../../src/report/traffic-spill.js';
import { projectRoot } from '../helpers/skip.js';

const GEN = { generator: { name: 'nps', version: 'test' }, deterministic: true };
const SAMPLES = readdirSync(join(projectRoot, 'samples'))
  .filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f))
  .map((f) => join(projectRoot, 'samples', f));
const ZEEK = join(projectRoot, '..', 'shared', 'captures', 'zeek');

async function report(path: string, intervalUs: number, spill: 'none' | 'file' | 'unavailable'): Promise<{ text: string; spilled: number }> {
  const engine = new Engine({ intervalUs });
  if (spill === 'file') engine.spillRowsTo(() => RowSpill.open(), 0);
  if (spill === 'unavailable') engine.spillRowsTo(() => null, 0);
  const info = await readCapture(path, (f) => engine.frame(f));
  engine.addProblems(path, info.problems);
  const files: ReportFile[] = [{ path, info }];
  const lazy = buildLazyReport(engine, files, GEN);
  const spilled = engine.spilledRows?.rows ?? 0;
  // Rows are read twice, as the TUI and --baseline do: the spill must serve both.
  const doc = { ...lazy.report, flows: [...lazy.flows()], traffic: [...lazy.traffic()] };
  const again = [...lazy.flows()].length + [...lazy.traffic()].length;
  assert.is(again, doc.flows.length + doc.traffic.length, `${path}: rows read a second time`);
  assert.is(lazy.flowCount, doc.flows.length);
  assert.is(lazy.trafficCount, doc.traffic.length);
  lazy.close();
  engine.closeSpill();
  return { text: stableStringify(doc), spilled };
}

test('spilled rows give the same report as rows kept in memory (bundled samples, 1 s and 10 s intervals)', async () => {
  let spilledSomewhere = 0;
  for (const path of SAMPLES) {
    for (const intervalUs of [1e6, 10e6]) {
      const mem = await report(path, intervalUs, 'none');
      const file = await report(path, intervalUs, 'file');
      spilledSomewhere += file.spilled;
      assert.ok(mem.text === file.text, `${path} at ${intervalUs / 1e6} s: reports differ`);
    }
  }
  // The comparison means something only if rows were in fact spilled.
  assert.ok(spilledSomewhere > 0, 'no sample spilled any row');
});

test('spilled rows give the same report on the shared Zeek captures (1 s intervals)', async () => {
  if (!existsSync(ZEEK)) {
    console.log('  skipped: ../shared/captures/zeek is absent');
    return;
  }
  const files = readdirSync(ZEEK).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f)).map((f) => join(ZEEK, f));
  let spilledFiles = 0;
  for (const path of files) {
    const mem = await report(path, 1e6, 'none');
    const file = await report(path, 1e6, 'file');
    if (file.spilled > 0) spilledFiles++;
    assert.ok(mem.text === file.text, `${path}: reports differ`);
  }
  assert.ok(spilledFiles >= 3, `only ${spilledFiles} captures spilled rows`);
});

test('traffic rows written as their kept JSON text give the same document as writing the parsed rows', async () => {
  const path = SAMPLES.find((p) => p.endsWith('office.pcapng'))!;
  const engine = new Engine({ intervalUs: 1e6 });
  engine.spillRowsTo(() => RowSpill.open(), 0);
  const info = await readCapture(path, (f) => engine.frame(f));
  const lazy = buildLazyReport(engine, [{ path, info }], GEN);
  assert.ok(lazy.trafficJson !== null, 'rows were not spilled');
  const rows = new Set(['flows', 'traffic']);
  let viaText = '';
  writeStableJson(lazy.report, (t) => (viaText += t), { flows: lazy.flows(), traffic: lazy.trafficJson() }, rows, rows, new Set(['traffic']));
  let viaObjects = '';
  writeStableJson(lazy.report, (t) => (viaObjects += t), { flows: lazy.flows(), traffic: lazy.traffic() }, rows, rows);
  assert.ok(lazy.trafficCount > 0);
  assert.ok(viaText === viaObjects);
  lazy.close();
  engine.closeSpill();
});

test('below the row threshold nothing is spilled; above it, closed intervals are', async () => {
  const path = SAMPLES.find((p) => p.endsWith('office.pcapng'))!;
  const run = async (minRows?: number): Promise<Engine> => {
    const engine = new Engine({ intervalUs: 1e6 });
    engine.spillRowsTo(() => RowSpill.open(), minRows);
    await readCapture(path, (f) => engine.frame(f));
    return engine;
  };
  const byDefault = await run();
  assert.is(byDefault.spilledRows, null, 'a small capture keeps its rows in memory by default');
  const low = await run(10);
  assert.ok((low.spilledRows?.rows ?? 0) > 0);
  low.closeSpill();
});

test('without a scratch file the rows stay in memory and the report is the same', async () => {
  const path = SAMPLES[0]!;
  const mem = await report(path, 1e6, 'none');
  const none = await report(path, 1e6, 'unavailable');
  assert.is(none.spilled, 0);
  assert.ok(mem.text === none.text);
});

test('the traffic spill merges its runs by asset, then run, keeping each run\'s order; in a file or in memory alike', () => {
  const runs: [number, string][][] = [
    [[0, 'a0'], [0, 'a1'], [2, 'a2'], [5, 'a3']],
    [[1, 'b0'], [2, 'b1'], [2, 'b2']],
    [],
    [[0, 'c0'], [5, 'c1'], [7, 'c2"é']],
  ];
  const want = ['a0', 'a1', 'c0', 'b0', 'a2', 'b1', 'b2', 'a3', 'c1', 'c2"é'];
  for (const spill of [TrafficSpill.open(), TrafficSpill.open(join(projectRoot, 'no-such-directory'))]) {
    for (const run of runs) {
      spill.beginRun();
      for (const [asset, v] of run) spill.add(asset, JSON.stringify({ v }));
    }
    assert.is(spill.rows, want.length);
    assert.equal([...spill.records()].map((r) => r.v), want);
    assert.equal([...spill.records()].map((r) => r.v), want, 'read twice');
    spill.close();
  }
});

test('a traffic spill row longer than the read window comes back whole', () => {
  const spill = TrafficSpill.open();
  const long = 'x'.repeat(200_000);
  spill.beginRun();
  spill.add(0, JSON.stringify({ v: 'short' }));
  spill.add(1, JSON.stringify({ v: long }));
  spill.add(2, JSON.stringify({ v: 'after' }));
  assert.equal([...spill.records()].map((r) => r.v), ['short', long, 'after']);
  spill.close();
});

test('files folded in turn (rotated captures, connections stitched across them) give the same report with spilled rows', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'nps-spill-'));
  try {
    for (const name of ['office.pcapng', 'small-office.pcapng', 'ot-cell.pcapng']) {
      // Cut into 6 files: connections run across the cuts and must be stitched.
      const frames: { ts: number; data: Buffer; orig: number; link: number }[] = [];
      await readCapture(join(projectRoot, 'samples', name), (f) => {
        frames.push({ ts: f.tsUs, data: Buffer.from(f.buf.subarray(f.off, f.off + f.capLen)), orig: f.origLen, link: f.linkType });
      });
      const parts: string[] = [];
      const per = Math.ceil(frames.length / 6);
      for (let k = 0; k * per < frames.length; k++) {
        const chunk = frames.slice(k * per, (k + 1) * per);
        const path = join(tmp, `${name}-${k}.pcap`);
        const w = new PcapWriter(fileSink(path), { linkType: chunk[0]!.link });
        for (const f of chunk) w.write(f.ts, f.data, f.orig);
        w.close();
        parts.push(path);
      }
      const fold = async (spill: boolean): Promise<{ text: string; spilled: number }> => {
        const engine = new Engine({ intervalUs: 1e6 });
        if (spill) engine.spillRowsTo(() => RowSpill.open(), 0);
        const files: ReportFile[] = [await analyseFirstFile(parts[0]!, engine, {})];
        engine.sealClosedIntervals();
        for (const path of parts.slice(1)) {
          const p = await analyseFile(path, new Engine({ intervalUs: 1e6 }), {});
          absorbPartial(engine, p);
          files.push(p.file);
          engine.sealClosedIntervals();
        }
        const lazy = buildLazyReport(engine, files, GEN);
        const text = stableStringify({ ...lazy.report, flows: [...lazy.flows()], traffic: [...lazy.traffic()] });
        const spilled = engine.spilledRows?.rows ?? 0;
        lazy.close();
        engine.closeSpill();
        return { text, spilled };
      };
      const mem = await fold(false);
      const file = await fold(true);
      assert.ok(file.spilled > 0, `${name}: nothing spilled`);
      assert.ok(mem.text === file.text, `${name}: reports differ`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test.run();
