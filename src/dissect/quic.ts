/**
 * QUIC dissector (RFC 9000, RFC 9001; QUIC version 2, RFC 9369): the TLS
 * ClientHello a client carries in its Initial packets (SNI, ALPN, JA3 and the
 * JA4 fingerprint with transport 'q'), and the ServerHello of the server's
 * Initial (selected cipher suite). Everything after the Initials (Handshake,
 * 0-RTT and 1-RTT packets, the certificate) is encrypted with keys a passive
 * observer cannot have, and is left alone.
 *
 * Initial keys (RFC 9001 section 5.2, RFC 9369 section 3.3): HKDF-Extract of
 * the Destination Connection ID of the client's first Initial with the
 * version's salt, then HKDF-Expand-Label "client in" / "server in", then the
 * version's "quic key" / "quic iv" / "quic hp" labels ("quicv2 ..." in v2).
 * Header protection is AES-128-ECB over a 16-byte sample taken 4 bytes after
 * the packet number's start; the payload is AES-128-GCM with the unprotected
 * header as associated data and the IV xor the packet number as nonce.
 *
 * A datagram may hold several packets (coalesced, RFC 9000 section 12.2):
 * long-header packets are walked by their Length fields; a Retry or Version
 * Negotiation packet, or a short-header packet, ends the walk. In decrypted
 * Initials the frames allowed there are read (PADDING, PING, ACK, CRYPTO,
 * CONNECTION_CLOSE); any other type stops the packet's walk (counted). CRYPTO
 * data is put in place by offset, so a ClientHello split over several packets
 * and datagrams, in any order and with retransmissions (Chrome scatters its
 * hello over many small frames), is whole once the bytes from offset 0 to its
 * announced length are in. It is then parsed by the TLS ClientHello parser.
 *
 * Per connection (the addresses and ports of the flow, within one
 * dispatcher), the keys of the client's first decryptable Initial are kept:
 * later Initials use them even after the client switched to the server's
 * connection id. When they do not decrypt an Initial whose DCID differs (the
 * client's next Initial after a Retry, or a new connection on the same
 * ports), keys from that Initial's own DCID are tried and, when they work,
 * replace the old ones (the CRYPTO stream starts again).
 *
 * Bounds: at most MAX_CRYPTO bytes of the client's CRYPTO stream and
 * MAX_SERVER_CRYPTO of the server's, MAX_INITIALS Initial packets opened per
 * direction, MAX_RANGES separate pieces, MAX_PACKETS packets per datagram,
 * MAX_CONNS connections with state per dispatcher (the oldest dropped first).
 * A direction is done (the engine stops calling) once its hello is read or a
 * bound is reached. Only long-header Initial packets allocate (keys,
 * decryption); a short-header packet costs two byte reads.
 *
 * Verdicts: a datagram that is not a v1/v2 long-header packet, or an Initial
 * that cannot be decrypted before the connection is known, is not QUIC
 * (NotMine). A short-header packet is NotMine too: once a tied connection
 * sends them its handshake Initials are behind it. Version Negotiation and
 * Retry packets are recognised and ignored (Continue).
 *
 * Style (see /work/shared/ARCHITECTURE.md): lengths are checked before every
 * read, nothing throws (the AEAD's authentication failure is caught), each
 * malformation is counted by name.
 *
 * Counters (besides the tls.* counters of the ClientHello parser):
 *   quic.truncated        a long-header packet whose Length runs past the datagram
 *   quic.undecryptable    an Initial of a known connection that no key opens
 *   quic.bad_frame        a frame type not allowed in an Initial, or a frame
 *                         running past the payload (the rest of the packet is skipped)
 *   quic.crypto_capped    CRYPTO data beyond MAX_CRYPTO, a hello longer than
 *                         that, or too many separate pieces: the hello is given up
 *   quic.not_hello        the CRYPTO stream does not start with a ClientHello
 *                         (client) or ServerHello (server)
 */
import { createCipheriv, createDecipheriv, createHmac, type Cipher } from 'node:crypto';
import { u16, u32 } from '../decode/bytes.js';
import { L3, type PacketView } from '../decode/view.js';
import { parseClientHello } from './tls-client-hello.js';
import { parseTlsServerFlight } from './tls-server.js';
import { Verdict, type DissectContext, type Dissector } from './types.js';

