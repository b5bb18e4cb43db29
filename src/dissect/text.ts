/**
 * Turning protocol bytes into report text, the same way in every dissector:
 * printable ASCII kept, anything else (and backslash) as \xNN, so a value
 * can never be misread or smuggle terminal control characters.
 */
import { ip6ToString } from '../inventory/addr-format.js';
import { u32 } from '../decode/bytes.js';

const HEX = '0123456789abcdef';

/** Bytes [start, end) escaped: printable ASCII except backslash as is, every other byte as \xNN. */
export function escapeBytes(b: ArrayLike<number>, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    s += c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : '\\x' + HEX[c >> 4]! + HEX[c & 15]!;
  }
  return s;
}

/** escapeBytes after dropping trailing NULs (C strings padded to a field size). */
export function printable(b: Uint8Array, start: number, end: number): string {
  while (end > start && b[end - 1] === 0) end--;
  return escapeBytes(b, start, end);
}

/** Lower-case hex. */
export function hex(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!;
  return s;
}

/** Lower-case hex bytes joined by colons (MAC addresses, client ids). */
export function hexColons(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    if (i > start) s += ':';
    s += HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!;
  }
  return s;
}

/** Dotted IPv4 text of the 4 bytes at i. */
export function ip4Text(b: Uint8Array, i: number): string {
  return `${b[i]!}.${b[i + 1]!}.${b[i + 2]!}.${b[i + 3]!}`;
}

/** RFC 5952 text of the 16 bytes at i. */
export function ip6Text(b: Uint8Array, i: number): string {
  return ip6ToString([u32(b, i), u32(b, i + 4), u32(b, i + 8), u32(b, i + 12)]);
}
