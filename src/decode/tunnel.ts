/**
 * Tunnels, and the one way into them: enter() saves the outer IP header (the
 * tunnel's endpoints, inventoried by the engine) and bounds the nesting; the
 * inner packet then replaces the outer one in the view, so everything
 * downstream sees it as if it had been captured directly.
 *
 * Here: GRE (plain, transparent Ethernet bridging, MPLS, NSH, WCCP redirect,
 * Aruba's 802.11, and version 1, PPTP's enhanced GRE), ERSPAN types I, II and
 * III, VXLAN, VXLAN-GPE, Geneve, IP-in-IP, MPLS inside a tunnel, and the
 * 802.11 frame an access point sends its controller. The UDP carriers are
 * chosen in udp-tunnel.ts; NSH, PPP, GTP-U, Teredo, L2TP, PIM, MACsec, CAPWAP
 * and LWAPP have files of their own.
 */
import { u16 } from './bytes.js';
import { countTruncated, countMalformed, type DecodeErrors } from './errors.js';
import { decodeIPv4, decodeIPv6 } from './ip.js';
import { decodeEthernet, decodeMpls } from './link.js';
import { decodeInnerNsh } from './nsh.js';
import { decodePppInTunnel } from './ppp.js';
import { MAX_TUNNELS, type PacketView } from './view.js';
import { decodeTunnelledIeee80211 } from './wifi.js';

const MAX_TUNNEL_DEPTH = MAX_TUNNELS;

const GRE_CSUM = 0x8000;
const GRE_ROUTING = 0x4000;
const GRE_KEY = 0x2000;
const GRE_SEQ = 0x1000;
/** Enhanced GRE (version 1, RFC 2637): an acknowledgment number follows the sequence number. */
const GRE_ACK = 0x0080;
const GRE_VERSION = 0x0007;

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_TEB = 0x6558;
const ETH_ERSPAN2 = 0x88be;
const ETH_ERSPAN3 = 0x22eb;
const ETH_MPLS = 0x8847;
const ETH_MPLS_MC = 0x8848;
const ETH_NSH = 0x894f;
const ETH_WCCP = 0x883e;
const ETH_PPP = 0x880b;
/**
 * Aruba's access points send their controller each station's 802.11 frame in
 * GRE with a protocol type from 0x8200 to 0x8370 in steps of 0x10, right
 * after the GRE header (Wireshark reads all 24 values so; 0x9000 is another
 * Aruba protocol).
 */
const GRE_ARUBA_FIRST = 0x8200;
const GRE_ARUBA_LAST = 0x8370;

/** VXLAN-GPE next protocol values (also NSH's, which has no 4). */
export const NP_IPV4 = 1;
export const NP_IPV6 = 2;
export const NP_ETHERNET = 3;
export const NP_NSH = 4;
export const NP_MPLS = 5;

/**
 * Steps into a tunnel when the inner packet has at least `need` bytes; a
 * shorter one is counted and the outer packet stays what is analysed. On
 * success the outer IP header (if any) and source MAC are kept as tunnel
 * `tunnelDepth - 1`, and the view's network state and MAC addresses are
 * cleared: the outer MACs belong to the tunnel's endpoints, not to the inner
 * hosts (an inner Ethernet header sets its own).
 */
export function enter(v: PacketView, errs: DecodeErrors, avail: number, need: number): boolean {
  if (avail < need) {
    countTruncated(v, errs, 'tunnel.inner_truncated');
    return false;
  }
  if (v.tunnelDepth >= MAX_TUNNEL_DEPTH) {
    countMalformed(v, errs, 'tunnel.too_deep');
    return false;
  }
  v.saveOuter(v.tunnelDepth);
  v.tunnelDepth++;
  v.resetNetwork();
  v.macSrc = -1;
  v.macDst = -1;
  return true;
}

/** IP directly inside IP (protocol 4 or 41), or inside GRE, GTP-U, PPP, ... */
export function decodeInnerIp(v: PacketView, errs: DecodeErrors, version: 4 | 6, off: number, end: number): void {
  if (!enter(v, errs, end - off, version === 4 ? 20 : 40)) return;
  if (version === 4) decodeIPv4(v, errs, off, end);
  else decodeIPv6(v, errs, off, end);
}

