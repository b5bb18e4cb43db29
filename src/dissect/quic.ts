/**
 * QUIC dissector (RFC 9000, RFC 9001; QUIC version 2, RFC 9369; the IETF
 * drafts 23 to 34): the TLS ClientHello a client carries in its Initial
 * packets (SNI, ALPN, JA3 and the JA4 fingerprint with transport 'q'), and
 * the ServerHello of the server's Initial (selected cipher suite).
 * Everything after the Initials (Handshake, 0-RTT and 1-RTT packets, the
 * certificate) is encrypted with keys a passive observer cannot have, and is
 * left alone.
 *
 * Initial keys (RFC 9001 section 5.2, RFC 9369 section 3.3): HKDF-Extract of
 * the Destination Connection ID of the client's first Initial with the
 * version's salt, then HKDF-Expand-Label "client in" / "server in", then the
 * version's "quic key" / "quic iv" / "quic hp" labels ("quicv2 ..." in v2).
 * The drafts (versions 0xff0000NN) have the v1 packet layout, labels, header
 * protection and Initial frames, with their own salts: drafts 23-28 one
 * (draft-ietf-quic-tls-23 section 5.2), drafts 29-32 another
 * (draft-ietf-quic-tls-29), drafts 33-34 the v1 salt. Their ClientHellos
 * carry the transport parameters in extension 0xffa5 instead of 57: to JA3
 * and JA4 it is one more extension type, as tshark counts it. Google's T050
 * and T051 (TLS in IETF long headers, salts in quiche's crypto_utils.cc) are
 * not read: their Initials carry Google QUIC frames (CRYPTO is type 0x08,
 * other ACK layouts), not the IETF frames below.
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
 * connection id (RFC 9001 section 5.2: the secrets do not change when the
 * client changes its DCID in response to the server's Initial). A Retry
 * (RFC 9000 section 17.2.5) changes them: the server's Retry names a new
 * connection id (its SCID), and the client's next Initials use it as DCID
 * and the keys made from it; both sides' keys are then taken from it. The
 * client sends the same ClientHello again at the same CRYPTO offsets and
 * does not reset its packet numbers, so the stream and what was read stay.
 * When neither opens an Initial whose DCID differs (a Retry not seen, or a
 * new connection on the same ports), keys from that Initial's own DCID are
 * tried and, when they work, the connection starts afresh. So does a client
 * Initial in another version after a Version Negotiation, or between
 * versions that cannot be negotiated compatibly (only v1 and v2 can,
 * RFC 9368).
 *
 * HelloRetryRequest (RFC 8446 section 4.1.4, RFC 9001 section 4.7): the
 * server's first Initial CRYPTO message may be a ServerHello with the HRR
 * random; the client then sends a second ClientHello in later Initials, with
 * the same keys, at the CRYPTO offsets that follow its first hello, and the
 * server's real ServerHello follows the HRR in its stream. So after its
 * first hello the client side keeps reading, from the next offset, until a
 * second hello, the server's real ServerHello, or a client Handshake packet
 * (the client has the ServerHello) ends it. Until the client has heard from
 * the server (its Initials still carry the DCID of its keys) and no HRR was
 * seen, its Initials only repeat the first hello and are not opened. The
 * first hello gives SNI, ALPN, JA3, JA4; the second only its JA3 and JA4
 * when they differ from the first's (it is the same hello with a new key
 * share, a cookie, no early_data), with data `after: 'hello_retry_request'`.
 * The server's banner comes from the real ServerHello, whose cipher suite
 * must be the HRR's (counted when not).
 *
 * Bounds: at most MAX_CRYPTO bytes of the client's CRYPTO stream (counted
 * from the message being read: its first hello's buffer is dropped once read)
 * and MAX_SERVER_CRYPTO of the server's, MAX_INITIALS Initial packets opened
 * per direction, MAX_RANGES separate pieces, MAX_PACKETS packets per
 * datagram, MAX_CONNS connections with state per dispatcher (the oldest
 * dropped first), two ClientHellos per connection. A direction is done (the
 * engine stops calling) once its hello is read (the client's: once no second
 * can come) or a bound is reached. Only long-header Initial packets allocate
 * (keys, decryption); a short-header packet costs two byte reads, a client
 * Initial waiting for a second hello that only repeats the first (same DCID)
 * a header read.
 *
 * Verdicts: a datagram that is not a long-header packet of a known version,
 * or an Initial that cannot be decrypted before the connection is known, is
 * not QUIC (NotMine). A short-header packet is NotMine too: once a tied
 * connection sends them its handshake Initials are behind it. Version
 * Negotiation and Retry packets are recognised (Continue): they are noted
 * for the client's next Initials, nothing else is read from them. The
 * client side is Continue after its first hello (a second may follow, see
 * above), Done after the second or once it cannot come.
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
 *                         (client) or ServerHello (server), or what follows
 *                         the client's first hello is not a ClientHello
 *   quic.hrr_mismatch     a second HelloRetryRequest, or a ServerHello whose
 *                         cipher suite is not the HelloRetryRequest's (RFC 8446
 *                         section 4.1.4: the client aborts)
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
/** draft-ietf-quic-tls-23 to -28. */
const SALT_DRAFT_23 = Buffer.from('c3eef712c72ebb5a11a7d2432bb46365bef9f502', 'hex');
/** draft-ietf-quic-tls-29 to -32. */
const SALT_DRAFT_29 = Buffer.from('afbfec289993d24c9e9786f19c6111e04390a899', 'hex');

