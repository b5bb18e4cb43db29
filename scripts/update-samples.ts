/**
 * `npm run samples:update`: rebuilds every sample capture with the project's
 * builders, then rewrites the expected reports with the current analyser.
 * Run it after an intended change; `git diff samples/expected` is what a
 * reviewer reads (one flow or traffic row per line).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SAMPLES, analyzeArgs } from './samples.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`failed (${r.status}): node ${args.join(' ')}`);
};

for (const builder of ['scripts/make-sample.ts', 'scripts/make-ot-sample.ts', 'scripts/make-merge-sample.ts', 'scripts/make-samples.ts']) {
  if (existsSync(`${root}/${builder}`)) run(['--import', 'tsx', builder]);
}
run(['scripts/build.mjs']);
for (const s of SAMPLES) {
  if (!existsSync(`${root}/${s.capture}`)) continue;
  run(['bin/nps.js', ...analyzeArgs(s, s.expected)]);
  process.stdout.write(`${s.expected}\n`);
}
