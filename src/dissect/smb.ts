/**
 * SMB (versions 1 and 2/3) as seen at the start of one direction of a TCP
 * connection to port 445 (direct hosting) or 139 (NetBIOS session service).
 *
 * Framing: every record starts with a 4-byte header, a type byte then a
 * 3-byte big-endian length of what follows. Type 0x00 carries one SMB
 * message (for port 139 the length is formally 17 bits, for 445 24 bits; the
 * 24-bit reading covers both). On port 139 the client first sends a session
 * request (type 0x81) holding two encoded NetBIOS names, called then calling,
 * each as a 32-letter label (0x20, 32 letters, 0x00 when there is no scope);
 * the server answers 0x82 (positive), 0x83 (negative) or 0x84 (retarget);
 * 0x85 is a keep-alive. Types other than those end the walk.
 *
 * Messages:
 *   0xFF 'SMB'  SMB1: 32-byte header (command u8 at 4, NT status u32le at 5,
 *               flags u8 at 9 with 0x80 = reply, flags2 u16le at 10 with
 *               0x8000 = Unicode strings and 0x0800 = extended security), then
 *               a word count, the words, a byte count and the bytes.
 *   0xFE 'SMB'  SMB2/3: 64-byte header (status u32le at 8, command u16le at
 *               12, flags u32le at 16 with 0x1 = response, next-command offset
 *               u32le at 20 for compounded requests), then the body.
 *   0xFD 'SMB'  SMB3 transform header: the rest is encrypted; noted, walk stops.
 *   0xFC 'SMB'  SMB3 compression transform: noted, walk stops.
 *
 * What is read:
 *   SMB2 NEGOTIATE request: offered dialect revisions; response: the chosen
 *     dialect, server GUID, system time and the security buffer (offset and
 *     length; offsets in SMB2 are relative to the SMB2 header).
 *   SMB2 SESSION_SETUP request and response: the security buffer, and the
 *     NTLMSSP message inside its SPNEGO wrapping when present (found by its
 *     signature; its length runs to the end of the security buffer).
 *   SMB2 TREE_CONNECT request: the UTF-16LE path (\\server\share).
 *   SMB1 NEGOTIATE request: the dialect strings; response: the dialect
 *     index, and without extended security the domain and server names (after
 *     the challenge; Unicode when the capabilities have CAP_UNICODE, with no
 *     alignment pad), with it the server GUID and the security blob.
 *   SMB1 SESSION_SETUP_ANDX request (word counts 10, 12, 13) and response
 *     (3, 4): NativeOS, NativeLanMan, PrimaryDomain (and the account name of
 *     a 13-word request), and the NTLMSSP message of the security blob.
 *     Strings are UTF-16LE when flags2 has 0x8000, else OEM (latin1); Unicode
 *     strings are 2-aligned relative to the SMB header, so a pad byte may
 *     come first.
 *   SMB1 TREE_CONNECT_ANDX request: the path, also when chained (AndX) after
 *     a session setup.
 *
 * Limits: at most MAX_MESSAGES messages (SMB2 compounds included), MAX_DIALECTS
 * dialects, MAX_STRING characters per string, MAX_ANDX chained commands. The
 * last message may be cut: what lies in the buffer is read, the rest stays
 * null, and `cut` is set. Nothing throws; text is escaped (bytes / code units
 * outside printable ASCII, and backslash, as \xNN; unpaired surrogates as
 * \uNNNN; other non-ASCII characters kept).
 *
 * Null when the first record is not a NetBIOS session record, or a type 0x00
 * record does not start with an SMB signature, or nothing SMB-like was found.
 *
 * Counters:
 *   smb.bad_nbss_type   a later record of an unknown NetBIOS session type (walk stops)
 *   smb.bad_signature   a later type 0x00 record without an SMB signature (walk stops)
 *   smb.bad_header      an SMB2 header whose structure size is not 64 (walk stops)
 *   smb.bad_compound    an SMB2 next-command offset outside the record (compound ends)
 *   smb.bad_buffer      a security buffer / path outside its message (field left null)
 *   smb.bad_andx        an AndX offset that does not move forward inside the message
 *   smb.bad_session_request  a 0x81 record whose names are not NetBIOS-encoded
 */
