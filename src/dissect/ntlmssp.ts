/**
 * NTLMSSP message parser ([MS-NLMP] §2.2): NEGOTIATE (1), CHALLENGE (2) and
 * AUTHENTICATE (3), as carried in SMB, HTTP (after base64 decoding), LDAP
 * SASL, DCE/RPC auth verifiers and others.
 *
 * findNtlmssp() locates the 'NTLMSSP\0' signature in a payload (for raw
 * carriers); parseNtlmssp() reads the message at a given offset;
 * ntlmsspInToken() does both on a security token (a GSS-API / SPNEGO
 * wrapping, or the bare message), the message running to the token's end.
 * ntlmObservations() turns a message into the observations every carrier
 * (SMB, HTTP, LDAP, DCE/RPC) makes about the message's sender.
 *
 * Style (see /work/shared/ARCHITECTURE.md): lengths are checked before every
 * read, nothing throws, each malformation is counted by name in `errs`.
 *
 * Security buffers (len u16, maxlen u16, offset u32, the offset relative to
 * the signature) must lie within the message (`[off, off + len)`); one that
 * does not is ignored (its field stays absent) and counted.
 *
 * Strings: user, domain and workstation of AUTHENTICATE and the CHALLENGE
 * target name are UTF-16LE when NEGOTIATE_UNICODE (0x1) is set, else OEM
 * (read as latin1); NEGOTIATE's domain and workstation are always OEM; AV pair
 * names are always UTF-16LE. Every string is escaped: control characters
 * (C0, DEL, C1) and backslash as \xNN, unpaired surrogates as \uNNNN; other
 * characters as is. Empty strings leave the field absent.
 *
 * targetInfo: for CHALLENGE, the TargetInfo AV pairs; for AUTHENTICATE, the AV
 * pairs inside an NTLMv2 response (NtChallengeResponse longer than 24 bytes).
 * timestamp (MsvAvTimestamp, a FILETIME) is given as milliseconds since the
 * Unix epoch.
 *
 * osVersion: read when NEGOTIATE_VERSION (0x02000000) is set and the fixed
 * header reaches the version field (before the first payload byte).
 *
 * Counters:
 *   ntlmssp.truncated   fewer bytes than the message type's fixed header (null)
 *   ntlmssp.bad_signature  no 'NTLMSSP\0' at off (null)
 *   ntlmssp.bad_type    a message type other than 1, 2, 3 (null)
 *   ntlmssp.bad_buffer  a security buffer outside the message (field ignored)
 *   ntlmssp.bad_av_pair an AV pair past the end of its buffer (the pairs read before are kept)
 */
import { u16le, u32le } from '../decode/bytes.js';
import type { DissectContext } from './types.js';

export interface ErrorCounter {
  count(reason: string): void;
}

export interface NtlmTargetInfo {
  nbComputerName?: string;
  nbDomainName?: string;
  dnsComputerName?: string;
  dnsDomainName?: string;
  dnsTreeName?: string;
  /** MsvAvTimestamp, milliseconds since the Unix epoch. */
  timestamp?: number;
}

export interface NtlmsspMessage {
  type: 1 | 2 | 3;
  /** NegotiateFlags (unsigned 32-bit); 0 for an AUTHENTICATE too short to carry them. */
  flags: number;
  domain?: string;
  workstation?: string;
  user?: string;
  targetName?: string;
  targetInfo?: NtlmTargetInfo;
  osVersion?: { major: number; minor: number; build: number };
}

export const NTLMSSP_NEGOTIATE_UNICODE = 0x00000001;
export const NTLMSSP_NEGOTIATE_VERSION = 0x02000000;

const SIG = [0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00]; // NTLMSSP\0

/** Default bound on the bytes findNtlmssp() scans. */
const MAX_SCAN = 65536;

function hasSig(b: Uint8Array, i: number): boolean {
  for (let k = 0; k < 8; k++) if (b[i + k] !== SIG[k]) return false;
  return true;
}

