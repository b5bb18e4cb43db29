/**
 * A UDP datagram sent in IPv4 fragments: the first fragment's UDP length is
 * the whole datagram's, which is no malformation; the datagram is reassembled
 * and counted once. A lone unfragmented packet whose UDP length runs past its
 * IP payload still is one.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { Engine } from '../../src/engine/engine.js';
import { buildReport } from '../../src/report/build.js';
import { HOST, MAC, T0 } from '../helpers/traffic.js';

const feed = (e: Engine, frames: Buffer[]) => frames.forEach((f, i) => e.packet(f, 0, f.length, f.length, T0 + i * 10, 1));

test('fragments of a UDP datagram are not counted as udp.length_exceeds_ip_payload', () => {
  const ip = B.ipv4({ src: HOST.client, dst: HOST.web, proto: 17, id: 4242, payload: B.udp({ srcPort: 40000, dstPort: 5000, payload: new Uint8Array(3000).fill(7) }) });
  const frames = B.fragmentIpv4(ip, 1500).map((p) => B.linkFrame(p, { srcMac: MAC.client, dstMac: MAC.web }));
  assert.ok(frames.length >= 3);
  const e = new Engine();
  feed(e, frames);
  const r = buildReport(e, [], { generator: { name: 'nps', version: 'test' }, deterministic: true });
  const errors = (r.capture as { decode_errors: Record<string, number> }).decode_errors;
  assert.is(errors['udp.length_exceeds_ip_payload'], undefined, JSON.stringify(errors));
  const udp = r.flows.filter((f) => f.protocol === 'udp');
  assert.is(udp.length, 1);
  assert.is(udp[0]!.server_port, 5000);
  assert.is(udp[0]!.connections, 1);
});

test('an unfragmented UDP packet whose length runs past the IP payload is still counted', () => {
  const ip = B.ipv4({ src: HOST.client, dst: HOST.web, proto: 17, payload: B.udp({ srcPort: 40000, dstPort: 5000, payload: new Uint8Array(100) }) });
  const bad = Buffer.from(ip);
  bad.writeUInt16BE(400, 20 + 4); // UDP length 400 in a 128-byte UDP segment
  const e = new Engine();
  feed(e, [B.linkFrame(bad, { srcMac: MAC.client, dstMac: MAC.web })]);
  const r = buildReport(e, [], { generator: { name: 'nps', version: 'test' }, deterministic: true });
  assert.is((r.capture as { decode_errors: Record<string, number> }).decode_errors['udp.length_exceeds_ip_payload'], 1);
});

test.run();