export const QUIC_V1 = 0x00000001;
export const QUIC_V2 = 0x6b3343cf;

const SALT_V1 = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');
const SALT_V2 = Buffer.from('0dede3def700a6db819381be6e269dcbf9bd2ed9', 'hex');

/** Packet types, the same numbers for both versions (v2 encodes them differently on the wire). */
export const enum PacketType {
  Initial = 0,
  ZeroRtt = 1,
  Handshake = 2,
  Retry = 3,
}

const MAX_CRYPTO = 16384;
const MAX_SERVER_CRYPTO = 4096;
const MAX_INITIALS = 16;
const MAX_RANGES = 64;
const MAX_PACKETS = 8;
const MAX_CONNS = 1024;
/** Largest connection id in QUIC v1 and v2 (RFC 9000 section 17.2). */
const MAX_CID = 20;
/** Clients pad datagrams with Initial packets to at least this (RFC 9000 section 14.1). */
const MIN_CLIENT_DATAGRAM = 1200;

const FRAME_PADDING = 0x00;
const FRAME_PING = 0x01;
const FRAME_ACK = 0x02;
const FRAME_ACK_ECN = 0x03;
const FRAME_CRYPTO = 0x06;
const FRAME_CLOSE = 0x1c;

const HS_CLIENT_HELLO = 1;
const HS_SERVER_HELLO = 2;

// ---------------------------------------------------------------------------
// Keys

/** The protection keys of one direction: AEAD key and IV, header protection key. */
export interface InitialKeys {
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
  /** AES-128-ECB encryptor of `hp`, reused for every mask (one block in, one block out). */
  hpCipher: Cipher;
}

/** HKDF-Expand-Label (RFC 8446 section 7.1) with an empty context, for outputs of at most 32 bytes (one HMAC block). */
function expandLabel(secret: Buffer, label: string, length: number): Buffer {
  const full = 'tls13 ' + label;
  const info = Buffer.alloc(2 + 1 + full.length + 1 + 1);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  info.write(full, 3, 'latin1');
  info[3 + full.length] = 0; // context length
  info[4 + full.length] = 1; // HKDF-Expand counter T(1)
  return createHmac('sha256', secret).update(info).digest().subarray(0, length);
}

/** Initial keys of the client ('client in') or server ('server in') for `version`, from the client's DCID. */
export function initialKeys(version: number, dcid: Uint8Array, side: 'client' | 'server'): InitialKeys {
  const v2 = version === QUIC_V2;
  const initial = createHmac('sha256', v2 ? SALT_V2 : SALT_V1).update(dcid).digest();
  const secret = expandLabel(initial, side === 'client' ? 'client in' : 'server in', 32);
  const key = expandLabel(secret, v2 ? 'quicv2 key' : 'quic key', 16);
  const iv = expandLabel(secret, v2 ? 'quicv2 iv' : 'quic iv', 12);
  const hp = expandLabel(secret, v2 ? 'quicv2 hp' : 'quic hp', 16);
  const hpCipher = createCipheriv('aes-128-ecb', hp, null);
  hpCipher.setAutoPadding(false);
  return { key, iv, hp, hpCipher };
}

// ---------------------------------------------------------------------------
// Headers

/** A variable-length integer (RFC 9000 section 16) at `b[p]`; -1 when it runs past `end`. Sets `vEnd`. */
let vEnd = 0;
function varint(b: Uint8Array, p: number, end: number): number {
  if (p >= end) return -1;
  const first = b[p]!;
  const n = 1 << (first >> 6);
  if (p + n > end) return -1;
  let v = first & 0x3f;
  for (let i = 1; i < n; i++) v = v * 256 + b[p + i]!;
  vEnd = p + n;
  return v;
}

/** The long header read by longHeader(), reused. */
export interface LongHeader {
  version: number;
  type: PacketType;
  dcidOff: number;
  dcidLen: number;
  scidOff: number;
  scidLen: number;
  /** Initial: where the token starts and its length. */
  tokenOff: number;
  tokenLen: number;
  /** Where the (protected) packet number starts; -1 for Retry and Version Negotiation. */
  pnOff: number;
  /** One past the packet's last byte (the datagram's end for Retry and Version Negotiation). */
  end: number;
}

const hdr: LongHeader = { version: 0, type: PacketType.Initial, dcidOff: 0, dcidLen: 0, scidOff: 0, scidLen: 0, tokenOff: 0, tokenLen: 0, pnOff: -1, end: 0 };

