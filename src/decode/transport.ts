/**
 * TCP, UDP, ICMP, ICMPv6 (with neighbour discovery) and the SCTP common
 * header; the IP protocols that carry tunnels (IP-in-IP, GRE, PIM register,
 * MPLS in IP, Ethernet in IP as SRv6 uses it) and the UDP ports that do
 * (udp-tunnel.ts).
 */
import { mac48, u16, u32 } from './bytes.js';
import { countMalformed, type DecodeErrors } from './errors.js';
import { decodePim } from './pim.js';
import { decodeGre, decodeInnerEthernet, decodeInnerIp, decodeInnerMpls } from './tunnel.js';
import { decodeUdpTunnel, UDP_TUNNEL_PORTS } from './udp-tunnel.js';
import {
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_SCTP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  TCP_SYN,
  type PacketView,
} from './view.js';

const IPPROTO_IPIP = 4;
const IPPROTO_IPV6 = 41;
const IPPROTO_GRE = 47;
const IPPROTO_PIM = 103;
const IPPROTO_MPLS = 137; // RFC 4023
const IPPROTO_ETHERNET = 143; // RFC 8986: SRv6 carrying Ethernet frames

/**
 * Decodes the transport header at `off`. `end` is the last captured byte of
 * the IP payload, `wireEnd` where the IP header says it ends.
 */
export function decodeTransport(v: PacketView, errs: DecodeErrors, proto: number, off: number, end: number, wireEnd: number): void {
  const b = v.buf;
  v.proto = proto;
  v.l4Off = off;
  const avail = end - off;
  switch (proto) {
    case IPPROTO_TCP: {
      if (avail < 20) return short(v, errs, 'tcp.truncated', end, wireEnd);
      v.srcPort = u16(b, off);
      v.dstPort = u16(b, off + 2);
      v.tcpSeq = u32(b, off + 4);
      v.tcpAck = u32(b, off + 8);
      const hlen = (b[off + 12]! >> 4) * 4;
      v.tcpFlags = b[off + 13]!;
      v.tcpWindow = u16(b, off + 14);
      if (hlen < 20) {
        countMalformed(v, errs, 'tcp.bad_header_length');
        return;
      }
      if (hlen > avail) {
        v.truncated = true;
        errs.count(end < wireEnd ? 'tcp.truncated' : 'tcp.bad_header_length');
        return;
      }
      v.tcpOptOff = off + 20;
      v.tcpOptLen = hlen - 20;
      if (v.tcpFlags & TCP_SYN && hlen > 20) readSynOptions(v, off + 20, off + hlen);
      v.payloadOff = off + hlen;
      v.payloadLen = end - off - hlen;
      v.payloadWireLen = wireEnd - off - hlen;
      return;
    }
    case IPPROTO_UDP: {
      if (avail < 8) return short(v, errs, 'udp.truncated', end, wireEnd);
      v.srcPort = u16(b, off);
      v.dstPort = u16(b, off + 2);
      let ulen = u16(b, off + 4);
      if (ulen < 8) {
        // 0 is legal for IPv6 jumbograms; anything else below 8 is malformed.
        if (ulen !== 0) errs.count('udp.bad_length');
        ulen = wireEnd - off;
      } else if (off + ulen > wireEnd) {
        // A first fragment carries the UDP header of the whole datagram: its length is the datagram's.
        if (!v.isFragment) errs.count('udp.length_exceeds_ip_payload');
        ulen = wireEnd - off;
      }
      const pend = off + ulen < end ? off + ulen : end;
      v.payloadOff = off + 8;
      v.payloadLen = pend - off - 8;
      v.payloadWireLen = ulen - 8;
      // One table lookup per port; the tunnel's own rules (source port, header checks) are in udp-tunnel.ts.
      if ((UDP_TUNNEL_PORTS[v.dstPort]! | UDP_TUNNEL_PORTS[v.srcPort]!) !== 0 && !v.isFragment) decodeUdpTunnel(v, errs, off + 8, pend);
      return;
    }
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6: {
      if (avail < 4) return short(v, errs, proto === IPPROTO_ICMP ? 'icmp.truncated' : 'icmpv6.truncated', end, wireEnd);
      v.icmpType = b[off]!;
      v.icmpCode = b[off + 1]!;
      v.payloadOff = off + 4;
      v.payloadLen = avail - 4;
      v.payloadWireLen = wireEnd - off - 4;
      if (proto === IPPROTO_ICMPV6 && v.icmpType >= 133 && v.icmpType <= 136) readNeighbourDiscovery(v, errs, off, end);
      return;
    }
    case IPPROTO_SCTP: {
      if (avail < 12) return short(v, errs, 'sctp.truncated', end, wireEnd);
      v.srcPort = u16(b, off);
      v.dstPort = u16(b, off + 2);
      v.payloadOff = off + 12;
      v.payloadLen = avail - 12;
      v.payloadWireLen = wireEnd - off - 12;
      return;
    }
    case IPPROTO_GRE:
      if (!v.isFragment) decodeGre(v, errs, off, end);
      return;
    case IPPROTO_IPIP:
      if (!v.isFragment) decodeInnerIp(v, errs, 4, off, end);
      return;
    case IPPROTO_IPV6:
      if (!v.isFragment) decodeInnerIp(v, errs, 6, off, end);
      return;
    case IPPROTO_MPLS:
      if (!v.isFragment) decodeInnerMpls(v, errs, off, end);
      return;
    case IPPROTO_ETHERNET:
      if (!v.isFragment) decodeInnerEthernet(v, errs, off, end, -1);
      return;
    case IPPROTO_PIM:
      setPayload(v, off, avail, wireEnd);
      if (!v.isFragment) decodePim(v, errs, off, end);
      return;
    default:
      setPayload(v, off, avail, wireEnd);
      return;
  }
}

