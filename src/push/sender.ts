/**
 * The sender: takes the spool's documents one at a time, oldest first, and
 * POSTs each (gzip body, bearer token, Idempotency-Key) until the endpoint
 * answers 2xx; only then is the document removed from the spool. Transient
 * failures (network errors, timeouts, 408, 429, 5xx) retry the same document
 * with exponential backoff and full jitter; refusals that will not fix
 * themselves (other 4xx, certificate verification failures) stop the sender,
 * leaving the document in the spool. The token never appears in a message.
 */
import { rootCertificates } from 'node:tls';
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import { CliError, EXIT_FAILURE, UsageError } from '../cli/errors.js';
import { VERSION } from '../cli/version.js';
import type { Spool, SpoolEntry } from './spool.js';

export interface PushTarget {
  /** http:// or https:// URL of the endpoint (POST). */
  url: string;
  /** Bearer token (never logged or put in messages). */
  token: string;
  /** Extra CA certificate(s), PEM, for a private CA (verification stays on; public CAs still work). */
  ca?: Buffer;
  /** http://[user:pass@]host:port; Basic auth from the userinfo. */
  proxy?: string | null;
  /** Per attempt: connect, headers and body timeouts, and the whole attempt. */
  timeoutMs: number;
}

export type SendEvent =
  | { type: 'sent'; entry: SpoolEntry; status: number; duplicate: boolean }
  | { type: 'retry'; entry: SpoolEntry; attempt: number; delayMs: number; reason: string }
  | { type: 'dropped'; entry: SpoolEntry }
  | { type: 'fatal'; entry: SpoolEntry; status: number; message: string };

export interface SenderOptions {
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** > 0: give up (drain() rejects) when one document has been retried for longer. */
  giveUpAfterMs?: number;
  onEvent?: (e: SendEvent) => void;
}

/** The endpoint refused a document (or stayed unreachable past --give-up-after); status 0 for the latter and for TLS/proxy failures. */
export class PushFatalError extends CliError {
  constructor(
    message: string,
    readonly entry: SpoolEntry,
    readonly status: number,
  ) {
    super(message, EXIT_FAILURE);
    this.name = 'PushFatalError';
  }
}

const USER_AGENT = `nps/${VERSION}`;
const MAX_RESPONSE_BYTES = 64 * 1024;

/** Certificate verification failures: they will not fix themselves. */
const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_CHAIN_TOO_LONG',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

type Outcome =
  | { kind: 'ok'; status: number; duplicate: boolean }
  | { kind: 'retry'; reason: string; retryAfterMs: number | null }
  | { kind: 'fatal'; status: number; message: string }
  | { kind: 'gone' };

export class Sender {
  private readonly url: URL;
  private readonly dispatcher: Dispatcher;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly giveUpAfterMs: number;
  private readonly onEvent?: (e: SendEvent) => void;
  private readonly unsubscribeDrop: () => void;

  private started = false;
  private closed = false;
  private loop: Promise<void> | null = null;
  private inFlight: { entry: SpoolEntry; abort: AbortController; done: Promise<unknown> } | null = null;
  private fatal: PushFatalError | null = null;
  private drainWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  /** Wakes the loop when idle (notify) or in backoff (close, the entry dropped). */
  private wake: (() => void) | null = null;
  private current: SpoolEntry | null = null;

  constructor(
    private readonly spool: Spool,
    private readonly target: PushTarget,
    opts: SenderOptions = {},
  ) {
    try {
      this.url = new URL(target.url);
    } catch {
      throw new UsageError('the push endpoint is not a URL; give https://HOST[:PORT]/PATH');
    }
    if (this.url.protocol !== 'https:' && this.url.protocol !== 'http:') throw new UsageError(`the push endpoint must be an https:// (or http://) URL, not ${this.url.protocol}`);
    this.retryBaseMs = opts.retryBaseMs ?? 500;
    this.retryMaxMs = opts.retryMaxMs ?? 60_000;
    this.giveUpAfterMs = opts.giveUpAfterMs ?? 0;
    this.onEvent = opts.onEvent;
    this.dispatcher = makeDispatcher(target);
    this.unsubscribeDrop = spool.onDropped((e) => {
      this.emit({ type: 'dropped', entry: e });
      if (this.current?.name === e.name) this.wakeUp();
    });
  }

  /** Begins sending what the spool holds, oldest first. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.loop = this.run();
  }

  /** Call after spool.add(): wakes the loop. */
  notify(): void {
    if (this.current === null) this.wakeUp();
  }

