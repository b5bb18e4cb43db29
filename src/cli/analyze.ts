/** `nps analyze <capture...>`: offline analysis of pcap/pcapng files or stdin. */
import { loadConfig } from '../config/load.js';
import type { LoadedConfig } from '../config/types.js';
import { buildLazyReport, type Json, type LazyReport } from '../report/build.js';
import { RowSpill } from '../flows/row-spill.js';
import { writeStableJson } from '../report/json.js';
import { ndjsonLines } from '../report/ndjson.js';
import { busiestFlows, renderTable } from '../report/table.js';
import { EXIT_FAILURE, UsageError } from './errors.js';
import { analyzeMerge, loadManagedForCli, mergeSettingsFrom, noteNetworks, type MergeCliOptions } from './merge.js';
import { ChunkedOutput, writeCsvFiles, writeOutput } from './output.js';
import { renderMergeTable } from '../report/merge-table.js';
import { colorFor, type CliIO } from './io.js';
import { analyseInputs, parseJobs } from './analyze-files.js';
import { expandInputs } from './input-files.js';
import { GENERATOR } from './version.js';

export type Format = 'table' | 'json' | 'ndjson' | 'csv';
export const FORMATS: Format[] = ['table', 'json', 'ndjson', 'csv'];
export const VIEWS = ['assets', 'flows', 'traffic', 'merge'] as const;
export type View = (typeof VIEWS)[number];

export function parseView(value: string | undefined): View | undefined {
  if (value === undefined) return undefined;
  if (!(VIEWS as readonly string[]).includes(value)) throw new UsageError(`--view must be one of ${VIEWS.join(', ')}, not "${value}"`);
  return value as View;
}