function setPayload(v: PacketView, off: number, avail: number, wireEnd: number): void {
  v.payloadOff = off;
  v.payloadLen = avail > 0 ? avail : 0;
  v.payloadWireLen = wireEnd - off;
}

function short(v: PacketView, errs: DecodeErrors, reason: string, end: number, wireEnd: number): void {
  v.truncated = true;
  // A first fragment may legitimately be too short to hold the whole header.
  if (v.isFragment) return;
  errs.count(end < wireEnd ? reason : reason.replace('truncated', 'bad_length'));
  if (end >= wireEnd) v.malformed = true;
}

/** MSS and window scale from a SYN's options (the option order is read later from tcpOptOff). */
function readSynOptions(v: PacketView, p: number, end: number): void {
  const b = v.buf;
  while (p < end) {
    const kind = b[p]!;
    if (kind === 0) return;
    if (kind === 1) {
      p++;
      continue;
    }
    if (p + 1 >= end) return;
    const len = b[p + 1]!;
    if (len < 2 || p + len > end) return;
    if (kind === 2 && len === 4) v.tcpMss = u16(b, p + 2);
    else if (kind === 3 && len === 3) v.tcpWscale = b[p + 2]!;
    p += len;
  }
}

/**
 * Router/neighbour solicitations and adverts carry link-layer addresses:
 * source LLA (option 1) binds the sender's address, target LLA (option 2) the
 * advertised target address.
 */
function readNeighbourDiscovery(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  const type = v.icmpType;
  let optStart: number;
  let hasTargetField = false;
  if (type === 133) optStart = off + 8;
  else if (type === 134) optStart = off + 16;
  else {
    optStart = off + 24;
    hasTargetField = true;
  }
  if (optStart > end) {
    errs.count('icmpv6.nd_truncated');
    return;
  }
  for (let p = optStart; p + 8 <= end; ) {
    const ot = b[p]!;
    const olen = b[p + 1]! * 8;
    if (olen === 0) {
      errs.count('icmpv6.nd_bad_option_length');
      return;
    }
    if (ot === 1 && olen >= 8 && type !== 136) {
      // Source LLA: binds the packet's source address (not the unspecified one used by DAD).
      const s = v.src6;
      if (s[0]! | s[1]! | s[2]! | s[3]!) {
        v.ndTarget6.set(s);
        v.ndTargetMac = mac48(b, p + 2);
        v.ndHasTarget = true;
      }
    } else if (ot === 2 && olen >= 8 && type === 136 && hasTargetField) {
      v.ndTarget6[0] = u32(b, off + 8);
      v.ndTarget6[1] = u32(b, off + 12);
      v.ndTarget6[2] = u32(b, off + 16);
      v.ndTarget6[3] = u32(b, off + 20);
      v.ndTargetMac = mac48(b, p + 2);
      v.ndHasTarget = true;
    }
    p += olen;
  }
}
