import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inferFromTcpStack, initialTtl, tcpOptionString, tcpOptionValues } from '../../src/inventory/infer/tcp-stack.js';
import type { TcpStackSample } from '../../src/inventory/infer/types.js';

const syn = (ttl: number, window: number, mss: number, wscale: number, options: string, synAck = false): TcpStackSample => ({
  ttl,
  ipv6: false,
  window,
  mss,
  wscale,
  options,
  df: true,
  synAck,
});

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));

test('initialTtl', () => {
  assert.is(initialTtl(1), 32);
  assert.is(initialTtl(32), 32);
  assert.is(initialTtl(33), 64);
  assert.is(initialTtl(57), 64);
  assert.is(initialTtl(64), 64);
  assert.is(initialTtl(65), 128);
  assert.is(initialTtl(117), 128);
  assert.is(initialTtl(128), 128);
  assert.is(initialTtl(129), 255);
  assert.is(initialTtl(254), 255);
  assert.is(initialTtl(255), 255);
  assert.is(initialTtl(0), 32);
  assert.is(initialTtl(NaN), 255);
});

test('tcpOptionString on real SYN option bytes', () => {
  // Windows 10: mss 1460, nop, wscale 8, nop, nop, sackOK
  assert.is(tcpOptionString(hex('020405b4010303080101040'.padEnd(24, '2')), 0, 12), 'M,N,W,N,N,S');
  // Linux 6.x: mss 1460, sackOK, TS, nop, wscale 7
  const linux = hex('020405b40402080a1a2b3c4d00000000'.concat('01030307'));
  assert.is(tcpOptionString(linux, 0, linux.length), 'M,S,T,N,W');
  assert.equal(tcpOptionValues(linux, 0, linux.length), { mss: 1460, wscale: 7 });
  // macOS: mss, nop, wscale 6, nop, nop, TS, sackOK, eol, eol
  const mac = hex('020405b4010303060101080a11223344000000000402' + '0000');
  assert.is(tcpOptionString(mac, 0, mac.length), 'M,N,W,N,N,T,S,E,E');
  assert.equal(tcpOptionValues(mac, 0, mac.length), { mss: 1460, wscale: 6 });
  // offset inside a bigger buffer, unknown kind 30 (MPTCP)
  const buf = hex('ffffffff' + '020405b41e0400000103030700');
  assert.is(tcpOptionString(buf, 4, 13), 'M,?30,N,W,E');
  assert.is(tcpOptionString(buf, 4, 0), '');
});

test('tcpOptionString malformed', () => {
  assert.is(tcpOptionString(hex('0201'), 0, 2), '!'); // length 1
  assert.is(tcpOptionString(hex('0204'), 0, 2), '!'); // runs past the end
  assert.is(tcpOptionString(hex('010102'), 0, 3), 'N,N,!'); // kind without length byte
  assert.is(tcpOptionString(hex('020405b4'), 0, 8), 'M,!'); // len beyond the buffer
  assert.is(tcpOptionString(hex('020405b4'), -1, 4), '!');
  assert.is(tcpOptionString(hex('020405b4'), 10, 4), '!');
});

test('Windows SYNs', () => {
  const w10 = inferFromTcpStack(syn(128, 64240, 1460, 8, 'M,N,W,N,N,S'));
  assert.equal(w10, { name: 'Windows', version: null, family: 'Windows', confidence: 0.5 });
  assert.is(inferFromTcpStack(syn(126, 65535, 1460, 8, 'M,N,W,N,N,S'))?.family, 'Windows');
  assert.is(inferFromTcpStack(syn(119, 8192, 1460, 2, 'M,N,W,N,N,S'))?.confidence, 0.5);
  assert.is(inferFromTcpStack(syn(128, 65535, 1460, -1, 'M,N,N,S'))?.family, 'Windows');
  assert.is(inferFromTcpStack(syn(128, 64240, 1460, 8, 'M,N,W,N,N,S', true))?.confidence, 0.4);
  // TTL only
  assert.is(inferFromTcpStack(syn(128, 1234, 536, -1, 'M'))?.confidence, 0.3);
});

test('Linux, Apple, BSD SYNs', () => {
  const l6 = inferFromTcpStack(syn(64, 64240, 1460, 7, 'M,S,T,N,W'));
  assert.equal(l6, { name: 'Linux', version: null, family: 'Linux', confidence: 0.5 });
  assert.is(inferFromTcpStack(syn(61, 29200, 1460, 7, 'M,S,T,N,W'))?.family, 'Linux');
  assert.is(inferFromTcpStack(syn(64, 5840, 1460, 2, 'M,S,T,N,W'))?.confidence, 0.5);
  assert.is(inferFromTcpStack(syn(64, 65160, 1448, 7, 'M,S,T,N,W', true))?.family, 'Linux');
  const mac = inferFromTcpStack(syn(64, 65535, 1460, 6, 'M,N,W,N,N,T,S,E,E'));
  assert.is(mac?.family, 'macOS');
  assert.is(mac?.name, 'macOS/iOS');
  assert.ok((mac?.confidence ?? 1) <= 0.5);
  assert.is(inferFromTcpStack(syn(64, 65535, 1460, 6, 'M,N,W,S,T'))?.family, 'BSD');
  assert.is(inferFromTcpStack(syn(64, 16384, 1460, 3, 'M,N,N,S,N,W,N,N,T'))?.name, 'OpenBSD');
  const only = inferFromTcpStack(syn(64, 4096, 1460, -1, 'M'));
  assert.ok((only?.confidence ?? 1) <= 0.3);
});

test('TTL 255 and odd values', () => {
  assert.is(inferFromTcpStack(syn(254, 4128, 536, -1, 'M'))?.family, 'Network OS');
  assert.is(inferFromTcpStack(syn(30, 8192, 1460, -1, 'M')), null);
  assert.is(inferFromTcpStack(syn(0, 8192, 1460, -1, 'M')), null);
  assert.is(inferFromTcpStack(syn(300, 8192, 1460, -1, 'M')), null);
  assert.is(inferFromTcpStack(null as unknown as TcpStackSample), null);
  assert.is(inferFromTcpStack({ ttl: 64 } as unknown as TcpStackSample)?.family, 'Linux');
});

test('never throws on random option bytes', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < 20000; i++) {
    const n = Math.floor(rnd() * 48);
    const b = new Uint8Array(n);
    for (let j = 0; j < n; j++) b[j] = rnd() < 0.3 ? Math.floor(rnd() * 10) : Math.floor(rnd() * 256);
    const off = Math.floor(rnd() * 6) - 1;
    const len = Math.floor(rnd() * 50) - 2;
    const s = tcpOptionString(b, off, len);
    assert.type(s, 'string');
    assert.ok(s.length <= 200);
    tcpOptionValues(b, off, len);
    inferFromTcpStack(syn(Math.floor(rnd() * 300) - 10, Math.floor(rnd() * 70000), Math.floor(rnd() * 2000) - 1, Math.floor(rnd() * 16) - 1, s, rnd() < 0.5));
  }
});

test.run();
