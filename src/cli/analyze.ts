/** `nps analyze <capture...>`: offline analysis of pcap/pcapng files or stdin. */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { writeCsv } from '../report/csv.js';
import { CaptureOpenError, captureSize, readCapture } from '../capture/reader.js';
import type { Classifier } from '../config/classify.js';
import { ConfigClassifier } from '../config/classifier.js';
import { loadConfig, parseRange } from '../config/load.js';
import type { AddressRange, LoadedConfig, NpsConfig } from '../config/types.js';
import { Engine } from '../engine/engine.js';
import { buildLazyReport, type Json, type LazyReport, type ReportFile } from '../report/build.js';
import { writeStableJson } from '../report/json.js';
import { ndjsonLines } from '../report/ndjson.js';
import { renderTable } from '../report/table.js';
import { CliError, EXIT_FAILURE, InputError, UsageError } from './errors.js';
import { colorFor, type CliIO } from './io.js';
import { createProgress } from './progress.js';
import { GENERATOR } from './version.js';

export type Format = 'table' | 'json' | 'ndjson' | 'csv';
export const FORMATS: Format[] = ['table', 'json', 'ndjson', 'csv'];
export const VIEWS = ['assets', 'flows', 'traffic'] as const;
export type View = (typeof VIEWS)[number];

export function parseView(value: string | undefined): View | undefined {
  if (value === undefined) return undefined;
  if (!(VIEWS as readonly string[]).includes(value)) throw new UsageError(`--view must be one of ${VIEWS.join(', ')}, not "${value}"`);
  return value as View;
}

export interface AnalyzeOptions {
  read?: string[];
  format?: string;
  output?: string;
  count?: string;
  quiet?: boolean;
  deterministic?: boolean;
  strict?: boolean;
  internal?: string[];
  config?: string;
  view?: string;
  progress?: boolean;
}

export function parseCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`-c/--count takes a whole number of packets above 0, not "${value}"`);
  return Number(value);
}

export function parseFormat(value: string | undefined, stdout: { isTTY?: boolean }, output?: string): Format {
  if (value === undefined) return stdout.isTTY && !output ? 'table' : 'json';
  if (!(FORMATS as string[]).includes(value)) throw new UsageError(`-f/--format must be one of ${FORMATS.join(', ')}, not "${value}"`);
  return value as Format;
}

/**
 * The configuration's classifier; `--internal` replaces its internal groups
 * with one inventoried group of the given ranges ("all": every address).
 */
export function classifierFrom(loaded: LoadedConfig, internal: string[] | undefined): Classifier {
  if (!internal || internal.length === 0) return new ConfigClassifier(loaded.config);
  const items = internal.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const texts = items.length === 1 && items[0] === 'all' ? ['0.0.0.0/0', '::/0'] : items;
  const ranges: AddressRange[] = [];
  for (const item of texts) {
    const r = parseRange(item);
    if (r === null) throw new UsageError(`--internal: "${item}" is not an address range; give CIDR blocks such as 10.0.0.0/8 or fd00::/8, first-last ranges, or "all"`);
    ranges.push(r);
  }
  const config: NpsConfig = { ...loaded.config, internal: [{ name: 'command-line', ranges, inventory: true, assignment: 'dhcp' }] };
  return new ConfigClassifier(config);
}

