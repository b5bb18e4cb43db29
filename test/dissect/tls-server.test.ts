/**
 * TLS server flight parser: hand-built ServerHellos (TLS 1.2, TLS 1.3 with
 * supported_versions, ALPN, HelloRetryRequest), flights split over records
 * in every way, hand-built DER certificates (UTCTime / GeneralizedTime, SAN
 * DNS and IP names, multi-valued RDNs, BMPString), a real flight as a
 * fixture, `needMore` checked against every truncation of it, seeded random
 * bytes, and a differential test against tshark on the shared TLS captures
 * (per TCP stream: ServerHello cipher suite, first certificate's subject CN,
 * SAN DNS names, issuer CN, serial and validity).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { parseTlsServerFlight, parseCertificate, MAX_HANDSHAKE, type TlsServerFlight } from '../../src/dissect/tls-server.js';
import { IPPROTO_TCP } from '../../src/decode/view.js';
import { haveShared, haveTool, sharedCaptures, skip } from '../helpers/skip.js';
import { decodedFrames, listShared } from '../helpers/real-captures.js';
import { has, recorder } from '../helpers/dissect-context.js';
import { tlsDissector } from '../../src/dissect/tls.js';
import { Verdict } from '../../src/dissect/types.js';

class Counter {
  counts = new Map<string, number>();
  count(reason: string, n = 1): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + n);
  }
}

// ---------------------------------------------------------------------------
// Builders

const u16b = (v: number): number[] => [(v >> 8) & 255, v & 255];
const u24b = (v: number): number[] => [(v >> 16) & 255, (v >> 8) & 255, v & 255];
const ascii = (s: string): number[] => [...Buffer.from(s, 'latin1')];
const fromHex = (h: string): number[] => [...Buffer.from(h.replace(/[^0-9a-f]/gi, ''), 'hex')];

/** DER TLV with a definite length. */
function der(tag: number, v: number[]): number[] {
  const l = v.length;
  const len = l < 128 ? [l] : l < 256 ? [0x81, l] : l < 65536 ? [0x82, l >> 8, l & 255] : [0x83, l >> 16, (l >> 8) & 255, l & 255];
  return [tag, ...len, ...v];
}
const seq = (...x: number[][]): number[] => der(0x30, x.flat());
const set = (...x: number[][]): number[] => der(0x31, x.flat());
function oid(s: string): number[] {
  const a = s.split('.').map(Number);
  const out = [a[0]! * 40 + a[1]!];
  for (const v of a.slice(2)) {
    const b = [v & 127];
    for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128)) b.unshift((x & 127) | 128);
    out.push(...b);
  }
  return der(6, out);
}
const CN = '2.5.4.3';
const O = '2.5.4.10';
const OU = '2.5.4.11';
const C = '2.5.4.6';
const L = '2.5.4.7';
const ST = '2.5.4.8';
type Atv = [string, number, number[]]; // attribute oid, string tag, value bytes
const atv = (t: string, v: string, tag = 0x0c): Atv => [t, tag, ascii(v)];
/** Name from RDNs (outermost first), each RDN a list of attributes. */
const nameDer = (rdns: Atv[][]): number[] => seq(...rdns.map((r) => set(...r.map(([o, tag, v]) => seq(oid(o), der(tag, v))))));

interface CertSpec {
  serial?: number[];
  issuer: Atv[][];
  subject: Atv[][];
  notBefore?: number[];
  notAfter?: number[];
  san?: number[][];
  critical?: boolean;
  noVersion?: boolean;
}

function certDer(c: CertSpec): number[] {
  const alg = seq(oid('1.2.840.113549.1.1.11'), [5, 0]);
  const exts: number[][] = [seq(oid('2.5.29.19'), der(4, seq()))];
  if (c.san) exts.push(seq(oid('2.5.29.17'), ...(c.critical ? [[1, 1, 0xff]] : []), der(4, seq(...c.san))));
  const tbs = seq(
    ...(c.noVersion ? [] : [der(0xa0, der(2, [2]))]),
    der(2, c.serial ?? [0x01, 0x02]),
    alg,
    nameDer(c.issuer),
    seq(c.notBefore ?? der(0x17, ascii('240101000000Z')), c.notAfter ?? der(0x17, ascii('491231235959Z'))),
    nameDer(c.subject),
    seq(seq(oid('1.2.840.10045.2.1'), oid('1.2.840.10045.3.1.7')), der(3, [0, 4, 1, 2, 3])),
    der(0xa3, seq(...exts)),
  );
  return seq(tbs, alg, der(3, [0, 9, 9, 9]));
}

