import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stableStringify, writeStableJson } from '../../src/report/json.js';

const docs: Record<string, unknown>[] = [
  {},
  { b: 1, a: [] },
  { z: [{ y: 1, x: [1, 2, { q: null, p: 'é"\n' }] }, { w: {} }], a: { c: 3, b: [true] }, m: 'x', u: undefined },
];

test('streamed JSON is byte-identical to stableStringify', () => {
  for (const d of docs) {
    let out = '';
    writeStableJson(d, (s) => (out += s));
    assert.is(out, stableStringify(d) + '\n');
  }
});

test.run();
