/**
 * BACnet/IP: builder messages (I-Am, Who-Is, ReadProperty and its ACK,
 * ReadPropertyMultiple ACK, Forwarded-NPDU, routed NPDU) round-trip through
 * the parser and the dissector; every truncation and seeded random bytes
 * never throw; real Who-Is frames from the shared captures are compared with
 * tshark.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  bacnetDissector,
  bacnetOrigText,
  bacnetVendorName,
  parseBacnet,
  APDU_COMPLEX_ACK,
  APDU_CONFIRMED,
  APDU_UNCONFIRMED,
  SVC_I_AM,
  SVC_WHO_IS,
} from '../../src/dissect/bacnet.js';
import {
  bacnetIAm,
  bacnetReadProperty,
  bacnetReadPropertyAck,
  bacnetReadPropertyMultipleAck,
  bacnetWhoIs,
  BACNET_PROP_FIRMWARE_REVISION,
  BACNET_PROP_MODEL_NAME,
  BACNET_PROP_OBJECT_NAME,
  BACNET_PROP_VENDOR_NAME,
  BACNET_PROP_APPLICATION_SOFTWARE_VERSION,
} from '../../src/capture/ot/bacnet.js';
import { Verdict, type DissectContext } from '../../src/dissect/types.js';
import { DecodeErrors } from '../../src/decode/errors.js';
import { PacketView, IPPROTO_UDP } from '../../src/decode/view.js';
import { haveShared, haveTool, sharedCaptures, skip } from '../helpers/skip.js';
import { decodedFrames, tsharkByFrame, tsharkOnPayloads, type PayloadPacket } from '../helpers/real-captures.js';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

interface Obs {
  to: string;
  kind: string;
  value: string;
  data?: unknown;
}

function recorder(fromClient = true): DissectContext & { obs: Obs[] } {
  const view = new PacketView();
  view.proto = IPPROTO_UDP;
  view.srcPort = 47808;
  view.dstPort = 47808;
  const obs: Obs[] = [];
  const ctx = {
    view,
    fromClient,
    obs,
    count() {},
    src(kind: string, value: string, data?: unknown) {
      obs.push({ to: 'src', kind, value, data });
    },
    dst(kind: string, value: string, data?: unknown) {
      obs.push({ to: 'dst', kind, value, data });
    },
    about(ip: string | null, _mac: number, kind: string, value: string, data?: unknown) {
      obs.push({ to: String(ip), kind, value, data });
    },
    about4(ip: number, _mac: number, kind: string, value: string, data?: unknown) {
      obs.push({ to: `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`, kind, value, data });
    },
    wants4() {
      return true;
    },
  };
  return ctx as unknown as DissectContext & { obs: Obs[] };
}

function run(bytes: Uint8Array): Obs[] {
  const ctx = recorder();
  const r = bacnetDissector.dissect(Buffer.from(bytes), 0, bytes.length, ctx);
  assert.is(r, Verdict.Continue);
  return ctx.obs;
}

function has(obs: Obs[], to: string, kind: string, value: string): boolean {
  return obs.some((o) => o.to === to && o.kind === kind && o.value === value);
}

// ---------------------------------------------------------------------------
// Hand-written reference bytes

/** An I-Am written out by hand from the standard's encoding rules: device 1, max APDU 480, segmented transmit (1), vendor 99. */
const IAM_BY_HAND = Uint8Array.from([
  0x81, 0x0b, 0x00, 0x14, // BVLC original-broadcast, length 20
  0x01, 0x00, // NPDU version 1, no routing
  0x10, 0x00, // unconfirmed, I-Am
  0xc4, 0x02, 0x00, 0x00, 0x01, // object id: device, 1
  0x22, 0x01, 0xe0, // unsigned 480
  0x91, 0x01, // enumerated 1
  0x21, 0x63, // unsigned 99
]);

/** zeek/q-in-q.pcap frame 2 (UDP payload): Who-Is 7001..7001 broadcast to DNET 65535. */
const WHO_IS_REAL = Uint8Array.from([0x81, 0x0b, 0x00, 0x12, 0x01, 0x20, 0xff, 0xff, 0x00, 0xff, 0x10, 0x08, 0x0a, 0x1b, 0x59, 0x1a, 0x1b, 0x59]);