type Ext = [number, number[]];
function serverHello(o: { version?: number; cipher?: number; sid?: number; exts?: Ext[] | null; random?: number[] } = {}): number[] {
  const body = [
    ...u16b(o.version ?? 0x0303),
    ...(o.random ?? new Array<number>(32).fill(0x42)),
    o.sid ?? 32,
    ...new Array<number>(o.sid ?? 32).fill(0x33),
    ...u16b(o.cipher ?? 0xc02f),
    0,
  ];
  if (o.exts !== null) {
    const e = (o.exts ?? []).flatMap(([t, d]) => [...u16b(t), ...u16b(d.length), ...d]);
    body.push(...u16b(e.length), ...e);
  }
  return [2, ...u24b(body.length), ...body];
}
const certificateMsg = (certs: number[][]): number[] => {
  const list = certs.flatMap((c) => [...u24b(c.length), ...c]);
  return [11, ...u24b(list.length + 3), ...u24b(list.length), ...list];
};
const helloDone = (): number[] => [14, 0, 0, 0];
/** The handshake bytes as records of at most `size` bytes each. */
function records(hs: number[], size = 16384, type = 22): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < hs.length; i += size) {
    const f = hs.slice(i, i + size);
    out.push(type, 3, 3, ...u16b(f.length), ...f);
  }
  return Uint8Array.from(out);
}
const cat = (...a: (Uint8Array | number[])[]): Uint8Array => Uint8Array.from(a.flatMap((x) => [...x]));

const LEAF: CertSpec = {
  serial: [0x00, 0x99, 0xfa],
  issuer: [[atv(C, 'US', 0x13)], [atv(O, 'Example CA', 0x13)], [atv(CN, 'Example Issuing CA 1', 0x13)]],
  subject: [[atv(C, 'DE', 0x13)], [atv(ST, 'Berlin')], [atv(L, 'Berlin')], [atv(O, 'Shop, Inc.')], [atv(OU, 'Web'), atv(OU, 'Ops')], [atv(CN, 'www.example.org')]],
  san: [der(0x82, ascii('www.example.org')), der(0x82, ascii('example.org')), der(0x87, [192, 0, 2, 7]), der(0x87, fromHex('20010db8000000000000000000000001')), der(0x81, ascii('a@b.c'))],
};

// ---------------------------------------------------------------------------
// Certificates

test('parseCertificate: names, serial, validity, SAN DNS and IP, not self-signed', () => {
  const b = Uint8Array.from(certDer(LEAF));
  const c = new Counter();
  const x = parseCertificate(b, 0, b.length, c)!;
  assert.ok(x);
  assert.is(x.length, b.length);
  assert.is(x.serial, '99fa');
  assert.is(x.subjectCN, 'www.example.org');
  assert.is(x.subjectO, 'Shop, Inc.');
  assert.is(x.subject, 'CN=www.example.org,OU=Web+OU=Ops,O=Shop\\, Inc.,L=Berlin,ST=Berlin,C=DE');
  assert.is(x.issuer, 'CN=Example Issuing CA 1,O=Example CA,C=US');
  assert.is(x.issuerCN, 'Example Issuing CA 1');
  assert.is(x.issuerO, 'Example CA');
  assert.is(x.notBefore, '2024-01-01T00:00:00Z');
  assert.is(x.notAfter, '2049-12-31T23:59:59Z');
  assert.equal(x.sanDns, ['www.example.org', 'example.org']);
  assert.equal(x.sanIp, ['192.0.2.7', '2001:db8::1']);
  assert.is(x.selfSigned, false);
  assert.is(c.counts.size, 0);
});

test('parseCertificate: self-signed, v1 (no version), GeneralizedTime, UTCTime before 2000, critical SAN, BMPString', () => {
  const name: Atv[][] = [[['2.5.4.3', 0x1e, [0, 0x41, 0x00, 0xe9, 0x26, 0x3a]]], [atv('0.9.2342.19200300.100.1.25', 'corp', 0x16)]];
  const b = Uint8Array.from(
    certDer({
      issuer: name,
      subject: name,
      noVersion: true,
      notBefore: der(0x18, ascii('19991231235959.123Z')),
      notAfter: der(0x17, ascii('5001010000Z')),
      san: [der(0x82, ascii('*.corp')), der(0x87, [1, 2, 3])],
      critical: true,
    }),
  );
  const x = parseCertificate(b, 0, b.length)!;
  assert.is(x.selfSigned, true);
  assert.is(x.subjectCN, 'A\\xc3\\xa9\\xe2\\x98\\xba');
  assert.is(x.subject, 'DC=corp,CN=A\\xc3\\xa9\\xe2\\x98\\xba');
  assert.is(x.notBefore, '1999-12-31T23:59:59Z');
  assert.is(x.notAfter, '1950-01-01T00:00:00Z');
  assert.equal(x.sanDns, ['*.corp']);
  assert.equal(x.sanIp, ['010203']);
  // a time with an offset, and an unreadable time
  const y = Uint8Array.from(certDer({ ...LEAF, notBefore: der(0x18, ascii('20240101120000+0130')), notAfter: der(0x17, ascii('24x101000000Z')) }));
  const z = parseCertificate(y, 0, y.length)!;
  assert.is(z.notBefore, '2024-01-01T10:30:00Z');
  assert.is(z.notAfter, null);
});

