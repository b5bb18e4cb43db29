/** IPv4 (options, fragments), IPv6 (extension headers, fragments) and ARP. */
import { mac48, u16, u32 } from './bytes.js';
import { countTruncated, countMalformed, type DecodeErrors } from './errors.js';
import { decodeTransport } from './transport.js';
import { L3, type PacketView } from './view.js';

const MAX_IPV6_EXT_HEADERS = 16;

export function decodeIPv4(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  if (end - off < 20) {
    countTruncated(v, errs, 'ipv4.truncated');
    return;
  }
  const vihl = b[off]!;
  if (vihl >> 4 !== 4) {
    countMalformed(v, errs, 'ipv4.bad_version');
    return;
  }
  const hlen = (vihl & 0x0f) * 4;
  if (hlen < 20) {
    countMalformed(v, errs, 'ipv4.bad_header_length');
    return;
  }
  if (end - off < hlen) {
    countTruncated(v, errs, 'ipv4.truncated');
    return;
  }
  let total = u16(b, off + 2);
  if (total === 0) total = end - off; // segmentation offload on the capturing host leaves 0 here
  if (total < hlen) {
    countMalformed(v, errs, 'ipv4.bad_total_length');
    return;
  }
  v.l3 = L3.IPv4;
  v.l3Off = off;
  const wireEnd = off + total;
  if (wireEnd > end) {
    // Either a snap length cut the frame or the length field lies.
    v.truncated = true;
    if (v.capLen >= v.origLen) errs.count('ipv4.total_length_exceeds_frame');
  }
  const l3End = wireEnd < end ? wireEnd : end;
  v.l3End = l3End;
  v.ipId = u16(b, off + 4);
  const ff = u16(b, off + 6);
  v.dontFragment = (ff & 0x4000) !== 0;
  v.moreFragments = (ff & 0x2000) !== 0;
  v.fragOffset = (ff & 0x1fff) * 8;
  v.isFragment = v.moreFragments || v.fragOffset !== 0;
  v.fragId = v.ipId;
  v.ttl = b[off + 8]!;
  const proto = b[off + 9]!;
  v.src4 = u32(b, off + 12);
  v.dst4 = u32(b, off + 16);
  v.ipOptionsLen = hlen - 20;
  v.proto = proto;
  const l4 = off + hlen;
  if (v.fragOffset !== 0) {
    // A later fragment: no transport header here. The engine reassembles.
    v.l4Off = l4;
    v.payloadOff = l4;
    v.payloadLen = l3End - l4;
    v.payloadWireLen = wireEnd - l4;
    return;
  }
  decodeTransport(v, errs, proto, l4, l3End, wireEnd);
}

function readV6(b: Uint8Array, off: number, out: Uint32Array): void {
  out[0] = u32(b, off);
  out[1] = u32(b, off + 4);
  out[2] = u32(b, off + 8);
  out[3] = u32(b, off + 12);
}