/** The draft number of an IETF draft version 0xff0000NN, else 0. */
function draftOf(version: number): number {
  return version >>> 8 === 0xff0000 ? version & 0xff : 0;
}

/** The Initial salt of a version this file reads, or null for any other version. */
function saltOf(version: number): Buffer | null {
  if (version === QUIC_V1) return SALT_V1;
  if (version === QUIC_V2) return SALT_V2;
  const d = draftOf(version);
  if (d >= 23 && d <= 28) return SALT_DRAFT_23;
  if (d >= 29 && d <= 32) return SALT_DRAFT_29;
  if (d === 33 || d === 34) return SALT_V1;
  return null;
}

/** QUIC v1, v2 or an IETF draft from 23 to 34: the versions whose Initials this file reads. */
export function isKnownVersion(version: number): boolean {
  return saltOf(version) !== null;
}

/** 'v1', 'v2', 'draft-29'. */
function versionName(version: number): string {
  if (version === QUIC_V2) return 'v2';
  const d = draftOf(version);
  return d !== 0 ? `draft-${d}` : 'v1';
}

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

/** Initial keys of the client ('client in') or server ('server in') for `version` (v1, v2 or a draft), from the client's DCID. */
export function initialKeys(version: number, dcid: Uint8Array, side: 'client' | 'server'): InitialKeys {
  const v2 = version === QUIC_V2;
  const initial = createHmac('sha256', saltOf(version) ?? SALT_V1).update(dcid).digest();
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

/** The packet type of a long header's first byte (drafts number them as v1). */
function packetType(b0: number, version: number): PacketType {
  const raw = (b0 >> 4) & 3;
  return (version === QUIC_V2 ? (raw + 3) & 3 : raw) as PacketType;
}

const LONG_OK = 0;
const LONG_NOT = 1;
const LONG_TRUNCATED = 2;

/**
 * The long-header packet at `b[p, end)` into `hdr`: a packet of a known
 * version (v1, v2, a draft) with the fixed bit, or a Version Negotiation
 * packet (version 0, `hdr.type` then Retry-like: no packet number, running
 * to `end`).
 */
function longHeader(b: Uint8Array, p: number, end: number): number {
  if (end - p < 7) return LONG_NOT;
  const b0 = b[p]!;
  if ((b0 & 0x80) === 0) return LONG_NOT;
  const version = u32(b, p + 1);
  if (version !== 0 && (!isKnownVersion(version) || (b0 & 0x40) === 0)) return LONG_NOT;
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

/**
 * One direction's CRYPTO stream, put together by offset (bounded). Offsets
 * are kept relative to `base`, the stream offset of the first message not
 * yet read: data before it (a hello already read, sent again) is ignored.
 */
class CryptoStream {
  buf: Buffer | null = null;
  /** Disjoint [start, end) pairs relative to `base`, sorted. */
  ranges: number[] = [];
  capped = false;
  base = 0;

  constructor(readonly cap: number) {}

  add(b: Uint8Array, p: number, n: number, offset: number): void {
    if (offset < this.base) {
      const skip = this.base - offset;
      if (skip >= n) return;
      p += skip;
      n -= skip;
      offset = this.base;
    }
    offset -= this.base;
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

  /** Drops the first `n` bytes (a message read): the stream goes on after them, with what already came for later offsets. */
  advance(n: number): void {
    this.base += n;
    const r = this.ranges;
    const out: number[] = [];
    for (let i = 0; i < r.length; i += 2) {
      const z = r[i + 1]! - n;
      if (z > 0) out.push(Math.max(0, r[i]! - n), z);
    }
    this.ranges = out;
    if (out.length === 0 || this.buf === null) {
      this.buf = null;
      return;
    }
    const keep = out[out.length - 1]!;
    const nb = Buffer.alloc(Math.min(this.cap, Math.max(keep, 2048)));
    this.buf.copy(nb, 0, n, n + keep);
    this.buf = nb;
  }

  /** Frees the buffer once nothing more is read. */
  release(): void {
    this.buf = null;
    this.ranges = [];
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
  /** The client's CRYPTO stream: its first hello, then (after a HelloRetryRequest) its second. */
  hello = new CryptoStream(MAX_CRYPTO);
  serverHello: CryptoStream | null = null;
  clientDone = false;
  serverDone = false;
  /** The source id of a server's Retry: the DCID of the keys that follow it. */
  retryDcid: Buffer | null = null;
  /** The server sent a Version Negotiation packet: the client's next version starts a new connection. */
  sawVn = false;
  /** ClientHellos read (at most 2). */
  hellos = 0;
  /** The first hello's SNI and fingerprints, to report of the second only what differs. */
  sni: string | null = null;
  ja3 = '';
  ja4 = '';
  /** The cipher suite of the server's HelloRetryRequest; -1 while none was read. */
  hrrCipher = -1;
  /** The server's real ServerHello (not a HelloRetryRequest) was read: no second ClientHello can follow. */
  serverHelloRead = false;

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
 * The next message of `stream` (of handshake type `type`, with a record
 * header) once whole, null while incomplete, 'stop' when it cannot be had
 * (capped or another message; counted).
 */
function nextMessage(stream: CryptoStream, type: number, ctx: DissectContext): Buffer | 'stop' | null {
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

/** Versions a client may move between within one connection: v1 and v2 (compatible version negotiation, RFC 9368). */
function compatible(a: number, b: number): boolean {
  return a === b || ((a === QUIC_V1 || a === QUIC_V2) && (b === QUIC_V1 || b === QUIC_V2));
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
    if (hdr.type !== PacketType.Initial) {
      // 0-RTT, Handshake: encrypted with keys we cannot have. A Handshake
      // packet means the client has the server's real ServerHello: no second
      // ClientHello can follow its first.
      if (hdr.type === PacketType.Handshake && conn !== undefined && conn.hellos > 0 && !conn.clientDone) {
        conn.clientDone = true;
        break;
      }
      continue;
    }
    const version = hdr.version;
    const dcid = buf.subarray(hdr.dcidOff, hdr.dcidOff + hdr.dcidLen);
    const scid = hexOf(buf, hdr.scidOff, hdr.scidLen);
    // A new connection on the same ports: another client id, the engine calls
    // again after we were done, or another version after a Version
    // Negotiation (or one that cannot have been negotiated compatibly).
    if (conn !== undefined && (conn.clientDone || conn.scid !== scid || (version !== conn.clientVersion && (conn.sawVn || !compatible(version, conn.clientVersion))))) {
      conns.delete(key);
      conn = undefined;
    }
    let fresh = false;
    if (conn === undefined) {
      conn = new Conn(Buffer.from(dcid), scid);
      fresh = true;
    }
    if (conn.hellos > 0) {
      // Waiting for a second hello: not after the real ServerHello; and until
      // the client heard from the server (it still writes to the DCID of its
      // keys) with no HelloRetryRequest seen, it only repeats its first hello.
      if (conn.serverHelloRead) {
        conn.clientDone = true;
        break;
      }
      if (conn.hrrCipher < 0 && conn.dcid.equals(dcid)) continue;
    }
    if (conn.clientInitials >= MAX_INITIALS) {
      conn.clientDone = true;
      break;
    }
    conn.clientInitials++;
    let payload: Buffer | null = null;
    if (conn.retryDcid !== null && conn.retryDcid.equals(dcid)) {
      // The client's answer to the server's Retry: keys from the connection id
      // the Retry gave (RFC 9001 section 5.2). Same hello, same CRYPTO
      // offsets, packet numbers going on (RFC 9000 section 17.2.5.3).
      const k = initialKeys(version, dcid, 'client');
      payload = openPacket(buf, start, hdr.pnOff, hdr.end, k, conn.clientPn);
      if (payload !== null) {
        conn.dcid = conn.retryDcid;
        conn.retryDcid = null;
        conn.clientKeys = k;
        conn.clientVersion = version;
        conn.serverKeys = null;
      }
    }
    payload ??= openPacket(buf, start, hdr.pnOff, hdr.end, conn.keysFor(version, true), conn.clientPn);
    if (payload === null && !fresh && !conn.dcid.equals(dcid)) {
      // Keys from this Initial's own DCID: a new connection on the same ports
      // (or the answer to a Retry we did not see): everything starts afresh.
      const k = initialKeys(version, dcid, 'client');
      payload = openPacket(buf, start, hdr.pnOff, hdr.end, k, -1);
      if (payload !== null) {
        conns.delete(key);
        conn = new Conn(Buffer.from(dcid), scid);
        conn.clientKeys = k;
        conn.clientVersion = version;
        conn.clientInitials = 1;
        fresh = true;
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
    readInitialFrames(payload, conn.hello, ctx);
    for (;;) {
      const msg = nextMessage(conn.hello, HS_CLIENT_HELLO, ctx);
      if (msg === null) break;
      if (msg === 'stop') {
        conn.clientDone = true;
        break;
      }
      conn.hellos++;
      reportHello(msg, conn, ctx);
      if (conn.hellos === 2 || conn.serverHelloRead) {
        conn.clientDone = true;
        break;
      }
      // A second hello, if the server answers with a HelloRetryRequest, follows in the same stream.
      conn.hello.advance(msg.length - 5);
    }
    if (conn.clientDone) break;
  }
  if (conn === undefined || (!opened && !conns.has(key))) return Verdict.NotMine;
  if (conn.clientDone) {
    conn.hello.release();
    if (conn.serverDone) conns.delete(key);
    return Verdict.Done;
  }
  return Verdict.Continue;
}

const AFTER_HRR = 'hello_retry_request';

/**
 * The first hello: SNI (and the server's hostname), JA3, JA4 with the ALPN.
 * The second (after a HelloRetryRequest): only what differs from the first,
 * marked as coming after the HRR.
 */
function reportHello(rec: Buffer, conn: Conn, ctx: DissectContext): void {
  const h = parseClientHello(rec, 0, rec.length, ctx, 'q');
  if (h === null) return;
  const alpn = h.alpn.length !== 0 ? h.alpn.slice(0, 8) : null;
  const first = conn.hellos === 1;
  if (first) {
    conn.sni = h.sni;
    conn.ja3 = h.ja3;
    conn.ja4 = h.ja4;
  }
  const after = first ? undefined : { after: AFTER_HRR };
  if (h.sni && (first || h.sni !== conn.sni)) {
    ctx.src('sni', h.sni, alpn !== null ? { alpn, ...after } : after);
    ctx.dst('hostname', h.sni, { from: 'sni' });
  }
  if (first || h.ja3 !== conn.ja3) ctx.src('ja3', h.ja3, after);
  if (first || h.ja4 !== conn.ja4) ctx.src('ja4', h.ja4, alpn !== null ? { alpn, ...after } : after);
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
    // Version Negotiation and Retry: nothing to read. After a Version
    // Negotiation the client starts a new connection in another version. A
    // Retry's source id is the DCID of the client's next Initial, and both
    // sides' keys then come from it.
    if (hdr.version === 0 || hdr.type === PacketType.Retry) {
      if (conn !== undefined) {
        if (hdr.version === 0) conn.sawVn = true;
        else if (hdr.scidLen > 0) conn.retryDcid = Buffer.from(buf.subarray(hdr.scidOff, hdr.scidOff + hdr.scidLen));
      }
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
      // The client's Initial after the Retry was not seen: the server's keys come from the Retry's id all the same.
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
    const stream = (conn.serverHello ??= new CryptoStream(MAX_SERVER_CRYPTO));
    readInitialFrames(payload, stream, ctx);
    for (;;) {
      const msg = nextMessage(stream, HS_SERVER_HELLO, ctx);
      if (msg === null) break;
      conn.serverDone = true;
      if (msg === 'stop') break;
      const hello = parseTlsServerFlight(msg, 0, msg.length, ctx)?.serverHello ?? null;
      if (hello === null) break;
      if (hello.helloRetryRequest) {
        if (conn.hrrCipher >= 0) {
          ctx.count('quic.hrr_mismatch');
          break;
        }
        // The real ServerHello follows once the client sent its second hello.
        conn.hrrCipher = hello.cipherSuite;
        conn.serverDone = false;
        stream.advance(msg.length - 5);
        continue;
      }
      conn.serverHelloRead = true;
      // No second ClientHello can follow: the client side ends at its next Initial, unopened.
      if (conn.hellos > 0) conn.hello.release();
      if (conn.hrrCipher >= 0 && conn.hrrCipher !== hello.cipherSuite) ctx.count('quic.hrr_mismatch');
      const v = hello.selectedVersion ?? hello.version;
      const tls = v === 0x0304 ? 'TLS 1.3' : '0x' + v.toString(16);
      ctx.src('banner', `QUIC ${versionName(hdr.version)} ${tls} cipher 0x${hello.cipherSuite.toString(16).padStart(4, '0')}`);
      break;
    }
    if (conn.serverDone) {
      conn.serverHello = null;
      break;
    }
  }
  if (conn === undefined) return Verdict.NotMine;
  if (conn.serverDone) {
    if (conn.clientDone) conns.delete(key);
    return Verdict.Done;
  }
  return known || p > off ? Verdict.Continue : Verdict.NotMine;
}

/** A client's first datagram: long header with the fixed bit, a known version (v1, v2, a draft), an Initial, a DCID of at most 20 bytes, padded to 1200. */
export function looksLikeQuicInitial(buf: Uint8Array, off: number, len: number): boolean {
  if (len < MIN_CLIENT_DATAGRAM) return false;
  const b0 = buf[off]!;
  if ((b0 & 0xc0) !== 0xc0) return false;
  const v = u32(buf, off + 1);
  if (!isKnownVersion(v)) return false;
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
