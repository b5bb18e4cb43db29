/**
 * PIM (IP protocol 103). Only a Register message (PIM version 2, type 1,
 * RFC 7761 §4.9) carries a packet: the designated router wraps a multicast
 * source's packet in it for the rendezvous point. After the 4-byte PIM
 * header, 4 bytes of flags (Border, Null-Register), then that packet, read
 * as the inner packet of a tunnel between the two routers.
 *
 * A Null-Register holds only a dummy IP header with the source and group
 * address, not a packet anyone sent: it is not opened; neither is a
 * register whose inner packet is too short to hold an IP header.
 */
import { countTruncated, type DecodeErrors } from './errors.js';
import { decodeInnerIp, ipVersionAt } from './tunnel.js';
import type { PacketView } from './view.js';

const PIM_V2_REGISTER = 0x21;
const REGISTER_NULL = 0x40;
const REGISTER_HEADER = 8;

export function decodePim(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  if (off >= end || b[off] !== PIM_V2_REGISTER) return;
  if (end - off < REGISTER_HEADER) {
    countTruncated(v, errs, 'pim.truncated');
    return;
  }
  if (b[off + 4]! & REGISTER_NULL) return;
  const p = off + REGISTER_HEADER;
  const version = ipVersionAt(v, p, end);
  if (version === 0 || end - p < (version === 4 ? 20 : 40)) return;
  decodeInnerIp(v, errs, version, p, end);
}
