/**
 * TLS ClientHello parser (RFC 8446 section 4.1.2, RFC 5246 section 7.4.1.2)
 * with the JA3 and JA4 (TLS client) fingerprints.
 *
 * The input `buf[off, off + len)` starts at a TLS record header (content type
 * 22, handshake). The ClientHello may span several consecutive handshake
 * records inside the given bytes; it is reassembled from their fragments
 * (parsed in place when the first record holds all of it). This file does no
 * TCP reassembly: a hello cut short by the end of the input gives null, with
 * nothing counted, so the caller can retry once it has more bytes.
 *
 * Style (see /work/shared/ARCHITECTURE.md): lengths are checked before every
 * read, nothing throws, each malformation is counted by name in `errs`.
 *
 * Counters:
 *   tls.bad_record      a record with a version major byte other than 3 inside the handshake
 *   tls.bad_length      a vector (session id, ciphers, compression methods,
 *                       extension block, one extension) runs past its container,
 *                       an odd cipher-suite length, or a session id over 32 bytes:
 *                       the hello is rejected (null)
 *   tls.bad_extension   the content of server_name, ALPN, supported_groups,
 *                       ec_point_formats, signature_algorithms or supported_versions
 *                       does not fit its extension: its type is still listed
 *                       (and fingerprinted), its content ignored
 *   tls.trailing_bytes  bytes after the extension block inside the hello body
 *
 * Not a ClientHello (another content type, SSL 2.0 framing, another handshake
 * message) gives null without a count.
 *
 * Fingerprints:
 *   JA3 (salesforce/ja3): "version,ciphers,extensions,groups,point_formats",
 *     decimal values joined by '-', GREASE values (RFC 8701) removed from every
 *     list; version is the ClientHello legacy_version. `ja3` is its MD5 in hex.
 *   JA4 (FoxIO JA4 TLS client, technical_details/JA4.md):
 *     a: transport, version (highest non-GREASE supported_versions entry, else
 *        the ClientHello version), 'd' when the server_name extension is present
 *        else 'i', cipher and extension counts without GREASE (2 digits, at most
 *        99, extensions counting SNI and ALPN), and two characters from the first
 *        ALPN value ("00" when there is none or it is empty; its first and last
 *        bytes when both are ASCII letters or digits, else the first and last
 *        characters of its hex form);
 *     b: SHA-256 of the sorted non-GREASE cipher list (4 lower-case hex digits
 *        each, comma separated), first 12 hex digits, "000000000000" when empty;
 *     c: SHA-256 of the sorted non-GREASE extension list without 0000 and 0010,
 *        followed (when any) by '_' and the non-GREASE signature algorithms in
 *        wire order; first 12 hex digits, "000000000000" when the extension list is empty.
 */
import { createHash } from 'node:crypto';
import { u16 } from '../decode/bytes.js';

export interface ErrorCounter {
  count(reason: string): void;
}

export interface ClientHello {
  /** Version field of the first record header, e.g. 0x0301. */
  recordVersion: number;
  /** ClientHello legacy_version, e.g. 0x0303. */
  helloVersion: number;
  /** Extension 43 entries in wire order, GREASE included; empty when absent. */
  supportedVersions: number[];
  /** Cipher suites in wire order, GREASE included. */
  cipherSuites: number[];
  /** Extension types in wire order, GREASE included. */
  extensions: number[];
  /** First host_name entry of server_name (0), ASCII lower-cased; null when absent. */
  sni: string | null;
  /** ALPN protocol names (extension 16) in wire order, one character per byte (latin1). */
  alpn: string[];
  /** Extension 10 entries in wire order, GREASE included. */
  supportedGroups: number[];
  /** Extension 11 entries in wire order. */
  ecPointFormats: number[];
  /** Extension 13 entries in wire order, GREASE included. */
  signatureAlgorithms: number[];
  /** MD5 (lower-case hex) of ja3String. */
  ja3: string;
  ja3String: string;
  /** e.g. t13d1516h2_8daaf6152771_e5627efa2ab1 */
  ja4: string;
}

const CONTENT_HANDSHAKE = 22;
const HS_CLIENT_HELLO = 1;
const RECORD_HEADER = 5;

const EXT_SERVER_NAME = 0x0000;
const EXT_SUPPORTED_GROUPS = 0x000a;
const EXT_EC_POINT_FORMATS = 0x000b;
const EXT_SIGNATURE_ALGORITHMS = 0x000d;
const EXT_ALPN = 0x0010;
const EXT_SUPPORTED_VERSIONS = 0x002b;

