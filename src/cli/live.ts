/**
 * `nps live --iface NAME [filter...]`: the engine on a live interface. A
 * capture program (tcpdump, or dumpcap) writes pcap to a pipe that the same
 * streaming reader as `analyze` reads. Snapshots are written every
 * --snapshot-interval; SIGINT/SIGTERM (or --duration, -c) stop the capture,
 * the pipe is drained, and the final report is written.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import type { CaptureInfo } from '../capture/frame.js';
import { CaptureOpenError, readCaptureStream } from '../capture/reader.js';
import { loadConfig, parseDuration } from '../config/load.js';
import { Engine } from '../engine/engine.js';
import { engineLimits } from '../engine/limits.js';
import {
  CaptureProgramError,
  classifyFailure,
  findExecutable,
  listInterfaces,
  missingProgram,
  noSuchInterface,
  parseStats,
  startCapture,
  type CaptureChild,
  type CaptureProgramName,
  type CaptureSpec,
} from '../live/capture-program.js';
import { buildLazyReport, buildReport, type LazyReport, type Report, type ReportFile } from '../report/build.js';
import type { TuiSource } from '../tui/app.js';
import { canRunTui } from './tui.js';
import { classifierFrom, configRef, parseCount, parseFormat, parseView, writeCsvViews, writeReport, type Format, type View } from './analyze.js';
import { CliError, InputError, UsageError } from './errors.js';
import { colorFor, type CliIO } from './io.js';
import { GENERATOR } from './version.js';
import { loadTui } from '../tui/load.js';
import { PushFatalError } from '../push/sender.js';
import { PushSession } from '../push/session.js';
import { pushEventPrinter, pushSetup, type PushCliOptions } from './push-options.js';

export interface LiveOptions extends PushCliOptions {
  push?: string;
  tui?: boolean;
  iface?: string;
  format?: string;
  output?: string;
  view?: string;
  count?: string;
  duration?: string;
  snapshotInterval?: string;
  config?: string;
  internal?: string[];
  snaplen?: string;
  promisc?: boolean;
  bufferSize?: string;
  captureProgram?: string;
  write?: string;
  deterministic?: boolean;
  quiet?: boolean;
}

/** Signals the command listens to; injectable so in-process tests need not signal the test runner. */
export interface LiveSignals {
  on(signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP', handler: () => void): void;
  off(signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP', handler: () => void): void;
}

function positiveSeconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const us = parseDuration(value);
  if (us === null || us <= 0) throw new UsageError(`${flag} takes a duration above zero such as 30s, 5m or 1h (a bare number is seconds), not "${value}"`);
  return us / 1e6;
}

function parseSpec(opts: LiveOptions, filter: string[]): CaptureSpec {
  if (opts.iface === undefined || opts.iface === '') {
    throw new UsageError(`no interface given: nps live -i <interface> [filter]; interfaces here: ${listInterfaces().join(', ') || '(none found)'}`);
  }
  const program = opts.captureProgram ?? 'tcpdump';
  if (program !== 'tcpdump' && program !== 'dumpcap') throw new UsageError(`--capture-program must be tcpdump or dumpcap, not "${program}"`);
  const snaplen = opts.snaplen === undefined ? 262144 : Number(opts.snaplen);
  if (!Number.isInteger(snaplen) || snaplen < 64 || snaplen > 262144) throw new UsageError(`-s/--snaplen takes a whole number of bytes from 64 to 262144, not "${opts.snaplen}"`);
  let bufferMiB: number | undefined;
  if (opts.bufferSize !== undefined) {
    bufferMiB = Number(opts.bufferSize);
    if (!(bufferMiB >= 1 && bufferMiB <= 4096)) throw new UsageError(`--buffer-size takes MiB from 1 to 4096, not "${opts.bufferSize}"`);
  }
  return { program: program as CaptureProgramName, iface: opts.iface, snaplen, promisc: opts.promisc !== false, bufferMiB, filter };
}

/** "20260114T060000Z": a file-name-safe UTC time. */
function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Shortest time between two refreshes of the live TUI. */
const TUI_REFRESH_MS = 1000;

const EXTENSION: Record<Format, string> = { json: 'json', ndjson: 'ndjson', table: 'txt', csv: '' };

/** Copies the capture program's bytes to a file as they pass (--write), and notes the format. */
class Tee extends Transform {
  format: 'pcap' | 'pcapng' = 'pcap';
  bytes = 0;
  constructor(private readonly fd: number | null) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.bytes === 0 && chunk.length >= 4 && chunk.readUInt32BE(0) === 0x0a0d0d0a) this.format = 'pcapng';
    this.bytes += chunk.length;
    if (this.fd !== null) for (let off = 0; off < chunk.length; ) off += writeSync(this.fd, chunk, off);
    done(null, chunk);
  }
}