import { u16le, u32le } from '../decode/bytes.js';
import { escapeBytes, hex } from './text.js';
import { decodeNetbiosName, type NetbiosName } from './netbios.js';
import { findNtlmssp, ntlmObservations, parseNtlmssp, type NtlmsspMessage } from './ntlmssp.js';
import { Verdict, type DissectContext, type Dissector } from './types.js';

export interface ErrorCounter {
  count(reason: string, n?: number): void;
}

export const MAX_MESSAGES = 256;
export const MAX_DIALECTS = 64;
export const MAX_STRING = 1024;
const MAX_ANDX = 8;

export const SMB1_NEGOTIATE = 0x72;
export const SMB1_SESSION_SETUP_ANDX = 0x73;
export const SMB1_TREE_CONNECT_ANDX = 0x75;
export const SMB2_NEGOTIATE = 0;
export const SMB2_SESSION_SETUP = 1;
export const SMB2_TREE_CONNECT = 3;

export interface SmbNtlm {
  /** Absolute offset in the input buffer of the 'NTLMSSP\0' signature. */
  offset: number;
  /** Bytes from the signature to the end of the security buffer (as captured). */
  length: number;
  /** The parsed message; null when it did not parse. */
  message: NtlmsspMessage | null;
}

export interface SmbSecurityBlob {
  /** Absolute offset of the security buffer in the input buffer. */
  offset: number;
  /** Its declared length (may run past a cut message). */
  length: number;
  ntlmssp: SmbNtlm | null;
}

export interface SmbNegotiate {
  /** SMB2 request: offered dialect revisions (0x0202, 0x0210, 0x0300, 0x0302, 0x0311, 0x02ff). */
  dialects: number[];
  /** SMB1 request: offered dialect strings ("NT LM 0.12", "SMB 2.002"). */
  dialectNames: string[];
  /** SMB2 response: the chosen revision; SMB1 response: the index of the chosen dialect (0xffff none). */
  dialect: number | null;
  /** Response: server GUID, 8-4-4-4-12 lower-case hex. */
  serverGuid: string | null;
  /** Response: server system time, ms since the Unix epoch (null when 0 or absent). */
  systemTime: number | null;
  /** SMB1 response without extended security: primary domain and server name. */
  domain: string | null;
  serverName: string | null;
  securityBlob: SmbSecurityBlob | null;
}

export interface SmbSessionSetup {
  securityBlob: SmbSecurityBlob | null;
  /** SMB1 only (null for SMB2). */
  nativeOs: string | null;
  nativeLanMan: string | null;
  primaryDomain: string | null;
  account: string | null;
}

export interface SmbMessage {
  version: 1 | 2;
  /** Absolute offset of the SMB header. */
  offset: number;
  /** Bytes of this message as declared (SMB2 compound: up to the next one). */
  length: number;
  /** The message runs past the end of the input. */
  cut: boolean;
  command: number;
  isResponse: boolean;
  /** NT status (requests: normally 0). */
  status: number;
  /** SMB1 flags2; 0 for SMB2. */
  flags2: number;
  negotiate: SmbNegotiate | null;
  sessionSetup: SmbSessionSetup | null;
  /** Tree connect request path, e.g. \\SERVER\IPC$ (backslashes escaped as \x5c). */
  treePath: string | null;
}

export interface SmbSessionRequest {
  called: NetbiosName | null;
  calling: NetbiosName | null;
}

export interface SmbStream {
  messages: SmbMessage[];
  /** NetBIOS session request (port 139) names, when one was seen. */
  sessionRequest: SmbSessionRequest | null;
  /** A 0xFD transform header was met (encrypted SMB3); the walk stopped there. */
  encrypted: boolean;
  /** A 0xFC compression transform header was met; the walk stopped there. */
  compressed: boolean;
}

