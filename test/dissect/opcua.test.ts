import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PacketView } from '../../src/decode/view.js';
import { opcuaDissector, policyName, scanOpcua, SECURITY_POLICY_NONE } from '../../src/dissect/opcua.js';
import { Verdict, type DissectContext, type Dissector } from '../../src/dissect/types.js';
import {
  opcuaAcknowledge,
  opcuaCreateSessionRequest,
  opcuaCreateSessionResponse,
  opcuaError,
  opcuaHello,
  opcuaOpenSecureChannelRequest,
  opcuaOpenSecureChannelResponse,
} from '../../src/capture/ot/opcua.js';
import { tcpSession } from '../../src/capture/builder.js';
import { fileSink, PcapWriter } from '../../src/capture/writer.js';
import { decodedFrames, listShared, tsharkByFrame } from '../helpers/real-captures.js';
import { haveShared, haveTool, skip } from '../helpers/skip.js';

interface Obs {
  who: string;
  kind: string;
  value: string;
  data?: unknown;
}

function fakeContext(fromClient: boolean): DissectContext & { obs: Obs[] } {
  const view = new PacketView();
  view.proto = 6;
  view.macSrc = 0x0016_3e00_0001;
  const obs: Obs[] = [];
  return {
    view,
    fromClient,
    obs,
    count() {},
    src(kind, value, data) { obs.push({ who: 'src', kind, value, data }); },
    dst(kind, value, data) { obs.push({ who: 'dst', kind, value, data }); },
    about(_ip, _mac, kind, value, data) { obs.push({ who: 'about', kind, value, data }); },
    about4(_ip, _mac, kind, value, data) { obs.push({ who: 'about', kind, value, data }); },
    wants4() { return true; },
  };
}

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
}

const VERDICTS = new Set([Verdict.NotMine, Verdict.More, Verdict.Done, Verdict.Continue, Verdict.Malformed]);
const list = (obs: Obs[], who: string, kind: string) => obs.filter((o) => o.who === who && o.kind === kind).map((o) => o.value);

/** Each TCP direction on `port` fed as the engine does (bytes from the start after each segment, until it stops asking). */
async function runStreams(file: string, d: Dissector, port: number) {
  const dirs = new Map<string, { buf: Buffer; next: number; done: boolean; fromClient: boolean; obs: Obs[]; verdicts: Verdict[] }>();
  await decodedFrames(file, (_i, v) => {
    if (v.proto !== 6 || (v.srcPort !== port && v.dstPort !== port)) return;
    const key = `${v.src4}:${v.srcPort}>${v.dst4}:${v.dstPort}`;
    let s = dirs.get(key);
    if (!s) dirs.set(key, (s = { buf: Buffer.alloc(0), next: -1, done: false, fromClient: v.dstPort === port, obs: [], verdicts: [] }));
    if (v.tcpFlags & 2) {
      s.next = (v.tcpSeq + 1) >>> 0;
      return;
    }
    if (v.payloadLen === 0 || s.done) return;
    if (s.next !== -1 && v.tcpSeq !== s.next) return;
    s.next = (v.tcpSeq + v.payloadLen) >>> 0;
    s.buf = Buffer.concat([s.buf, v.buf.subarray(v.payloadOff, v.payloadOff + v.payloadLen)]).subarray(0, d.maxStream ?? 8192);
    const ctx = fakeContext(s.fromClient);
    const r = d.dissect(s.buf, 0, s.buf.length, ctx);
    s.verdicts.push(r);
    s.obs = ctx.obs;
    if (r !== Verdict.More && r !== Verdict.Continue) s.done = true;
    if (s.buf.length >= (d.maxStream ?? 8192)) s.done = true;
  });
  return [...dirs.values()];
}

const URL = 'opc.tcp://plc-01.plant.local:4840';
const CLIENT = { applicationUri: 'urn:eng-ws-7:Vendor:ScadaClient', productUri: 'urn:vendor:scada', applicationName: 'SCADA Client', locale: 'en-US' };
const SERVER = { applicationUri: 'urn:plc-01:Vendor:OpcUaServer', productUri: 'urn:vendor:plc', applicationName: 'PLC OPC UA Server' };

function clientStream(): Buffer {
  return Buffer.concat([opcuaHello({ endpointUrl: URL }), opcuaOpenSecureChannelRequest(), opcuaCreateSessionRequest({ client: CLIENT, endpointUrl: URL })]);
}
function serverStream(): Buffer {
  return Buffer.concat([opcuaAcknowledge(), opcuaOpenSecureChannelResponse({ secureChannelId: 7 }), opcuaCreateSessionResponse({ server: SERVER, endpointUrl: URL })]);
}