test('parseCertificate: not a certificate, truncations and RFC 4514 specials', () => {
  const c = new Counter();
  assert.is(parseCertificate(Uint8Array.from([1, 2, 3]), 0, 3, c), null);
  assert.is(parseCertificate(Uint8Array.from(seq(der(2, [1]))), 0, 5, c), null);
  assert.is(c.counts.get('tls.bad_certificate'), 2);
  const b = Uint8Array.from(certDer(LEAF));
  for (let n = 0; n < b.length; n++) {
    assert.is(parseCertificate(b, 0, n), null, `length ${n}`); // the outer SEQUENCE is cut
    parseCertificate(b.subarray(0, n), 0, b.length);
    parseCertificate(b, n, b.length - n);
  }
  const s = Uint8Array.from(certDer({ ...LEAF, subject: [[atv(CN, '#a+b=c;"x"<y> \\ ')]] }));
  assert.is(parseCertificate(s, 0, s.length)!.subject, 'CN=\\#a\\+b\\=c\\;\\"x\\"\\<y\\> \\x5c\\ ');
  // long names are bounded
  const long = Uint8Array.from(certDer({ ...LEAF, subject: Array.from({ length: 100 }, () => [atv(CN, 'x'.repeat(200))]), san: Array.from({ length: 300 }, () => der(0x82, ascii('a.b'))) }));
  const cc = new Counter();
  const l = parseCertificate(long, 0, long.length, cc)!;
  assert.ok(l.subject.length <= 1024 && l.subject.length > 1000);
  const huge = Uint8Array.from(certDer({ ...LEAF, subject: [[atv(CN, 'y'.repeat(3000))]] }));
  const h = parseCertificate(huge, 0, huge.length)!;
  assert.is(h.subject, 'CN=' + 'y'.repeat(1021));
  assert.is(h.subjectCN, 'y'.repeat(1024));
  assert.is(l.sanDns.length, 256);
  assert.is(cc.counts.get('tls.too_many'), 2);
});

// ---------------------------------------------------------------------------
// Flights

test('TLS 1.2 flight: ServerHello + Certificate + ServerHelloDone, one record or many', () => {
  const leaf = certDer(LEAF);
  const ca = certDer({ issuer: LEAF.issuer, subject: LEAF.issuer });
  const hs = [...serverHello({ exts: [[0xff01, [0]], [16, [0, 3, 2, 0x68, 0x32]], [11, [1, 0]]] }), ...certificateMsg([leaf, ca]), ...helloDone()];
  for (const size of [16384, 700, 100, 7, 1]) {
    const b = records(hs, size);
    const c = new Counter();
    const f = parseTlsServerFlight(b, 0, b.length, c)!;
    assert.ok(f, `size ${size}`);
    assert.is(f.recordVersion, 0x0303);
    assert.equal(f.serverHello, {
      version: 0x0303,
      selectedVersion: null,
      cipherSuite: 0xc02f,
      compression: 0,
      extensions: [0xff01, 16, 11],
      alpn: 'h2',
      sessionId: '33'.repeat(32),
      helloRetryRequest: false,
    });
    assert.is(f.tls13, false);
    assert.is(f.certificatesEncrypted, false);
    assert.is(f.certificates.length, 2);
    assert.is(f.certificateCount, 2);
    assert.is(f.certificates[0]!.subjectCN, 'www.example.org');
    assert.is(f.certificates[1]!.selfSigned, true);
    assert.equal(f.handshakeTypes, [2, 11]);
    assert.is(f.complete, true);
    assert.is(f.needMore, 0);
    assert.is(c.counts.size, 0);
  }
  // several messages in one record, then CCS: only the records before it count
  const b = cat(records(hs), [20, 3, 3, 0, 1, 1], records([1, 2, 3, 4]));
  assert.is(parseTlsServerFlight(b, 0, b.length)!.certificates.length, 2);
});

test('TLS 1.3: supported_versions, certificates encrypted, complete at once', () => {
  const hs = serverHello({ version: 0x0303, cipher: 0x1301, exts: [[43, [3, 4]], [51, new Array<number>(36).fill(1)]] });
  const b = cat(records(hs), [20, 3, 3, 0, 1, 1], [23, 3, 3, 0, 4, 9, 9, 9, 9]);
  const f = parseTlsServerFlight(b, 0, b.length)!;
  assert.is(f.serverHello!.selectedVersion, 0x0304);
  assert.equal(f.serverHello!.extensions, [43, 51]);
  assert.is(f.tls13, true);
  assert.is(f.certificatesEncrypted, true);
  assert.equal(f.certificates, []);
  assert.is(f.complete, true);
  assert.is(f.needMore, 0);
  // the ServerHello alone is enough
  const g = parseTlsServerFlight(records(hs), 0, 1000)!;
  assert.is(g.complete, true);
  assert.is(g.needMore, 0);
  // a draft version in the legacy field (TLS 1.3 draft 16)
  const draft = [2, 0, 0, 42, 0x7f, 0x10, ...new Array<number>(32).fill(7), 0x13, 0x01, 0, 4, 0, 40, 0, 0];
  const d = parseTlsServerFlight(records(draft), 0, 1000)!;
  assert.is(d.tls13, true);
  assert.is(d.serverHello!.cipherSuite, 0x1301);
  assert.equal(d.serverHello!.extensions, [40]);
  // HelloRetryRequest
  const hrr = [...createHash('sha256').update('HelloRetryRequest').digest()];
  assert.is(parseTlsServerFlight(records(serverHello({ random: hrr, exts: [[43, [3, 4]]] })), 0, 1000)!.serverHello!.helloRetryRequest, true);
});