/**
 * The offset of the first 'NTLMSSP\0' within `buf[off, off + len)` (at most
 * `maxScan` bytes are searched), or -1.
 */
export function findNtlmssp(buf: Uint8Array, off: number, len: number, maxScan = MAX_SCAN): number {
  if (!(off >= 0 && len >= 0)) return -1;
  const end = Math.min(off + len, buf.length, off + maxScan);
  for (let i = off; i + 8 <= end; i++) {
    if (buf[i] === 0x4e && hasSig(buf, i)) return i;
  }
  return -1;
}

const HEX = '0123456789abcdef';

function esc(s: string): string {
  let o = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c === 0x5c) o += '\\x' + HEX[c >> 4]! + HEX[c & 15]!;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) < 0xe000) {
      o += s[i]! + s[i + 1]!;
      i++;
    } else if (c >= 0xd800 && c < 0xe000) o += '\\u' + c.toString(16).padStart(4, '0');
    else o += s[i]!;
  }
  return o;
}

function utf16(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i + 1 < end; i += 2) s += String.fromCharCode(u16le(b, i));
  return esc(s);
}

function oem(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return esc(s);
}

interface Range {
  start: number;
  end: number;
}

/**
 * The security buffer whose descriptor is at `d`, or null when empty or out
 * of `[off, end)` (counted).
 */
function secBuf(b: Uint8Array, off: number, end: number, d: number, errs: ErrorCounter | undefined): Range | null {
  const l = u16le(b, d);
  if (l === 0) return null;
  const o = u32le(b, d + 4);
  if (o > end - off || l > end - off - o) {
    errs?.count('ntlmssp.bad_buffer');
    return null;
  }
  return { start: off + o, end: off + o + l };
}

/** The lowest offset of the non-empty security buffers at the given descriptors (where the payload starts). */
function payloadStart(b: Uint8Array, descs: number[]): number {
  let m = Infinity;
  for (const d of descs) if (u16le(b, d) > 0) m = Math.min(m, u32le(b, d + 4));
  return m;
}

function avPairs(b: Uint8Array, start: number, end: number, errs: ErrorCounter | undefined): NtlmTargetInfo {
  const ti: NtlmTargetInfo = {};
  let p = start;
  while (p + 4 <= end) {
    const id = u16le(b, p);
    const l = u16le(b, p + 2);
    if (id === 0) return ti; // MsvAvEOL
    if (p + 4 + l > end) {
      errs?.count('ntlmssp.bad_av_pair');
      return ti;
    }
    const v0 = p + 4;
    const v1 = v0 + l;
    const str = (): string | undefined => {
      const s = utf16(b, v0, v1);
      return s === '' ? undefined : s;
    };
    switch (id) {
      case 1: {
        const s = str();
        if (s !== undefined) ti.nbComputerName = s;
        break;
      }
      case 2: {
        const s = str();
        if (s !== undefined) ti.nbDomainName = s;
        break;
      }
      case 3: {
        const s = str();
        if (s !== undefined) ti.dnsComputerName = s;
        break;
      }
      case 4: {
        const s = str();
        if (s !== undefined) ti.dnsDomainName = s;
        break;
      }
      case 5: {
        const s = str();
        if (s !== undefined) ti.dnsTreeName = s;
        break;
      }
      case 7:
        if (l === 8) {
          const ft = u32le(b, v0) + u32le(b, v0 + 4) * 4294967296; // 100 ns since 1601 (precision loss below ~1 µs is harmless)
          ti.timestamp = Math.round(ft / 10000) - 11644473600000;
        }
        break;
    }
    p = v1;
  }
  if (p < end) errs?.count('ntlmssp.bad_av_pair');
  return ti;
}

function version(b: Uint8Array, at: number): { major: number; minor: number; build: number } {
  return { major: b[at]!, minor: b[at + 1]!, build: u16le(b, at + 2) };
}

