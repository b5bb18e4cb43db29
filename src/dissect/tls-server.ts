/**
 * The server side of a TLS handshake: ServerHello and the server's
 * certificate chain (RFC 5246 sections 7.4.1.3 and 7.4.2, RFC 8446 section
 * 4.1.3), plus a small X.509 reader (RFC 5280) for the certificates.
 *
 * Input: `buf[off, off + len)` is the start of the server-to-client TCP stream,
 * already reassembled by the caller and possibly cut anywhere. It is a series
 * of records (type 1 byte, version 2 bytes with major 3, length 2 bytes,
 * fragment). The fragments of handshake records (type 22) are concatenated
 * into one handshake stream, of at most MAX_HANDSHAKE bytes (the rest is
 * ignored), in which messages (type 1 byte, length 3 bytes, body) may span
 * records or share one. The walk stops at ChangeCipherSpec (20), application
 * data (23) or an alert (21): whatever follows is encrypted or final; except
 * a warning alert other than close_notify (a server's unrecognized_name
 * before its ServerHello), after which the handshake goes on.
 *
 * Read from the handshake stream:
 *   - ServerHello (2): legacy version, selected version (supported_versions
 *     extension 43, TLS 1.3), cipher suite, compression, extension types,
 *     ALPN protocol (16); TLS 1.3 drafts before 22 (legacy version 0x7fNN)
 *     are read in their own layout, without session id and compression. A HelloRetryRequest (a ServerHello with the special
 *     random of RFC 8446 section 4.1.3) is flagged; the walk does not follow it
 *     across the client's second hello.
 *   - Certificate (11), TLS 1.2 and older only: the list of DER certificates,
 *     each parsed by parseCertificate (at most MAX_CERTS). In TLS 1.3 the
 *     Certificate message is encrypted: `certificatesEncrypted` is set and no
 *     certificate is returned.
 *   - the types of every handshake message seen, in order (bounded).
 *
 * `needMore` says how many more stream bytes (at least) the caller should
 * collect before the Certificate message is whole; 0 when nothing more is
 * useful (certificate seen, TLS 1.3, no certificate can follow, stream stopped
 * or capped). While the Certificate message's own header has not arrived it
 * is a lower bound (enough to see the next message header); the caller asks again.
 *
 * Certificates (parseCertificate): the DER certificate is walked to a fixed
 * depth with the bounded, non-recursive TLV reader of snmp.ts. Kept: serial
 * (hex), issuer and subject (RFC 4514-like strings of CN, O, OU, C, L, ST, DC,
 * emailAddress, most specific first, '+' inside a multi-valued RDN), their CN and
 * O, validity as ISO 8601 UTC strings, subjectAltName DNS names and IP
 * addresses, and a self-signed flag (issuer and subject Name bytes equal).
 * Text is escaped with escapeBytes (BMPString and UniversalString converted to
 * UTF-8 first, non-ASCII bytes therefore shown as \xNN); RFC 4514 specials in
 * the DN strings are prefixed with a backslash.
 *
 * Style (see /work/shared/ARCHITECTURE.md): lengths are checked before every
 * read, nothing throws, each malformation is counted by name in `errs`.
 *
 * Counters:
 *   tls.bad_record        a record with another major version or content type
 *                         inside the flight: the walk stops there
 *   tls.bad_server_hello  a ServerHello whose fields run past its body: serverHello null
 *   tls.bad_extension     a ServerHello extension block or extension past its container
 *   tls.bad_certificate   a Certificate message or DER certificate that does not
 *                         parse (the entry is skipped; the others kept)
 *   tls.too_many          more than MAX_CERTS certificates, SAN entries or RDNs: rest dropped
 *   tls.handshake_capped  the handshake stream went over MAX_HANDSHAKE bytes
 *
 * Not TLS (null, nothing counted): a first record other than handshake or
 * alert, a major version other than 3, or fewer than 5 bytes.
 */
