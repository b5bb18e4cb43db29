/**
 * The sender against a fake endpoint on loopback (node:http/https on
 * 127.0.0.1, port 0) that gunzips and stores bodies by Idempotency-Key, with
 * faults programmed per request: order, retries (5xx, 429 + Retry-After, 408,
 * hangs, sockets destroyed, the server restarted), refusals (401, 400: fatal,
 * the document kept, the token in no message), restarts from the spool, a
 * private CA, and an authenticating CONNECT proxy.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { proxyFromEnv, PushFatalError, Sender, type PushTarget, type SendEvent } from '../../src/push/sender.js';
import { Spool } from '../../src/push/spool.js';
import { idempotencyKey, PUSH_SCHEMA, type PushDocument } from '../../src/push/types.js';
import { VERSION } from '../../src/cli/version.js';
import { haveTool, skip } from '../helpers/skip.js';

const TOKEN = 'tok-SECRET-4f9a2c71e0';
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'nps-sender-'));
  dirs.push(d);
  return d;
}

function doc(seq: number, pad = 0): PushDocument {
  const start = new Date(Date.UTC(2026, 0, 14, 6, 0, 0) + seq * 300_000).toISOString();
  const end = new Date(Date.UTC(2026, 0, 14, 6, 5, 0) + seq * 300_000).toISOString();
  let blob = '';
  while (blob.length < pad) blob += Math.random().toString(36).slice(2);
  return {
    schema: PUSH_SCHEMA,
    generator: { name: 'nps', version: VERSION },
    sensor: { name: 'sensor-a', network: 'lab' },
    sequence: seq,
    idempotency_key: idempotencyKey('sensor-a', start, end, seq),
    interval: { start, end },
    final: false,
    new_assets: pad ? [{ id: 'x', blob }] : [],
    changed_assets: [],
    removed_assets: [],
    flows: [],
  };
}

// ---------------------------------------------------------------------------
// The fake endpoint

type Fault =
  | { status: number; headers?: Record<string, string>; body?: string }
  | { hang: true }
  | { destroyMidBody: true }
  /** Stores the document, then kills the connection instead of answering. */
  | { destroyAfterStore: true }
  /** Stores the document, then stops the whole server (it comes back with restart()). */
  | { stopAfterStore: true };

class Endpoint {
  server: http.Server;
  port = 0;
  faults: (Fault | undefined)[] = [];
  requests: { key: string; headers: http.IncomingHttpHeaders }[] = [];
  stored = new Map<string, PushDocument>();
  order: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private sockets = new Set<Socket>();
  onStop: (() => void) | null = null;

  constructor(tlsOpts?: { key: Buffer; cert: Buffer }) {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res);
    this.server = tlsOpts ? https.createServer(tlsOpts, handler) : http.createServer(handler);
    this.track(this.server);
  }

  private track(server: http.Server): void {
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  get url(): string {
    return `${this.server instanceof https.Server ? 'https' : 'http'}://127.0.0.1:${this.port}/v1/push`;
  }

  async listen(port = 0): Promise<this> {
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** A new server on the same port (same store). */
  async restart(): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res);
    this.server = http.createServer(handler);
    this.track(this.server);
    await this.listen(this.port);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const fault = this.faults.shift();
    const key = String(req.headers['idempotency-key']);
    this.requests.push({ key, headers: req.headers });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on('close', () => this.inFlight--);
    if (fault && 'destroyMidBody' in fault) {
      req.once('data', () => req.socket.destroy());
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (fault && 'hang' in fault) return;
      if (fault && 'status' in fault) {
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(fault.body ?? JSON.stringify({ error: `fault ${fault.status}` }));
        return;
      }
      const d = JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8')) as PushDocument;
      const duplicate = this.stored.has(key);
      if (!duplicate) {
        this.stored.set(key, d);
        this.order.push(key);
      }
      if (fault && 'destroyAfterStore' in fault) {
        req.socket.destroy();
        return;
      }
      if (fault && 'stopAfterStore' in fault) {
        void this.stop().then(() => this.onStop?.());
        return;
      }
      res.writeHead(duplicate ? 200 : 201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: duplicate ? 'duplicate' : 'stored' }));
    });
  }
}

function setup(ep: { url: string }, target: Partial<PushTarget> = {}, opts: { giveUpAfterMs?: number; retryMaxMs?: number } = {}) {
  const spool = new Spool(tempDir());
  const events: SendEvent[] = [];
  const sender = new Sender(
    spool,
    { url: ep.url, token: TOKEN, timeoutMs: 2000, ...target },
    { retryBaseMs: 20, retryMaxMs: opts.retryMaxMs ?? 200, giveUpAfterMs: opts.giveUpAfterMs, onEvent: (e) => events.push(e) },
  );
  return { spool, sender, events };
}

