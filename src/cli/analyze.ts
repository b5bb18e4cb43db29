/** `nps analyze <capture...>`: offline analysis of pcap/pcapng files or stdin. */
import { closeSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { CaptureOpenError, captureSize, readCapture } from '../capture/reader.js';
import { AllInternalClassifier, DefaultClassifier, type Classifier } from '../config/classify.js';
import { CidrClassifier, parseCidr, type Cidr } from '../config/ranges.js';
import { Engine } from '../engine/engine.js';
import { buildLazyReport, type LazyReport, type ReportFile } from '../report/build.js';
import { writeStableJson } from '../report/json.js';
import { ndjsonLines } from '../report/ndjson.js';
import { renderTable } from '../report/table.js';
import { CliError, EXIT_FAILURE, InputError, UsageError } from './errors.js';
import { colorFor, type CliIO } from './io.js';
import { createProgress } from './progress.js';
import { GENERATOR } from './version.js';

export type Format = 'table' | 'json' | 'ndjson';
export const FORMATS: Format[] = ['table', 'json', 'ndjson'];

export interface AnalyzeOptions {
  read?: string[];
  format?: string;
  output?: string;
  count?: string;
  quiet?: boolean;
  deterministic?: boolean;
  strict?: boolean;
  internal?: string[];
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

export function classifierFrom(internal: string[] | undefined): Classifier {
  if (!internal || internal.length === 0) return new DefaultClassifier();
  const items = internal.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  if (items.length === 1 && items[0] === 'all') return new AllInternalClassifier();
  const ranges: Cidr[] = [];
  for (const item of items) {
    const c = parseCidr(item);
    if (c === null) throw new UsageError(`--internal: "${item}" is not an address range; give CIDR blocks such as 10.0.0.0/8 or fd00::/8, or "all"`);
    ranges.push(c);
  }
  return new CidrClassifier(ranges);
}

/** Runs the analysis; returns the exit code. */
export async function runAnalyze(captures: string[], opts: AnalyzeOptions, io: CliIO): Promise<number> {
  const inputs = [...captures, ...(opts.read ?? [])];
  if (inputs.length === 0) throw new UsageError('no capture given: nps analyze <capture.pcap...> (use - for stdin)');
  if (inputs.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  const format = parseFormat(opts.format, io.stdout, opts.output);
  const maxPackets = parseCount(opts.count);
  const classifier = classifierFrom(opts.internal);
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

  const lazy = buildLazyReport(engine, files, { generator: GENERATOR, deterministic: opts.deterministic });
  const report = lazy.report;
  writeReport(lazy, format, opts.output, io);

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
 * to write, and still diffable row by row.
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

function emitReport(lazy: LazyReport, format: Format, output: string | undefined, io: CliIO, emit: (text: string) => void): void {
  const report = lazy.report;
  if (format === 'json') writeStableJson(report, emit, { flows: lazy.flows() }, COMPACT_ROWS);
  else if (format === 'ndjson') for (const line of ndjsonLines(report, lazy.flows())) emit(line + '\n');
  else {
    report.flows = [...lazy.flows()];
    const toTerminal = output === undefined || output === '-';
    const color = toTerminal ? colorFor(io.stdout, io.env) : colorFor({ isTTY: false }, {});
    const width = toTerminal && io.stdout.columns ? io.stdout.columns : 120;
    emit(renderTable(report, { width, color }));
  }
}

function writeReport(report: LazyReport, format: Format, output: string | undefined, io: CliIO): void {
  if (output === undefined || output === '-') {
    const out = new ChunkedOutput((t) => io.stdout.write(t));
    emitReport(report, format, output, io, out.write);
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
    emitReport(report, format, output, io, out.write);
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