import { createHash } from 'node:crypto';
import { readTlv, oidToString, type Tlv } from './snmp.js';
import { escapeBytes, hex, ip4Text, ip6Text } from './text.js';
import { u16 } from '../decode/bytes.js';

export interface ErrorCounter {
  count(reason: string, n?: number): void;
}

export interface ServerHello {
  /** legacy_version, e.g. 0x0303. */
  version: number;
  /** supported_versions (43) value, e.g. 0x0304; null when absent. */
  selectedVersion: number | null;
  cipherSuite: number;
  compression: number;
  /** Extension types in wire order. */
  extensions: number[];
  /** The protocol chosen by ALPN (16), latin1 escaped; null when absent. */
  alpn: string | null;
  /** Session id, hex ('' when empty). */
  sessionId: string;
  /** A HelloRetryRequest rather than a ServerHello. */
  helloRetryRequest: boolean;
}

export interface CertInfo {
  /** Length of the DER certificate. */
  length: number;
  /** Serial number, lower-case hex of the INTEGER's bytes (a leading 00 sign byte dropped). */
  serial: string;
  subject: string;
  subjectCN: string | null;
  subjectO: string | null;
  issuer: string;
  issuerCN: string | null;
  issuerO: string | null;
  /** "YYYY-MM-DDTHH:MM:SSZ" (fractions and offsets dropped / applied); null when unreadable. */
  notBefore: string | null;
  notAfter: string | null;
  /** subjectAltName (2.5.29.17) dNSName entries, escaped. */
  sanDns: string[];
  /** subjectAltName iPAddress entries (dotted IPv4 or RFC 5952 IPv6; other sizes as hex). */
  sanIp: string[];
  /** Issuer and subject Name encodings are identical. */
  selfSigned: boolean;
}

export interface TlsServerFlight {
  /** Version of the first record header. */
  recordVersion: number;
  serverHello: ServerHello | null;
  /** The negotiated version is TLS 1.3 (or a draft): the rest of the handshake is encrypted. */
  tls13: boolean;
  /** Certificates exist but are encrypted (TLS 1.3): none can be returned. */
  certificatesEncrypted: boolean;
  /** Parsed certificates of the Certificate message, server's first; complete entries only. */
  certificates: CertInfo[];
  /** Number of entries announced by a complete Certificate message (parsed or not); null before one. */
  certificateCount: number | null;
  /** Handshake message types in order (at most MAX_TYPES). */
  handshakeTypes: number[];
  /** The first whole alert record (level, description): the one the walk stopped at, or a warning it went past; else null. */
  alert: [number, number] | null;
  /** ServerHello seen and the certificate part settled (whole, absent, encrypted). */
  complete: boolean;
  /** Bytes the caller should still collect before the Certificate message is whole (see above). */
  needMore: number;
}

const CT_CCS = 20;
const CT_ALERT = 21;
const CT_HANDSHAKE = 22;
const CT_APPDATA = 23;
const ALERT_WARNING = 1;
const ALERT_CLOSE_NOTIFY = 0;
const HS_SERVER_HELLO = 2;
const HS_CERTIFICATE = 11;
const RECORD_HEADER = 5;
const MAX_FRAGMENT = 16384;

export const MAX_HANDSHAKE = 65536;
const MAX_RECORDS = 4096;
const MAX_TYPES = 64;
const MAX_CERTS = 16;
const MAX_SAN = 256;
const MAX_RDNS = 64;
const MAX_ATVS = 8;
const MAX_EXTS = 128;
const MAX_TEXT = 1024;

const HRR_RANDOM = createHash('sha256').update('HelloRetryRequest').digest();

/** Escaped text, at most MAX_TEXT characters (never cutting an escape). */
function clip(t: string): string {
  if (t.length <= MAX_TEXT) return t;
  let cut = MAX_TEXT;
  const bs = t.lastIndexOf('\\', cut);
  if (bs > cut - 4) cut = bs;
  return t.slice(0, cut);
}

/**
 * Parses the start of a server-to-client TLS stream. Returns null when it
 * does not start with a TLS handshake or alert record.
 */