const HEXD = '0123456789abcdef';

/** UTF-16LE code units [start, end) as escaped text (at most MAX_STRING units). */
function utf16Text(b: Uint8Array, start: number, end: number): string {
  let s = '';
  let n = 0;
  for (let i = start; i + 1 < end && n < MAX_STRING; i += 2, n++) {
    const c = u16le(b, i);
    if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c === 0x5c) s += '\\x' + HEXD[(c >> 4) & 15]! + HEXD[c & 15]!;
    else if (c >= 0xd800 && c < 0xdc00 && i + 3 < end) {
      const d = u16le(b, i + 2);
      if (d >= 0xdc00 && d < 0xe000) {
        s += String.fromCharCode(c, d);
        i += 2;
      } else s += '\\u' + c.toString(16);
    } else if (c >= 0xd800 && c < 0xe000) s += '\\u' + c.toString(16);
    else s += String.fromCharCode(c);
  }
  return s;
}

interface Str {
  text: string;
  /** Offset just past the terminator (or `end` when none). */
  next: number;
}

/** A NUL-terminated string at p (Unicode: 2-aligned to `base` first). */
function cString(b: Uint8Array, p: number, end: number, unicode: boolean, base: number): Str | null {
  if (unicode) {
    if ((p - base) & 1) p++;
    if (p + 1 >= end) return null;
    let q = p;
    while (q + 1 < end && (b[q] !== 0 || b[q + 1] !== 0)) q += 2;
    return { text: utf16Text(b, p, Math.min(q, p + 2 * MAX_STRING)), next: q + 1 < end ? q + 2 : end };
  }
  if (p >= end) return null;
  let q = p;
  while (q < end && b[q] !== 0) q++;
  return { text: escapeBytes(b, p, Math.min(q, p + MAX_STRING)), next: q < end ? q + 1 : end };
}

function guidText(b: Uint8Array, i: number): string {
  const p = (n: number, w: number): string => n.toString(16).padStart(w, '0');
  return `${p(u32le(b, i), 8)}-${p(u16le(b, i + 4), 4)}-${p(u16le(b, i + 6), 4)}-${hex(b, i + 8, i + 10)}-${hex(b, i + 10, i + 16)}`;
}

/** FILETIME (100 ns since 1601) at i as ms since the Unix epoch; null for 0. */
function filetime(b: Uint8Array, i: number): number | null {
  const lo = u32le(b, i);
  const hi = u32le(b, i + 4);
  if (lo === 0 && hi === 0) return null;
  return Math.round((hi * 4294967296 + lo) / 10000 - 11644473600000);
}

/** The security blob [start, start + len) (absolute), clipped to `avail`; NTLMSSP looked up inside. */
function blob(b: Uint8Array, start: number, len: number, avail: number, errs?: ErrorCounter): SmbSecurityBlob {
  const end = Math.min(start + len, avail);
  let ntlmssp: SmbNtlm | null = null;
  if (end > start) {
    const at = findNtlmssp(b, start, end - start);
    if (at >= 0) ntlmssp = { offset: at, length: end - at, message: parseNtlmssp(b, at, end - at, errs) };
  }
  return { offset: start, length: len, ntlmssp };
}

function emptyNegotiate(): SmbNegotiate {
  return { dialects: [], dialectNames: [], dialect: null, serverGuid: null, systemTime: null, domain: null, serverName: null, securityBlob: null };
}

function isSig(b: Uint8Array, i: number, end: number, first: number): boolean {
  return i + 4 <= end && b[i] === first && b[i + 1] === 0x53 && b[i + 2] === 0x4d && b[i + 3] === 0x42;
}

// ---------------------------------------------------------------------------
// SMB2

/**
 * One SMB2 message at h; `msgEnd` its declared end, `avail` the end of the
 * captured bytes (<= msgEnd when cut).
 */
