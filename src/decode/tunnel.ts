/**
 * Tunnels that carry mirrored or overlay traffic: GRE (plain, transparent
 * Ethernet bridging), ERSPAN types I, II and III, VXLAN and IP-in-IP. The
 * inner packet replaces the outer one in the view, so everything downstream
 * sees it as if it had been captured directly.
 */
import { u16 } from './bytes.js';
import type { DecodeErrors } from './errors.js';
import { decodeIPv4, decodeIPv6 } from './ip.js';
import { decodeEthernet } from './link.js';
import { MAX_TUNNELS, type PacketView } from './view.js';

const MAX_TUNNEL_DEPTH = MAX_TUNNELS;

const GRE_CSUM = 0x8000;
const GRE_ROUTING = 0x4000;
const GRE_KEY = 0x2000;
const GRE_SEQ = 0x1000;

/**
 * Steps into a tunnel when the inner packet has at least `need` bytes; a
 * shorter one is counted and the outer packet stays what is analysed.
 */
function enter(v: PacketView, errs: DecodeErrors, avail: number, need: number): boolean {
  if (avail < need) {
    v.truncated = true;
    errs.count('tunnel.inner_truncated');
    return false;
  }
  if (v.tunnelDepth >= MAX_TUNNEL_DEPTH) {
    v.malformed = true;
    errs.count('tunnel.too_deep');
    return false;
  }
  v.saveOuter(v.tunnelDepth);
  v.tunnelDepth++;
  v.resetNetwork();
  return true;
}

/** IP directly inside IP (protocol 4 or 41), or inside GRE. */
export function decodeInnerIp(v: PacketView, errs: DecodeErrors, version: 4 | 6, off: number, end: number): void {
  if (!enter(v, errs, end - off, version === 4 ? 20 : 40)) return;
  // The outer MACs belong to the tunnel endpoints, not to the inner hosts.
  v.macSrc = -1;
  v.macDst = -1;
  if (version === 4) decodeIPv4(v, errs, off, end);
  else decodeIPv6(v, errs, off, end);
}

function decodeInnerEthernet(v: PacketView, errs: DecodeErrors, off: number, end: number, mirroredVlan: number): void {
  if (!enter(v, errs, end - off, 14)) return;
  v.vlan = -1;
  v.vlanOuter = -1;
  v.macSrc = -1;
  v.macDst = -1;
  decodeEthernet(v, errs, off, end);
  if (v.vlan < 0 && mirroredVlan > 0) {
    v.vlan = mirroredVlan;
    v.vlanOuter = mirroredVlan;
  }
}

export function decodeGre(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  if (end - off < 4) {
    v.truncated = true;
    errs.count('gre.truncated');
    return;
  }
  const flags = u16(b, off);
  const proto = u16(b, off + 2);
  if ((flags & 7) !== 0) return; // version 1 is PPTP's enhanced GRE: PPP inside, not mirrored frames
  if (flags & GRE_ROUTING) {
    errs.count('gre.routing_unsupported');
    return;
  }
  let p = off + 4;
  if (flags & GRE_CSUM) p += 4;
  if (flags & GRE_KEY) p += 4;
  if (flags & GRE_SEQ) p += 4;
  if (p > end) {
    v.truncated = true;
    errs.count('gre.truncated');
    return;
  }
  switch (proto) {
    case 0x0800:
      decodeInnerIp(v, errs, 4, p, end);
      return;
    case 0x86dd:
      decodeInnerIp(v, errs, 6, p, end);
      return;
    case 0x6558: // transparent Ethernet bridging
      decodeInnerEthernet(v, errs, p, end, -1);
      return;
    case 0x88be: {
      if (!(flags & GRE_SEQ)) {
        // ERSPAN type I: no ERSPAN header, the mirrored frame follows directly.
        decodeInnerEthernet(v, errs, p, end, -1);
        return;
      }
      if (end - p < 8) {
        v.truncated = true;
        errs.count('erspan.truncated');
        return;
      }
      // Type II: VLAN of the mirrored frame in the header when the tag was stripped (En = 01 or 10).
      const vlan = u16(b, p) & 0x0fff;
      const en = (b[p + 2]! >> 3) & 3;
      decodeInnerEthernet(v, errs, p + 8, end, en === 1 || en === 2 ? vlan : -1);
      return;
    }
    case 0x22eb: {
      // ERSPAN type III: 12-byte header, 8 more when the platform sub-header flag (O) is set.
      if (end - p < 12) {
        v.truncated = true;
        errs.count('erspan.truncated');
        return;
      }
      const vlan = u16(b, p) & 0x0fff;
      const hdr = b[p + 11]! & 1 ? 20 : 12;
      if (end - p < hdr) {
        v.truncated = true;
        errs.count('erspan.truncated');
        return;
      }
      decodeInnerEthernet(v, errs, p + hdr, end, vlan);
      return;
    }
    default:
      return;
  }
}

export function decodeVxlan(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  if (end - off < 8) return; // too short to be VXLAN: leave it as plain UDP
  if ((v.buf[off]! & 0x08) === 0) return; // the VNI flag must be set
  decodeInnerEthernet(v, errs, off + 8, end, -1);
}

/** Geneve (UDP 6081): 8-byte header plus options; Ethernet or IP inside by protocol type. */
export function decodeGeneve(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  if (end - off < 8) return;
  if (b[off]! >> 6 !== 0) return; // only version 0 exists
  const hdr = 8 + (b[off]! & 0x3f) * 4;
  if (end - off < hdr) {
    v.truncated = true;
    errs.count('geneve.truncated');
    return;
  }
  const proto = u16(b, off + 2);
  if (proto === 0x6558) decodeInnerEthernet(v, errs, off + hdr, end, -1);
  else if (proto === 0x0800) decodeInnerIp(v, errs, 4, off + hdr, end);
  else if (proto === 0x86dd) decodeInnerIp(v, errs, 6, off + hdr, end);
}