test('resumption (ServerHello then CCS), alert, not TLS', () => {
  const b = cat(records(serverHello({ exts: null })), [20, 3, 3, 0, 1, 1]);
  const f = parseTlsServerFlight(b, 0, b.length)!;
  assert.is(f.serverHello!.extensions.length, 0);
  assert.is(f.complete, true);
  assert.is(f.needMore, 0);
  assert.equal(f.certificates, []);
  const a = parseTlsServerFlight(Uint8Array.from([21, 3, 3, 0, 2, 2, 40]), 0, 7)!;
  assert.equal(a.alert, [2, 40]);
  assert.is(a.serverHello, null);
  assert.is(a.complete, false);
  assert.is(a.needMore, 0);
  assert.is(parseTlsServerFlight(Uint8Array.from(ascii('HTTP/1.1 200 OK\r\n')), 0, 17), null);
  assert.is(parseTlsServerFlight(Uint8Array.from([22, 2, 0, 0, 1, 2]), 0, 6), null);
  assert.is(parseTlsServerFlight(Uint8Array.from([22, 3, 3, 0]), 0, 4), null);
  const c = new Counter();
  const x = cat(records(serverHello()), [99, 3, 3, 0, 0]);
  assert.is(parseTlsServerFlight(x, 0, x.length, c)!.complete, true);
  assert.is(c.counts.get('tls.bad_record'), 1);
  // a malformed ServerHello
  const bad = records([2, 0, 0, 5, 3, 3, 0, 0, 0]);
  const c2 = new Counter();
  assert.is(parseTlsServerFlight(bad, 0, bad.length, c2)!.serverHello, null);
  assert.is(c2.counts.get('tls.bad_server_hello'), 1);
});

test('a warning alert before the ServerHello (unrecognized_name) does not end the flight', () => {
  // tls-early-alert.pcap: the server answers a ClientHello whose SNI it does not
  // know with a warning alert (1, 112), then its usual flight.
  const hs = [...serverHello(), ...certificateMsg([certDer(LEAF)]), ...helloDone()];
  const warn = [21, 3, 3, 0, 2, 1, 112];
  const b = cat(warn, records(hs, 700));
  const f = parseTlsServerFlight(b, 0, b.length)!;
  assert.equal(f.alert, [1, 112]);
  assert.is(f.serverHello!.cipherSuite, 0xc02f);
  assert.is(f.certificates[0]!.subjectCN, 'www.example.org');
  assert.is(f.complete, true);
  assert.is(f.needMore, 0);
  // cut inside the alert, or right after it: more is asked for
  for (const n of [6, 7]) {
    const g = parseTlsServerFlight(b, 0, n)!;
    assert.is(g.complete, false, `cut at ${n}`);
    assert.ok(g.needMore >= 7 - n + 9, `cut at ${n}: needMore ${g.needMore}`);
  }
  // a fatal alert or close_notify still ends it
  for (const a of [[2, 112], [1, 0]]) {
    const x = cat([21, 3, 3, 0, 2, ...a], records(hs));
    const h = parseTlsServerFlight(x, 0, x.length)!;
    assert.equal(h.alert, a);
    assert.is(h.serverHello, null);
    assert.is(h.needMore, 0);
  }
  // the dissector reads the certificate of such a flight
  const ctx = recorder(false);
  const v = tlsDissector.dissect(Buffer.from(b), 0, b.length, ctx);
  assert.is(v, Verdict.Done);
  assert.ok(has(ctx.obs, 'src', 'cert_subject', f.certificates[0]!.subject), JSON.stringify(ctx.obs));
  assert.ok(has(ctx.obs, 'src', 'hostname', 'www.example.org'));
  // a client never starts with an alert
  assert.is(tlsDissector.dissect(Buffer.from(b), 0, b.length, recorder(true)), Verdict.NotMine);
});