export function decodeIPv6(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  if (end - off < 40) {
    countTruncated(v, errs, 'ipv6.truncated');
    return;
  }
  if (b[off]! >> 4 !== 6) {
    countMalformed(v, errs, 'ipv6.bad_version');
    return;
  }
  v.l3 = L3.IPv6;
  v.l3Off = off;
  const plen = u16(b, off + 4);
  let nh = b[off + 6]!;
  v.ttl = b[off + 7]!;
  readV6(b, off + 8, v.src6);
  readV6(b, off + 24, v.dst6);
  // Payload length 0 with a hop-by-hop header is a jumbogram: use what was captured.
  const wireEnd = plen === 0 && nh === 0 ? end : off + 40 + plen;
  if (wireEnd > end) {
    v.truncated = true;
    if (v.capLen >= v.origLen) errs.count('ipv6.payload_length_exceeds_frame');
  }
  const l3End = wireEnd < end ? wireEnd : end;
  v.l3End = l3End;
  let p = off + 40;
  for (let i = 0; i < MAX_IPV6_EXT_HEADERS; i++) {
    switch (nh) {
      case 0: // hop-by-hop
      case 43: // routing
      case 60: {
        // destination options
        if (l3End - p < 8) return ipv6Truncated(v, errs, nh, p, l3End, wireEnd);
        const len = (b[p + 1]! + 1) * 8;
        if (nh === 43) finalDestination(v, p, len, l3End);
        nh = b[p]!;
        p += len;
        continue;
      }
      case 51: // authentication header
        if (l3End - p < 8) return ipv6Truncated(v, errs, nh, p, l3End, wireEnd);
        nh = b[p]!;
        p += (b[p + 1]! + 2) * 4;
        continue;
      case 44: {
        if (l3End - p < 8) return ipv6Truncated(v, errs, nh, p, l3End, wireEnd);
        const fo = u16(b, p + 2);
        v.fragOffset = fo & 0xfff8;
        v.moreFragments = (fo & 1) !== 0;
        v.fragId = u32(b, p + 4);
        v.isFragment = v.moreFragments || v.fragOffset !== 0;
        nh = b[p]!;
        p += 8;
        if (v.fragOffset !== 0) {
          v.proto = nh;
          v.l4Off = p;
          v.payloadOff = p;
          v.payloadLen = Math.max(0, l3End - p);
          v.payloadWireLen = Math.max(0, wireEnd - p);
          return;
        }
        continue;
      }
      case 50: // ESP: the rest is encrypted
      case 59: // no next header
      case 135: // mobility header: carries no transport payload
        v.proto = nh;
        v.l4Off = p;
        return;
      default:
        if (p > l3End) return ipv6Truncated(v, errs, nh, p, l3End, wireEnd);
        decodeTransport(v, errs, nh, p, l3End, wireEnd);
        return;
    }
  }
  countMalformed(v, errs, 'ipv6.too_many_extension_headers');
}

/**
 * A routing header with segments left names the real destination: last in a
 * type 0 or type 2 (Mobile IPv6) header, first in a type 4 segment routing
 * header (SRv6, RFC 8754: the segment list is in reverse order, and TLVs may
 * follow it). The connection is between the endpoints, as Zeek and Wireshark
 * count it.
 */
function finalDestination(v: PacketView, p: number, len: number, end: number): void {
  const b = v.buf;
  const type = b[p + 2]!;
  const segLeft = b[p + 3]!;
  if (segLeft === 0) return;
  let at: number;
  if (type === 0 || type === 2) at = p + 8 + (Math.floor((len - 8) / 16) - 1) * 16;
  else if (type === 4) at = p + 8;
  else return;
  if (at < p + 8 || at + 16 > p + len || at + 16 > end) return;
  readV6(b, at, v.dst6);
}

function ipv6Truncated(v: PacketView, errs: DecodeErrors, nh: number, p: number, l3End: number, wireEnd: number): void {
  v.truncated = true;
  v.proto = nh;
  errs.count(l3End < wireEnd ? 'ipv6.truncated' : 'ipv6.bad_extension_header_length');
  if (l3End >= wireEnd) v.malformed = true;
  v.l4Off = p < l3End ? p : l3End;
}

export function decodeArp(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  if (end - off < 8) {
    countTruncated(v, errs, 'arp.truncated');
    return;
  }
  const ptype = u16(b, off + 2);
  const hlen = b[off + 4]!;
  const plen = b[off + 5]!;
  if (ptype !== 0x0800 || hlen !== 6 || plen !== 4) {
    errs.count('arp.unsupported_address_format');
    return;
  }
  if (end - off < 28) {
    countTruncated(v, errs, 'arp.truncated');
    return;
  }
  v.l3 = L3.ARP;
  v.l3Off = off;
  v.l3End = off + 28;
  v.arpOp = u16(b, off + 6);
  v.arpSenderMac = mac48(b, off + 8);
  v.arpSenderIp = u32(b, off + 14);
  v.arpTargetMac = mac48(b, off + 18);
  v.arpTargetIp = u32(b, off + 24);
}
