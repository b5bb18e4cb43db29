/**
 * `npm run bench`: throughput and memory of `nps analyze` on large mixed captures.
 *
 *  1. builds the CLI (tsc -p tsconfig.build.json): the benchmark runs the
 *     built dist/, as users do;
 *  2. generates the captures with bench/make-capture.ts into bench/out/
 *     (gitignored), one per size (1× = --packets, 2× = twice as many packets
 *     over twice the capture time, same hosts); a capture is reused when it
 *     is there with the same generator version, seed and packet count (kept
 *     from an earlier run with --keep);
 *  3. runs `nps analyze -q -f json FILE` with stdout to /dev/null in a child
 *     process per capture, through a small in-memory wrapper that imports
 *     dist/cli/main.js and reports process.resourceUsage() at exit (peak RSS,
 *     CPU time), and measures the wall time from spawn to exit;
 *  4. prints packets/s, MB/s (capture file bytes, 10^6) and peak RSS per
 *     size, checks them against the goals, and writes bench/out/results.json.
 *
 * Options:
 *   --packets N   packets in the 1× capture (default 2,000,000)
 *   --sizes 1,2   capture sizes as multiples of --packets (default 1,2)
 *   --runs N      analyse each capture N times and keep the fastest (default 1)
 *   --keep        keep the captures in bench/out/ for the next run (default: delete them, they are large)
 *   --profile     also write a CPU profile of the first size (node --cpu-prof) to bench/out/profile/
 *                 and print the functions with the most self time
 *   --no-build    skip the TypeScript build (dist/ must be current)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_PPS, DEFAULT_SEED, GENERATOR_VERSION, makeCapture, type MakeCaptureResult } from './make-capture.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench', 'out');
const PROFILE_DIR = join(OUT, 'profile');

/** Goals from the issue. */
const GOAL_PPS = 1_000_000;
const GOAL_RSS_MB = 300;

interface Options {
  packets: number;
  sizes: number[];
  runs: number;
  keep: boolean;
  profile: boolean;
  build: boolean;
}

function usage(msg: string): never {
  process.stderr.write(`bench: ${msg}\nusage: npm run bench -- [--packets N] [--sizes 1,2] [--runs N] [--keep] [--profile] [--no-build]\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const o: Options = { packets: 2_000_000, sizes: [1, 2], runs: 1, keep: false, profile: false, build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string => argv[++i] ?? usage(`${a} needs a value`);
    const int = (s: string): number => {
      const n = Number(s.replace(/_/g, ''));
      if (!Number.isSafeInteger(n) || n < 1) usage(`${a}: expected a whole number above 0, got "${s}"`);
      return n;
    };
    if (a === '--packets') o.packets = int(val());
    else if (a === '--sizes') o.sizes = val().split(',').map(int);
    else if (a === '--runs') o.runs = int(val());
    else if (a === '--keep') o.keep = true;
    else if (a === '--profile') o.profile = true;
    else if (a === '--no-build') o.build = false;
    else usage(`unknown argument ${a}`);
  }
  return o;
}

// ---------------------------------------------------------------------------
// captures

interface CaptureMeta {
  generatorVersion: string;
  seed: number;
  pps: number;
  packets: number;
  fileBytes: number;
  result: MakeCaptureResult;
}

function ensureCapture(packets: number): { path: string; meta: CaptureMeta; generated: boolean } {
  const path = join(OUT, `mixed-${packets}.pcap`);
  const metaPath = `${path}.json`;
  if (existsSync(path) && existsSync(metaPath)) {
    try {
      const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as CaptureMeta;
      if (
        meta.generatorVersion === GENERATOR_VERSION &&
        meta.seed === DEFAULT_SEED &&
        meta.pps === DEFAULT_PPS &&
        meta.packets === packets &&
        statSync(path).size === meta.fileBytes
      ) {
        process.stderr.write(`bench: reusing ${rel(path)} (generator ${GENERATOR_VERSION})\n`);
        return { path, meta, generated: false };
      }
    } catch {
      // regenerate
    }
  }
  process.stderr.write(`bench: generating ${rel(path)} (${packets.toLocaleString('en-US')} packets)\n`);
  rmSync(metaPath, { force: true });
  const result = makeCapture(path, {
    packets,
    seed: DEFAULT_SEED,
    pps: DEFAULT_PPS,
    onProgress: (p, b, s) => process.stderr.write(`  ${p.toLocaleString('en-US').padStart(11)} packets  ${(b / 1e6).toFixed(0).padStart(6)} MB  ${(s / 60).toFixed(1).padStart(6)} min of traffic\n`),
  });
  process.stderr.write(
    `bench: ${rel(path)}: ${result.packets.toLocaleString('en-US')} packets, ${mb(result.fileBytes)} MB, average frame ${(result.wireBytes / result.packets).toFixed(0)} B, ` +
      `${((result.lastUs - result.firstUs) / 60e6).toFixed(1)} min of traffic, generated in ${result.seconds.toFixed(1)} s\n`,
  );
  const meta: CaptureMeta = { generatorVersion: GENERATOR_VERSION, seed: DEFAULT_SEED, pps: DEFAULT_PPS, packets, fileBytes: result.fileBytes, result };
  writeFileSync(metaPath, JSON.stringify(meta, null, 2) + '\n');
  return { path, meta, generated: true };
}

// ---------------------------------------------------------------------------
// measurement

interface Measurement {
  exitCode: number;
  wallSeconds: number;
  /** Time inside main() (without node startup), seconds. */
  mainSeconds: number;
  maxRssKiB: number;
  userSeconds: number;
  systemSeconds: number;
}

/**
 * Runs the built CLI in a child. The wrapper is given with -e so that no
 * file is needed; it reports at exit, so peak RSS covers report building and
 * writing too.
 */
function wrapperSource(): string {
  const mainUrl = pathToFileURL(join(ROOT, 'dist', 'cli', 'main.js')).href;
  return `
const t0 = performance.now();
const { main } = await import(${JSON.stringify(mainUrl)});
let code = 70;
let ms = 0;
process.on('exit', () => {
  const ru = process.resourceUsage();
  process.stderr.write('\\n@@bench ' + JSON.stringify({ code, ms, maxRssKiB: ru.maxRSS, userUs: ru.userCPUTime, systemUs: ru.systemCPUTime }) + '\\n');
});
code = await main(process.argv.slice(1));
ms = performance.now() - t0;
process.exitCode = code;
`;
}

function measure(file: string, profile: boolean): Promise<Measurement> {
  const nodeArgs = ['--input-type=module'];
  if (profile) {
    mkdirSync(PROFILE_DIR, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`);
  }
  // Output goes to stdout, which is /dev/null ('ignore'), not to -o /dev/null: the CLI writes -o files
  // through a temporary file and a rename, which must not happen next to /dev/null.
  const args = [...nodeArgs, '-e', wrapperSource(), '--', 'analyze', '-q', '-f', 'json', file];
  return new Promise((resolvePromise, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (status) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const m = /@@bench (\{.*\})/.exec(err);
      const other = err.replace(/\n?@@bench \{.*\}\n?/, '').trim();
      if (other) process.stderr.write(`${other}\n`);
      if (!m) {
        reject(new Error(`nps analyze exited with ${status} without reporting`));
        return;
      }
      const r = JSON.parse(m[1]!) as { code: number; ms: number; maxRssKiB: number; userUs: number; systemUs: number };
      resolvePromise({ exitCode: r.code, wallSeconds: wall, mainSeconds: r.ms / 1000, maxRssKiB: r.maxRssKiB, userSeconds: r.userUs / 1e6, systemSeconds: r.systemUs / 1e6 });
    });
  });
}

