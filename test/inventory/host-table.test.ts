/**
 * The address and MAC tables: least recently seen records go first when a
 * table is full, a record seen again moves to the young end, counts are of
 * records (not hash buckets), and a merged table keeps the other's age order.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AddrClass } from '../../src/config/classify.js';
import { HostTable } from '../../src/inventory/hosts.js';

const IN = AddrClass.Inventoried;
const ip = (n: number): number => (0x0a000000 + n) >>> 0;

test('hosts: a full table evicts the least recently seen eighth, not the oldest created', () => {
  const t = new HostTable({ maxHosts: 16 });
  for (let i = 0; i < 16; i++) t.touchHost(t.host4(ip(i), IN, 100 + i), 100 + i);
  // 0 and 1 are the oldest created, but 0 is seen again last.
  t.touchHost(t.host4(ip(0), IN, 200), 200);
  t.host4(ip(16), IN, 201); // full: two records (an eighth of 16) go
  assert.is(t.hostEvictions, 2);
  assert.ok(t.find4(ip(0)) !== null, 'the record seen again survives');
  assert.is(t.find4(ip(1)), null, 'the least recently seen goes first');
  assert.is(t.find4(ip(2)), null, 'and the next one');
  assert.ok(t.find4(ip(3)) !== null);
  assert.ok(t.find4(ip(16)) !== null, 'the new record is kept');
  assert.is(t.addressCount, 15);
});

test('hosts: records that share a hash bucket are counted one by one', () => {
  const t = new HostTable({ maxHosts: 4 });
  // Addresses differing only in the top two bits share a bucket.
  const a = 0x0a000001, b = 0x4a000001, c = 0x8a000001, d = 0xca000001;
  for (const [i, x] of [a, b, c, d].entries()) t.host4(x >>> 0, IN, i);
  assert.is(t.addressCount, 4);
  t.host4(ip(99), IN, 10);
  assert.is(t.hostEvictions, 1, 'the fifth record makes room');
  assert.is(t.find4(a), null, 'the oldest of the bucket went');
  for (const x of [b, c, d]) assert.ok(t.find4(x >>> 0) !== null, `${(x >>> 0).toString(16)} kept`);
  assert.is(t.addressCount, 4);
});

test('hosts: IPv4 and IPv6 records share one bound and one age order', () => {
  const t = new HostTable({ maxHosts: 8 });
  const w = (n: number): Uint32Array => Uint32Array.of(0xfd000000, 0, 0, n);
  for (let i = 0; i < 4; i++) {
    t.host4(ip(i), IN, i * 2);
    t.host6(w(i), IN, i * 2 + 1);
  }
  t.host6(w(50), IN, 20);
  assert.is(t.hostEvictions, 1);
  assert.is(t.find4(ip(0)), null, 'the oldest (IPv4) went');
  assert.ok(t.find6(w(0)) !== null);
  t.host4(ip(50), IN, 21);
  assert.is(t.find6(w(0)), null, 'then the oldest IPv6 record');
});

test('macs: a MAC seen again survives eviction', () => {
  const t = new HostTable({ maxMacs: 8 });
  for (let i = 0; i < 8; i++) t.touchMac(t.mac(0x020000000000 + i, i), i);
  t.touchMac(t.mac(0x020000000000, 9), 9);
  t.mac(0x020000000100, 10);
  assert.is(t.macEvictions, 1);
  assert.ok(t.findMac(0x020000000000) !== null, 'seen again: kept');
  assert.is(t.findMac(0x020000000001), null, 'least recently seen: evicted');
});

test('a merged table keeps the other table\'s age order for eviction', () => {
  const a = new HostTable({ maxHosts: 8 });
  const b = new HostTable({ maxHosts: 8 });
  // In b, 3 is created first but seen last; 4..7 in between.
  for (const i of [3, 4, 5, 6, 7]) {
    const h = b.host4(ip(i), IN, 100 + i);
    b.touchHost(h, 100 + i);
    h.sent = true;
  }
  b.touchHost(b.host4(ip(3), IN, 200), 200);
  a.absorbRecords({ ...b.exportRecords(), hostEvictions: 0, macEvictions: 0 });
  for (let i = 10; i < 14; i++) a.host4(ip(i), IN, 300 + i);
  assert.is(a.hostEvictions, 1);
  assert.is(a.find4(ip(4)), null, 'the least recently seen of the merged records went');
  assert.ok(a.find4(ip(3)) !== null, 'the one seen last in its file is kept');
});

test.run();
