/**
 * Kerberos and NTP parsers: hand-built messages (AS-REQ, AS-REP, TGS-REQ,
 * TGS-REP, KRB-ERROR, over UDP and TCP; NTP client / server / control /
 * private), every truncation and random bytes never throw, and the shared
 * captures compared with tshark when installed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseKerberos, parseKerberosTcp, type KerberosMessage } from '../../src/dissect/kerberos.js';
import { parseNtp, type NtpMessage } from '../../src/dissect/ntp.js';
import { DecodeErrors } from '../../src/decode/errors.js';
import { IPPROTO_UDP, IPPROTO_TCP } from '../../src/decode/view.js';
import { haveShared, haveTool, sharedCaptures, skip } from '../helpers/skip.js';
import { decodedFrames, listShared, tsharkByFrame } from '../helpers/real-captures.js';
import { berLen } from '../helpers/ber.js';

// ---------------------------------------------------------------------------
// BER builder

const len = berLen;
function tlv(tag: number, v: number[]): number[] {
  return [tag, ...len(v.length), ...v];
}
function int(n: number): number[] {
  const b: number[] = [];
  let v = n;
  do {
    b.unshift(v & 255);
    v = Math.floor(v / 256);
  } while (v !== 0 && v !== -1);
  if (n >= 0 && b[0]! & 0x80) b.unshift(0);
  if (n < 0 && !(b[0]! & 0x80)) b.unshift(0xff);
  return tlv(0x02, b);
}
function gstr(s: string): number[] {
  return tlv(0x1b, [...Buffer.from(s, 'latin1')]);
}
function seq(...parts: number[][]): number[] {
  return tlv(0x30, parts.flat());
}
function ctx(n: number, v: number[]): number[] {
  return tlv(0xa0 | n, v);
}
function app(n: number, v: number[]): number[] {
  return tlv(0x60 | n, v);
}
function principal(type: number, ...parts: string[]): number[] {
  return seq(ctx(0, int(type)), ctx(1, seq(...parts.map(gstr))));
}
const KTIME = tlv(0x18, [...Buffer.from('20370913024805Z')]);
const ENC = seq(ctx(0, int(18)), ctx(1, int(2)), ctx(2, tlv(0x04, new Array(40).fill(0xab))));

function kdcReq(type: 10 | 12, body: number[][]): Uint8Array {
  const padata = ctx(3, seq(seq(ctx(1, int(2)), ctx(2, tlv(0x04, [1, 2, 3, 4])))));
  return Uint8Array.from(app(type, seq(ctx(1, int(5)), ctx(2, int(type)), padata, ctx(4, seq(...body)))));
}
const AS_REQ = kdcReq(10, [
  ctx(0, tlv(0x03, [0, 0x40, 0x81, 0, 0x10])),
  ctx(1, principal(1, 'alice')),
  ctx(2, gstr('EXAMPLE.COM')),
  ctx(3, principal(2, 'krbtgt', 'EXAMPLE.COM')),
  ctx(5, KTIME),
  ctx(7, int(0x12345678)),
  ctx(8, seq(int(18), int(17), int(23))),
]);
const TGS_REQ = kdcReq(12, [
  ctx(0, tlv(0x03, [0, 0x40, 0x81, 0, 0])),
  ctx(2, gstr('EXAMPLE.COM')),
  ctx(3, principal(2, 'cifs', 'fs1.example.com')),
  ctx(5, KTIME),
  ctx(7, int(42)),
  ctx(8, seq(int(18))),
]);
function kdcRep(type: 11 | 13, crealm: string, cname: number[], sname: number[]): Uint8Array {
  const ticket = app(1, seq(ctx(0, int(5)), ctx(1, gstr(crealm)), ctx(2, sname), ctx(3, ENC)));
  return Uint8Array.from(app(type, seq(ctx(0, int(5)), ctx(1, int(type)), ctx(3, gstr(crealm)), ctx(4, cname), ctx(5, ticket), ctx(6, ENC))));
}
const AS_REP = kdcRep(11, 'EXAMPLE.COM', principal(1, 'alice'), principal(2, 'krbtgt', 'EXAMPLE.COM'));
const TGS_REP = kdcRep(13, 'EXAMPLE.COM', principal(1, 'alice'), principal(2, 'cifs', 'fs1.example.com'));
const KRB_ERR = Uint8Array.from(
  app(
    30,
    seq(
      ctx(0, int(5)),
      ctx(1, int(30)),
      ctx(4, KTIME),
      ctx(5, int(12345)),
      ctx(6, int(25)),
      ctx(7, gstr('CLIENT.ORG')),
      ctx(8, principal(1, 'bob\\x')),
      ctx(9, gstr('EXAMPLE.COM')),
      ctx(10, principal(2, 'krbtgt', 'EXAMPLE.COM')),
      ctx(12, tlv(0x04, [0x30, 0x00])),
    ),
  ),
);

function tcp(m: Uint8Array): Uint8Array {
  const out = new Uint8Array(m.length + 4);
  new DataView(out.buffer).setUint32(0, m.length);
  out.set(m, 4);
  return out;
}

test('Kerberos AS-REQ / AS-REP / TGS-REQ / TGS-REP / KRB-ERROR', () => {
  const errs = new DecodeErrors();
  const p = (m: Uint8Array): KerberosMessage | null => parseKerberos(m, 0, m.length, errs);
  assert.equal(p(AS_REQ), { msgType: 10, realm: 'EXAMPLE.COM', clientName: 'alice', serverName: 'krbtgt/EXAMPLE.COM' });
  assert.equal(p(TGS_REQ), { msgType: 12, realm: 'EXAMPLE.COM', clientName: null, serverName: 'cifs/fs1.example.com' });
  assert.equal(p(AS_REP), { msgType: 11, realm: 'EXAMPLE.COM', clientName: 'alice', serverName: 'krbtgt/EXAMPLE.COM' });
  assert.equal(p(TGS_REP), { msgType: 13, realm: 'EXAMPLE.COM', clientName: 'alice', serverName: 'cifs/fs1.example.com' });
  assert.equal(p(KRB_ERR), { msgType: 30, realm: 'EXAMPLE.COM', clientName: 'bob\\x5cx', serverName: 'krbtgt/EXAMPLE.COM', errorCode: 25 });
  assert.equal(errs.toObject(), {});
  // at an offset inside a larger buffer
  const big = new Uint8Array(AS_REQ.length + 20);
  big.set(AS_REQ, 7);
  assert.is(parseKerberos(big, 7, AS_REQ.length)?.clientName, 'alice');
});

test('Kerberos over TCP: the length prefix', () => {
  const errs = new DecodeErrors();
  const t = tcp(TGS_REP);
  assert.is(parseKerberosTcp(t, 0, t.length, errs)?.serverName, 'cifs/fs1.example.com');
  assert.equal(errs.toObject(), {});
  // partial message: null
  assert.is(parseKerberosTcp(t, 0, t.length - 1, errs), null);
  // reserved high bit
  const bad = Uint8Array.from(t);
  bad[0] = 0x80;
  assert.is(parseKerberosTcp(bad, 0, bad.length, errs), null);
  // trailing bytes after the record are ignored
  const more = new Uint8Array(t.length + 10);
  more.set(t);
  assert.is(parseKerberosTcp(more, 0, more.length)?.msgType, 13);
});

test('Kerberos: other messages and malformations are refused', () => {
  const errs = new DecodeErrors();
  // AP-REQ [APPLICATION 14]
  const ap = Uint8Array.from(app(14, seq(ctx(0, int(5)), ctx(1, int(14)))));
  assert.is(parseKerberos(ap, 0, ap.length, errs), null);
  // msg-type field disagreeing with the application tag
  const mism = Uint8Array.from(app(11, seq(ctx(0, int(5)), ctx(1, int(13)))));
  assert.is(parseKerberos(mism, 0, mism.length, errs), null);
  // a plain SEQUENCE (e.g. an SNMP message on the wrong port)
  const s = Uint8Array.from(seq(int(1), tlv(0x04, [0x61])));
  assert.is(parseKerberos(s, 0, s.length, errs), null);
  // a cname that is not a PrincipalName: the field is left null
  const odd = kdcReq(10, [ctx(1, int(7)), ctx(2, gstr('R'))]);
  assert.equal(parseKerberos(odd, 0, odd.length, errs), { msgType: 10, realm: 'R', clientName: null, serverName: null });
  const c = errs.toObject() as Record<string, number>;
  assert.is(c['kerberos.bad_msg_type'], 2);
  assert.ok((c['kerberos.bad_ber'] ?? 0) >= 2);
});

test('Kerberos: truncated datagrams keep the fields that fit', () => {
  // cut inside the req-body after sname: still AS-REQ with names
  const cut = AS_REQ.length - 8;
  const errs = new DecodeErrors();
  const m = parseKerberos(AS_REQ, 0, cut, errs);
  assert.equal(m, { msgType: 10, realm: 'EXAMPLE.COM', clientName: 'alice', serverName: 'krbtgt/EXAMPLE.COM' });
  assert.is((errs.toObject() as Record<string, number>)['kerberos.truncated'], 1);
  // cut inside the ticket: crealm and cname kept
  const r = parseKerberos(AS_REP, 0, AS_REP.length - ENC.length - 30);
  assert.is(r?.clientName, 'alice');
});

test('Kerberos: every truncation and random bytes never throw', () => {
  const errs = new DecodeErrors();
  for (const m of [AS_REQ, TGS_REQ, AS_REP, TGS_REP, KRB_ERR]) {
    for (let n = 0; n <= m.length; n++) {
      parseKerberos(m, 0, n, errs);
      const t = tcp(m);
      parseKerberosTcp(t, 0, Math.min(n + 4, t.length), errs);
    }
    // every single-byte corruption
    const c = Uint8Array.from(m);
    for (let i = 0; i < c.length; i++) {
      const o = c[i]!;
      for (const v of [0, 0x7f, 0x80, 0x84, 0xff]) {
        c[i] = v;
        parseKerberos(c, 0, c.length, errs);
      }
      c[i] = o;
    }
  }
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  for (let i = 0; i < 3000; i++) {
    const b = new Uint8Array(rnd() + (i & 1 ? 0 : rnd()));
    for (let j = 0; j < b.length; j++) b[j] = rnd();
    if (b.length && i % 3 === 0) b[0] = 0x6a + (i % 5);
    parseKerberos(b, 0, b.length, errs);
    parseKerberosTcp(b, 0, b.length, errs);
  }
  // deep nesting cannot recurse
  const deep: number[] = [];
  for (let i = 0; i < 10000; i++) deep.push(0xa4, 0x84, 0, 0, 0, 0);
  const d = Uint8Array.from([0x6a, 0x84, 0, 1, 0, 0, 0x30, 0x84, 0, 1, 0, 0, ...deep]);
  parseKerberos(d, 0, d.length, errs);
  // out-of-range offsets
  assert.is(parseKerberos(AS_REQ, 10, AS_REQ.length), null);
  assert.is(parseKerberos(AS_REQ, -1, 5), null);
});

// ---------------------------------------------------------------------------
// NTP

function ntp(b0: number, stratum: number, poll: number, precision: number, refId: number[], refSec: number, xmtSec: number, xmtFrac = 0): Uint8Array {
  const b = new Uint8Array(48);
  const dv = new DataView(b.buffer);
  b[0] = b0;
  b[1] = stratum;
  dv.setInt8(2, poll);
  dv.setInt8(3, precision);
  b.set(refId, 12);
  dv.setUint32(16, refSec);
  dv.setUint32(40, xmtSec);
  dv.setUint32(44, xmtFrac);
  return b;
}
const UNIX = 2208988800;
const T = 1700000000;

test('NTP client and server headers', () => {
  const errs = new DecodeErrors();
  const client = ntp(0xe3, 0, 6, -20, [0, 0, 0, 0], 0, T + UNIX, 0x80000000);
  assert.equal(parseNtp(client, 0, 48, errs), {
    version: 4,
    mode: 3,
    leap: 3,
    stratum: 0,
    poll: 6,
    precision: -20,
    refId: '',
    refTimestamp: null,
    transmitTimestamp: T + 0.5,
  });
  const gps = ntp(0x24, 1, 4, -23, [0x47, 0x50, 0x53, 0], T - 10 + UNIX, T + UNIX);
  assert.equal(parseNtp(gps, 0, 48, errs), {
    version: 4,
    mode: 4,
    leap: 0,
    stratum: 1,
    poll: 4,
    precision: -23,
    refId: 'GPS',
    refTimestamp: T - 10,
    transmitTimestamp: T,
  });
  const s3 = ntp(0x1c, 3, 10, -18, [192, 0, 2, 1], T - 100 + UNIX, T + UNIX);
  const m = parseNtp(s3, 0, 48, errs);
  assert.is(m?.version, 3);
  assert.is(m?.mode, 4);
  assert.is(m?.refId, '192.0.2.1');
  // kiss code
  const kod = ntp(0xe4, 0, 0, 0, [...Buffer.from('RATE')], 0, 0);
  assert.is(parseNtp(kod, 0, 48)?.refId, 'RATE');
  assert.is(parseNtp(kod, 0, 48)?.transmitTimestamp, null);
  // era 1 (after 2036-02-07)
  const era1 = ntp(0x24, 2, 6, -20, [10, 0, 0, 1], 0x00001000, 0x00001000);
  assert.is(parseNtp(era1, 0, 48)?.transmitTimestamp, 0x100000000 + 0x1000 - UNIX);
  // extension fields / MAC after the header are ignored
  const withMac = new Uint8Array(68);
  withMac.set(gps);
  assert.is(parseNtp(withMac, 0, 68)?.refId, 'GPS');
  assert.equal(errs.toObject(), {});
});

test('NTP control and private modes: version and mode only', () => {
  const errs = new DecodeErrors();
  const ctl = new Uint8Array(12);
  ctl[0] = 0x16; // v2 mode 6
  ctl[1] = 0x02; // read variables
  assert.equal(parseNtp(ctl, 0, 12, errs), {
    version: 2,
    mode: 6,
    leap: 0,
    stratum: 0,
    poll: 0,
    precision: 0,
    refId: '',
    refTimestamp: null,
    transmitTimestamp: null,
  });
  const priv = Uint8Array.from([0x17, 0x00, 0x03, 0x2a, 0, 0, 0, 0]);
  assert.is(parseNtp(priv, 0, 8, errs)?.mode, 7);
  assert.equal(errs.toObject(), {});
  assert.is(parseNtp(priv, 0, 7, errs), null);
});

test('NTP: malformations and truncations', () => {
  const errs = new DecodeErrors();
  const good = ntp(0x23, 2, 6, -20, [10, 0, 0, 1], 0, T + UNIX);
  for (let n = 0; n < 48; n++) assert.is(parseNtp(good, 0, n, errs), null);
  const v0 = Uint8Array.from(good);
  v0[0] = 0x03;
  assert.is(parseNtp(v0, 0, 48, errs), null);
  const v5 = Uint8Array.from(good);
  v5[0] = 0x2b;
  assert.is(parseNtp(v5, 0, 48, errs), null);
  const m0 = Uint8Array.from(good);
  m0[0] = 0x20;
  assert.is(parseNtp(m0, 0, 48, errs), null);
  assert.is(parseNtp(good, 1, 48, errs), null);
  const c = errs.toObject() as Record<string, number>;
  assert.is(c['ntp.truncated'], 49);
  assert.is(c['ntp.bad_version'], 2);
  assert.is(c['ntp.bad_mode'], 1);
  let seed = 11;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  for (let i = 0; i < 2000; i++) {
    const b = new Uint8Array(rnd() % 80);
    for (let j = 0; j < b.length; j++) b[j] = rnd();
    const m = parseNtp(b, 0, b.length, errs);
    if (m) {
      assert.ok(m.version >= 1 && m.version <= 4);
      assert.ok(m.mode >= 1 && m.mode <= 7);
    }
  }
});

// ---------------------------------------------------------------------------
// Real captures

/** tshark's "Mon D, YYYY HH:MM:SS.nnnnnnnnn UTC" as whole Unix seconds; null for NULL / empty. */
function tsharkTime(s: string): number | null {
  const m = /^(\w{3}) +(\d+), (\d+) (\d\d):(\d\d):(\d\d)/.exec(s);
  if (!m) return null;
  const mon = 'JanFebMarAprMayJunJulAugSepOctNovDec'.indexOf(m[1]!) / 3;
  return Date.UTC(Number(m[3]), mon, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6])) / 1000;
}