export async function runLive(filter: string[], opts: LiveOptions, io: CliIO, signals: LiveSignals = process): Promise<number> {
  const spec = parseSpec(opts, filter);
  const snapshotSec = positiveSeconds(opts.snapshotInterval, '--snapshot-interval');
  const durationSec = positiveSeconds(opts.duration, '--duration');
  const maxPackets = parseCount(opts.count);
  if (snapshotSec !== undefined && (opts.output === undefined || opts.output === '-')) {
    throw new UsageError('--snapshot-interval needs -o/--output DIR: the directory the snapshots (and the final report) are written to');
  }
  // Snapshots go to a directory; without them, -o is a file as for analyze.
  const format = parseFormat(opts.format, io.stdout, snapshotSec !== undefined ? undefined : opts.output);
  const view = parseView(opts.view);
  if (view === 'merge') throw new UsageError('--view merge is for analyze --managed and nps merge');
  if (view !== undefined && (format === 'json' || format === 'ndjson')) throw new UsageError(`--view applies to -f table and -f csv; ${format} always holds every view`);
  const loaded = loadConfig({ path: opts.config, cwd: process.cwd() });
  const classifier = classifierFrom(loaded, opts.internal);
  // The interactive view owns the terminal: no status line or notes on stderr while it runs.
  const tui = opts.tui === true && canRunTui(io);
  if (opts.tui === true && !tui) io.stderr.write('nps: --tui needs a terminal on stdin and stdout; going on without the interactive view\n');
  const quiet = opts.quiet === true || tui;

  const path = findExecutable(spec.program, io.env.PATH ?? process.env.PATH);
  if (path === null) throw new InputError(missingProgram(spec.program).message);
  const interfaces = listInterfaces();
  if (spec.iface !== 'any' && interfaces.length > 0 && !interfaces.includes(spec.iface)) throw new InputError(noSuchInterface(spec.iface, interfaces).message);
  if (snapshotSec !== undefined) {
    try {
      mkdirSync(opts.output!, { recursive: true });
    } catch (e) {
      throw new CliError(`cannot create the snapshot directory ${opts.output}: ${(e as Error).message}`, 3);
    }
  }
  let teeFd: number | null = null;
  if (opts.write !== undefined) {
    try {
      teeFd = openSync(opts.write, 'w');
    } catch (e) {
      throw new CliError(`cannot write the capture to ${opts.write}: ${(e as Error).message}; check that the directory exists and is writable`, 3);
    }
  }

  const engine = new Engine({ classifier, intervalUs: loaded.config.reporting.updateIntervalUs, ...engineLimits(loaded.config.limits) });
  // --push: the reporting schedule on the wall clock, pushes spooled and sent as they fall due.
  const pushCounters = { sent: 0, duplicates: 0, retries: 0, dropped: 0 };
  const push =
    opts.push === undefined
      ? null
      : new PushSession({
          ...pushSetup(opts.push, opts, io, '0'),
          sensor: { name: loaded.config.sensor.name, network: loaded.config.sensor.network },
          generator: GENERATOR,
          newAssetUs: loaded.config.reporting.newAssetIntervalUs,
          updateUs: loaded.config.reporting.updateIntervalUs,
          speed: null,
          ...pushEventPrinter(io, quiet, pushCounters),
        });
  const sourceName = `${spec.program}:${spec.iface}`;
  const reportOpts = {
    generator: GENERATOR,
    deterministic: opts.deterministic,
    sensor: { name: loaded.config.sensor.name, network: loaded.config.sensor.network },
    config: configRef(loaded, opts.config),
    configWarnings: loaded.warnings,
  };

  const child: CaptureChild = startCapture(path, spec, io.env);
  let childDone = false;
  const childExit = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.on('close', (code, signal) => {
      childDone = true;
      resolve({ code, signal });
    });
    child.on('error', () => {
      childDone = true;
      resolve({ code: null, signal: null });
    });
  });
  // Whatever happens to nps from here on, the capture program goes with it.
  const killChild = () => {
    if (!childDone) child.kill('SIGKILL');
  };
  process.on('exit', killChild);

  let stderrText = '';
  let listening = false;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (t: string) => {
    stderrText += t;
    if (stderrText.length > 65536) stderrText = stderrText.slice(-32768);
    if (!listening && /listening on|Capturing on/.test(stderrText)) {
      listening = true;
      if (!quiet) {
        io.stderr.write(
          `nps: capturing on ${spec.iface} with ${spec.program}${spec.filter.length ? ` (filter: ${spec.filter.join(' ')})` : ''}; ` +
            'Ctrl-C stops and writes the report\n',
        );
      }
    }
  });

  let stopping = false;
  const stop = () => {
    if (stopping) {
      // A second Ctrl-C: stop waiting for the program to flush.
      killChild();
      return;
    }
    stopping = true;
    if (!childDone) child.kill('SIGTERM');
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) signals.on(s, stop);
  const timers: NodeJS.Timeout[] = [];
  /** The TUI's next refresh (rescheduled after each one). */
  let tuiTimer: NodeJS.Timeout | null = null;
  if (durationSec !== undefined) timers.push(setTimeout(stop, durationSec * 1000));

  const tee = new Tee(teeFd);
  const infoSoFar = (): CaptureInfo => ({ format: tee.format, gzip: false, linkTypes: engine.linkTypes.slice(), packets: engine.packets, bytesRead: tee.bytes, problems: [] });
  let snapshotError: Error | null = null;
  if (snapshotSec !== undefined) {
    timers.push(
      setInterval(() => {
        try {
          const lazy = buildLazyReport(engine, [{ path: sourceName, info: infoSoFar() }], { ...reportOpts, snapshot: true });
          writeInto(opts.output!, `snapshot-${stamp(new Date())}`, lazy, format, view, io);
        } catch (e) {
          snapshotError = e as Error;
          stop();
        }
      }, snapshotSec * 1000),
    );
  }
  const status = statusLine(io, quiet, spec, child, engine, () => stderrText);
  if (status) timers.push(status.timer);
  // --tui: a snapshot of the report every second; quitting the view stops the capture.
  let tuiView: Promise<void> | null = null;
  let source: (TuiSource & { setReport(r: Report): void }) | null = null;
  if (tui) {
    const { runTui, mutableSource } = await loadTui();
    source = mutableSource(`live: ${spec.iface}`, true);
    const src = source;
    // A snapshot costs time in proportion to what the engine holds (a busy
    // network's flow rows): the next one waits at least four times as long as
    // this one took, so the view takes at most a fifth of the time and the
    // capture keeps up.
    const refresh = () => {
      const t0 = performance.now();
      src.setReport(buildReport(engine, [{ path: sourceName, info: infoSoFar() }], { ...reportOpts, snapshot: true }));
      tuiTimer = setTimeout(refresh, Math.max(TUI_REFRESH_MS, 4 * (performance.now() - t0)));
    };
    refresh();
    const shown = runTui(src, { color: colorFor(io.stdout, io.env).level > 0 });
    tuiView = shown;
    void shown.then(stop);
  }
  if (push !== null) {
    const snapshotNow = () => buildLazyReport(engine, [{ path: sourceName, info: infoSoFar() }], { ...reportOpts, snapshot: true });
    push.tick(Date.now() * 1000, snapshotNow, engine.hosts.addressCount);
    timers.push(setInterval(() => push.tick(Date.now() * 1000, snapshotNow, engine.hosts.addressCount), 1000));
  }

  let info: CaptureInfo;
  try {
    info = await readCaptureStream(child.stdout.pipe(tee), sourceName, (f) => engine.frame(f), { maxPackets });
  } catch (e) {
    if (!(e instanceof CaptureOpenError)) throw e;
    // Nothing came through the pipe: the program failed to start the capture.
    const exit = await childExit;
    cleanup();
    if (stopping && exit.code === 0) info = infoSoFar();
    else {
      await push?.close();
      throw new InputError(classifyFailure(spec, stderrText, exit.code, exit.signal).message);
    }
  } finally {
    if (!childDone) child.kill('SIGTERM'); // -c reached: the reader stopped first
  }
  const exit = await childExit;
  cleanup();
  status?.clear();
  if (snapshotError !== null) throw new CliError(`cannot write a snapshot into ${opts.output}: ${(snapshotError as Error).message}`, 3);

  const files: ReportFile[] = [{ path: sourceName, info }];
  const lazy = buildLazyReport(engine, files, reportOpts);
  const stats = parseStats(stderrText);
  if (stats.dropped !== null && stats.dropped > 0) {
    lazy.report.warnings.push({
      code: 'capture-drops',
      message: `${spec.program} reported ${stats.dropped} packets dropped on ${spec.iface} (kernel buffer or interface): they are missing from the inventory and traffic; narrow the filter, or raise --buffer-size`,
      count: stats.dropped,
    });
  }
  if (!stopping && exit.code !== 0 && exit.code !== null && maxPackets === undefined) {
    lazy.report.warnings.push({
      code: 'truncated-capture',
      message: `${spec.program} stopped on its own (status ${exit.code}): ${stderrText.trim().split('\n').pop() ?? ''}; the report covers what was captured until then`,
      count: 1,
      file: sourceName,
      reason: 'capture-program-exit',
    });
  }
  if (tuiView !== null && source !== null) {
    // The capture ended (duration, count, or the view was quit): show the final report until the user quits.
    source.setReport({ ...lazy.report, flows: [...lazy.flows()], traffic: [...lazy.traffic()] });
    await tuiView;
  }
  if (push !== null) await finishPush(push, lazy, io, quiet, pushCounters);
  if (snapshotSec !== undefined) writeInto(opts.output!, `final-${stamp(new Date())}`, lazy, format, view, io);
  else if (format === 'csv') writeCsvViews(lazy, view, opts.output, io);
  else writeReport(lazy, format, opts.output, io, view);
  if (!quiet) {
    const warn = colorFor(io.stderr, io.env);
    for (const w of lazy.report.warnings) io.stderr.write(`${warn.yellow('nps: warning:')} ${String(w.message)}\n`);
    io.stderr.write(`nps: ${engine.packets} packets captured on ${spec.iface}${stats.dropped !== null ? `, ${stats.dropped} dropped` : ''}\n`);
  }
  return 0;

  function cleanup(): void {
    for (const t of timers) clearTimeout(t);
    if (tuiTimer !== null) clearTimeout(tuiTimer);
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) signals.off(s, stop);
    process.off('exit', killChild);
    if (teeFd !== null) {
      closeSync(teeFd);
      teeFd = null;
    }
  }
}

