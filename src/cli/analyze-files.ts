/**
 * Several capture files: each is analysed on its own engine (on worker
 * threads with --jobs above 1, else one after another), and the partial
 * states are folded into the main engine in the order of the files' first
 * timestamps (one sensor's rotated files, read in time order). Both ways run
 * the same code per file and fold in the same order, so the report is the
 * same whatever --jobs is.
 *
 * A single file is read straight into the main engine.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CaptureOpenError, captureSize } from '../capture/reader.js';
import type { Engine } from '../engine/engine.js';
import { absorbPartial, partialOrder, type PartialState } from '../engine/partial.js';
import type { ReportFile } from '../report/build.js';
import type { FromWorker, ToWorker } from './analyze-worker.js';
import { engineFromSpec, type EngineSpec } from './engine-setup.js';
import { InputError, UsageError } from './errors.js';
import { analyseFile, analyseFirstFile, firstTimestamp } from './file-partial.js';
import type { CliIO } from './io.js';
import { createProgress } from './progress.js';
import { readInputs } from './read-inputs.js';

/** Files whose first packet is read at the same time, to order them. */
const PEEK_CONCURRENCY = 16;

export interface AnalyzeFilesOptions {
  /** Worker threads, or 'auto' (--jobs not given): see autoJobs. */
  jobs: number | 'auto';
  maxPackets?: number;
  progress: boolean;
}

/** --jobs: a whole number from 1; 'auto' when not given. */
export function parseJobs(value: string | undefined): number | 'auto' {
  if (value === undefined) return 'auto';
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`-j/--jobs takes a whole number of worker threads above 0, not "${value}"`);
  return Number(value);
}

/**
 * Capture bytes per core below which a default run leaves one core free.
 * Every worker thread is a V8 isolate that compiles the engine for itself:
 * its first few hundred MB run on code not yet optimised, and its compiler
 * threads need a core. Measured on 2 cores (docs/PERFORMANCE.md, ninth
 * round): two files of 140 or 280 MB ran no faster with two jobs than with
 * one, two of 550 MB 3–12 % faster, two of 1 GB 1.35–1.6×.
 */
export const AUTO_BYTES_PER_JOB = 512 * 1024 * 1024;

/**
 * Jobs when --jobs is not given: one per core, or one fewer (at least one)
 * when the capture holds less than AUTO_BYTES_PER_JOB per core.
 */
export function autoJobs(totalBytes: number, cores = availableParallelism()): number {
  return totalBytes >= cores * AUTO_BYTES_PER_JOB ? cores : Math.max(1, cores - 1);
}