const EMPTY_HASH = '000000000000';

/** RFC 8701 GREASE values: 0x0a0a, 0x1a1a, ... 0xfafa. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

/**
 * Parse the ClientHello starting at a TLS record at `buf[off]`. Returns null
 * when the bytes are not a TLS handshake record holding a ClientHello, when
 * the hello is incomplete, or when its framing is malformed (counted).
 */
export function parseClientHello(
  buf: Uint8Array,
  off: number,
  len: number,
  errs?: ErrorCounter,
  transport: 't' | 'q' = 't',
): ClientHello | null {
  if (off < 0 || len < RECORD_HEADER) return null;
  const end = Math.min(off + len, buf.length);
  if (end - off < RECORD_HEADER) return null;
  if (buf[off] !== CONTENT_HANDSHAKE || buf[off + 1] !== 3) return null;
  const recordVersion = u16(buf, off + 1);

  // Collect the handshake fragments of consecutive handshake records.
  const fragOff: number[] = [];
  const fragLen: number[] = [];
  let total = 0;
  let need = -1; // 4 + handshake body length, once known
  let p = off;
  while (p + RECORD_HEADER <= end) {
    if (buf[p] !== CONTENT_HANDSHAKE) break;
    if (buf[p + 1] !== 3) {
      errs?.count('tls.bad_record');
      return null;
    }
    const rl = u16(buf, p + 3);
    const fo = p + RECORD_HEADER;
    const fl = Math.min(rl, end - fo);
    if (fl > 0) {
      fragOff.push(fo);
      fragLen.push(fl);
      total += fl;
    }
    if (need < 0 && total >= 4) {
      if (byteAt(buf, fragOff, fragLen, 0) !== HS_CLIENT_HELLO) return null;
      need =
        4 +
        byteAt(buf, fragOff, fragLen, 1) * 65536 +
        byteAt(buf, fragOff, fragLen, 2) * 256 +
        byteAt(buf, fragOff, fragLen, 3);
    }
    if (need >= 0 && total >= need) break;
    if (fl < rl) break; // this record is cut short by the end of the input
    p = fo + rl;
  }
  if (need < 0 || total < need) return null;

  let hb: Uint8Array;
  let hs: number;
  if (fragLen[0]! >= need) {
    hb = buf;
    hs = fragOff[0]!;
  } else {
    hb = new Uint8Array(need);
    let w = 0;
    for (let i = 0; i < fragOff.length && w < need; i++) {
      const n = Math.min(fragLen[i]!, need - w);
      hb.set(buf.subarray(fragOff[i]!, fragOff[i]! + n), w);
      w += n;
    }
    hs = 0;
  }
  return parseBody(hb, hs + 4, hs + need, recordVersion, errs, transport);
}

/** Byte `k` of the concatenated fragments (caller ensures k < total). */
function byteAt(buf: Uint8Array, fo: number[], fl: number[], k: number): number {
  for (let i = 0; i < fo.length; i++) {
    if (k < fl[i]!) return buf[fo[i]! + k]!;
    k -= fl[i]!;
  }
  return 0;
}