/** The IP version (4 or 6) the byte at `off` announces, 0 for neither or no byte. */
export function ipVersionAt(v: PacketView, off: number, end: number): 0 | 4 | 6 {
  if (off >= end) return 0;
  const ver = v.buf[off]! >> 4;
  return ver === 4 ? 4 : ver === 6 ? 6 : 0;
}

/** An Ethernet frame inside a tunnel; `mirroredVlan` is ERSPAN's record of a stripped tag (-1 for none). */
export function decodeInnerEthernet(v: PacketView, errs: DecodeErrors, off: number, end: number, mirroredVlan: number): void {
  if (!enter(v, errs, end - off, 14)) return;
  innerEthernet(v, errs, off, end, mirroredVlan);
}

/** The Ethernet frame of a tunnel already entered. */
export function innerEthernet(v: PacketView, errs: DecodeErrors, off: number, end: number, mirroredVlan: number): void {
  v.vlan = -1;
  v.vlanOuter = -1;
  decodeEthernet(v, errs, off, end);
  if (v.vlan < 0 && mirroredVlan > 0) {
    v.vlan = mirroredVlan;
    v.vlanOuter = mirroredVlan;
  }
}

/** The shortest 802.11 frame (an ACK or CTS without its FCS). */
const WLAN_MIN_FRAME = 10;

/**
 * An 802.11 frame an access point and its controller exchange (CAPWAP,
 * LWAPP, Aruba's GRE): the station's addresses and packet replace the
 * outer ones, the tunnel's VLAN stays with its endpoints.
 */
export function decodeInnerIeee80211(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  if (!enter(v, errs, end - off, WLAN_MIN_FRAME)) return;
  v.vlan = -1;
  v.vlanOuter = -1;
  decodeTunnelledIeee80211(v, errs, off, end);
}

/** An MPLS label stack inside a tunnel (GRE, UDP port 6635, IP protocol 137), then IP as on Ethernet. */
export function decodeInnerMpls(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  if (!enter(v, errs, end - off, 4)) return;
  decodeMpls(v, errs, off, end);
}

export function decodeGre(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  if (end - off < 4) {
    countTruncated(v, errs, 'gre.truncated');
    return;
  }
  const flags = u16(b, off);
  const proto = u16(b, off + 2);
  const version = flags & GRE_VERSION;
  if (version === 1) return decodeEnhancedGre(v, errs, flags, proto, off, end);
  if (version !== 0) return;
  if (flags & GRE_ROUTING) {
    errs.count('gre.routing_unsupported');
    return;
  }
  let p = off + 4;
  if (flags & GRE_CSUM) p += 4;
  if (flags & GRE_KEY) p += 4;
  if (flags & GRE_SEQ) p += 4;
  if (p > end) {
    countTruncated(v, errs, 'gre.truncated');
    return;
  }
  switch (proto) {
    case ETH_IPV4:
      decodeInnerIp(v, errs, 4, p, end);
      return;
    case ETH_IPV6:
      decodeInnerIp(v, errs, 6, p, end);
      return;
    case ETH_TEB: // transparent Ethernet bridging
      decodeInnerEthernet(v, errs, p, end, -1);
      return;
    case ETH_MPLS:
    case ETH_MPLS_MC: // RFC 4023
      decodeInnerMpls(v, errs, p, end);
      return;
    case ETH_NSH:
      decodeInnerNsh(v, errs, p, end);
      return;
    case ETH_WCCP:
      // A WCCPv2 router puts a 4-byte redirect header first; its first byte
      // (flags, service id) is below 0x40, so an IPv4 header right away is WCCPv1.
      if (p < end && b[p]! >> 4 !== 4) p += 4;
      decodeInnerIp(v, errs, 4, p, end);
      return;
    case ETH_ERSPAN2: {
      if (!(flags & GRE_SEQ)) {
        // ERSPAN type I: no ERSPAN header, the mirrored frame follows directly.
        decodeInnerEthernet(v, errs, p, end, -1);
        return;
      }
      if (end - p < 8) {
        countTruncated(v, errs, 'erspan.truncated');
        return;
      }
      // Type II: VLAN of the mirrored frame in the header when the tag was stripped (En = 01 or 10).
      const vlan = u16(b, p) & 0x0fff;
      const en = (b[p + 2]! >> 3) & 3;
      decodeInnerEthernet(v, errs, p + 8, end, en === 1 || en === 2 ? vlan : -1);
      return;
    }
    case ETH_ERSPAN3: {
      // ERSPAN type III: 12-byte header, 8 more when the platform sub-header flag (O) is set.
      if (end - p < 12) {
        countTruncated(v, errs, 'erspan.truncated');
        return;
      }
      const vlan = u16(b, p) & 0x0fff;
      const hdr = b[p + 11]! & 1 ? 20 : 12;
      if (end - p < hdr) {
        countTruncated(v, errs, 'erspan.truncated');
        return;
      }
      decodeInnerEthernet(v, errs, p + hdr, end, vlan);
      return;
    }
    default:
      if (proto >= GRE_ARUBA_FIRST && proto <= GRE_ARUBA_LAST && (proto & 0x0f) === 0) decodeInnerIeee80211(v, errs, p, end);
      return;
  }
}

