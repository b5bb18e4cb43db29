/**
 * `nps replay` into `nps receive` on loopback (SPEC §8): the received assets
 * and flow totals equal `nps analyze` of the same captures; the same after a
 * receiver killed and restarted several times, answering 500 and 429,
 * hanging past the timeout and closing connections mid-body: 0 lost, 0
 * duplicated. The token never shows in arguments, output or errors.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { FLOW_COUNT_FIELDS, flowKey } from '../../src/push/types.js';
import { binPath, ensureBuilt, runBin } from '../helpers/cli-run.js';
import { projectRoot } from '../helpers/skip.js';

ensureBuilt();
const TOKEN = 'tok-9f8e7d6c5b4a-secret';
const SAMPLES = join(projectRoot, 'samples', 'merge');
let tmp = '';
let tokenFile = '';

test.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'nps-replay-'));
  tokenFile = join(tmp, 'token');
  writeFileSync(tokenFile, TOKEN + '\n');
});
test.after(() => rmSync(tmp, { recursive: true, force: true }));

interface Receiver {
  child: ChildProcess;
  port: number;
  stderr: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

function startReceiver(dataDir: string, port = 0): Promise<Receiver> {
  const child = spawn(process.execPath, [binPath, 'receive', '--port', String(port), '--token-file', tokenFile, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  const closed = new Promise<void>((r) => child.on('close', () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`receiver did not start: ${err}`)), 10000);
    child.stderr!.on('data', (d) => {
      err += d;
      const m = /receiving on https?:\/\/[^:]+:(\d+)\//.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({
          child,
          port: Number(m[1]),
          stderr: () => err,
          stop: async (signal = 'SIGTERM') => {
            child.kill(signal);
            await closed;
          },
        });
      }
    });
    child.on('close', (c) => {
      clearTimeout(timer);
      reject(new Error(`receiver exited ${c}: ${err}`));
    });
  });
}

function getJson(port: number, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end();
  });
}

function replay(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string; argv: string[] }> {
  const argv = [binPath, 'replay', '--token-file', tokenFile, '--timeout', '1s', '-q', ...args];
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout: out, stderr: err, argv })));
}

type Obj = Record<string, unknown>;

/** What analyze says of a capture with the same configuration. */
function analyzed(sensor: 'a' | 'b'): { assets: Obj[]; flows: Obj[] } {
  const r = runBin(['analyze', '-q', '-f', 'json', '--config', join(SAMPLES, `branch-${sensor}.yaml`), join(SAMPLES, `branch-${sensor}.pcapng`)]);
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { assets: Obj[]; flows: Obj[] };
}

const byId = (a: Obj, b: Obj) => (String(a.id) < String(b.id) ? -1 : 1);

/** The received inventory of one sensor against analyze: same assets, same flow totals per row. */
function assertSame(inventory: Obj, sensor: string, expected: { assets: Obj[]; flows: Obj[] }): void {
  const s = (inventory.sensors as Obj[]).find((x) => x.name === sensor);
  assert.ok(s, `sensor ${sensor} received`);
  assert.equal([...(s!.assets as Obj[])].sort(byId), [...expected.assets].sort(byId));
  const got = new Map((s!.flows as Obj[]).map((f) => [flowKey(f as never), f]));
  assert.is(got.size, expected.flows.length);
  for (const f of expected.flows) {
    const g = got.get(flowKey(f as never));
    assert.ok(g, `flow ${flowKey(f as never)}`);
    for (const k of [...FLOW_COUNT_FIELDS, 'application', 'family', 'first_seen', 'last_seen']) assert.is(g![k], f[k], `${flowKey(f as never)} ${k}`);
  }
}

let baselineKeys: string[] = [];

test('replay at --speed max into nps receive: received assets and flow totals equal analyze', async () => {
  const data = join(tmp, 'clean');
  const rx = await startReceiver(data);
  try {
    for (const s of ['a', 'b'] as const) {
      const r = await replay(['--endpoint', `http://127.0.0.1:${rx.port}/push`, '--spool', join(tmp, `spool-clean-${s}`), '--config', join(SAMPLES, `branch-${s}.yaml`), join(SAMPLES, `branch-${s}.pcapng`)]);
      assert.is(r.code, 0, r.stderr);
      assert.match(r.stdout, /push\(es\) made, \d+ sent to http:\/\/127\.0\.0\.1:\d+\/push/);
      assert.not.match(r.stdout + r.stderr, new RegExp(TOKEN));
    }
    const inv = await getJson(rx.port, '/inventory');
    assert.is(inv.status, 200);
    assertSame(inv.body, 'branch-a', analyzed('a'));
    assertSame(inv.body, 'branch-b', analyzed('b'));
    const b = (inv.body.sensors as Obj[]).find((x) => x.name === 'branch-b')!;
    assert.ok((b.pushes as number) >= 4, `branch-b spans 6 hours: several pushes (${b.pushes})`);
    assert.is(b.final_seen, true);
    baselineKeys = storedKeys(data);
    assert.is(new Set(baselineKeys).size, baselineKeys.length);
  } finally {
    await rx.stop();
  }
  assert.not.match(rx.stderr(), new RegExp(TOKEN));
});

