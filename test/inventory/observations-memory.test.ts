/**
 * The observation store's compact layout (a subject's one observation or a
 * plain array of them, a by-value index only for busy subjects, a ring of
 * parallel arrays for eviction, a bucket array of subjects) keeps the
 * behaviour of the keyed layout it replaced: identical facts merge, small
 * and indexed subjects alike; MAX_PER_KIND caps each subject and kind;
 * the oldest observations go first, taking their subjects with them; and
 * values() gives the observations in insertion order.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_PER_KIND, MAX_VALUE, ObservationStore, type Observation } from '../../src/inventory/observations.js';

/** 10.0.0.0 + n as a number. */
const ip = (n: number): number => (0x0a000000 + n) >>> 0;

function only(st: ObservationStore, pred: (o: Observation) => boolean): Observation {
  const found = [...st.values()].filter(pred);
  assert.is(found.length, 1, `exactly one observation matches (got ${found.length})`);
  return found[0]!;
}

/** Subjects still chained in the store's table (private: the point of the bound). */
function linkedSubjects(st: ObservationStore): number {
  return (st as unknown as { subjectCount: number }).subjectCount;
}

test('identical facts merge on a subject with more than 16 values (indexed)', () => {
  const st = new ObservationStore();
  for (let i = 0; i < 40; i++) st.add4(ip(1), -1, false, 'server', 'tls', `sni-${i}.example`, 100 + i, null);
  assert.is(st.size, 40);
  // Repeats, out of time order, with data and macBound arriving late.
  st.add4(ip(1), -1, false, 'server', 'tls', 'sni-5.example', 50, null);
  st.add4(ip(1), -1, true, 'server', 'tls', 'sni-5.example', 500, { n: 1 });
  st.add4(ip(1), -1, false, 'server', 'tls', 'sni-5.example', 300, { n: 2 });
  st.add('10.0.0.1', -1, false, 'server', 'tls', 'sni-33.example', 7, null);
  assert.is(st.size, 40, 'repeats add nothing');
  const o = only(st, (x) => x.value === 'sni-5.example');
  assert.equal(
    { first: o.first, last: o.last, count: o.count, data: o.data, macBound: o.macBound, ip: o.ip },
    { first: 50, last: 500, count: 4, data: { n: 1 }, macBound: true, ip: '10.0.0.1' },
  );
  const p = only(st, (x) => x.value === 'sni-33.example');
  assert.equal([p.first, p.last, p.count], [7, 133, 2]);
  // Same value, another source or kind: another fact.
  st.add4(ip(1), -1, false, 'server', 'http', 'sni-5.example', 600, null);
  st.add4(ip(1), -1, false, 'hostname', 'tls', 'sni-5.example', 601, null);
  assert.is(st.size, 42);
  st.add4(ip(1), -1, false, 'server', 'http', 'sni-5.example', 602, null);
  assert.is(only(st, (x) => x.value === 'sni-5.example' && x.source === 'http').count, 2);
  // Another subject with the same value is another fact too.
  st.add4(ip(2), -1, false, 'server', 'tls', 'sni-5.example', 700, null);
  assert.is(st.size, 43);
});

test('an evicted value of a still-indexed subject comes back as a new fact', () => {
  const st = new ObservationStore(30);
  for (let i = 0; i < 30; i++) st.add4(ip(1), -1, false, 'server', 'tls', `v${i}`, i, null);
  for (let i = 0; i < 10; i++) st.add4(ip(100 + i), -1, false, 'hostname', 'dns', 'h', 1000 + i, null);
  assert.is(st.evicted, 10, 'v0..v9 went; twenty left');
  st.add4(ip(1), -1, false, 'server', 'tls', 'v3', 2000, null);
  const v3 = only(st, (x) => x.value === 'v3');
  assert.equal([v3.first, v3.last, v3.count], [2000, 2000, 1]);
  assert.is(st.evicted, 11);
  st.add4(ip(1), -1, false, 'server', 'tls', 'v20', 2001, null);
  assert.is(only(st, (x) => x.value === 'v20').count, 2);
});