const retries = (events: SendEvent[]) => events.filter((e) => e.type === 'retry') as Extract<SendEvent, { type: 'retry' }>[];
const sent = (events: SendEvent[]) => events.filter((e) => e.type === 'sent') as Extract<SendEvent, { type: 'sent' }>[];

async function expectFatal(p: Promise<void>): Promise<PushFatalError> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, PushFatalError);
    return e as PushFatalError;
  }
  throw new assert.Assertion({ message: 'drain() resolved; a PushFatalError was expected', operator: 'rejects', generated: true, expects: 'rejection', actual: 'resolve' });
}

const endpoints: { stop(): Promise<void> }[] = [];
async function endpoint(tlsOpts?: { key: Buffer; cert: Buffer }): Promise<Endpoint> {
  const ep = await new Endpoint(tlsOpts).listen();
  endpoints.push(ep);
  return ep;
}

// ---------------------------------------------------------------------------

test('order preserved, one request at a time, headers as specified, entries removed after 2xx', async () => {
  const ep = await endpoint();
  const { spool, sender, events } = setup(ep);
  const docs = [1, 2, 3, 4, 5].map((i) => doc(i));
  for (const d of docs.slice(0, 3)) spool.add(d);
  sender.start();
  for (const d of docs.slice(3)) {
    spool.add(d);
    sender.notify();
  }
  await sender.drain();
  assert.equal(ep.order, docs.map((d) => d.idempotency_key));
  assert.equal([...ep.stored.values()], docs);
  assert.is(ep.maxInFlight, 1);
  assert.is(spool.list().length, 0);
  assert.equal(sent(events).map((e) => [e.entry.seq, e.status, e.duplicate]), docs.map((_, i) => [i + 1, 201, false]));
  const h = ep.requests[0]!.headers;
  assert.is(h['content-type'], 'application/json');
  assert.is(h['content-encoding'], 'gzip');
  assert.is(h.authorization, `Bearer ${TOKEN}`);
  assert.is(h['idempotency-key'], docs[0]!.idempotency_key);
  assert.is(h['user-agent'], `nps/${VERSION}`);
  // Later additions are sent too (the loop waits for notify).
  spool.add(doc(6));
  sender.notify();
  await sender.drain();
  assert.is(ep.order.length, 6);
  await sender.close();
});

test('500 then success: retried, stored once', async () => {
  const ep = await endpoint();
  const { spool, sender, events } = setup(ep);
  ep.faults = [{ status: 500 }, { status: 502, body: 'Bad Gateway from the balancer' }];
  spool.add(doc(1));
  sender.start();
  await sender.drain();
  assert.is(ep.requests.length, 3);
  assert.is(ep.stored.size, 1);
  assert.equal(retries(events).map((e) => [e.attempt, e.reason]), [[1, 'HTTP 500: fault 500'], [2, 'HTTP 502: Bad Gateway from the balancer']]);
  const [r1, r2] = retries(events);
  assert.ok(r1!.delayMs >= 10 && r1!.delayMs <= 20, `first backoff in [base/2, base]: ${r1!.delayMs}`);
  assert.ok(r2!.delayMs >= 20 && r2!.delayMs <= 40, `second backoff doubled: ${r2!.delayMs}`);
  await sender.close();
});

test('429 with Retry-After: 1 waits a second; 408 retried', async () => {
  const ep = await endpoint();
  const { spool, sender, events } = setup(ep, {}, { retryMaxMs: 5000 });
  ep.faults = [{ status: 429, headers: { 'retry-after': '1' } }, { status: 408 }];
  spool.add(doc(1));
  const t0 = Date.now();
  sender.start();
  await sender.drain();
  const took = Date.now() - t0;
  assert.is(ep.stored.size, 1);
  assert.equal(retries(events).map((e) => e.reason.slice(0, 8)), ['HTTP 429', 'HTTP 408']);
  assert.is(retries(events)[0]!.delayMs, 1000);
  assert.ok(took >= 950, `waited ${took} ms`);
  await sender.close();
});

test('a request that hangs past timeoutMs is abandoned and retried', async () => {
  const ep = await endpoint();
  const { spool, sender, events } = setup(ep, { timeoutMs: 300 });
  ep.faults = [{ hang: true }];
  spool.add(doc(1));
  sender.start();
  await sender.drain();
  assert.is(ep.stored.size, 1);
  assert.is(retries(events).length, 1);
  assert.match(retries(events)[0]!.reason, /300 ms/);
  await sender.close();
});