/** The ClientHello body is `b[p, end)`. */
function parseBody(
  b: Uint8Array,
  p: number,
  end: number,
  recordVersion: number,
  errs: ErrorCounter | undefined,
  transport: 't' | 'q',
): ClientHello | null {
  // legacy_version (2) + random (32) + session id length (1)
  if (p + 35 > end) return bad(errs);
  const helloVersion = u16(b, p);
  p += 34;
  const sidLen = b[p]!;
  p += 1;
  if (sidLen > 32 || p + sidLen + 2 > end) return bad(errs);
  p += sidLen;
  const csLen = u16(b, p);
  p += 2;
  if (csLen & 1 || p + csLen + 1 > end) return bad(errs);
  const cipherSuites: number[] = [];
  for (let i = 0; i < csLen; i += 2) cipherSuites.push(u16(b, p + i));
  p += csLen;
  const cmLen = b[p]!;
  p += 1;
  if (p + cmLen > end) return bad(errs);
  p += cmLen;

  const h: ClientHello = {
    recordVersion,
    helloVersion,
    supportedVersions: [],
    cipherSuites,
    extensions: [],
    sni: null,
    alpn: [],
    supportedGroups: [],
    ecPointFormats: [],
    signatureAlgorithms: [],
    ja3: '',
    ja3String: '',
    ja4: '',
  };
  let firstAlpnOff = -1;
  let firstAlpnLen = 0;

  // Extensions are optional (absent in old SSL 3.0 / TLS 1.0 hellos).
  if (p < end) {
    if (p + 2 > end) return bad(errs);
    const extLen = u16(b, p);
    p += 2;
    if (p + extLen > end) return bad(errs);
    const extEnd = p + extLen;
    if (extEnd < end) errs?.count('tls.trailing_bytes');
    while (p < extEnd) {
      if (p + 4 > extEnd) return bad(errs);
      const type = u16(b, p);
      const l = u16(b, p + 2);
      p += 4;
      if (p + l > extEnd) return bad(errs);
      h.extensions.push(type);
      let ok = true;
      switch (type) {
        case EXT_SERVER_NAME:
          ok = l === 0 || readSni(b, p, p + l, h); // empty in a server's reply; tolerated here too
          break;
        case EXT_ALPN: {
          ok = readList16(b, p, l) && readAlpn(b, p + 2, p + l, h.alpn);
          if (ok && h.alpn.length > 0) {
            firstAlpnOff = p + 3;
            firstAlpnLen = b[p + 2]!;
          }
          break;
        }
        case EXT_SUPPORTED_GROUPS:
          ok = readList16(b, p, l) && readU16s(b, p + 2, p + l, h.supportedGroups);
          break;
        case EXT_SIGNATURE_ALGORITHMS:
          ok = readList16(b, p, l) && readU16s(b, p + 2, p + l, h.signatureAlgorithms);
          break;
        case EXT_EC_POINT_FORMATS:
          ok = l >= 1 && b[p]! + 1 === l;
          if (ok) for (let i = 1; i < l; i++) h.ecPointFormats.push(b[p + i]!);
          break;
        case EXT_SUPPORTED_VERSIONS:
          ok = l >= 1 && b[p]! + 1 === l && readU16s(b, p + 1, p + l, h.supportedVersions);
          break;
      }
      if (!ok) errs?.count('tls.bad_extension');
      p += l;
    }
  }

  h.ja3String = ja3String(h);
  h.ja3 = memoHash('md5', h.ja3String, 32);
  h.ja4 = ja4(h, b, firstAlpnOff, firstAlpnLen, transport);
  return h;
}

function bad(errs: ErrorCounter | undefined): null {
  errs?.count('tls.bad_length');
  return null;
}

/** A 2-byte length that exactly covers the rest of an extension of `l` bytes at `p`. */
function readList16(b: Uint8Array, p: number, l: number): boolean {
  return l >= 2 && u16(b, p) + 2 === l;
}

/** Appends the 16-bit values of `b[p, end)`; false (nothing appended) when the length is odd. */
function readU16s(b: Uint8Array, p: number, end: number, out: number[]): boolean {
  if ((end - p) & 1) return false;
  for (; p < end; p += 2) out.push(u16(b, p));
  return true;
}

/** protocol_name_list entries in `b[p, end)`; false when an entry overruns or is empty. */
function readAlpn(b: Uint8Array, p: number, end: number, out: string[]): boolean {
  const names: string[] = [];
  while (p < end) {
    const n = b[p]!;
    p += 1;
    if (n === 0 || p + n > end) return false;
    names.push(latin1(b, p, n));
    p += n;
  }
  out.push(...names);
  return true;
}

/** server_name extension content `b[p, end)`: takes the first host_name (type 0). */
function readSni(b: Uint8Array, p: number, end: number, h: ClientHello): boolean {
  if (p + 2 > end || u16(b, p) + 2 !== end - p) return false;
  p += 2;
  let name: string | null = null;
  while (p < end) {
    if (p + 3 > end) return false;
    const t = b[p]!;
    const n = u16(b, p + 1);
    p += 3;
    if (p + n > end) return false;
    if (t === 0 && name === null) name = hostName(b, p, n);
    p += n;
  }
  h.sni = name;
  return true;
}

const utf8 = new TextDecoder('utf-8');

/**
 * Hashes are memoised: a network's clients send a handful of distinct hellos
 * over and over, and a digest costs more than the rest of the parse. Bounded:
 * the memo is cleared when it reaches MEMO_MAX entries.
 */