test('merging still works as an indexed subject shrinks by eviction (and grows again)', () => {
  const st = new ObservationStore(30);
  for (let i = 0; i < 30; i++) st.add4(ip(1), -1, false, 'server', 'tls', `v${i}`, i, null);
  // Other subjects push out v0..v24: the busy subject is down to five.
  for (let i = 0; i < 25; i++) st.add4(ip(100 + i), -1, false, 'hostname', 'dns', 'h', 1000 + i, null);
  assert.is(st.size, 30);
  assert.is(st.evicted, 25);
  for (let i = 25; i < 30; i++) st.add4(ip(1), -1, false, 'server', 'tls', `v${i}`, 2000 + i, null);
  assert.is(st.size, 30, 'the five left still merge');
  for (let i = 25; i < 30; i++) assert.is(only(st, (x) => x.value === `v${i}`).count, 2);
  // An evicted value comes back as a new fact.
  st.add4(ip(1), -1, false, 'server', 'tls', 'v0', 3000, null);
  const v0 = only(st, (x) => x.value === 'v0');
  assert.equal([v0.first, v0.count], [3000, 1]);
  // Grow past 16 again and merge.
  for (let i = 30; i < 50; i++) st.add4(ip(1), -1, false, 'server', 'tls', `v${i}`, 4000 + i, null);
  for (let i = 30; i < 50; i++) st.add4(ip(1), -1, false, 'server', 'tls', `v${i}`, 5000 + i, null);
  assert.is(st.size, 30);
  for (let i = 30; i < 50; i++) {
    const o = only(st, (x) => x.value === `v${i}`);
    assert.equal([o.first, o.last, o.count], [4000 + i, 5000 + i, 2]);
  }
});

test('MAX_PER_KIND caps each subject and kind, counted in capped', () => {
  const st = new ObservationStore();
  for (let i = 0; i < MAX_PER_KIND + 36; i++) st.add4(ip(1), -1, false, 'server', 'tls', `s${i}`, i, null);
  assert.is(st.size, MAX_PER_KIND);
  assert.is(st.capped, 36);
  // A kept value still merges; the cap is per kind (any source) and per subject.
  st.add4(ip(1), -1, false, 'server', 'tls', 's0', 999, null);
  assert.is(only(st, (x) => x.value === 's0').count, 2);
  st.add4(ip(1), -1, false, 'server', 'http', 'other-source', 1000, null);
  assert.is(st.capped, 37, 'another source of the same kind is capped too');
  st.add4(ip(1), -1, false, 'hostname', 'dns', 'a-host', 1001, null);
  st.add4(ip(2), -1, false, 'server', 'tls', 's99', 1002, null);
  assert.is(st.size, MAX_PER_KIND + 2);
  assert.is(st.capped, 37);
  // Exactly MAX_PER_KIND of one kind and nothing else: the next one is capped.
  const one = new ObservationStore();
  for (let i = 0; i < MAX_PER_KIND; i++) one.add4(ip(3), -1, false, 'user_agent', 'http', `ua${i}`, i, null);
  one.add4(ip(3), -1, false, 'user_agent', 'http', 'one-more', 100, null);
  assert.is(one.size, MAX_PER_KIND);
  assert.is(one.capped, 1);
});

test('the cap counts each kind apart on a subject holding several', () => {
  const st = new ObservationStore();
  // The 17th observation (the first 'server') is there when the index is built.
  for (let i = 0; i < 16; i++) st.add4(ip(1), -1, false, 'hostname', 'dns', `h${i}`, i, null);
  for (let i = 0; i < MAX_PER_KIND; i++) st.add4(ip(1), -1, false, 'server', 'tls', `s${i}`, 100 + i, null);
  assert.is(st.capped, 0, `all ${MAX_PER_KIND} servers kept`);
  assert.is(st.size, 16 + MAX_PER_KIND);
  st.add4(ip(1), -1, false, 'server', 'tls', 'one-more', 500, null);
  assert.is(st.capped, 1);
  for (let i = 16; i < MAX_PER_KIND; i++) st.add4(ip(1), -1, false, 'hostname', 'dns', `h${i}`, 600 + i, null);
  assert.is(st.capped, 1, `all ${MAX_PER_KIND} hostnames kept`);
  st.add4(ip(1), -1, false, 'hostname', 'dns', 'one-more', 900, null);
  assert.is(st.capped, 2);
  assert.is(st.size, 2 * MAX_PER_KIND);
});

