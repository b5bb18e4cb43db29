/**
 * `nps diff <baseline.json> <current.json>`: what changed in the inventory
 * between two reports (assets, their attributes, flows, traffic beyond a
 * tolerance, warning codes). Exit 0 when nothing differs, 1 when anything
 * does, 2 on a usage error, 3 when a report cannot be read.
 */
import { readFileSync } from 'node:fs';
import { compareReports, type DiffResult } from '../diff/compare.js';
import { DIFF_FORMATS, renderDiff, summaryLine, type DiffFormat } from '../diff/render.js';
import { REPORT_SCHEMA, type Json, type Report } from '../report/build.js';
import { EXIT_FAILURE, EXIT_OK, InputError, UsageError } from './errors.js';
import { colorFor, type CliIO } from './io.js';
import { writeOutput } from './output.js';

export { renderDiff, type DiffFormat } from '../diff/render.js';
export type { DiffResult } from '../diff/compare.js';

export interface DiffOptions {
  /** -f/--format: table (default) or json. */
  format?: string;
  /** --tolerance <percent>: traffic changes up to this percentage of the baseline are not differences (default 0). */
  tolerance?: string | number;
  /** -o/--output <file> ("-" for stdout). */
  output?: string;
  /** -q/--quiet: no notes on stderr. */
  quiet?: boolean;
}

/** The comparison, for `nps diff` and `nps analyze --baseline` (an in-memory report with its flows materialised). */
export function diffReports(baseline: Report, current: Report, opts: { tolerancePct: number }): DiffResult {
  return compareReports(baseline, current, opts);
}

export function parseDiffFormat(value: string | undefined): DiffFormat {
  if (value === undefined) return 'table';
  if (!(DIFF_FORMATS as string[]).includes(value)) throw new UsageError(`-f/--format must be one of ${DIFF_FORMATS.join(', ')}, not "${value}"`);
  return value as DiffFormat;
}

/** "5", "2.5", "10%": a percentage of zero or more. */
export function parseTolerance(value: string | number | undefined): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new UsageError(`--tolerance takes a percentage of zero or more such as 5 or 2.5, not "${value}"`);
    return value;
  }
  const text = String(value).trim();
  const n = /^\d+(\.\d+)?%?$/.test(text) ? Number(text.replace(/%$/, '')) : NaN;
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--tolerance takes a percentage of zero or more such as 5 or 2.5, not "${value}"`);
  return n;
}

type Obj = { [k: string]: Json };
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const HINT = 'give a report written by nps analyze -f json (or -f ndjson)';

/** Reads an nps.report/v1 file, one JSON document or NDJSON records; InputError (exit 3) saying why when it cannot. */
export function loadReport(path: string): Report {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new InputError(`cannot read the report ${path}: ${why}; ${HINT}`);
  }
  return parseReport(text, path);
}

/** Parses report text (JSON or NDJSON) and checks that it is an nps report whose records can be compared. */
export function parseReport(text: string, path: string): Report {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new InputError(`${path} is empty; ${HINT}`);
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    const nd = readNdjson(body, path);
    if (nd === null) throw new InputError(`${path} is not JSON (${(e as Error).message}); ${HINT}`);
    return nd;
  }
  if (!isObj(doc)) throw new InputError(`${path} is not an nps report: expected a JSON object with "schema": "${REPORT_SCHEMA}"; ${HINT}`);
  checkSchema(doc, path);
  for (const key of ['assets', 'flows'] as const) {
    if (!Array.isArray(doc[key])) throw new InputError(`${path}: the report has no "${key}" list; it is damaged`);
  }
  if (doc.warnings !== undefined && !Array.isArray(doc.warnings)) throw new InputError(`${path}: the report's "warnings" is not a list; it is damaged`);
  const report = {
    ...doc,
    assets: doc.assets as Obj[],
    flows: doc.flows as Obj[],
    traffic: Array.isArray(doc.traffic) ? (doc.traffic as Obj[]) : [],
    warnings: Array.isArray(doc.warnings) ? (doc.warnings as Obj[]) : [],
  } as Report;
  checkRecords(report, path);
  return report;
}