function smb2(b: Uint8Array, h: number, msgEnd: number, avail: number, errs?: ErrorCounter): SmbMessage {
  const status = u32le(b, h + 8);
  const command = u16le(b, h + 12);
  const isResponse = (u32le(b, h + 16) & 1) === 1;
  const m: SmbMessage = {
    version: 2,
    offset: h,
    length: msgEnd - h,
    cut: avail < msgEnd,
    command,
    isResponse,
    status,
    flags2: 0,
    negotiate: null,
    sessionSetup: null,
    treePath: null,
  };
  const end = Math.min(msgEnd, avail);
  const body = h + 64;
  const has = (n: number): boolean => body + n <= end;
  /** A buffer given by offset (from h) and length; absolute start or -1 when outside the message. */
  const buffer = (o: number, l: number): number => {
    if (l === 0) return -1;
    if (o < 64 || h + o + l > msgEnd) {
      errs?.count('smb.bad_buffer');
      return -1;
    }
    return h + o;
  };
  if (command === SMB2_NEGOTIATE) {
    const n = emptyNegotiate();
    m.negotiate = n;
    if (!isResponse) {
      if (has(4)) {
        const count = Math.min(u16le(b, body + 2), MAX_DIALECTS);
        for (let k = 0; k < count && has(36 + 2 * k + 2); k++) n.dialects.push(u16le(b, body + 36 + 2 * k));
      }
    } else if (has(2) && u16le(b, body) === 65) {
      // (an error response has the 9-byte error body instead)
      if (has(6)) n.dialect = u16le(b, body + 4);
      if (has(24)) n.serverGuid = guidText(b, body + 8);
      if (has(48)) n.systemTime = filetime(b, body + 40);
      if (has(60)) {
        const at = buffer(u16le(b, body + 56), u16le(b, body + 58));
        if (at >= 0) n.securityBlob = blob(b, at, u16le(b, body + 58), end, errs);
      }
    }
  } else if (command === SMB2_SESSION_SETUP) {
    const s: SmbSessionSetup = { securityBlob: null, nativeOs: null, nativeLanMan: null, primaryDomain: null, account: null };
    m.sessionSetup = s;
    const [po, pl] = isResponse ? [4, 6] : [12, 14];
    // An error response (other than "more processing required") has an error body, not a buffer.
    if (has(pl + 2) && !(isResponse && status !== 0 && status !== 0xc0000016)) {
      const l = u16le(b, body + pl);
      const at = buffer(u16le(b, body + po), l);
      if (at >= 0) s.securityBlob = blob(b, at, l, end, errs);
    }
  } else if (command === SMB2_TREE_CONNECT && !isResponse) {
    if (has(8)) {
      const l = u16le(b, body + 6);
      const at = buffer(u16le(b, body + 4), l);
      if (at >= 0) m.treePath = utf16Text(b, at, Math.min(at + l, end));
    }
  }
  return m;
}

// ---------------------------------------------------------------------------
// SMB1

