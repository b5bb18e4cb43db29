/**
 * The HTTP(S) server of `nps receive`:
 *   POST /push       store one nps.push/v1 document (bearer token, gzip or identity body)
 *   GET  /inventory  the merged inventory (bearer token)
 *   GET  /health     liveness and counts (no token)
 * A push is answered 2xx only after it was appended to the store and fsynced.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { Inventory } from './inventory.js';
import type { PushStore } from './store.js';
import { validatePush } from './validate.js';

const gunzipAsync = promisify(gunzip);

export const DEFAULT_MAX_BODY = 16 * 1024 * 1024;
export const MAX_DECOMPRESSED_CAP = 256 * 1024 * 1024;

/** The limit on a decompressed body: 8× the body limit, at most 256 MiB (and never below the body limit). */
export function decompressedLimit(maxBody: number): number {
  return Math.max(maxBody, Math.min(8 * maxBody, MAX_DECOMPRESSED_CAP));
}

export interface ReceiveServerOptions {
  host: string;
  port: number;
  /** The bearer token; only its SHA-256 is kept by the server. */
  token: string;
  maxBody: number;
  maxDecompressed: number;
  tls?: { cert: Buffer; key: Buffer };
  store: PushStore;
  inventory: Inventory;
  /** One line per event (stored, duplicate, rejected); never holds the token. */
  log?: (line: string) => void;
  /** How long close() waits for in-flight requests before cutting connections (ms). */
  closeGraceMs?: number;
  /** Header and whole-request timeouts (ms). */
  requestTimeoutMs?: number;
}

export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  /** Stops accepting, lets in-flight requests finish (up to closeGraceMs), then resolves. */
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest();

