/**
 * A connection slot freed by a connection whose application was recognised
 * from its payload (HTTP on port 8765) and taken by an ICMP exchange: the
 * ICMP row must not inherit the application.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as B from '../../src/capture/builder.js';
import { Engine } from '../../src/engine/engine.js';
import { buildReport } from '../../src/report/build.js';
import { HOST, MAC, T0 } from '../helpers/traffic.js';

test('an ICMP connection in a slot an HTTP-by-payload connection held keeps its own application', () => {
  const engine = new Engine({ flows: { tcpTimeoutUs: 1e6, udpTimeoutUs: 1e6, otherTimeoutUs: 1e6 } });
  const session = B.tcpSession({
    client: HOST.client,
    server: HOST.web,
    cport: 50001,
    sport: 8765,
    clientMac: MAC.client,
    serverMac: MAC.web,
    startUs: T0,
    close: 'none',
    requests: [
      { fromClient: true, data: 'GET / HTTP/1.1\r\nHost: web\r\nUser-Agent: curl/8.0\r\n\r\n' },
      { fromClient: false, data: 'HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 0\r\n\r\n' },
    ],
  });
  for (const p of session) engine.packet(p.data, 0, p.data.length, p.data.length, p.tsUs, 1);
  // Ten seconds later: the HTTP connection has gone idle and is ended, its slot freed; a ping takes it.
  const t = session[session.length - 1]!.tsUs + 10e6;
  const ping = (src: string, dst: string, srcMac: string, dstMac: string, type: number, ts: number) => {
    const f = B.ipPacket({ src, dst, srcMac, dstMac, proto: 1, payload: B.icmpv4({ type, id: 7, seq: 1, payload: 'abcd' }) });
    engine.packet(f, 0, f.length, f.length, ts, 1);
  };
  ping(HOST.client, HOST.web, MAC.client, MAC.web, 8, t);
  ping(HOST.web, HOST.client, MAC.web, MAC.client, 0, t + 100);
  const report = buildReport(engine, [], { generator: { name: 'nps', version: 'test' }, deterministic: true });
  const http = report.flows.find((f) => f.protocol === 'tcp');
  const icmp = report.flows.find((f) => f.protocol === 'icmp');
  assert.ok(http && icmp, JSON.stringify(report.flows));
  assert.is(http!.server_port, 8765);
  assert.is(http!.application, 'HTTP', 'the precondition: HTTP recognised from the payload on port 8765');
  assert.is.not(icmp!.application, 'HTTP');
});

test.run();