export interface AnalyzeOptions extends MergeCliOptions {
  read?: string[];
  tui?: boolean;
  baseline?: string;
  tolerance?: string;
  managed?: string;
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
  jobs?: string;
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

import { classifierFrom, engineFor } from './engine-setup.js';
export { classifierFrom };

/**
 * The configuration as a report names it: the path as the user gave it (or
 * nps.yaml when found by default), so that reports do not depend on where
 * the checkout lives, and the file's hash.
 */
export function configRef(loaded: LoadedConfig, given: string | undefined): { path: string | null; sha256: string | null } {
  return { path: loaded.path === null ? null : (given ?? 'nps.yaml'), sha256: loaded.sha256 };
}

/** Runs the analysis; returns the exit code. */
export async function runAnalyze(captures: string[], opts: AnalyzeOptions, io: CliIO): Promise<number> {
  const inputs = expandInputs([...captures, ...(opts.read ?? [])]);
  if (inputs.length === 0) throw new UsageError('no capture given: nps analyze <capture.pcap...> (use - for stdin)');
  if (inputs.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  const format = parseFormat(opts.format, io.stdout, opts.output);
  const maxPackets = parseCount(opts.count);
  const jobs = parseJobs(opts.jobs);
  const view = parseView(opts.view);
  if (view !== undefined && (format === 'json' || format === 'ndjson')) {
    throw new UsageError(`--view applies to -f table and -f csv; ${format} always holds every view`);
  }
  if (view === 'merge' && opts.managed === undefined) throw new UsageError('--view merge needs --managed FILE (the managed inventory to merge with)');
  if (opts.managed === undefined && (opts.hostnameMatch !== undefined || opts.ipInactivity !== undefined)) {
    throw new UsageError('--hostname-match and --ip-inactivity tune merging; give --managed FILE as well');
  }
  const loaded = loadConfig({ path: opts.config, cwd: process.cwd() });
  const settings = mergeSettingsFrom(loaded.config, opts);
  // Read the managed inventory before the capture: a mistake in it should not cost a long analysis.
  const managed = opts.managed === undefined ? null : loadManagedForCli(opts.managed, io, opts.quiet === true);
  const quiet = opts.quiet === true;
  const warnColor = colorFor(io.stderr, io.env);

  const engine = engineFor(loaded, opts.internal);
  // Rows of closed intervals go to a scratch file: a long capture's (or a day of rotated files') report stays in bounded memory.
  engine.spillRowsTo(() => RowSpill.open());
  let lazy: LazyReport | null = null;
  try {
    const spec = { configPath: opts.config, cwd: process.cwd(), internal: opts.internal };
    const files = await analyseInputs(inputs, engine, spec, io, { jobs, maxPackets, progress: !quiet && opts.progress !== false });

    lazy = buildLazyReport(engine, files, {
      generator: GENERATOR,
      deterministic: opts.deterministic,
      sensor: { name: loaded.config.sensor.name, network: loaded.config.sensor.network },
      config: configRef(loaded, opts.config),
      configWarnings: loaded.warnings,
    });
    const report = lazy.report;
    if (managed !== null) {
      if (!quiet) noteNetworks(managed.assets, [loaded.config.sensor.network], opts.managed!, io);
      report.merge = analyzeMerge(report, managed.assets, settings);
    }
    if (opts.tui) {
      const { showReport } = await import('./tui.js');
      if (opts.output !== undefined) writeReport(lazy, format, opts.output, io, view);
      await showReport(lazy, io, inputs.join(' '));
    } else if (format === 'csv') writeCsvViews(lazy, view, opts.output, io);
    else writeReport(lazy, format, opts.output, io, view);

    if (!quiet) {
      for (const w of report.warnings) io.stderr.write(`${warnColor.yellow('nps: warning:')} ${String(w.message)}\n`);
    }
    if (opts.baseline !== undefined) {
      // analyze + diff in one step: the report as usual on stdout/-o, the comparison on stderr.
      const { diffReports, loadReport, parseTolerance, renderDiff } = await import('./diff.js');
      const base = loadReport(opts.baseline);
      const current = { ...report, flows: [...lazy.flows()], traffic: [...lazy.traffic()] };
      const diff = diffReports(base, current, { tolerancePct: parseTolerance(opts.tolerance) });
      io.stderr.write(renderDiff(diff, 'table', { width: io.stderr.columns ?? 100, color: colorFor(io.stderr, io.env) }));
      if (!diff.equal) return EXIT_FAILURE;
    }
    const damaged = report.warnings.some((w) => w.code === 'truncated-capture');
    if (damaged && opts.strict) {
      if (!quiet) io.stderr.write('nps: --strict: the capture is damaged (see the warning above)\n');
      return EXIT_FAILURE;
    }
    return 0;
  } finally {
    lazy?.close();
    engine.closeSpill();
  }
}

/**
 * Flow and traffic rows are many: one line each keeps the report small, fast
 * to write, and still diffable row by row. The builder makes them with their
 * keys in order (test/report/rows-sorted.test.ts checks it).
 */
const COMPACT_ROWS: ReadonlySet<string> = new Set(['flows', 'traffic']);
const RAW_TRAFFIC: ReadonlySet<string> = new Set(['traffic']);

function emitReport(lazy: LazyReport, format: Format, output: string | undefined, io: CliIO, emit: (text: string) => void, view?: View): void {
  const report = lazy.report;
  if (format === 'json') {
    const traffic = lazy.trafficJson?.() ?? lazy.traffic();
    writeStableJson(report, emit, { flows: lazy.flows(), traffic }, COMPACT_ROWS, COMPACT_ROWS, lazy.trafficJson !== null ? RAW_TRAFFIC : undefined);
  }
  else if (format === 'ndjson') for (const line of ndjsonLines(report, lazy.flows(), lazy.trafficJson?.() ?? lazy.traffic())) emit(line + '\n');
  else {
    // Only what the chosen tables show is held: the default shows the busiest flows and no traffic rows.
    let flowRows: number | undefined;
    if (view === 'flows') report.flows = [...lazy.flows()];
    else if (view === undefined) ({ top: report.flows, count: flowRows } = busiestFlows(lazy.flows()));
    else report.flows = [];
    report.traffic = view === 'traffic' ? [...lazy.traffic()] : [];
    const toTerminal = output === undefined || output === '-';
    const color = toTerminal ? colorFor(io.stdout, io.env) : colorFor({ isTTY: false }, {});
    const width = toTerminal && io.stdout.columns ? io.stdout.columns : 120;
    const merge = report.merge as Record<string, Json>[] | undefined;
    if (view !== 'merge') emit(renderTable(report, { width, color, view, flowRows }));
    if (merge !== undefined && (view === undefined || view === 'merge')) emit((view === undefined ? '\n' : '') + renderMergeTable(merge, null, { width, color }));
  }
}

export function writeReport(report: LazyReport, format: Format, output: string | undefined, io: CliIO, view?: View): void {
  writeOutput(output, io, (emit) => emitReport(report, format, output, io, emit, view));
}

/** Rows of a view, rendered lazily for the big ones. */
function viewRows(lazy: LazyReport, view: View): Iterable<Record<string, Json>> {
  if (view === 'assets') return lazy.report.assets;
  if (view === 'merge') return (lazy.report.merge as Record<string, Json>[] | undefined) ?? [];
  return view === 'flows' ? lazy.flows() : lazy.traffic();
}

/**
 * CSV: one view to stdout (or to a file) with --view (default assets), or,
 * when -o names a directory (existing, or ending in /), every view as
 * assets.csv, flows.csv and traffic.csv (and merge.csv with --managed) in it.
 */
export function writeCsvViews(lazy: LazyReport, view: View | undefined, output: string | undefined, io: CliIO): void {
  const views: View[] = lazy.report.merge ? [...VIEWS] : VIEWS.filter((v) => v !== 'merge');
  writeCsvFiles(views, (v) => viewRows(lazy, v), view ?? 'assets', view !== undefined, output, io);
}
