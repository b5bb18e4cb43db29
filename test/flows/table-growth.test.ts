/**
 * The connection table starts small and grows (×4) up to its bound: slots
 * keep their numbers, connections opened before a growth are found after it,
 * and the dispatcher's per-slot state grows with it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { Engine } from '../../src/engine/engine.js';
import { buildReport } from '../../src/report/build.js';
import { HOST, MAC, T0 } from '../helpers/traffic.js';

/** `n` HTTP connections on port 8765 (recognised from the payload), their packets interleaved so that all are open at once. */
function interleavedSessions(n: number): Buffer[] {
  const sessions = [];
  for (let i = 0; i < n; i++) {
    sessions.push(
      B.tcpSession({
        client: HOST.client,
        server: HOST.web,
        cport: 20000 + i,
        sport: 8765,
        clientMac: MAC.client,
        serverMac: MAC.web,
        startUs: T0,
        close: 'fin',
        requests: [
          { fromClient: true, data: `GET /${i} HTTP/1.1\r\nHost: web\r\nUser-Agent: curl/8.0\r\n\r\n` },
          { fromClient: false, data: 'HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 0\r\n\r\n' },
        ],
      }),
    );
  }
  const out: Buffer[] = [];
  const longest = Math.max(...sessions.map((s) => s.length));
  for (let k = 0; k < longest; k++) for (const s of sessions) if (k < s.length) out.push(s[k]!.data);
  return out;
}

function run(engine: Engine, frames: Buffer[]): void {
  let ts = T0;
  for (const f of frames) engine.packet(f, 0, f.length, f.length, (ts += 5), 1);
}

test('6,000 connections open at once: the table grows, finds every one again, and the dispatcher keeps up', () => {
  const engine = new Engine();
  assert.is(engine.flows.capacity, 4096, 'starts small');
  run(engine, interleavedSessions(6000));
  assert.is(engine.flows.capacity, 16384);
  assert.is(engine.flows.created, 6000, 'every later packet found its connection (none started twice)');
  assert.is(engine.flows.evicted, 0);
  const report = buildReport(engine, [], { generator: { name: 'nps', version: 'test' }, deterministic: true });
  const tcp = report.flows.filter((f) => f.protocol === 'tcp');
  assert.is(
    tcp.reduce((a, f) => a + (f.connections as number), 0),
    6000,
  );
  // HTTP on 8765 is known only from the payload: slots above the first 4,096 need the grown per-slot arrays.
  assert.equal([...new Set(tcp.map((f) => f.application))], ['HTTP']);
  for (const f of tcp) assert.ok((f.client_packets as number) > 0 && (f.server_packets as number) > 0);
});

test('the bound still holds: a table of at most 5,000 grows to 5,000 and then evicts', () => {
  const engine = new Engine({ flows: { maxFlows: 5000 } });
  run(engine, interleavedSessions(6000));
  assert.is(engine.flows.capacity, 5000);
  assert.is(engine.flows.maxFlows, 5000);
  assert.ok(engine.flows.evicted > 0, `evicted ${engine.flows.evicted}`);
});

test('counts a live snapshot already handed on survive a growth', () => {
  const engine = new Engine();
  const frames = interleavedSessions(6000);
  // The SYNs of the first 100 connections, a checkpoint, then the rest (the table grows meanwhile).
  let ts = T0;
  for (const f of frames.slice(0, 100)) engine.packet(f, 0, f.length, f.length, (ts += 5), 1);
  engine.flows.checkpoint(() => {});
  for (const f of frames.slice(100)) engine.packet(f, 0, f.length, f.length, (ts += 5), 1);
  assert.is(engine.flows.capacity, 16384);
  const out = new Float64Array(4);
  engine.flows.handedOn(0, out);
  assert.equal([...out].slice(0, 2), [1, 0], 'the first SYN, handed on before the growth');
  engine.flows.checkpoint(() => {});
  engine.flows.handedOn(5999, out);
  assert.ok(out[0]! > 0 && out[1]! > 0, `a slot above the first 4,096: ${[...out]}`);
});

test('a bound below the starting size is the size', () => {
  const engine = new Engine({ flows: { maxFlows: 64 } });
  assert.is(engine.flows.capacity, 64);
});

test.run();
