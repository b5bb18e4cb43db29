import { test } from 'uvu';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tcpSession } from '../../src/capture/builder.js';
import { fileSink, PcapWriter } from '../../src/capture/writer.js';
import * as assert from 'uvu/assert';
import { PacketView } from '../../src/decode/view.js';
import { mqttDissector, scanMqtt } from '../../src/dissect/mqtt.js';
import { Verdict, type DissectContext, type Dissector } from '../../src/dissect/types.js';
import { mqttConnack, mqttConnect, mqttPublish, mqttSubscribe } from '../../src/capture/ot/mqtt.js';
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

/**
 * Feeds each TCP direction of `file` to the dissector the way the engine does:
 * the direction's bytes from the start, after every segment, until it stops
 * asking. Returns the observations of the last call per direction, by "client" / "server".
 */
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
    if (s.next !== -1 && v.tcpSeq !== s.next) return; // retransmission or gap
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

test('builders: CONNECT 3.1.1 and 5.0 round-trip', () => {
  const v4 = mqttConnect({ clientId: 'plc-gw-01', username: 'scada', password: 'x', will: { topic: 'site/status', message: 'offline' } });
  const v5 = mqttConnect({ clientId: 'sensor-17', level: 5, username: 'edge', will: { topic: 'w', message: 'm' } });
  const v3 = mqttConnect({ clientId: 'old', level: 3 });
  for (const [b, level, user] of [[v4, 4, 'scada'], [v5, 5, 'edge'], [v3, 3, null]] as const) {
    const r = scanMqtt(b, 0, b.length);
    assert.is(r.bad, false);
    assert.ok(r.connect);
    assert.is(r.connect!.level, level);
    assert.is(r.connect!.userName, user);
    assert.is(r.connect!.protocolName, level === 3 ? 'MQIsdp' : 'MQTT');
    const ctx = fakeContext(true);
    assert.is(mqttDissector.dissect(b, 0, b.length, ctx), Verdict.More);
    assert.equal(list(ctx.obs, 'src', 'role'), ['mqtt-client']);
    assert.equal(list(ctx.obs, 'dst', 'role'), ['mqtt-broker']);
  }
  const ctx = fakeContext(true);
  mqttDissector.dissect(v4, 0, v4.length, ctx);
  const banner = ctx.obs.find((o) => o.kind === 'banner')!;
  assert.is(banner.value, 'mqtt client id plc-gw-01');
  assert.equal(banner.data, { protocol_name: 'MQTT', protocol_level: 4, username_present: true, password_present: true, will: true, clean_session: true, keep_alive: 60 });
  assert.equal(list(ctx.obs, 'src', 'user'), ['scada']);
  assert.ok(mqttDissector.probe!(v4, 0, v4.length, 6));
  assert.ok(mqttDissector.probe!(v3, 0, v3.length, 6));
  assert.not.ok(mqttDissector.probe!(v4, 0, v4.length, 17));
});