function checkSchema(summary: Obj, path: string): void {
  if (summary.schema !== REPORT_SCHEMA) {
    throw new InputError(`${path} is not an nps report: its schema is ${JSON.stringify(summary.schema ?? null)}, expected "${REPORT_SCHEMA}"; ${HINT}`);
  }
}

/** Every asset needs its id; flows and warnings must be objects. */
function checkRecords(report: Report, path: string): void {
  report.assets.forEach((a, i) => {
    if (!isObj(a) || typeof a.id !== 'string') throw new InputError(`${path}: asset ${i + 1} has no "id"; the report is damaged or not from nps`);
  });
  report.flows.forEach((f, i) => {
    if (!isObj(f)) throw new InputError(`${path}: flow ${i + 1} is not an object; the report is damaged`);
  });
  report.warnings.forEach((w, i) => {
    if (!isObj(w)) throw new InputError(`${path}: warning ${i + 1} is not an object; the report is damaged`);
  });
}

/** NDJSON records (nps analyze -f ndjson): summary, asset, flow and warning lines; null when the first line is not a typed record. */
function readNdjson(body: string, path: string): Report | null {
  let summary: Obj | null = null;
  const assets: Obj[] = [];
  const flows: Obj[] = [];
  const warnings: Obj[] = [];
  let line = 0;
  for (const text of body.split('\n')) {
    line++;
    // Traffic rows (keys sorted, so the type comes last) are not compared: skipped unparsed.
    if (text.trim() === '' || text.endsWith('"type":"traffic"}')) continue;
    let rec: unknown;
    try {
      rec = JSON.parse(text);
    } catch (e) {
      if (line === 1) return null;
      throw new InputError(`${path}:${line}: not a JSON record (${(e as Error).message}); the NDJSON report is damaged`);
    }
    if (!isObj(rec) || typeof rec.type !== 'string') {
      if (line === 1) return null;
      continue;
    }
    const { type, ...fields } = rec;
    if (type === 'summary') summary = fields;
    else if (type === 'asset') assets.push(fields);
    else if (type === 'flow') flows.push(fields);
    else if (type === 'warning') warnings.push(fields);
  }
  if (summary === null) throw new InputError(`${path}: an NDJSON report needs its "summary" record; ${HINT}`);
  checkSchema(summary, path);
  const report = { ...summary, assets, flows, traffic: [], warnings } as Report;
  checkRecords(report, path);
  return report;
}

function sensorOf(r: Report): string {
  const s = isObj(r.sensor) ? r.sensor : {};
  return `${typeof s.name === 'string' ? s.name : 'nps'}/${typeof s.network === 'string' ? s.network : 'default'}`;
}

export async function runDiff(baseline: string | undefined, current: string | undefined, opts: DiffOptions, io: CliIO): Promise<number> {
  if (baseline === undefined || current === undefined) {
    throw new UsageError('nps diff needs two reports: nps diff <baseline.json> <current.json> (reports from nps analyze -f json or -f ndjson)');
  }
  const format = parseDiffFormat(opts.format);
  const tolerancePct = parseTolerance(opts.tolerance);
  const quiet = opts.quiet === true;
  const before = loadReport(baseline);
  const after = loadReport(current);
  const result = diffReports(before, after, { tolerancePct });
  if (!quiet && sensorOf(before) !== sensorOf(after)) {
    io.stderr.write(`nps: note: the reports come from different sensors (${baseline}: ${sensorOf(before)}, ${current}: ${sensorOf(after)})\n`);
  }
  const output = opts.output;
  const toTerminal = output === undefined || output === '-';
  const color = toTerminal ? colorFor(io.stdout, io.env) : colorFor({ isTTY: false }, {});
  const width = toTerminal && io.stdout.columns ? io.stdout.columns : 80;
  writeOutput(output, io, (emit) => emit(renderDiff(result, format, { width, color })));
  // Written to a file: say on stderr what the file holds, so a CI log shows it too.
  if (!toTerminal && !quiet) io.stderr.write(`nps: ${summaryLine(result.summary, tolerancePct)} (${output})\n`);
  return result.equal ? EXIT_OK : EXIT_FAILURE;
}