test('a capped subject takes new values again once eviction frees room', () => {
  const st = new ObservationStore(MAX_PER_KIND + 4);
  for (let i = 0; i < MAX_PER_KIND; i++) st.add4(ip(1), -1, false, 'server', 'tls', `s${i}`, i, null);
  st.add4(ip(1), -1, false, 'server', 'tls', 'late', 100, null);
  assert.is(st.capped, 1);
  for (let i = 0; i < 10; i++) st.add4(ip(50 + i), -1, false, 'hostname', 'dns', 'x', 200 + i, null);
  assert.is(st.evicted, 6, 's0..s5 went');
  st.add4(ip(1), -1, false, 'server', 'tls', 'late', 300, null);
  assert.is(st.capped, 1);
  assert.is(only(st, (x) => x.value === 'late').first, 300);
});

test('eviction drops the oldest, keeps the size bounded and unlinks emptied subjects', () => {
  const max = 1000;
  const st = new ObservationStore(max);
  let seed = 7;
  const addrs: number[] = [];
  for (let i = 0; i < 5000; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    addrs.push(seed);
    st.add4(seed, -1, false, 'hostname', 'dns', `h${i}`, i, null);
    assert.ok(st.size <= max);
    assert.ok(linkedSubjects(st) <= max + 1, `subjects stay bounded (${linkedSubjects(st)})`);
  }
  assert.is(st.size, max);
  assert.is(st.evicted, 4000);
  assert.is(linkedSubjects(st), max, 'one subject per kept observation');
  assert.equal(
    [...st.values()].map((o) => o.value),
    Array.from({ length: max }, (_, i) => `h${4000 + i}`),
  );
  // An evicted subject starts afresh; a kept one merges.
  st.add4(addrs[0]!, -1, false, 'hostname', 'dns', 'h0', 9000, null);
  const again = only(st, (x) => x.value === 'h0');
  assert.equal([again.first, again.count], [9000, 1]);
  assert.is(st.evicted, 4001);
  st.add4(addrs[4999]!, -1, false, 'hostname', 'dns', 'h4999', 9001, null);
  assert.is(only(st, (x) => x.value === 'h4999').count, 2);
  assert.is(st.evicted, 4001);
});

test('the subject about to receive an observation is kept while its own oldest goes', () => {
  const st = new ObservationStore(1);
  st.add4(ip(1), -1, false, 'hostname', 'dns', 'a', 1, null);
  st.add4(ip(1), -1, false, 'hostname', 'dns', 'b', 2, null);
  assert.equal([...st.values()].map((o) => [o.ip, o.value]), [['10.0.0.1', 'b']]);
  assert.is(st.evicted, 1);
  assert.is(linkedSubjects(st), 1);
  st.add4(ip(1), -1, false, 'hostname', 'dns', 'b', 3, null);
  assert.is(only(st, (x) => x.value === 'b').count, 2, 'still found after its subject emptied and refilled');
  assert.is(st.size, 1);
});

test('an identical fact merges after an older fact with the same value went', () => {
  const st = new ObservationStore(2);
  st.add4(ip(1), -1, false, 'hostname', 'dns', 'foo', 1, null);
  st.add4(ip(2), -1, false, 'hostname', 'dns', 'bar', 2, null);
  st.add4(ip(1), -1, false, 'hostname', 'mdns', 'foo', 3, null);
  st.add4(ip(1), -1, false, 'hostname', 'mdns', 'foo', 4, null);
  assert.equal(
    [...st.values()].map((o) => [o.ip, o.source, o.value, o.count, o.first, o.last]),
    [
      ['10.0.0.2', 'dns', 'bar', 1, 2, 2],
      ['10.0.0.1', 'mdns', 'foo', 2, 3, 4],
    ],
  );
  assert.is(st.size, 2);
  assert.is(st.evicted, 1);
});