test('builders: a client stream with PUBLISH / SUBSCRIBE, and the CONNACK', () => {
  const stream = Buffer.concat([
    mqttConnect({ clientId: 'hmi-3', level: 5 }),
    mqttSubscribe({ topics: ['plant/+/alarms', 'plant/line1/#'], level: 5 }),
    mqttPublish({ topic: 'plant/line1/temp', payload: '21.5', level: 5 }),
    mqttPublish({ topic: 'plant/line1/temp', payload: '21.6', qos: 1, packetId: 9, level: 5 }),
    mqttPublish({ topic: 'plant/line1/big', payload: Buffer.alloc(300, 0x41) }),
  ]);
  const ctx = fakeContext(true);
  assert.is(mqttDissector.dissect(stream, 0, stream.length, ctx), Verdict.More);
  assert.equal(list(ctx.obs, 'src', 'banner'), ['mqtt client id hmi-3', 'mqtt publish plant/line1/temp', 'mqtt publish plant/line1/big', 'mqtt subscribe plant/+/alarms', 'mqtt subscribe plant/line1/#']);
  // cut inside the last PUBLISH payload: its topic is still read
  const cut = fakeContext(true);
  assert.is(mqttDissector.dissect(stream, 0, stream.length - 200, cut), Verdict.More);
  assert.ok(list(cut.obs, 'src', 'banner').includes('mqtt publish plant/line1/big'));
  // many topics: Done after 8
  const many = Buffer.concat([mqttConnect({ clientId: 'c' }), ...Array.from({ length: 12 }, (_, i) => mqttPublish({ topic: `t/${i}`, payload: 'x' }))]);
  const m = fakeContext(true);
  assert.is(mqttDissector.dissect(many, 0, many.length, m), Verdict.Done);
  assert.is(list(m.obs, 'src', 'banner').length, 9);
  // the broker's CONNACK
  const ack = mqttConnack({ returnCode: 0 });
  const a = fakeContext(false);
  assert.is(mqttDissector.dissect(ack, 0, ack.length, a), Verdict.Done);
  assert.equal(list(a.obs, 'src', 'role'), ['mqtt-broker']);
  assert.equal(list(a.obs, 'dst', 'role'), ['mqtt-client']);
  assert.equal(a.obs[0]!.data, { connack_return_code: 0 });
  const a5 = mqttConnack({ returnCode: 0x87, level: 5 });
  assert.is(scanMqtt(a5, 0, a5.length).connack!.returnCode, 0x87);
  // not MQTT
  const http = Buffer.from('GET / HTTP/1.1\r\n\r\n');
  assert.ok([Verdict.NotMine, Verdict.Malformed].includes(mqttDissector.dissect(http, 0, http.length, fakeContext(true))));
});

test('every truncation and random payloads return a verdict', () => {
  const samples = [
    Buffer.concat([mqttConnect({ clientId: 'a', level: 5, username: 'u', password: 'p', will: { topic: 't', message: 'm' } }), mqttSubscribe({ topics: ['x/#'], level: 5 }), mqttPublish({ topic: 'y', payload: 'z', qos: 2, level: 5 })]),
    Buffer.concat([mqttConnect({ clientId: 'b', level: 3 }), mqttPublish({ topic: 'y', payload: Buffer.alloc(200) })]),
    Buffer.concat([mqttConnack(), mqttPublish({ topic: 'y', payload: 'z' })]),
  ];
  let calls = 0;
  for (const s of samples) {
    for (let len = 0; len <= s.length; len++) {
      const host = Buffer.concat([Buffer.alloc(5, 0x10), s.subarray(0, len), Buffer.alloc(5, 0xff)]);
      assert.ok(VERDICTS.has(mqttDissector.dissect(host, 5, len, fakeContext(true))));
      calls++;
    }
  }
  const rnd = random(1883);
  for (let i = 0; i < 3000; i++) {
    const buf = Buffer.alloc(rnd() + rnd());
    for (let k = 0; k < buf.length; k++) buf[k] = rnd();
    const base = samples[i % samples.length]!;
    if (i % 2 === 0) base.copy(buf, 0, 0, Math.min(base.length, buf.length >> 1));
    assert.ok(VERDICTS.has(mqttDissector.dissect(buf, 0, buf.length, fakeContext(i % 3 === 0))));
    mqttDissector.probe!(buf, 0, buf.length, 6);
    calls++;
  }
  process.stdout.write(`# mqtt: ${calls} truncated/random calls\n`);
});

