/**
 * Modbus/TCP: ADU parsing (split and batched), exception responses, Read
 * Device Identification, the dissector's observations, the payload builders
 * round-tripping, truncations and random bytes never throwing, and the shared
 * captures compared with tshark when installed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  modbusDissector,
  parseModbusAdus,
  parseModbusDeviceId,
  MODBUS_STREAM,
  type ModbusAdu,
} from '../../src/dissect/modbus.js';
import {
  modbusExceptionResponse,
  modbusReadDeviceIdRequest,
  modbusReadDeviceIdResponse,
  modbusReadHoldingRegistersRequest,
  modbusReadHoldingRegistersResponse,
  modbusWriteMultipleRegistersRequest,
  modbusWriteMultipleRegistersResponse,
} from '../../src/capture/ot/modbus.js';
import { Verdict, type DissectContext, type ObservationData } from '../../src/dissect/types.js';
import { DecodeErrors } from '../../src/decode/errors.js';
import { PacketView, IPPROTO_TCP } from '../../src/decode/view.js';
import { haveShared, haveTool, sharedCaptures, skip } from '../helpers/skip.js';
import { decodedFrames, listShared, tsharkByFrame } from '../helpers/real-captures.js';

type Obs = [who: 'src' | 'dst', kind: string, value: string, data?: ObservationData];

function recorder(fromClient: boolean, proto = IPPROTO_TCP): DissectContext & { obs: Obs[]; counts: Record<string, number> } {
  const view = new PacketView();
  view.proto = proto;
  view.macSrc = 0x0016_3e00_0001;
  const ctx = {
    view,
    fromClient,
    obs: [] as Obs[],
    counts: {} as Record<string, number>,
    count(r: string, n = 1) {
      ctx.counts[r] = (ctx.counts[r] ?? 0) + n;
    },
    src(kind: string, value: string, data?: ObservationData) {
      ctx.obs.push(['src', kind, value, data]);
    },
    dst(kind: string, value: string, data?: ObservationData) {
      ctx.obs.push(['dst', kind, value, data]);
    },
    about() {},
    about4() {},
    wants4() {
      return true;
    },
  };
  return ctx as unknown as DissectContext & { obs: Obs[]; counts: Record<string, number> };
}

const VERDICTS = new Set([Verdict.NotMine, Verdict.More, Verdict.Done, Verdict.Continue, Verdict.Malformed]);

function summary(a: ModbusAdu): unknown[] {
  return [a.transactionId, a.unitId, a.functionCode, a.exceptionCode, a.meiType, a.pduLen];
}

// Real bytes: ../shared/captures/ics/ModbusTCP/Modbus/modbus_test_2.pcap frames 1 (request fc 4, unit 2)
// and 6 (response fc 4, unit 1, 28 bytes of registers).
const REAL_REQ = Buffer.from('0ab700000006020400000002', 'hex');
const REAL_RESP = Buffer.from('0ab80000001f01041c0000559c000000000000000000003a50000000000000000000007025', 'hex');
// ../shared/captures/ics/ModbusTCP/modbus_test_data_part2.pcap frame 324: exception 2 on fc 1.
const REAL_EXC = Buffer.from('000000000003018102', 'hex');
// ../shared/captures/zeek/modbus/modbusSmall.pcap frame 4: Write Multiple Coils request.
const REAL_FC15 = Buffer.from('000100000008010f000000030100', 'hex');
// ../shared/captures/zeek/modbus/modbus-eit.pcap frames 1 and 2: a 43/14 request and a response with no objects.
const REAL_EIT_REQ = Buffer.from('00000000000500' + '2b0e0100', 'hex');
const REAL_EIT_RESP = Buffer.from('00000000000c002b0e01004db70000000000', 'hex');

const DEVICE = modbusReadDeviceIdResponse({
  transactionId: 9,
  unitId: 1,
  vendor: 'Schneider Electric',
  productCode: 'BMX P34 2020',
  revision: 'v3.10',
  vendorUrl: 'www.se.com',
  productName: 'Modicon M340',
  modelName: 'BMXP342020',
});

test('real ADUs: request, response, exception, write coils, device id', () => {
  const p = (b: Buffer): unknown[][] => parseModbusAdus(b, 0, b.length).adus.map(summary);
  assert.equal(p(REAL_REQ), [[0x0ab7, 2, 4, null, null, 5]]);
  assert.equal(p(REAL_RESP), [[0x0ab8, 1, 4, null, null, 30]]);
  assert.equal(p(REAL_EXC), [[0, 1, 1, 2, null, 2]]);
  assert.equal(p(REAL_FC15), [[1, 1, 15, null, null, 7]]);
  assert.equal(p(REAL_EIT_REQ), [[0, 0, 43, null, 14, 4]]);
  const r = parseModbusAdus(REAL_EIT_RESP, 0, REAL_EIT_RESP.length);
  assert.equal(r.adus.map(summary), [[0, 0, 43, null, 14, 11]]);
  const d = parseModbusDeviceId(REAL_EIT_RESP, r.adus[0]!.pduOff, r.adus[0]!.pduLen);
  assert.equal(d, { readDevIdCode: 1, conformityLevel: 0, moreFollows: false, nextObjectId: 0xb7, objects: [] });
});

test('batched and split ADUs', () => {
  const all = Buffer.concat([REAL_REQ, REAL_FC15, REAL_EIT_REQ]);
  const r = parseModbusAdus(all, 0, all.length);
  assert.is(r.adus.length, 3);
  assert.is(r.used, all.length);
  assert.not.ok(r.cut || r.bad);
  for (let n = 0; n < all.length; n++) {
    const c = parseModbusAdus(all, 0, n);
    assert.not.ok(c.bad, `cut at ${n} is not bad`);
    const whole = n >= REAL_REQ.length + REAL_FC15.length ? 2 : n >= REAL_REQ.length ? 1 : 0;
    assert.is(c.adus.length, whole, `cut at ${n}`);
    assert.is(c.cut, n > c.used, `cut at ${n}`);
  }
  // at an offset in a larger buffer
  const big = Buffer.alloc(all.length + 20);
  all.copy(big, 9);
  assert.is(parseModbusAdus(big, 9, all.length).adus.length, 3);
  // the dissector: More while the ADU is cut, and after whole ones
  const ctx = recorder(true);
  assert.is(modbusDissector.dissect(all, 0, 5, ctx), Verdict.More);
  assert.is(ctx.obs.length, 0);
  assert.is(modbusDissector.dissect(all, 0, all.length - 1, ctx), Verdict.More);
  assert.is(modbusDissector.dissect(all, 0, all.length, ctx), Verdict.More);
  // enough read: Done
  const many = Buffer.concat(new Array(Math.ceil(MODBUS_STREAM / REAL_REQ.length) + 1).fill(REAL_REQ));
  assert.is(modbusDissector.dissect(many, 0, many.length, recorder(true)), Verdict.Done);
});

test('bad headers are refused', () => {
  const errs = new DecodeErrors();
  const proto = Buffer.from(REAL_REQ);
  proto[3] = 1;
  assert.ok(parseModbusAdus(proto, 0, proto.length, errs).bad);
  const long = Buffer.from(REAL_REQ);
  long.writeUInt16BE(300, 4);
  assert.ok(parseModbusAdus(long, 0, long.length, errs).bad);
  const short = Buffer.from(REAL_REQ);
  short.writeUInt16BE(1, 4);
  assert.ok(parseModbusAdus(short, 0, short.length, errs).bad);
  const fc0 = Buffer.from(REAL_REQ);
  fc0[7] = 0x80;
  assert.ok(parseModbusAdus(fc0, 0, fc0.length, errs).bad);
  assert.equal(errs.toObject(), { 'modbus.bad_protocol_id': 1, 'modbus.bad_length': 2, 'modbus.bad_function': 1 });
  assert.is(modbusDissector.dissect(proto, 0, proto.length, recorder(true)), Verdict.Malformed);
  // HTTP on port 502
  const http = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.is(modbusDissector.dissect(http, 0, http.length, recorder(true)), Verdict.Malformed);
  // a good ADU then garbage: observations from the good one, and Done
  const mixed = Buffer.concat([REAL_REQ, http]);
  const ctx = recorder(true);
  assert.is(modbusDissector.dissect(mixed, 0, mixed.length, ctx), Verdict.Done);
  assert.ok(ctx.obs.some((o) => o[1] === 'banner'));
});

test('builders round-trip through the parser', () => {
  const req3 = modbusReadHoldingRegistersRequest({ transactionId: 1, unitId: 7, address: 100, quantity: 2 });
  const resp3 = modbusReadHoldingRegistersResponse({ transactionId: 1, unitId: 7, values: [0x1234, 0xfffe] });
  const req16 = modbusWriteMultipleRegistersRequest({ transactionId: 2, unitId: 7, address: 10, values: [1, 2, 3] });
  const resp16 = modbusWriteMultipleRegistersResponse({ transactionId: 2, unitId: 7, address: 10, quantity: 3 });
  const exc = modbusExceptionResponse({ transactionId: 3, unitId: 7, functionCode: 3, exceptionCode: 2 });
  const idReq = modbusReadDeviceIdRequest({ transactionId: 9, unitId: 1, code: 2 });
  assert.equal(req3.toString('hex'), '000100000006070300640002');
  assert.equal(resp3.toString('hex'), '00010000000707030412 34fffe'.replace(' ', ''));
  assert.equal(req16.toString('hex'), '00020000000d0710000a00030600010002 0003'.replace(' ', ''));
  assert.equal(exc.toString('hex'), '000300000003078302');
  const all = Buffer.concat([req3, resp3, req16, resp16, exc, idReq, DEVICE]);
  const r = parseModbusAdus(all, 0, all.length);
  assert.not.ok(r.cut || r.bad);
  assert.equal(
    r.adus.map((a) => [a.transactionId, a.unitId, a.functionCode, a.exceptionCode, a.meiType]),
    [
      [1, 7, 3, null, null],
      [1, 7, 3, null, null],
      [2, 7, 16, null, null],
      [2, 7, 16, null, null],
      [3, 7, 3, 2, null],
      [9, 1, 43, null, 14],
      [9, 1, 43, null, 14],
    ],
  );
  const last = r.adus[6]!;
  const d = parseModbusDeviceId(all, last.pduOff, last.pduLen);
  assert.equal(d, {
    readDevIdCode: 2,
    conformityLevel: 0x82,
    moreFollows: false,
    nextObjectId: 0,
    objects: [
      { id: 0, value: 'Schneider Electric' },
      { id: 1, value: 'BMX P34 2020' },
      { id: 2, value: 'v3.10' },
      { id: 3, value: 'www.se.com' },
      { id: 4, value: 'Modicon M340' },
      { id: 5, value: 'BMXP342020' },
    ],
  });
  // a basic one (objects 0-2 only)
  const basic = modbusReadDeviceIdResponse({ vendor: 'ACME', productCode: 'X1', revision: '1.0' });
  const b = parseModbusAdus(basic, 0, basic.length).adus[0]!;
  assert.equal(parseModbusDeviceId(basic, b.pduOff, b.pduLen)?.objects.map((o) => o.value), ['ACME', 'X1', '1.0']);
});

test('observations: client functions, server exceptions and identity', () => {
  const client = recorder(true);
  const reqs = Buffer.concat([
    modbusReadHoldingRegistersRequest({ unitId: 1, address: 0, quantity: 10 }),
    modbusReadHoldingRegistersRequest({ unitId: 2, address: 0, quantity: 10 }),
    modbusWriteMultipleRegistersRequest({ unitId: 1, address: 0, values: [5] }),
    modbusReadDeviceIdRequest({ unitId: 1 }),
    REAL_FC15,
    Buffer.from('0001000000020164', 'hex'), // fc 100, user-defined
  ]);
  assert.is(modbusDissector.dissect(reqs, 0, reqs.length, client), Verdict.More);
  assert.equal(client.obs, [
    ['src', 'role', 'modbus-client', undefined],
    ['dst', 'role', 'modbus-server', undefined],
    ['src', 'banner', 'fc 3 Read Holding Registers', { function_code: 3, unit_ids: [1, 2] }],
    ['src', 'banner', 'fc 16 Write Multiple Registers', { function_code: 16, unit_ids: [1] }],
    ['src', 'banner', 'fc 43/14 Read Device Identification', { function_code: 43, unit_ids: [1], mei_type: 14 }],
    ['src', 'banner', 'fc 15 Write Multiple Coils', { function_code: 15, unit_ids: [1] }],
    ['src', 'banner', 'fc 100', { function_code: 100, unit_ids: [1] }],
  ]);
  const server = recorder(false);
  const resps = Buffer.concat([
    modbusReadHoldingRegistersResponse({ unitId: 1, values: [1] }),
    modbusExceptionResponse({ unitId: 2, functionCode: 3, exceptionCode: 2 }),
    modbusExceptionResponse({ unitId: 2, functionCode: 3, exceptionCode: 2 }),
    modbusExceptionResponse({ unitId: 2, functionCode: 90, exceptionCode: 99 }),
    DEVICE,
  ]);
  assert.is(modbusDissector.dissect(resps, 0, resps.length, server), Verdict.More);
  assert.equal(server.obs, [
    ['src', 'role', 'modbus-server', undefined],
    ['dst', 'role', 'modbus-client', undefined],
    ['src', 'banner', 'exception 2 Illegal Data Address on fc 3', { function_code: 3, exception_code: 2, unit_id: 2 }],
    ['src', 'banner', 'exception 99 on fc 90', { function_code: 90, exception_code: 99, unit_id: 2 }],
    ['src', 'vendor', 'Schneider Electric', { object: 'VendorName', unit_id: 1, vendor_url: 'www.se.com' }],
    ['src', 'model', 'BMX P34 2020', { object: 'ProductCode', unit_id: 1 }],
    ['src', 'model', 'Modicon M340', { object: 'ProductName', unit_id: 1 }],
    ['src', 'model', 'BMXP342020', { object: 'ModelName', unit_id: 1 }],
    ['src', 'firmware', 'v3.10', { object: 'MajorMinorRevision', unit_id: 1 }],
  ]);
  assert.not.ok(server.obs.some((o) => o[1] === 'device_type'));
  // text from the wire is escaped; a cut object list keeps the objects that fit
  const odd = modbusReadDeviceIdResponse({ unitId: 1, vendor: 'Ven\x1bdor\\', productCode: 'P', revision: '1' });
  const cut = Buffer.from(odd.subarray(0, odd.length - 2));
  cut.writeUInt16BE(cut.length - 6, 4);
  const ctx = recorder(false);
  modbusDissector.dissect(cut, 0, cut.length, ctx);
  assert.equal(ctx.obs.filter((o) => o[1] !== 'role').map((o) => [o[1], o[2]]), [
    ['vendor', 'Ven\\x1bdor\\x5c'],
    ['model', 'P'],
  ]);
  assert.is(ctx.counts['modbus.bad_device_id'], 1);
});

test('every truncation and random bytes never throw', () => {
  const samples = [REAL_REQ, REAL_RESP, REAL_EXC, REAL_FC15, REAL_EIT_REQ, REAL_EIT_RESP, DEVICE];
  let calls = 0;
  for (const s of samples) {
    for (let n = 0; n <= s.length; n++) {
      for (const fromClient of [true, false]) {
        const r = modbusDissector.dissect(s, 0, n, recorder(fromClient));
        assert.ok(VERDICTS.has(r));
        calls++;
      }
      if (n < s.length) assert.not.ok(parseModbusAdus(s, 0, n).adus.length, `whole ADU from ${n} bytes`);
    }
    // every single-byte corruption
    const c = Buffer.from(s);
    for (let i = 0; i < c.length; i++) {
      const o = c[i]!;
      for (const v of [0, 1, 0x2b, 0x0e, 0x80, 0xff]) {
        c[i] = v;
        assert.ok(VERDICTS.has(modbusDissector.dissect(c, 0, c.length, recorder(false))));
        calls++;
      }
      c[i] = o;
    }
  }
  let seed = 502;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  for (let i = 0; i < 4000; i++) {
    const base = samples[i % samples.length]!;
    const b = Buffer.alloc(rnd() + (i & 1 ? rnd() : 0));
    for (let j = 0; j < b.length; j++) b[j] = rnd();
    // half of them start like a real ADU so the parser gets past the header
    if (i & 2) base.copy(b, 0, 0, Math.min(base.length, 8));
    assert.ok(VERDICTS.has(modbusDissector.dissect(b, 0, b.length, recorder((i & 4) === 0))));
    calls++;
  }
  assert.equal(parseModbusAdus(REAL_REQ, 5, REAL_REQ.length).adus, []);
  assert.ok(parseModbusAdus(REAL_REQ, -1, 3).bad);
  process.stdout.write(`# modbus: ${calls} dissect calls on truncated, corrupted and random payloads\n`);
});

// ---------------------------------------------------------------------------
// Real captures

if (!haveShared()) {
  skip('../shared/captures is absent: real Modbus captures not parsed');
} else {
  const withTshark = haveTool('tshark');
  if (!withTshark) skip('tshark is not installed: Modbus fields not compared');

  test('real captures: Modbus/TCP on port 502 (and tshark fields when installed)', async () => {
    const files = [...listShared('zeek/modbus', /\.pcap$/), ...listShared('ics/ModbusTCP', /\.pcap$/), ...listShared('ics/ModbusTCP/Modbus', /\.pcap$/)];
    assert.ok(files.length > 0, 'no Modbus capture');
    let parsed = 0;
    let compared = 0;
    let skippedPartial = 0;
    let tcpOdd = 0;
    const kinds = new Map<string, number>();
    const diffs: string[] = [];
    for (const file of files) {
      const ours = new Map<number, ModbusAdu[]>();
      await decodedFrames(file, (n, v) => {
        if (v.proto !== IPPROTO_TCP || v.payloadLen === 0 || (v.srcPort !== 502 && v.dstPort !== 502)) return;
        const r = parseModbusAdus(v.buf, v.payloadOff, v.payloadLen);
        // Whole ADUs in this segment alone (tshark reassembles the split ones).
        if (r.bad || r.cut) {
          skippedPartial++;
          return;
        }
        parsed += r.adus.length;
        ours.set(n, r.adus);
        // and the dissector on the segment alone
        const ctx = recorder(v.dstPort === 502);
        ctx.view.proto = IPPROTO_TCP;
        const verdict = modbusDissector.dissect(v.buf, v.payloadOff, v.payloadLen, ctx);
        assert.ok(verdict === Verdict.More || verdict === Verdict.Done);
        for (const o of ctx.obs) kinds.set(o[1], (kinds.get(o[1]) ?? 0) + 1);
      });
      if (!withTshark) continue;
      const name = file.slice(sharedCaptures.length + 1);
      const rows = tsharkByFrame(file, 'mbtcp && tcp.port == 502', ['mbtcp.unit_id', 'modbus.func_code', 'modbus.exception_code']);
      for (const [n, [units = '', fcs = '', excs = '']] of rows) {
        const o = ours.get(n);
        if (!o) continue; // a segment holding part of an ADU
        compared++;
        const theirs = [units, fcs, excs];
        const mine = [
          o.map((a) => a.unitId).join(','),
          o.map((a) => a.functionCode).join(','),
          o.filter((a) => a.exceptionCode !== null).map((a) => a.exceptionCode).join(','),
        ];
        if (JSON.stringify(mine) !== JSON.stringify(theirs)) diffs.push(`${name} frame ${n}: tshark ${JSON.stringify(theirs)}, nps ${JSON.stringify(mine)}`);
      }
      // Segments tshark leaves to TCP analysis (retransmitted, out of order, after a gap) are not dissected by it.
      const odd = tsharkByFrame(file, 'tcp.analysis.flags && !mbtcp', []);
      for (const n of ours.keys()) {
        if (rows.has(n)) continue;
        if (odd.has(n)) tcpOdd++;
        else diffs.push(`${name} frame ${n}: nps ADUs, tshark no mbtcp`);
      }
    }
    process.stdout.write(
      `# modbus: ${parsed} ADUs parsed, ${compared} segments compared with tshark, ${diffs.length} differ, ${skippedPartial} segments not whole ADUs, ${tcpOdd} retransmitted / out-of-order segments tshark leaves undissected; observations ${JSON.stringify(Object.fromEntries(kinds))}\n`,
    );
    assert.ok(parsed > 1000, 'few Modbus ADUs parsed');
    assert.equal(diffs.slice(0, 20), []);
  });
}

test.run();
