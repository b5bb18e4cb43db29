// Every file under ../shared/captures goes through the whole engine and the
// report in-process: no exception, a bounded time per file, and report
// invariants. Then a few checks of the built binary (bin/nps.js) on real and
// damaged files: exit codes, stdout/stderr discipline, --strict, --quiet, -c.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { readCapture } from '../../src/capture/reader.js';
import { analyzeIfCapture, type Analysis } from '../helpers/analyze.js';
import { reportSchemaErrors } from '../helpers/schema.js';
import { ensureBuilt, runBin } from '../helpers/cli-run.js';
import { haveShared, sharedCaptures, skip } from '../helpers/skip.js';
import { walkFiles } from '../helpers/real-captures.js';

/** Per-file bound for reader + engine + report (the largest shared file is ~4 MB). */
const PER_FILE_MS = 5_000;

type Row = { [k: string]: unknown };

/** Invariant violations of one report, as messages (empty when all hold). */
function checkReport(file: string, a: Analysis): string[] {
  const bad: string[] = [];
  const r = a.report;
  const cap = r.capture as Row;
  const name = relative(sharedCaptures, file);
  const readerPackets = a.files[0]!.info.packets;
  if (cap.packets !== readerPackets) bad.push(`${name}: capture.packets ${String(cap.packets)} != reader ${readerPackets}`);
  if (a.engine.packets !== readerPackets) bad.push(`${name}: engine saw ${a.engine.packets} frames, reader delivered ${readerPackets}`);
  let flowBytes = 0;
  for (const f of r.flows) {
    const cb = f.client_bytes as number;
    const sb = f.server_bytes as number;
    if (!Number.isInteger(cb) || !Number.isInteger(sb) || cb < 0 || sb < 0) bad.push(`${name}: flow bytes not counts: ${cb} ${sb}`);
    flowBytes += cb + sb;
    const fs = f.first_seen as string;
    const ls = f.last_seen as string;
    if (!(typeof fs === 'string' && typeof ls === 'string' && fs <= ls)) bad.push(`${name}: flow first_seen ${fs} > last_seen ${ls}`);
  }
  if (flowBytes > (cap.bytes as number)) bad.push(`${name}: sum of flow bytes ${flowBytes} > capture.bytes ${String(cap.bytes)}`);
  const ids = r.assets.map((x) => x.id);
  if (new Set(ids).size !== ids.length) bad.push(`${name}: duplicate asset ids`);
  for (const x of r.assets) {
    if (typeof x.first_seen === 'string' && typeof x.last_seen === 'string' && x.first_seen > x.last_seen) bad.push(`${name}: asset ${String(x.id)} first_seen > last_seen`);
  }
  try {
    const text = JSON.stringify(r);
    if (typeof text !== 'string' || JSON.parse(text).schema !== 'nps.report/v1') bad.push(`${name}: JSON round trip lost the schema`);
  } catch (e) {
    bad.push(`${name}: JSON.stringify threw ${String(e)}`);
  }
  return bad;
}

