/**
 * Teredo (RFC 4380), IPv6 over UDP through NATs, port 3544 on either side
 * (servers and relays listen on it, clients use any port).
 *
 * Before the IPv6 packet, optionally: an authentication indicator (0x0001,
 * client id length, authentication value length, the id, the value, an
 * 8-byte nonce and a confirmation byte), then an origin indication (0x0000,
 * the obfuscated port and IPv4 address, 8 bytes in all).
 *
 * Nothing in the datagram says "Teredo", so this is a heuristic: an IPv6
 * header (version 6) whose payload length accounts for exactly the bytes
 * left; anything else stays plain UDP, and is no decode error.
 */
import { u16 } from './bytes.js';
import type { DecodeErrors } from './errors.js';
import { decodeInnerIp } from './tunnel.js';
import type { PacketView } from './view.js';

const AUTH_INDICATOR = 0x0001;
const ORIGIN_INDICATOR = 0x0000;
const AUTH_FIXED = 4 + 8 + 1; // type, two lengths; nonce; confirmation
const ORIGIN_LEN = 8;

/** The UDP payload at `off` (`end` its last captured byte). */
export function decodeTeredo(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  const wireEnd = off + v.payloadWireLen;
  let p = off;
  if (end - p >= 4 && u16(b, p) === AUTH_INDICATOR) p += AUTH_FIXED + b[p + 2]! + b[p + 3]!;
  if (end - p >= 2 && u16(b, p) === ORIGIN_INDICATOR) p += ORIGIN_LEN;
  if (end - p < 40 || b[p]! >> 4 !== 6) return;
  if (40 + u16(b, p + 4) !== wireEnd - p) return;
  decodeInnerIp(v, errs, 6, p, end);
}