/** The packet type of a v1 or v2 long header's first byte. */
function packetType(b0: number, version: number): PacketType {
  const raw = (b0 >> 4) & 3;
  return (version === QUIC_V2 ? (raw + 3) & 3 : raw) as PacketType;
}

const LONG_OK = 0;
const LONG_NOT = 1;
const LONG_TRUNCATED = 2;

/**
 * The long-header packet at `b[p, end)` into `hdr`: a version 1 or 2 packet
 * with the fixed bit, or a Version Negotiation packet (version 0, `hdr.type`
 * then Retry-like: no packet number, running to `end`).
 */
function longHeader(b: Uint8Array, p: number, end: number): number {
  if (end - p < 7) return LONG_NOT;
  const b0 = b[p]!;
  if ((b0 & 0x80) === 0) return LONG_NOT;
  const version = u32(b, p + 1);
  if (version !== 0 && ((version !== QUIC_V1 && version !== QUIC_V2) || (b0 & 0x40) === 0)) return LONG_NOT;
  let q = p + 5;
  const dl = b[q]!;
  if (dl > MAX_CID && version !== 0) return LONG_NOT;
  hdr.dcidOff = q + 1;
  hdr.dcidLen = dl;
  q += 1 + dl;
  if (q >= end) return LONG_TRUNCATED;
  const sl = b[q]!;
  if (sl > MAX_CID && version !== 0) return LONG_NOT;
  hdr.scidOff = q + 1;
  hdr.scidLen = sl;
  q += 1 + sl;
  if (q > end) return LONG_TRUNCATED;
  hdr.version = version;
  hdr.tokenOff = 0;
  hdr.tokenLen = 0;
  hdr.pnOff = -1;
  hdr.end = end;
  if (version === 0) {
    hdr.type = PacketType.Retry;
    return LONG_OK;
  }
  const type = packetType(b0, version);
  hdr.type = type;
  if (type === PacketType.Retry) return LONG_OK;
  if (type === PacketType.Initial) {
    const tl = varint(b, q, end);
    if (tl < 0 || vEnd + tl > end) return LONG_TRUNCATED;
    hdr.tokenOff = vEnd;
    hdr.tokenLen = tl;
    q = vEnd + tl;
  }
  const length = varint(b, q, end);
  if (length < 0) return LONG_TRUNCATED;
  if (vEnd + length > end) return LONG_TRUNCATED;
  hdr.pnOff = vEnd;
  hdr.end = vEnd + length;
  return LONG_OK;
}

/** RFC 9000 appendix A.3: the full packet number closest to the next expected one. */
function decodePacketNumber(largest: number, truncated: number, bits: number): number {
  const expected = largest + 1;
  const win = 2 ** bits;
  const hwin = win / 2;
  const candidate = expected - (expected % win) + truncated;
  if (candidate <= expected - hwin && candidate < 2 ** 62 - win) return candidate + win;
  if (candidate > expected + hwin && candidate >= win) return candidate - win;
  return candidate;
}

/** Packet number of the last packet opened by openPacket(). */
let openedPn = 0;

/**
 * Removes header protection from the packet `b[start, end)` whose packet
 * number starts at `pnOff` and decrypts its payload. The capture buffer is
 * not modified. Null when the packet is too short or does not authenticate.
 */