/** Runs the analysis; returns the exit code. */
export async function runAnalyze(captures: string[], opts: AnalyzeOptions, io: CliIO): Promise<number> {
  const inputs = [...captures, ...(opts.read ?? [])];
  if (inputs.length === 0) throw new UsageError('no capture given: nps analyze <capture.pcap...> (use - for stdin)');
  if (inputs.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  const format = parseFormat(opts.format, io.stdout, opts.output);
  const maxPackets = parseCount(opts.count);
  const view = parseView(opts.view);
  if (view !== undefined && (format === 'json' || format === 'ndjson')) {
    throw new UsageError(`--view applies to -f table and -f csv; ${format} always holds every view`);
  }
  const loaded = loadConfig({ path: opts.config, cwd: process.cwd() });
  const classifier = classifierFrom(loaded, opts.internal);
  const quiet = opts.quiet === true;
  const warnColor = colorFor(io.stderr, io.env);

  const engine = new Engine({ classifier });
  const files: ReportFile[] = [];
  for (const path of inputs) {
    const remaining = maxPackets === undefined ? undefined : maxPackets - engine.packets;
    if (remaining !== undefined && remaining <= 0) break;
    const progress = createProgress(io.stderr, !quiet && opts.progress !== false, captureSize(path), path === '-' ? 'stdin' : path);
    let lastUpdate = 0;
    try {
      const info = await readCapture(path, (f) => engine.frame(f), {
        maxPackets: remaining,
        onProgress: (bytes) => {
          const now = Date.now();
          if (now - lastUpdate >= 100) {
            lastUpdate = now;
            progress.update(bytes, engine.packets);
          }
        },
      });
      files.push({ path, info });
      engine.addProblems(path, info.problems);
    } catch (e) {
      if (e instanceof CaptureOpenError) throw new InputError(e.message);
      throw e;
    } finally {
      progress.stop();
    }
  }

  const lazy = buildLazyReport(engine, files, {
    generator: GENERATOR,
    deterministic: opts.deterministic,
    sensor: { name: loaded.config.sensor.name, network: loaded.config.sensor.network },
    config: { path: loaded.path, sha256: loaded.sha256 },
    configWarnings: loaded.warnings,
  });
  const report = lazy.report;
  if (format === 'csv') writeCsvViews(lazy, view, opts.output, io);
  else writeReport(lazy, format, opts.output, io, view);

  if (!quiet) {
    for (const w of report.warnings) io.stderr.write(`${warnColor.yellow('nps: warning:')} ${String(w.message)}\n`);
  }
  const damaged = report.warnings.some((w) => w.code === 'truncated-capture');
  if (damaged && opts.strict) {
    if (!quiet) io.stderr.write('nps: --strict: the capture is damaged (see the warning above)\n');
    return EXIT_FAILURE;
  }
  return 0;
}

/**
 * Flow and traffic rows are many: one line each keeps the report small, fast
 * to write, and still diffable row by row. The builder makes them with their
 * keys in order (test/report/rows-sorted.test.ts checks it).
 */
const COMPACT_ROWS: ReadonlySet<string> = new Set(['flows', 'traffic']);

/** Collects output in large pieces and hands each to `sink`. */
class ChunkedOutput {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly sink: (text: string) => void) {}
  write = (text: string): void => {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) this.flush();
  };
  flush(): void {
    if (this.size === 0) return;
    this.sink(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}

function emitReport(lazy: LazyReport, format: Format, output: string | undefined, io: CliIO, emit: (text: string) => void, view?: View): void {
  const report = lazy.report;
  if (format === 'json') writeStableJson(report, emit, { flows: lazy.flows(), traffic: lazy.traffic() }, COMPACT_ROWS, COMPACT_ROWS);
  else if (format === 'ndjson') for (const line of ndjsonLines(report, lazy.flows(), lazy.traffic())) emit(line + '\n');
  else {
    report.flows = [...lazy.flows()];
    report.traffic = [...lazy.traffic()];
    const toTerminal = output === undefined || output === '-';
    const color = toTerminal ? colorFor(io.stdout, io.env) : colorFor({ isTTY: false }, {});
    const width = toTerminal && io.stdout.columns ? io.stdout.columns : 120;
    emit(renderTable(report, { width, color, view }));
  }
}

function writeReport(report: LazyReport, format: Format, output: string | undefined, io: CliIO, view?: View): void {
  writeOutput(output, io, (emit) => emitReport(report, format, output, io, emit, view));
}

/** Rows of a view, rendered lazily for the big ones. */
function viewRows(lazy: LazyReport, view: View): Iterable<Record<string, Json>> {
  if (view === 'assets') return lazy.report.assets;
  return view === 'flows' ? lazy.flows() : lazy.traffic();
}

/**
 * CSV: one view to stdout (or to a file) with --view (default assets), or,
 * when -o names a directory (existing, or ending in /), every view as
 * assets.csv, flows.csv and traffic.csv in it.
 */
function writeCsvViews(lazy: LazyReport, view: View | undefined, output: string | undefined, io: CliIO): void {
  let isDir = false;
  if (output !== undefined && output !== '-') {
    try {
      isDir = statSync(output).isDirectory();
    } catch {
      isDir = output.endsWith('/');
    }
  }
  if (!isDir) {
    const v = view ?? 'assets';
    writeOutput(output, io, (emit) => writeCsv(v, viewRows(lazy, v), emit));
    return;
  }
  try {
    mkdirSync(output!, { recursive: true });
  } catch (e) {
    throw new CliError(`cannot create the directory ${output}: ${(e as Error).message}`, 3);
  }
  for (const v of view ? [view] : VIEWS) {
    writeOutput(join(output!, `${v}.csv`), io, (emit) => writeCsv(v, viewRows(lazy, v), emit));
  }
}

/** Sends what `produce` emits to stdout, or atomically to a file (a device or pipe directly). */
function writeOutput(output: string | undefined, io: CliIO, produce: (emit: (text: string) => void) => void): void {
  if (output === undefined || output === '-') {
    const out = new ChunkedOutput((t) => io.stdout.write(t));
    produce(out.write);
    out.flush();
    return;
  }
  // A regular file (or a new one) is written beside the target and renamed, so a
  // reader never sees half a report; a device or pipe (/dev/null, a FIFO) is written directly.
  let direct = false;
  try {
    direct = !statSync(output).isFile();
  } catch {
    direct = false;
  }
  const target = direct ? output : `${output}.tmp-${process.pid}`;
  let fd = -1;
  try {
    fd = openSync(target, 'w');
    const out = new ChunkedOutput((t) => writeAllSync(fd, t));
    produce(out.write);
    out.flush();
    closeSync(fd);
    fd = -1;
    if (!direct) renameSync(target, output);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    if (!direct) rmSync(target, { force: true });
    throw new CliError(`cannot write the report to ${output}: ${(e as Error).message}; check that the directory exists and is writable`, 3);
  }
}

function writeAllSync(fd: number, text: string): void {
  const buf = Buffer.from(text);
  for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off);
}