/**
 * PPTP's enhanced GRE (RFC 2637): a key field made of the payload length and
 * the call id, then the sequence number (S) and the acknowledgment number
 * (A) when present, then a PPP frame; an acknowledgment alone has no payload.
 */
function decodeEnhancedGre(v: PacketView, errs: DecodeErrors, flags: number, proto: number, off: number, end: number): void {
  if (proto !== ETH_PPP) return; // nothing else is defined for version 1
  if (!(flags & GRE_KEY) || flags & (GRE_CSUM | GRE_ROUTING)) {
    countMalformed(v, errs, 'pptp.bad_gre_header');
    return;
  }
  const hdr = 8 + (flags & GRE_SEQ ? 4 : 0) + (flags & GRE_ACK ? 4 : 0);
  if (end - off < hdr) {
    countTruncated(v, errs, 'gre.truncated');
    return;
  }
  const len = u16(v.buf, off + 4);
  if (len === 0) return;
  const p = off + hdr;
  decodePppInTunnel(v, errs, p, p + len < end ? p + len : end);
}

/** VXLAN (UDP 4789): 8-byte header with the VNI flag, then an Ethernet frame. */
export function decodeVxlan(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  if (end - off < 8) return; // too short to be VXLAN: leave it as plain UDP
  if ((v.buf[off]! & 0x08) === 0) return; // the VNI flag must be set
  decodeInnerEthernet(v, errs, off + 8, end, -1);
}

/**
 * VXLAN-GPE (UDP 4790): VXLAN's 8 bytes with version 0 in bits 4-5 of the
 * flags, the P flag set and the next protocol in the fourth byte. A header
 * that is not one, or names another protocol, leaves the datagram plain UDP.
 */
export function decodeVxlanGpe(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  if (end - off < 8) return;
  const b = v.buf;
  if ((b[off]! & 0x34) !== 0x04) return; // version 0, next protocol present
  const p = off + 8;
  switch (b[off + 3]!) {
    case NP_IPV4:
      decodeInnerIp(v, errs, 4, p, end);
      return;
    case NP_IPV6:
      decodeInnerIp(v, errs, 6, p, end);
      return;
    case NP_ETHERNET:
      decodeInnerEthernet(v, errs, p, end, -1);
      return;
    case NP_NSH:
      decodeInnerNsh(v, errs, p, end);
      return;
    case NP_MPLS:
      decodeInnerMpls(v, errs, p, end);
      return;
    default:
      return;
  }
}

/** Geneve (UDP 6081): 8-byte header plus options; Ethernet or IP inside by protocol type. */
export function decodeGeneve(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  if (end - off < 8) return;
  if (b[off]! >> 6 !== 0) return; // only version 0 exists
  const hdr = 8 + (b[off]! & 0x3f) * 4;
  if (end - off < hdr) {
    countTruncated(v, errs, 'geneve.truncated');
    return;
  }
  const proto = u16(b, off + 2);
  if (proto === ETH_TEB) decodeInnerEthernet(v, errs, off + hdr, end, -1);
  else if (proto === ETH_IPV4) decodeInnerIp(v, errs, 4, off + hdr, end);
  else if (proto === ETH_IPV6) decodeInnerIp(v, errs, 6, off + hdr, end);
}