/** Ours as tshark's whole seconds when within a second of them (a fraction near 1 rounds up in a double). */
function near(ours: number | null, theirs: number | null): number | null {
  if (ours === null || theirs === null) return ours;
  return Math.abs(ours - theirs) <= 1 ? theirs : Math.floor(ours);
}

if (!haveShared()) {
  skip('../shared/captures is absent: real Kerberos / NTP captures not parsed');
} else {
  const withTshark = haveTool('tshark');
  if (!withTshark) skip('tshark is not installed: Kerberos / NTP fields not compared');

  test('real captures: Kerberos on port 88 (and tshark fields when installed)', async () => {
    const files = [...listShared('zeek/krb', /\.pcap(ng)?$/), ...listShared('tcpdump', /^(kerberos.*|afs)\.pcap(ng)?$/)];
    assert.ok(files.length > 0, 'no Kerberos capture');
    let parsed = 0;
    let compared = 0;
    const diffs: string[] = [];
    for (const file of files) {
      const ours = new Map<number, KerberosMessage>();
      const errs = new DecodeErrors();
      await decodedFrames(file, (n, v) => {
        if (v.isFragment || (v.srcPort !== 88 && v.dstPort !== 88)) return;
        let m: KerberosMessage | null = null;
        if (v.proto === IPPROTO_UDP) m = parseKerberos(v.buf, v.payloadOff, v.payloadLen, errs);
        else if (v.proto === IPPROTO_TCP && v.payloadLen > 0) m = parseKerberosTcp(v.buf, v.payloadOff, v.payloadLen, errs);
        if (m) {
          parsed++;
          ours.set(n, m);
        }
      });
      if (!withTshark) continue;
      const name = file.slice(sharedCaptures.length + 1);
      const rows = tsharkByFrame(file, 'kerberos && (udp.port == 88 || tcp.port == 88)', [
        'kerberos.msg_type',
        'kerberos.realm',
        'kerberos.CNameString',
        'kerberos.SNameString',
        'kerberos.error_code',
      ]);
      for (const [n, [types = '', realm = '', cname = '', sname = '', code = '']] of rows) {
        const type = types.split(',')[0]!; // a TGS-REQ lists its padata AP-REQ's type (14) after its own
        if (![10, 11, 12, 13, 30].includes(Number(type))) continue;
        compared++;
        const o = ours.get(n);
        if (!o) {
          diffs.push(`${name} frame ${n}: tshark type ${type}, nps nothing`);
          continue;
        }
        // tshark's realm lists every Realm field (request realm, ticket realm, error realm) and the names their components
        const realms = realm ? realm.split(',') : [];
        const mine = [String(o.msgType), o.clientName?.replaceAll('/', ',') ?? '', o.serverName?.replaceAll('/', ',') ?? '', o.errorCode === undefined ? '' : String(o.errorCode)];
        const theirs = [type, cname, sname, code];
        // a TGS-REQ's padata AP-REQ carries a ticket whose sname tshark lists before the request's own
        const ends = (t: string, m: string): boolean => t === m || (m !== '' && t.endsWith(',' + m));
        const same = mine[0] === theirs[0] && ends(theirs[1]!, mine[1]!) && ends(theirs[2]!, mine[2]!) && mine[3] === theirs[3];
        if (!same || (o.realm !== null && !realms.includes(o.realm))) {
          diffs.push(`${name} frame ${n}: tshark ${JSON.stringify([...theirs, realm])}, nps ${JSON.stringify([...mine, o.realm])}`);
        }
      }
    }
    process.stdout.write(`# kerberos: ${parsed} messages parsed, ${compared} compared with tshark\n`);
    assert.ok(parsed > 0, 'no Kerberos message parsed');
    assert.equal(diffs, []);
  });

  test('real captures: NTP (and tshark fields when installed)', async () => {
    const files = [...listShared('zeek/ntp', /\.pcap(ng)?$/), ...listShared('tcpdump', /^ntp.*\.pcap(ng)?$/)];
    assert.ok(files.length > 0, 'no NTP capture');
    let parsed = 0;
    let compared = 0;
    const diffs: string[] = [];
    for (const file of files) {
      const ours = new Map<number, NtpMessage>();
      const errs = new DecodeErrors();
      await decodedFrames(file, (n, v) => {
        if (v.proto !== IPPROTO_UDP || v.isFragment || (v.srcPort !== 123 && v.dstPort !== 123)) return;
        const m = parseNtp(v.buf, v.payloadOff, v.payloadLen, errs);
        if (m) {
          parsed++;
          ours.set(n, m);
        }
      });
      if (!withTshark) continue;
      const name = file.slice(sharedCaptures.length + 1);
      const rows = tsharkByFrame(file, 'ntp', ['ntp.flags.vn', 'ntp.flags.mode', 'ntp.flags.li', 'ntp.stratum', 'ntp.ppoll', 'ntp.precision', 'ntp.refid', 'ntp.reftime', 'ntp.xmt']);
      for (const [n, [vn = '', mode = '', li = '', stratum = '', ppoll = '', prec = '', refid = '', reftime = '', xmt = '']] of rows) {
        if (!vn || !mode) continue;
        compared++;
        const o = ours.get(n);
        if (!o) {
          diffs.push(`${name} frame ${n}: tshark v${vn} mode ${mode}, nps nothing`);
          continue;
        }
        let theirs: unknown[] = [Number(vn), Number(mode)];
        let mine: unknown[] = [o.version, o.mode];
        if (o.mode <= 5) {
          let ref = '';
          if (Number(stratum) <= 1) ref = Buffer.from(refid, 'hex').toString('latin1').replace(/\0+$/, '');
          else ref = (refid.match(/../g) ?? []).map((h) => parseInt(h, 16)).join('.');
          theirs = [...theirs, Number(li), Number(stratum), Number(ppoll), Number(prec), ref, tsharkTime(reftime), tsharkTime(xmt)];
          mine = [
            ...mine,
            o.leap,
            o.stratum,
            o.poll & 255,
            o.precision & 255,
            o.refId,
            near(o.refTimestamp, tsharkTime(reftime)),
            near(o.transmitTimestamp, tsharkTime(xmt)),
          ];
        }
        if (JSON.stringify(mine) !== JSON.stringify(theirs)) diffs.push(`${name} frame ${n}: tshark ${JSON.stringify(theirs)}, nps ${JSON.stringify(mine)}`);
      }
    }
    process.stdout.write(`# ntp: ${parsed} messages parsed, ${compared} compared with tshark\n`);
    assert.ok(parsed > 0, 'no NTP message parsed');
    assert.equal(diffs.slice(0, 20), []);
  });
}

test.run();
