/** The options shared by `nps replay` and `nps live --push`: where and how pushes go. */
import { readFileSync } from 'node:fs';
import { parseDuration } from '../config/load.js';
import { proxyFromEnv, type PushTarget, type SendEvent } from '../push/sender.js';
import { readToken } from '../push/session.js';
import type { SpoolEntry } from '../push/spool.js';
import { CliError, InputError, UsageError } from './errors.js';
import type { CliIO } from './io.js';

export interface PushCliOptions {
  tokenEnv?: string;
  tokenFile?: string;
  ca?: string;
  proxy?: string;
  timeout?: string;
  spool?: string;
  spoolMax?: string;
  giveUpAfter?: string;
}

export interface PushSetup {
  target: PushTarget;
  spoolDir: string;
  spoolMaxBytes: number;
  giveUpAfterMs: number;
}

/** "https://user:***@proxy:3128": a URL fit for a message. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

export function pushSetup(endpoint: string, opts: PushCliOptions, io: CliIO, defaultGiveUp: string): PushSetup {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UsageError(`the endpoint "${redactUrl(endpoint)}" is not a URL; give https://HOST[:PORT]/PATH`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`the endpoint must be an https:// (or http://) URL, not ${url.protocol}`);
  if (url.username || url.password) throw new UsageError('the endpoint URL must not hold credentials; the token comes from --token-env or --token-file');
  const token = readToken(opts, io.env);
  if ('error' in token) throw new CliError(token.error, token.code);
  let ca: Buffer | undefined;
  if (opts.ca !== undefined) {
    try {
      ca = readFileSync(opts.ca);
    } catch (e) {
      throw new InputError(`cannot read the CA file ${opts.ca} (--ca): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; give a PEM file with the private CA's certificate`);
    }
    if (!ca.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) throw new InputError(`${opts.ca} (--ca) holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`);
  }
  const proxy = opts.proxy ?? proxyFromEnv(endpoint, io.env);
  if (proxy !== null) {
    try {
      const p = new URL(proxy);
      if (p.protocol !== 'http:' && p.protocol !== 'https:') throw new Error('scheme');
    } catch {
      throw new UsageError(`the proxy "${redactUrl(proxy)}" is not an http:// URL (http://[user:password@]HOST:PORT)`);
    }
  }
  const timeoutUs = parseDuration(opts.timeout ?? '30s');
  if (timeoutUs === null || timeoutUs <= 0) throw new UsageError(`--timeout takes a duration such as 30s, not "${opts.timeout}"`);
  const giveUpUs = parseDuration(opts.giveUpAfter ?? defaultGiveUp);
  if (giveUpUs === null) throw new UsageError(`--give-up-after takes a duration such as 15m (0: never), not "${opts.giveUpAfter}"`);
  const spoolMiB = opts.spoolMax === undefined ? 512 : Number(opts.spoolMax);
  if (!(spoolMiB >= 1)) throw new UsageError(`--spool-max takes MiB (1 or more), not "${opts.spoolMax}"`);
  return {
    target: { url: url.toString(), token: token.token, ca, proxy, timeoutMs: timeoutUs / 1000 },
    spoolDir: opts.spool ?? 'nps-spool',
    spoolMaxBytes: spoolMiB * 1024 * 1024,
    giveUpAfterMs: giveUpUs / 1000,
  };
}

/** Messages on stderr for what the sender does: retries quietly counted, drops loudly. */
export function pushEventPrinter(io: CliIO, quiet: boolean, counters: { sent: number; duplicates: number; retries: number; dropped: number }) {
  return {
    onEvent: (e: SendEvent) => {
      if (e.type === 'sent') {
        counters.sent++;
        if (e.duplicate) counters.duplicates++;
      } else if (e.type === 'retry') {
        counters.retries++;
        if (!quiet && (e.attempt === 1 || e.attempt % 5 === 0)) io.stderr.write(`nps: push ${e.entry.seq} not accepted yet (${e.reason}); retry ${e.attempt} in ${(e.delayMs / 1000).toFixed(1)} s\n`);
      }
    },
    onDrop: (e: SpoolEntry) => {
      counters.dropped++;
      // Loud even with --quiet: data is lost.
      io.stderr.write(`nps: WARNING: the spool is over --spool-max: dropped push ${e.seq} (${e.key}, ${e.bytes} bytes), oldest first; its assets and flows will not reach the endpoint\n`);
    },
  };
}