export async function analyseInputs(inputs: string[], engine: Engine, spec: EngineSpec, io: CliIO, opts: AnalyzeFilesOptions): Promise<ReportFile[]> {
  if (inputs.length === 1) return readInputs(inputs, engine, io, { maxPackets: opts.maxPackets, progress: opts.progress });

  const wrapOpen = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      if (e instanceof CaptureOpenError) throw new InputError(e.message);
      throw e;
    }
  };
  // Order: stdin (which can be read only once) is analysed first, its first timestamp then known.
  const stdinPartial = inputs.includes('-') ? await wrapOpen(() => analyseFile('-', engineFromSpec(spec), { maxPackets: opts.maxPackets })) : null;
  // First timestamps, several files at a time (with many small files, opening them is most of the wait).
  const entries: { path: string; index: number; firstTs: number }[] = inputs.map((path, index) => ({ path, index, firstTs: Infinity }));
  let cursor = 0;
  const peek = async (): Promise<void> => {
    while (cursor < entries.length) {
      const e = entries[cursor++]!;
      e.firstTs = e.path === '-' ? stdinPartial!.firstTs : await wrapOpen(() => firstTimestamp(e.path));
    }
  };
  await Promise.all(Array.from({ length: Math.min(PEEK_CONCURRENCY, entries.length) }, peek));
  entries.sort(partialOrder);

  const sizes = entries.map((e) => (e.path === '-' ? 0 : captureSize(e.path) ?? 0));
  const total = sizes.reduce((a, b) => a + b, 0);
  const jobs = opts.jobs === 'auto' ? autoJobs(total) : opts.jobs;
  const progress = createProgress(io.stderr, opts.progress, total, `${inputs.length} files`);
  const bytes = new Array<number>(entries.length).fill(0);
  const packets = new Array<number>(entries.length).fill(0);
  const onProgress = (k: number, b: number, p: number) => {
    bytes[k] = b;
    packets[k] = p;
    progress.update(bytes.reduce((x, y) => x + y, 0), packets.reduce((x, y) => x + y, 0));
  };

  // Partial states are folded strictly in order; one that is ready early waits (at most about one per worker).
  // The first file (unless it is stdin) is read by this thread straight into `engine` (adoptAsFirst).
  const files: ReportFile[] = [];
  const ready = new Map<number, PartialState | ReportFile>();
  let next = 0;
  const fold = (k: number, p: PartialState | ReportFile) => {
    ready.set(k, p);
    while (ready.has(next)) {
      const q = ready.get(next)!;
      ready.delete(next);
      if ('rows' in q) {
        absorbPartial(engine, q);
        files.push(q.file);
      } else files.push(q);
      // Files come in time order: rows of intervals long closed can go to the engine's spill file.
      engine.sealClosedIntervals();
      next++;
    }
  };
  const first = entries[0]!.path === '-' ? null : entries[0]!.path;
  const readFirst = async () => {
    const f = await wrapOpen(() => analyseFirstFile(first!, engine, { maxPackets: opts.maxPackets, onProgress: (b, n) => onProgress(0, b, n) }));
    fold(0, f);
  };

  try {
    const parallel = jobs > 1 && opts.maxPackets === undefined;
    if (!parallel) {
      for (let k = 0; k < entries.length; k++) {
        const e = entries[k]!;
        if (e.path === '-') {
          fold(k, stdinPartial!);
          continue;
        }
        if (k === 0) {
          await readFirst();
          continue;
        }
        const remaining = opts.maxPackets === undefined ? undefined : opts.maxPackets - engine.packets;
        if (remaining !== undefined && remaining <= 0) break;
        const p = await wrapOpen(() => analyseFile(e.path, engineFromSpec(spec), { maxPackets: remaining, onProgress: (b, n) => onProgress(k, b, n) }));
        fold(k, p);
      }
    } else {
      const rest = entries.length - (first === null ? 0 : 1);
      // This thread reads the first file too: with no more files than jobs, one worker fewer.
      const workers = Math.max(1, Math.min(entries.length <= jobs && first !== null ? jobs - 1 : jobs, rest));
      const pool = runWorkers(entries, spec, workers, stdinPartial, first !== null, fold, onProgress);
      try {
        const own = first !== null ? readFirst() : Promise.resolve();
        own.catch(() => {}); // reported through Promise.all; never left unhandled when a worker fails first
        await Promise.all([pool.done, own]);
      } finally {
        pool.terminate();
      }
    }
  } finally {
    progress.stop();
  }
  return files;
}

function workerUrl(): { url: URL; execArgv: string[] } {
  // Run from source (tests under tsx) the worker is TypeScript too.
  const fromSource = import.meta.url.endsWith('.ts');
  return {
    url: new URL(fromSource ? './analyze-worker.ts' : './analyze-worker.js', import.meta.url),
    execArgv: fromSource ? ['--import', 'tsx'] : [],
  };
}

function runWorkers(
  entries: { path: string }[],
  spec: EngineSpec,
  count: number,
  stdinPartial: PartialState | null,
  skipFirst: boolean,
  fold: (k: number, p: PartialState) => void,
  onProgress: (k: number, bytes: number, packets: number) => void,
): { done: Promise<void>; terminate: () => void } {
  const queue: number[] = [];
  entries.forEach((e, k) => {
    if (e.path === '-') fold(k, stdinPartial!);
    else if (k > 0 || !skipFirst) queue.push(k);
  });
  const { url, execArgv } = workerUrl();
  const workers: Worker[] = [];
  const finished = new Set<Worker>();
  const terminate = () => {
    for (const w of workers) {
      finished.add(w);
      void w.terminate();
    }
  };
  const done = new Promise<void>((resolve, reject) => {
    let running = 0;
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      for (const w of workers) void w.terminate();
      reject(err);
    };
    const feed = (w: Worker) => {
      const k = queue.shift();
      if (k === undefined) {
        finished.add(w);
        void w.terminate();
        if (--running === 0 && !failed) resolve();
        return;
      }
      w.postMessage({ type: 'file', index: k, path: entries[k]!.path } satisfies ToWorker);
    };
    const n = Math.min(count, queue.length);
    if (n === 0) return resolve();
    for (let i = 0; i < n; i++) {
      const w = new Worker(url, { workerData: spec, execArgv });
      workers.push(w);
      running++;
      w.on('message', (m: FromWorker) => {
        if (m.type === 'progress') onProgress(m.index, m.bytes, m.packets);
        else if (m.type === 'done') {
          try {
            fold(m.index, m.partial);
          } catch (e) {
            return fail(e as Error);
          }
          feed(w);
        } else fail(m.open ? new InputError(m.message) : new Error(`worker failed on ${entries[m.index]!.path}: ${m.message}`));
      });
      w.on('error', (e) => fail(e));
      w.on('exit', (code) => {
        if (!finished.has(w)) fail(new Error(`a worker thread of the analysis stopped early (exit code ${code})`));
      });
      feed(w);
    }
  });
  return { done, terminate };
}
