/**
 * TLS ClientHello parser and JA3 / JA4 fingerprints: two published vectors
 * (the JA4 specification's example and a browserleaks Chrome record that
 * lists its JA3 text, JA3 hash and JA4) rebuilt as wire bytes, hand-computed
 * edge cases (ALPN hex rule, no signature algorithms, no extensions, version
 * fallbacks), hellos split over several records, every truncation of a valid
 * hello, random bytes, and a differential test of SNI / JA3 against tshark on
 * the shared captures.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isGrease, parseClientHello, type ClientHello } from '../../src/dissect/tls-client-hello.js';
import { DecodeErrors } from '../../src/decode/errors.js';
import { PacketView, IPPROTO_TCP } from '../../src/decode/view.js';
import { decodeFrame } from '../../src/decode/decode.js';
import { readCapture } from '../../src/capture/reader.js';
import { haveShared, haveTool, sharedCaptures, skip } from '../helpers/skip.js';

// ---------------------------------------------------------------------------
// Builders

const u16b = (v: number): number[] => [(v >> 8) & 255, v & 255];
const u24b = (v: number): number[] => [(v >> 16) & 255, (v >> 8) & 255, v & 255];
const vec8 = (b: number[]): number[] => [b.length, ...b];
const vec16 = (b: number[]): number[] => [...u16b(b.length), ...b];
const list16 = (vals: number[]): number[] => vec16(vals.flatMap(u16b));
const ascii = (s: string): number[] => [...Buffer.from(s, 'latin1')];

type Ext = [type: number, data: number[]];
const sniExt = (name: string): Ext => [0, vec16([0, ...vec16(ascii(name))])];
const alpnExt = (names: (string | number[])[]): Ext => [16, vec16(names.flatMap((n) => vec8(typeof n === 'string' ? ascii(n) : n)))];
const groupsExt = (v: number[]): Ext => [10, list16(v)];
const pointsExt = (v: number[]): Ext => [11, vec8(v)];
const sigsExt = (v: number[]): Ext => [13, list16(v)];
const versionsExt = (v: number[]): Ext => [43, vec8(v.flatMap(u16b))];
/** Any other extension, with some filler content. */
const otherExt = (type: number, n = 0): Ext => [type, new Array<number>(n).fill(0)];

interface HelloSpec {
  version?: number;
  sid?: number;
  ciphers: number[];
  exts?: Ext[] | null; // null: no extension block at all
}

/** Handshake message (type 1 + length + body). */
function handshake(h: HelloSpec): number[] {
  const body = [
    ...u16b(h.version ?? 0x0303),
    ...new Array<number>(32).fill(0x11),
    ...vec8(new Array<number>(h.sid ?? 32).fill(0x22)),
    ...list16(h.ciphers),
    ...vec8([0]),
  ];
  if (h.exts !== null) body.push(...vec16((h.exts ?? []).flatMap(([t, d]) => [...u16b(t), ...vec16(d)])));
  return [1, ...u24b(body.length), ...body];
}

/** Handshake bytes wrapped in records of at most `max` bytes each. */
function records(hs: number[], max = 16384, version = 0x0301): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < hs.length; i += max) {
    const frag = hs.slice(i, i + max);
    out.push(22, ...u16b(version), ...u16b(frag.length), ...frag);
  }
  return Uint8Array.from(out);
}

function parse(bytes: Uint8Array, errs?: { count(r: string): void }): ClientHello {
  const h = parseClientHello(bytes, 0, bytes.length, errs);
  assert.ok(h, 'parsed');
  return h!;
}

const sha12 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 12);
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

class Counter {
  counts = new Map<string, number>();
  count(r: string): void {
    this.counts.set(r, (this.counts.get(r) ?? 0) + 1);
  }
}