  /**
   * Resolves when the spool is empty and nothing is in flight; rejects with
   * PushFatalError when the endpoint refuses a document or stays unreachable
   * past giveUpAfterMs. Starts the sender if start() was not called. A drain()
   * still pending when close() is called stays pending (the caller that closed
   * knows why).
   */
  drain(): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (!this.started && !this.closed) this.start();
    if (this.current === null && this.spool.list().length === 0) return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
    // The caller holds p; this only keeps a rejection nobody waits for any more from being "unhandled".
    p.catch(() => {});
    return p;
  }

  /** Stops after the current attempt (aborting it if it hangs); entries stay in the spool. */
  async close(): Promise<void> {
    if (this.closed) {
      await this.loop;
      return;
    }
    this.closed = true;
    this.wakeUp();
    const flight = this.inFlight;
    if (flight) {
      const grace = Math.min(this.target.timeoutMs, 2000);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((r) => (timer = setTimeout(r, grace)));
      await Promise.race([flight.done, late]);
      clearTimeout(timer);
      if (this.inFlight === flight) flight.abort.abort(new Error('closed'));
    }
    await this.loop;
    this.unsubscribeDrop();
    await this.dispatcher.destroy().catch(() => {});
  }

  // ---------------------------------------------------------------------------

  private async run(): Promise<void> {
    while (!this.closed && this.fatal === null) {
      const entry = this.spool.list()[0];
      if (entry === undefined) {
        this.settleDrained();
        await new Promise<void>((r) => (this.wake = r));
        this.wake = null;
        continue;
      }
      this.current = entry;
      try {
        await this.sendOne(entry);
      } finally {
        this.current = null;
      }
    }
  }

  /** Sends one entry until it is acknowledged, dropped, fatal, or the sender closes. */
  private async sendOne(entry: SpoolEntry): Promise<void> {
    let attempt = 0;
    let firstFailure = 0;
    while (!this.closed && this.spool.has(entry)) {
      const outcome = await this.attempt(entry);
      if (outcome.kind === 'gone' || (this.closed && outcome.kind !== 'ok')) return;
      if (outcome.kind === 'ok') {
        this.spool.remove(entry);
        this.emit({ type: 'sent', entry, status: outcome.status, duplicate: outcome.duplicate });
        return;
      }
      if (outcome.kind === 'fatal') {
        this.fail(new PushFatalError(this.scrub(outcome.message), entry, outcome.status));
        return;
      }
      attempt++;
      const now = Date.now();
      if (attempt === 1) firstFailure = now;
      const reason = this.scrub(outcome.reason);
      if (this.giveUpAfterMs > 0 && now - firstFailure >= this.giveUpAfterMs) {
        const left = this.spool.list().length;
        this.fail(
          new PushFatalError(
            this.scrub(
              `the push endpoint ${displayUrl(this.url)} has been unreachable for ${Math.round((now - firstFailure) / 1000)} s (last: ${reason}); ` +
                `giving up: the ${left} document(s) stay in the spool dir ${this.spool.dir} for the next run`,
            ),
            entry,
            0,
          ),
        );
        return;
      }
      let delay: number;
      if (outcome.retryAfterMs !== null) delay = Math.min(this.retryMaxMs, outcome.retryAfterMs);
      else {
        const d = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (attempt - 1));
        delay = d / 2 + Math.random() * (d / 2);
      }
      if (this.giveUpAfterMs > 0) delay = Math.max(0, Math.min(delay, firstFailure + this.giveUpAfterMs - now));
      delay = Math.round(delay);
      this.emit({ type: 'retry', entry, attempt, delayMs: delay, reason });
      await this.sleep(delay);
    }
  }

  private async attempt(entry: SpoolEntry): Promise<Outcome> {
    let body: Buffer;
    try {
      body = this.spool.read(entry);
    } catch (e) {
      // Gone from disk behind our back: nothing left to send.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.spool.remove(entry);
        return { kind: 'gone' };
      }
      throw e;
    }
    const abort = new AbortController();
    const timeoutMs = this.target.timeoutMs;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    this.inFlight = { entry, abort, done };
    try {
      const res = await request(this.url, {
        method: 'POST',
        dispatcher: this.dispatcher,
        signal: abort.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          authorization: `Bearer ${this.target.token}`,
          'idempotency-key': entry.key,
          'user-agent': USER_AGENT,
        },
        body,
      });
      const text = await readLimited(res.body);
      return this.classifyStatus(entry, res.statusCode, res.headers, text);
    } catch (err) {
      if (timedOut) return { kind: 'retry', reason: `no answer within ${timeoutMs} ms`, retryAfterMs: null };
      if (abort.signal.aborted) return { kind: 'retry', reason: 'aborted: the sender is closing', retryAfterMs: null };
      return this.classifyError(entry, err);
    } finally {
      clearTimeout(timer);
      this.inFlight = null;
      finish();
    }
  }

  private classifyStatus(entry: SpoolEntry, status: number, headers: Record<string, string | string[] | undefined>, text: string): Outcome {
    if (status >= 200 && status < 300) {
      let duplicate = false;
      try {
        const j = JSON.parse(text) as { status?: unknown };
        duplicate = j !== null && typeof j === 'object' && j.status === 'duplicate';
      } catch {
        /* not JSON: accepted all the same */
      }
      return { kind: 'ok', status, duplicate };
    }
    const statusText = `HTTP ${status}`;
    if (status === 408 || status === 429 || status >= 500) {
      let retryAfterMs: number | null = null;
      if (status === 429 || status === 503) retryAfterMs = parseRetryAfter(headers['retry-after']);
      const detail = errorText(text);
      return { kind: 'retry', reason: detail ? `${statusText}: ${detail}` : statusText, retryAfterMs };
    }
    // 1xx/3xx (no redirects are followed) and the other 4xx: refusals that will not change on a retry.
    const detail = errorText(text);
    const meaning =
      status === 401
        ? 'the token is wrong or missing: check --token-env/--token-file'
        : status === 403
          ? 'the token is not allowed to push here: check the token and the sensor/network it was issued for'
          : status === 404
            ? 'the endpoint URL is wrong (no push endpoint at that path)'
            : status === 413
              ? 'the document is larger than the endpoint accepts'
              : status === 400 || status === 422
                ? 'the endpoint rejected the document'
                : status >= 300 && status < 400
                  ? 'the endpoint redirects elsewhere; give the final URL'
                  : 'the endpoint refused the document';
    return {
      kind: 'fatal',
      status,
      message:
        `push ${entry.seq} to ${displayUrl(this.url)} refused: ${statusText}${detail ? ` (${detail})` : ''}: ${meaning}. ` +
        `The document is kept in the spool dir ${this.spool.dir} (${entry.name}) and is sent first on the next run.`,
    };
  }

  private classifyError(entry: SpoolEntry, err: unknown): Outcome {
    const chain = errorChain(err);
    const codes = chain.map((e) => (e as { code?: unknown }).code).filter((c): c is string => typeof c === 'string');
    const messages = chain.map((e) => (e instanceof Error ? e.message : String(e)));
    const tlsCode = codes.find((c) => TLS_VERIFY_CODES.has(c));
    const kept = `The document is kept in the spool dir ${this.spool.dir} (${entry.name}) and is sent first on the next run.`;
    if (tlsCode !== undefined) {
      const why = messages.find((m) => m.length > 0) ?? tlsCode;
      return {
        kind: 'fatal',
        status: 0,
        message:
          `push ${entry.seq} to ${displayUrl(this.url)}: the endpoint's TLS certificate does not verify (${tlsCode}: ${why}); ` +
          `for an endpoint with a private CA give its certificate with --ca FILE (PEM). ${kept}`,
      };
    }
    const proxyStatus = messages.map((m) => /Proxy response \((\d+)\)|Proxy Authentication Required \((\d+)\)/.exec(m)).find((m) => m !== null);
    if (proxyStatus) {
      const st = Number(proxyStatus[1] ?? proxyStatus[2]);
      if (st === 407)
        return {
          kind: 'fatal',
          status: 0,
          message: `push ${entry.seq}: the proxy ${displayUrl(this.target.proxy ?? '')} wants credentials (407 Proxy Authentication Required): give them in the proxy URL, http://USER:PASSWORD@HOST:PORT. ${kept}`,
        };
      return { kind: 'retry', reason: `the proxy answered ${st} to CONNECT`, retryAfterMs: null };
    }
    const code = codes.find((c) => c !== 'UND_ERR') ?? codes[0];
    const msg = messages.find((m) => m.length > 0) ?? 'error';
    const reason =
      code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT'
        ? `no answer within ${this.target.timeoutMs} ms (${code})`
        : code !== undefined
          ? `${code}: ${msg}`
          : msg;
    return { kind: 'retry', reason, retryAfterMs: null };
  }

  private fail(err: PushFatalError): void {
    this.fatal = err;
    this.emit({ type: 'fatal', entry: err.entry, status: err.status, message: err.message });
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w.reject(err);
  }

  private settleDrained(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w.resolve();
  }

  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((r) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        r();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = null;
    });
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private emit(e: SendEvent): void {
    if (!this.onEvent) return;
    try {
      this.onEvent(e);
    } catch {
      /* a listener's failure must not stop sending */
    }
  }

  /** Belt and braces: an endpoint that echoes the Authorization header must not put the token in a message. */
  private scrub(s: string): string {
    const t = this.target.token;
    return t.length >= 4 ? s.split(t).join('***') : s;
  }
}

