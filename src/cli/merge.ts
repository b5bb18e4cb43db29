/**
 * `nps merge <report.json...> --managed FILE`, and the merge step of
 * `nps analyze --managed FILE` (SPEC §7).
 */
import { loadConfig, parseDuration } from '../config/load.js';
import type { NpsConfig } from '../config/types.js';
import { mergeDecisions, sortReports } from '../merge/decide.js';
import { mergeDocument, type MergeDocument } from '../merge/document.js';
import { crossSensorOverlaps, rangesFromText, type SensorRanges } from '../merge/lint.js';
import { loadManagedInventory, ManagedInputReadError } from '../merge/managed.js';
import { loadSensorReport, reportFromDocument, ReportInputError, type SensorReport } from '../merge/passive.js';
import type { ManagedAsset, MergeSettings } from '../merge/types.js';
import type { Json, Report } from '../report/build.js';
import { compactJson, writeStableJson } from '../report/json.js';
import { renderMergeTable } from '../report/merge-table.js';
import { parseFormat } from './analyze.js';
import { InputError, UsageError } from './errors.js';
import { colorFor, type CliIO } from './io.js';
import { writeCsvFiles, writeOutput } from './output.js';
import { GENERATOR } from './version.js';

export interface MergeCliOptions {
  hostnameMatch?: string;
  ipInactivity?: string;
}

export interface MergeOptions extends MergeCliOptions {
  managed?: string;
  config?: string;
  sensorConfig?: string[];
  format?: string;
  output?: string;
  view?: string;
  deterministic?: boolean;
  quiet?: boolean;
}

export const MERGE_VIEWS = ['merge', 'managed', 'unmanaged'] as const;
type MergeView = (typeof MERGE_VIEWS)[number];

/** The configuration's merge section, with the command line's overrides. */
export function mergeSettingsFrom(config: NpsConfig, opts: MergeCliOptions): MergeSettings {
  const match = opts.hostnameMatch ?? 'exact';
  if (match !== 'exact' && match !== 'short') throw new UsageError(`--hostname-match must be exact or short, not "${match}"`);
  let ipInactivityUs = config.merge.ipInactivityUs;
  if (opts.ipInactivity !== undefined) {
    const us = parseDuration(opts.ipInactivity);
    if (us === null) throw new UsageError(`--ip-inactivity takes a duration such as 24h, 90m or 7d, not "${opts.ipInactivity}"`);
    ipInactivityUs = us;
  }
  return { hostnameMatch: match, hostnameExclusions: config.merge.hostnameExclusions.map((h) => h.toLowerCase()), ipInactivityUs };
}

/** Reads the managed inventory; unreadable → exit 3, invalid → exit 2 (ManagedInventoryError, printed by main). */
export function loadManagedForCli(path: string, io: CliIO, quiet: boolean): { assets: ManagedAsset[]; sha256: string } {
  try {
    const loaded = loadManagedInventory(path);
    if (!quiet) for (const note of loaded.notes) io.stderr.write(`nps: note: ${note}\n`);
    return loaded;
  } catch (e) {
    if (e instanceof ManagedInputReadError) throw new InputError(e.message);
    throw e;
  }
}

/** IP-only matches need equal networks: say so when the inventory and the sensors name none in common. */
export function noteNetworks(managed: ManagedAsset[], sensorNetworks: string[], path: string, io: CliIO): void {
  const have = new Set(managed.map((m) => m.network));
  const missing = [...new Set(sensorNetworks)].filter((n) => !have.has(n));
  if (missing.length === 0 || managed.length === 0) return;
  io.stderr.write(
    `nps: note: no asset of ${path} is in network ${missing.map((n) => `"${n}"`).join(', ')} (the sensors' sensor.network), so none can match by IP; ` +
      `the inventory has ${[...have].sort().map((n) => `"${n}"`).join(', ')} (an empty network column means "default")\n`,
  );
}

/** analyze --managed: the report's own assets against the managed inventory. */
export function analyzeMerge(report: Report, managed: ManagedAsset[], settings: MergeSettings): { [k: string]: Json }[] {
  const sensorReport = reportFromDocument(report, report.assets, '(this analysis)');
  return mergeDecisions([sensorReport], managed, settings).records as unknown as { [k: string]: Json }[];
}

function parseMergeView(value: string | undefined): MergeView | undefined {
  if (value === undefined) return undefined;
  if (!(MERGE_VIEWS as readonly string[]).includes(value)) throw new UsageError(`--view must be one of ${MERGE_VIEWS.join(', ')}, not "${value}"`);
  return value as MergeView;
}