test('hand-written I-Am parses', () => {
  const m = parseBacnet(IAM_BY_HAND, 0, IAM_BY_HAND.length);
  assert.ok(m);
  assert.is(m!.apduType, APDU_UNCONFIRMED);
  assert.is(m!.service, SVC_I_AM);
  assert.equal(m!.iAm, { device: { type: 8, instance: 1 }, maxApdu: 480, segmentation: 1, vendorId: 99 });
  const obs = run(IAM_BY_HAND);
  assert.ok(has(obs, 'src', 'vendor', 'vendor id 99'));
  assert.ok(has(obs, 'src', 'role', 'bacnet-device'));
  assert.ok(has(obs, 'src', 'device_type', 'building controller'));
  assert.ok(has(obs, 'src', 'banner', 'bacnet device 1'));
});

test('real Who-Is (zeek/q-in-q.pcap frame 2): routed broadcast, limits, client role', () => {
  const m = parseBacnet(WHO_IS_REAL, 0, WHO_IS_REAL.length);
  assert.ok(m);
  assert.is(m!.dnet, 65535);
  assert.is(m!.service, SVC_WHO_IS);
  assert.is(m!.whoIsLow, 7001);
  assert.is(m!.whoIsHigh, 7001);
  assert.equal(run(WHO_IS_REAL), [{ to: 'src', kind: 'role', value: 'bacnet-client', data: undefined }]);
});

test('builders round-trip: I-Am, Who-Is', () => {
  const iam = bacnetIAm({ instance: 260001, vendorId: 5, maxApdu: 1476, segmentation: 0 });
  const m = parseBacnet(iam, 0, iam.length)!;
  assert.equal(m.iAm, { device: { type: 8, instance: 260001 }, maxApdu: 1476, segmentation: 0, vendorId: 5 });
  const obs = run(iam);
  assert.ok(has(obs, 'src', 'vendor', 'Johnson Controls'));
  assert.equal(obs.find((o) => o.kind === 'vendor')!.data, { vendor_id: 5 });
  assert.equal(obs.find((o) => o.kind === 'device_type')!.data, { bacnet_instance: 260001 });
  assert.ok(has(obs, 'src', 'banner', 'bacnet device 260001'));
  assert.is(bacnetVendorName(7), 'Siemens');
  assert.is(bacnetVendorName(4000), 'vendor id 4000');

  const w = bacnetWhoIs();
  const mw = parseBacnet(w, 0, w.length)!;
  assert.is(mw.service, SVC_WHO_IS);
  assert.is(mw.whoIsLow, -1);
  const w2 = bacnetWhoIs({ low: 0, high: 4194303 });
  const mw2 = parseBacnet(w2, 0, w2.length)!;
  assert.is(mw2.whoIsLow, 0);
  assert.is(mw2.whoIsHigh, 4194303);
  assert.ok(has(run(w2), 'src', 'role', 'bacnet-client'));
});

test('builders round-trip: ReadProperty request and complex ACKs', () => {
  const req = bacnetReadProperty({ invokeId: 7, instance: 1234, property: BACNET_PROP_OBJECT_NAME });
  const mr = parseBacnet(req, 0, req.length)!;
  assert.is(mr.apduType, APDU_CONFIRMED);
  assert.is(mr.invokeId, 7);
  assert.equal(mr.request, { object: { type: 8, instance: 1234 }, property: 77 });
  const ro = run(req);
  assert.ok(has(ro, 'src', 'role', 'bacnet-client'));
  assert.ok(has(ro, 'dst', 'role', 'bacnet-device'));

  const cases: [number, string, string][] = [
    [BACNET_PROP_OBJECT_NAME, 'AHU-3 Controller', 'hostname'],
    [BACNET_PROP_MODEL_NAME, 'PXC36-E.D', 'model'],
    [BACNET_PROP_FIRMWARE_REVISION, 'FW 3.2.1', 'firmware'],
    [BACNET_PROP_VENDOR_NAME, 'Siemens Building Technologies', 'vendor'],
  ];
  for (const [prop, text, kind] of cases) {
    const ack = bacnetReadPropertyAck({ invokeId: 7, instance: 1234, property: prop, value: text });
    const m = parseBacnet(ack, 0, ack.length)!;
    assert.is(m.apduType, APDU_COMPLEX_ACK);
    assert.equal(m.properties, [{ object: { type: 8, instance: 1234 }, property: prop, value: { kind: 'string', text } }]);
    const obs = run(ack);
    assert.ok(has(obs, 'src', kind, text), `${kind} ${text}`);
    assert.ok(has(obs, 'src', 'role', 'bacnet-device'));
    assert.ok(has(obs, 'dst', 'role', 'bacnet-client'));
  }
  // Not the device object: no device facts.
  const other = bacnetReadPropertyAck({ invokeId: 1, objectType: 0, instance: 3, property: 77, value: 'Zone Temp' });
  assert.not.ok(run(other).some((o) => o.kind === 'hostname'));
  // A long name (length byte 254 form) and a non-printable byte are escaped.
  const long = 'N'.repeat(300);
  const ackLong = bacnetReadPropertyAck({ invokeId: 2, instance: 9, property: 77, value: long });
  const ml = parseBacnet(ackLong, 0, ackLong.length)!;
  assert.is((ml.properties[0]!.value as { text: string }).text, 'N'.repeat(256));
  const esc = bacnetReadPropertyAck({ invokeId: 2, instance: 9, property: 77, value: 'a\u0007b' });
  assert.ok(has(run(esc), 'src', 'hostname', 'a\\x07b'));
});

