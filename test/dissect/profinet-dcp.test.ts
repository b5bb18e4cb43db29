import { test } from 'uvu';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ethernet } from '../../src/capture/builder.js';
import { fileSink, PcapWriter } from '../../src/capture/writer.js';
import * as assert from 'uvu/assert';
import { PacketView } from '../../src/decode/view.js';
import { parseDcp, profinetDcpDissector, roleDeviceType } from '../../src/dissect/profinet-dcp.js';
import { Verdict, type DissectContext } from '../../src/dissect/types.js';
import { dcpIdentifyRequest, dcpIdentifyResponse } from '../../src/capture/ot/profinet-dcp.js';
import { decodedFrames, listShared, tsharkByFrame } from '../helpers/real-captures.js';
import { haveShared, haveTool, skip } from '../helpers/skip.js';

interface Obs {
  who: string;
  ip: string | number | null;
  mac: number;
  kind: string;
  value: string;
  data?: unknown;
  source?: string;
  macBound?: boolean;
}

function fakeContext(macSrc = 0x0002_e317_c750): DissectContext & { obs: Obs[]; counts: string[] } {
  const view = new PacketView();
  view.proto = 0;
  view.macSrc = macSrc;
  const obs: Obs[] = [];
  const counts: string[] = [];
  return {
    view,
    fromClient: true,
    obs,
    counts,
    count(r: string) { counts.push(r); },
    src(kind, value, data) { obs.push({ who: 'src', ip: null, mac: -1, kind, value, data }); },
    dst(kind, value, data) { obs.push({ who: 'dst', ip: null, mac: -1, kind, value, data }); },
    about(ip, mac, kind, value, data, source, macBound) { obs.push({ who: 'about', ip, mac, kind, value, data, source, macBound }); },
    about4(ip, mac, kind, value, data, source, macBound) { obs.push({ who: 'about4', ip, mac, kind, value, data, source, macBound }); },
    wants4() { return true; },
  };
}

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
}

const VERDICTS = new Set([Verdict.NotMine, Verdict.More, Verdict.Done, Verdict.Continue, Verdict.Malformed]);

const find = (obs: Obs[], kind: string) => obs.filter((o) => o.kind === kind).map((o) => o.value);

test('builder: identify response round-trips', () => {
  const b = dcpIdentifyResponse({ nameOfStation: 'plc-line1', vendorId: 0x002a, deviceId: 0x0e0f, role: 2, typeOfStation: 'S7-1500', ip: '192.168.0.10', mask: '255.255.255.0', gateway: '192.168.0.1' });
  const info = parseDcp(b, 0, b.length)!;
  assert.ok(info);
  assert.is(info.frameId, 0xfeff);
  assert.is(info.serviceId, 5);
  assert.ok(info.isResponse);
  assert.is(info.nameOfStation, 'plc-line1');
  assert.is(info.typeOfStation, 'S7-1500');
  assert.is(info.vendorId, 0x2a);
  assert.is(info.deviceId, 0x0e0f);
  assert.is(info.deviceRole, 2);
  assert.is(info.ip, 0xc0a8000a);
  assert.is(info.mask, 0xffffff00);
  assert.is(info.gateway, 0xc0a80001);
  const ctx = fakeContext();
  // inside a larger buffer, with Ethernet padding after it
  const host = Buffer.concat([Buffer.alloc(20, 0xaa), b, Buffer.alloc(10)]);
  assert.is(profinetDcpDissector.dissect(host, 20, b.length + 10, ctx), Verdict.Continue);
  assert.equal(find(ctx.obs, 'role'), ['profinet-device']);
  assert.equal(find(ctx.obs, 'hostname'), ['plc-line1']);
  assert.equal(find(ctx.obs, 'model'), ['S7-1500']);
  assert.equal(find(ctx.obs, 'vendor'), ['Siemens']);
  assert.equal(find(ctx.obs, 'device_type'), ['industrial controller']);
  assert.equal(find(ctx.obs, 'banner'), ['ip 192.168.0.10/255.255.255.0 gw 192.168.0.1', 'profinet ip']);
  for (const o of ctx.obs) {
    assert.is(o.mac, ctx.view.macSrc);
    assert.is(o.macBound, true);
    assert.is(o.source, 'profinet');
  }
  const a4 = ctx.obs.find((o) => o.who === 'about4')!;
  assert.is(a4.ip, 0xc0a8000a);
  assert.equal(a4.data, { mask: '255.255.255.0', gateway: '192.168.0.1' });
  assert.equal(ctx.obs.find((o) => o.kind === 'vendor')!.data, { vendor_id: 0x2a, device_id: 0x0e0f });
});