test('builders: a client stream round-trips', () => {
  const c = clientStream();
  const s = scanOpcua(c, 0, c.length);
  assert.equal(s.messages, ['HEL', 'OPN', 'MSG']);
  assert.is(s.bad, false);
  assert.is(s.hello!.endpointUrl, URL);
  assert.is(s.securityPolicy, SECURITY_POLICY_NONE);
  assert.equal(s.services, [446, 461]);
  assert.equal(s.client, { applicationUri: CLIENT.applicationUri, productUri: CLIENT.productUri, name: 'SCADA Client', type: 1 });
  const ctx = fakeContext(true);
  assert.is(opcuaDissector.dissect(c, 0, c.length, ctx), Verdict.Done);
  assert.equal(list(ctx.obs, 'src', 'role'), ['opcua-client']);
  assert.equal(list(ctx.obs, 'dst', 'role'), ['opcua-server']);
  assert.equal(list(ctx.obs, 'dst', 'banner'), [`endpoint ${URL}`, 'security policy None']);
  assert.equal(list(ctx.obs, 'src', 'banner'), ['security policy None', 'application SCADA Client']);
  assert.equal(ctx.obs.find((o) => o.value === 'application SCADA Client')!.data, { application_uri: CLIENT.applicationUri, product_uri: CLIENT.productUri, application_type: 1 });
  assert.ok(opcuaDissector.probe!(c, 0, c.length, 6));
  // Hello alone: more wanted
  const hel = opcuaHello({ endpointUrl: URL });
  assert.is(opcuaDissector.dissect(hel, 0, hel.length, fakeContext(true)), Verdict.More);
});

test('builders: a server stream round-trips', () => {
  const b = serverStream();
  const s = scanOpcua(b, 0, b.length);
  assert.equal(s.messages, ['ACK', 'OPN', 'MSG']);
  assert.is(s.ack, true);
  assert.is(s.secureChannelId, 7);
  assert.equal(s.services, [449, 464]);
  assert.equal(s.server, { applicationUri: SERVER.applicationUri, productUri: SERVER.productUri, name: SERVER.applicationName, type: 0 });
  assert.is(s.serverEndpointUrl, URL);
  const ctx = fakeContext(false);
  assert.is(opcuaDissector.dissect(b, 0, b.length, ctx), Verdict.Done);
  assert.equal(list(ctx.obs, 'src', 'role'), ['opcua-server']);
  assert.equal(list(ctx.obs, 'dst', 'role'), ['opcua-client']);
  assert.equal(list(ctx.obs, 'src', 'banner'), ['security policy None', 'application PLC OPC UA Server']);
  // a secured channel: Done after the OPN, nothing read from MSG
  const sec = Buffer.concat([opcuaHello({ endpointUrl: URL }), opcuaOpenSecureChannelRequest({ securityPolicyUri: 'http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256' })]);
  const c2 = fakeContext(true);
  assert.is(opcuaDissector.dissect(sec, 0, sec.length, c2), Verdict.Done);
  assert.ok(list(c2.obs, 'dst', 'banner').includes('security policy Basic256Sha256'));
  assert.is(policyName('urn:x'), 'urn:x');
  // ERR: Done
  const err = Buffer.concat([opcuaError(0x80820000, 'bad url')]);
  assert.is(scanOpcua(err, 0, err.length).error!.code, 0x80820000);
  assert.is(opcuaDissector.dissect(err, 0, err.length, fakeContext(false)), Verdict.Done);
  // not OPC UA
  const http = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.ok([Verdict.NotMine, Verdict.Malformed].includes(opcuaDissector.dissect(http, 0, http.length, fakeContext(true))));
  assert.not.ok(opcuaDissector.probe!(http, 0, http.length, 6));
});

test('every truncation and random payloads return a verdict', () => {
  const samples = [clientStream(), serverStream(), opcuaError(0x80010000, 'reason')];
  let calls = 0;
  for (const s of samples) {
    for (let len = 0; len <= s.length; len++) {
      const host = Buffer.concat([Buffer.alloc(7, 0x4d), s.subarray(0, len), Buffer.alloc(7, 0xff)]);
      const r = opcuaDissector.dissect(host, 7, len, fakeContext(true));
      assert.ok(VERDICTS.has(r));
      // a cut stream is never given up on before the whole message is there
      if (len > 0 && len < 20 && s !== samples[2]) assert.is(r, Verdict.More);
      calls++;
    }
  }
  const rnd = random(4840);
  for (let i = 0; i < 3000; i++) {
    const buf = Buffer.alloc(rnd() * 2 + rnd());
    for (let k = 0; k < buf.length; k++) buf[k] = rnd();
    const base = samples[i % samples.length]!;
    if (i % 2 === 0) base.copy(buf, 0, 0, Math.min(base.length, Math.floor(buf.length * 0.8)));
    assert.ok(VERDICTS.has(opcuaDissector.dissect(buf, 0, buf.length, fakeContext(i % 3 === 0))));
    opcuaDissector.probe!(buf, 0, buf.length, 6);
    calls++;
  }
  process.stdout.write(`# opcua: ${calls} truncated/random calls\n`);
});