function makeDispatcher(target: PushTarget): Dispatcher {
  const timeout = target.timeoutMs;
  const ca = target.ca ? [...rootCertificates, target.ca.toString('latin1')] : undefined;
  const common = { headersTimeout: timeout, bodyTimeout: timeout, connectTimeout: timeout };
  if (target.proxy) {
    let p: URL;
    try {
      p = new URL(target.proxy);
    } catch {
      throw new UsageError(`the proxy "${displayUrl(target.proxy)}" is not a URL (http://[user:password@]HOST:PORT)`);
    }
    let token: string | undefined;
    if (p.username || p.password) {
      token = 'Basic ' + Buffer.from(`${decodeURIComponent(p.username)}:${decodeURIComponent(p.password)}`).toString('base64');
      p.username = '';
      p.password = '';
    }
    return new ProxyAgent({
      ...common,
      uri: p.toString(),
      token,
      requestTls: { ...(ca ? { ca } : {}), timeout },
      proxyTls: { timeout },
    });
  }
  return new Agent({ ...common, connect: { ...(ca ? { ca } : {}), timeout } });
}

/** Proxy from the environment for a target URL (HTTPS_PROXY/https_proxy, HTTP_PROXY/http_proxy), honouring NO_PROXY/no_proxy. */
export function proxyFromEnv(url: string, env: NodeJS.ProcessEnv): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const pick = (...names: string[]) => {
    for (const n of names) {
      const v = env[n]?.trim();
      if (v) return v;
    }
    return null;
  };
  let proxy: string | null;
  if (u.protocol === 'https:') proxy = pick('HTTPS_PROXY', 'https_proxy');
  else if (u.protocol === 'http:') proxy = pick('HTTP_PROXY', 'http_proxy');
  else return null;
  if (proxy === null) return null;
  const noProxy = pick('NO_PROXY', 'no_proxy');
  if (noProxy !== null && bypassProxy(u, noProxy)) return null;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(proxy)) proxy = `http://${proxy}`;
  return proxy;
}