test('the server destroying the socket mid-body (and after storing, before answering): retried, stored once', async () => {
  const ep = await endpoint();
  const { spool, sender, events } = setup(ep);
  ep.faults = [{ destroyMidBody: true }, { destroyAfterStore: true }];
  const big = doc(1, 600_000);
  spool.add(big);
  spool.add(doc(2));
  sender.start();
  await sender.drain();
  assert.is(ep.requests.length, 4);
  assert.is(ep.stored.size, 2);
  assert.equal(ep.stored.get(big.idempotency_key), big);
  assert.is(retries(events).length, 2);
  assert.equal(sent(events).map((e) => e.duplicate), [true, false], 'the retry after the stored-but-unanswered attempt is a duplicate');
  await sender.close();
});

test('the server stopped and restarted on the same port while sending: 0 lost, 0 stored twice', async () => {
  const ep = await endpoint();
  const { spool, sender, events } = setup(ep);
  const docs = Array.from({ length: 8 }, (_, i) => doc(i + 1));
  for (const d of docs) spool.add(d);
  ep.faults = [undefined, undefined, undefined, { stopAfterStore: true }];
  ep.onStop = () => setTimeout(() => void ep.restart(), 300);
  sender.start();
  await sender.drain();
  assert.equal(ep.order, docs.map((d) => d.idempotency_key));
  assert.is(ep.stored.size, 8);
  const refused = retries(events).filter((e) => /ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET/.test(e.reason));
  assert.ok(refused.length >= 1, 'retried while the server was down');
  assert.equal(sent(events).filter((e) => e.duplicate).map((e) => e.entry.seq), [4]);
  await sender.close();
});

test('401: fatal, entry kept, message names the status, the meaning and the spool, never the token', async () => {
  const ep = await endpoint();
  const { spool, sender, events } = setup(ep);
  // An endpoint that echoes what it got must not leak the token into our message.
  ep.faults = [{ status: 401, body: JSON.stringify({ error: `invalid token Bearer ${TOKEN}` }) }];
  spool.add(doc(1));
  spool.add(doc(2));
  sender.start();
  const err = await expectFatal(sender.drain());
  assert.is(err.status, 401);
  assert.is(err.entry.seq, 1);
  assert.match(err.message, /401/);
  assert.match(err.message, /invalid token/);
  assert.match(err.message, /--token-env\/--token-file/);
  assert.match(err.message, /spool/);
  assert.ok(err.message.includes(spool.dir));
  assert.not.ok(err.message.includes(TOKEN));
  assert.not.ok(JSON.stringify(events).includes(TOKEN));
  assert.not.ok(String(err.stack).includes(TOKEN));
  assert.equal(spool.list().map((e) => e.seq), [1, 2]);
  assert.is(ep.requests.length, 1, 'no retry, nothing after it');
  assert.equal(events.map((e) => e.type), ['fatal']);
  // drain() again: the same refusal.
  assert.is(await expectFatal(sender.drain()), err);
  await sender.close();
});

test('400 and 413: fatal with their meaning; non-JSON error text clipped to 200 chars', async () => {
  const ep = await endpoint();
  const a = setup(ep);
  ep.faults = [{ status: 400, body: JSON.stringify({ error: 'schema: flows[0].client missing' }) }];
  a.spool.add(doc(1));
  a.sender.start();
  const e400 = await expectFatal(a.sender.drain());
  assert.is(e400.status, 400);
  assert.match(e400.message, /HTTP 400 \(schema: flows\[0\]\.client missing\): the endpoint rejected the document/);
  assert.is(a.spool.list().length, 1);
  await a.sender.close();

  const b = setup(ep);
  ep.faults = [{ status: 413, body: 'x'.repeat(500) }];
  b.spool.add(doc(1));
  const e413 = await expectFatal(b.sender.drain());
  assert.match(e413.message, /larger than the endpoint accepts/);
  assert.ok(e413.message.includes('x'.repeat(200) + '…'));
  assert.not.ok(e413.message.includes('x'.repeat(201)));
  await b.sender.close();
});