// ---------------------------------------------------------------------------
// Published vector 1: the example of FoxIO-LLC/ja4 technical_details/JA4.md.
// JA4_ro there gives the values in wire order (GREASE already removed):
//   ciphers    1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035
//   extensions 001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015
//   sig algs   0403,0804,0401,0503,0805,0501,0806,0601
// and JA4 = t13d1516h2_8daaf6152771_e5627efa2ab1. GREASE values are added here
// the way Chrome places them (first cipher, first and last extension, groups, versions).

const SPEC_CIPHERS = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
const SPEC_SIGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];

function specExts(withSigs = true): Ext[] {
  const e: Ext[] = [
    otherExt(0x2a2a),
    otherExt(0x001b, 3),
    sniExt('Example.COM'),
    otherExt(0x0033, 43),
    alpnExt(['h2', 'http/1.1']),
    otherExt(0x4469, 5),
    otherExt(0x0017),
    otherExt(0x002d, 2),
    sigsExt(SPEC_SIGS),
    otherExt(0x0005, 5),
    otherExt(0x0023),
    otherExt(0x0012),
    versionsExt([0x3a3a, 0x0304, 0x0303]),
    otherExt(0xff01, 1),
    pointsExt([0]),
    groupsExt([0x4a4a, 0x001d, 0x0017, 0x0018]),
    otherExt(0x0015, 20),
    otherExt(0x5a5a, 1),
  ];
  return withSigs ? e : e.filter(([t]) => t !== 13);
}

test('JA4 specification example', () => {
  const h = parse(records(handshake({ ciphers: [0x0a0a, ...SPEC_CIPHERS], exts: specExts() })));
  assert.is(h.recordVersion, 0x0301);
  assert.is(h.helloVersion, 0x0303);
  assert.is(h.sni, 'example.com');
  assert.equal(h.alpn, ['h2', 'http/1.1']);
  assert.equal(h.supportedVersions, [0x3a3a, 0x0304, 0x0303]);
  assert.equal(h.cipherSuites, [0x0a0a, ...SPEC_CIPHERS]);
  assert.is(h.extensions.length, 18);
  assert.equal(h.signatureAlgorithms, SPEC_SIGS);
  assert.equal(h.supportedGroups, [0x4a4a, 29, 23, 24]);
  assert.equal(h.ecPointFormats, [0]);
  // The intermediate strings, as printed by the specification.
  assert.is(sha12('002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9'), '8daaf6152771');
  assert.is(
    sha12('0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601'),
    'e5627efa2ab1',
  );
  assert.is(h.ja4, 't13d1516h2_8daaf6152771_e5627efa2ab1');
  // JA3: decimal, GREASE removed, handshake version.
  assert.is(
    h.ja3String,
    '771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,' +
      '27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0',
  );
  assert.is(h.ja3, md5(h.ja3String));
});

test('JA4 specification: no signature algorithms -> no underscore in the hashed string', () => {
  const h = parse(records(handshake({ ciphers: SPEC_CIPHERS, exts: specExts(false) })));
  // The specification gives 0005,...,ff01 = 6d807ffa2a79 (with 000d still in the list there);
  // here 000d is gone with the extension, so check both the printed value and ours.
  assert.is(sha12('0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01'), '6d807ffa2a79');
  const c = sha12('0005,000a,000b,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01');
  assert.is(h.ja4, `t13d1515h2_8daaf6152771_${c}`);
  // A signature_algorithms extension that is present but empty: also no underscore.
  const e = specExts(false);
  e.push(sigsExt([]));
  const h2 = parse(records(handshake({ ciphers: SPEC_CIPHERS, exts: e })));
  assert.is(h2.ja4, `t13d1516h2_8daaf6152771_6d807ffa2a79`);
});

// ---------------------------------------------------------------------------
// Published vector 2: a Chrome 143 hello as reported by browserleaks (JA3 text,
// JA3 hash, JA4 and JA4_ro side by side). Wire order from JA4_ro / ja3_text:
//   ciphers    1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035
//   extensions 002d,0033,0010,fe0d,0017,44cd,0000,000b,000a,002b,ff01,0023,0012,0005,000d,001b
//   groups     4588-29-23-24, point formats 0
//   ja3_hash   98487aa16281980e7d1120d399efb6a4
//   ja4        t13d1516h2_8daaf6152771_d8a2da3f94cd