test('ReadPropertyMultiple ACK', () => {
  const ack = bacnetReadPropertyMultipleAck({
    invokeId: 3,
    instance: 77000,
    values: [
      [BACNET_PROP_OBJECT_NAME, 'BLDG-A-JACE'],
      [BACNET_PROP_MODEL_NAME, 'JACE-8000'],
      [BACNET_PROP_APPLICATION_SOFTWARE_VERSION, '4.10.1'],
      [BACNET_PROP_FIRMWARE_REVISION, '4.10.1.36'],
      [120, 36],
      [75, 5], // not wanted
    ],
  });
  const m = parseBacnet(ack, 0, ack.length)!;
  assert.is(m.properties.length, 5);
  const obs = run(ack);
  assert.ok(has(obs, 'src', 'hostname', 'BLDG-A-JACE'));
  assert.ok(has(obs, 'src', 'model', 'JACE-8000'));
  assert.ok(has(obs, 'src', 'firmware', '4.10.1.36'));
  assert.ok(has(obs, 'src', 'banner', 'application software 4.10.1'));
  assert.ok(has(obs, 'src', 'vendor', 'Tridium'));
});

test('Forwarded-NPDU: facts go to the original source', () => {
  const iam = bacnetIAm({ instance: 42, vendorId: 8, forwardedFrom: '10.20.30.40', forwardedPort: 47809 });
  const m = parseBacnet(iam, 0, iam.length)!;
  assert.is(bacnetOrigText(m), '10.20.30.40:47809');
  const obs = run(iam);
  assert.ok(has(obs, '10.20.30.40', 'vendor', 'Delta Controls'));
  assert.ok(has(obs, '10.20.30.40', 'role', 'bacnet-device'));
  assert.not.ok(obs.some((o) => o.to === 'src'));
});

test('routed NPDU (SNET/SADR): MS/TP source gives no facts, B/IP SADR gets them', () => {
  const base = bacnetIAm({ instance: 5, vendorId: 17 });
  // Insert SNET 5, SLEN 1, SADR 0x10 after the NPDU control byte (control |= 0x08).
  const mstp = Uint8Array.from([...base.subarray(0, 5), 0x08, 0x00, 0x05, 0x01, 0x10, ...base.subarray(6)]);
  mstp[3] = mstp.length;
  const mm = parseBacnet(mstp, 0, mstp.length)!;
  assert.is(mm.snet, 5);
  assert.is(mm.sadr, '10');
  assert.ok(mm.iAm);
  assert.is(run(mstp).length, 0);
  const bip = Uint8Array.from([...base.subarray(0, 5), 0x08, 0x00, 0x06, 0x06, 192, 168, 7, 9, 0xba, 0xc0, ...base.subarray(6)]);
  bip[3] = bip.length;
  assert.ok(has(run(bip), '192.168.7.9', 'vendor', 'Honeywell'));
});

test('probe: BACnet/IP on another port', () => {
  const iam = Buffer.from(bacnetIAm({ instance: 1, vendorId: 7 }));
  assert.ok(bacnetDissector.probe!(iam, 0, iam.length, 17));
  assert.not.ok(bacnetDissector.probe!(iam, 0, iam.length - 1, 17));
  assert.not.ok(bacnetDissector.probe!(iam, 0, iam.length, 6));
  const fwd = Buffer.from(bacnetIAm({ instance: 1, vendorId: 7, forwardedFrom: '1.2.3.4' }));
  assert.ok(bacnetDissector.probe!(fwd, 0, fwd.length, 17));
  assert.ok(bacnetDissector.probe!(Buffer.from(WHO_IS_REAL), 0, WHO_IS_REAL.length, 17));
  assert.not.ok(bacnetDissector.probe!(Buffer.from('\x81\x0a\x00\x08abcd', 'latin1'), 0, 8, 17));
});