export function openPacket(b: Uint8Array, start: number, pnOff: number, end: number, keys: InitialKeys, largestPn = -1): Buffer | null {
  // The sample is 16 bytes starting 4 bytes after the packet number's start;
  // a packet shorter than that plus the tag cannot be valid.
  if (pnOff + 4 + 16 > end || end - pnOff < 1 + 16 + 4) return null;
  let mask: Buffer;
  try {
    mask = keys.hpCipher.update(b.subarray(pnOff + 4, pnOff + 20));
  } catch {
    return null;
  }
  if (mask.length < 5) return null;
  const first = b[start]! ^ (mask[0]! & 0x0f);
  const pnLen = (first & 3) + 1;
  const headerLen = pnOff - start + pnLen;
  const header = Buffer.allocUnsafe(headerLen);
  header.set(b.subarray(start, pnOff + pnLen));
  header[0] = first;
  let truncated = 0;
  for (let i = 0; i < pnLen; i++) {
    const x = header[pnOff - start + i]! ^ mask[1 + i]!;
    header[pnOff - start + i] = x;
    truncated = truncated * 256 + x;
  }
  const pn = decodePacketNumber(largestPn, truncated, pnLen * 8);
  const nonce = Buffer.from(keys.iv);
  let x = pn;
  for (let i = 11; i >= 4 && x > 0; i--) {
    nonce[i] = nonce[i]! ^ x % 256;
    x = Math.floor(x / 256);
  }
  const ctEnd = end - 16;
  const ctStart = pnOff + pnLen;
  if (ctEnd < ctStart) return null;
  try {
    const d = createDecipheriv('aes-128-gcm', keys.key, nonce);
    d.setAAD(header);
    d.setAuthTag(b.subarray(ctEnd, end));
    const out = d.update(b.subarray(ctStart, ctEnd));
    d.final();
    openedPn = pn;
    return out;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------
// CRYPTO stream

/** One direction's CRYPTO stream, put together by offset (bounded). */
class CryptoStream {
  buf: Buffer | null = null;
  /** Disjoint [start, end) pairs, sorted. */
  ranges: number[] = [];
  capped = false;

  constructor(readonly cap: number) {}

  add(b: Uint8Array, p: number, n: number, offset: number): void {
    if (n === 0) return;
    if (offset >= this.cap) {
      this.capped = true;
      return;
    }
    let e = offset + n;
    if (e > this.cap) {
      e = this.cap;
      this.capped = true;
    }
    if (this.buf === null || this.buf.length < e) {
      const size = Math.min(this.cap, Math.max(e, 2048, (this.buf?.length ?? 0) * 2));
      const nb = Buffer.alloc(size);
      if (this.buf !== null) this.buf.copy(nb);
      this.buf = nb;
    }
    this.buf.set(b.subarray(p, p + (e - offset)), offset);
    // Insert and merge.
    const r = this.ranges;
    let s = offset;
    let f = e;
    const out: number[] = [];
    let placed = false;
    for (let i = 0; i < r.length; i += 2) {
      const a = r[i]!;
      const z = r[i + 1]!;
      if (z < s) out.push(a, z);
      else if (a > f) {
        if (!placed) {
          out.push(s, f);
          placed = true;
        }
        out.push(a, z);
      } else {
        s = Math.min(s, a);
        f = Math.max(f, z);
      }
    }
    if (!placed) out.push(s, f);
    this.ranges = out;
    if (out.length > MAX_RANGES * 2) this.capped = true;
  }

  /** Bytes in from offset 0 without a gap. */
  prefix(): number {
    return this.ranges.length !== 0 && this.ranges[0] === 0 ? this.ranges[1]! : 0;
  }
}

/**
 * Reads the frames of a decrypted Initial payload, putting CRYPTO data into
 * `stream`. False when a frame is not allowed in an Initial or runs past the
 * payload (counted): the rest of the payload is skipped.
 */
export function readInitialFrames(p: Buffer, stream: { add(b: Uint8Array, p: number, n: number, offset: number): void }, errs?: { count(reason: string): void }): boolean {
  const end = p.length;
  let i = 0;
  while (i < end) {
    const t = p[i]!;
    if (t === FRAME_PADDING) {
      i++;
      continue;
    }
    if (t === FRAME_PING) {
      i++;
      continue;
    }
    i++;
    if (t === FRAME_CRYPTO) {
      const off = varint(p, i, end);
      if (off < 0) break;
      const n = varint(p, vEnd, end);
      if (n < 0 || vEnd + n > end) break;
      stream.add(p, vEnd, n, off);
      i = vEnd + n;
      continue;
    }
    if (t === FRAME_ACK || t === FRAME_ACK_ECN) {
      // Largest acknowledged, delay, range count, first range, ranges, ECN counts.
      let q = i;
      let ok = true;
      for (let k = 0; k < 2 && ok; k++) {
        if (varint(p, q, end) < 0) ok = false;
        else q = vEnd;
      }
      if (!ok) break;
      const count = varint(p, q, end);
      if (count < 0 || count > 256) break;
      q = vEnd;
      // count (gap, length) pairs after the first range; three ECN counts for 0x03.
      const more = 1 + 2 * count + (t === FRAME_ACK_ECN ? 3 : 0);
      for (let k = 0; k < more && ok; k++) {
        if (varint(p, q, end) < 0) ok = false;
        else q = vEnd;
      }
      if (!ok) break;
      i = q;
      continue;
    }
    if (t === FRAME_CLOSE) {
      // Error code, frame type, reason phrase.
      if (varint(p, i, end) < 0 || varint(p, vEnd, end) < 0) break;
      const n = varint(p, vEnd, end);
      if (n < 0 || vEnd + n > end) break;
      i = vEnd + n;
      continue;
    }
    break;
  }
  if (i < end) {
    errs?.count('quic.bad_frame');
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Connections

class Conn {
  /** Keys in use, for the version they were made for. */
  clientKeys: InitialKeys | null = null;
  clientVersion = 0;
  serverKeys: InitialKeys | null = null;
  serverVersion = 0;
  clientPn = -1;
  serverPn = -1;
  clientInitials = 0;
  serverInitials = 0;
  hello: CryptoStream | null = new CryptoStream(MAX_CRYPTO);
  serverHello: CryptoStream | null = null;
  clientDone = false;
  serverDone = false;
  /** The source id of a server's Retry: the DCID of the keys that follow it. */
  retryDcid: Buffer | null = null;

  constructor(
    /** The DCID the keys come from: the client's first Initial's (or the one after a Retry). */
    public dcid: Buffer,
    /** The client's source connection id, hex. */
    readonly scid: string,
  ) {}

  keysFor(version: number, client: boolean): InitialKeys {
    if (client) {
      if (this.clientKeys === null || this.clientVersion !== version) {
        this.clientKeys = initialKeys(version, this.dcid, 'client');
        this.clientVersion = version;
      }
      return this.clientKeys;
    }
    if (this.serverKeys === null || this.serverVersion !== version) {
      this.serverKeys = initialKeys(version, this.dcid, 'server');
      this.serverVersion = version;
    }
    return this.serverKeys;
  }
}

/** Connections per dispatcher (the context object), so that separate runs never share state. */
const perContext = new WeakMap<object, Map<string, Conn>>();

function connections(ctx: DissectContext): Map<string, Conn> {
  let m = perContext.get(ctx);
  if (m === undefined) {
    m = new Map();
    perContext.set(ctx, m);
  }
  return m;
}

function addrText(v: PacketView, src: boolean): string {
  if (v.l3 === L3.IPv6) {
    const w = src ? v.src6 : v.dst6;
    return `${w[0]}.${w[1]}.${w[2]}.${w[3]}`;
  }
  return String(src ? v.src4 : v.dst4);
}

/** The connection's addresses and ports, client first. */
function flowKey(ctx: DissectContext): string {
  const v = ctx.view;
  if (v === undefined) return '';
  const a = `${addrText(v, true)}/${v.srcPort}`;
  const b = `${addrText(v, false)}/${v.dstPort}`;
  return `${v.vlan}|${ctx.fromClient ? a + '>' + b : b + '>' + a}`;
}

const HEX = '0123456789abcdef';
function hexOf(b: Uint8Array, p: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += HEX[b[p + i]! >> 4]! + HEX[b[p + i]! & 15]!;
  return s;
}

/** A handshake message of `stream` with a TLS record header in front, once whole; null while incomplete. */
function wholeMessage(stream: CryptoStream): Buffer | 'bad' | null {
  const have = stream.prefix();
  if (have < 4) return stream.capped ? 'bad' : null;
  const b = stream.buf!;
  const need = 4 + b[1]! * 65536 + u16(b, 2);
  if (need > stream.cap) return 'bad';
  if (have < need) return stream.capped ? 'bad' : null;
  const rec = Buffer.allocUnsafe(5 + need);
  rec[0] = 22;
  rec[1] = 3;
  rec[2] = 1;
  rec.writeUInt16BE(need, 3);
  b.copy(rec, 5, 0, need);
  return rec;
}

/**
 * Adds a decrypted Initial's CRYPTO frames to `stream`: the hello (of
 * handshake type `type`, with a record header) once whole, null while
 * incomplete, 'stop' when it cannot be had (capped or another message; counted).
 */
function takeHello(payload: Buffer, stream: CryptoStream, type: number, ctx: DissectContext): Buffer | 'stop' | null {
  readInitialFrames(payload, stream, ctx);
  const msg = wholeMessage(stream);
  if (msg === null) return null;
  if (msg === 'bad') {
    ctx.count('quic.crypto_capped');
    return 'stop';
  }
  if (msg[5] !== type) {
    ctx.count('quic.not_hello');
    return 'stop';
  }
  return msg;
}

// ---------------------------------------------------------------------------
// Dissector

function clientDatagram(buf: Buffer, off: number, len: number, ctx: DissectContext): Verdict {
  const end = off + len;
  const conns = connections(ctx);
  const key = flowKey(ctx);
  let conn = conns.get(key);
  let opened = false;
  let p = off;
  for (let n = 0; n < MAX_PACKETS && p < end; n++) {
    const start = p;
    const r = longHeader(buf, p, end);
    if (r === LONG_TRUNCATED) {
      ctx.count('quic.truncated');
      break;
    }
    if (r !== LONG_OK || hdr.version === 0 || hdr.type === PacketType.Retry) break;
    p = hdr.end;
    if (hdr.type !== PacketType.Initial) continue; // 0-RTT, Handshake: encrypted with keys we cannot have
    const version = hdr.version;
    const dcid = buf.subarray(hdr.dcidOff, hdr.dcidOff + hdr.dcidLen);
    const scid = hexOf(buf, hdr.scidOff, hdr.scidLen);
    // A new connection on the same ports: another client id, or the engine calls again after we were done.
    if (conn !== undefined && (conn.clientDone || conn.scid !== scid)) {
      conns.delete(key);
      conn = undefined;
    }
    let fresh = false;
    if (conn === undefined) {
      conn = new Conn(Buffer.from(dcid), scid);
      fresh = true;
    }
    if (conn.clientInitials >= MAX_INITIALS) {
      conn.clientDone = true;
      break;
    }
    conn.clientInitials++;
    let payload = openPacket(buf, start, hdr.pnOff, hdr.end, conn.keysFor(version, true), conn.clientPn);
    if (payload === null && !fresh && !conn.dcid.equals(dcid)) {
      // After a Retry the client's Initials are protected with keys from the new DCID.
      const k = initialKeys(version, dcid, 'client');
      payload = openPacket(buf, start, hdr.pnOff, hdr.end, k, -1);
      if (payload !== null) {
        conn.dcid = Buffer.from(dcid);
        conn.retryDcid = null;
        conn.clientKeys = k;
        conn.clientVersion = version;
        conn.serverKeys = null;
        conn.clientPn = -1;
        conn.hello = new CryptoStream(MAX_CRYPTO);
      }
    }
    if (payload === null) {
      if (fresh) {
        conn = undefined; // not a connection we can read: nothing kept
        continue;
      }
      ctx.count('quic.undecryptable');
      continue;
    }
    if (fresh) {
      if (conns.size >= MAX_CONNS) conns.delete(conns.keys().next().value!);
      conns.set(key, conn);
    }
    opened = true;
    if (openedPn > conn.clientPn) conn.clientPn = openedPn;
    if (conn.hello === null) continue;
    const msg = takeHello(payload, conn.hello, HS_CLIENT_HELLO, ctx);
    if (msg === null) continue;
    conn.clientDone = true;
    conn.hello = null;
    if (msg !== 'stop') reportHello(msg, ctx);
    break;
  }
  if (conn === undefined || (!opened && !conns.has(key))) return Verdict.NotMine;
  if (conn.clientDone) {
    if (conn.serverDone) conns.delete(key);
    return Verdict.Done;
  }
  return Verdict.Continue;
}

function reportHello(rec: Buffer, ctx: DissectContext): void {
  const h = parseClientHello(rec, 0, rec.length, ctx, 'q');
  if (h === null) return;
  const data = h.alpn.length !== 0 ? { alpn: h.alpn.slice(0, 8) } : undefined;
  if (h.sni) {
    ctx.src('sni', h.sni, data);
    ctx.dst('hostname', h.sni, { from: 'sni' });
  }
  ctx.src('ja3', h.ja3);
  ctx.src('ja4', h.ja4, data);
}

function serverDatagram(buf: Buffer, off: number, len: number, ctx: DissectContext): Verdict {
  const end = off + len;
  const conns = connections(ctx);
  const key = flowKey(ctx);
  const conn = conns.get(key);
  let p = off;
  let known = false;
  for (let n = 0; n < MAX_PACKETS && p < end; n++) {
    const start = p;
    const r = longHeader(buf, p, end);
    if (r === LONG_TRUNCATED) {
      ctx.count('quic.truncated');
      break;
    }
    if (r !== LONG_OK) break;
    // Version Negotiation and Retry: nothing to read. A Retry's source id is
    // the DCID the client's next Initial uses, and that both sides' keys
    // then come from (the client side finds it in that Initial).
    if (hdr.version === 0 || hdr.type === PacketType.Retry) {
      if (hdr.version !== 0 && conn !== undefined && hdr.scidLen > 0) conn.retryDcid = Buffer.from(buf.subarray(hdr.scidOff, hdr.scidOff + hdr.scidLen));
      return conn?.serverDone ? Verdict.Done : Verdict.Continue;
    }
    p = hdr.end;
    if (hdr.type !== PacketType.Initial || conn === undefined || conn.serverDone) continue;
    if (conn.serverInitials >= MAX_INITIALS) {
      conn.serverDone = true;
      break;
    }
    conn.serverInitials++;
    let payload = openPacket(buf, start, hdr.pnOff, hdr.end, conn.keysFor(hdr.version, false), conn.serverPn);
    if (payload === null && conn.retryDcid !== null) {
      const k = initialKeys(hdr.version, conn.retryDcid, 'server');
      payload = openPacket(buf, start, hdr.pnOff, hdr.end, k, -1);
      if (payload !== null) {
        conn.dcid = conn.retryDcid;
        conn.retryDcid = null;
        conn.serverKeys = k;
        conn.serverVersion = hdr.version;
        conn.clientKeys = null;
      }
    }
    if (payload === null) {
      ctx.count('quic.undecryptable');
      continue;
    }
    known = true;
    if (openedPn > conn.serverPn) conn.serverPn = openedPn;
    conn.serverHello ??= new CryptoStream(MAX_SERVER_CRYPTO);
    const msg = takeHello(payload, conn.serverHello, HS_SERVER_HELLO, ctx);
    if (msg === null) continue;
    conn.serverDone = true;
    conn.serverHello = null;
    if (msg !== 'stop') reportServerHello(msg, hdr.version, ctx);
    break;
  }
  if (conn === undefined) return Verdict.NotMine;
  if (conn.serverDone) {
    if (conn.clientDone) conns.delete(key);
    return Verdict.Done;
  }
  return known || p > off ? Verdict.Continue : Verdict.NotMine;
}

function reportServerHello(rec: Buffer, version: number, ctx: DissectContext): void {
  const f = parseTlsServerFlight(rec, 0, rec.length, ctx);
  const hello = f?.serverHello ?? null;
  if (hello === null || hello.helloRetryRequest) return;
  const v = hello.selectedVersion ?? hello.version;
  const tls = v === 0x0304 ? 'TLS 1.3' : '0x' + v.toString(16);
  ctx.src('banner', `QUIC ${version === QUIC_V2 ? 'v2' : 'v1'} ${tls} cipher 0x${hello.cipherSuite.toString(16).padStart(4, '0')}`);
}

/** A client's first datagram: long header with the fixed bit, version 1 or 2, an Initial, a DCID of at most 20 bytes, padded to 1200. */
export function looksLikeQuicInitial(buf: Uint8Array, off: number, len: number): boolean {
  if (len < MIN_CLIENT_DATAGRAM) return false;
  const b0 = buf[off]!;
  if ((b0 & 0xc0) !== 0xc0) return false;
  const v = u32(buf, off + 1);
  if (v !== QUIC_V1 && v !== QUIC_V2) return false;
  return packetType(b0, v) === PacketType.Initial && buf[off + 5]! <= MAX_CID;
}

export const quicDissector: Dissector = {
  id: 'quic',
  app: { application: 'QUIC', family: 'Web Services' },
  udpPorts: [443],
  probe(buf, off, len, proto) {
    return proto === 17 && looksLikeQuicInitial(buf, off, len);
  },
  dissect(buf, off, len, ctx) {
    if (len < 7 || off + len > buf.length) return Verdict.NotMine;
    // Short header: 1-RTT data, the handshake is over (or was not seen).
    if ((buf[off]! & 0x80) === 0) return Verdict.NotMine;
    return ctx.fromClient ? clientDatagram(buf, off, len, ctx) : serverDatagram(buf, off, len, ctx);
  },
};