test('published Chrome hello (browserleaks): JA3 and JA4', () => {
  const exts: Ext[] = [
    otherExt(0xdada),
    otherExt(0x002d, 2),
    otherExt(0x0033, 1263),
    alpnExt(['h2', 'http/1.1']),
    otherExt(0xfe0d, 186),
    otherExt(0x0017),
    otherExt(0x44cd, 3),
    sniExt('tls-outer.browserleaks.com'),
    pointsExt([0]),
    groupsExt([0x8a8a, 4588, 29, 23, 24]),
    versionsExt([0x5a5a, 0x0304, 0x0303]),
    otherExt(0xff01, 1),
    otherExt(0x0023),
    otherExt(0x0012),
    otherExt(0x0005, 5),
    sigsExt(SPEC_SIGS),
    otherExt(0x001b, 3),
    otherExt(0x6a6a, 1),
  ];
  const h = parse(records(handshake({ ciphers: [0x3a3a, ...SPEC_CIPHERS], exts })));
  assert.is(
    h.ja3String,
    '771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,' +
      '45-51-16-65037-23-17613-0-11-10-43-65281-35-18-5-13-27,4588-29-23-24,0',
  );
  assert.is(h.ja3, '98487aa16281980e7d1120d399efb6a4');
  assert.is(h.ja4, 't13d1516h2_8daaf6152771_d8a2da3f94cd');
  assert.is(h.sni, 'tls-outer.browserleaks.com');
});

// ---------------------------------------------------------------------------
// Hand-computed cases

test('JA4 part a: versions, SNI flag, counts, ALPN characters', () => {
  const a = (spec: HelloSpec, transport: 't' | 'q' = 't'): string => {
    const b = records(handshake(spec));
    return parseClientHello(b, 0, b.length, undefined, transport)!.ja4.split('_')[0]!;
  };
  // No supported_versions: the hello version decides.
  assert.is(a({ version: 0x0303, ciphers: [0x002f], exts: [] }), 't12i010000');
  assert.is(a({ version: 0x0302, ciphers: [0x002f], exts: [] }), 't11i010000');
  assert.is(a({ version: 0x0301, ciphers: [0x002f], exts: [] }), 't10i010000');
  assert.is(a({ version: 0x0300, ciphers: [0x002f], exts: null }), 'ts3i010000');
  assert.is(a({ version: 0x0305, ciphers: [0x002f], exts: [] }), 't00i010000');
  // supported_versions: highest non-GREASE, whatever the order.
  assert.is(a({ ciphers: [1], exts: [versionsExt([0x0303, 0xfafa, 0x0304])] }), 't13i010100');
  // Only GREASE in supported_versions: fall back to the hello version.
  assert.is(a({ ciphers: [1], exts: [versionsExt([0xfafa])] }), 't12i010100');
  // QUIC transport letter.
  assert.is(a({ ciphers: [1], exts: [versionsExt([0x0304])] }, 'q'), 'q13i010100');
  // SNI flag and counts (GREASE excluded, SNI and ALPN counted).
  assert.is(a({ ciphers: [0x1a1a, 1, 2], exts: [otherExt(0x0a0a), sniExt('a.b'), alpnExt(['http/1.1'])] }), 't12d0202h1');
  // Counts are capped at 99.
  const many = Array.from({ length: 120 }, (_, i) => i + 1);
  assert.is(a({ ciphers: many, exts: many.map((t) => otherExt(t + 100)) }), 't12i999900');
  // ALPN characters.
  const alpn = (v: (string | number[])[]): string => a({ ciphers: [1], exts: [alpnExt(v)] }).slice(8);
  assert.is(alpn(['h2']), 'h2');
  assert.is(alpn(['x']), 'xx'); // single character: both first and last
  assert.is(alpn(['http/1.1', 'h2']), 'h1');
  assert.is(alpn([[0xab]]), 'ab');
  assert.is(alpn([[0xab, 0xcd]]), 'ad');
  assert.is(alpn([[0x30, 0xab]]), '3b');
  assert.is(alpn([[0x30, 0x31, 0xab, 0xcd]]), '3d');
  assert.is(alpn([[0x30, 0xab, 0xcd, 0x31]]), '01');
  assert.is(alpn([[0x2d, 0x68]]), '28'); // '-' first: hex rule
  assert.is(a({ ciphers: [1], exts: [alpnExt([])] }).slice(8), '00'); // empty list
  assert.is(a({ ciphers: [1], exts: [] }).slice(8), '00'); // no ALPN
});