test('not BACnet, broken lengths', () => {
  const errs = new DecodeErrors();
  assert.is(parseBacnet(Uint8Array.from([0x82, 0x0a, 0, 4]), 0, 4, errs), null);
  assert.is(parseBacnet(Uint8Array.from([0x81, 0x0a, 0, 9, 1, 0]), 0, 6, errs), null);
  const ctx = recorder();
  assert.is(bacnetDissector.dissect(Buffer.from([0x81, 0x0b, 0, 6, 2, 0]), 0, 6, ctx), Verdict.Malformed);
  // BVLC-Result: no NPDU, fine.
  assert.is(bacnetDissector.dissect(Buffer.from([0x81, 0x00, 0, 6, 0, 0]), 0, 6, ctx), Verdict.Continue);
});

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
}

const VERDICTS = new Set([Verdict.NotMine, Verdict.More, Verdict.Done, Verdict.Continue, Verdict.Malformed]);

test('every truncation and seeded random payloads return a verdict', () => {
  const samples = [
    IAM_BY_HAND,
    WHO_IS_REAL,
    bacnetIAm({ instance: 1, vendorId: 7 }),
    bacnetReadProperty({ invokeId: 1, instance: 1, property: 77 }),
    bacnetReadPropertyAck({ invokeId: 1, instance: 1, property: 77, value: 'x'.repeat(40) }),
    bacnetReadPropertyMultipleAck({ invokeId: 1, instance: 1, values: [[77, 'a'], [70, 'b'], [120, 5]] }),
    bacnetIAm({ instance: 1, vendorId: 7, forwardedFrom: '1.2.3.4' }),
  ];
  let calls = 0;
  for (const s of samples) {
    // Inside a larger buffer: the parser must honour len, and the BVLC length is left as is.
    const host = Buffer.alloc(s.length + 64, 0xee);
    host.set(s, 16);
    for (let len = 0; len <= s.length; len++) {
      const r = bacnetDissector.dissect(host, 16, len, recorder());
      assert.ok(VERDICTS.has(r));
      // With the BVLC length fixed to the cut, the NPDU/APDU parsers see the cut too.
      const cut = Buffer.from(s.subarray(0, len));
      if (len >= 4) cut.writeUInt16BE(len, 2);
      assert.ok(VERDICTS.has(bacnetDissector.dissect(cut, 0, len, recorder())));
      calls += 2;
    }
  }
  const rnd = random(47808);
  for (let i = 0; i < 4000; i++) {
    const buf = Buffer.alloc(rnd() % 96);
    for (let k = 0; k < buf.length; k++) buf[k] = rnd();
    const base = samples[i % samples.length]!;
    if (i % 2 === 0) {
      buf.set(base.subarray(0, Math.min(base.length, buf.length, 8 + (i % 12))));
      if (buf.length >= 4 && i % 4 === 0) buf.writeUInt16BE(buf.length, 2);
    }
    assert.ok(VERDICTS.has(bacnetDissector.dissect(buf, 0, buf.length, recorder())));
    assert.type(bacnetDissector.probe!(buf, 0, buf.length, 17), 'boolean');
    calls++;
  }
  process.stdout.write(`# bacnet: ${calls} dissect calls on truncations and random payloads\n`);
});

// ---------------------------------------------------------------------------
// Builder outputs checked by tshark (wrapped by the project's packet builder).