test('needMore: the Certificate message length is known once its header arrived', () => {
  const leaf = certDer(LEAF);
  const hs = [...serverHello(), ...certificateMsg([leaf, leaf, leaf]), ...helloDone()];
  const b = records(hs, 300);
  const full = parseTlsServerFlight(b, 0, b.length)!;
  assert.is(full.certificates.length, 3);
  // wire offset where the Certificate message ends
  const shLen = serverHello().length;
  const certEndHs = shLen + certificateMsg([leaf, leaf, leaf]).length;
  const certEndWire = certEndHs + Math.ceil(certEndHs / 300) * 5;
  let exact = 0;
  for (let n = 0; n <= b.length; n++) {
    const f = parseTlsServerFlight(b, 0, n);
    if (n < 5) {
      assert.is(f, null);
      continue;
    }
    assert.ok(f, `length ${n}`);
    if (n >= certEndWire) {
      assert.is(f.certificates.length, 3, `length ${n}`);
      assert.is(f.needMore, 0);
      assert.is(f.complete, true);
    } else {
      assert.is(f.complete, false, `length ${n}`);
      assert.ok(f.needMore > 0, `length ${n}`);
      assert.ok(n + f.needMore <= certEndWire, `length ${n}: ${n} + ${f.needMore} > ${certEndWire}`);
      if (n + f.needMore === certEndWire) exact++;
      // whole entries of a partial Certificate message are returned already
      assert.ok(f.certificates.length <= 3);
    }
  }
  assert.ok(exact > 200, `exact needMore for ${exact} lengths`);
  const mid = parseTlsServerFlight(b, 0, certEndWire - 10)!;
  assert.is(mid.certificates.length, 2);
  assert.is(mid.certificateCount, null);
});

test('the handshake stream is capped at 64 KiB', () => {
  const leaf = certDer(LEAF);
  const many = new Array<number[]>(200).fill(leaf);
  const b = records([...serverHello(), ...certificateMsg(many)]);
  const c = new Counter();
  const f = parseTlsServerFlight(b, 0, b.length, c)!;
  assert.ok(b.length > MAX_HANDSHAKE);
  assert.is(c.counts.get('tls.handshake_capped'), 1);
  assert.is(f.needMore, 0);
  assert.is(f.complete, false);
  assert.is(f.certificates.length, 16);
  assert.is(c.counts.get('tls.too_many'), 1);
});

// Frame 6 of zeek/tls/x509-generalizedtime.pcap (server 443 -> client 56822, 828 bytes). tshark: ServerHello
// TLS 1.2, session id 32 bytes, cipher TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 (0xc028), extensions renegotiation_info
// and ec_point_formats; Certificate (one, 500 bytes) serial 0x03e8, issuer = subject = CN=bro-generalizedtime-test,
// O=Bro, C=NL, notBefore generalizedTime 2015-09-01 13:33:37 UTC, notAfter 2025-09-01 13:33:37 UTC;
// ServerKeyExchange; ServerHelloDone.
const FLIGHT =
  '1603030059020000550303e50b189c30161fb3ffb56773f9c9c76160c411f0c8d1674df6f09d35ee33d5f0205958763839472fb9d5bce1500b3773d6' +
  '151d078b48f81feb49c7c667e399476fc02800000dff01000100000b00040300010216030301fe0b0001fa0001f70001f4308201f030820159020203' +
  'e8300d06092a864886f70d0101050500303e310b3009060355040613024e4c310c300a060355040a0c0342726f3121301f06035504030c1862726f2d' +
  '67656e6572616c697a656474696d652d746573743022180f32303135303930313133333333375a180f32303235303930313133333333375a303e310b' +
  '3009060355040613024e4c310c300a060355040a0c0342726f3121301f06035504030c1862726f2d67656e6572616c697a656474696d652d74657374' +
  '30819f300d06092a864886f70d010101050003818d0030818902818100e0904338ffe01c427e9504029a0bd31df51060d6be462dd9896aa44c84e958' +
  '564d5217de261df5fdb48578172945f1ecc089ec70d0ec432078e8ab26a32db9d2a2a4e2445050f69e518e631f29f1a5fdb3b321e1c3564cec24b94f' +
  '91b6bbc86c9b6186bdf66ec03571584e6c4f736fceb7000bbdec6775dcb12b877001dcb9d10203010001300d06092a864886f70d0101050500038181' +
  '00dfeceed6e8b2b3b42f4a6f0683564e82dc54e662dac29de45e68f3a66cef1bbc1a5f59ca0c96ac695069b89648e3f781c15ff9435901a580599427' +
  'f92856ac8442fd837b1102a9c4655265843563ee5c3e5996a450ec6f3eaebdd2d2e9a7b46d1d2a287cdeee390907cc27d983a89a7930c3c9d0e4ef70' +
  '3a3879f59ac0376f1f16030300cd0c0000c903001741044da5be36fb97e40a402ed0a5e5a74a22b9cabad3f5c73045e51d3c993c3e2faee4bc3276b9' +
  'bec819d3cdb20d953d4062446cf3824e9238ab0d43e79654c7341105010080393cb89e66006401440034927bd9ca1a5fbf20c2f8f8f9cbdfb7a705ea' +
  '808d0972b1d7b5ea4349953af816ea15dd1dc36c2a569bb5f053666656f9fdf6fc5f82b6c3340e0702266b31f491d4ad042d1e6a7f54174c2d7f4e7e' +
  '890efed8a423b4d086fb2a7972f21b0dfb434a2350fc72a2d1abe5631e864f3733fe09ad47ba2c16030300040e000000';

