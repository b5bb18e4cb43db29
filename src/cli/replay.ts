/**
 * `nps replay <capture...> --endpoint URL`: the captures through the engine on
 * their own clock, pushing to the endpoint on the reporting schedule as a
 * sensor would (SPEC §8): new assets at the end of each new_asset_interval,
 * changes and flows every update_interval, a final push at the end.
 */
import { loadConfig } from '../config/load.js';
import { Engine } from '../engine/engine.js';
import { engineLimits } from '../engine/limits.js';
import { PushFatalError } from '../push/sender.js';
import { PushSession } from '../push/session.js';
import { buildLazyReport } from '../report/build.js';
import { classifierFrom, configRef, parseCount } from './analyze.js';
import { EXIT_FAILURE, UsageError } from './errors.js';
import type { CliIO } from './io.js';
import { readInputs } from './read-inputs.js';
import { pushEventPrinter, pushSetup, redactUrl, type PushCliOptions } from './push-options.js';
import type { LiveSignals } from './live.js';
import { GENERATOR } from './version.js';

export interface ReplayOptions extends PushCliOptions {
  endpoint?: string;
  read?: string[];
  speed?: string;
  count?: string;
  config?: string;
  internal?: string[];
  quiet?: boolean;
  progress?: boolean;
}

export function parseSpeed(value: string | undefined): number | null {
  if (value === undefined || value === 'max') return null;
  const n = Number(value.replace(/x$/, ''));
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--speed takes 1 (real time), a factor such as 10, or max, not "${value}"`);
  return n;
}

export async function runReplay(captures: string[], opts: ReplayOptions, io: CliIO, signals: LiveSignals = process): Promise<number> {
  const inputs = [...captures, ...(opts.read ?? [])];
  if (inputs.length === 0) throw new UsageError('no capture given: nps replay <capture...> --endpoint URL');
  if (inputs.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
  if (opts.endpoint === undefined) throw new UsageError('--endpoint URL is required: where the pushes go (for a local test: nps receive, then --endpoint http://127.0.0.1:8443/push)');
  const speed = parseSpeed(opts.speed);
  const maxPackets = parseCount(opts.count);
  const loaded = loadConfig({ path: opts.config, cwd: process.cwd() });
  const classifier = classifierFrom(loaded, opts.internal);
  const setup = pushSetup(opts.endpoint, opts, io, '15m');
  const quiet = opts.quiet === true;
  const cfg = loaded.config;
  const counters = { sent: 0, duplicates: 0, retries: 0, dropped: 0 };
  const printer = pushEventPrinter(io, quiet, counters);

  const session = new PushSession({
    ...setup,
    sensor: { name: cfg.sensor.name, network: cfg.sensor.network },
    generator: GENERATOR,
    newAssetUs: cfg.reporting.newAssetIntervalUs,
    updateUs: cfg.reporting.updateIntervalUs,
    speed,
    ...printer,
  });
  if (!quiet && session.spooled > 0) io.stderr.write(`nps: sending ${session.spooled} push(es) left in ${setup.spoolDir} by an earlier run first\n`);

  const engine = new Engine({ classifier, intervalUs: cfg.reporting.updateIntervalUs, ...engineLimits(cfg.limits) });
  const reportOpts = {
    generator: GENERATOR,
    sensor: { name: cfg.sensor.name, network: cfg.sensor.network },
    config: configRef(loaded, opts.config),
    configWarnings: loaded.warnings,
  };
  const snapshot = () => buildLazyReport(engine, [], { ...reportOpts, snapshot: true });
  let stopping = false;
  const stop = () => {
    if (stopping) {
      // A second Ctrl-C: leave now; the spool keeps what was not sent.
      void session.close().then(() => process.exit(130));
      return;
    }
    stopping = true;
    if (!quiet) io.stderr.write('\nnps: stopping: a final push of what was read, then waiting for the endpoint (Ctrl-C again to leave it in the spool)\n');
  };
  for (const s of ['SIGINT', 'SIGTERM'] as const) signals.on(s, stop);

  try {
    const files = await readInputs(inputs, engine, io, {
      maxPackets,
      progress: !quiet && opts.progress !== false,
      stopped: () => stopping,
      beforeFrame: (f) => {
        if (stopping) return false;
        session.tick(f.tsUs, snapshot, engine.hosts.addressCount);
      },
    });
    const final = buildLazyReport(engine, files, reportOpts);
    session.finish(final, engine.packets > 0 ? engine.lastTs : Date.now() * 1000);
    if (!quiet && speed !== null) io.stderr.write(`nps: replaying at ${speed}x: ${session.queued} push(es) to go\n`);
    try {
      await session.drain();
    } catch (e) {
      if (e instanceof PushFatalError) {
        io.stderr.write(`nps: ${e.message}\n`);
        return EXIT_FAILURE;
      }
      throw e;
    }
    const line = `${session.built} push(es) made, ${counters.sent} sent to ${redactUrl(setup.target.url)}${counters.duplicates ? ` (${counters.duplicates} already there)` : ''}; ` +
      `${final.report.assets.length} assets, ${final.flowCount} flow rows, ${engine.packets} packets` +
      (counters.retries ? `; ${counters.retries} retries` : '') + (counters.dropped ? `; ${counters.dropped} DROPPED by the spool bound` : '');
    io.stdout.write(line + '\n');
    return counters.dropped > 0 ? EXIT_FAILURE : 0;
  } finally {
    for (const s of ['SIGINT', 'SIGTERM'] as const) signals.off(s, stop);
    await session.close();
  }
}