/** The final push, then up to 30 s for the endpoint to take what is spooled; the rest waits in the spool. */
async function finishPush(push: PushSession, lazy: LazyReport, io: CliIO, quiet: boolean, counters: { sent: number }): Promise<void> {
  push.finish(lazy, Date.now() * 1000);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 30000)));
  try {
    const outcome = await Promise.race([push.drain().then(() => 'done' as const), timeout]);
    if (outcome === 'timeout' && !quiet) io.stderr.write(`nps: the endpoint did not take every push within 30 s; ${push.queued} wait in the spool for the next run\n`);
    else if (!quiet) io.stderr.write(`nps: ${counters.sent} push(es) sent\n`);
  } catch (e) {
    if (!(e instanceof PushFatalError)) throw e;
    io.stderr.write(`nps: ${e.message}\n`);
  } finally {
    clearTimeout(timer);
    await push.close();
  }
}

/** Writes a report into `dir` as NAME.EXT (CSV: a directory NAME/ of views), atomically. */
function writeInto(dir: string, name: string, lazy: LazyReport, format: Format, view: View | undefined, io: CliIO): void {
  if (format === 'csv') writeCsvViews(lazy, view, join(dir, name) + '/', io);
  else writeReport(lazy, format, join(dir, `${name}.${EXTENSION[format]}`), io, view);
}

/** One status line on stderr, refreshed every second, when stderr is a terminal. */
function statusLine(io: CliIO, quiet: boolean, spec: CaptureSpec, child: CaptureChild, engine: Engine, stderrText: () => string) {
  if (quiet || !io.stderr.isTTY) return null;
  const started = Date.now();
  const timer = setInterval(() => {
    // tcpdump prints its counters on SIGUSR1 (Linux); dumpcap only at the end.
    if (spec.program === 'tcpdump' && child.exitCode === null) child.kill('SIGUSR1');
    const { dropped } = parseStats(stderrText());
    const secs = Math.round((Date.now() - started) / 1000);
    const hms = `${Math.floor(secs / 3600)}:${String(Math.floor(secs / 60) % 60).padStart(2, '0')}:${String(secs % 60).padStart(2, '0')}`;
    io.stderr.write(
      `\r\x1b[K${spec.iface} ${hms}  ${engine.packets} packets  ${dropped ?? 0} dropped  ${engine.hosts.addressCount} addresses  ${engine.flows.created} connections`,
    );
  }, 1000);
  return { timer, clear: () => io.stderr.write('\r\x1b[K') };
}
