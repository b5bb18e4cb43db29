/**
 * Which application a flow row names when the payload was recognised (SPEC
 * §5.2, payload beats port): a dissector that read its protocol on a port the
 * port table has no name for names it; TLS found on another application's
 * port leaves that application (TLS only protects it) unless that
 * application's own dissector found none of its messages; TLS records of a
 * connection whose handshake was not captured are recognised as TLS.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { tlsClientHello, tlsRecord } from '../../src/capture/samples/tls.js';
import { Engine } from '../../src/engine/engine.js';
import { buildReport } from '../../src/report/build.js';
import { looksLikeTlsRecords } from '../../src/dissect/tls.js';
import { HOST, MAC, T0 } from '../helpers/traffic.js';

const HELLO = tlsClientHello({ sni: 'app.example.com', profile: 'chrome', seed: 'payload-app' });
const GET = 'GET / HTTP/1.1\r\nHost: app\r\nUser-Agent: curl/8.0\r\n\r\n';
const OK = 'HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 0\r\n\r\n';
const appData = (n: number, fill: number) => tlsRecord(23, Buffer.alloc(n, fill));

/** The application of the only TCP row of one session on `sport` (and of the server's open port, which must agree). */
function applicationOf(sport: number, requests: { fromClient: boolean; data: string | Buffer }[], handshake = true): string {
  const engine = new Engine();
  const session = B.tcpSession({
    client: HOST.client,
    server: HOST.web,
    cport: 50001,
    sport,
    clientMac: MAC.client,
    serverMac: MAC.web,
    startUs: T0,
    handshake,
    close: handshake ? 'fin' : 'none',
    requests,
  });
  for (const p of session) engine.packet(p.data, 0, p.data.length, p.data.length, p.tsUs, 1);
  const report = buildReport(engine, [], { generator: { name: 'nps', version: 'test' }, deterministic: true });
  const rows = report.flows.filter((f) => f.protocol === 'tcp');
  assert.is(rows.length, 1, JSON.stringify(report.flows));
  assert.is(rows[0]!.server_port, sport);
  const assets = report.assets as unknown as { ips: string[]; open_ports: { proto: string; port: number; application: string }[] }[];
  const open = assets.find((a) => a.ips.includes(HOST.web))?.open_ports.find((p) => p.proto === 'tcp' && p.port === sport);
  // With the handshake captured the server's SYN-ACK makes it an open port.
  if (handshake) assert.ok(open, 'the server has the port open');
  if (open !== undefined) assert.is(open.application, rows[0]!.application, 'the open port is named as its rows');
  return rows[0]!.application as string;
}

test('HTTP read by its own dissector on a port the table has no name for (8000, 8888) is HTTP, not unknown, in rows and open ports', () => {
  assert.is(applicationOf(8000, [{ fromClient: true, data: GET }, { fromClient: false, data: OK }]), 'HTTP');
  assert.is(applicationOf(8888, [{ fromClient: true, data: GET }, { fromClient: false, data: OK }]), 'HTTP');
});

test('a port the table names keeps its name when its dissector reads the payload (HTTP on 631 is IPP)', () => {
  assert.is(applicationOf(631, [{ fromClient: true, data: GET }, { fromClient: false, data: OK }]), 'IPP');
});

test('TLS on a port with no name is HTTPS; on 4443 too', () => {
  assert.is(applicationOf(12345, [{ fromClient: true, data: HELLO }]), 'HTTPS');
  assert.is(applicationOf(4443, [{ fromClient: true, data: HELLO }]), 'HTTPS');
});

test('TLS on the port of an application it protects (RDP 3389, IRC 6667) keeps that application', () => {
  assert.is(applicationOf(3389, [{ fromClient: true, data: HELLO }]), 'RDP');
  assert.is(applicationOf(6667, [{ fromClient: true, data: HELLO }]), 'IRC');
});

test("TLS on Modbus's port, whose dissector found no Modbus, is HTTPS", () => {
  assert.is(applicationOf(502, [{ fromClient: true, data: HELLO }]), 'HTTPS');
});

test('TLS records of a connection caught after its handshake are TLS; bytes that only start like one are not', () => {
  const records = Buffer.concat([appData(300, 0x41), appData(40, 0x42)]);
  assert.is(applicationOf(12345, [{ fromClient: true, data: records }, { fromClient: false, data: appData(500, 0x43) }], false), 'HTTPS');
  // A record header whose length runs past the segment, then no second header: too little to say TLS.
  const cut = Buffer.concat([Buffer.from([23, 3, 3, 0x10, 0x00]), Buffer.alloc(200, 0x44)]);
  assert.is(applicationOf(12345, [{ fromClient: true, data: cut }], false), 'unknown');
});

test('looksLikeTlsRecords: one record filling the payload, or followed by a record header', () => {
  assert.ok(looksLikeTlsRecords(appData(10, 1), 0, 15));
  const two = Buffer.concat([appData(10, 1), tlsRecord(21, Buffer.alloc(2, 0))]);
  assert.ok(looksLikeTlsRecords(two, 0, two.length));
  // Not application data first, a bad version, an empty or oversized body, a wrong next header.
  assert.not.ok(looksLikeTlsRecords(tlsRecord(22, Buffer.alloc(10, 1)), 0, 15));
  assert.not.ok(looksLikeTlsRecords(tlsRecord(23, Buffer.alloc(10, 1), 0x0203), 0, 15));
  assert.not.ok(looksLikeTlsRecords(Buffer.from([23, 3, 3, 0, 0, 9]), 0, 6));
  assert.not.ok(looksLikeTlsRecords(Buffer.concat([Buffer.from([23, 3, 3, 0x50, 0x00]), Buffer.alloc(20481)]), 0, 20486));
  const bad = Buffer.concat([appData(10, 1), Buffer.from([0x47, 0x45, 0x54, 0x20, 0x2f, 0x20])]);
  assert.not.ok(looksLikeTlsRecords(bad, 0, bad.length));
});

test.run();