test('real flight bytes (x509-generalizedtime.pcap) and every truncation', () => {
  const b = Uint8Array.from(fromHex(FLIGHT));
  assert.is(b.length, 828);
  const c = new Counter();
  const f = parseTlsServerFlight(b, 0, b.length, c)!;
  assert.is(f.serverHello!.cipherSuite, 0xc028);
  assert.equal(f.serverHello!.extensions, [0xff01, 11]);
  assert.is(f.certificates.length, 1);
  const x = f.certificates[0]!;
  assert.is(x.serial, '03e8');
  assert.is(x.subject, 'CN=bro-generalizedtime-test,O=Bro,C=NL');
  assert.is(x.issuerCN, 'bro-generalizedtime-test');
  assert.is(x.selfSigned, true);
  assert.is(x.notBefore, '2015-09-01T13:33:37Z');
  assert.is(x.notAfter, '2025-09-01T13:33:37Z');
  assert.is(x.length, 500);
  assert.is(f.complete, true);
  assert.is(c.counts.size, 0);
  const certEnd = 5 + 89 + 5 + 510;
  for (let n = 0; n < b.length; n++) {
    const g = parseTlsServerFlight(b, 0, n, c);
    parseTlsServerFlight(b.subarray(0, n), 0, b.length, c);
    parseTlsServerFlight(b, n, b.length, c);
    if (n < 5) continue;
    assert.ok(g);
    if (n < certEnd) {
      assert.ok(g.needMore > 0 && n + g.needMore <= certEnd, `length ${n}`);
      assert.equal(g.certificates, []);
    } else assert.is(g.certificates.length, 1);
  }
  assert.is(c.counts.size, 0);
});

test('random and mutated bytes never throw; outputs bounded', () => {
  let seed = 777;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 16;
  };
  const c = new Counter();
  const check = (f: TlsServerFlight | null): void => {
    if (!f) return;
    assert.ok(f.certificates.length <= 16 && f.handshakeTypes.length <= 64 && f.needMore >= 0);
    for (const x of f.certificates) assert.ok(x.subject.length <= 1024 && x.issuer.length <= 1024 && x.sanDns.length + x.sanIp.length <= 256);
  };
  for (let i = 0; i < 3000; i++) {
    const b = new Uint8Array(rnd() % 900);
    for (let j = 0; j < b.length; j++) b[j] = rnd() & 255;
    if (b.length > 6) {
      b[0] = 22;
      b[1] = 3;
      b[5] = i & 1 ? 2 : 11;
    }
    check(parseTlsServerFlight(b, 0, b.length, c));
    parseTlsServerFlight(b, rnd() % 10, rnd() % 1000, c);
    parseCertificate(b, 0, b.length, c);
  }
  const good = [Uint8Array.from(fromHex(FLIGHT)), records([...serverHello({ exts: [[16, [0, 3, 2, 0x68, 0x32]], [43, [3, 3]]] }), ...certificateMsg([certDer(LEAF)])], 200)];
  for (const g of good) {
    for (let i = 0; i < 5000; i++) {
      const b = Uint8Array.from(g);
      for (let k = 0; k < 3; k++) b[rnd() % b.length] = rnd() & 255;
      check(parseTlsServerFlight(b, 0, b.length, c));
    }
  }
  const cert = Uint8Array.from(certDer(LEAF));
  for (let i = 0; i < 5000; i++) {
    const b = Uint8Array.from(cert);
    for (let k = 0; k < 2; k++) b[rnd() % b.length] = rnd() & 255;
    parseCertificate(b, 0, b.length, c);
  }
  assert.is(parseTlsServerFlight(good[0]!, -1, 10), null);
  assert.is(parseTlsServerFlight(good[0]!, 0, NaN), null);
  assert.is(parseCertificate(cert, -1, 10, c), null);
});

// ---------------------------------------------------------------------------
// Real captures, compared with tshark.

interface PNode {
  name: string;
  show: string;
  kids: PNode[];
}

const ENT: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };
const unxml = (s: string): string =>
  s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => (e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : (ENT[e] ?? m)));

