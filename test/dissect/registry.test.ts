/**
 * The dissector registry and every registered dissector as the engine calls
 * it: dispatch order (lower port, higher port, probes), and the loop test of
 * ARCHITECTURE for each dissector object: every truncation of real messages
 * it accepted on the shared captures, and random payloads, must return a
 * verdict without throwing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { ipDissectors, linkDissectors } from '../../src/dissect/all.js';
import { DissectorRegistry } from '../../src/dissect/registry.js';
import { Verdict, type DissectContext, type Dissector, type LinkDissector } from '../../src/dissect/types.js';
import { PacketView } from '../../src/decode/view.js';
import { readCapture } from '../../src/capture/reader.js';
import { Engine } from '../../src/engine/engine.js';
import { haveShared, sharedCaptures, skip } from '../helpers/skip.js';

const stub = (id: string, o: Partial<Dissector> = {}): Dissector => ({ id, app: { application: id, family: 'x' }, dissect: () => Verdict.NotMine, ...o });

test('candidates: the lower port first, then the higher; each once', () => {
  const reg = new DissectorRegistry([stub('a', { tcpPorts: [80] }), stub('b', { tcpPorts: [8080], udpPorts: [80] }), stub('c', { probe: () => true })]);
  const out: number[] = [];
  reg.candidates(6, 8080, 80, out);
  assert.equal(out.map((i) => reg.list[i]!.id), ['a', 'b']);
  reg.candidates(17, 80, 50000, out);
  assert.equal(out.map((i) => reg.list[i]!.id), ['b']);
  reg.candidates(6, 80, 80, out);
  assert.equal(out.map((i) => reg.list[i]!.id), ['a']);
  assert.equal(reg.probes.map((i) => reg.list[i]!.id), ['c']);
  assert.throws(() => new DissectorRegistry([stub('a'), stub('a')]), /twice/);
});

test('every default dissector has an id, an application and ports or a probe; ids are unique', () => {
  const all = ipDissectors();
  assert.is(new Set(all.map((d) => d.id)).size, all.length);
  for (const d of all) {
    assert.ok(d.app.application && d.app.family, d.id);
    assert.ok((d.tcpPorts?.length ?? 0) + (d.udpPorts?.length ?? 0) > 0 || d.probe, d.id);
  }
});

/** A context that accepts every observation and counts them. */
function fakeContext(proto: number, fromClient: boolean): DissectContext & { n: number } {
  const view = new PacketView();
  view.proto = proto;
  view.macSrc = 0x0016_3e00_0001;
  const ctx = {
    view,
    fromClient,
    n: 0,
    count() {},
    src() { ctx.n++; },
    dst() { ctx.n++; },
    about() { ctx.n++; },
    about4() { ctx.n++; },
    wants4() { return true; },
  };
  return ctx;
}

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
}

const VERDICTS = new Set([Verdict.NotMine, Verdict.More, Verdict.Done, Verdict.Continue, Verdict.Malformed]);

function hammer(name: string, run: (buf: Buffer, len: number) => Verdict, samples: Buffer[]): number {
  let calls = 0;
  for (const s of samples) {
    for (let len = 0; len <= s.length; len++) {
      // At an offset inside a larger buffer too: a dissector must honour `len`.
      const r = run(s, len);
      calls++;
      assert.ok(VERDICTS.has(r), `${name}: verdict ${r}`);
    }
  }
  const rnd = random(name.length * 7919);
  for (let i = 0; i < 400; i++) {
    const buf = Buffer.alloc(rnd() * 3);
    for (let k = 0; k < buf.length; k++) buf[k] = rnd();
    // Start with a sample's first bytes half of the time, so parsers get past their first check.
    const base = samples[i % Math.max(1, samples.length)];
    if (base && i % 2 === 0) base.copy(buf, 0, 0, Math.min(base.length, buf.length >> 1));
    assert.ok(VERDICTS.has(run(buf, buf.length)), name);
    calls++;
  }
  return calls;
}