function bypassProxy(u: URL, noProxy: string): boolean {
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  for (let raw of noProxy.split(/[\s,]+/)) {
    raw = raw.trim().toLowerCase();
    if (raw === '') continue;
    if (raw === '*') return true;
    let entryHost = raw;
    let entryPort: string | null = null;
    const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(raw);
    const hp = /^([^:]+):(\d+)$/.exec(raw);
    if (bracket) {
      entryHost = bracket[1]!;
      entryPort = bracket[2] ?? null;
    } else if (hp) {
      entryHost = hp[1]!;
      entryPort = hp[2]!;
    }
    entryHost = entryHost.replace(/^\*?\./, '').replace(/\.$/, '');
    if (entryPort !== null && entryPort !== port) continue;
    if (host === entryHost || host.endsWith('.' + entryHost)) return true;
  }
  return false;
}

/** A URL fit for a message: no userinfo, no query (it might hold a secret). */
function displayUrl(url: URL | string): string {
  try {
    const u = typeof url === 'string' ? new URL(url) : new URL(url.toString());
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

async function readLimited(body: AsyncIterable<Buffer> & { destroy?: () => void }): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    chunks.push(c);
    n += c.length;
    if (n >= MAX_RESPONSE_BYTES) break; // leaving the loop destroys the stream
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The endpoint's error text: the JSON body's `error` (or `message`) field, else the first 200 characters. */
function errorText(text: string): string {
  const t = text.trim();
  if (t === '') return '';
  try {
    const j = JSON.parse(t) as { error?: unknown; message?: unknown };
    if (j !== null && typeof j === 'object') {
      const e = j.error ?? j.message;
      if (typeof e === 'string') return clip(e);
      if (e !== undefined) return clip(JSON.stringify(e));
    }
  } catch {
    /* not JSON */
  }
  return clip(t);
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? one.slice(0, 200) + '…' : one;
}

/** Retry-After: delta-seconds or an HTTP date; null when absent or unparsable. */
function parseRetryAfter(v: string | string[] | undefined): number | null {
  const s = (Array.isArray(v) ? v[0] : v)?.trim();
  if (!s) return null;
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  if (Number.isNaN(t)) return null;
  return Math.max(0, t - Date.now());
}

function errorChain(err: unknown): unknown[] {
  const out: unknown[] = [];
  let e: unknown = err;
  while (e !== undefined && e !== null && out.length < 8 && !out.includes(e)) {
    out.push(e);
    if (e instanceof AggregateError) out.push(...e.errors);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}