test('restart: a new Spool on the same dir lists the old entries; a new Sender sends them first, then new ones', async () => {
  const ep = await endpoint();
  const dir = tempDir();
  const old = new Spool(dir);
  const docs = Array.from({ length: 5 }, (_, i) => doc(i + 1));
  for (const d of docs.slice(0, 3)) old.add(d);
  // "The earlier run" ends (crash): nothing sent. A new run on the same dir:
  const spool = new Spool(dir);
  assert.equal(spool.list().map((e) => e.key), docs.slice(0, 3).map((d) => d.idempotency_key));
  const sender = new Sender(spool, { url: ep.url, token: TOKEN, timeoutMs: 2000 }, { retryBaseMs: 20 });
  sender.start();
  for (const d of docs.slice(3)) {
    spool.add(d);
    sender.notify();
  }
  await sender.drain();
  assert.equal(ep.order, docs.map((d) => d.idempotency_key));
  assert.equal(new Spool(dir).list(), []);
  await sender.close();
});

test('spool bound while the endpoint is down: oldest dropped (event), the rest sent in order', async () => {
  const ep = await endpoint();
  const dir = tempDir();
  const probe = new Spool(tempDir()).add(doc(0, 3000)).bytes;
  const dropped: number[] = [];
  const spool = new Spool(dir, { maxBytes: probe * 2 + probe / 2, onDrop: (e) => dropped.push(e.seq) });
  const events: SendEvent[] = [];
  const sender = new Sender(spool, { url: ep.url, token: TOKEN, timeoutMs: 2000 }, { retryBaseMs: 20, retryMaxMs: 50, onEvent: (e) => events.push(e) });
  ep.faults = Array.from({ length: 6 }, () => ({ status: 503 }));
  const docs = [1, 2, 3, 4].map((i) => doc(i, 3000));
  spool.add(docs[0]!);
  sender.start();
  await new Promise((r) => setTimeout(r, 60)); // entry 1 is being retried
  for (const d of docs.slice(1)) {
    spool.add(d);
    sender.notify();
  }
  await sender.drain();
  assert.equal(dropped, [1, 2]);
  assert.equal(events.filter((e) => e.type === 'dropped').map((e) => e.entry.seq), [1, 2]);
  assert.equal(ep.order, [docs[2]!, docs[3]!].map((d) => d.idempotency_key));
  await sender.close();
});

test('giveUpAfterMs: an endpoint unreachable for longer rejects drain() (status 0), documents stay', async () => {
  // A port with nothing listening.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const { spool, sender, events } = setup({ url: `http://127.0.0.1:${port}/push` }, {}, { giveUpAfterMs: 300, retryMaxMs: 100 });
  spool.add(doc(1));
  spool.add(doc(2));
  const t0 = Date.now();
  const err = await expectFatal(sender.drain());
  assert.ok(Date.now() - t0 >= 290 && Date.now() - t0 < 2000);
  assert.is(err.status, 0);
  assert.match(err.message, /unreachable for 0 s|unreachable for \d+ s/);
  assert.match(err.message, /ECONNREFUSED/);
  assert.match(err.message, /2 document\(s\) stay in the spool dir/);
  assert.is(spool.list().length, 2);
  assert.ok(retries(events).length >= 2);
  assert.is(events.at(-1)!.type, 'fatal');
  await sender.close();
});

test('close(): a hanging attempt is aborted, the entry stays; a new sender sends it', async () => {
  const ep = await endpoint();
  const { spool, sender } = setup(ep, { timeoutMs: 10_000 });
  ep.faults = [{ hang: true }];
  spool.add(doc(1));
  sender.start();
  await new Promise((r) => setTimeout(r, 100));
  const t0 = Date.now();
  await sender.close();
  assert.ok(Date.now() - t0 < 2600, `close took ${Date.now() - t0} ms`);
  assert.is(spool.list().length, 1);
  assert.is(ep.stored.size, 0);
  const again = new Sender(new Spool(spool.dir), { url: ep.url, token: TOKEN, timeoutMs: 2000 });
  await again.drain();
  assert.is(ep.stored.size, 1);
  await again.close();
});

// ---------------------------------------------------------------------------
// HTTPS with a private CA, and a CONNECT proxy

