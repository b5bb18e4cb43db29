/**
 * The durable spool: names that sort in send order across runs, keys known
 * without reading bodies, temp files ignored and cleaned, fsync of file and
 * directory, and the size bound dropping the oldest first.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Spool, type SpoolEntry } from '../../src/push/spool.js';
import { idempotencyKey, PUSH_SCHEMA, type PushDocument } from '../../src/push/types.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'nps-spool-'));
  dirs.push(d);
  return d;
}

function doc(seq: number, sensor = 'sensor-a', pad = 0): PushDocument {
  const start = new Date(Date.UTC(2026, 0, 14, 6, 0, 0) + seq * 300_000).toISOString();
  const end = new Date(Date.UTC(2026, 0, 14, 6, 5, 0) + seq * 300_000).toISOString();
  return {
    schema: PUSH_SCHEMA,
    generator: { name: 'nps', version: '0.0.0' },
    sensor: { name: sensor, network: 'lab' },
    sequence: seq,
    idempotency_key: idempotencyKey(sensor, start, end, seq),
    interval: { start, end },
    final: false,
    new_assets: pad ? [{ id: 'x', blob: randomText(pad) }] : [],
    changed_assets: [],
    removed_assets: [],
    flows: [],
  };
}

/** Incompressible text, so that gzip sizes are predictable. */
function randomText(n: number): string {
  let s = '';
  while (s.length < n) s += Math.random().toString(36).slice(2);
  return s.slice(0, n);
}

test('add: gzip JSON in place, names sort in order, keys round-trip, no temp left', () => {
  const dir = tempDir();
  const s = new Spool(dir);
  const a = s.add(doc(1));
  const b = s.add(doc(2));
  assert.is(a.name.slice(0, 12), '000000000001');
  assert.is(b.name.slice(0, 12), '000000000002');
  assert.ok(a.name.endsWith('.push.gz'));
  assert.ok(a.name < b.name);
  assert.is(a.key, doc(1).idempotency_key);
  assert.equal(JSON.parse(gunzipSync(s.read(a)).toString()), doc(1));
  assert.is(s.read(a).length, a.bytes);
  assert.is(s.totalBytes(), a.bytes + b.bytes);
  assert.equal(s.list().map((e) => e.name), [a.name, b.name]);
  assert.equal(readdirSync(dir).filter((n) => n.startsWith('.tmp-')), []);
  s.remove(a);
  assert.equal(s.list().map((e) => e.name), [b.name]);
  assert.is(s.totalBytes(), b.bytes);
  s.remove(a); // already gone: no error
});

test('restart: a new Spool lists the old entries in order with their keys, and the counter continues', () => {
  const dir = tempDir();
  const s1 = new Spool(dir);
  const keys = [1, 2, 3].map((i) => s1.add(doc(i, 'odd name/with:chars %!*')).key);
  s1.remove(s1.list()[0]!);
  const s2 = new Spool(dir);
  assert.equal(s2.list().map((e) => e.key), keys.slice(1));
  assert.equal(s2.list().map((e) => e.seq), [2, 3]);
  const c = s2.add(doc(4));
  assert.is(c.seq, 4);
  assert.equal(new Spool(dir).list().map((e) => e.seq), [2, 3, 4]);
});

test('a key too long for a file name goes into a sidecar, known after a restart', () => {
  const dir = tempDir();
  const s = new Spool(dir);
  const long = 'sensor-' + 'ü'.repeat(200);
  const e = s.add(doc(1, long));
  assert.ok(Buffer.byteLength(e.name) < 255);
  assert.is(e.name, '000000000001.push.gz');
  assert.ok(readdirSync(dir).includes('000000000001.key'));
  const e2 = s.add(doc(2));
  const again = new Spool(dir).list();
  assert.equal(again.map((x) => x.key), [doc(1, long).idempotency_key, e2.key]);
  s.remove(e);
  assert.equal(readdirSync(dir).sort(), [e2.name]);
});

test('temp files: ignored by list() and cleaned at startup when their process is gone; orphan sidecars removed', () => {
  const dir = tempDir();
  const s = new Spool(dir);
  s.add(doc(1));
  // A write that crashed (pid that cannot exist), one of a live other process, and a sidecar without its document.
  writeFileSync(join(dir, '.tmp-999999999-1'), 'partial');
  writeFileSync(join(dir, `.tmp-${process.ppid}-7`), 'in progress');
  writeFileSync(join(dir, '000000000009.key'), 'k');
  writeFileSync(join(dir, 'README'), 'not ours');
  const s2 = new Spool(dir);
  assert.equal(s2.list().map((e) => e.seq), [1]);
  const names = readdirSync(dir);
  assert.not.ok(names.includes('.tmp-999999999-1'));
  assert.ok(names.includes(`.tmp-${process.ppid}-7`), "a live process's temp file is left alone");
  assert.not.ok(names.includes('000000000009.key'));
  assert.ok(names.includes('README'));
  // The counter continues past the orphan sidecar's number, so it can never be mistaken for a new entry's.
  assert.is(s2.add(doc(2)).seq, 10);
});

test('fsync: the file and then the directory are fsynced on every add', () => {
  const dir = tempDir();
  const s = new Spool(dir);
  const orig = fs.fsyncSync;
  const kinds: string[] = [];
  fs.fsyncSync = (fd: number) => {
    kinds.push(fs.fstatSync(fd).isDirectory() ? 'dir' : 'file');
    return orig(fd);
  };
  try {
    s.add(doc(1));
  } finally {
    fs.fsyncSync = orig;
  }
  assert.equal(kinds, ['file', 'dir']);
});

test('bound: over maxBytes the oldest entries are dropped first (onDrop for each); the newest is always kept', () => {
  const dir = tempDir();
  const dropped: SpoolEntry[] = [];
  const probe = new Spool(tempDir()).add(doc(0, 'sensor-a', 4000)).bytes;
  const s = new Spool(dir, { maxBytes: probe * 3 + probe / 2, onDrop: (e) => dropped.push(e) });
  const listened: number[] = [];
  s.onDropped((e) => listened.push(e.seq));
  for (let i = 1; i <= 5; i++) s.add(doc(i, 'sensor-a', 4000));
  assert.equal(dropped.map((e) => e.seq), [1, 2]);
  assert.equal(listened, [1, 2]);
  assert.equal(s.list().map((e) => e.seq), [3, 4, 5]);
  assert.ok(s.totalBytes() <= probe * 3 + probe / 2);
  assert.equal(new Spool(dir).list().map((e) => e.seq), [3, 4, 5]);
  // One document larger than the bound on its own: kept (the endpoint decides), the rest dropped.
  const big = s.add(doc(6, 'sensor-a', 20000));
  assert.equal(s.list().map((e) => e.seq), [big.seq]);
});

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test.run();