test('JA4 parts b and c: empty lists give 000000000000; JA3 with empty fields', () => {
  // No ciphers, only SNI and ALPN: both hashes are the empty marker.
  const h = parse(records(handshake({ ciphers: [], exts: [sniExt('x.y'), alpnExt(['h2'])] })));
  assert.is(h.ja4, 't12d0002h2_000000000000_000000000000');
  assert.is(h.ja3String, '771,,0-16,,');
  // No extension block at all (SSL 3.0 style).
  const o = parse(records(handshake({ version: 0x0300, ciphers: [0x0005, 0x0004], exts: null }), 16384, 0x0300));
  assert.is(o.recordVersion, 0x0300);
  assert.is(o.ja3String, '768,5-4,,,');
  assert.is(o.ja3, md5('768,5-4,,,'));
  assert.is(o.ja4, `ts3i020000_${sha12('0004,0005')}_000000000000`);
  // Part c hashes the sorted extensions (4-digit lower-case hex) without 0000 / 0010.
  const c = parse(records(handshake({ ciphers: [0xc02f], exts: [otherExt(0xff01), sniExt('q'), otherExt(0x000a), alpnExt(['h2'])] })));
  assert.is(c.ja4, `t12d0104h2_${sha12('c02f')}_${sha12('000a,ff01')}`);
});

test('GREASE detection', () => {
  for (let i = 0; i < 16; i++) assert.ok(isGrease(i * 0x1010 + 0x0a0a));
  assert.not.ok(isGrease(0x0a1a));
  assert.not.ok(isGrease(0x0a0b));
  assert.not.ok(isGrease(0x1301));
});

test('hello split over several records, and records after it', () => {
  const hs = handshake({ ciphers: [0x0a0a, ...SPEC_CIPHERS], exts: specExts() });
  const whole = parse(records(hs));
  for (const max of [1, 2, 3, 4, 5, 7, 100, 250]) {
    const h = parse(records(hs, max));
    assert.equal(h, whole, `records of ${max} bytes`);
  }
  // Trailing data after the hello (another record) is ignored.
  const more = Uint8Array.from([...records(hs), 20, 3, 3, 0, 1, 1]);
  assert.equal(parse(more), whole);
  // At an offset inside a larger buffer, with bytes after the given range.
  const r = records(hs, 300);
  const big = new Uint8Array(r.length + 20).fill(0xee);
  big.set(r, 7);
  assert.equal(parseClientHello(big, 7, r.length), whole);
  // A record of another type inside the handshake stops the reassembly: incomplete.
  const split = records(hs, 200);
  const broken = Uint8Array.from([...split.subarray(0, 205), 23, 3, 3, 0, 0, ...split.subarray(205)]);
  assert.is(parseClientHello(broken, 0, broken.length), null);
});

test('not a ClientHello: null without counts', () => {
  const c = new Counter();
  const hs = handshake({ ciphers: [1], exts: [] });
  const server = [2, ...hs.slice(1)];
  assert.is(parseClientHello(records(server), 0, 1000, c), null);
  const appData = records(hs);
  appData[0] = 23;
  assert.is(parseClientHello(appData, 0, appData.length, c), null);
  // SSL 2.0 framing.
  const ssl2 = Uint8Array.from([0x80, 0x2e, 0x01, 0x00, 0x02, 0x00, 0x15]);
  assert.is(parseClientHello(ssl2, 0, ssl2.length, c), null);
  assert.is(c.counts.size, 0);
});