/**
 * Parses one NTLMSSP message starting at `buf[off]` (the signature), the
 * message being `buf[off, off + len)`.
 */
export function parseNtlmssp(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): NtlmsspMessage | null {
  if (!(off >= 0 && len >= 0)) {
    errs?.count('ntlmssp.truncated');
    return null;
  }
  const end = Math.min(off + len, buf.length);
  if (end - off < 12) {
    errs?.count('ntlmssp.truncated');
    return null;
  }
  if (!hasSig(buf, off)) {
    errs?.count('ntlmssp.bad_signature');
    return null;
  }
  const type = u32le(buf, off + 8);
  const n = end - off;
  const str = (r: Range | null, unicode: boolean): string | undefined => {
    if (!r) return undefined;
    const s = unicode ? utf16(buf, r.start, r.end) : oem(buf, r.start, r.end);
    return s === '' ? undefined : s;
  };
  const set = <K extends 'domain' | 'workstation' | 'user' | 'targetName'>(m: NtlmsspMessage, k: K, v: string | undefined): void => {
    if (v !== undefined) m[k] = v;
  };

  if (type === 1) {
    if (n < 16) {
      errs?.count('ntlmssp.truncated');
      return null;
    }
    const flags = u32le(buf, off + 12);
    const m: NtlmsspMessage = { type: 1, flags };
    if (n >= 32) {
      set(m, 'domain', str(secBuf(buf, off, end, off + 16, errs), false));
      set(m, 'workstation', str(secBuf(buf, off, end, off + 24, errs), false));
      if (flags & NTLMSSP_NEGOTIATE_VERSION && n >= 40 && payloadStart(buf, [off + 16, off + 24]) >= 40) m.osVersion = version(buf, off + 32);
    }
    return m;
  }
  if (type === 2) {
    if (n < 32) {
      errs?.count('ntlmssp.truncated');
      return null;
    }
    const flags = u32le(buf, off + 20);
    const m: NtlmsspMessage = { type: 2, flags };
    set(m, 'targetName', str(secBuf(buf, off, end, off + 12, errs), (flags & NTLMSSP_NEGOTIATE_UNICODE) !== 0));
    if (n >= 48) {
      const ti = secBuf(buf, off, end, off + 40, errs);
      if (ti) m.targetInfo = avPairs(buf, ti.start, ti.end, errs);
      if (flags & NTLMSSP_NEGOTIATE_VERSION && n >= 56 && payloadStart(buf, [off + 12, off + 40]) >= 56) m.osVersion = version(buf, off + 48);
    }
    return m;
  }
  if (type === 3) {
    if (n < 52) {
      errs?.count('ntlmssp.truncated');
      return null;
    }
    const descs = [off + 12, off + 20, off + 28, off + 36, off + 44];
    if (n >= 60) descs.push(off + 52);
    const first = payloadStart(buf, descs);
    const flags = n >= 64 && first >= 64 ? u32le(buf, off + 60) : 0;
    // Without flags (an old, short header): UTF-16 when the user (else domain) name has every odd byte NUL.
    const unicode = flags !== 0 ? (flags & NTLMSSP_NEGOTIATE_UNICODE) !== 0 : looksUtf16(buf, off, end);
    const m: NtlmsspMessage = { type: 3, flags };
    set(m, 'domain', str(secBuf(buf, off, end, off + 28, errs), unicode));
    set(m, 'user', str(secBuf(buf, off, end, off + 36, errs), unicode));
    set(m, 'workstation', str(secBuf(buf, off, end, off + 44, errs), unicode));
    const nt = secBuf(buf, off, end, off + 20, errs);
    if (nt && nt.end - nt.start > 24 + 28) {
      // NTLMv2: NTProofStr (16), then RespType, HiRespType, 6 reserved, timestamp (8), client challenge (8), 4 reserved, AV pairs
      m.targetInfo = avPairs(buf, nt.start + 44, nt.end, errs);
    }
    if (flags & NTLMSSP_NEGOTIATE_VERSION && n >= 72 && first >= 72) m.osVersion = version(buf, off + 64);
    return m;
  }
  errs?.count('ntlmssp.bad_type');
  return null;
}