const MEMO_MAX = 4096;
const memo = new Map<string, string>();
function memoHash(alg: 'md5' | 'sha256', s: string, chars: number): string {
  const key = alg === 'md5' ? 'm' + s : 's' + s;
  let v = memo.get(key);
  if (v === undefined) {
    if (memo.size >= MEMO_MAX) memo.clear();
    v = createHash(alg).update(s).digest('hex').slice(0, chars);
    memo.set(key, v);
  }
  return v;
}

/** A host name: UTF-8 (invalid sequences become U+FFFD), ASCII letters lower-cased. */
function hostName(b: Uint8Array, p: number, n: number): string {
  let ascii = true;
  for (let i = 0; i < n; i++) if (b[p + i]! >= 0x80) ascii = false;
  if (!ascii) return utf8.decode(b.subarray(p, p + n)).replace(/[A-Z]+/g, (s) => s.toLowerCase());
  let s = '';
  for (let i = 0; i < n; i++) {
    const c = b[p + i]!;
    s += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 32 : c);
  }
  return s;
}

function latin1(b: Uint8Array, p: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(b[p + i]!);
  return s;
}

// ---------------------------------------------------------------------------
// Fingerprints

function noGrease(list: number[]): number[] {
  return list.filter((v) => !isGrease(v));
}

function ja3String(h: ClientHello): string {
  return [
    String(h.helloVersion),
    noGrease(h.cipherSuites).join('-'),
    noGrease(h.extensions).join('-'),
    noGrease(h.supportedGroups).join('-'),
    h.ecPointFormats.join('-'),
  ].join(',');
}

function hex4(v: number): string {
  return v.toString(16).padStart(4, '0');
}

function sha12(s: string): string {
  return memoHash('sha256', s, 12);
}

function twoDigits(n: number): string {
  return String(Math.min(n, 99)).padStart(2, '0');
}