test('malformations are counted', () => {
  const cases: [string, number[], string][] = [];
  const good = handshake({ ciphers: [1, 2], exts: [sniExt('a')] });
  // Odd cipher-suite length: body offset of the cipher length = 4 + 2 + 32 + 1 + 32.
  const odd = [...good];
  odd[4 + 35 + 32 + 1] = 3;
  cases.push(['odd cipher length', odd, 'tls.bad_length']);
  const longSid = [...good];
  longSid[4 + 34] = 33;
  cases.push(['session id over 32', longSid, 'tls.bad_length']);
  for (const [name, hs, reason] of cases) {
    const c = new Counter();
    assert.is(parseClientHello(records(hs), 0, 100000, c), null, name);
    assert.is(c.counts.get(reason), 1, name);
  }
  // Malformed extension content: the type is kept, the content ignored.
  const c = new Counter();
  const h = parse(records(handshake({ ciphers: [1], exts: [[0, [0, 9, 0, 0, 1, 0x61]], [16, [0, 5, 2, 0x68]], [10, [0, 3, 0, 1, 2]]] })), c);
  assert.equal(h.extensions, [0, 16, 10]);
  assert.is(h.sni, null);
  assert.equal(h.alpn, []);
  assert.equal(h.supportedGroups, []);
  assert.is(h.ja4.slice(0, 10), 't12d010300');
  assert.is(c.counts.get('tls.bad_extension'), 3);
  // Extension header past the block.
  const c2 = new Counter();
  const hs = handshake({ ciphers: [1], exts: [otherExt(5, 4)] });
  const bad = [...hs.slice(0, hs.length - 8), ...u16b(5), ...u16b(40), 0, 0, 0, 0];
  assert.is(parseClientHello(records(bad), 0, 100000, c2), null);
  assert.is(c2.counts.get('tls.bad_length'), 1);
});

test('every truncation of a valid hello: null, no throw, nothing counted', () => {
  const full = records(handshake({ ciphers: [0x0a0a, ...SPEC_CIPHERS], exts: specExts() }), 400);
  const c = new Counter();
  for (let n = 0; n < full.length; n++) {
    assert.is(parseClientHello(full, 0, n, c), null, `length ${n}`);
    assert.is(parseClientHello(full.subarray(0, n), 0, full.length, c), null, `buffer of ${n}`);
  }
  assert.is(c.counts.size, 0);
  assert.ok(parseClientHello(full, 0, full.length, c));
});

test('random and mutated bytes never throw', () => {
  let seed = 12345;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 16;
  };
  const c = new Counter();
  for (let i = 0; i < 5000; i++) {
    const b = new Uint8Array(rnd() % 600);
    for (let j = 0; j < b.length; j++) b[j] = rnd() & 255;
    if (b.length > 5) {
      b[0] = 22;
      b[1] = 3;
    }
    if (b.length > 6 && i & 1) b[5] = 1;
    parseClientHello(b, 0, b.length, c);
    parseClientHello(b, rnd() % 10, rnd() % 700, c);
  }
  const good = records(handshake({ ciphers: [0x0a0a, ...SPEC_CIPHERS], exts: specExts() }));
  for (let i = 0; i < 20000; i++) {
    const b = Uint8Array.from(good);
    for (let k = 0; k < 3; k++) b[rnd() % b.length] = rnd() & 255;
    const h = parseClientHello(b, 0, b.length, c);
    if (h) assert.match(h.ja4, /^t(13|12|11|10|s3|s2|d1|d2|d3|00)[di]\d{4}[0-9a-zA-Z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/);
  }
  assert.is(parseClientHello(good, -1, 10), null);
  assert.is(parseClientHello(good, good.length + 5, 10), null);
});

// ---------------------------------------------------------------------------
// Real captures: TCP payloads starting 16 03, compared with tshark when installed.

