/**
 * `nps analyze -j N` over several files: byte-identical --deterministic JSON
 * whatever N and whatever the order the files are named in; directories and
 * quoted patterns as inputs; the errors they can give.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ensureBuilt, runBin } from '../helpers/cli-run.js';
import { projectRoot } from '../helpers/skip.js';
import { AUTO_BYTES_PER_JOB, autoJobs, parseJobs } from '../../src/cli/analyze-files.js';

ensureBuilt();
const NAMES = ['office.pcapng', 'messy.pcap', 'small-office.pcapng', 'ot-cell.pcapng', 'branch-erspan.pcap'];
const SAMPLES = NAMES.map((f) => join(projectRoot, 'samples', f));
let tmp = '';
test.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'nps-jobs-'));
});
test.after(() => rmSync(tmp, { recursive: true, force: true }));

function analyze(args: string[]): string {
  const r = runBin(['analyze', '-q', '--deterministic', '-f', 'json', ...args]);
  assert.is(r.status, 0, r.stderr);
  return r.stdout;
}

test('--jobs 1, 2 and 4 give byte-identical reports, in any argument order', () => {
  const sequential = analyze(['-j', '1', ...SAMPLES]);
  const report = JSON.parse(sequential);
  assert.is(report.capture.files.length, 5);
  assert.ok(report.assets.length > 30);
  assert.is(analyze(['-j', '2', ...SAMPLES]), sequential);
  assert.is(analyze(['--jobs', '4', ...SAMPLES]), sequential);
  assert.is(analyze(['-j', '3', ...[...SAMPLES].reverse()]), sequential);
  // Files are folded in the order of their first packets, not of the arguments.
  const firsts = report.capture.files.map((f: { path: string }) => f.path);
  assert.equal([...firsts].sort(), [...SAMPLES].sort());
  const times = report.capture.files.map((f: { path: string }) => JSON.parse(analyze([f.path])).capture.first_ts);
  assert.equal([...times].sort(), times, 'files in the order of their first timestamps');
});

test('a directory: every capture under it (by content), other files skipped', () => {
  const dir = join(tmp, 'sensor');
  mkdirSync(join(dir, 'day2'), { recursive: true });
  copyFileSync(SAMPLES[0]!, join(dir, 'a.pcapng'));
  copyFileSync(SAMPLES[1]!, join(dir, 'day2', 'b.cap'));
  writeFileSync(join(dir, 'README.txt'), 'not a capture\n');
  const fromDir = JSON.parse(analyze(['-j', '2', dir]));
  assert.equal(
    fromDir.capture.files.map((f: { path: string }) => f.path).sort(),
    [join(dir, 'a.pcapng'), join(dir, 'day2', 'b.cap')].sort(),
  );
  const named = JSON.parse(analyze([join(dir, 'a.pcapng'), join(dir, 'day2', 'b.cap')]));
  assert.equal(fromDir.assets, named.assets);
  assert.equal(fromDir.flows, named.flows);
});

test('a quoted pattern is matched by nps', () => {
  const dir = join(tmp, 'glob');
  mkdirSync(join(dir, 'x'), { recursive: true });
  copyFileSync(SAMPLES[0]!, join(dir, 'one.pcapng'));
  copyFileSync(SAMPLES[2]!, join(dir, 'x', 'two.pcapng'));
  copyFileSync(SAMPLES[1]!, join(dir, 'three.pcap'));
  const star = JSON.parse(analyze([join(dir, '*.pcapng')]));
  assert.equal(star.capture.files.map((f: { path: string }) => f.path), [join(dir, 'one.pcapng')]);
  const deep = JSON.parse(analyze(['-j', '2', join(dir, '**', '*.pcap*')]));
  assert.is(deep.capture.files.length, 3);
});

test('errors: an empty directory, a pattern matching nothing, a bad --jobs', () => {
  const empty = join(tmp, 'empty');
  mkdirSync(empty, { recursive: true });
  writeFileSync(join(empty, 'notes.txt'), 'hello\n');
  let r = runBin(['analyze', '-q', empty]);
  assert.is(r.status, 3);
  assert.match(r.stderr, /holds no capture files/);
  r = runBin(['analyze', '-q', join(tmp, 'nothing-*.pcap')]);
  assert.is(r.status, 3);
  assert.match(r.stderr, /no file matches/);
  r = runBin(['analyze', '-q', '-j', '0', SAMPLES[0]!]);
  assert.is(r.status, 2);
  assert.match(r.stderr, /--jobs/);
  // A file that is not a capture among several: exit 3, named.
  r = runBin(['analyze', '-q', '-j', '2', SAMPLES[0]!, join(empty, 'notes.txt')]);
  assert.is(r.status, 3);
  assert.match(r.stderr, /notes\.txt/);
});

test('without --jobs: one engine per core, one fewer under AUTO_BYTES_PER_JOB of capture per core', () => {
  assert.is(parseJobs(undefined), 'auto');
  assert.is(parseJobs('3'), 3);
  assert.is(autoJobs(0, 1), 1);
  assert.is(autoJobs(0, 2), 1);
  assert.is(autoJobs(2 * AUTO_BYTES_PER_JOB - 1, 2), 1);
  assert.is(autoJobs(2 * AUTO_BYTES_PER_JOB, 2), 2);
  assert.is(autoJobs(0, 8), 7);
  assert.is(autoJobs(8 * AUTO_BYTES_PER_JOB, 8), 8);
  assert.is(autoJobs(100 * AUTO_BYTES_PER_JOB, 1), 1);
  // The samples are small: without -j they are read one after another, with the same report.
  assert.is(analyze(SAMPLES), analyze(['-j', '2', ...SAMPLES]));
});

test('-c with several files counts over all of them', () => {
  const r = JSON.parse(analyze(['-j', '2', '-c', '150', SAMPLES[0]!, SAMPLES[2]!]));
  assert.is(r.capture.packets, 150);
});

test.run();