function smb1(b: Uint8Array, h: number, msgEnd: number, avail: number, errs?: ErrorCounter): SmbMessage {
  const command = b[h + 4]!;
  const status = u32le(b, h + 5);
  const isResponse = (b[h + 9]! & 0x80) !== 0;
  const flags2 = u16le(b, h + 10);
  const unicode = (flags2 & 0x8000) !== 0;
  const m: SmbMessage = {
    version: 1,
    offset: h,
    length: msgEnd - h,
    cut: avail < msgEnd,
    command,
    isResponse,
    status,
    flags2,
    negotiate: null,
    sessionSetup: null,
    treePath: null,
  };
  const end = Math.min(msgEnd, avail);
  let cmd = command;
  let p = h + 32; // word count of the current (AndX) command
  for (let hop = 0; hop < MAX_ANDX; hop++) {
    if (p >= end) break;
    const wc = b[p]!;
    const ws = p + 1;
    const bcAt = ws + 2 * wc;
    const haveWords = bcAt <= end;
    const bytes = bcAt + 2;
    const bytesEnd = bytes <= end ? Math.min(end, bytes + u16le(b, bcAt)) : end;
    const w16 = (k: number): number => (ws + k + 2 <= end ? u16le(b, ws + k) : 0);
    if (cmd === SMB1_NEGOTIATE) {
      const n = emptyNegotiate();
      m.negotiate = n;
      if (!isResponse) {
        let q = bytes;
        while (q < bytesEnd && n.dialectNames.length < MAX_DIALECTS) {
          if (b[q] !== 0x02) break;
          const s = cString(b, q + 1, bytesEnd, false, h);
          if (!s) break;
          n.dialectNames.push(s.text);
          q = s.next;
        }
      } else if (wc >= 1 && ws + 2 <= end) {
        n.dialect = u16le(b, ws);
        if (wc === 17 && haveWords) {
          const caps = u32le(b, ws + 19);
          n.systemTime = filetime(b, ws + 23);
          const chLen = b[ws + 33]!;
          if (caps & 0x80000000) {
            if (bytes + 16 <= bytesEnd) {
              n.serverGuid = guidText(b, bytes);
              if (bytesEnd > bytes + 16) n.securityBlob = blob(b, bytes + 16, u16le(b, bcAt) - 16, end, errs);
            }
          } else {
            // Here the strings follow the server's CAP_UNICODE (0x4), not flags2, and are not aligned.
            const uni = (caps & 0x4) !== 0;
            const d = cString(b, bytes + chLen, bytesEnd, uni, bytes + chLen);
            if (d) {
              n.domain = d.text || null;
              const sv = cString(b, d.next, bytesEnd, uni, d.next);
              if (sv) n.serverName = sv.text || null;
            }
          }
        }
      }
      break;
    }
    let andx = -1;
    let andxCmd = 0xff;
    if (wc >= 2 && ws + 4 <= end) {
      andxCmd = b[ws]!;
      andx = u16le(b, ws + 2);
    }
    if (cmd === SMB1_SESSION_SETUP_ANDX) {
      const s: SmbSessionSetup = { securityBlob: null, nativeOs: null, nativeLanMan: null, primaryDomain: null, account: null };
      m.sessionSetup = s;
      if (haveWords && bytes <= end) {
        let q = bytes;
        let order: Array<'os' | 'lm' | 'dom' | 'acct'> = [];
        if (!isResponse && wc === 12) {
          const bl = w16(14);
          if (bl > 0) s.securityBlob = blob(b, bytes, bl, Math.min(bytesEnd, end), errs);
          q = bytes + bl;
          order = ['os', 'lm', 'dom'];
        } else if (!isResponse && wc === 13) {
          q = bytes + w16(14) + w16(16);
          order = ['acct', 'dom', 'os', 'lm'];
        } else if (!isResponse && wc === 10) {
          q = bytes + w16(14);
          order = ['acct', 'dom', 'os', 'lm'];
        } else if (isResponse && wc === 4) {
          const bl = w16(6);
          if (bl > 0) s.securityBlob = blob(b, bytes, bl, Math.min(bytesEnd, end), errs);
          q = bytes + bl;
          order = ['os', 'lm', 'dom'];
        } else if (isResponse && wc === 3) {
          order = ['os', 'lm', 'dom'];
        }
        for (const k of order) {
          if (q >= bytesEnd) break;
          const st = cString(b, q, bytesEnd, unicode, h);
          if (!st) break;
          const v = st.text;
          if (k === 'os') s.nativeOs = v;
          else if (k === 'lm') s.nativeLanMan = v;
          else if (k === 'dom') s.primaryDomain = v;
          else s.account = v;
          q = st.next;
        }
      }
    } else if (cmd === SMB1_TREE_CONNECT_ANDX && !isResponse && wc === 4 && haveWords && bytes <= end) {
      const st = cString(b, bytes + w16(6), bytesEnd, unicode, h);
      if (st) m.treePath = st.text;
    }
    // Follow the AndX chain (only for the AndX commands handled above).
    if ((cmd !== SMB1_SESSION_SETUP_ANDX && cmd !== SMB1_TREE_CONNECT_ANDX) || andxCmd === 0xff || andx < 0) break;
    if (h + andx <= p || h + andx >= msgEnd) {
      errs?.count('smb.bad_andx');
      break;
    }
    p = h + andx;
    cmd = andxCmd;
  }
  return m;
}

