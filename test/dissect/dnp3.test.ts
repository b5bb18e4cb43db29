/**
 * DNP3: the CRC, link frames (one or several per payload, split over TCP
 * segments), transport and application headers, the dissector's
 * observations, the payload builders round-tripping, truncations and random
 * bytes never throwing, and the shared captures compared with tshark when
 * installed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dnp3Crc, dnp3Dissector, dnp3FrameSize, parseDnp3Frames, DNP3_STREAM, type Dnp3Frame } from '../../src/dissect/dnp3.js';
import { dnp3Fragment, dnp3LinkFrame, dnp3ReadRequest, dnp3Response } from '../../src/capture/ot/dnp3.js';
import { Verdict, type DissectContext, type ObservationData } from '../../src/dissect/types.js';
import { DecodeErrors } from '../../src/decode/errors.js';
import { PacketView, IPPROTO_TCP, IPPROTO_UDP } from '../../src/decode/view.js';
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

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
// ../shared/captures/zeek/dnp3/dnp3_read.pcap frame 4: READ of classes 1, 2, 3, 0 from master 3 to outstation 2.
const REAL_READ = hex('056414c4020003004503c7c8013c02063c03063c04063c010642ac');
// same file, frame 6: the RESPONSE (129), 2 -> 3.
const REAL_RESP = hex(
  '05647444030002006854f4c88100000102000008810181010101d3740101010a02000006000000000000011e6ca40100000e01ef030000010300000001ed2178030000012bd1ffff01ed03000001e62e41c9000001170d0200000000000001b50c02c650000000000000018a0d020000000000000693000000000000000000000000000000ffff',
);
// ../shared/captures/zeek/dnp3/dnp3_link_only.pcap frames 1 and 2: REQUEST_LINK_STATUS from outstation 1 (DIR 0) and LINK_STATUS from master 100.
const REAL_LINK_REQ = hex('05640549640001007e5f');
const REAL_LINK_STATUS = hex('0564058b01006400a097');
// ../shared/captures/zeek/dnp3/dnp3_udp_write.pcap frame 1 (UDP): WRITE from master 100 to outstation 1.
const REAL_UDP_WRITE = hex('05640ec401006400cd12ccce025001000707003835');
// ../shared/captures/ics/dnp3/read_and_response.pcap frame 8: the last segment of a response (no FIR: no application header).
const REAL_LAST_SEG = hex('05641a4401000a00af5d9402000000000200000000020000000066420200000000f3b9');

test('CRC: known frames', () => {
  // the header of REAL_READ and its first block
  assert.is(dnp3Crc(REAL_READ, 0, 8), REAL_READ.readUInt16LE(8));
  assert.is(dnp3Crc(REAL_READ, 10, 15), REAL_READ.readUInt16LE(25));
  assert.is(dnp3Crc(hex('05640a4403000400'), 0, 8), 0xae7c); // tshark: "checksum: 0xae7c [correct]" (zeek/dnp3/dnp3.pcap frame 4)
  assert.is(dnp3Crc([], 0, 0), 0xffff);
  assert.is(dnp3FrameSize(5), 10);
  assert.is(dnp3FrameSize(6), 13);
  assert.is(dnp3FrameSize(21), 28);
  assert.is(dnp3FrameSize(22), 31);
  assert.is(dnp3FrameSize(255), 292);
});

function brief(f: Dnp3Frame): unknown[] {
  return [f.source, f.destination, f.dir, f.prm, f.linkFunction, f.dataCrcOk, f.app?.functionCode ?? null, f.app?.iin ?? null];
}

test('real frames: requests, responses, link-only, continuation segments', () => {
  const errs = new DecodeErrors();
  const p = (b: Buffer): unknown[][] => {
    const r = parseDnp3Frames(b, 0, b.length, errs);
    assert.not.ok(r.cut || r.bad);
    assert.is(r.used, b.length);
    return r.frames.map(brief);
  };
  assert.equal(p(REAL_READ), [[3, 2, true, true, 4, true, 1, null]]);
  assert.equal(p(REAL_RESP), [[2, 3, false, true, 4, true, 129, 0x0000]]);
  assert.equal(p(REAL_LINK_REQ), [[1, 100, false, true, 9, true, null, null]]);
  assert.equal(p(REAL_LINK_STATUS), [[100, 1, true, false, 11, true, null, null]]);
  assert.equal(p(REAL_UDP_WRITE), [[100, 1, true, true, 4, true, 2, null]]);
  assert.equal(p(REAL_LAST_SEG), [[10, 1, false, true, 4, true, null, null]]);
  assert.equal(errs.toObject(), {});
  const f = parseDnp3Frames(REAL_READ, 0, REAL_READ.length).frames[0]!;
  assert.equal(f.transport, { fin: true, fir: true, seq: 7 });
  assert.equal(f.app, { control: 0xc8, fir: true, fin: true, con: false, uns: false, seq: 8, functionCode: 1, iin: null });
  // back to back, and every cut
  const all = Buffer.concat([REAL_LINK_REQ, REAL_READ, REAL_RESP]);
  assert.is(parseDnp3Frames(all, 0, all.length).frames.length, 3);
  for (let n = 0; n < all.length; n++) {
    const r = parseDnp3Frames(all, 0, n, errs);
    assert.not.ok(r.bad, `cut at ${n}`);
    assert.is(r.cut, n > r.used);
    assert.is(r.frames.length, n >= REAL_LINK_REQ.length + REAL_READ.length ? 2 : n >= REAL_LINK_REQ.length ? 1 : 0);
  }
  assert.equal(errs.toObject(), {});
});

test('CRC errors are counted', () => {
  const errs = new DecodeErrors();
  const badHeader = Buffer.from(REAL_READ);
  badHeader[8]! ^= 1;
  const r = parseDnp3Frames(badHeader, 0, badHeader.length, errs);
  assert.ok(r.bad);
  assert.is(r.frames.length, 0);
  // a bad CRC on the first block: the frame is kept, its application header is not trusted
  const badFirst = Buffer.from(REAL_READ);
  badFirst[12]! ^= 0x10;
  const f1 = parseDnp3Frames(badFirst, 0, badFirst.length, errs).frames[0]!;
  assert.is(f1.dataCrcOk, false);
  assert.is(f1.app, null);
  // a bad CRC on a later block: the application header stands
  const badLast = Buffer.from(REAL_RESP);
  badLast[badLast.length - 4]! ^= 1;
  const f2 = parseDnp3Frames(badLast, 0, badLast.length, errs).frames[0]!;
  assert.is(f2.dataCrcOk, false);
  assert.is(f2.app?.functionCode, 129);
  assert.equal(errs.toObject(), { 'dnp3.bad_crc': 3 });
  // the dissector: a bad header is Malformed
  const ctx = recorder(true);
  assert.is(dnp3Dissector.dissect(badHeader, 0, badHeader.length, ctx), Verdict.Malformed);
  assert.is(ctx.counts['dnp3.bad_crc'], 1);
  // other protocols
  const http = Buffer.from('GET / HTTP/1.1\r\n\r\n');
  assert.is(dnp3Dissector.dissect(http, 0, http.length, recorder(true)), Verdict.Malformed);
  assert.not.ok(dnp3Dissector.probe!(http, 0, http.length, IPPROTO_TCP));
  assert.ok(dnp3Dissector.probe!(REAL_READ, 0, REAL_READ.length, IPPROTO_TCP));
  assert.not.ok(dnp3Dissector.probe!(badHeader, 0, badHeader.length, IPPROTO_TCP));
});

test('observations: master and outstation', () => {
  const m = recorder(true);
  assert.is(dnp3Dissector.dissect(REAL_READ, 0, REAL_READ.length, m), Verdict.More);
  assert.equal(m.obs, [
    ['src', 'banner', 'dnp3 address 3', { link_address: 3 }],
    ['dst', 'banner', 'dnp3 address 2', { link_address: 2 }],
    ['src', 'banner', 'dnp3 fc 1 READ', { function_code: 1, link_address: 3 }],
    ['src', 'role', 'dnp3-master', undefined],
    ['dst', 'role', 'dnp3-outstation', undefined],
  ]);
  const o = recorder(false);
  assert.is(dnp3Dissector.dissect(REAL_RESP, 0, REAL_RESP.length, o), Verdict.More);
  assert.equal(o.obs, [
    ['src', 'banner', 'dnp3 address 2', { link_address: 2 }],
    ['dst', 'banner', 'dnp3 address 3', { link_address: 3 }],
    ['src', 'banner', 'dnp3 fc 129 RESPONSE', { function_code: 129, link_address: 2 }],
    ['src', 'role', 'dnp3-outstation', undefined],
    ['dst', 'role', 'dnp3-master', undefined],
    ['src', 'device_type', 'field device', { dnp3_function: 129, link_address: 2 }],
  ]);
  // link-only frames: the DIR bit tells; no device type
  const l = recorder(false);
  assert.is(dnp3Dissector.dissect(REAL_LINK_REQ, 0, REAL_LINK_REQ.length, l), Verdict.More);
  assert.equal(l.obs.filter((x) => x[1] === 'role').map((x) => [x[0], x[2]]), [
    ['src', 'dnp3-outstation'],
    ['dst', 'dnp3-master'],
  ]);
  assert.not.ok(l.obs.some((x) => x[1] === 'device_type'));
  // UDP: Continue
  const u = recorder(true, IPPROTO_UDP);
  assert.is(dnp3Dissector.dissect(REAL_UDP_WRITE, 0, REAL_UDP_WRITE.length, u), Verdict.Continue);
  assert.ok(u.obs.some((x) => x[2] === 'dnp3 fc 2 WRITE'));
  assert.is(dnp3Dissector.dissect(REAL_UDP_WRITE, 0, 5, recorder(true, IPPROTO_UDP)), Verdict.Malformed);
  // TCP: More while cut, Done after enough
  assert.is(dnp3Dissector.dissect(REAL_RESP, 0, 40, recorder(false)), Verdict.More);
  const many = Buffer.concat(new Array(Math.ceil(DNP3_STREAM / REAL_READ.length) + 1).fill(REAL_READ));
  assert.is(dnp3Dissector.dissect(many, 0, many.length, recorder(true)), Verdict.Done);
  // broadcast destinations are not anybody's address
  const bc = dnp3ReadRequest({ master: 1, outstation: 0xffff });
  const b = recorder(true);
  dnp3Dissector.dissect(bc, 0, bc.length, b);
  assert.not.ok(b.obs.some((x) => x[0] === 'dst' && x[1] === 'banner'));
});

test('builders round-trip through the parser', () => {
  const req = dnp3ReadRequest({ master: 1, outstation: 10, seq: 5, transportSeq: 12 });
  assert.is(req.toString('hex'), '056414c40a0001008fedcc' + 'c5013c02063c03063c04063c0106' + dnp3Crc(hex('ccc5013c02063c03063c04063c0106'), 0, 15).toString(16).padStart(4, '0').replace(/(..)(..)/, '$2$1'));
  const rq = parseDnp3Frames(req, 0, req.length).frames;
  assert.equal(rq.map(brief), [[1, 10, true, true, 4, true, 1, null]]);
  assert.is(rq[0]!.app?.seq, 5);
  assert.is(rq[0]!.transport?.seq, 12);
  const resp = dnp3Response({ master: 1, outstation: 10, seq: 5, iin: 0x9000, analogValues: [100, -1, 32767] });
  const rs = parseDnp3Frames(resp, 0, resp.length);
  assert.not.ok(rs.cut || rs.bad);
  assert.equal(rs.frames.map(brief), [[10, 1, false, true, 4, true, 129, 0x9000]]);
  const uns = dnp3Response({ master: 1, outstation: 10, unsolicited: true });
  assert.equal(parseDnp3Frames(uns, 0, uns.length).frames.map(brief), [[10, 1, false, true, 4, true, 130, 0]]);
  // a fragment over several frames: FIR on the first, FIN on the last
  const big = dnp3Response({ master: 3, outstation: 4, analogValues: new Array(200).fill(0).map((_, i) => i) });
  const bf = parseDnp3Frames(big, 0, big.length);
  assert.not.ok(bf.cut || bf.bad);
  assert.is(bf.frames.length, 3);
  assert.equal(bf.frames.map((f) => [f.transport?.fir, f.transport?.fin, f.dataCrcOk, f.app?.functionCode ?? null]), [
    [true, false, true, 129],
    [false, false, true, null],
    [false, true, true, null],
  ]);
  // link frames without user data
  const reset = dnp3LinkFrame({ dir: true, linkFunction: 0, destination: 4, source: 3 });
  assert.equal(parseDnp3Frames(reset, 0, reset.length).frames.map(brief), [[3, 4, true, true, 0, true, null, null]]);
  const empty = dnp3Fragment({ master: 1, outstation: 2, fromMaster: true }, []);
  assert.equal(parseDnp3Frames(empty, 0, empty.length).frames.map((f) => f.transport), [{ fin: true, fir: true, seq: 0 }]);
});

test('every truncation and random bytes never throw', () => {
  const samples = [
    REAL_READ,
    REAL_RESP,
    REAL_LINK_REQ,
    REAL_LINK_STATUS,
    REAL_UDP_WRITE,
    REAL_LAST_SEG,
    dnp3Response({ master: 3, outstation: 4, analogValues: new Array(100).fill(7) }),
  ];
  let calls = 0;
  for (const s of samples) {
    for (let n = 0; n <= s.length; n++) {
      for (const proto of [IPPROTO_TCP, IPPROTO_UDP]) {
        assert.ok(VERDICTS.has(dnp3Dissector.dissect(s, 0, n, recorder(true, proto))));
        calls++;
      }
    }
    const c = Buffer.from(s);
    for (let i = 0; i < c.length; i++) {
      const o = c[i]!;
      for (const v of [0, 5, 0x64, 0x81, 0xff]) {
        c[i] = v;
        assert.ok(VERDICTS.has(dnp3Dissector.dissect(c, 0, c.length, recorder(false))));
        calls++;
      }
      c[i] = o;
    }
  }
  let seed = 20000;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  for (let i = 0; i < 4000; i++) {
    const b = Buffer.alloc(rnd() + (i & 1 ? rnd() : 0));
    for (let j = 0; j < b.length; j++) b[j] = rnd();
    if (b.length >= 10 && i & 2) {
      // a valid header so the body is parsed
      b[0] = 0x05;
      b[1] = 0x64;
      b[2] = Math.max(5, b[2]!);
      b.writeUInt16LE(dnp3Crc(b, 0, 8), 8);
    }
    assert.ok(VERDICTS.has(dnp3Dissector.dissect(b, 0, b.length, recorder((i & 4) === 0, i & 8 ? IPPROTO_UDP : IPPROTO_TCP))));
    assert.ok(VERDICTS.has(dnp3Dissector.dissect(b, 0, b.length, recorder(true))));
    calls += 2;
  }
  assert.ok(parseDnp3Frames(REAL_READ, -1, 4).bad);
  assert.equal(parseDnp3Frames(REAL_READ, 20, REAL_READ.length).frames, []);
  process.stdout.write(`# dnp3: ${calls} dissect calls on truncated, corrupted and random payloads\n`);
});

// ---------------------------------------------------------------------------
// Real captures

if (!haveShared()) {
  skip('../shared/captures is absent: real DNP3 captures not parsed');
} else {
  const withTshark = haveTool('tshark');
  if (!withTshark) skip('tshark is not installed: DNP3 fields not compared');

  test('real captures: DNP3 over TCP and UDP (and tshark fields when installed)', async () => {
    const files = [...listShared('zeek/dnp3', /\.pcap$/), ...listShared('ics/dnp3', /\.pcap$/)];
    assert.ok(files.length > 0, 'no DNP3 capture');
    let frames = 0;
    let compared = 0;
    let functionsCompared = 0;
    let partial = 0;
    let unfinished = 0;
    const kinds = new Map<string, number>();
    const diffs: string[] = [];
    for (const file of files) {
      const ours = new Map<number, Dnp3Frame[]>();
      const ourFunctions: number[] = [];
      const errs = new DecodeErrors();
      await decodedFrames(file, (n, v) => {
        if ((v.proto !== IPPROTO_TCP && v.proto !== IPPROTO_UDP) || v.payloadLen === 0) return;
        if (v.srcPort !== 20000 && v.dstPort !== 20000) return;
        const r = parseDnp3Frames(v.buf, v.payloadOff, v.payloadLen, errs);
        if (r.cut || r.bad) partial++;
        if (r.frames.length === 0) return;
        frames += r.frames.length;
        ours.set(n, r.frames);
        for (const f of r.frames) if (f.app) ourFunctions.push(f.app.functionCode);
        const ctx = recorder(v.dstPort === 20000, v.proto);
        assert.ok(VERDICTS.has(dnp3Dissector.dissect(v.buf, v.payloadOff, v.payloadLen, ctx)));
        for (const o of ctx.obs) {
          const k = `${o[1]} ${o[2].startsWith('dnp3 address') ? 'address' : o[2]}`;
          kinds.set(k, (kinds.get(k) ?? 0) + 1);
        }
      });
      if (!withTshark) continue;
      const name = file.slice(sharedCaptures.length + 1);
      const rows = tsharkByFrame(file, 'dnp3', ['dnp3.src', 'dnp3.dst', 'dnp3.ctl.dir', 'dnp3.al.func']);
      const theirFunctions: number[] = [];
      for (const [n, [src = '', dst = '', dir = '', func = '']] of rows) {
        if (func) theirFunctions.push(...func.split(',').map(Number));
        const o = ours.get(n);
        if (!o) continue;
        compared++;
        const theirs = [src, dst, dir];
        const mine = [o.map((f) => f.source).join(','), o.map((f) => f.destination).join(','), o.map((f) => (f.dir ? 1 : 0)).join(',')];
        if (JSON.stringify(mine) !== JSON.stringify(theirs)) diffs.push(`${name} frame ${n}: tshark ${JSON.stringify(theirs)}, nps ${JSON.stringify(mine)}`);
      }
      // tshark names the function where a fragment is complete, nps where it starts: compare the
      // lists as multisets. Every function tshark names must be in nps's; nps may have more, from
      // fragments whose last segment never comes (tshark then names none).
      const left = [...ourFunctions];
      for (const fc of theirFunctions) {
        const i = left.indexOf(fc);
        if (i < 0) diffs.push(`${name}: tshark function ${fc} not found by nps`);
        else left.splice(i, 1);
      }
      functionsCompared += theirFunctions.length;
      unfinished += left.length;
      if (left.length) process.stdout.write(`# dnp3: ${name}: nps-only functions [${left.join(',')}] (fragments tshark does not complete)\n`);
    }
    process.stdout.write(
      `# dnp3: ${frames} link frames parsed, ${compared} packets compared with tshark (src, dst, dir), ${functionsCompared} application functions compared (${unfinished} more in nps, unfinished fragments), ${diffs.length} differ, ${partial} payloads with a cut or bad frame; observations ${JSON.stringify(Object.fromEntries(kinds))}\n`,
    );
    assert.ok(frames > 100, 'few DNP3 frames parsed');
    assert.ok(unfinished <= 2, 'many functions tshark does not see');
    assert.equal(diffs.slice(0, 20), []);
  });
}

test.run();
