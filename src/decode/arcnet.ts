/**
 * ARCNET (ATA 878.1), as captured on BSD (LINKTYPE_ARCNET_BSD, 7) and Linux
 * (LINKTYPE_ARCNET_LINUX, 129). A frame starts with one-byte source and
 * destination station ids; Linux adds a two-byte offset field. Then comes a
 * system code naming the protocol: RFC 1051's (240 IPv4, 241 ARP) are
 * followed directly by the datagram; RFC 1201's (212 IPv4, 213 ARP, 214
 * RARP, 0xc4 IPv6, ...) by a split flag and a two-byte sequence number, and
 * on BSD an exception frame (split flag 0xff) repeats code, flag and
 * sequence number after two more bytes. Linux hands over reassembled
 * datagrams; a BSD capture can hold the fragments of a split one, of which
 * only the first (odd split flag) starts with the IP header.
 *
 * Station ids are not MAC addresses, so none is recorded, and ARP over
 * ARCNET (one-byte hardware addresses) binds no MAC: only IP is read.
 *
 * Counted: `arcnet.truncated`.
 */
import { countTruncated, type DecodeErrors } from './errors.js';
import { decodeIPv4, decodeIPv6 } from './ip.js';
import type { PacketView } from './view.js';

const RFC1051_IPV4 = 240;
const RFC1051_ARP = 241;
const DIAGNOSE = 0x80;
const RFC1201_IPV4 = 212;
const IPV6 = 0xc4;
const EXCEPTION = 0xff;

/** Header bytes before the system code: source and destination, and on Linux the offset. */
const BSD_BEFORE_CODE = 2;
const LINUX_BEFORE_CODE = 4;

export function decodeArcnet(v: PacketView, errs: DecodeErrors, off: number, end: number, linux: boolean): void {
  const b = v.buf;
  let p = off + (linux ? LINUX_BEFORE_CODE : BSD_BEFORE_CODE);
  if (end - p < 1) return countTruncated(v, errs, 'arcnet.truncated');
  const code = b[p++]!;
  // RFC 1051 codes and diagnostics carry no split flag or sequence number.
  if (code !== RFC1051_IPV4 && code !== RFC1051_ARP && code !== DIAGNOSE) {
    if (end - p < 3) return countTruncated(v, errs, 'arcnet.truncated');
    let split = b[p]!;
    p += 3;
    if (!linux && split === EXCEPTION) {
      if (end - p < 4) return countTruncated(v, errs, 'arcnet.truncated');
      split = b[p + 1]!;
      p += 4;
    }
    if (split !== 0 && (split & 1) === 0) return; // a later fragment: no header of its own
  }
  if (code === RFC1051_IPV4 || code === RFC1201_IPV4) decodeIPv4(v, errs, p, end);
  else if (code === IPV6) decodeIPv6(v, errs, p, end);
}