if (!haveShared()) {
  skip('../shared/captures is absent: shared engine walk and binary checks not run');
} else {
  const files = walkFiles(sharedCaptures);
  /** Files that analysed, with their packet count and whether the reader stopped on damage. */
  const analysed = new Map<string, { packets: number; damaged: boolean; format: string; gzip: boolean }>();

  test(`engine + report on all ${files.length} shared files: no throw, bounded time, invariants hold, schema-valid`, async () => {
    const bad: string[] = [];
    const slow: string[] = [];
    let captures = 0;
    let notCaptures = 0;
    const started = Date.now();
    for (const f of files) {
      const t0 = Date.now();
      let a: Analysis | null;
      try {
        a = await analyzeIfCapture(f);
      } catch (e) {
        bad.push(`${relative(sharedCaptures, f)}: threw ${(e as Error)?.stack ?? String(e)}`);
        continue;
      }
      const ms = Date.now() - t0;
      if (ms > PER_FILE_MS) slow.push(`${relative(sharedCaptures, f)}: ${ms} ms`);
      if (a === null) {
        notCaptures++;
        continue;
      }
      captures++;
      bad.push(...checkReport(f, a));
      for (const err of reportSchemaErrors(a.report)) bad.push(`${relative(sharedCaptures, f)}: schema: ${err}`);
      const info = a.files[0]!.info;
      analysed.set(f, {
        packets: info.packets,
        damaged: a.report.warnings.some((w) => w.code === 'truncated-capture'),
        format: info.format,
        gzip: info.gzip,
      });
    }
    assert.equal(bad.slice(0, 20), [], `${bad.length} problem(s)`);
    assert.equal(slow, [], 'files over the per-file time bound');
    assert.ok(captures > files.length * 0.8, `only ${captures} of ${files.length} analysed as captures`);
    // README.md at least is not a capture
    assert.ok(notCaptures >= 1, 'README.md should give CaptureOpenError');
    // About 40 s alone on the 2-core VM, 60 s beside another test file; the bound catches a
    // blow-up (a quadratic path, a hang), not a slow day of the VM.
    assert.ok(Date.now() - started < 150_000, `walk took ${Date.now() - started} ms`);
  });

  test('README.md in the shared folder gives CaptureOpenError (→ null)', async () => {
    assert.is(await analyzeIfCapture(join(sharedCaptures, 'README.md')), null);
  });

  // ---- the built binary -------------------------------------------------
  let tmp = '';
  let real = '';
  let realPackets = 0;

  test.before(() => {
    ensureBuilt();
    tmp = mkdtempSync(join(tmpdir(), 'nps-walk-'));
  });
  test.after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** A plain (not gzip) undamaged pcap with at least 20 packets, smallest first. */
  function pickReal(): void {
    if (real) return;
    const c = [...analysed]
      .filter(([, v]) => !v.damaged && !v.gzip && v.format === 'pcap' && v.packets >= 20)
      .map(([f, v]) => ({ f, v, size: statSync(f).size }))
      // zeek's traces are ordinary traffic; tcpdump's are often crafted
      .sort((x, y) => Number(!x.f.includes('/zeek/')) - Number(!y.f.includes('/zeek/')) || x.size - y.size || (x.f < y.f ? -1 : 1));
    assert.ok(c.length > 0, 'no clean shared pcap with 20+ packets');
    real = c[0]!.f;
    realPackets = c[0]!.v.packets;
  }

  test('binary: a real capture → exit 0, valid JSON report on stdout', () => {
    pickReal();
    const r = runBin(['analyze', '-f', 'json', real]);
    assert.is(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.is(doc.schema, 'nps.report/v1');
    assert.is(doc.capture.packets, realPackets);
    assert.is(doc.capture.files[0].path, real);
  });

  test('binary: default format on a pipe is JSON', () => {
    pickReal();
    const r = runBin(['analyze', real]);
    assert.is(r.status, 0, r.stderr);
    assert.is(JSON.parse(r.stdout).capture.packets, realPackets);
  });

  test('binary: README.md → exit 3, one-line stderr naming the file, nothing on stdout', () => {
    const readme = join(sharedCaptures, 'README.md');
    const r = runBin(['analyze', readme]);
    assert.is(r.status, 3);
    assert.is(r.stdout, '');
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    assert.is(lines.length, 1, r.stderr);
    assert.ok(lines[0]!.includes(readme), lines[0]);
    assert.match(lines[0]!, /not a pcap or pcapng/);
  });

  test('binary: a missing file → exit 3, message names it', () => {
    const missing = join(tmp, 'no-such-file.pcap');
    const r = runBin(['analyze', missing]);
    assert.is(r.status, 3);
    assert.is(r.stdout, '');
    assert.ok(r.stderr.includes(missing), r.stderr);
    assert.match(r.stderr, /no such file/);
  });

  test('binary: a capture cut inside its last record → exit 0 + truncated-capture warning; --strict → exit 1; --quiet → silent', async () => {
    pickReal();
    const offsets: number[] = [];
    let lastCap = 0;
    await readCapture(real, (f) => {
      offsets.push(f.fileOffset);
      lastCap = f.capLen;
    });
    assert.is(offsets.length, realPackets);
    const full = readFileSync(real);
    // inside the last record: half way through its data, or through its 16-byte header when it has none
    const cut = offsets[offsets.length - 1]! + (lastCap >= 2 ? 16 + (lastCap >> 1) : 8);
    assert.ok(cut < full.length, `${real}: last record at ${offsets[offsets.length - 1]}, file ${full.length} bytes`);
    const damaged = join(tmp, 'damaged.pcap');
    writeFileSync(damaged, full.subarray(0, cut));

    const r = runBin(['analyze', '-f', 'json', damaged]);
    assert.is(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.is(doc.capture.packets, realPackets - 1);
    assert.ok(doc.warnings.some((w: { code: string }) => w.code === 'truncated-capture'));
    assert.match(r.stderr, /warning/);
    assert.ok(r.stderr.includes(damaged), r.stderr);
    assert.ok(r.stderr.includes(`packet ${realPackets}`), r.stderr);

    const s = runBin(['analyze', '-f', 'json', '--strict', damaged]);
    assert.is(s.status, 1, s.stderr);
    assert.is(JSON.parse(s.stdout).capture.packets, realPackets - 1, 'the report is still written under --strict');
    assert.match(s.stderr, /--strict/);

    const q = runBin(['analyze', '-f', 'json', '--quiet', damaged]);
    assert.is(q.status, 0);
    assert.is(q.stderr, '');
    assert.is(JSON.parse(q.stdout).capture.packets, realPackets - 1);

    const qs = runBin(['analyze', '-f', 'json', '--quiet', '--strict', damaged]);
    assert.is(qs.status, 1);
    assert.is(qs.stderr, '');
  });

  test('binary: -f xml → exit 2, usage message, nothing on stdout', () => {
    pickReal();
    const r = runBin(['analyze', '-f', 'xml', real]);
    assert.is(r.status, 2);
    assert.is(r.stdout, '');
    assert.match(r.stderr, /-f\/--format/);
    assert.match(r.stderr, /"xml"/);
  });

  test('binary: -c 5 → capture.packets 5', () => {
    pickReal();
    const r = runBin(['analyze', '-f', 'json', '-c', '5', real]);
    assert.is(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.is(doc.capture.packets, 5);
    assert.is(doc.capture.files[0].packets, 5);
    assert.equal(doc.warnings.filter((w: { code: string }) => w.code === 'truncated-capture'), []);
  });

  test('binary: stdin (-) gives the same packet count as the file', () => {
    pickReal();
    const r = runBin(['analyze', '-f', 'json', '--deterministic', '-'], readFileSync(real));
    assert.is(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.is(doc.capture.packets, realPackets);
    assert.is(doc.capture.files[0].path, '-');
  });
}

test.run();
