/**
 * Solaris ipnet (LINKTYPE_IPNET, 226: snoop and tcpdump on an ipnet device,
 * illumos and Solaris 10 and later): a 24-byte header in network byte order
 * (version 1, address family, hook type, packet length, interface index,
 * group interface index, source and destination zone ids), then the IP
 * packet. The family is Solaris's: AF_INET 2, AF_INET6 26. There is no MAC:
 * the packet is decoded as raw IP.
 *
 * Counted: `ipnet.truncated`, `ipnet.bad_version` (a version other than 1),
 * `ipnet.unknown_family`.
 */
import { countTruncated, countMalformed, type DecodeErrors } from './errors.js';
import { decodeIPv4, decodeIPv6 } from './ip.js';
import type { PacketView } from './view.js';

const IPNET_HEADER = 24;
const IPNET_VERSION = 1;
const SOLARIS_AF_INET = 2;
const SOLARIS_AF_INET6 = 26;

export function decodeIpnet(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  if (end - off < IPNET_HEADER) {
    countTruncated(v, errs, 'ipnet.truncated');
    return;
  }
  if (b[off] !== IPNET_VERSION) {
    countMalformed(v, errs, 'ipnet.bad_version');
    return;
  }
  const family = b[off + 1];
  if (family === SOLARIS_AF_INET) decodeIPv4(v, errs, off + IPNET_HEADER, end);
  else if (family === SOLARIS_AF_INET6) decodeIPv6(v, errs, off + IPNET_HEADER, end);
  else {
    countMalformed(v, errs, 'ipnet.unknown_family');
  }
}
