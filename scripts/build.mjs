/**
 * `npm run build`: compiles src/ with tsc (type-checked, into dist/), then
 * bundles the compiled CLI into dist/nps/ with esbuild, which is what
 * bin/nps.js runs. Node loads an ES module per file, and with some 110 of
 * them a run on a small capture spent about a quarter of its time loading;
 * one bundle (split into a shared chunk plus the lazily imported commands
 * and the analysis worker) removes most of that. Libraries stay in
 * node_modules. dist/nps/ sits at the same depth as dist/cli/, so paths
 * relative to a module (../../package.json, ../../docs/) hold in both.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

rmSync(`${root}dist/nps`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  // The analysis worker is loaded by URL (cli/analyze-files.ts): its own entry, next to the chunks that import it.
  entryPoints: ['dist/cli/main.js', 'dist/cli/analyze-worker.js'],
  outdir: 'dist/nps',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
