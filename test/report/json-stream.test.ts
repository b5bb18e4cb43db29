import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stableStringify, writeStableJson } from '../../src/report/json.js';

const docs: Record<string, unknown>[] = [
  {},
  { b: 1, a: [] },
  { z: [{ y: 1, x: [1, 2, { q: null, p: 'é"\n' }] }, { w: {} }], a: { c: 3, b: [true] }, m: 'x', u: undefined },
  // rows already in key order (the native fast path), and one with a nested object
  { rows: [{ a: 1, b: 'x\ny', c: [1, 'two', null], d: null }, { a: 2, b: '', c: [], d: 1.5 }, { a: 3, b: { z: 1, y: [] } }] },
  { rows: [{ b: 1, a: 2 }, { a: [{ c: 1 }] }, { a: undefined, b: 1 }] },
];

test('streamed JSON is byte-identical to stableStringify', () => {
  for (const d of docs) {
    let out = '';
    writeStableJson(d, (s) => (out += s));
    assert.is(out, stableStringify(d) + '\n');
  }
});

test('compact arrays: one row per line, same data', () => {
  const d = { b: [{ y: 2, x: 1 }, { a: [1, { d: 1, c: 2 }] }], a: { z: 1 } };
  let out = '';
  writeStableJson(d, (s) => (out += s), {}, new Set(['b']));
  assert.equal(JSON.parse(out), d);
  assert.ok(out.includes('\n    {"x":1,"y":2},\n    {"a":[1,{"c":2,"d":1}]}\n  ]'), out);
});

test.run();
