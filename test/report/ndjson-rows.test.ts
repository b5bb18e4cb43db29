/**
 * NDJSON rows: flow and traffic rows (keys sorted, all before "type") get
 * their type appended to their own JSON; whatever the rows, each line is what
 * compactJson({ type, ...row }) prints.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ndjsonLines } from '../../src/report/ndjson.js';
import { compactJson } from '../../src/report/json.js';
import type { Report } from '../../src/report/build.js';

const report = { assets: [], flows: [], traffic: [], warnings: [], schema: 'x' } as unknown as Report;
const lines = (flows: Iterable<Record<string, unknown>>, traffic: Iterable<Record<string, unknown> | string>) => [...ndjsonLines(report, flows, traffic)].slice(1);
const expected = (rows: Record<string, unknown>[], type: string) => rows.map((r) => compactJson({ type, ...r }));

test('sorted rows, as objects and as text, with nested values', () => {
  const rows = [
    { application: 'DNS', client: '10.0.0.1', community_ids: ['1:a', '1:b'], server_port: 53 },
    { application: 'HTTP "x"\n', client: null, community_ids: [], server_port: 80 },
  ];
  assert.equal(lines(rows, []), expected(rows, 'flow'));
  assert.equal(lines([], rows.map((r) => JSON.stringify(r))), expected(rows, 'traffic'));
  assert.equal(lines([], rows), expected(rows, 'traffic'));
});

test('rows the shortcut does not fit go the general way', () => {
  // A key after "type", unsorted keys, a nested object with unsorted keys, no keys at all.
  for (const rows of [
    [{ application: 'a', vlan: 7 }, { application: 'b', vlan: 8 }],
    [{ b: 1, a: 2 }, { b: 3, a: 4 }],
    [{ a: { z: 1, b: 2 } }],
    [{}, { a: 1 }],
  ] as Record<string, unknown>[][]) {
    assert.equal(lines(rows, []), expected(rows, 'flow'), JSON.stringify(rows));
    assert.equal(lines([], rows.map((r) => JSON.stringify(r))), expected(rows, 'traffic'), JSON.stringify(rows));
  }
});

test.run();