export function parseTlsServerFlight(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): TlsServerFlight | null {
  if (!(Number.isInteger(off) && Number.isInteger(len) && off >= 0 && len >= 0)) return null;
  const end = Math.min(off + len, buf.length);
  if (end - off < RECORD_HEADER) return null;
  if ((buf[off] !== CT_HANDSHAKE && buf[off] !== CT_ALERT) || buf[off + 1] !== 3) return null;

  const f: TlsServerFlight = {
    recordVersion: u16(buf, off + 1),
    serverHello: null,
    tls13: false,
    certificatesEncrypted: false,
    certificates: [],
    certificateCount: null,
    handshakeTypes: [],
    alert: null,
    complete: false,
    needMore: 0,
  };

  // 1. Records: gather handshake fragments.
  const frags: number[] = []; // start, end pairs
  let hsLen = 0;
  let capped = false;
  let stopped = false; // the flight ended on CCS / application data / alert / a bad record
  let cutHeader = -1; // bytes of a record header present at the end of input, when cut there
  let cutRemain = 0; // bytes missing from the last record's fragment
  let alertCut = 0; // bytes missing from an alert record cut at the end of input
  let p = off;
  for (let n = 0; n < MAX_RECORDS; n++) {
    if (p >= end) break;
    if (p + RECORD_HEADER > end) {
      cutHeader = end - p;
      break;
    }
    const type = buf[p]!;
    const rl = u16(buf, p + 3);
    if (buf[p + 1] !== 3 || (type !== CT_HANDSHAKE && type !== CT_CCS && type !== CT_ALERT && type !== CT_APPDATA)) {
      errs?.count('tls.bad_record');
      stopped = true;
      break;
    }
    if (type === CT_CCS || type === CT_APPDATA) {
      stopped = true;
      break;
    }
    if (type === CT_ALERT) {
      // A warning other than close_notify (unrecognized_name, sent before the
      // ServerHello by servers that have no name the client asked for) does
      // not end the handshake: the walk goes on past it. A fatal alert,
      // close_notify or an alert of another size (encrypted) ends it.
      if (rl === 2 && p + 7 > end) {
        alertCut = p + 7 - end;
        break;
      }
      if (rl === 2) f.alert ??= [buf[p + 5]!, buf[p + 6]!];
      if (rl === 2 && buf[p + 5] === ALERT_WARNING && buf[p + 6] !== ALERT_CLOSE_NOTIFY) {
        p += RECORD_HEADER + 2;
        continue;
      }
      stopped = true;
      break;
    }
    const fo = p + RECORD_HEADER;
    const fl = Math.min(rl, end - fo);
    const room = MAX_HANDSHAKE - hsLen;
    if (fl > room) {
      capped = true;
      errs?.count('tls.handshake_capped');
    }
    const take = Math.min(fl, room);
    if (take > 0) {
      frags.push(fo, fo + take);
      hsLen += take;
    }
    if (capped) break;
    if (fl < rl) {
      cutRemain = rl - fl;
      break;
    }
    p = fo + rl;
  }
  let hs: Uint8Array;
  if (frags.length === 2) hs = buf.subarray(frags[0]!, frags[1]!);
  else {
    hs = new Uint8Array(hsLen);
    let w = 0;
    for (let k = 0; k < frags.length; k += 2) {
      hs.set(buf.subarray(frags[k]!, frags[k + 1]!), w);
      w += frags[k + 1]! - frags[k]!;
    }
  }

  // 2. Handshake messages.
  let q = 0;
  let target = -1; // handshake-stream offset the caller should reach; -1 when nothing more is useful
  let settled = false; // certificate part settled: whole, absent or encrypted
  while (q < hsLen) {
    if (q + 4 > hsLen) {
      target = q + 4;
      break;
    }
    const t = hs[q]!;
    const ml = (hs[q + 1]! << 16) | (hs[q + 2]! << 8) | hs[q + 3]!;
    const bs = q + 4;
    const be = bs + ml;
    if (f.handshakeTypes.length < MAX_TYPES) f.handshakeTypes.push(t);
    if (be > hsLen) {
      if (t === HS_CERTIFICATE && f.serverHello !== null && !f.tls13) {
        certificates(hs, bs, hsLen, false, f, errs);
        target = be;
      } else target = be + 4;
      break;
    }
    if (t === HS_SERVER_HELLO && f.serverHello === null) {
      f.serverHello = serverHello(hs, bs, be, errs);
      if (f.serverHello) {
        const v = f.serverHello.selectedVersion ?? f.serverHello.version;
        if (v >= 0x0304 && v !== 0xfeff && v !== 0xfefd) f.tls13 = true;
        if (f.tls13) {
          f.certificatesEncrypted = true;
          settled = true;
          break;
        }
      }
    } else if (t === HS_CERTIFICATE && f.serverHello !== null) {
      certificates(hs, bs, be, true, f, errs);
      settled = true;
      break;
    } else if (t === 12 || t === 13 || t === 14) {
      settled = f.serverHello !== null; // ServerKeyExchange, CertificateRequest, ServerHelloDone: no Certificate can follow
      if (settled) break;
    }
    q = be;
  }
  if (!settled && f.serverHello !== null && stopped) settled = true;
  f.complete = settled;
  if (q >= hsLen && target < 0 && !settled && !capped && !stopped) target = hsLen + 4;

  // 3. How many more wire bytes reach `target` in the handshake stream.
  if (!settled && !capped && !stopped && target > hsLen) {
    let missing = target - hsLen;
    let wire = alertCut;
    if (cutRemain > 0) {
      const k = Math.min(cutRemain, missing);
      wire += k;
      missing -= k;
    } else if (cutHeader >= 0) wire += RECORD_HEADER - cutHeader;
    if (missing > 0) {
      const records = Math.ceil(missing / MAX_FRAGMENT);
      wire += missing + (cutHeader >= 0 ? records - 1 : records) * RECORD_HEADER;
    }
    f.needMore = wire;
  }
  return f;
}