test('values() yields observations in insertion order, across subjects, kinds and evictions', () => {
  const max = 40;
  const st = new ObservationStore(max);
  // The model: a fact not kept is appended, the oldest going first when full; a kept one stays where it is.
  const model: string[] = [];
  const w6 = [0x20010db8, 0, 0, 1];
  let seed = 11;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 16) % n;
  };
  let merged = 0;
  for (let i = 0; i < 400; i++) {
    const subj = rnd(7);
    const value = `v${rnd(6)}`;
    const kind = rnd(2) === 0 ? 'hostname' : 'server';
    const source = rnd(2) === 0 ? 'a' : 'b';
    if (subj === 6) st.add6(w6, -1, false, kind, source, value, i, null);
    else if (subj === 5) st.add(null, 0x0200000000aa, true, kind, source, value, i, null);
    else st.add4(ip(subj), -1, false, kind, source, value, i, null);
    const key = `${subj === 6 ? '2001:db8::1' : subj === 5 ? null : `10.0.0.${subj}`}|${kind}|${source}|${value}`;
    if (model.includes(key)) merged++;
    else {
      if (model.length >= max) model.shift();
      model.push(key);
    }
    const got = [...st.values()].map((o) => `${o.ip}|${o.kind}|${o.source}|${o.value}`);
    assert.equal(got, model, `after fact ${i}`);
  }
  assert.ok(st.evicted > 100 && merged > 50, `evictions (${st.evicted}) and merges (${merged}) happened`);
});

test('empty values keep nothing and leave no subject behind; long values are cut', () => {
  const st = new ObservationStore();
  st.add4(ip(9), -1, false, 'hostname', 'dns', '', 1, null);
  assert.is(st.size, 0);
  assert.is(linkedSubjects(st), 0);
  st.add4(ip(9), -1, false, 'hostname', 'dns', 'x', 2, null);
  st.add4(ip(9), -1, false, 'hostname', 'dns', '', 3, null);
  assert.is(st.size, 1);
  assert.is(linkedSubjects(st), 1);
  const long = 'y'.repeat(MAX_VALUE + 100);
  st.add4(ip(9), -1, false, 'banner', 'ftp', long, 4, null);
  st.add4(ip(9), -1, false, 'banner', 'ftp', long + 'z', 5, null);
  const b = only(st, (o) => o.kind === 'banner');
  assert.is(b.value, 'y'.repeat(MAX_VALUE) + '…');
  assert.is(b.count, 2);
});

test('absorb merges into small and indexed subjects and appends the rest in order', () => {
  const other = new ObservationStore();
  for (let i = 0; i < 20; i++) other.add4(ip(1), -1, false, 'server', 'tls', `s${i}`, 1000 + i, null);
  other.add4(ip(2), -1, false, 'hostname', 'dns', 'two', 1100, null);
  other.add4(ip(2), -1, false, 'hostname', 'dns', 'two', 1200, null);
  other.add4(ip(3), -1, false, 'hostname', 'dns', 'three', 1300, null);
  const st = new ObservationStore();
  for (let i = 0; i < 20; i++) st.add4(ip(1), -1, false, 'server', 'tls', `s${i * 2}`, i, null);
  st.add4(ip(2), -1, false, 'hostname', 'dns', 'two', 5, null);
  st.absorb([...other.values()].map((o) => ({ ...o })), 3, 4);
  assert.is(st.evicted, 3);
  assert.is(st.capped, 4);
  // s0, s2 .. s18 merged; s1, s3 .. s19 new; 'two' merged; 'three' new.
  assert.is(st.size, 20 + 10 + 1 + 1);
  const s2 = only(st, (o) => o.value === 's2');
  assert.equal([s2.first, s2.last, s2.count], [1, 1002, 2]);
  const s3 = only(st, (o) => o.value === 's3');
  assert.equal([s3.first, s3.last, s3.count], [1003, 1003, 1]);
  const two = only(st, (o) => o.value === 'two');
  assert.equal([two.first, two.last, two.count], [5, 1200, 3]);
  assert.equal(
    [...st.values()].slice(21).map((o) => o.value),
    ['s1', 's3', 's5', 's7', 's9', 's11', 's13', 's15', 's17', 's19', 'three'],
  );
});

test.run();