// ---------------------------------------------------------------------------

/**
 * Walks the NetBIOS session records of `buf[off, off + len)` (the start of one
 * direction of an SMB connection) and reads the SMB messages they carry.
 */
export function parseSmbStream(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): SmbStream | null {
  if (!(off >= 0 && len > 0) || off >= buf.length) return null;
  const end = Math.min(off + len, buf.length);
  const out: SmbStream = { messages: [], sessionRequest: null, encrypted: false, compressed: false };
  let p = off;
  let first = true;
  let sawNbss = false;
  while (p + 4 <= end && out.messages.length < MAX_MESSAGES) {
    const type = buf[p]!;
    const rlen = (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!;
    const rStart = p + 4;
    const rEnd = rStart + rlen;
    if (type === 0x85 || type === 0x82 || type === 0x83 || type === 0x84) {
      if ((type === 0x85 || type === 0x82) && rlen !== 0 && first) return null;
      sawNbss = true;
    } else if (type === 0x81) {
      if (rlen < 68 || rlen > 512) {
        if (first) return null;
        errs?.count('smb.bad_session_request');
      } else if (rStart + 68 <= end) {
        const name = (at: number): NetbiosName | null =>
          buf[at] === 0x20 ? decodeNetbiosName(buf.subarray(at + 1, at + 33)) : null;
        const called = name(rStart);
        // The called name may carry scope labels; the calling name follows its terminating 0.
        let q = rStart + 33;
        for (let k = 0; k < 8 && q < rEnd && q < end && buf[q] !== 0; k++) q += buf[q]! + 1;
        const calling = q + 34 <= end ? name(q + 1) : null;
        if (!called && first) return null;
        if (!called || !calling) errs?.count('smb.bad_session_request');
        out.sessionRequest = { called, calling };
      }
      sawNbss = true;
    } else if (type === 0x00) {
      if (rlen === 0) {
        if (first) return null;
      } else if (isSig(buf, rStart, end, 0xff)) {
        if (rStart + 32 > end || rlen < 32) break;
        out.messages.push(smb1(buf, rStart, rEnd, end, errs));
      } else if (isSig(buf, rStart, end, 0xfe)) {
        if (rStart + 64 > end || rlen < 64) break;
        if (u16le(buf, rStart + 4) !== 64) {
          if (first) return null;
          errs?.count('smb.bad_header');
          break;
        }
        let h = rStart;
        for (let k = 0; out.messages.length < MAX_MESSAGES; k++) {
          const next = u32le(buf, h + 20);
          let mEnd = rEnd;
          if (next !== 0) {
            if ((next & 7) !== 0 || next < 64 || h + next + 64 > rEnd) {
              errs?.count('smb.bad_compound');
              out.messages.push(smb2(buf, h, rEnd, end, errs));
              break;
            }
            mEnd = h + next;
          }
          out.messages.push(smb2(buf, h, mEnd, end, errs));
          if (next === 0) break;
          h = mEnd;
          if (h + 64 > end) break;
          if (!isSig(buf, h, end, 0xfe) || u16le(buf, h + 4) !== 64) {
            errs?.count('smb.bad_compound');
            break;
          }
        }
      } else if (isSig(buf, rStart, end, 0xfd)) {
        out.encrypted = true;
        break;
      } else if (isSig(buf, rStart, end, 0xfc)) {
        out.compressed = true;
        break;
      } else {
        if (first || rStart + 4 > end) return first ? null : out;
        errs?.count('smb.bad_signature');
        break;
      }
    } else {
      if (first) return null;
      errs?.count('smb.bad_nbss_type');
      break;
    }
    first = false;
    p = rEnd;
  }
  // Only keep-alives / session responses still give a (message-less) result.
  if (out.messages.length === 0 && !out.encrypted && !out.compressed && !out.sessionRequest && !sawNbss) return null;
  return out;
}

/** "3.1.1" for 0x0311 etc.; hex text for other values. */
export function smb2DialectName(d: number): string {
  switch (d) {
    case 0x0202:
      return '2.0.2';
    case 0x0210:
      return '2.1';
    case 0x02ff:
      return '2.??';
    case 0x0300:
      return '3.0';
    case 0x0302:
      return '3.0.2';
    case 0x0311:
      return '3.1.1';
    default:
      return '0x' + d.toString(16).padStart(4, '0');
  }
}

// ---------------------------------------------------------------------------
// Dissector: SMB session setup names both ends. NTLMSSP CHALLENGE (server)
// carries the server's NetBIOS/DNS computer and domain names and Windows
// version; NEGOTIATE/AUTHENTICATE (client) the client's workstation name,
// domain, user and version; SMB1 session setup the native OS strings.
// A client's direction ends at an AUTHENTICATE naming a user or at a tree
// connect, except after an anonymous AUTHENTICATE (a null session, often to
// IPC$): the same connection may then set up a named session (within
// maxStream).

function unescapeBackslash(s: string): string {
  return s.replace(/\\x5c/g, '\\');
}

export const smbDissector: Dissector = {
  id: 'smb',
  app: { application: 'SMB', family: 'File Sharing' },
  tcpPorts: [445, 139],
  maxStream: 16384,
  dissect(buf, off, len, ctx) {
    const s = parseSmbStream(buf, off, len, ctx);
    if (s === null) return Verdict.NotMine;
    let finished = s.encrypted || s.compressed;
    let anonymous = false;
    for (const msg of s.messages) {
      const ss = msg.sessionSetup;
      if (ss !== null) {
        if (ss.nativeOs) ctx.src('native_os', ss.nativeOs, { native_lan_man: ss.nativeLanMan });
        if (ss.nativeLanMan) ctx.src('server', ss.nativeLanMan, { field: 'native_lan_man' });
        if (ss.primaryDomain) ctx.src('workgroup', ss.primaryDomain);
        const nt = ss.securityBlob?.ntlmssp?.message ?? null;
        if (nt !== null) {
          if (ntlmObservations(nt, ctx)) finished = true;
          else if (nt.type === 3) anonymous = true;
        }
        if (msg.isResponse && ss.nativeOs) finished = true;
      }
      const ng = msg.negotiate;
      if (ng !== null && msg.isResponse) {
        if (ng.serverName) ctx.src('hostname', ng.serverName, { field: 'negotiate' });
        if (ng.domain) ctx.src('workgroup', ng.domain, { field: 'negotiate' });
        const nt = ng.securityBlob?.ntlmssp?.message ?? null;
        if (nt !== null) ntlmObservations(nt, ctx);
      }
      if (msg.treePath) {
        const m = /^\\\\([^\\]+)\\/.exec(unescapeBackslash(msg.treePath));
        if (m && !/^[\d.]+$/.test(m[1]!) && !m[1]!.includes(':')) ctx.dst('hostname', m[1]!.toLowerCase(), { field: 'tree_path' });
        if (!anonymous) finished = true;
      }
    }
    if (s.sessionRequest?.called) ctx.dst('hostname', s.sessionRequest.called.name, { field: 'session_request' });
    if (s.sessionRequest?.calling) ctx.src('hostname', s.sessionRequest.calling.name, { field: 'session_request' });
    if (finished) return Verdict.Done;
    return Verdict.More;
  },
};