function ja4Version(h: ClientHello): string {
  let v = -1;
  for (const x of h.supportedVersions) if (!isGrease(x) && x > v) v = x;
  if (v < 0) v = h.helloVersion;
  switch (v) {
    case 0x0304:
      return '13';
    case 0x0303:
      return '12';
    case 0x0302:
      return '11';
    case 0x0301:
      return '10';
    case 0x0300:
      return 's3';
    case 0x0002:
      return 's2';
    case 0xfeff:
      return 'd1';
    case 0xfefd:
      return 'd2';
    case 0xfefc:
      return 'd3';
    default:
      return '00';
  }
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

const HEX = '0123456789abcdef';

/** Two characters for the first ALPN value `b[p, p + n)`. */
function alpnChars(b: Uint8Array, p: number, n: number): string {
  if (p < 0 || n === 0) return '00';
  const first = b[p]!;
  const last = b[p + n - 1]!;
  if (isAlnum(first) && isAlnum(last)) return String.fromCharCode(first, last);
  // First and last characters of the hex form of the whole value.
  return HEX[first >> 4]! + HEX[last & 15]!;
}

function ja4(h: ClientHello, b: Uint8Array, alpnOff: number, alpnLen: number, transport: 't' | 'q'): string {
  const ciphers = noGrease(h.cipherSuites);
  const exts = noGrease(h.extensions);
  const a =
    transport +
    ja4Version(h) +
    (h.extensions.includes(EXT_SERVER_NAME) ? 'd' : 'i') +
    twoDigits(ciphers.length) +
    twoDigits(exts.length) +
    alpnChars(b, alpnOff, alpnLen);

  const cipherList = ciphers.map(hex4).sort().join(',');
  const partB = cipherList === '' ? EMPTY_HASH : sha12(cipherList);

  const extList = exts
    .filter((t) => t !== EXT_SERVER_NAME && t !== EXT_ALPN)
    .map(hex4)
    .sort()
    .join(',');
  const sigs = noGrease(h.signatureAlgorithms).map(hex4).join(',');
  const partC = extList === '' ? EMPTY_HASH : sha12(sigs === '' ? extList : `${extList}_${sigs}`);
  return `${a}_${partB}_${partC}`;
}

// ---------------------------------------------------------------------------
// Fast path for repeated hellos

export interface HelloFingerprint {
  ja3: string;
  ja4: string;
  /** First host_name of server_name, lower-cased; null when absent. */
  sni: string | null;
}

/** Fingerprints by a hash of the bytes they are computed from (bounded like `memo`). */
const fingerprints = new Map<number, { ja3: string; ja4: string }>();

/** Extensions whose bodies JA3 or JA4 read: groups, point formats, signature algorithms, ALPN, versions. */
function bodyMatters(type: number): boolean {
  return type === EXT_SUPPORTED_GROUPS || type === EXT_EC_POINT_FORMATS || type === EXT_SIGNATURE_ALGORITHMS || type === EXT_ALPN || type === EXT_SUPPORTED_VERSIONS;
}

/**
 * JA3, JA4 and SNI of the ClientHello at `buf[off]`. A hello contained in one
 * record is scanned without allocating: its cipher suites, extension types and
 * the extension bodies JA3/JA4 read are hashed, and a hello already seen (the
 * same client software) reuses its fingerprints, so only the SNI is read.
 * Anything else, or a first sighting, goes through parseClientHello.
 */
export function clientHelloFingerprint(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): HelloFingerprint | null {
  const end = Math.min(off + len, buf.length);
  const fast = scanHello(buf, off, end);
  if (fast !== null) {
    const known = fingerprints.get(fast.key);
    if (known !== undefined) return { ja3: known.ja3, ja4: known.ja4, sni: fast.sniLen >= 0 ? hostName(buf, fast.sniOff, fast.sniLen) : null };
  }
  const h = parseClientHello(buf, off, len, errs);
  if (h === null) return null;
  if (fast !== null) {
    if (fingerprints.size >= MEMO_MAX) fingerprints.clear();
    fingerprints.set(fast.key, { ja3: h.ja3, ja4: h.ja4 });
  }
  return { ja3: h.ja3, ja4: h.ja4, sni: h.sni };
}

const scanOut = { key: 0, sniOff: -1, sniLen: -1 };

/** The hash key and SNI position of a hello wholly inside its first record; null otherwise (then the full parse decides). */
function scanHello(b: Uint8Array, off: number, end: number): typeof scanOut | null {
  if (end - off < RECORD_HEADER + 4 || b[off] !== CONTENT_HANDSHAKE || b[off + 1] !== 3) return null;
  const rl = u16(b, off + 3);
  const hs = off + RECORD_HEADER;
  if (hs + rl > end || b[hs] !== HS_CLIENT_HELLO) return null;
  const bodyLen = b[hs + 1]! * 65536 + b[hs + 2]! * 256 + b[hs + 3]!;
  let p = hs + 4;
  const stop = p + bodyLen;
  if (stop > hs + rl) return null;
  if (p + 35 > stop) return null;
  // Two independent 32-bit hashes make a 53-bit key.
  let h1 = 0x811c9dc5 ^ u16(b, off + 1);
  let h2 = 0x01000193 ^ u16(b, p);
  const mix = (x: number) => {
    h1 = Math.imul(h1 ^ x, 0x01000193);
    h2 = Math.imul(h2 ^ x, 0x5bd1e995) ^ (h2 >>> 13);
  };
  p += 34;
  const sid = b[p]!;
  p += 1 + sid;
  if (p + 2 > stop) return null;
  const cs = u16(b, p);
  p += 2;
  if (p + cs + 1 > stop) return null;
  mix(cs);
  for (let i = 0; i < cs; i++) mix(b[p + i]!);
  p += cs;
  p += 1 + b[p]!;
  let sniOff = -1;
  let sniLen = -1;
  if (p < stop) {
    if (p + 2 > stop) return null;
    const el = u16(b, p);
    p += 2;
    const ee = p + el;
    if (ee > stop) return null;
    while (p < ee) {
      if (p + 4 > ee) return null;
      const t = u16(b, p);
      const l = u16(b, p + 2);
      p += 4;
      if (p + l > ee) return null;
      mix(t);
      if (bodyMatters(t)) {
        mix(l);
        for (let i = 0; i < l; i++) mix(b[p + i]!);
      } else if (t === EXT_SERVER_NAME && sniOff < 0 && l >= 5) {
        // server_name_list (2), then type (1), length (2), name.
        const nl = u16(b, p + 3);
        if (b[p + 2] === 0 && p + 5 + nl <= p + l) {
          sniOff = p + 5;
          sniLen = nl;
        }
      }
      p += l;
    }
  }
  scanOut.key = (h1 >>> 0) * 2097152 + ((h2 >>> 0) & 0x1fffff);
  scanOut.sniOff = sniOff;
  scanOut.sniLen = sniLen;
  return scanOut;
}