function looksUtf16(buf: Uint8Array, off: number, end: number): boolean {
  const r = secBuf(buf, off, end, off + 36, undefined) ?? secBuf(buf, off, end, off + 28, undefined);
  if (!r || (r.end - r.start) % 2 !== 0) return false;
  for (let i = r.start + 1; i < r.end; i += 2) if (buf[i] !== 0) return false;
  return true;
}

/**
 * The NTLMSSP message inside a security token `buf[off, off + len)`: SPNEGO
 * (NegTokenInit's mechToken, NegTokenResp's responseToken) and GSS-API
 * wrappings are not decoded, the message is found by its signature (a
 * Kerberos token carries none) and taken to run to the token's end. Null when
 * there is none or it does not parse (counted as parseNtlmssp does).
 */
export function ntlmsspInToken(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): NtlmsspMessage | null {
  const at = findNtlmssp(buf, off, len);
  if (at < 0) return null;
  return parseNtlmssp(buf, at, off + len - at, errs);
}

function sameName(a?: string, b?: string): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

/**
 * The observations an NTLMSSP message gives about its sender, the same for
 * every carrier (source 'ntlmssp'): CHALLENGE (server) its NetBIOS/DNS
 * computer and domain names; NEGOTIATE / AUTHENTICATE (client) the
 * workstation name and user (domain\user); any of them the Windows version.
 * True for an AUTHENTICATE naming a user, the last message of the exchange.
 * An anonymous one (no user: a null session) is not the end: a client often
 * authenticates again, as a user, on the same connection.
 */
export function ntlmObservations(m: NtlmsspMessage, ctx: DissectContext): boolean {
  const v = m.osVersion;
  if (v && v.major > 0) ctx.src('os_version', `${v.major}.${v.minor}.${v.build}`, { major: v.major, minor: v.minor, build: v.build }, 'ntlmssp');
  if (m.type === 2) {
    const ti = m.targetInfo;
    if (ti?.dnsComputerName) ctx.src('hostname', ti.dnsComputerName, { field: 'dns_computer_name' }, 'ntlmssp');
    if (ti?.nbComputerName) ctx.src('hostname', ti.nbComputerName, { field: 'netbios_computer_name' }, 'ntlmssp');
    // A machine outside a domain gives its own name as the domain: that is not a domain.
    if (ti?.dnsDomainName && !sameName(ti.dnsDomainName, ti.dnsComputerName)) ctx.src('domain', ti.dnsDomainName, { field: 'dns_domain_name' }, 'ntlmssp');
    if (ti?.nbDomainName && !sameName(ti.nbDomainName, ti.nbComputerName)) ctx.src('workgroup', ti.nbDomainName, { field: 'netbios_domain_name' }, 'ntlmssp');
    return false;
  }
  if (m.type === 1) {
    // Optional, and only meant when flagged as supplied (OEM_DOMAIN_SUPPLIED 0x1000, OEM_WORKSTATION_SUPPLIED 0x2000).
    if (m.workstation && m.flags & 0x2000) ctx.src('hostname', m.workstation, { field: 'negotiate_workstation' }, 'ntlmssp');
    if (m.domain && m.flags & 0x1000) ctx.src('workgroup', m.domain, { field: 'negotiate_domain' }, 'ntlmssp');
    return false;
  }
  if (m.type === 3) {
    if (m.workstation) ctx.src('hostname', m.workstation, { field: 'workstation' }, 'ntlmssp');
    if (!m.user) return false;
    ctx.src('user', m.domain ? `${m.domain}\\${m.user}` : m.user, undefined, 'ntlmssp');
    return true;
  }
  return false;
}