test('builder: an Identify All request names the sender a controller; one filtered by a name says nothing of its sender', () => {
  const all = dcpIdentifyRequest();
  const named = dcpIdentifyRequest({ nameOfStation: 'io-device-7', xid: 7 });
  const seen: string[][] = [];
  for (const b of [all, named]) {
    const info = parseDcp(b, 0, b.length)!;
    assert.is(info.frameId, 0xfefe);
    assert.is(info.isResponse, false);
    assert.is(info.nameOfStation, null, 'a filter is not the sender\'s name');
    const ctx = fakeContext();
    assert.is(profinetDcpDissector.dissect(b, 0, b.length, ctx), Verdict.Continue);
    seen.push(ctx.obs.map((o) => `${o.kind}=${o.value}`));
  }
  // A device checks at start-up that no other holds its name: the filter may be its own name.
  assert.equal(seen, [['role=profinet-controller'], []]);
});

test('unknown vendor id, device roles, cyclic frames', () => {
  const b = dcpIdentifyResponse({ nameOfStation: 'et200', vendorId: 0x1234, deviceId: 1, role: 1 });
  const ctx = fakeContext();
  profinetDcpDissector.dissect(b, 0, b.length, ctx);
  assert.equal(find(ctx.obs, 'vendor'), ['vendor id 0x1234']);
  assert.equal(find(ctx.obs, 'device_type'), ['field device']);
  assert.is(roleDeviceType(8), 'hmi/engineering station');
  assert.is(roleDeviceType(4), null);
  // a cyclic RT frame (FrameID 0x8000) is not DCP: no observation, not malformed
  const c = fakeContext();
  assert.is(profinetDcpDissector.dissect(Buffer.from([0x80, 0x00, 1, 2, 3, 4]), 0, 6, c), Verdict.Continue);
  assert.is(c.obs.length, 0);
});

test('every truncation and random payloads return a verdict', () => {
  const samples = [
    dcpIdentifyRequest(),
    dcpIdentifyRequest({ nameOfStation: 'switch3' }),
    dcpIdentifyResponse({ nameOfStation: 'plc', vendorId: 0x2a, deviceId: 0x101, role: 2, typeOfStation: 'S7-300EC', ip: '10.0.0.1' }),
  ];
  let calls = 0;
  for (const s of samples) {
    for (let len = 0; len <= s.length; len++) {
      const host = Buffer.concat([Buffer.alloc(3), s.subarray(0, len), Buffer.alloc(3, 0xff)]);
      assert.ok(VERDICTS.has(profinetDcpDissector.dissect(host, 3, len, fakeContext())));
      calls++;
    }
  }
  const rnd = random(8892);
  for (let i = 0; i < 3000; i++) {
    const buf = Buffer.alloc(rnd() + 2);
    for (let k = 0; k < buf.length; k++) buf[k] = rnd();
    const base = samples[i % samples.length]!;
    if (i % 2 === 0) base.copy(buf, 0, 0, Math.min(base.length, buf.length >> 1));
    if (i % 3 === 0) { buf[0] = 0xfe; buf[1] = 0xfc + (i & 3); }
    assert.ok(VERDICTS.has(profinetDcpDissector.dissect(buf, 0, buf.length, fakeContext())));
    calls++;
  }
  process.stdout.write(`# profinet-dcp: ${calls} truncated/random calls\n`);
});

