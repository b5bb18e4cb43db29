/**
 * The reporting schedule and the pushes built from engine snapshots: applied
 * in order (new assets whole, changed fields over them, removed ones dropped,
 * flow growth summed), they give exactly the final report's assets and flows.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { readCapture } from '../../src/capture/reader.js';
import { Engine } from '../../src/engine/engine.js';
import { PushBuilder, PushSchedule } from '../../src/push/builder.js';
import { FLOW_COUNT_FIELDS, flowKey, type JsonObject, type PushDocument } from '../../src/push/types.js';
import { buildLazyReport } from '../../src/report/build.js';
import { pushSchemaErrors } from '../helpers/schema.js';
import { projectRoot } from '../helpers/skip.js';

const MIN = 60e6;
const T = Date.UTC(2026, 0, 14, 6, 0, 0) * 1000;
const iso = (us: number) => new Date(us / 1000).toISOString();

test('schedule: new-asset boundaries every 5 minutes, updates every 30, aligned on the epoch', () => {
  const s = new PushSchedule(T + 500_000, 5 * MIN, 30 * MIN);
  assert.equal([...s.due(T + 4 * MIN)], []);
  const first = [...s.due(T + 5 * MIN)];
  assert.equal(first.map((d) => [iso(d.startUs), iso(d.endUs), d.content]), [['2026-01-14T06:00:00.000Z', '2026-01-14T06:05:00.000Z', { assets: true, updates: false }]]);
  const rest = [...s.due(T + 31 * MIN)];
  assert.is(rest.length, 5);
  assert.equal(rest[4]!.content, { assets: true, updates: true });
  assert.is(iso(rest[4]!.endUs), '2026-01-14T06:30:00.000Z');
  assert.equal(s.finalInterval(T + 33 * MIN), { startUs: T + 30 * MIN, endUs: T + 33 * MIN });
});

function apply(pushes: PushDocument[]): { assets: Map<string, JsonObject>; flows: Map<string, JsonObject> } {
  const assets = new Map<string, JsonObject>();
  const flows = new Map<string, JsonObject>();
  for (const p of pushes) {
    for (const a of p.new_assets) assets.set(String(a.id), { ...a });
    for (const c of p.changed_assets) assets.set(String(c.id), { ...(assets.get(String(c.id)) ?? {}), ...c });
    for (const id of p.removed_assets) assets.delete(id);
    for (const f of p.flows) {
      const k = flowKey(f);
      const have = flows.get(k);
      if (!have) flows.set(k, { ...f });
      else {
        for (const c of FLOW_COUNT_FIELDS) have[c] = Number(have[c]) + Number(f[c]);
        have.last_seen = f.last_seen;
        have.application = f.application;
      }
    }
  }
  return { assets, flows };
}

for (const name of ['merge/branch-b.pcapng', 'merge/branch-a.pcapng', 'small-office.pcapng', 'ot-cell.pcapng']) {
  test(`pushes applied in order equal the final report: ${name}`, async () => {
    for (const [newUs, updUs] of [
      [5 * MIN, 30 * MIN],
      [1e6, 3e6],
    ] as const) {
      const engine = new Engine({ intervalUs: updUs });
      const gen = { name: 'nps', version: 'test' };
      const builder = new PushBuilder({ name: 's', network: 'n' }, gen);
      let schedule: PushSchedule | null = null;
      const pushes: PushDocument[] = [];
      await readCapture(join(projectRoot, 'samples', name), (f) => {
        schedule ??= new PushSchedule(f.tsUs, newUs, updUs);
        for (const due of schedule.due(f.tsUs)) {
          const doc = builder.build(buildLazyReport(engine, [], { generator: gen, snapshot: true }), due.startUs, due.endUs, due.content, false);
          if (doc) pushes.push(doc);
        }
        engine.frame(f);
      });
      const final = buildLazyReport(engine, [], { generator: gen });
      const end = schedule!.finalInterval(engine.lastTs);
      pushes.push(builder.build(final, end.startUs, end.endUs, { assets: true, updates: true }, true)!);
      for (const p of pushes) assert.equal(pushSchemaErrors(JSON.parse(JSON.stringify(p))), [], p.idempotency_key);
      assert.equal(pushes.map((p) => p.sequence), pushes.map((_, i) => i + 1));
      assert.is(new Set(pushes.map((p) => p.idempotency_key)).size, pushes.length);
      const got = apply(pushes);
      const want = final.report.assets;
      assert.equal([...got.assets.values()].map((a) => JSON.stringify(a, Object.keys(a).sort())).sort(), want.map((a) => JSON.stringify(a, Object.keys(a).sort())).sort());
      const rows = [...final.flows()];
      assert.is(got.flows.size, rows.length);
      for (const r of rows) {
        const g = got.flows.get(flowKey(r));
        assert.ok(g);
        for (const c of FLOW_COUNT_FIELDS) assert.is(g![c], r[c], `${flowKey(r)} ${c}`);
      }
    }
  });
}

test('a sensor whose flow rows are evicted (limits.flow_rows) forgets them too, and never sends negative growth', async () => {
  const updUs = 3e6;
  const engine = new Engine({ intervalUs: updUs, maxFlowRows: 24 });
  const gen = { name: 'nps', version: 'test' };
  const builder = new PushBuilder({ name: 's', network: 'n' }, gen);
  const sent = (builder as unknown as { sentFlows: Map<string, unknown> }).sentFlows;
  let schedule: PushSchedule | null = null;
  const pushes: PushDocument[] = [];
  let largest = 0;
  await readCapture(join(projectRoot, 'samples', 'office.pcapng'), (f) => {
    schedule ??= new PushSchedule(f.tsUs, 1e6, updUs);
    for (const due of schedule.due(f.tsUs)) {
      const doc = builder.build(buildLazyReport(engine, [], { generator: gen, snapshot: true }), due.startUs, due.endUs, due.content, false);
      if (doc) pushes.push(doc);
      largest = Math.max(largest, sent.size);
    }
    engine.frame(f);
  });
  const final = buildLazyReport(engine, [], { generator: gen });
  const end = schedule!.finalInterval(engine.lastTs);
  pushes.push(builder.build(final, end.startUs, end.endUs, { assets: true, updates: true }, true)!);
  assert.ok(engine.aggregate.evicted > 0, 'the capture fills the small table');
  assert.ok(largest <= 24, `rows remembered as sent stay within the bound (${largest})`);
  for (const p of pushes) for (const f of p.flows) for (const c of FLOW_COUNT_FIELDS) assert.ok(Number(f[c]) >= 0, `${flowKey(f)} ${c}: ${f[c]}`);
  const got = apply(pushes);
  for (const r of final.flows()) {
    const g = got.flows.get(flowKey(r));
    assert.ok(g, `${flowKey(r)} was pushed`);
    for (const c of FLOW_COUNT_FIELDS) assert.ok(Number(g![c]) >= Number(r[c]), `${flowKey(r)} ${c}`);
  }
});

test.run();
