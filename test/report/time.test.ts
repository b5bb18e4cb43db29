import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isoUs } from '../../src/report/time.js';

test('isoUs agrees with Date for many instants, with microseconds', () => {
  let x = 123456789;
  for (let i = 0; i < 20000; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const ms = (x % 2_000_000) * 1_000_000 + (x % 997) - 2e11; // 1963 .. 2033
    const us = ms * 1000 + (x % 1000);
    const want = new Date(ms).toISOString().slice(0, 19) + '.' + String(((us % 1e6) + 1e6) % 1e6).padStart(6, '0') + 'Z';
    assert.is(isoUs(us), want);
  }
});

test('isoUs: leap day, epoch, before the epoch, clamps', () => {
  assert.is(isoUs(Date.UTC(2024, 1, 29, 23, 59, 59) * 1000 + 999999), '2024-02-29T23:59:59.999999Z');
  assert.is(isoUs(0), '1970-01-01T00:00:00.000000Z');
  assert.is(isoUs(-1), '1969-12-31T23:59:59.999999Z');
  assert.is(isoUs(8.7e18), '9999-12-31T23:59:59.000000Z');
  assert.is(isoUs(-1e20), '0001-01-01T00:00:00.000000Z');
  assert.is(isoUs(NaN), '1970-01-01T00:00:00.000000Z');
});

test.run();