if (!haveShared()) {
  skip('../shared/captures is absent: dissector loops on real messages skipped');
} else {
  test('each dissector: every truncation of real messages it accepted, and random payloads, return without throwing', async () => {
    // Record what each dissector accepted while the engine runs over a set of real captures.
    const samples = new Map<string, { buf: Buffer; proto: number; fromClient: boolean }[]>();
    const keep = (id: string, buf: Buffer, off: number, len: number, proto: number, fromClient: boolean) => {
      const list = samples.get(id) ?? [];
      if (list.length < 6) list.push({ buf: Buffer.from(buf.subarray(off, off + Math.min(len, 1500))), proto, fromClient });
      samples.set(id, list);
    };
    const wrap = (d: Dissector): Dissector => ({
      ...d,
      dissect(buf, off, len, ctx) {
        const r = d.dissect(buf, off, len, ctx);
        if (r !== Verdict.NotMine && r !== Verdict.Malformed) keep(d.id, buf, off, len, ctx.view.proto, ctx.fromClient);
        return r;
      },
    });
    const wrapLink = (d: LinkDissector): LinkDissector => ({
      ...d,
      dissect(buf, off, len, ctx) {
        const r = d.dissect(buf, off, len, ctx);
        if (r !== Verdict.Malformed) keep(d.id, buf, off, len, 0, true);
        return r;
      },
    });
    const dirs = ['dhcp', 'dns', 'http', 'ssh', 'smb', 'tls', 'sip', 'smtp', 'ftp', 'pop3', 'snmp', 'ntp', 'krb', 'netbios', 'quic'];
    const ics = ['openics', 'ModbusTCP', 'dnp3', 's7', 'IEC60870-5-104', 'EthernetIP', 'profinet', 'OPC'];
    const files = [
      ...dirs.map((d) => join(sharedCaptures, 'zeek', d)),
      ...['cdp-v1.pcap', 'mqtt.pcap', 'modbus', 'dnp3', 'q-in-q.pcap'].map((f) => join(sharedCaptures, 'zeek', f)),
      ...ics.map((d) => join(sharedCaptures, 'ics', d)),
    ];
    const { readdirSync, statSync, existsSync } = await import('node:fs');
    const list: string[] = [];
    for (const p of files) {
      if (!existsSync(p)) continue;
      if (statSync(p).isDirectory()) for (const f of readdirSync(p).sort().slice(0, 12)) list.push(join(p, f));
      else list.push(p);
    }
    for (const f of list) {
      if (!/\.(pcap|pcapng)(\.gz)?$/.test(f) || statSync(f).size > 8e6) continue;
      const engine = new Engine({ dissectors: ipDissectors().map(wrap), linkDissectors: linkDissectors().map(wrapLink) });
      try {
        await readCapture(f, (fr) => engine.frame(fr));
      } catch {
        continue;
      }
    }
    let calls = 0;
    const seen: string[] = [];
    for (const d of ipDissectors()) {
      const s = samples.get(d.id) ?? [];
      if (s.length) seen.push(`${d.id}:${s.length}`);
      const host = Buffer.alloc(4096);
      calls += hammer(d.id, (buf, len) => {
        const sample = s.find((x) => x.buf === buf) ?? s[0];
        // Copy into the middle of a larger buffer: bytes after `len` must not be read as message.
        buf.copy(host, 100, 0, Math.min(len, host.length - 200));
        host.fill(0x41, 100 + len, 100 + len + 50);
        return d.dissect(host, 100, Math.min(len, host.length - 200), fakeContext(sample?.proto ?? (d.udpPorts ? 17 : 6), sample?.fromClient ?? true));
      }, s.map((x) => x.buf));
    }
    for (const d of linkDissectors()) {
      const s = samples.get(d.id) ?? [];
      if (s.length) seen.push(`${d.id}:${s.length}`);
      calls += hammer(d.id, (buf, len) => d.dissect(buf, 0, len, fakeContext(0, true)), s.map((x) => x.buf));
    }
    process.stdout.write(`# real samples per dissector: ${seen.join(' ')}; ${calls} calls\n`);
    // The common protocols must have had real samples, or the loop proves little.
    for (const id of ['dhcp', 'dns', 'http', 'ssh', 'tls', 'quic', 'smb', 'snmp', 'ntp', 'kerberos', 'sip', 'smtp', 'ftp', 'cdp', 'modbus', 'dnp3', 's7comm', 'iec104', 'enip', 'mqtt', 'bacnet', 'profinet']) {
      assert.ok(samples.has(id), `no real ${id} message found in the shared captures`);
    }
  });
}

test.run();