/** The inventoried ranges of each sensor: from each report, and from each --sensor-config. */
function sensorRanges(reports: SensorReport[], configs: string[]): SensorRanges[] {
  const out: SensorRanges[] = [];
  for (const r of reports) {
    if (r.internal === null) continue;
    out.push({
      sensor: r.sensor,
      network: r.network,
      source: r.path,
      groups: r.internal.map((g) => ({ name: g.name, inventory: g.inventory, ranges: rangesFromText(g.ranges) })),
    });
  }
  for (const path of configs) {
    const loaded = loadConfig({ path, cwd: process.cwd() });
    const c = loaded.config;
    out.push({ sensor: c.sensor.name, network: c.sensor.network, source: path, groups: c.internal });
  }
  return out;
}

export async function runMerge(paths: string[], opts: MergeOptions, io: CliIO): Promise<number> {
  if (paths.length === 0) throw new UsageError('no report given: nps merge <report.json...> --managed FILE (reports from nps analyze -f json)');
  if (opts.managed === undefined) throw new UsageError('--managed FILE is required: the managed inventory (CSV or JSON with id, macs, ips, hostnames, network, last_scan)');
  const format = parseFormat(opts.format, io.stdout, opts.output);
  const view = parseMergeView(opts.view);
  if (view !== undefined && (format === 'json' || format === 'ndjson')) {
    throw new UsageError(`--view applies to -f table and -f csv; ${format} always holds every list`);
  }
  const quiet = opts.quiet === true;
  const loaded = loadConfig({ path: opts.config, cwd: process.cwd() });
  const settings = mergeSettingsFrom(loaded.config, opts);
  const managed = loadManagedForCli(opts.managed, io, quiet);
  const reports: SensorReport[] = [];
  for (const p of paths) {
    try {
      reports.push(loadSensorReport(p));
    } catch (e) {
      if (e instanceof ReportInputError) throw new InputError(e.message);
      throw e;
    }
  }
  const sorted = sortReports(reports);
  if (!quiet) noteNetworks(managed.assets, sorted.map((r) => r.network), opts.managed, io);
  const outcome = mergeDecisions(sorted, managed.assets, settings);
  const warnings = crossSensorOverlaps(sensorRanges(sorted, opts.sensorConfig ?? []));
  const doc = mergeDocument({
    generator: GENERATOR,
    deterministic: opts.deterministic,
    settings,
    managed: { path: opts.managed, sha256: managed.sha256, assets: managed.assets.length },
    reports: sorted,
    outcome,
    warnings,
  });
  writeMerge(doc, format, view, opts.output, io);
  if (!quiet) {
    const warn = colorFor(io.stderr, io.env);
    for (const w of warnings) io.stderr.write(`${warn.yellow('nps: warning:')} ${w.message}\n`);
    const old = sorted.filter((r) => r.internal === null);
    if (old.length > 0 && (opts.sensorConfig ?? []).length === 0) {
      io.stderr.write(`nps: note: ${old.map((r) => r.path).join(', ')} ${old.length === 1 ? 'does' : 'do'} not carry the sensor's ranges; give --sensor-config FILE to check for overlapping inventoried ranges\n`);
    }
  }
  return 0;
}

function writeMerge(doc: MergeDocument, format: string, view: MergeView | undefined, output: string | undefined, io: CliIO): void {
  const rowsOf = (v: MergeView) => (v === 'merge' ? doc.merge : v === 'managed' ? doc.managed : doc.unmanaged);
  if (format === 'csv') {
    writeCsvFiles(MERGE_VIEWS, rowsOf, view ?? 'merge', view !== undefined, output, io);
    return;
  }
  writeOutput(output, io, (emit) => {
    // One row per line, like the report's flows: large inventories stay quick to write and diffable row by row.
    if (format === 'json') writeStableJson(doc, emit, {}, new Set(['merge', 'managed', 'unmanaged']));
    else if (format === 'ndjson') {
      const { merge, managed, unmanaged, warnings, ...summary } = doc;
      emit(compactJson({ type: 'summary', ...summary }) + '\n');
      for (const r of merge) emit(compactJson({ type: 'merge', ...r }) + '\n');
      for (const r of managed) emit(compactJson({ type: 'managed', ...r }) + '\n');
      for (const r of unmanaged) emit(compactJson({ type: 'unmanaged', ...r }) + '\n');
      for (const r of warnings) emit(compactJson({ type: 'warning', ...r }) + '\n');
    } else {
      const toTerminal = output === undefined || output === '-';
      const color = toTerminal ? colorFor(io.stdout, io.env) : colorFor({ isTTY: false }, {});
      const width = toTerminal && io.stdout.columns ? io.stdout.columns : 120;
      emit(renderMergeTable(doc.merge, doc.managed, { width, color, view }));
      if (view === undefined) {
        const unseen = doc.managed.filter((m) => m.seen === false).length;
        emit(color.dim(`\n${unseen} managed ${unseen === 1 ? 'asset was' : 'assets were'} not seen by any sensor (--view managed lists them); --view unmanaged lists the passive assets left over\n`));
      }
    }
  });
}
