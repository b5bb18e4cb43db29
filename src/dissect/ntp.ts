/**
 * NTP message parser (RFC 5905; versions 1 to 4), for UDP 123.
 *
 * The message is `buf[off, off + len)`. Modes 1 to 5 (symmetric active,
 * symmetric passive, client, server, broadcast) carry the 48-byte header:
 * everything in NtpMessage is read from it (extension fields and MAC after it
 * are ignored). Modes 6 (control, RFC 1305 appendix B / RFC 9327) and 7
 * (private, ntpd's ntpdc) have another layout after the first byte: only
 * version and mode are meaningful (leap is the first byte's top two bits, as
 * on the wire); stratum, poll and precision are 0, refId '' and the
 * timestamps null. They need their 12-byte (mode 6) or 8-byte (mode 7) header.
 *
 * refId: for stratum 0 (a kiss code such as "RATE") and 1 (a reference clock
 * such as "GPS"), the four bytes as ASCII with trailing NULs dropped,
 * printable-escaped (ASCII 0x20..0x7e as is except backslash, other bytes
 * \xNN); else a dotted quad (an IPv4 address, or for IPv6 references the first
 * four bytes of an MD5 hash).
 *
 * Timestamps are seconds since the Unix epoch (fraction included), null when
 * the 64-bit value is 0. NTP era: a seconds field with the top bit clear is
 * taken as era 1 (2036-02-07 onwards), as RFC 4330 §3 suggests.
 *
 * Style (see /work/shared/ARCHITECTURE.md): lengths are checked before every
 * read, nothing throws, each malformation is counted by name in `errs`.
 *
 * Counters (each one means the function returns null):
 *   ntp.truncated    fewer bytes than the mode's header
 *   ntp.bad_version  version 0 or above 4
 *   ntp.bad_mode     mode 0 (reserved)
 */
import type { ErrorCounter } from './snmp.js';
import { u32 } from '../decode/bytes.js';
import { Verdict, type Dissector } from './types.js';

export interface NtpMessage {
  version: number;
  /** 1 symmetric active, 2 symmetric passive, 3 client, 4 server, 5 broadcast, 6 control, 7 private. */
  mode: number;
  /** Leap indicator, 0..3 (3: clock unsynchronised). */
  leap: number;
  stratum: number;
  /** log2 seconds, signed. */
  poll: number;
  /** log2 seconds, signed. */
  precision: number;
  refId: string;
  /** Seconds since the Unix epoch; null when 0. */
  refTimestamp: number | null;
  transmitTimestamp: number | null;
}

export const NTP_HEADER_LEN = 48;
/** Seconds from 1900-01-01 (NTP epoch) to 1970-01-01. */
const NTP_UNIX_OFFSET = 2208988800;

const HEX = '0123456789abcdef';

function timestamp(b: Uint8Array, p: number): number | null {
  const sec = u32(b, p);
  const frac = u32(b, p + 4);
  if (sec === 0 && frac === 0) return null;
  const era = sec >= 0x80000000 ? 0 : 4294967296;
  return sec + era - NTP_UNIX_OFFSET + frac / 4294967296;
}

function refIdOf(b: Uint8Array, p: number, stratum: number): string {
  if (stratum > 1) return `${b[p]!}.${b[p + 1]!}.${b[p + 2]!}.${b[p + 3]!}`;
  let e = p + 4;
  while (e > p && b[e - 1] === 0) e--;
  let s = '';
  for (let i = p; i < e; i++) {
    const c = b[i]!;
    s += c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : '\\x' + HEX[c >> 4]! + HEX[c & 15]!;
  }
  return s;
}

/** Parses one NTP message (UDP 123 payload). Never throws. */
export function parseNtp(buf: Uint8Array, off: number, len: number, errs?: ErrorCounter): NtpMessage | null {
  if (off < 0 || len < 1 || off + len > buf.length) {
    errs?.count('ntp.truncated');
    return null;
  }
  const b0 = buf[off]!;
  const leap = b0 >> 6;
  const version = (b0 >> 3) & 7;
  const mode = b0 & 7;
  if (version === 0 || version > 4) {
    errs?.count('ntp.bad_version');
    return null;
  }
  if (mode === 0) {
    errs?.count('ntp.bad_mode');
    return null;
  }
  const need = mode === 6 ? 12 : mode === 7 ? 8 : NTP_HEADER_LEN;
  if (len < need) {
    errs?.count('ntp.truncated');
    return null;
  }
  if (mode >= 6) {
    return { version, mode, leap, stratum: 0, poll: 0, precision: 0, refId: '', refTimestamp: null, transmitTimestamp: null };
  }
  const stratum = buf[off + 1]!;
  const poll = (buf[off + 2]! << 24) >> 24;
  const precision = (buf[off + 3]! << 24) >> 24;
  return {
    version,
    mode,
    leap,
    stratum,
    poll,
    precision,
    refId: refIdOf(buf, off + 12, stratum),
    refTimestamp: timestamp(buf, off + 16),
    transmitTimestamp: timestamp(buf, off + 40),
  };
}

// ---------------------------------------------------------------------------
// Dissector: mode and stratum tell NTP servers from clients.

const MODE_NAMES = ['reserved', 'symmetric-active', 'symmetric-passive', 'client', 'server', 'broadcast', 'control', 'private'];

export const ntpDissector: Dissector = {
  id: 'ntp',
  app: { application: 'NTP', family: 'Network Infrastructure' },
  udpPorts: [123],
  dissect(buf, off, len, ctx) {
    const m = parseNtp(buf, off, len, ctx);
    if (m === null) return Verdict.Malformed;
    if (m.mode === 6 || m.mode === 7) return Verdict.Continue;
    ctx.src('ntp_mode', MODE_NAMES[m.mode] ?? String(m.mode), { version: m.version, stratum: m.stratum });
    if (m.mode === 4 || m.mode === 5) ctx.src('role', 'ntp-server', { stratum: m.stratum });
    return Verdict.Continue;
  },
};