function serverHello(b: Uint8Array, p: number, end: number, errs: ErrorCounter | undefined): ServerHello | null {
  if (p + 35 > end) {
    errs?.count('tls.bad_server_hello');
    return null;
  }
  const version = u16(b, p);
  let hrr = true;
  for (let i = 0; i < 32; i++) if (b[p + 2 + i] !== HRR_RANDOM[i]) hrr = false;
  p += 34;
  // TLS 1.3 drafts before 22 (version 0x7fNN) had neither session id nor compression method
  const draft = version >> 8 === 0x7f;
  const sl = draft ? 0 : b[p]!;
  if (!draft) p++;
  const tail = draft ? 2 : 3;
  if (sl > 32 || p + sl + tail > end) {
    errs?.count('tls.bad_server_hello');
    return null;
  }
  const h: ServerHello = {
    version,
    selectedVersion: null,
    cipherSuite: u16(b, p + sl),
    compression: draft ? 0 : b[p + sl + 2]!,
    extensions: [],
    alpn: null,
    sessionId: hex(b, p, p + sl),
    helloRetryRequest: hrr,
  };
  p += sl + tail;
  if (p >= end) return h;
  if (p + 2 > end || p + 2 + u16(b, p) > end) {
    errs?.count('tls.bad_extension');
    return h;
  }
  const xe = p + 2 + u16(b, p);
  p += 2;
  while (p < xe) {
    if (p + 4 > xe || p + 4 + u16(b, p + 2) > xe) {
      errs?.count('tls.bad_extension');
      break;
    }
    const type = u16(b, p);
    const l = u16(b, p + 2);
    const v = p + 4;
    if (h.extensions.length < MAX_EXTS) h.extensions.push(type);
    if (type === 43) {
      if (l === 2) h.selectedVersion = u16(b, v);
      else errs?.count('tls.bad_extension');
    } else if (type === 16) {
      // a protocol name list holding the one selected name
      if (l >= 3 && u16(b, v) === l - 2 && b[v + 2]! + 3 <= l) h.alpn = clip(escapeBytes(b, v + 3, v + 3 + b[v + 2]!));
      else errs?.count('tls.bad_extension');
    }
    p = v + l;
  }
  return h;
}

