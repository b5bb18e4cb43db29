/**
 * The JSON writer trusts flow and traffic rows to be flat objects with keys
 * in sorted order (they are written by JSON.stringify without sorting): this
 * checks the report builder keeps that promise.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Engine } from '../../src/engine/engine.js';
import { buildLazyReport } from '../../src/report/build.js';
import { stableStringify, writeStableJson } from '../../src/report/json.js';
import { variedTraffic } from '../helpers/traffic.js';

test('flow and traffic rows are flat with sorted keys; the fast path writes the same JSON', () => {
  const engine = new Engine();
  for (const p of variedTraffic()) engine.packet(Buffer.from(p.data), 0, p.data.length, p.data.length, p.tsUs, 1);
  const lazy = buildLazyReport(engine, [], { generator: { name: 'nps', version: 't' }, deterministic: true });
  for (const [name, rows] of [['flows', [...lazy.flows()]], ['traffic', [...lazy.traffic()]]] as const) {
    assert.ok(rows.length > 0, `${name} rows`);
    for (const r of rows) {
      const keys = Object.keys(r);
      assert.equal(keys, [...keys].sort(), `${name} keys sorted`);
      for (const v of Object.values(r)) {
        const flat = v === null || typeof v !== 'object' || (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object'));
        assert.ok(flat, `${name} values flat`);
      }
    }
  }
  const fast = new Set(['flows', 'traffic']);
  let a = '';
  writeStableJson(lazy.report, (s) => (a += s), { flows: lazy.flows(), traffic: lazy.traffic() }, fast, fast);
  let b = '';
  writeStableJson(lazy.report, (s) => (b += s), { flows: lazy.flows(), traffic: lazy.traffic() }, fast);
  assert.is(a, b);
  assert.equal(JSON.parse(a).flows, JSON.parse(stableStringify({ f: [...lazy.flows()] })).f);
});

test.run();
