#!/usr/bin/env node
// Runs every test/**/*.test.ts file in its own Node process (TypeScript through
// tsx), two at a time, and ends with the one line CI reads:
//   "N passed, N failed" (", N skipped" when suites skipped for a missing tool).
// A file that crashes before uvu prints its totals counts as one failure.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import os from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts') || name.endsWith('.test.tsx')) out.push(p);
  }
  return out;
}

let files = walk(join(root, 'test'));
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));

function runOne(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ file, code, out }));
  });
}

let passed = 0, failed = 0, skipped = 0;
const queue = files.slice();
const workers = Math.max(1, Math.min(os.availableParallelism?.() ?? 2, 2));
const results = [];
await Promise.all(
  Array.from({ length: workers }, async () => {
    while (queue.length) {
      const f = queue.shift();
      results.push(await runOne(f));
    }
  }),
);
results.sort((a, b) => a.file.localeCompare(b.file));
for (const r of results) {
  const name = relative(root, r.file);
  const total = /Total:\s+(\d+)/.exec(r.out);
  const pass = /Passed:\s+(\d+)/.exec(r.out);
  const skips = [...r.out.matchAll(/^# skip: (.*)$/gm)];
  skipped += skips.length;
  if (!total || !pass) {
    failed += 1;
    process.stdout.write(`\n✘ ${name}: exited ${r.code} without test totals\n${r.out}\n`);
    continue;
  }
  const t = Number(total[1]), p = Number(pass[1]);
  passed += p;
  failed += t - p;
  if (t - p > 0 || r.code !== 0) {
    if (t - p === 0) failed += 1;
    process.stdout.write(`\n✘ ${name}\n${r.out}\n`);
  } else {
    process.stdout.write(`✔ ${name} (${p})${skips.length ? ' ' + skips.map((s) => '[skip: ' + s[1] + ']').join(' ') : ''}\n`);
  }
}
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exitCode = failed ? 1 : 0;