test('builder outputs as tshark reads them', () => {
  if (!haveTool('tshark')) {
    skip('needs tshark');
    return;
  }
  const payloads = [
    bacnetIAm({ instance: 260001, vendorId: 5 }),
    bacnetWhoIs({ low: 1, high: 100 }),
    bacnetReadProperty({ invokeId: 9, instance: 260001, property: BACNET_PROP_OBJECT_NAME }),
    bacnetReadPropertyAck({ invokeId: 9, instance: 260001, property: BACNET_PROP_OBJECT_NAME, value: 'AHU-3' }),
    bacnetReadPropertyAck({ invokeId: 10, instance: 260001, property: BACNET_PROP_MODEL_NAME, value: 'FX-PCG2611' }),
    bacnetReadPropertyAck({ invokeId: 11, instance: 260001, property: BACNET_PROP_FIRMWARE_REVISION, value: '10.1.0' }),
    bacnetIAm({ instance: 42, vendorId: 8, forwardedFrom: '10.20.30.40' }),
    bacnetReadPropertyMultipleAck({ invokeId: 12, instance: 7, values: [[BACNET_PROP_OBJECT_NAME, 'JACE-1'], [BACNET_PROP_MODEL_NAME, 'JACE-8000']] }),
  ];
  const rows = tsharkOnPayloads(
    payloads.map((payload) => ({ proto: 17 as const, sport: 47808, dport: 47808, payload })),
    ['bacapp.unconfirmed_service', 'bacapp.confirmed_service', 'bacapp.instance_number', 'bacapp.vendor_identifier', 'bacapp.object_name', 'bacapp.property_identifier', 'bacapp.string_character_set'],
  );
  process.stdout.write(`# bacnet builders via tshark: ${JSON.stringify(rows)}\n`);
  let agree = 0;
  for (const [i, p] of payloads.entries()) {
    const m = parseBacnet(p, 0, p.length)!;
    const [unc = '', conf = '', inst = '', vendor = ''] = rows[i] ?? [];
    const mine = [
      m.apduType === APDU_UNCONFIRMED ? String(m.service) : '',
      m.apduType !== APDU_UNCONFIRMED ? String(m.service) : '',
      m.iAm ? String(m.iAm.device.instance) : '',
      m.iAm ? String(m.iAm.vendorId) : '',
    ];
    const tsInst = inst.split(',')[0]!;
    if (mine[0] === unc && mine[1] === conf && (mine[2] === '' || mine[2] === tsInst) && mine[3] === vendor) agree++;
    else process.stdout.write(`# builder ${i}: tshark ${JSON.stringify(rows[i])} mine ${JSON.stringify(mine)}\n`);
  }
  process.stdout.write(`# bacnet builders vs tshark: ${agree}/${payloads.length}\n`);
  assert.is(agree, payloads.length);
  assert.is(rows[3]![4], 'AHU-3');
  assert.is(rows[7]![4], 'JACE-1');
});

// ---------------------------------------------------------------------------
// Real captures against tshark

const REAL = ['zeek/q-in-q.pcap'];

test('shared captures: BACnet frames agree with tshark', async () => {
  if (!haveShared() || !haveTool('tshark')) {
    skip('needs /work/shared/captures and tshark');
    return;
  }
  let frames = 0;
  let agree = 0;
  for (const rel of REAL) {
    const file = join(sharedCaptures, rel);
    if (!existsSync(file)) continue;
    const ts = tsharkByFrame(file, 'bvlc', ['bacapp.unconfirmed_service', 'bacapp.confirmed_service', 'bacapp.instance_number', 'bacapp.vendor_identifier', 'bacapp.object_name']);
    await decodedFrames(file, (n, v) => {
      if (v.proto !== IPPROTO_UDP || (v.srcPort !== 47808 && v.dstPort !== 47808)) return;
      const m = parseBacnet(v.buf, v.payloadOff, v.payloadLen);
      const t = ts.get(n);
      assert.ok(t, `${rel} frame ${n}: tshark did not see BVLC`);
      assert.ok(m, `${rel} frame ${n}: not parsed`);
      frames++;
      const [unc = '', conf = '', inst = '', vendor = '', name = ''] = t!;
      const mine = [
        m!.apduType === APDU_UNCONFIRMED ? String(m!.service) : '',
        m!.apduType === APDU_CONFIRMED || m!.apduType === APDU_COMPLEX_ACK ? String(m!.service) : '',
        m!.iAm ? String(m!.iAm.device.instance) : '',
        m!.iAm ? String(m!.iAm.vendorId) : '',
        m!.properties.filter((p) => p.property === 77 && p.value.kind === 'string').map((p) => (p.value as { text: string }).text).join(','),
      ];
      if (mine[0] === unc && mine[1] === conf && mine[2] === inst && mine[3] === vendor && mine[4] === name) agree++;
      else process.stdout.write(`# ${rel} frame ${n}: tshark ${JSON.stringify(t)} mine ${JSON.stringify(mine)}\n`);
    });
  }
  process.stdout.write(`# bacnet vs tshark: ${agree}/${frames} frames agree (service, instance, vendor, object-name)\n`);
  assert.is(agree, frames);
  assert.ok(frames >= 2);
});

test.run();
