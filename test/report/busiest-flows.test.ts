/**
 * The default table's busiest flows, chosen while the rows stream by
 * (busiestFlows): the same rows, in the same order, as sorting them all.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { busiestFlows } from '../../src/report/table.js';

type Row = { id: number; client_bytes: number; server_bytes: number };

function bySorting(rows: Row[], n: number): Row[] {
  return [...rows].sort((x, y) => y.client_bytes + y.server_bytes - (x.client_bytes + x.server_bytes)).slice(0, n);
}

test('the n busiest, ties in arrival order, as a stable sort of all the rows gives', () => {
  let x = 99;
  const rnd = (m: number) => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) % m;
  for (const [count, spread] of [[0, 5], [1, 5], [24, 3], [25, 3], [26, 3], [1000, 4], [1000, 1000], [5000, 50]] as const) {
    const rows: Row[] = Array.from({ length: count }, (_, id) => ({ id, client_bytes: rnd(spread), server_bytes: rnd(spread) }));
    for (const n of [0, 1, 25, 100]) {
      const got = busiestFlows(rows, n);
      assert.is(got.count, count);
      assert.equal(got.top.map((r) => r.id), bySorting(rows, n).map((r) => r.id), `${count} rows (bytes < ${2 * spread}), ${n} kept`);
    }
  }
});

test('reads the rows once, from any iterable', () => {
  let made = 0;
  function* rows(): Generator<Row> {
    for (let id = 0; id < 300; id++) {
      made++;
      yield { id, client_bytes: id % 7, server_bytes: 0 };
    }
  }
  const got = busiestFlows(rows(), 3);
  assert.is(made, 300);
  assert.is(got.count, 300);
  assert.equal(got.top.map((r) => r.id), [6, 13, 20]);
});

test.run();
