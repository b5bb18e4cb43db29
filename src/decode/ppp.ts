/**
 * PPP (RFC 1661) as tunnels carry it: L2TP data messages and PPTP's enhanced
 * GRE hold a PPP frame, PPPoE sessions a PPP protocol field; and PPP as a
 * capture's link type (LINKTYPE_PPP, PPP_HDLC, PPP_WITH_DIR). Only IPv4,
 * IPv6 and MPLS are opened; LCP, IPCP, CCP, compressed or encrypted data and the
 * rest are left alone (not errors: they carry no packet to read).
 */
import { u16 } from './bytes.js';
import { countTruncated, type DecodeErrors } from './errors.js';
import { decodeIPv4, decodeIPv6 } from './ip.js';
import { decodeMpls } from './link.js';
import { decodeInnerIp, decodeInnerMpls } from './tunnel.js';
import type { PacketView } from './view.js';

export const PPP_IPV4 = 0x0021;
export const PPP_IPV6 = 0x0057;
const PPP_MPLS = 0x0281;
const PPP_MPLS_MC = 0x0283;

/** The IP version a PPP protocol number carries: 4, 6, or 0 for any other protocol. */
export function pppIpVersion(proto: number): 0 | 4 | 6 {
  return proto === PPP_IPV4 ? 4 : proto === PPP_IPV6 ? 6 : 0;
}

/**
 * A PPP frame inside a tunnel: the address and control bytes (0xff 0x03)
 * when not compressed away, a protocol field of two bytes or, compressed,
 * of one (a protocol number's first byte is even, its last odd), then the
 * packet, which is entered as the tunnel's inner packet.
 */
export function decodePppInTunnel(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  decodePpp(v, errs, off, end, true);
}

/** A capture's PPP frame (the same framing): the packet in it is the frame's own, no tunnel. */
export function decodePppFrame(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  decodePpp(v, errs, off, end, false);
}

function decodePpp(v: PacketView, errs: DecodeErrors, off: number, end: number, tunnel: boolean): void {
  const b = v.buf;
  let p = off;
  if (end - p >= 2 && b[p] === 0xff && b[p + 1] === 0x03) p += 2;
  if (p >= end) {
    countTruncated(v, errs, 'ppp.truncated');
    return;
  }
  let proto: number;
  if (b[p]! & 1) {
    proto = b[p]!;
    p += 1;
  } else {
    if (end - p < 2) {
      countTruncated(v, errs, 'ppp.truncated');
      return;
    }
    proto = u16(b, p);
    p += 2;
  }
  if (proto === PPP_MPLS || proto === PPP_MPLS_MC) {
    if (tunnel) decodeInnerMpls(v, errs, p, end);
    else decodeMpls(v, errs, p, end);
    return;
  }
  const version = pppIpVersion(proto);
  if (version === 0) return;
  if (tunnel) decodeInnerIp(v, errs, version, p, end);
  else if (version === 4) decodeIPv4(v, errs, p, end);
  else decodeIPv6(v, errs, p, end);
}