function tlsCaptures(): string[] {
  const out: string[] = [];
  const walk = (dir: string, tlsish: boolean): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names.sort()) {
      const p = join(dir, n);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      const t = tlsish || /tls|ssl|https/i.test(n);
      if (st.isDirectory()) walk(p, t);
      else if (t && /\.(pcap|pcapng|cap)(\.gz)?$/i.test(n)) out.push(p);
    }
  };
  walk(sharedCaptures, false);
  return out;
}

interface Ours {
  sni: string;
  ja3: string;
  ja3Full: string;
}

async function oursByFrame(file: string): Promise<Map<number, Ours>> {
  const rows = new Map<number, Ours>();
  const v = new PacketView();
  const errs = new DecodeErrors();
  let n = 0;
  try {
    await readCapture(file, (f) => {
      n++;
      decodeFrame(v, errs, f.buf, f.off, f.capLen, f.origLen, f.tsUs, f.linkType);
      if (v.proto !== IPPROTO_TCP || v.payloadLen < 6) return;
      if (v.buf[v.payloadOff] !== 0x16 || v.buf[v.payloadOff + 1] !== 0x03) return;
      const h = parseClientHello(v.buf, v.payloadOff, v.payloadLen);
      if (h) rows.set(n, { sni: h.sni ?? '', ja3: h.ja3, ja3Full: h.ja3String });
    });
  } catch {
    // unreadable capture: nothing to compare
  }
  return rows;
}

function tsharkByFrame(file: string): Map<number, Ours[]> {
  const rows = new Map<number, Ours[]>();
  let out = '';
  try {
    out = execFileSync(
      'tshark',
      ['-r', file, '-Y', 'tls.handshake.type == 1', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|',
        '-e', 'frame.number', '-e', 'tls.handshake.extensions_server_name', '-e', 'tls.handshake.ja3', '-e', 'tls.handshake.ja3_full'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 << 20 },
    );
  } catch (e) {
    out = (e as { stdout?: string }).stdout ?? '';
  }
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [num, sni, ja3, full] = line.split('\t');
    const ja3s = (ja3 ?? '').split('|');
    const fulls = (full ?? '').split('|');
    const snis = (sni ?? '').split('|');
    rows.set(
      Number(num),
      ja3s.map((j, i) => ({ sni: (snis[i] ?? '').toLowerCase(), ja3: j, ja3Full: fulls[i] ?? '' })),
    );
  }
  return rows;
}

if (!haveShared()) {
  skip('shared captures not present: real ClientHellos not checked');
} else {
  const withTshark = haveTool('tshark');
  if (!withTshark) skip('tshark is not installed: SNI / JA3 not compared');
  test('real captures: ClientHellos parse (and SNI / JA3 match tshark when installed)', async () => {
    const files = tlsCaptures();
    let parsed = 0;
    let compared = 0;
    const diffs: string[] = [];
    for (const file of files) {
      const ours = await oursByFrame(file);
      parsed += ours.size;
      if (!withTshark || ours.size === 0) continue;
      const theirs = tsharkByFrame(file);
      for (const [n, o] of ours) {
        const t = theirs.get(n);
        if (!t) continue; // tshark did not dissect this port as TLS
        compared++;
        // tshark shows the first hello of a frame first: that is the one we parse.
        const first = t[0]!;
        if (o.ja3 !== first.ja3 || o.ja3Full !== first.ja3Full || o.sni !== first.sni.split(',')[0])
          diffs.push(`${file} frame ${n}: tshark ${JSON.stringify(first)}, nps ${JSON.stringify(o)}`);
      }
    }
    console.log(`# ${files.length} TLS captures, ${parsed} ClientHellos parsed, ${compared} compared with tshark`);
    assert.ok(parsed > 0, 'some ClientHellos found');
    if (withTshark) assert.ok(compared > 0, 'some compared');
    assert.equal(diffs.slice(0, 20), [], `${diffs.length} differences`);
  });
}

test.run();