if (!haveTool('tshark')) {
  skip('tshark is absent: builder bytes not checked against tshark');
} else {
  test('tshark reads the builder messages the same way', () => {
    const dir = mkdtempSync(join(tmpdir(), 'opcua-'));
    try {
      const file = join(dir, 'b.pcap');
      const w = new PcapWriter(fileSink(file));
      const c = [opcuaHello({ endpointUrl: URL }), opcuaOpenSecureChannelRequest(), opcuaCreateSessionRequest({ client: CLIENT, endpointUrl: URL })];
      const s = [opcuaAcknowledge(), opcuaOpenSecureChannelResponse({ secureChannelId: 7 }), opcuaCreateSessionResponse({ server: SERVER, endpointUrl: URL })];
      const requests = c.flatMap((m, i) => [{ fromClient: true, data: m }, { fromClient: false, data: s[i]! }]);
      for (const p of tcpSession({ client: '10.0.0.5', server: '10.0.0.10', cport: 50000, sport: 4840, requests })) w.write(p.tsUs, p.data);
      w.close();
      const ts = tsharkByFrame(file, 'opcua && !_ws.malformed && !_ws.expert.severity == error', ['opcua.transport.type', 'opcua.transport.endpoint', 'opcua.security.spu', 'opcua.servicenodeid.numeric', 'opcua.ApplicationUri', 'opcua.ProductUri', 'opcua.loctext.Text', 'opcua.loctext.Locale'], '|');
      const rows = [...ts.values()];
      assert.is(rows.length, 6);
      assert.equal(rows.map((r) => r[0]), ['HEL', 'ACK', 'OPN', 'OPN', 'MSG', 'MSG']);
      assert.is(rows[0]![1], URL);
      assert.is(rows[2]![2], SECURITY_POLICY_NONE);
      assert.is(rows[4]![3], '461');
      assert.is(rows[4]![4], CLIENT.applicationUri);
      assert.is(rows[4]![5], CLIENT.productUri);
      assert.is(rows[5]![3], '464');
      assert.is(rows[4]![6], CLIENT.applicationName);
      assert.is(rows[4]![7], CLIENT.locale);
      assert.ok(rows[5]![4]!.split('|').includes(SERVER.applicationUri));
      assert.ok(rows[5]![6]!.split('|').includes(SERVER.applicationName));
      process.stdout.write(`# opcua builders: tshark reads ${rows.length} messages alike\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

const files = listShared('ics/OPC', /\.pcap$/);

if (!haveShared() || files.length === 0) {
  skip('../shared/captures/ics/OPC is absent: real OPC UA skipped');
} else {
  test('real streams: ics/OPC/opc-ua-ap-method-wireshark-freeze.pcap (port 12001: frame 4 Hello, 8 OPN None, 22 CreateSessionRequest, 33 CreateSessionResponse)', async () => {
    const file = files.find((f) => f.endsWith('opc-ua-ap-method-wireshark-freeze.pcap'))!;
    await decodedFrames(file, (i, v) => {
      if (i === 4) assert.ok(opcuaDissector.probe!(v.buf, v.payloadOff, v.payloadLen, 6), 'frame 4 is a Hello');
      if (i === 6) assert.not.ok(opcuaDissector.probe!(v.buf, v.payloadOff, v.payloadLen, 6), 'frame 6 is an Acknowledge');
    });
    const dirs = await runStreams(file, opcuaDissector, 12001);
    const clients = dirs.filter((d) => d.fromClient);
    const servers = dirs.filter((d) => !d.fromClient);
    assert.ok(clients.length >= 2 && servers.length >= 2);
    const c = clients[0]!;
    assert.is(c.verdicts.at(-1), Verdict.Done);
    assert.equal(list(c.obs, 'src', 'role'), ['opcua-client']);
    assert.equal(list(c.obs, 'dst', 'banner'), ['endpoint opc.tcp://vm-xp-steven:12001/UA/StackTestServer', 'security policy None']);
    assert.equal(list(c.obs, 'src', 'banner'), ['security policy None', 'application ApplicationName']);
    assert.equal(c.obs.find((o) => o.value === 'application ApplicationName')!.data, {
      application_uri: 'uri://AchillesSatellite/Opc.Ua.ServerTestTool/55ea864a-2be8-4bc6-bb73-1123c54d0fc4',
      product_uri: 'urn:opcfoundation.org/UA/ServerTest',
      application_type: 1,
    });
    const s = servers[0]!;
    assert.is(s.verdicts.at(-1), Verdict.Done);
    assert.equal(list(s.obs, 'src', 'role'), ['opcua-server']);
    // the GetEndpointsResponse (frames 12-20) already names the server
    assert.equal(list(s.obs, 'src', 'banner'), ['security policy None', 'application UA StackTest Server (AnsiC/2048)']);
    assert.equal(s.obs.find((o) => o.value.startsWith('application '))!.data, {
      application_uri: 'http://vm-xp-steven/UA StackTest Server (AnsiC/2048)',
      product_uri: null,
      application_type: 0,
      endpoint_url: 'opc.tcp://vm-xp-steven:12001/StackTestServer/AnsiC/2048',
    });
  });

  if (!haveTool('tshark')) {
    skip('tshark is absent: OPC UA comparison skipped');
  } else {
    test('tshark agreement per message (type, endpoint URL, security policy, service type id, ApplicationUri)', async () => {
      let frames = 0;
      let fields = 0;
      for (const file of files) {
        // tshark only dissects OPC UA on 4840 unless told; this capture uses 12001
        const tsDecode = tsharkDecodeAs(file, 12001);
        // Reassemble each direction and compare the messages in order.
        const ours = new Map<number, ReturnType<typeof scanOpcua>>();
        const streams = new Map<string, { buf: Buffer; at: number; next: number }>();
        await decodedFrames(file, (i, v) => {
          if (v.proto !== 6 || v.payloadLen === 0) return;
          const key = `${v.srcPort}>${v.dstPort}`;
          let st = streams.get(key);
          if (!st) streams.set(key, (st = { buf: Buffer.alloc(0), at: 0, next: -1 }));
          if (st.next !== -1 && v.tcpSeq !== st.next) return;
          st.next = (v.tcpSeq + v.payloadLen) >>> 0;
          st.buf = Buffer.concat([st.buf, v.buf.subarray(v.payloadOff, v.payloadOff + v.payloadLen)]);
          // whole messages from `at`
          while (st.buf.length - st.at >= 8) {
            const size = st.buf.readUInt32LE(st.at + 4);
            if (size < 8 || st.buf.length - st.at < size) break;
            ours.set(i, scanOpcua(st.buf, st.at, size, true));
            st.at += size;
          }
        });
        for (const [n, row] of tsDecode) {
          const m = ours.get(n);
          if (!m || !row[0] || row[0].includes('|')) continue; // several messages in one frame: skipped
          frames++;
          assert.is(m.messages[0], row[0], `#${n}`);
          if (row[1]) { assert.is(m.hello?.endpointUrl, row[1], `#${n}`); fields++; }
          if (row[2]) { assert.is(m.securityPolicy, row[2], `#${n}`); fields++; }
          if (row[3] && m.messages[0] !== 'ERR') {
            assert.is(String(m.services[0] ?? ''), row[3].split('|')[0], `#${n}`);
            fields++;
          }
          const uri = (row[4] ?? '').split('|')[0];
          if (uri && (m.services[0] === 461 || m.services[0] === 464 || m.services[0] === 431)) {
            assert.is((m.client ?? m.server)?.applicationUri, uri, `#${n}`);
            fields++;
          }
        }
      }
      process.stdout.write(`# opcua vs tshark: ${frames} messages compared, ${fields} fields agree\n`);
      assert.ok(frames >= 20 && fields >= 25);
    });
  }
}

/** tshark's OPC UA fields by frame, with `port` decoded as OPC UA (tsharkByFrame has no -d). */
function tsharkDecodeAs(file: string, port: number): Map<number, string[]> {
  const args = ['-r', file, '-d', `tcp.port==${port},opcua`, '-Y', 'opcua && !_ws.malformed', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', '-e', 'frame.number'];
  for (const f of ['opcua.transport.type', 'opcua.transport.endpoint', 'opcua.security.spu', 'opcua.servicenodeid.numeric', 'opcua.ApplicationUri']) args.push('-e', f);
  let out = '';
  try {
    out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    out = (e as { stdout?: string }).stdout ?? '';
  }
  const rows = new Map<number, string[]>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [n = '', ...rest] = line.split('\t');
    rows.set(Number(n), rest);
  }
  return rows;
}

test.run();