function storedKeys(dataDir: string): string[] {
  return readFileSync(join(dataDir, 'pushes.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { idempotency_key: string }).idempotency_key)
    .sort();
}

/**
 * A front that forwards to the receiver and misbehaves on a schedule: 500,
 * 429 (Retry-After), a hang past the client's timeout, a connection closed
 * mid-body, and an answer lost after the receiver stored the push.
 */
function chaosFront(target: () => number): Promise<{ server: Server; port: number; faults: string[] }> {
  const plan = ['500', 'pass', '429', 'hang', 'pass', 'cut', 'lose-answer', 'pass', '500', 'pass', 'lose-answer'];
  const faults: string[] = [];
  let n = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const fault = req.method === 'POST' ? (plan[n++] ?? 'pass') : 'pass';
    faults.push(fault);
    if (fault === '500') return void req.resume().on('end', () => res.writeHead(500).end('{"error":"chaos"}'));
    if (fault === '429') return void req.resume().on('end', () => res.writeHead(429, { 'Retry-After': '1' }).end('{"error":"slow down"}'));
    if (fault === 'hang') return void req.resume();
    if (fault === 'cut') return void req.once('data', () => req.socket.destroy());
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const fwd = request({ host: '127.0.0.1', port: target(), path: req.url, method: req.method, headers: req.headers }, (up) => {
        let body = '';
        up.on('data', (d) => (body += d));
        up.on('end', () => {
          if (fault === 'lose-answer') req.socket.destroy();
          else res.writeHead(up.statusCode ?? 502, { 'Content-Type': 'application/json' }).end(body);
        });
      });
      fwd.on('error', () => req.socket.destroy()); // receiver down: the connection just dies
      fwd.end(Buffer.concat(chunks));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, faults })));
}

test('faults: receiver killed and restarted, 500s, 429s, hangs, cut bodies, lost answers → the same inventory, 0 lost, 0 duplicated', async () => {
  const data = join(tmp, 'chaos');
  let rx = await startReceiver(data);
  const port = rx.port;
  const front = await chaosFront(() => port);
  // branch-b spans 6 hours of capture time: at 3600x its pushes fall due over about 6 s.
  const running = replay(
    ['--endpoint', `http://127.0.0.1:${front.port}/push`, '--speed', '3600', '--spool', join(tmp, 'spool-chaos-b'), '--config', join(SAMPLES, 'branch-b.yaml'), join(SAMPLES, 'branch-b.pcapng')],
  );
  // Kill the receiver hard three times while pushes are falling due, restarting it on the same port.
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 1200));
    await rx.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 400));
    rx = await startReceiver(data, port);
  }
  const r = await running;
  try {
    assert.is(r.code, 0, r.stderr);
    const a = await replay(['--endpoint', `http://127.0.0.1:${front.port}/push`, '--spool', join(tmp, 'spool-chaos-a'), '--config', join(SAMPLES, 'branch-a.yaml'), join(SAMPLES, 'branch-a.pcapng')]);
    assert.is(a.code, 0, a.stderr);
    for (const f of ['500', '429', 'hang', 'cut', 'lose-answer']) assert.ok(front.faults.includes(f), `fault ${f} happened (${front.faults.join(' ')})`);
    const inv = await getJson(port, '/inventory');
    assertSame(inv.body, 'branch-a', analyzed('a'));
    assertSame(inv.body, 'branch-b', analyzed('b'));
    const keys = storedKeys(data);
    assert.equal(keys, baselineKeys, 'the same pushes as the undisturbed run, each stored once');
    assert.not.match(r.stdout + r.stderr + a.stdout + a.stderr + rx.stderr(), new RegExp(TOKEN));
  } finally {
    front.server.close();
    await rx.stop();
  }
});

test('a push the endpoint refuses (401: wrong token) stops the replay with exit 1 and stays in the spool; the token never shows', async () => {
  const data = join(tmp, 'refuse');
  const rx = await startReceiver(data);
  const wrong = join(tmp, 'wrong-token');
  writeFileSync(wrong, 'not-the-token');
  const spool = join(tmp, 'spool-refused');
  try {
    const argv = [binPath, 'replay', '--token-file', wrong, '--endpoint', `http://127.0.0.1:${rx.port}/push`, '--spool', spool, join(SAMPLES, 'branch-a.pcapng')];
    const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const c = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      c.stderr!.on('data', (d) => (err += d));
      c.on('close', (code) => resolve({ code, err }));
    });
    assert.is(r.code, 1);
    assert.match(r.err, /401/);
    assert.match(r.err, /token/i);
    assert.not.match(r.err, /not-the-token/);
    // Next run with the right token sends what the spool kept, first.
    const again = await replay(['--endpoint', `http://127.0.0.1:${rx.port}/push`, '--spool', spool, '--config', join(SAMPLES, 'branch-a.yaml'), join(SAMPLES, 'branch-a.pcapng')]);
    assert.is(again.code, 0, again.stderr);
  } finally {
    await rx.stop();
  }
});

test('usage: no endpoint, no token, a token on the command line is not an option; bad speed', async () => {
  const cap = join(SAMPLES, 'branch-a.pcapng');
  const noEndpoint = runBin(['replay', '--token-file', tokenFile, cap]);
  assert.is(noEndpoint.status, 2);
  assert.match(noEndpoint.stderr, /--endpoint URL is required/);
  const noToken = runBin(['replay', '--endpoint', 'http://127.0.0.1:9/push', cap]);
  assert.is(noToken.status, 2);
  assert.match(noToken.stderr, /never taken from the command line/);
  const argvToken = runBin(['replay', '--endpoint', 'http://127.0.0.1:9/push', '--token', 'x', cap]);
  assert.is(argvToken.status, 2);
  const emptyEnv = runBin(['replay', '--endpoint', 'http://127.0.0.1:9/push', '--token-env', 'NPS_NO_SUCH_VAR', cap]);
  assert.is(emptyEnv.status, 2);
  assert.match(emptyEnv.stderr, /NPS_NO_SUCH_VAR/);
  const badSpeed = runBin(['replay', '--endpoint', 'http://127.0.0.1:9/push', '--token-file', tokenFile, '--speed', 'fast', cap]);
  assert.is(badSpeed.status, 2);
});

test.run();
