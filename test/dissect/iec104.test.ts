/**
 * IEC 60870-5-104: real bytes from the shared captures, the payload builders
 * round-tripping, every truncation and seeded random bytes never throwing,
 * and whole streams of the shared captures compared with tshark.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { iec104Dissector, scanIec104, iec104Sender } from '../../src/dissect/iec104.js';
import { Verdict } from '../../src/dissect/types.js';
import { DecodeErrors } from '../../src/decode/errors.js';
import {
  iec104StartDtAct,
  iec104StartDtCon,
  iec104U,
  iec104S,
  iec104Interrogation,
  iec104MeasuredFloat,
} from '../../src/capture/ot/iec104.js';
import { haveShared, haveTool, sharedCaptures, skip } from '../helpers/skip.js';
import { decodedFrames, listShared, tsharkByFrame, tcpDirectionStreams } from '../helpers/real-captures.js';
import { has, recorder, type Obs } from '../helpers/dissect-context.js';


function run(bytes: Uint8Array, fromClient: boolean): { verdict: Verdict; obs: Obs[]; counts: string[] } {
  const ctx = recorder(fromClient);
  const buf = Buffer.from(bytes);
  const verdict = iec104Dissector.dissect(buf, 0, buf.length, ctx);
  return { verdict, obs: ctx.obs, counts: ctx.counts };
}


const h = (s: string): Buffer => Buffer.from(s, 'hex');
const cat = (...p: Uint8Array[]): Buffer => Buffer.concat(p.map((x) => Buffer.from(x)));

// JavaRMI_and_IEC_Misc.pcap (ics/IEC60870-5-104), connection 192.168.1.113:50876 <-> 10.209.13.145:2404.
// Client (controlling): frame 6 STARTDT act, frame 10 C_IC_NA_1 act, frame 16 S-frame.
const JAVA_CLIENT = h('680407000000' + '680e00000000640106010d9100000014' + '680401000400');
// Server (controlled): frame 8 STARTDT con, 12 M_EI_NA_1, 14 C_IC_NA_1 con, 17 M_SP_NA_1 (SQ), 19 M_DP_NA_1, 22 C_IC_NA_1 term, 24 M_ME_NB_1.
const JAVA_SERVER = h(
  '68040b000000' +
    '680e00000200460104000d9100000001' +
    '680e02000200640107010d9100000014' +
    '681704000200018a14010d911a270000800000000000000000' +
    '680e06000200030114010d91983a0001' +
    '680e0800020064010a010d9100000014' +
    '68100a0002000b8103000d913f9c00020000',
);

test('real bytes: controlling and controlled station (JavaRMI_and_IEC_Misc frames 6-24)', () => {
  const c = scanIec104(JAVA_CLIENT, 0, JAVA_CLIENT.length);
  assert.equal(c.apdus.map((a) => a.format), ['U', 'I', 'S']);
  assert.equal(c.apdus[1]!.asdu, { typeId: 100, sq: false, count: 1, cause: 6, negative: false, test: false, originator: 1, commonAddress: 37133, ioa: 0 });
  const cr = run(JAVA_CLIENT, true);
  assert.is(cr.verdict, Verdict.More);
  assert.ok(has(cr.obs, 'src', 'role', 'iec104-controlling'));
  assert.ok(has(cr.obs, 'dst', 'role', 'iec104-controlled'));
  assert.ok(has(cr.obs, 'src', 'banner', 'type 100 C_IC_NA_1'));
  assert.ok(has(cr.obs, 'dst', 'banner', 'common address 37133'));
  assert.not.ok(cr.obs.some((o) => o[1] === 'device_type'));

  const s = scanIec104(JAVA_SERVER, 0, JAVA_SERVER.length);
  assert.equal(s.apdus.map((a) => a.asdu?.typeId ?? a.format), ['U', 70, 100, 1, 3, 100, 11]);
  assert.equal(s.apdus.map((a) => a.asdu?.cause ?? null), [null, 4, 7, 20, 20, 10, 3]);
  assert.is(s.apdus[3]!.asdu!.sq, true);
  assert.is(s.apdus[3]!.asdu!.count, 10);
  assert.is(s.apdus[6]!.tx, 5);
  const sr = run(JAVA_SERVER, false);
  assert.ok(has(sr.obs, 'src', 'role', 'iec104-controlled'));
  assert.ok(has(sr.obs, 'dst', 'role', 'iec104-controlling'));
  assert.ok(has(sr.obs, 'src', 'banner', 'common address 37133'));
  assert.ok(has(sr.obs, 'src', 'banner', 'type 11 M_ME_NB_1'));
  assert.ok(has(sr.obs, 'src', 'device_type', 'field device'));
  assert.equal(sr.counts, []);
});

test('builders round-trip', () => {
  const client = cat(iec104StartDtAct(), iec104Interrogation({ commonAddress: 7, tx: 0, rx: 0 }), iec104S(3), iec104U('TESTFR act'));
  const c = scanIec104(client, 0, client.length);
  assert.is(c.stop, 'end');
  assert.equal(c.apdus.map((a) => a.format), ['U', 'I', 'S', 'U']);
  assert.is(c.apdus[0]!.u, 0x04);
  assert.is(c.apdus[2]!.rx, 3);
  assert.equal(c.apdus[1]!.asdu, { typeId: 100, sq: false, count: 1, cause: 6, negative: false, test: false, originator: 0, commonAddress: 7, ioa: 0 });
  assert.is(iec104Sender(c.apdus[1]!), 'controlling');
  assert.is(iec104Sender(c.apdus[3]!), null);

  const server = cat(
    iec104StartDtCon(),
    iec104Interrogation({ commonAddress: 7, cause: 7, tx: 0, rx: 1 }),
    iec104MeasuredFloat({ commonAddress: 7, cause: 20, tx: 1, rx: 1, points: [{ ioa: 4001, value: 49.98 }, { ioa: 4002, value: 231.5, quality: 0 }] }),
    iec104Interrogation({ commonAddress: 7, cause: 10, tx: 2, rx: 1 }),
    iec104MeasuredFloat({ commonAddress: 7, tx: 300, rx: 1, points: [{ ioa: 4001, value: 50.01 }] }),
  );
  const s = scanIec104(server, 0, server.length);
  assert.is(s.stop, 'end');
  assert.equal(s.apdus.map((a) => a.asdu?.typeId ?? a.u), [0x08, 100, 13, 100, 13]);
  const m = s.apdus[2]!;
  assert.is(m.length, 4 + 6 + 2 * 8);
  assert.equal([m.tx, m.rx, m.asdu!.count, m.asdu!.ioa, m.asdu!.cause], [1, 1, 2, 4001, 20]);
  assert.is(s.apdus[4]!.tx, 300);
  const r = run(server, false);
  assert.ok(has(r.obs, 'src', 'role', 'iec104-controlled'));
  assert.ok(has(r.obs, 'src', 'banner', 'type 13 M_ME_NC_1'));
  assert.ok(has(r.obs, 'src', 'banner', 'common address 7'));
  assert.ok(has(r.obs, 'src', 'device_type', 'field device'));
  // One banner per distinct type id.
  assert.is(r.obs.filter((o) => o[1] === 'banner' && o[2].startsWith('type 13')).length, 1);
});

test('cut APDUs ask for more; stray bytes after a good APDU are skipped', () => {
  const whole = cat(iec104StartDtCon(), iec104MeasuredFloat({ commonAddress: 1, points: [{ ioa: 1, value: 1 }] }));
  for (let n = 1; n < whole.length; n++) {
    const r = run(whole.subarray(0, n), false);
    assert.is(r.verdict, Verdict.More, `cut at ${n}`);
  }
  assert.is(run(h('00'), true).verdict, Verdict.NotMine);
  assert.is(run(h('6802'), true).verdict, Verdict.NotMine);
  assert.is(run(h('680400000000'), true).verdict, Verdict.NotMine);
  // TestDissectIec104.pcap (ics/IEC60870-5-104) frames 4, 7, 9, 11, 13 of 1568 -> 2404: STARTDT act, junk, TESTFR act.
  const fuzz = h('680407000000' + '00' + '0168' + '020268001212' + '680443000000');
  const f = scanIec104(fuzz, 0, fuzz.length);
  assert.equal(f.apdus.map((a) => a.u), [0x04, 0x40]);
  assert.ok(f.skipped > 0);
});

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
}

test('every truncation and seeded random bytes give a verdict, never throw', () => {
  const samples = [JAVA_CLIENT, JAVA_SERVER, Buffer.from(iec104MeasuredFloat({ commonAddress: 65535, points: [{ ioa: 1, value: 0 }] }))];
  const verdicts = new Set([Verdict.NotMine, Verdict.More, Verdict.Done, Verdict.Continue, Verdict.Malformed]);
  let calls = 0;
  for (const s of samples) {
    const host = Buffer.alloc(s.length + 20, 0x68);
    s.copy(host, 10);
    for (let n = 0; n <= s.length; n++) {
      assert.ok(verdicts.has(iec104Dissector.dissect(host, 10, n, recorder(n % 2 === 0))));
      calls++;
    }
  }
  const rnd = random(2404);
  for (let i = 0; i < 4000; i++) {
    const buf = Buffer.from(samples[i % samples.length]!);
    if (i & 1) for (let k = 0; k < 1 + (rnd() & 7); k++) buf[rnd() % buf.length] = rnd();
    else for (let k = 0; k < buf.length; k++) buf[k] = rnd();
    if (i % 3 === 0) buf[0] = 0x68;
    assert.ok(verdicts.has(iec104Dissector.dissect(buf, 0, rnd() % (buf.length + 1), recorder(!!(i & 2)))));
    calls++;
  }
  process.stdout.write(`# iec104: ${calls} dissect calls on cut and random input\n`);
});

// ---------------------------------------------------------------------------
// Shared captures: each direction put back together and scanned, compared with tshark.

const streams = (file: string, port: number): Promise<Buffer[]> => tcpDirectionStreams(file, port);

function tally(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

if (!haveShared() || !haveTool('tshark')) {
  skip('shared captures or tshark missing: IEC 104 tshark comparison');
} else {
  test('shared captures: APCI format, U function, type id, cause and common address agree with tshark', async () => {
    const files = listShared('ics/IEC60870-5-104', /\.(pcap|pcapng)$/);
    let agree = 0;
    let apdus = 0;
    let asdus = 0;
    const notes: string[] = [];
    for (const file of files) {
      const mine = new Map<string, number>();
      for (const bytes of await streams(file, 2404)) {
        const s = scanIec104(bytes, 0, bytes.length, new DecodeErrors());
        for (const a of s.apdus) {
          tally(mine, `format ${a.format === 'I' ? 0 : a.format === 'S' ? 1 : 3}`);
          if (a.u !== undefined) tally(mine, `u ${a.u >> 2}`);
          if (a.asdu) {
            tally(mine, `type ${a.asdu.typeId}`);
            tally(mine, `cause ${a.asdu.cause}`);
            tally(mine, `ca ${a.asdu.commonAddress}`);
          }
        }
      }
      const theirs = new Map<string, number>();
      const rows = tsharkByFrame(file, 'iec60870_104', ['iec60870_104.type', 'iec60870_104.utype', 'iec60870_asdu.typeid', 'iec60870_asdu.causetx', 'iec60870_asdu.addr'], '|');
      for (const [, [type = '', utype = '', tid = '', cot = '', addr = '']] of rows) {
        const split = (x: string): string[] => (x ? x.split('|') : []);
        for (const x of split(type)) tally(theirs, `format ${Number(x)}`);
        for (const x of split(utype)) tally(theirs, `u ${Number(x)}`);
        for (const x of split(tid)) tally(theirs, `type ${Number(x)}`);
        for (const x of split(cot)) tally(theirs, `cause ${Number(x)}`);
        for (const x of split(addr)) tally(theirs, `ca ${Number(x)}`);
      }
      for (const [k, n] of theirs) {
        if (k.startsWith('format')) apdus += n;
        if (k.startsWith('type')) asdus += n;
      }
      const keys = new Set([...mine.keys(), ...theirs.keys()]);
      const diff = [...keys].filter((k) => mine.get(k) !== theirs.get(k)).map((k) => `${k}: ${mine.get(k) ?? 0} vs ${theirs.get(k) ?? 0}`);
      if (diff.length === 0) agree++;
      else notes.push(`${file.slice(sharedCaptures.length + 1)}: ${diff.slice(0, 8).join('; ')}`);
    }
    process.stdout.write(`# iec104 vs tshark: ${agree}/${files.length} files agree exactly; tshark: ${apdus} APDUs, ${asdus} ASDUs\n`);
    for (const n of notes) process.stdout.write(`#   ${n}\n`);
    assert.ok(apdus > 200, 'too few APDUs in the shared captures');
    assert.ok(agree >= files.length - 1, 'too many files disagree with tshark');
  });
}

test.run();
