/**
 * `nps receive`: the reference endpoint run in-process (runReceive with
 * injected signals), pushed to over HTTP(S) with node's own client.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { runReceive, type ReceiveOptions } from '../../src/cli/receive.js';
import { CliError } from '../../src/cli/errors.js';
import { idempotencyKey, type JsonObject, type PushDocument } from '../../src/push/types.js';
import { PushStore } from '../../src/receive/store.js';
import { fakeIO, type FakeIO } from '../helpers/cli-run.js';
import { pushSchemaErrors } from '../helpers/schema.js';
import { haveTool, projectRoot, skip } from '../helpers/skip.js';

const TOKEN = `tok-${randomBytes(12).toString('hex')}`;
const tmp = mkdtempSync(join(tmpdir(), 'nps-receive-'));
const tokenFile = join(tmp, 'token');
writeFileSync(tokenFile, `\n  ${TOKEN}  \n`);
const allStderr: string[] = [];

const sampleAssets = (JSON.parse(readFileSync(join(projectRoot, 'samples', 'expected', 'ot-cell.json'), 'utf8')) as { assets: JsonObject[] }).assets;

function flow(client: string, server: string, port: number, n: number, first: string, last: string, app = 'Modbus'): JsonObject {
  return {
    interval_start: '2026-01-14T06:00:00.000000Z',
    interval_end: '2026-01-14T06:30:00.000000Z',
    client,
    client_ip: client,
    server,
    server_ip: server,
    server_port: port,
    protocol: 'tcp',
    ip_version: 4,
    application: app,
    family: 'Industrial',
    connections: n,
    client_packets: 2 * n,
    server_packets: 3 * n,
    client_bytes: 100 * n,
    server_bytes: 200 * n,
    first_seen: first,
    last_seen: last,
  };
}

function pushDoc(o: Partial<Omit<PushDocument, 'sensor'>> & { sequence: number; sensor?: string }): PushDocument {
  const sensor = o.sensor ?? 'cell-1';
  const start = `2026-01-14T06:${String((o.sequence - 1) * 5).padStart(2, '0')}:00.000000Z`;
  const end = `2026-01-14T06:${String(o.sequence * 5).padStart(2, '0')}:00.000000Z`;
  return {
    schema: 'nps.push/v1',
    generator: { name: 'nps', version: 'test' },
    sensor: { name: sensor, network: 'plant' },
    sequence: o.sequence,
    idempotency_key: o.idempotency_key ?? idempotencyKey(sensor, start, end, o.sequence),
    interval: { start, end },
    final: o.final ?? false,
    new_assets: o.new_assets ?? [],
    changed_assets: o.changed_assets ?? [],
    removed_assets: o.removed_assets ?? [],
    flows: o.flows ?? [],
  };
}

interface Running {
  port: number;
  dir: string;
  io: FakeIO;
  signals: EventEmitter;
  done: Promise<number>;
  stop(): Promise<number>;
}

async function start(opts: Partial<ReceiveOptions> & { dir?: string } = {}): Promise<Running> {
  const dir = opts.dir ?? mkdtempSync(join(tmp, 'data-'));
  const io = fakeIO();
  const signals = new EventEmitter();
  const done = runReceive({ port: 0, tokenFile, dataDir: dir, ...opts }, io, signals as never);
  let failed: unknown = null;
  done.catch((e) => (failed = e));
  const t0 = Date.now();
  for (;;) {
    const m = /receiving on https?:\/\/[^ ]+:(\d+)\/push, data in /.exec(io.stderr.text);
    if (m) {
      allStderr.push(io.stderr.text);
      const port = Number(m[1]);
      return {
        port,
        dir,
        io,
        signals,
        done,
        async stop() {
          signals.emit('SIGTERM');
          const code = await done;
          allStderr.push(io.stderr.text);
          return code;
        },
      };
    }
    if (failed) throw failed;
    if (Date.now() - t0 > 5000) throw new Error(`server did not start: ${io.stderr.text}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: Record<string, unknown>;
}

interface PostOptions {
  method?: string;
  path?: string;
  token?: string | null;
  gzip?: boolean;
  headers?: Record<string, string>;
  https?: boolean;
  ca?: Buffer;
}

function send(port: number, body: Buffer | null, o: PostOptions = {}, write?: (req: ReturnType<typeof httpRequest>) => void): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token !== null) headers.Authorization = `Bearer ${o.token ?? TOKEN}`;
    let payload = body;
    if (payload && o.gzip !== false) {
      payload = gzipSync(payload);
      headers['Content-Encoding'] ??= 'gzip';
    }
    if (payload && !write) headers['Content-Length'] ??= String(payload.length);
    if (payload) headers['Content-Type'] = 'application/json';
    const opts = { host: '127.0.0.1', port, path: o.path ?? '/push', method: o.method ?? (body ? 'POST' : 'GET'), headers, ca: o.ca, agent: false as const };
    const req = (o.https ? httpsRequest : httpRequest)(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    // The server may answer and close while we are still writing (413): the answer counts.
    req.on('error', reject);
    if (write) write(req);
    else req.end(payload ?? undefined);
  });
}

const post = (port: number, doc: unknown, o: PostOptions = {}) => send(port, Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc)), o);
const storedLines = (dir: string) => (existsSync(join(dir, 'pushes.ndjson')) ? readFileSync(join(dir, 'pushes.ndjson'), 'utf8').split('\n').filter((l) => l !== '') : []);

let main: Running;

test.before(async () => {
  main = await start({ maxBody: '64K' });
});

test('the hand-made documents are valid nps.push/v1', () => {
  assert.equal(pushSchemaErrors(pushDoc({ sequence: 1, new_assets: sampleAssets.slice(0, 2), flows: [flow('10.0.0.1', '10.0.0.2', 502, 1, '2026-01-14T06:00:01.000000Z', '2026-01-14T06:00:02.000000Z')] })), []);
});

test('a push is stored once: the retry is a duplicate, the file holds one line', async () => {
  const doc = pushDoc({ sequence: 1, sensor: 'dup', new_assets: [sampleAssets[0]!] });
  const a = await post(main.port, doc, { headers: { 'Idempotency-Key': doc.idempotency_key } });
  assert.is(a.status, 200, a.text);
  assert.is(a.headers['content-type'], 'application/json');
  assert.equal(a.json, { status: 'stored', idempotency_key: doc.idempotency_key, sequence: 1, record: a.json.record });
  const b = await post(main.port, doc);
  assert.is(b.status, 200);
  assert.equal(b.json, { status: 'duplicate', idempotency_key: doc.idempotency_key });
  const lines = storedLines(main.dir).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.is(lines.filter((l) => l.idempotency_key === doc.idempotency_key).length, 1);
  const rec = lines.find((l) => l.idempotency_key === doc.idempotency_key)!;
  assert.equal(Object.keys(rec), ['idempotency_key', 'received_at', 'document']);
  assert.ok(!Number.isNaN(Date.parse(String(rec.received_at))));
  assert.equal(rec.document, doc);
});

test('a wrong or missing token is 401 with WWW-Authenticate, nothing stored, body not parsed', async () => {
  const before = storedLines(main.dir).length;
  const doc = pushDoc({ sequence: 1, sensor: 'intruder' });
  for (const token of [null, 'wrong', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
    const r = await post(main.port, doc, { token });
    assert.is(r.status, 401, String(token));
    assert.match(String(r.headers['www-authenticate']), /^Bearer/);
    assert.type(r.json.error, 'string');
    assert.not.match(r.text, TOKEN);
  }
  // Not parsed: garbage with a wrong token is 401, not 400.
  assert.is((await post(main.port, '{not json', { token: 'wrong' })).status, 401);
  const basic = await post(main.port, doc, { token: null, headers: { Authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } });
  assert.is(basic.status, 401);
  assert.is(storedLines(main.dir).length, before);
});

test('Content-Length over --max-body is 413 before the body is read', async () => {
  const r = await send(main.port, Buffer.alloc(10), { gzip: false, headers: { 'Content-Length': String(10 * 1024 * 1024) } }, (req) => {
    req.write(Buffer.alloc(1000, 32));
  });
  assert.is(r.status, 413);
  assert.match(String(r.json.error), /64|65536|max-body/);
});

test('a chunked body growing past --max-body is 413 and is not read further', async () => {
  let written = 0;
  const r = await send(main.port, Buffer.alloc(1), { gzip: false }, (req) => {
    const chunk = Buffer.alloc(8192, 0x20);
    const timer = setInterval(() => {
      if (req.destroyed || written > 4 * 1024 * 1024) {
        clearInterval(timer);
        if (!req.destroyed) req.end();
        return;
      }
      req.write(chunk);
      written += chunk.length;
    }, 1);
    req.on('close', () => clearInterval(timer));
  });
  assert.is(r.status, 413);
  assert.ok(written < 4 * 1024 * 1024, `the server kept reading (${written} bytes written)`);
});

test('a gzip bomb is 413 (decompressed limit 8x --max-body)', async () => {
  const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
  assert.ok(bomb.length < 64 * 1024);
  const r = await send(main.port, bomb, { gzip: false, headers: { 'Content-Encoding': 'gzip' } });
  assert.is(r.status, 413, r.text);
  assert.match(String(r.json.error), /decompress/);
});

test('bad JSON, bad gzip and an unknown Content-Encoding are refused', async () => {
  const bad = await post(main.port, '{"schema": "nps.push/v1",');
  assert.is(bad.status, 400);
  assert.match(String(bad.json.error), /JSON/);
  assert.type(bad.json.details, 'string');
  const notGzip = await send(main.port, Buffer.from('{}'), { gzip: false, headers: { 'Content-Encoding': 'gzip' } });
  assert.is(notGzip.status, 400);
  assert.match(String(notGzip.json.error), /gzip/);
  const br = await send(main.port, Buffer.from('{}'), { gzip: false, headers: { 'Content-Encoding': 'br' } });
  assert.is(br.status, 415);
  const plain = await post(main.port, pushDoc({ sequence: 1, sensor: 'plain-body' }), { gzip: false });
  assert.is(plain.status, 200, 'an identity body is accepted');
});

test('a schema-invalid document is 400 naming the failing path and what is wrong', async () => {
  const asset = { ...sampleAssets[1]! };
  delete asset.mac;
  const doc = pushDoc({ sequence: 1, sensor: 'invalid', new_assets: [asset] });
  const r = await post(main.port, doc);
  assert.is(r.status, 400);
  const details = r.json.details as { path: string; message: string }[];
  assert.ok(Array.isArray(details) && details.length >= 1);
  assert.ok(details.some((d) => d.path === '/new_assets/0' && /mac/.test(d.message)), r.text);
  assert.match(String(r.json.error), /\/new_assets\/0 must have required property 'mac'/);
  const wrongSchema = await post(main.port, { ...pushDoc({ sequence: 1, sensor: 'invalid' }), schema: 'nps.push/v2', extra: 1 });
  assert.is(wrongSchema.status, 400);
  assert.match(wrongSchema.text, /\/schema/);
  assert.match(wrongSchema.text, /extra/);
  assert.not.ok(storedLines(main.dir).some((l) => l.includes('"invalid"')));
});

test('an Idempotency-Key header that differs from the document is 400', async () => {
  const doc = pushDoc({ sequence: 1, sensor: 'mismatch' });
  const r = await post(main.port, doc, { headers: { 'Idempotency-Key': `${doc.idempotency_key}-other` } });
  assert.is(r.status, 400);
  assert.match(String(r.json.error), /Idempotency-Key/);
  assert.not.ok(storedLines(main.dir).some((l) => l.includes('"mismatch"')));
});

test('Expect: 100-continue: the token and size are checked before the body is asked for', async () => {
  const body = gzipSync(Buffer.from(JSON.stringify(pushDoc({ sequence: 1, sensor: 'expect' }))));
  const withExpect = (token: string) =>
    send(main.port, body, { gzip: false, token, headers: { Expect: '100-continue', 'Content-Encoding': 'gzip', 'Content-Length': String(body.length) } }, (req) => {
      req.on('continue', () => req.end(body));
      req.flushHeaders();
    });
  assert.is((await withExpect('wrong')).status, 401);
  const ok = await withExpect(TOKEN);
  assert.is(ok.status, 200, ok.text);
  assert.is(ok.json.status, 'stored');
});

test('other paths are 404, other methods 405 with Allow', async () => {
  assert.is((await send(main.port, null, { path: '/nope' })).status, 404);
  const get = await send(main.port, null, { path: '/push' });
  assert.is(get.status, 405);
  assert.is(get.headers.allow, 'POST');
  const del = await send(main.port, null, { path: '/inventory', method: 'DELETE' });
  assert.is(del.status, 405);
  assert.match(String(del.headers.allow), /GET/);
});

test('GET /inventory needs the token; it merges new assets, changed fields and summed flows', async () => {
  assert.is((await send(main.port, null, { path: '/inventory', token: null })).status, 401);
  assert.is((await send(main.port, null, { path: '/inventory', token: 'nope' })).status, 401);
  const [a, b] = [sampleAssets[0]!, sampleAssets[2]!];
  const f1 = flow('10.20.0.50', '10.20.0.10', 502, 1, '2026-01-14T06:00:01.000000Z', '2026-01-14T06:00:02.000000Z');
  const f2 = flow('10.20.0.50', '10.20.0.30', 102, 2, '2026-01-14T06:01:00.000000Z', '2026-01-14T06:01:30.000000Z');
  const p1 = pushDoc({ sequence: 1, sensor: 'merge', new_assets: [a, b], flows: [f1] });
  const f1b = { ...flow('10.20.0.50', '10.20.0.10', 502, 3, '2026-01-14T06:00:00.500000Z', '2026-01-14T06:07:00.000000Z', 'Modbus/TCP') };
  const p2 = pushDoc({
    sequence: 2,
    sensor: 'merge',
    final: true,
    changed_assets: [
      { id: a.id!, hostnames: ['plc-1'], last_seen: '2026-01-14T06:09:00.000000Z' },
      { id: 'ip:10.20.0.99', ips: ['10.20.0.99'] },
    ],
    flows: [f1b, f2],
  });
  for (const p of [p1, p2]) assert.is((await post(main.port, p)).status, 200);
  const r = await send(main.port, null, { path: '/inventory' });
  assert.is(r.status, 200);
  assert.is(r.headers['content-type'], 'application/json');
  assert.is(r.json.schema, 'nps.inventory/v1');
  const sensors = r.json.sensors as Record<string, unknown>[];
  const names = sensors.map((s) => `${s.name}/${s.network}`);
  assert.equal(names, [...names].sort());
  const s = sensors.find((x) => x.name === 'merge')!;
  assert.is(s.network, 'plant');
  assert.is(s.pushes, 2);
  assert.is(s.last_sequence, 2);
  assert.is(s.last_interval_end, p2.interval.end);
  assert.is(s.final_seen, true);
  const assets = s.assets as JsonObject[];
  assert.equal(assets.map((x) => x.id), [b.id, a.id, 'ip:10.20.0.99'].sort());
  const merged = assets.find((x) => x.id === a.id)!;
  assert.equal(merged, { ...a, hostnames: ['plc-1'], last_seen: '2026-01-14T06:09:00.000000Z' });
  assert.equal(assets.find((x) => x.id === b.id), b);
  assert.equal(assets.find((x) => x.id === 'ip:10.20.0.99'), { id: 'ip:10.20.0.99', ips: ['10.20.0.99'] });
  const flows = s.flows as JsonObject[];
  assert.is(flows.length, 2);
  const sum = flows.find((x) => x.server === '10.20.0.10')!;
  assert.equal(Object.keys(sum).sort(), Object.keys(f1).sort());
  assert.is(sum.connections, 4);
  assert.is(sum.client_packets, 8);
  assert.is(sum.server_bytes, 800);
  assert.is(sum.first_seen, '2026-01-14T06:00:00.500000Z');
  assert.is(sum.last_seen, '2026-01-14T06:07:00.000000Z');
  assert.is(sum.application, 'Modbus/TCP');
  assert.equal(flows.find((x) => x.server === '10.20.0.30'), f2);
});

test('GET /health needs no token and counts pushes and sensors', async () => {
  const r = await send(main.port, null, { path: '/health', token: null });
  assert.is(r.status, 200);
  assert.is(r.json.status, 'ok');
  assert.is(r.json.pushes, storedLines(main.dir).length);
  const sensors = new Set(storedLines(main.dir).map((l) => (JSON.parse(l) as { document: PushDocument }).document.sensor.name));
  assert.is(r.json.sensors, sensors.size);
});

test('a client that goes away mid-body leaves nothing stored, and the server goes on', async () => {
  const doc = Buffer.from(JSON.stringify(pushDoc({ sequence: 1, sensor: 'aborted', new_assets: [sampleAssets[3]!] })));
  const before = storedLines(main.dir).length;
  await new Promise<void>((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port: main.port, path: '/push', method: 'POST', agent: false, headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Length': String(doc.length) } });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.write(doc.subarray(0, doc.length - 10), () => setTimeout(() => req.destroy(), 30));
  });
  // Chunked: the whole document, then the client is gone before the last chunk.
  await new Promise<void>((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port: main.port, path: '/push', method: 'POST', agent: false, headers: { Authorization: `Bearer ${TOKEN}` } });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.write(doc, () => setTimeout(() => req.destroy(), 30));
  });
  await new Promise((r) => setTimeout(r, 100));
  assert.is(storedLines(main.dir).length, before);
  assert.not.ok(storedLines(main.dir).some((l) => l.includes('"aborted"')));
  assert.is((await send(main.port, null, { path: '/health' })).status, 200);
});

test('20 concurrent posts of one key store it once', async () => {
  const doc = pushDoc({ sequence: 1, sensor: 'race', new_assets: sampleAssets.slice(0, 4) });
  const replies = await Promise.all(Array.from({ length: 20 }, () => post(main.port, doc)));
  assert.ok(replies.every((r) => r.status === 200));
  assert.is(replies.filter((r) => r.json.status === 'stored').length, 1);
  assert.is(replies.filter((r) => r.json.status === 'duplicate').length, 19);
  assert.is(storedLines(main.dir).filter((l) => l.includes(JSON.stringify(doc.idempotency_key))).length, 1);
});

test('a second server on the same data directory is refused (exit 3); a dead pid\'s lock is taken over', async () => {
  try {
    await start({ dir: main.dir });
    assert.unreachable('started twice');
  } catch (e) {
    assert.instance(e, CliError);
    assert.is((e as CliError).exitCode, 3);
    assert.match((e as Error).message, /in use by another nps receive \(pid \d+/);
  }
  const dir = mkdtempSync(join(tmp, 'stale-'));
  writeFileSync(join(dir, 'receive.lock'), '2147483646\n');
  const s = await start({ dir });
  assert.is(readFileSync(join(dir, 'receive.lock'), 'utf8').trim(), String(process.pid));
  assert.is(await s.stop(), 0);
  assert.not.ok(existsSync(join(dir, 'receive.lock')), 'the lock is removed on close');
});

test('restart: stored pushes and the inventory are kept, duplicates still detected', async () => {
  const dir = mkdtempSync(join(tmp, 'restart-'));
  let s = await start({ dir });
  const doc = pushDoc({ sequence: 1, sensor: 'again', new_assets: [sampleAssets[4]!] });
  assert.is((await post(s.port, doc)).json.status, 'stored');
  const inv1 = (await send(s.port, null, { path: '/inventory' })).json;
  assert.is(await s.stop(), 0);
  assert.match(s.io.stderr.text, /stopped/);
  s = await start({ dir });
  assert.equal((await send(s.port, null, { path: '/health' })).json, { status: 'ok', pushes: 1, sensors: 1 });
  assert.is((await post(s.port, doc)).json.status, 'duplicate');
  assert.equal((await send(s.port, null, { path: '/inventory' })).json, inv1);
  assert.is((await post(s.port, pushDoc({ sequence: 2, sensor: 'again' }))).json.status, 'stored');
  assert.is(await s.stop(), 0);
  assert.is(storedLines(dir).length, 2);
});

test('a torn last line is cut off with a warning; a bad line in the middle is an error naming it', async () => {
  const dir = mkdtempSync(join(tmp, 'torn-'));
  let s = await start({ dir });
  await post(s.port, pushDoc({ sequence: 1, sensor: 'torn' }));
  await s.stop();
  const file = join(dir, 'pushes.ndjson');
  const good = readFileSync(file, 'utf8');
  appendFileSync(file, '{"idempotency_key":"torn/x","received_at":"2026-');
  s = await start({ dir });
  assert.match(s.io.stderr.text, /warning: .*pushes\.ndjson: the last line \(line 2, \d+ bytes\) has no newline.*cut off/);
  assert.is(readFileSync(file, 'utf8'), good);
  assert.is((await post(s.port, pushDoc({ sequence: 2, sensor: 'torn' }))).json.status, 'stored');
  await s.stop();
  assert.is(storedLines(dir).length, 2);
  // A complete but invalid last line is torn too.
  appendFileSync(file, '{"idempotency_key":\n');
  const warnings: string[] = [];
  PushStore.open(dir, { warn: (m) => warnings.push(m) }).close();
  assert.is(warnings.length, 1);
  assert.is(storedLines(dir).length, 2);
  // In the middle: an error.
  writeFileSync(file, `${good}garbage\n${good}`);
  try {
    PushStore.open(dir);
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /line 2 is not a stored push record/);
  }
  try {
    await start({ dir });
    assert.unreachable();
  } catch (e) {
    assert.is((e as CliError).exitCode, 3);
  }
  assert.not.ok(existsSync(join(dir, 'receive.lock')), 'a failed open leaves no lock');
});

test('--print -f json prints the inventory of the data directory without a lock; a missing directory is exit 3', async () => {
  const io = fakeIO();
  assert.is(await runReceive({ print: true, format: 'json', dataDir: main.dir }, io), 0);
  const doc = JSON.parse(io.stdout.text) as { schema: string; sensors: { name: string; assets: JsonObject[] }[] };
  assert.is(doc.schema, 'nps.inventory/v1');
  const live = (await send(main.port, null, { path: '/inventory' })).json;
  assert.equal(doc, live);
  assert.ok(doc.sensors.some((s) => s.name === 'merge'));
  const table = fakeIO({ stdoutTTY: true, columns: 100, env: { NO_COLOR: '1' } });
  assert.is(await runReceive({ print: true, dataDir: main.dir }, table), 0);
  assert.match(table.stdout.text, /Sensor merge \(network plant\): 2 pushes/);
  assert.match(table.stdout.text, /mac:00:80:f4:10:00:10/);
  assert.match(table.stdout.text, /flows: 2 rows, 6 connections/);
  try {
    await runReceive({ print: true, dataDir: join(tmp, 'no-such-dir') }, fakeIO());
    assert.unreachable();
  } catch (e) {
    assert.is((e as CliError).exitCode, 3);
    assert.match((e as Error).message, /does not exist/);
  }
});

test('usage and input errors: token file, TLS pair, port in use', async () => {
  const code = async (o: Partial<ReceiveOptions>) => {
    try {
      // Should it start after all, it stops at once.
      const stopAtOnce = { on: (_s: string, fn: () => void) => setImmediate(fn), off: () => {} };
      return [await runReceive({ port: 0, dataDir: join(tmp, 'unused'), tokenFile, ...o }, fakeIO(), stopAtOnce), 'started'] as const;
    } catch (e) {
      assert.not.match((e as Error).message, TOKEN);
      return [(e as CliError).exitCode, (e as Error).message] as const;
    }
  };
  const empty = join(tmp, 'empty-token');
  writeFileSync(empty, ' \n');
  assert.equal((await code({ tokenFile: empty }))[0], 2);
  assert.equal((await code({ tokenFile: undefined }))[0], 2);
  assert.equal((await code({ tokenFile: join(tmp, 'missing') }))[0], 3);
  assert.equal((await code({ tlsCert: tokenFile }))[0], 2);
  assert.equal((await code({ tlsKey: tokenFile }))[0], 2);
  assert.equal((await code({ tlsCert: join(tmp, 'nocert'), tlsKey: join(tmp, 'nokey') }))[0], 3);
  assert.equal((await code({ port: '70000' }))[0], 2);
  assert.equal((await code({ maxBody: 'lots' }))[0], 2);
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as { port: number }).port;
  const inUse = await code({ port: String(port), dataDir: mkdtempSync(join(tmp, 'inuse-')) });
  blocker.close();
  assert.is(inUse[0], 3);
  assert.match(String(inUse[1]), new RegExp(`port ${port}`));
});

test('HTTPS with a self-signed certificate', async () => {
  if (!haveTool('openssl')) {
    skip('openssl is missing: HTTPS test not run');
    return;
  }
  const d = mkdtempSync(join(tmp, 'tls-'));
  const r = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '2', '-keyout', join(d, 'key.pem'), '-out', join(d, 'cert.pem')],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) {
    skip(`openssl could not make a certificate: ${r.stderr}`);
    return;
  }
  const s = await start({ tlsCert: join(d, 'cert.pem'), tlsKey: join(d, 'key.pem') });
  assert.match(s.io.stderr.text, /receiving on https:\/\/127\.0\.0\.1:\d+\/push/);
  const ca = readFileSync(join(d, 'cert.pem'));
  const doc = pushDoc({ sequence: 1, sensor: 'tls', new_assets: [sampleAssets[5]!] });
  const a = await post(s.port, doc, { https: true, ca });
  assert.is(a.status, 200, a.text);
  assert.is(a.json.status, 'stored');
  assert.is((await post(s.port, doc, { https: true, ca, token: 'bad' })).status, 401);
  // Plain HTTP to the TLS port is not a push.
  await send(s.port, null, { path: '/health' }).then(
    (x) => assert.is.not(x.status, 200),
    () => {},
  );
  assert.is(await s.stop(), 0);
  // A key that does not match the certificate: exit 3.
  const d2 = mkdtempSync(join(tmp, 'tls2-'));
  spawnSync('openssl', ['genrsa', '-out', join(d2, 'key.pem'), '2048'], { stdio: 'ignore' });
  try {
    await start({ tlsCert: join(d, 'cert.pem'), tlsKey: join(d2, 'key.pem') });
    assert.unreachable();
  } catch (e) {
    assert.is((e as CliError).exitCode, 3);
  }
});

test('stopping on SIGINT resolves 0 after an in-flight push is answered', async () => {
  const s = await start();
  const doc = Buffer.from(JSON.stringify(pushDoc({ sequence: 1, sensor: 'late' })));
  const reply = send(s.port, doc, { gzip: false }, (req) => {
    req.setHeader('Content-Length', String(doc.length));
    req.write(doc.subarray(0, 20));
    setTimeout(() => {
      s.signals.emit('SIGINT');
      setTimeout(() => req.end(doc.subarray(20)), 50);
    }, 30);
  });
  const r = await reply;
  assert.is(r.status, 200, r.text);
  assert.is(r.json.status, 'stored');
  assert.is(await s.done, 0);
  assert.is(storedLines(s.dir).length, 1);
});

test('the token never appears on stderr', async () => {
  assert.is(await main.stop(), 0);
  const all = allStderr.join('\n');
  assert.ok(all.length > 0);
  assert.match(all, /stored push/);
  assert.not.ok(all.includes(TOKEN));
  if (process.env.NPS_RECEIVE_DEBUG) process.stdout.write(all);
});

test.after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

test.run();