/** tshark's PDML as a tree of packets (field / proto nesting kept). */
function pdml(file: string, filter: string): PNode[] {
  let out = '';
  try {
    out = execFileSync('tshark', ['-r', file, '-Y', filter, '-T', 'pdml'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 512 * 1024 * 1024 });
  } catch (e) {
    out = (e as { stdout?: string }).stdout ?? '';
  }
  const root: PNode = { name: '', show: '', kids: [] };
  const stack: PNode[] = [root];
  const re = /<(\/?)(packet|proto|field)\b([^>]*?)(\/?)>/g;
  for (let m = re.exec(out); m; m = re.exec(out)) {
    if (m[1]) {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const attr = (k: string): string => unxml(new RegExp(`\\b${k}="([^"]*)"`).exec(m![3]!)?.[1] ?? '');
    const n: PNode = { name: m[2] === 'packet' ? '#packet' : attr('name'), show: attr('show'), kids: [] };
    stack[stack.length - 1]!.kids.push(n);
    if (!m[4]) stack.push(n);
  }
  return root.kids;
}

function find(n: PNode, name: string): PNode | null {
  const todo = [n];
  while (todo.length) {
    const x = todo.shift()!;
    if (x.name === name) return x;
    todo.unshift(...x.kids);
  }
  return null;
}
function all(n: PNode, name: string, out: PNode[] = []): PNode[] {
  const todo = [n];
  while (todo.length) {
    const x = todo.shift()!;
    if (x.name === name) out.push(x);
    todo.unshift(...x.kids);
  }
  return out;
}

/** tshark's view of a frame: ServerHello cipher suite, first certificate's names, serial, validity and SAN DNS names. */
interface Theirs {
  cipher: number | null;
  cn: string | null;
  issuerCN: string | null;
  serial: string | null;
  validity: string[];
  dns: string[] | null;
}

/** The first CN value under a Name node ('' when it has none). */
function cnOf(nameNode: PNode): string {
  for (const atvNode of all(nameNode, 'x509if.RelativeDistinguishedName_item_element')) {
    if (find(atvNode, 'x509if.oid')?.show !== '2.5.4.3') continue;
    // the first leaf after the oid holds the string value
    const todo = [...atvNode.kids];
    while (todo.length) {
      const x = todo.shift()!;
      if (x.kids.length === 0 && x.name !== 'x509if.oid') return x.show;
      todo.unshift(...x.kids);
    }
  }
  return '';
}

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';
/** tshark's "2011-05-04 00:00:00 (UTC)" or "Sep  1, 2015 13:33:37.000000000 UTC" as ISO 8601. */
function isoOf(show: string): string {
  let m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)/.exec(show);
  if (m) return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`;
  m = /^(\w{3}) +(\d+), (\d+) (\d\d):(\d\d):(\d\d)/.exec(show);
  if (m) return `${m[3]!.padStart(4, '0')}-${String(MONTHS.indexOf(m[1]!) / 3 + 1).padStart(2, '0')}-${m[2]!.padStart(2, '0')}T${m[4]}:${m[5]}:${m[6]}Z`;
  return show;
}

function tsharkFrame(p: PNode): Theirs {
  const t: Theirs = { cipher: null, cn: null, issuerCN: null, serial: null, validity: [], dns: null };
  for (const h of all(p, 'tls.handshake')) {
    const type = find(h, 'tls.handshake.type');
    if (type?.show === '2' && t.cipher === null) {
      const cs = find(h, 'tls.handshake.ciphersuite');
      if (cs) t.cipher = Number(cs.show);
    }
  }
  const cert = find(p, 'tls.handshake.certificate');
  if (cert) {
    const subject = find(cert, 'x509af.subject');
    if (subject) t.cn = cnOf(subject);
    const issuer = find(cert, 'x509af.issuer');
    if (issuer) t.issuerCN = cnOf(issuer);
    const serial = find(cert, 'x509af.serialNumber');
    if (serial) {
      t.serial = serial.show.replaceAll(':', '').replace(/^0x/, '');
      if (t.serial.length > 2 && t.serial.startsWith('00')) t.serial = t.serial.slice(2);
    }
    const validity = find(cert, 'x509af.validity_element');
    const times: PNode[] = [];
    if (validity) {
      const todo = [validity];
      while (todo.length) {
        const x = todo.shift()!;
        if (x.name === 'x509af.utcTime' || x.name === 'x509af.generalizedTime') times.push(x);
        todo.unshift(...x.kids);
      }
    }
    t.validity = times.map((x) => isoOf(x.show));
    t.dns = all(cert, 'x509ce.dNSName').map((n) => n.show);
  }
  return t;
}

/** Server→client bytes of each TCP connection direction, concatenated in sequence order; retransmissions dropped, a gap ends the stream. */
interface Dir {
  buf: number[];
  next: number;
  broken: boolean;
  frames: number[];
}

if (!haveShared()) {
  skip('../shared/captures is absent: real TLS captures not parsed');
  test.run();
} else if (!haveTool('tshark')) {
  skip('tshark is not installed: TLS server flights not compared');
  test.run();
} else {
  test('real captures: ServerHello cipher, first certificate CN and SAN DNS names against tshark', async () => {
    const files = [...listShared('zeek/tls', /\.pcap(ng)?$/), ...listShared('zeek', /^(socks-with-ssl|ssl-and-ssh-using-sslh)\.pcap$/), ...listShared('tcpdump', /^(tls|ssl|https).*\.pcap(ng)?$/),
      // found by scanning every shared capture for ServerHello bytes; most of these start TLS inside another protocol
      ...listShared('zeek', /^globus-url-copy.*\.pcap$/),
      ...listShared('zeek/rdp', /^rdp-to-ssl\.pcap$/),
      ...listShared('zeek/tunnels', /^geneve-47101\.pcap$/),
      ...listShared('zeek/http', /^connect-with-header\.pcap$/),
      ...listShared('zeek/mysql', /^tls-1[23]-amazon-rds\.pcap$/),
      ...listShared('zeek/postgresql', /^psql-aws-ssl-(require|preferred)\.pcap$/),
      ...listShared('zeek/ldap', /^ldap-starttls\.pcap$/),
    ];
    assert.ok(files.length > 0, 'no TLS capture');
    let hellos = 0;
    let helloAgree = 0;
    let certs = 0;
    let cnAgree = 0;
    let sanAgree = 0;
    let restAgree = 0;
    let streams = 0;
    let tls13 = 0;
    let notStart = 0;
    const diffs: string[] = [];
    for (const file of files) {
      const dirs = new Map<string, Dir>();
      const frameDir = new Map<number, string>();
      await decodedFrames(file, (n, v) => {
        if (v.proto !== IPPROTO_TCP) return;
        const key = `${v.src4}/${v.src6.join(':')}/${v.srcPort}>${v.dst4}/${v.dst6.join(':')}/${v.dstPort}`;
        frameDir.set(n, key);
        let d = dirs.get(key);
        if (v.tcpFlags & 0x02) {
          d = { buf: [], next: (v.tcpSeq + 1) >>> 0, broken: false, frames: [] };
          dirs.set(key, d);
          return;
        }
        if (v.payloadLen <= 0) return;
        if (!d) {
          d = { buf: [], next: v.tcpSeq, broken: false, frames: [] };
          dirs.set(key, d);
        }
        if (d.broken || d.buf.length > 262144) return;
        const delta = (v.tcpSeq - d.next) | 0;
        if (delta > 0) {
          d.broken = true;
          return;
        }
        const skipN = -delta;
        if (skipN >= v.payloadLen) return; // retransmission
        for (let i = v.payloadOff + skipN; i < v.payloadOff + v.payloadLen; i++) d.buf.push(v.buf[i]!);
        d.next = (v.tcpSeq + v.payloadLen) >>> 0;
        d.frames.push(n);
      });
      const theirs = new Map<string, Theirs>();
      for (const p of pdml(file, 'tls.handshake.type == 2 || tls.handshake.type == 11')) {
        const num = Number(find(p, 'num')?.show ?? '0');
        const key = frameDir.get(num);
        if (!key) continue;
        const t = tsharkFrame(p);
        const prev = theirs.get(key);
        if (!prev) theirs.set(key, t);
        else {
          if (prev.cipher === null) prev.cipher = t.cipher;
          if (prev.cn === null && t.cn !== null) theirs.set(key, { ...t, cipher: prev.cipher });
        }
      }
      const name = file.slice(sharedCaptures.length + 1);
      for (const [key, t] of theirs) {
        const d = dirs.get(key);
        if (!d || t.cipher === null) continue; // not a server direction (a client Certificate, a hello elsewhere)
        const b = Uint8Array.from(d.buf);
        let at = 0;
        if (!(b[0] === 22 && b[1] === 3)) {
          // STARTTLS, SOCKS, RDP...: the caller would hand over the bytes from the switch to TLS; here, from the ServerHello record
          at = -1;
          for (let i = 0; i + 6 <= b.length && i < 65536; i++) {
            if (b[i] === 22 && b[i + 1] === 3 && b[i + 2]! <= 4 && b[i + 5] === 2) {
              at = i;
              break;
            }
          }
          if (at < 0) continue;
          notStart++;
        }
        streams++;
        const f = parseTlsServerFlight(b, at, b.length - at);
        if (f?.tls13) tls13++;
        if (t.cipher !== null) {
          hellos++;
          if (f?.serverHello?.cipherSuite === t.cipher) helloAgree++;
          else diffs.push(`${name} ${key}: cipher tshark ${t.cipher}, nps ${f?.serverHello?.cipherSuite}`);
        }
        if (t.cn !== null) {
          certs++;
          const x = f?.certificates[0];
          if ((x?.subjectCN ?? '') === t.cn) cnAgree++;
          else diffs.push(`${name} ${key}: CN tshark '${t.cn}', nps '${x?.subjectCN}'`);
          if (x && JSON.stringify(x.sanDns) === JSON.stringify(t.dns ?? [])) sanAgree++;
          else diffs.push(`${name} ${key}: SAN tshark ${JSON.stringify(t.dns)}, nps ${JSON.stringify(x?.sanDns)}`);
          const mine = [x?.issuerCN ?? '', x?.serial ?? '', x?.notBefore ?? '', x?.notAfter ?? ''];
          const their = [t.issuerCN ?? '', t.serial ?? '', t.validity[0] ?? '', t.validity[1] ?? ''];
          if (JSON.stringify(mine) === JSON.stringify(their)) restAgree++;
          else diffs.push(`${name} ${key}: issuer CN / serial / validity tshark ${JSON.stringify(their)}, nps ${JSON.stringify(mine)}`);
        }
      }
    }
    process.stdout.write(
      `# tls-server: ${streams} server streams (${tls13} TLS 1.3, ${notStart} TLS after another protocol); ` +
        `ServerHello cipher ${helloAgree}/${hellos} agree; certificates: ${cnAgree}/${certs} CN agree, ${sanAgree}/${certs} SAN DNS lists agree, ` +
        `${restAgree}/${certs} issuer CN + serial + notBefore + notAfter agree\n`,
    );
    for (const d of diffs.slice(0, 40)) process.stdout.write(`#   ${d}\n`);
    assert.ok(hellos > 0 && certs > 0);
    assert.equal(diffs, []);
  });
  test.run();
}
