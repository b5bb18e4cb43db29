/**
 * `nps tui <capture | report.json>`, and `--tui` of analyze and live: the
 * interactive inventory view (SPEC §9). Without a terminal on both stdin and
 * stdout it prints the table format instead and says so on stderr.
 */
import { openSync, readSync, closeSync, readFileSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import { Engine } from '../engine/engine.js';
import { engineLimits } from '../engine/limits.js';
import { REPORT_SCHEMA, buildReport, type LazyReport, type Report } from '../report/build.js';
import { renderTable } from '../report/table.js';
import { captureSize } from '../capture/reader.js';
import { classifierFrom, configRef, parseCount } from './analyze.js';
import { InputError, UsageError } from './errors.js';
import { colorFor, type CliIO } from './io.js';
import { readInputs } from './read-inputs.js';
import { GENERATOR } from './version.js';
import { loadTui } from '../tui/load.js';

export interface TuiOptions {
  read?: string[];
  config?: string;
  internal?: string[];
  count?: string;
}

/** Whether the interactive view can run: keys come from stdin, the screen is stdout. */
export function canRunTui(io: CliIO): boolean {
  return io.stdout.isTTY === true && process.stdin.isTTY === true;
}

function colorOn(io: CliIO): boolean {
  return colorFor(io.stdout, io.env).level > 0;
}

/** The table format on stdout, for when there is no terminal to draw on. */
export function printTableInstead(report: Report, io: CliIO, why: string): void {
  io.stderr.write(`nps: ${why}: printing the table instead of the interactive view\n`);
  io.stdout.write(renderTable(report, { width: io.stdout.columns ?? 120, color: colorFor(io.stdout, io.env) }));
}

/** A report file rather than a capture: .json, or text starting with "{". */
function isReportFile(path: string): boolean {
  if (path.endsWith('.json')) return true;
  if (path === '-') return false;
  try {
    const fd = openSync(path, 'r');
    const buf = Buffer.alloc(64);
    const n = readSync(fd, buf, 0, 64, 0);
    closeSync(fd);
    return /^\s*\{/.test(buf.toString('latin1', 0, n));
  } catch {
    return false;
  }
}

function loadReport(path: string): Report {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code) throw new InputError(`cannot read the report ${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
    throw new InputError(`${path} is not JSON (${err.message}); give a report written by nps analyze -f json, or a capture`);
  }
  const r = doc as Report;
  if (r === null || typeof r !== 'object' || r.schema !== REPORT_SCHEMA || !Array.isArray(r.assets)) {
    throw new InputError(`${path} is not an nps report (schema ${JSON.stringify((r as { schema?: unknown } | null)?.schema ?? null)}); give a report written by nps analyze -f json, or a capture`);
  }
  r.flows ??= [];
  r.traffic ??= [];
  r.warnings ??= [];
  return r;
}

export async function runTuiCommand(target: string | undefined, opts: TuiOptions, io: CliIO): Promise<number> {
  const inputs = [...(target !== undefined ? [target] : []), ...(opts.read ?? [])];
  if (inputs.length === 0) throw new UsageError('nothing to show: nps tui <capture.pcap | report.json>');
  if (inputs.length === 1 && isReportFile(inputs[0]!)) {
    const report = loadReport(inputs[0]!);
    if (!canRunTui(io)) printTableInstead(report, io, 'stdin and stdout are not both a terminal');
    else {
      const { runTui, staticSource } = await loadTui();
      await runTui(staticSource(report, inputs[0]), { color: colorOn(io) });
    }
    return 0;
  }
  const loaded = loadConfig({ path: opts.config, cwd: process.cwd() });
  const classifier = classifierFrom(loaded, opts.internal);
  const engine = new Engine({ classifier, intervalUs: loaded.config.reporting.updateIntervalUs, ...engineLimits(loaded.config.limits) });
  const reportOpts = {
    generator: GENERATOR,
    sensor: { name: loaded.config.sensor.name, network: loaded.config.sensor.network },
    config: configRef(loaded, opts.config),
    configWarnings: loaded.warnings,
  };
  const maxPackets = parseCount(opts.count);
  if (!canRunTui(io)) {
    const files = await readInputs(inputs, engine, io, { maxPackets, progress: false });
    printTableInstead(buildReport(engine, files, reportOpts), io, 'stdin and stdout are not both a terminal');
    return 0;
  }
  // The view opens at once and shows the analysis progressing; the report replaces it when done.
  const { runTui, mutableSource } = await loadTui();
  const title = inputs.join(' ');
  const source = mutableSource(title);
  const total = inputs.reduce((n, p) => n + (captureSize(p) ?? 0), 0);
  let done = 0;
  const view = runTui(source, { color: colorOn(io) });
  let quit = false;
  void view.then(() => (quit = true));
  const files = [];
  for (const path of inputs) {
    const size = captureSize(path) ?? 0;
    const update = (bytes: number) =>
      source.setProgress({ label: `analysing ${path}`, fraction: total > 0 ? Math.min(1, (done + bytes) / total) : null, packets: engine.packets });
    update(0);
    const remaining = maxPackets === undefined ? undefined : maxPackets - engine.packets;
    files.push(...(await readInputs([path], engine, io, { maxPackets: remaining, progress: false, onBytes: update, beforeFrame: () => !quit })));
    done += size;
    if (quit) break;
  }
  if (!quit) source.setReport(buildReport(engine, files, reportOpts));
  await view;
  return 0;
}

/** analyze --tui: the finished report in the view (or the table without a terminal). */
export async function showReport(lazy: LazyReport, io: CliIO, title: string): Promise<void> {
  const report = lazy.report;
  report.flows = [...lazy.flows()];
  report.traffic = [...lazy.traffic()];
  if (!canRunTui(io)) {
    printTableInstead(report, io, 'stdin and stdout are not both a terminal');
    return;
  }
  const { runTui, staticSource } = await loadTui();
  await runTui(staticSource(report, title), { color: colorOn(io) });
}