if (!haveTool('tshark')) {
  skip('tshark is absent: builder packets not checked against tshark');
} else {
  test('tshark reads the builder packets (3.1.1 and 5.0) the same way', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqtt-'));
    try {
      const file = join(dir, 'b.pcap');
      const w = new PcapWriter(fileSink(file));
      let port = 40000;
      for (const level of [4, 5] as const) {
        const requests = [
          { fromClient: true, data: mqttConnect({ clientId: `gw-${level}`, level, username: 'op', password: 'pw', will: { topic: 'gw/state', message: 'down', qos: 1 } }) },
          { fromClient: false, data: mqttConnack({ level }) },
          { fromClient: true, data: Buffer.concat([mqttSubscribe({ topics: ['cmd/#'], level, qos: 1 }), mqttPublish({ topic: 'tele/temp', payload: '20', qos: 1, packetId: 3, level })]) },
        ];
        for (const p of tcpSession({ client: '10.0.0.5', server: '10.0.0.9', cport: port++, sport: 1883, requests })) w.write(p.tsUs, p.data);
      }
      w.close();
      const ts = tsharkByFrame(file, 'mqtt && !_ws.malformed && !_ws.expert.severity == error', ['mqtt.msgtype', 'mqtt.ver', 'mqtt.clientid', 'mqtt.username', 'mqtt.willtopic', 'mqtt.topic', 'mqtt.conack.val', 'mqtt.connack.reason_code'], '|');
      const rows = [...ts.values()];
      assert.equal(rows.map((r) => r[0]), ['1', '2', '8|3', '1', '2', '8|3']);
      assert.equal(rows[0]!.slice(1, 5), ['4', 'gw-4', 'op', 'gw/state']);
      assert.equal(rows[3]!.slice(1, 5), ['5', 'gw-5', 'op', 'gw/state']);
      assert.is(rows[2]![5], 'cmd/#|tele/temp');
      assert.is(rows[5]![5], 'cmd/#|tele/temp');
      process.stdout.write(`# mqtt builders: tshark reads ${rows.length} frames alike\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

const files = listShared('zeek', /^mqtt\.pcap$/);

if (!haveShared() || files.length === 0) {
  skip('../shared/captures/zeek/mqtt.pcap is absent: real MQTT skipped');
} else {
  test('real streams: zeek/mqtt.pcap (frame 1 CONNECT MQIsdp from paho, frame 2 CONNACK, SUBSCRIBE / PUBLISH SampleTopic)', async () => {
    const dirs = await runStreams(files[0]!, mqttDissector, 1883);
    const clients = dirs.filter((d) => d.fromClient);
    const servers = dirs.filter((d) => !d.fromClient);
    assert.is(clients.length, 2);
    assert.is(servers.length, 2);
    assert.equal(list(clients[0]!.obs, 'src', 'banner'), ['mqtt client id paho/34AAE54A75D839566E', 'mqtt subscribe SampleTopic']);
    assert.equal(list(clients[1]!.obs, 'src', 'banner'), ['mqtt client id paho/DDE4DDAF4108D3E363', 'mqtt publish SampleTopic']);
    assert.equal(clients[0]!.obs.find((o) => o.kind === 'banner')!.data, { protocol_name: 'MQIsdp', protocol_level: 3, username_present: false, password_present: false, will: false, clean_session: true, keep_alive: 5 });
    for (const s of servers) {
      assert.equal(list(s.obs, 'src', 'role'), ['mqtt-broker']);
      assert.is(s.verdicts.at(-1), Verdict.Done);
    }
    // frame 1 alone (the first segment): what the engine offers first
    await decodedFrames(files[0]!, (i, v) => {
      if (i !== 1) return;
      assert.ok(mqttDissector.probe!(v.buf, v.payloadOff, v.payloadLen, 6));
    });
  });

  if (!haveTool('tshark')) {
    skip('tshark is absent: MQTT comparison skipped');
  } else {
    test('tshark agreement per packet (message type, version, client id, user name flag, topic, CONNACK code)', async () => {
      let packets = 0;
      let connects = 0;
      let frames = 0;
      for (const file of files) {
        const ts = tsharkByFrame(file, 'mqtt', ['mqtt.msgtype', 'mqtt.ver', 'mqtt.clientid', 'mqtt.conflag.uname', 'mqtt.topic', 'mqtt.conack.val']);
        await decodedFrames(file, (i, v) => {
          const row = ts.get(i);
          if (!row) return;
          frames++;
          const r = scanMqtt(v.buf, v.payloadOff, v.payloadLen, false);
          const [types, ver, cid, uname, topic, conack] = row;
          assert.is(r.types.join(','), types, `#${i}`);
          packets += r.types.length;
          if (r.connect) {
            connects++;
            assert.is(String(r.connect.level), ver);
            assert.is(r.connect.clientId, cid);
            assert.is(r.connect.usernamePresent ? '1' : '0', uname === 'True' || uname === '1' ? '1' : '0');
          }
          const topics = [...r.published, ...r.subscribed];
          if (topic) assert.ok(topics.includes(topic), `#${i} topic ${topic}`);
          if (r.connack) assert.is(String(r.connack.returnCode), conack);
        });
      }
      process.stdout.write(`# mqtt vs tshark: ${frames} frames, ${packets} packets, ${connects} CONNECTs agree\n`);
      assert.ok(frames >= 19 && connects === 2);
    });
  }
}

test.run();