// ---------------------------------------------------------------------------
// profile summary

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Self time per function (name + file + line) from a .cpuprofile. */
function summariseProfile(path: string, top = 15): Array<{ fn: string; where: string; ms: number; pct: number }> {
  const p = JSON.parse(readFileSync(path, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map<number, ProfileNode>();
  for (const n of p.nodes) byId.set(n.id, n);
  const self = new Map<string, { fn: string; where: string; us: number }>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i]!);
    // timeDeltas[i] is the time before sample i; attribute the next delta to this sample.
    const dt = p.timeDeltas[i + 1] ?? 0;
    if (!node) continue;
    const cf = node.callFrame;
    if (cf.functionName === '(idle)') continue;
    const file = cf.url ? cf.url.replace(pathToFileURL(ROOT).href + '/', '').replace(/^node:/, 'node:') : '';
    const where = file ? `${file}:${cf.lineNumber + 1}` : '';
    const fn = cf.functionName || '(anonymous)';
    const key = `${fn}@${where}`;
    const e = self.get(key) ?? { fn, where, us: 0 };
    e.us += dt;
    self.set(key, e);
    total += dt;
  }
  return [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ fn: e.fn, where: e.where, ms: e.us / 1000, pct: (100 * e.us) / Math.max(1, total) }));
}

// ---------------------------------------------------------------------------
// output

function rel(p: string): string {
  return p.startsWith(ROOT + '/') ? p.slice(ROOT.length + 1) : p;
}
function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}
function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function machine(): { cpu: string; cores: number; node: string } {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1]!.trim();
  } catch {
    // not Linux
  }
  const nproc = spawnSync('nproc', { encoding: 'utf8' });
  const cores = nproc.status === 0 ? Number(nproc.stdout.trim()) : cpus().length;
  return { cpu, cores, node: process.version };
}

interface Row {
  size: number;
  capture: string;
  packets: number;
  fileBytes: number;
  wireBytes: number;
  trafficMinutes: number;
  generationSeconds: number | null;
  seconds: number;
  mainSeconds: number;
  cpuSeconds: number;
  pps: number;
  mbps: number;
  peakRssMB: number;
  exitCode: number;
  /** Packets and bytes per kind of traffic in the capture. */
  mix: MakeCaptureResult['kinds'];
}