/** Host for a URL: IPv6 literals in brackets. */
export function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export async function startReceiveServer(opts: ReceiveServerOptions): Promise<RunningServer> {
  const tokenHash = sha256(opts.token);
  const log = opts.log ?? (() => {});
  let closing = false;
  let inFlight = 0;
  let idle: (() => void) | null = null;

  function authorized(req: IncomingMessage): boolean {
    const h = req.headers.authorization;
    const m = typeof h === 'string' ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(h) : null;
    // Hashes have equal lengths, so the comparison leaks neither the token nor its length.
    const given = sha256(m ? m[1]! : `\u0000no token ${Math.random()}`);
    return timingSafeEqual(given, tokenHash) && m !== null;
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    const text = `${JSON.stringify(body)}\n`;
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(text)),
      'Cache-Control': 'no-store',
      ...(closing ? { Connection: 'close' } : {}),
      ...headers,
    });
    res.end(text);
  }

  /** An answer before the body was read whole: the connection is closed after it, so the rest is never read. */
  function refuse(res: ServerResponse, e: HttpError): void {
    const body: Record<string, unknown> = { error: e.message };
    if (e.details !== undefined) body.details = e.details;
    send(res, e.status, body, { Connection: 'close', ...e.headers });
  }

  /** Reads the body as sent, up to `limit` bytes; rejects with 413 past it and on a client that goes away. */
  function readBody(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const finish = (err: Error | null, buf?: Buffer) => {
        if (done) return;
        done = true;
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        req.off('close', onClose);
        if (err) reject(err);
        else resolve(buf!);
      };
      const onData = (c: Buffer) => {
        size += c.length;
        if (size > opts.maxBody) {
          req.pause();
          finish(new HttpError(413, `the body is larger than ${opts.maxBody} bytes (--max-body)`));
          return;
        }
        chunks.push(c);
      };
      const onEnd = () => finish(null, Buffer.concat(chunks, size));
      const onError = (e: Error) => finish(new HttpError(499, `the client went away: ${e.message}`));
      const onClose = () => {
        if (!req.complete) finish(new HttpError(499, 'the client went away before the body was complete'));
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
      req.on('close', onClose);
      if (expectContinue) res.writeContinue();
    });
  }

  async function decode(raw: Buffer, encoding: string): Promise<Buffer> {
    if (encoding === 'identity') return raw;
    try {
      return await gunzipAsync(raw, { maxOutputLength: opts.maxDecompressed });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
        throw new HttpError(413, `the body decompresses to more than ${opts.maxDecompressed} bytes`);
      }
      throw new HttpError(400, 'the body is not valid gzip (Content-Encoding: gzip)', (e as Error).message);
    }
  }

  async function handlePush(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): Promise<void> {
    const remote = req.socket.remoteAddress ?? '?';
    if (!authorized(req)) {
      throw new HttpError(401, 'missing or wrong bearer token (Authorization: Bearer <token>)', undefined, { 'WWW-Authenticate': 'Bearer realm="nps"' });
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > opts.maxBody) {
      throw new HttpError(413, `the body (Content-Length ${Number(declared)}) is larger than ${opts.maxBody} bytes (--max-body)`);
    }
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase() || 'identity';
    if (encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== 'identity') {
      throw new HttpError(415, `Content-Encoding "${encoding}" is not supported; send gzip or identity`);
    }
    const raw = await readBody(req, res, expectContinue);
    const body = await decode(raw, encoding === 'identity' ? 'identity' : 'gzip');
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      throw new HttpError(400, 'the body is not UTF-8 text');
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new HttpError(400, 'the body is not valid JSON', (e as Error).message);
    }
    const checked = validatePush(value);
    if (!checked.ok) {
      const first = checked.errors.slice(0, 3).map((p) => `${p.path} ${p.message}`).join('; ');
      throw new HttpError(400, `the document is not a valid nps.push/v1 (docs/push.schema.json): ${first}`, checked.errors.length < checked.total ? [...checked.errors, { path: '', message: `... ${checked.total - checked.errors.length} more` }] : checked.errors);
    }
    const doc = checked.doc;
    const headerKey = req.headers['idempotency-key'];
    if (typeof headerKey === 'string' && headerKey !== doc.idempotency_key) {
      throw new HttpError(400, 'the Idempotency-Key header differs from the document\'s idempotency_key', { header: headerKey, idempotency_key: doc.idempotency_key });
    }
    // From here to the answer nothing awaits: the check and the append are one step (see store.ts).
    if (opts.store.has(doc.idempotency_key)) {
      log(`duplicate push ${doc.idempotency_key} from ${remote} (already stored)`);
      send(res, 200, { status: 'duplicate', idempotency_key: doc.idempotency_key });
      return;
    }
    let record: number;
    try {
      opts.store.append(doc);
      record = opts.store.count;
    } catch (e) {
      log(`cannot store push ${doc.idempotency_key}: ${(e as Error).message}`);
      throw new HttpError(500, 'the push could not be stored; retry later');
    }
    opts.inventory.apply(doc);
    log(
      `stored push ${doc.idempotency_key} from ${remote}: sensor ${doc.sensor.name} (${doc.sensor.network}) #${doc.sequence}, ` +
        `${doc.new_assets.length} new, ${doc.changed_assets.length} changed assets, ${doc.flows.length} flows${doc.final ? ', final' : ''}`,
    );
    send(res, 200, { status: 'stored', idempotency_key: doc.idempotency_key, sequence: doc.sequence, record });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): Promise<void> {
    let path = '/';
    try {
      path = new URL(req.url ?? '/', 'http://x').pathname;
    } catch {
      path = req.url ?? '/';
    }
    const method = req.method ?? 'GET';
    const routes: Record<string, string[]> = { '/push': ['POST'], '/inventory': ['GET', 'HEAD'], '/health': ['GET', 'HEAD'] };
    const allowed = routes[path];
    if (!allowed) throw new HttpError(404, `no such path ${JSON.stringify(path)}: POST /push, GET /inventory, GET /health`);
    if (!allowed.includes(method)) throw new HttpError(405, `${method} is not allowed on ${path}`, undefined, { Allow: allowed.join(', ') });
    if (path === '/push') return handlePush(req, res, expectContinue);
    if (path === '/health') {
      send(res, 200, { status: 'ok', pushes: opts.inventory.pushes, sensors: opts.inventory.sensorCount });
      return;
    }
    if (!authorized(req)) throw new HttpError(401, 'missing or wrong bearer token (Authorization: Bearer <token>)', undefined, { 'WWW-Authenticate': 'Bearer realm="nps"' });
    send(res, 200, opts.inventory.toDocument());
  }

  function onRequest(req: IncomingMessage, res: ServerResponse, expectContinue = false): void {
    inFlight++;
    res.on('close', () => {
      inFlight--;
      if (inFlight === 0 && idle) idle();
    });
    handle(req, res, expectContinue).catch((e: unknown) => {
      if (e instanceof HttpError) {
        if (e.status === 499) {
          // The client is gone: nothing to answer, nothing stored.
          log(`a client (${req.socket.remoteAddress ?? '?'}) went away mid-request; nothing stored`);
          res.destroy();
          return;
        }
        log(`refused ${req.method ?? '?'} ${(req.url ?? '').slice(0, 200)} from ${req.socket.remoteAddress ?? '?'}: ${e.status} ${e.message}`);
        refuse(res, e);
        return;
      }
      log(`internal error: ${(e as Error).message}`);
      refuse(res, new HttpError(500, 'internal error'));
    });
  }

  const server: Server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }) : createHttpServer();
  const requestTimeout = opts.requestTimeoutMs ?? 60_000;
  server.headersTimeout = Math.min(requestTimeout, 60_000);
  server.requestTimeout = requestTimeout;
  server.keepAliveTimeout = 5_000;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => onRequest(req, res));
  // Expect: 100-continue: check the token and the declared size before asking for the body.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => onRequest(req, res, true));
  // Malformed requests and timeouts (clientError) get node's own 400/408/431 answers; failed TLS handshakes are dropped.

  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(opts.port, opts.host);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${opts.tls ? 'https' : 'http'}://${urlHost(opts.host)}:${port}/push`;

  async function close(): Promise<void> {
    closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (inFlight > 0) {
      const grace = opts.closeGraceMs ?? 30_000;
      await Promise.race([
        new Promise<void>((resolve) => {
          idle = resolve;
        }),
        new Promise<void>((resolve) => setTimeout(resolve, grace).unref()),
      ]);
    }
    server.closeAllConnections();
    await closed;
  }

  return { server, port, url, close };
}