interface Pki {
  ca: Buffer;
  key: Buffer;
  cert: Buffer;
}
let pki: Pki | null | undefined;
function makePki(): Pki | null {
  if (pki !== undefined) return pki;
  if (!haveTool('openssl')) return (pki = null);
  const d = tempDir();
  const run = (...args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: d, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=nps test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  run('req', ...ec, '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(d, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '2', '-extfile', 'ext.cnf');
  return (pki = { ca: readFileSync(join(d, 'ca.pem')), key: readFileSync(join(d, 'srv.key')), cert: readFileSync(join(d, 'srv.pem')) });
}

test('HTTPS, private CA: without ca a fatal TLS message naming --ca; with ca sent', async () => {
  const p = makePki();
  if (p === null) return skip('openssl is not installed: no private-CA test');
  const ep = await endpoint({ key: p.key, cert: p.cert });
  const a = setup(ep);
  a.spool.add(doc(1));
  const err = await expectFatal(a.sender.drain());
  assert.is(err.status, 0);
  assert.match(err.message, /TLS certificate does not verify/);
  assert.match(err.message, /--ca FILE/);
  assert.match(err.message, /spool dir/);
  assert.is(a.spool.list().length, 1);
  assert.is(ep.requests.length, 0);
  await a.sender.close();

  const b = new Sender(a.spool, { url: ep.url, token: TOKEN, timeoutMs: 2000, ca: p.ca }, { retryBaseMs: 20 });
  await b.drain();
  assert.is(ep.stored.size, 1);
  assert.is(a.spool.list().length, 0);
  await b.close();
});

class ConnectProxy {
  server = http.createServer((_req, res) => res.writeHead(405).end());
  port = 0;
  connects: string[] = [];
  private sockets = new Set<Socket>();
  constructor(readonly user: string, readonly pass: string) {
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      const want = 'Basic ' + Buffer.from(`${this.user}:${this.pass}`).toString('base64');
      if (req.headers['proxy-authorization'] !== want) {
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.connects.push(String(req.url));
      const [host, port] = String(req.url).split(':');
      const upstream = net.connect(Number(port), host!, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      this.sockets.add(upstream);
      upstream.on('close', () => this.sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
  }
  async listen(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }
  async stop(): Promise<void> {
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

test('CONNECT proxy with Basic auth to an https target; wrong credentials are fatal without leaking them', async () => {
  const p = makePki();
  if (p === null) return skip('openssl is not installed: no proxy-to-https test');
  const ep = await endpoint({ key: p.key, cert: p.cert });
  const proxy = await new ConnectProxy('user', 'p@ss:word').listen();
  endpoints.push(proxy);
  const a = setup(ep, { ca: p.ca, proxy: `http://user:${encodeURIComponent('p@ss:word')}@127.0.0.1:${proxy.port}` });
  a.spool.add(doc(1));
  a.spool.add(doc(2));
  await a.sender.drain();
  assert.is(ep.stored.size, 2);
  assert.ok(proxy.connects.length >= 1);
  assert.is(proxy.connects[0], `127.0.0.1:${ep.port}`);
  await a.sender.close();

  const b = setup(ep, { ca: p.ca, proxy: `http://user:wrong-pass@127.0.0.1:${proxy.port}` });
  b.spool.add(doc(3));
  const err = await expectFatal(b.sender.drain());
  assert.match(err.message, /407/);
  assert.match(err.message, /http:\/\/USER:PASSWORD@HOST:PORT/);
  assert.not.ok(err.message.includes('wrong-pass'));
  assert.is(b.spool.list().length, 1);
  await b.sender.close();
});

test('proxyFromEnv: scheme-specific variables, NO_PROXY suffixes, ports and "*"', () => {
  const env = { HTTPS_PROXY: 'http://proxy.corp:3128', http_proxy: 'proxy.corp:8080', NO_PROXY: 'localhost, .internal.example,10.0.0.5,svc.local:8443' };
  assert.is(proxyFromEnv('https://push.example.com/v1', env), 'http://proxy.corp:3128');
  assert.is(proxyFromEnv('http://push.example.com/v1', env), 'http://proxy.corp:8080');
  assert.is(proxyFromEnv('https://localhost:8443/', env), null);
  assert.is(proxyFromEnv('https://api.internal.example/', env), null);
  assert.is(proxyFromEnv('https://internal.example/', env), null);
  assert.is(proxyFromEnv('https://notinternal.example/', env), 'http://proxy.corp:3128');
  assert.is(proxyFromEnv('https://10.0.0.5/', env), null);
  assert.is(proxyFromEnv('https://svc.local:8443/', env), null);
  assert.is(proxyFromEnv('https://svc.local/', env), 'http://proxy.corp:3128');
  assert.is(proxyFromEnv('https://x.example/', { https_proxy: 'http://a:1', no_proxy: '*' }), null);
  assert.is(proxyFromEnv('https://x.example/', { https_proxy: 'http://u:p@a:1' }), 'http://u:p@a:1');
  assert.is(proxyFromEnv('https://x.example/', { HTTP_PROXY: 'http://a:1' }), null, 'HTTP_PROXY is not for https');
  assert.is(proxyFromEnv('https://x.example/', {}), null);
  assert.is(proxyFromEnv('https://x.example/', { HTTPS_PROXY: '' }), null);
});

test.after(async () => {
  for (const e of endpoints) await e.stop().catch(() => {});
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test.run();