async function run(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  mkdirSync(OUT, { recursive: true });
  if (o.build) {
    process.stderr.write('bench: building (tsc -p tsconfig.build.json)\n');
    const b = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) {
      process.stderr.write('bench: the build failed\n');
      return 1;
    }
  }
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
    process.stderr.write('bench: dist/cli/main.js is missing: run without --no-build\n');
    return 1;
  }
  const m = machine();
  process.stderr.write(`bench: ${m.cpu}, ${m.cores} cores, node ${m.node}\n`);

  const rows: Row[] = [];
  let profileSummary: ReturnType<typeof summariseProfile> | null = null;
  for (const [idx, size] of o.sizes.entries()) {
    const packets = size * o.packets;
    const cap = ensureCapture(packets);
    let best: Measurement | null = null;
    for (let r = 0; r < o.runs; r++) {
      process.stderr.write(`bench: nps analyze ${rel(cap.path)}${o.runs > 1 ? ` (run ${r + 1}/${o.runs})` : ''}\n`);
      const res = await measure(cap.path, false);
      if (res.exitCode !== 0) process.stderr.write(`bench: nps analyze exited with ${res.exitCode}\n`);
      if (best === null || res.wallSeconds < best.wallSeconds) best = res;
    }
    if (o.profile && idx === 0) {
      rmSync(PROFILE_DIR, { recursive: true, force: true });
      process.stderr.write(`bench: profiling nps analyze ${rel(cap.path)}\n`);
      await measure(cap.path, true);
      const prof = readdirSync(PROFILE_DIR).filter((f) => f.endsWith('.cpuprofile'));
      if (prof.length > 0) profileSummary = summariseProfile(join(PROFILE_DIR, prof[0]!));
    }
    const b = best!;
    const res = cap.meta.result;
    rows.push({
      size,
      capture: rel(cap.path),
      packets: res.packets,
      fileBytes: res.fileBytes,
      wireBytes: res.wireBytes,
      trafficMinutes: (res.lastUs - res.firstUs) / 60e6,
      generationSeconds: cap.generated ? res.seconds : null,
      seconds: b.wallSeconds,
      mainSeconds: b.mainSeconds,
      cpuSeconds: b.userSeconds + b.systemSeconds,
      pps: res.packets / b.wallSeconds,
      mbps: res.fileBytes / 1e6 / b.wallSeconds,
      peakRssMB: (b.maxRssKiB * 1024) / 1e6,
      exitCode: b.exitCode,
      mix: res.kinds,
    });
    if (!o.keep) {
      rmSync(cap.path, { force: true });
      rmSync(`${cap.path}.json`, { force: true });
    }
  }

  // Table.
  const head = ['capture', 'packets', 'MB', 'seconds', 'packets/s', 'MB/s', 'peak RSS MB'];
  const body = rows.map((r) => [`${r.size}×`, fmtInt(r.packets), mb(r.fileBytes), r.seconds.toFixed(2), fmtInt(r.pps), r.mbps.toFixed(0), r.peakRssMB.toFixed(0)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out: string[] = ['', line(head), ...body.map(line), ''];
  for (const r of rows) {
    out.push(
      `${r.size}×: ${r.capture}, ${r.trafficMinutes.toFixed(0)} min of traffic, average frame ${(r.wireBytes / r.packets).toFixed(0)} B; ` +
        `main() ${r.mainSeconds.toFixed(2)} s, CPU ${r.cpuSeconds.toFixed(2)} s` +
        (r.generationSeconds !== null ? `; generated in ${r.generationSeconds.toFixed(1)} s` : ''),
    );
  }
  const minPps = Math.min(...rows.map((r) => r.pps));
  const maxRss = Math.max(...rows.map((r) => r.peakRssMB));
  out.push('');
  out.push(`goal ≥ ${fmtInt(GOAL_PPS)} packets/s: ${minPps >= GOAL_PPS ? 'met' : 'NOT met'} (slowest ${fmtInt(minPps)})`);
  out.push(`goal peak RSS < ${GOAL_RSS_MB} MB: ${maxRss < GOAL_RSS_MB ? 'met' : 'NOT met'} (largest ${maxRss.toFixed(0)} MB)`);
  if (rows.length >= 2) {
    const a = rows[0]!;
    const z = rows[rows.length - 1]!;
    const growth = (100 * (z.peakRssMB - a.peakRssMB)) / a.peakRssMB;
    out.push(`peak RSS ${a.size}× → ${z.size}×: ${a.peakRssMB.toFixed(0)} → ${z.peakRssMB.toFixed(0)} MB (${growth >= 0 ? '+' : ''}${growth.toFixed(0)} %)`);
  }
  if (profileSummary) {
    out.push('', `CPU profile (${rel(PROFILE_DIR)}), top self time:`);
    for (const p of profileSummary) out.push(`  ${p.pct.toFixed(1).padStart(5)} %  ${p.ms.toFixed(0).padStart(6)} ms  ${p.fn}  ${p.where}`);
  }
  process.stdout.write(out.join('\n') + '\n');

  writeFileSync(join(OUT, 'results.json'), JSON.stringify({ machine: m, generatorVersion: GENERATOR_VERSION, options: o, rows, profile: profileSummary }, null, 2) + '\n');
  return rows.every((r) => r.exitCode === 0) ? 0 : 1;
}

process.exitCode = await run();