if (!haveTool('tshark')) {
  skip('tshark is absent: builder frames not checked against tshark');
} else {
  test('builder frames (one VLAN-tagged) decode alike in tshark and here', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pndcp-'));
    try {
      const file = join(dir, 'b.pcap');
      const w = new PcapWriter(fileSink(file));
      const res = dcpIdentifyResponse({ nameOfStation: 'io-dev-3', vendorId: 0x002a, deviceId: 0x0313, role: 1, typeOfStation: 'ET 200SP', ip: '10.1.2.3', mask: '255.255.0.0', gateway: '10.1.0.1' });
      w.write(1_700_000_000_000_000, ethernet({ src: '00:1b:1b:aa:bb:01', dst: '01:0e:cf:00:00:00', etherType: 0x8892, payload: dcpIdentifyRequest(), padTo60: true }));
      w.write(1_700_000_000_100_000, ethernet({ src: '00:1b:1b:aa:bb:02', dst: '00:1b:1b:aa:bb:01', etherType: 0x8892, payload: res, padTo60: true, vlans: [{ id: 0, pcp: 6 }] }));
      w.close();
      const ts = tsharkByFrame(file, 'pn_dcp && !_ws.malformed && !_ws.expert.severity == error', ['pn_dcp.service_type', 'pn_dcp.suboption_device_nameofstation', 'pn_dcp.suboption_vendor_id', 'pn_dcp.suboption_device_id', 'pn_dcp.suboption_device_role', 'pn_dcp.suboption_ip_ip', 'pn_dcp.suboption_ip_subnetmask', 'pn_dcp.suboption_ip_standard_gateway', 'pn_dcp.suboption_device_devicevendorvalue']);
      assert.is(ts.size, 2);
      assert.equal(ts.get(2), ['1', 'io-dev-3', '0x002a', '0x0313', '0x01', '10.1.2.3', '255.255.0.0', '10.1.0.1', 'ET 200SP']);
      const got: string[][] = [];
      await decodedFrames(file, (_i, v) => {
        assert.is(v.etherType, 0x8892);
        const ctx = fakeContext(v.macSrc);
        profinetDcpDissector.dissect(v.buf, v.l2PayloadOff, v.capEnd - v.l2PayloadOff, ctx);
        got.push(ctx.obs.map((o) => `${o.kind}=${o.value}`));
      });
      assert.equal(got, [
        ['role=profinet-controller'],
        ['role=profinet-device', 'hostname=io-dev-3', 'model=ET 200SP', 'vendor=Siemens', 'device_type=field device', 'banner=ip 10.1.2.3/255.255.0.0 gw 10.1.0.1', 'banner=profinet ip'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

const files = [
  ...listShared('ics/profinet', /\.pcap$/),
  ...listShared('ics/profinet/PROFINET-RT-DCP', /\.pcap$/),
  ...listShared('ics/ModbusTCP', /^mb2\.pcap$/),
];

if (!haveShared() || files.length === 0) {
  skip('../shared/captures/ics/profinet is absent: real DCP frames skipped');
} else {
  test('real frame: profinet-wireshark-bug.pcap frame 2 (identify response of an S7-300)', async () => {
    const file = files.find((f) => f.endsWith('profinet-wireshark-bug.pcap'))!;
    let seen = false;
    await decodedFrames(file, (i, v) => {
      if (i !== 2) return;
      assert.is(v.etherType, 0x8892);
      const ctx = fakeContext(v.macSrc);
      (ctx as { view: PacketView }).view = v;
      assert.is(profinetDcpDissector.dissect(v.buf, v.l2PayloadOff, v.capEnd - v.l2PayloadOff, ctx), Verdict.Continue);
      assert.equal(find(ctx.obs, 'vendor'), ['Siemens']);
      assert.equal(find(ctx.obs, 'model'), ['S7-300EC']);
      assert.equal(find(ctx.obs, 'device_type'), ['industrial controller']);
      assert.equal(find(ctx.obs, 'hostname'), ['%n%n%n ']);
      assert.equal(find(ctx.obs, 'banner'), ['ip 192.168.0.11/255.255.255.0 gw 192.168.0.11', 'profinet ip']);
      assert.equal(find(ctx.obs, 'role'), ['profinet-device']);
      assert.is(v.macSrc, 0x0002_e317_c750);
      seen = true;
    });
    assert.ok(seen);
  });

  if (!haveTool('tshark')) {
    skip('tshark is absent: DCP comparison skipped');
  } else {
    test('tshark agreement on DCP frames (name of station, vendor / device id, role, IP, type of station)', async () => {
      let frames = 0;
      let responses = 0;
      let agree = 0;
      for (const file of files) {
        const ts = tsharkByFrame(file, 'pn_dcp', ['pn_rt.frame_id', 'pn_dcp.service_id', 'pn_dcp.service_type', 'pn_dcp.suboption_device_nameofstation', 'pn_dcp.suboption_vendor_id', 'pn_dcp.suboption_device_id', 'pn_dcp.suboption_device_role', 'pn_dcp.suboption_ip_ip', 'pn_dcp.suboption_device_devicevendorvalue']);
        await decodedFrames(file, (i, v) => {
          if (v.etherType !== 0x8892) return;
          const row = ts.get(i);
          const info = parseDcp(v.buf, v.l2PayloadOff, v.capEnd - v.l2PayloadOff);
          if (!row) {
            assert.is(info, null, `${file} #${i}: DCP for us, not for tshark`);
            return;
          }
          frames++;
          assert.ok(info, `${file} #${i}`);
          const [fid, sid, stype, name, vid, did, role, ip, tos] = row;
          assert.is(info!.frameId, Number(fid));
          assert.is(info!.serviceId, Number(sid));
          assert.is(info!.serviceType, Number(stype));
          if (!info!.isResponse) return;
          responses++;
          assert.is(info!.nameOfStation ?? '', name);
          assert.is(info!.vendorId === null ? '' : `0x${info!.vendorId.toString(16).padStart(4, '0')}`, vid);
          assert.is(info!.deviceId === null ? '' : `0x${info!.deviceId.toString(16).padStart(4, '0')}`, did);
          assert.is(info!.deviceRole === null ? '' : `0x${info!.deviceRole.toString(16).padStart(2, '0')}`, role);
          const ipT = info!.ip === null ? '' : [24, 16, 8, 0].map((s) => (info!.ip! >>> s) & 255).join('.');
          assert.is(ipT, ip);
          assert.is(info!.typeOfStation ?? '', tos);
          agree++;
        });
      }
      process.stdout.write(`# profinet-dcp vs tshark: ${frames} DCP frames, ${responses} responses, ${agree} agree on every field\n`);
      assert.ok(frames >= 18 && responses >= 1 && agree === responses);
    });
  }
}

test.run();
