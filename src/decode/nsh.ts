/**
 * Network Service Header (RFC 8300), the service function chaining header:
 * on Ethernet (EtherType 0x894f), in GRE (protocol 0x894f) or in VXLAN-GPE
 * (next protocol 4). A 4-byte base header (version, flags, TTL, the whole
 * header's length in 4-byte words, metadata type, next protocol), the
 * 4-byte service path header and the metadata, then the packet it steers:
 * IPv4, IPv6, Ethernet or MPLS.
 */
import { countTruncated, countMalformed, type DecodeErrors } from './errors.js';
import { decodeIPv4, decodeIPv6 } from './ip.js';
import { decodeMpls } from './link.js';
import { enter, innerEthernet, NP_ETHERNET, NP_IPV4, NP_IPV6, NP_MPLS } from './tunnel.js';
import type { PacketView } from './view.js';

/** Base and service path headers. */
const NSH_MIN = 8;

/**
 * Enters the packet an NSH header at `off` carries. The switch or tunnel
 * that sent it is the outer layer, as with any tunnel; another next
 * protocol (NSH again, experimental values) stops there.
 */
export function decodeInnerNsh(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  if (!enter(v, errs, end - off, NSH_MIN)) return;
  const b = v.buf;
  if (b[off]! >> 6 !== 0) {
    countMalformed(v, errs, 'nsh.bad_version');
    return;
  }
  const len = (b[off + 1]! & 0x3f) * 4;
  if (len < NSH_MIN) {
    countMalformed(v, errs, 'nsh.bad_length');
    return;
  }
  if (end - off < len) {
    countTruncated(v, errs, 'nsh.truncated');
    return;
  }
  const p = off + len;
  switch (b[off + 3]!) {
    case NP_IPV4:
      decodeIPv4(v, errs, p, end);
      return;
    case NP_IPV6:
      decodeIPv6(v, errs, p, end);
      return;
    case NP_ETHERNET:
      innerEthernet(v, errs, p, end, -1);
      return;
    case NP_MPLS:
      decodeMpls(v, errs, p, end);
      return;
    default:
      return;
  }
}