/** Certificate message body b[p, end); `whole` when the message is complete (else only whole entries are read). */
function certificates(b: Uint8Array, p: number, end: number, whole: boolean, f: TlsServerFlight, errs: ErrorCounter | undefined): void {
  if (p + 3 > end) {
    if (whole) errs?.count('tls.bad_certificate');
    return;
  }
  const ll = (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  p += 3;
  if (whole && p + ll !== end) {
    errs?.count('tls.bad_certificate');
    if (p + ll > end) return;
  }
  const le = Math.min(p + ll, end);
  let n = 0;
  while (p + 3 <= le) {
    const cl = (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
    if (p + 3 + cl > le) {
      if (whole) errs?.count('tls.bad_certificate');
      break;
    }
    n++;
    if (n > MAX_CERTS) {
      if (n === MAX_CERTS + 1) errs?.count('tls.too_many');
    } else {
      const c = parseCertificate(b, p + 3, cl, errs);
      if (c) f.certificates.push(c);
    }
    p += 3 + cl;
  }
  if (whole) f.certificateCount = n;
}

// ---------------------------------------------------------------------------
// X.509

const ATTR: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/** Pushes the UTF-8 encoding of code point c. */
function utf8(out: number[], c: number): void {
  if (c < 0x80) out.push(c);
  else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
  else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  else out.push(0xf0 | ((c >> 18) & 7), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
}

/** A directory string's value as escaped text (at most MAX_TEXT characters). */
function dirString(b: Uint8Array, t: Tlv): string {
  const s = t.start;
  const e = Math.min(t.end, s + MAX_TEXT * 4);
  if (t.tag === 0x1e || t.tag === 0x1c) {
    // BMPString (UCS-2) / UniversalString (UCS-4), big-endian
    const w = t.tag === 0x1e ? 2 : 4;
    const out: number[] = [];
    for (let i = s; i + w <= e && out.length < MAX_TEXT; i += w) {
      const c = w === 2 ? u16(b, i) : (b[i]! << 24) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;
      utf8(out, c >>> 0 > 0x10ffff ? 0xfffd : c >>> 0);
    }
    return clip(escapeBytes(out, 0, out.length));
  }
  return clip(escapeBytes(b, s, Math.min(e, s + MAX_TEXT)));
}

interface NameInfo {
  text: string;
  cn: string | null;
  o: string | null;
}

/** RFC 4514-like text of a Name (SEQUENCE OF SET OF AttributeTypeAndValue), most specific RDN first. */
function name(b: Uint8Array, n: Tlv, errs: ErrorCounter | undefined): NameInfo {
  const info: NameInfo = { text: '', cn: null, o: null };
  const rdns: string[] = [];
  let p = n.start;
  for (let k = 0; p < n.end; k++) {
    if (k >= MAX_RDNS) {
      errs?.count('tls.too_many');
      break;
    }
    const set = readTlv(b, p, n.end);
    if (!set || set.tag !== 0x31) break;
    p = set.end;
    const parts: string[] = [];
    let a = set.start;
    for (let j = 0; j < MAX_ATVS && a < set.end; j++) {
      const atv = readTlv(b, a, set.end);
      if (!atv || atv.tag !== 0x30) break;
      a = atv.end;
      const oid = readTlv(b, atv.start, atv.end);
      if (!oid || oid.tag !== 0x06) continue;
      const val = readTlv(b, oid.end, atv.end);
      if (!val) continue;
      const key = ATTR[oidToString(b, oid.start, oid.end) ?? ''];
      if (!key) continue;
      const v = dirString(b, val);
      if (key === 'CN' && info.cn === null) info.cn = v;
      if (key === 'O' && info.o === null) info.o = v;
      parts.push(`${key}=${dn(v)}`);
    }
    if (parts.length) rdns.push(parts.join('+'));
  }
  let text = '';
  for (let i = rdns.length - 1; i >= 0; i--) {
    const s = (text ? ',' : '') + rdns[i]!;
    if (text.length + s.length > MAX_TEXT) {
      if (!text) text = clip(s); // one huge RDN: its start
      break;
    }
    text += s;
  }
  info.text = text;
  return info;
}

/** RFC 4514 specials backslash-prefixed (the backslash itself is already \x5c). */
function dn(v: string): string {
  let s = v.replace(/[,+"<>;=]/g, (c) => '\\' + c);
  if (s.startsWith('#') || s.startsWith(' ')) s = '\\' + s;
  if (s.endsWith(' ')) s = s.slice(0, -1) + '\\ ';
  return s;
}

function digits(b: Uint8Array, s: number, n: number): number {
  let v = 0;
  for (let i = s; i < s + n; i++) {
    const c = b[i]! - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** UTCTime (0x17) or GeneralizedTime (0x18) as "YYYY-MM-DDTHH:MM:SSZ"; null when unreadable. */
function time(b: Uint8Array, t: Tlv): string | null {
  const s = t.start;
  const n = t.end - s;
  let p: number;
  let year: number;
  if (t.tag === 0x17) {
    if (n < 11) return null;
    const yy = digits(b, s, 2);
    if (yy < 0) return null;
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    p = s + 2;
  } else if (t.tag === 0x18) {
    if (n < 10) return null;
    year = digits(b, s, 4);
    if (year < 0) return null;
    p = s + 4;
  } else return null;
  const e = t.end;
  if (p + 6 > e) return null;
  const mo = digits(b, p, 2);
  const d = digits(b, p + 2, 2);
  const h = digits(b, p + 4, 2);
  p += 6;
  let mi = 0;
  let sec = 0;
  if (p + 2 <= e && b[p] !== 0x5a) {
    mi = digits(b, p, 2);
    p += 2;
    if (p + 2 <= e && b[p]! >= 0x30 && b[p]! <= 0x39) {
      sec = digits(b, p, 2);
      p += 2;
    }
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return null;
  // fraction of a second (GeneralizedTime): skipped
  if (p < e && (b[p] === 0x2e || b[p] === 0x2c)) {
    p++;
    while (p < e && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
  }
  let ms = Date.UTC(year, mo - 1, d, h, mi, sec);
  if (p < e && (b[p] === 0x2b || b[p] === 0x2d) && p + 5 <= e) {
    const oh = digits(b, p + 1, 2);
    const om = digits(b, p + 3, 2);
    if (oh < 0 || om < 0) return null;
    ms -= (b[p] === 0x2b ? 1 : -1) * (oh * 60 + om) * 60000;
  }
  const dt = new Date(ms);
  const y = dt.getUTCFullYear();
  if (!(y >= 0 && y <= 9999)) return null;
  return `${String(y).padStart(4, '0')}-${pad2(dt.getUTCMonth() + 1)}-${pad2(dt.getUTCDate())}T${pad2(dt.getUTCHours())}:${pad2(dt.getUTCMinutes())}:${pad2(dt.getUTCSeconds())}Z`;
}

function sameBytes(b: Uint8Array, s1: number, e1: number, s2: number, e2: number): boolean {
  if (e1 - s1 !== e2 - s2) return false;
  for (let i = 0; i < e1 - s1; i++) if (b[s1 + i] !== b[s2 + i]) return false;
  return true;
}

/**
 * Parses one DER X.509 certificate in `buf[off, off + len)`. Returns null
 * (counted as tls.bad_certificate) when the structure up to the subject does
 * not parse; later damage leaves the fields concerned empty.
 */
export function parseCertificate(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): CertInfo | null {
  const bad = (): null => {
    errs?.count('tls.bad_certificate');
    return null;
  };
  if (!(Number.isInteger(off) && Number.isInteger(len) && off >= 0 && len >= 0)) return bad();
  const end = Math.min(off + len, buf.length);
  const cert = readTlv(buf, off, end);
  if (!cert || cert.tag !== 0x30) return bad();
  const tbs = readTlv(buf, cert.start, cert.end);
  if (!tbs || tbs.tag !== 0x30) return bad();
  let t = readTlv(buf, tbs.start, tbs.end);
  if (t && t.tag === 0xa0) t = readTlv(buf, t.end, tbs.end); // version
  if (!t || t.tag !== 0x02) return bad();
  let ss = t.start;
  if (t.end - ss > 1 && buf[ss] === 0) ss++;
  const serial = hex(buf, ss, Math.min(t.end, ss + 64));
  const alg = readTlv(buf, t.end, tbs.end);
  if (!alg || alg.tag !== 0x30) return bad();
  const iss = readTlv(buf, alg.end, tbs.end);
  if (!iss || iss.tag !== 0x30) return bad();
  const val = readTlv(buf, iss.end, tbs.end);
  if (!val || val.tag !== 0x30) return bad();
  const sub = readTlv(buf, val.end, tbs.end);
  if (!sub || sub.tag !== 0x30) return bad();
  const nb = readTlv(buf, val.start, val.end);
  const na = nb ? readTlv(buf, nb.end, val.end) : null;
  const issuer = name(buf, iss, errs);
  const subject = name(buf, sub, errs);
  const c: CertInfo = {
    length: cert.end - off,
    serial,
    subject: subject.text,
    subjectCN: subject.cn,
    subjectO: subject.o,
    issuer: issuer.text,
    issuerCN: issuer.cn,
    issuerO: issuer.o,
    notBefore: nb ? time(buf, nb) : null,
    notAfter: na ? time(buf, na) : null,
    sanDns: [],
    sanIp: [],
    selfSigned: sameBytes(buf, iss.start, iss.end, sub.start, sub.end),
  };
  // subjectPublicKeyInfo, then optional [1], [2], [3] extensions
  let p = sub.end;
  let exts: Tlv | null = null;
  for (let k = 0; k < 4 && p < tbs.end; k++) {
    const x = readTlv(buf, p, tbs.end);
    if (!x) break;
    if (x.tag === 0xa3) exts = x;
    p = x.end;
  }
  if (!exts) return c;
  const seq = readTlv(buf, exts.start, exts.end);
  if (!seq || seq.tag !== 0x30) return c;
  p = seq.start;
  for (let k = 0; k < MAX_EXTS && p < seq.end; k++) {
    const ext = readTlv(buf, p, seq.end);
    if (!ext || ext.tag !== 0x30) break;
    p = ext.end;
    const oid = readTlv(buf, ext.start, ext.end);
    if (!oid || oid.tag !== 0x06 || oidToString(buf, oid.start, oid.end) !== '2.5.29.17') continue;
    let v = readTlv(buf, oid.end, ext.end);
    if (v && v.tag === 0x01) v = readTlv(buf, v.end, ext.end); // critical
    if (!v || v.tag !== 0x04) continue;
    const names = readTlv(buf, v.start, v.end);
    if (!names || names.tag !== 0x30) continue;
    let g = names.start;
    while (g < names.end) {
      const gn = readTlv(buf, g, names.end);
      if (!gn) break;
      g = gn.end;
      if (c.sanDns.length + c.sanIp.length >= MAX_SAN) {
        errs?.count('tls.too_many');
        break;
      }
      if (gn.tag === 0x82) c.sanDns.push(clip(escapeBytes(buf, gn.start, Math.min(gn.end, gn.start + MAX_TEXT))));
      else if (gn.tag === 0x87) {
        const l = gn.end - gn.start;
        c.sanIp.push(l === 4 ? ip4Text(buf, gn.start) : l === 16 ? ip6Text(buf, gn.start) : hex(buf, gn.start, Math.min(gn.end, gn.start + 32)));
      }
    }
  }
  return c;
}
