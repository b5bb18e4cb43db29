/**
 * Link layers: Ethernet II, 802.3 LLC/SNAP, 802.1Q/802.1ad/QinQ, 802.1ah
 * (PBB), MPLS, PPPoE session, MACsec (macsec.ts), NSH (nsh.ts), Linux cooked
 * SLL and SLL2, BSD NULL/LOOP, raw IP, NFLOG, PPP (ppp.ts), Cisco HDLC,
 * 802.11 alone or behind a radiotap, PPI, Prism or AVS header (wifi.ts),
 * Apple's PKTAP (pktap.ts), FDDI (fddi.ts), Token Ring (token-ring.ts),
 * Solaris ipnet (ipnet.ts), switch-tagged Ethernet (switch-tag.ts), Frame
 * Relay (frame-relay.ts), ARCNET (arcnet.ts), SLIP (slip.ts) and ATM with
 * RFC 1483 LLC encapsulation (atm.ts). Each
 * function decodes its header and hands the payload to the next decoder.
 */
import { decodeArcnet } from './arcnet.js';
import { decodeAtmRfc1483 } from './atm.js';
import { mac48, u16, u16le, u32le } from './bytes.js';
import { countTruncated, type DecodeErrors } from './errors.js';
import { decodeIPv4, decodeIPv6, decodeArp } from './ip.js';
import { decodeFddi } from './fddi.js';
import { decodeFrameRelay } from './frame-relay.js';
import { decodeMacsec } from './macsec.js';
import { decodeIpnet } from './ipnet.js';
import { decodeInnerNsh } from './nsh.js';
import { decodePktap } from './pktap.js';
import { decodePppFrame, pppIpVersion } from './ppp.js';
import { decodeSlip } from './slip.js';
import { BRCM_PREPEND_BYTES, decodeSwitchTagged, DSA_TAG_BYTES, EDSA_DSA_AT, EDSA_TAG_BYTES } from './switch-tag.js';
import { decodeTokenRing } from './token-ring.js';
import { L3, type PacketView } from './view.js';
import { decodeAvs, decodeIeee80211, decodePpi, decodePrism, decodeRadiotap } from './wifi.js';

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_RAW_ALT = 12; // DLT_RAW on some BSDs
export const LINKTYPE_RAW_OPENBSD = 14;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_NFLOG = 239;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;
export const LINKTYPE_PPP = 9;
export const LINKTYPE_PPP_HDLC = 50;
/** PPP with a direction byte first (sent or received). */
export const LINKTYPE_PPP_WITH_DIR = 204;
/** Cisco HDLC: address, control, then an EtherType. */
export const LINKTYPE_C_HDLC = 104;
/** 802.11 MAC frames without an FCS (tcpdump's and tshark's reading). */
export const LINKTYPE_IEEE802_11 = 105;
/** A radiotap header, then the 802.11 frame (monitor mode on Linux, the BSDs, macOS). */
export const LINKTYPE_IEEE802_11_RADIOTAP = 127;
/** CACE PPI: a header of TLV fields naming the inner link type (802.11 from Kismet, AirPcap). */
export const LINKTYPE_PPI = 192;
/** A Prism monitor header (or an AVS one, by its cookie), then 802.11. */
export const LINKTYPE_IEEE802_11_PRISM = 119;
/** An AVS monitor header, then 802.11. */
export const LINKTYPE_IEEE802_11_AVS = 163;
/** Apple's PKTAP (macOS `tcpdump -i pktap`): its header names the link type of the packet behind it (pktap.ts). */
export const LINKTYPE_PKTAP = 258;
/**
 * DLT_USER2: macOS 10.9 wrote PKTAP captures with it, and tshark reads it
 * as PKTAP unless told otherwise (pktap.ts).
 */
export const LINKTYPE_USER2 = 149;
/** FDDI: frame control, destination, source, then LLC (fddi.ts). */
export const LINKTYPE_FDDI = 10;
/** IEEE 802.5 Token Ring: access control, frame control, destination, source, routing, then LLC (token-ring.ts). */
export const LINKTYPE_IEEE802_5 = 6;
/** Solaris ipnet: a 24-byte header, then IPv4 or IPv6 (ipnet.ts). */
export const LINKTYPE_IPNET = 226;
/** Ethernet with a switch chip's tag (switch-tag.ts): Marvell DSA, Marvell EDSA, Broadcom, Broadcom prepended. */
export const LINKTYPE_DSA_TAG_DSA = 284;
export const LINKTYPE_DSA_TAG_EDSA = 285;
export const LINKTYPE_DSA_TAG_BRCM = 281;
export const LINKTYPE_DSA_TAG_BRCM_PREPEND = 282;
/** Frame Relay: a Q.922 address, then RFC 2427 or Cisco encapsulation (frame-relay.ts). */
export const LINKTYPE_FRELAY = 107;
/** ARCNET as BSD and Linux capture it (arcnet.ts). */
export const LINKTYPE_ARCNET_BSD = 7;
export const LINKTYPE_ARCNET_LINUX = 129;
/** SLIP: a 16-byte pseudo-header, then IP (slip.ts). */
export const LINKTYPE_SLIP = 8;
/** ATM AAL5 payloads with RFC 1483 LLC encapsulation (atm.ts). */
export const LINKTYPE_ATM_RFC1483 = 100;

export const ETH_IPV4 = 0x0800;
export const ETH_ARP = 0x0806;
export const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100;
const ETH_QINQ = 0x88a8;
const ETH_QINQ_OLD = 0x9100;
const ETH_PBB = 0x88e7;
const ETH_MPLS = 0x8847;
const ETH_MPLS_MC = 0x8848;
const ETH_PPPOE_SESSION = 0x8864;
const ETH_VNTAG = 0x8926;
const ETH_MACSEC = 0x88e5;
const ETH_NSH = 0x894f;
/** Arista's vendor-specific EtherType (AVSP): switches and TAP aggregators insert a timestamp header. */
const ETH_ARISTA = 0xd28b;
const ARISTA_SUBTYPE_TIMESTAMP = 0x0001;

/** Maximum nesting of tags and encapsulations before a frame is given up. */
const MAX_DEPTH = 256;

/** True when the link type is one this decoder understands. */
export function isKnownLinkType(linkType: number): boolean {
  switch (linkType) {
    case LINKTYPE_NULL:
    case LINKTYPE_ETHERNET:
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_ALT:
    case LINKTYPE_RAW_OPENBSD:
    case LINKTYPE_LOOP:
    case LINKTYPE_LINUX_SLL:
    case LINKTYPE_LINUX_SLL2:
    case LINKTYPE_NFLOG:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
    case LINKTYPE_PPP:
    case LINKTYPE_PPP_HDLC:
    case LINKTYPE_PPP_WITH_DIR:
    case LINKTYPE_C_HDLC:
    case LINKTYPE_IEEE802_11:
    case LINKTYPE_IEEE802_11_RADIOTAP:
    case LINKTYPE_PPI:
    case LINKTYPE_IEEE802_11_PRISM:
    case LINKTYPE_IEEE802_11_AVS:
    case LINKTYPE_PKTAP:
    case LINKTYPE_USER2:
    case LINKTYPE_FDDI:
    case LINKTYPE_IEEE802_5:
    case LINKTYPE_IPNET:
    case LINKTYPE_DSA_TAG_DSA:
    case LINKTYPE_DSA_TAG_EDSA:
    case LINKTYPE_DSA_TAG_BRCM:
    case LINKTYPE_DSA_TAG_BRCM_PREPEND:
    case LINKTYPE_FRELAY:
    case LINKTYPE_ARCNET_BSD:
    case LINKTYPE_ARCNET_LINUX:
    case LINKTYPE_SLIP:
    case LINKTYPE_ATM_RFC1483:
      return true;
    default:
      return false;
  }
}

/** Decodes a frame of the given link type into the view. */
export function decodeLink(v: PacketView, errs: DecodeErrors): void {
  // Ethernet first, outside the switch: almost every frame, kept small enough to inline.
  if (v.linkType === LINKTYPE_ETHERNET) decodeEthernet(v, errs, v.frameOff, v.capEnd);
  else decodeLinkAs(v, errs, v.linkType, v.frameOff, v.capEnd);
}

/**
 * Decodes the frame at `off` as one of link type `linkType`: the capture's
 * own, or the one a PKTAP header names for the packet behind it.
 */
export function decodeLinkAs(v: PacketView, errs: DecodeErrors, linkType: number, off: number, end: number): void {
  const b = v.buf;
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      decodeEthernet(v, errs, off, end);
      return;
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_ALT:
    case LINKTYPE_RAW_OPENBSD:
      decodeRawIp(v, errs, off, end);
      return;
    case LINKTYPE_IPV4:
      // tcpdump and tshark both read an IPv6 packet found here as IPv6: go by the version nibble too.
      decodeRawIp(v, errs, off, end);
      return;
    case LINKTYPE_IPV6:
      decodeIPv6(v, errs, off, end);
      return;
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      if (end - off < 4) return countTruncated(v, errs, 'null.truncated');
      // NULL stores the address family in the capturing host's byte order.
      let family: number;
      if (linkType === LINKTYPE_LOOP) family = u16(b, off + 2) | (u16(b, off) << 16);
      else family = b[off] !== 0 ? u32le(b, off) : (b[off + 1]! << 16) | u16(b, off + 2);
      if (family === 2) decodeIPv4(v, errs, off + 4, end);
      else if (family === 24 || family === 28 || family === 30 || family === 10) decodeIPv6(v, errs, off + 4, end);
      else errs.count('null.unknown_family');
      return;
    }
    case LINKTYPE_LINUX_SLL: {
      if (end - off < 16) return countTruncated(v, errs, 'sll.truncated');
      const halen = u16(b, off + 4);
      if (halen === 6) v.macSrc = mac48(b, off + 6);
      decodeEtherType(v, errs, u16(b, off + 14), off + 16, end, 0);
      return;
    }
    case LINKTYPE_LINUX_SLL2: {
      if (end - off < 20) return countTruncated(v, errs, 'sll2.truncated');
      const halen = b[off + 11]!;
      if (halen === 6) v.macSrc = mac48(b, off + 12);
      decodeEtherType(v, errs, u16(b, off), off + 20, end, 0);
      return;
    }
    case LINKTYPE_NFLOG:
      decodeNflog(v, errs, off, end);
      return;
    case LINKTYPE_PPP:
    case LINKTYPE_PPP_HDLC:
      decodePppFrame(v, errs, off, end);
      return;
    case LINKTYPE_PPP_WITH_DIR:
      decodePppFrame(v, errs, off + 1, end);
      return;
    case LINKTYPE_C_HDLC:
      if (end - off < 4) return countTruncated(v, errs, 'chdlc.truncated');
      decodeEtherType(v, errs, u16(b, off + 2), off + 4, end, 0);
      return;
    case LINKTYPE_IEEE802_11:
      decodeIeee80211(v, errs, off, end, false);
      return;
    case LINKTYPE_IEEE802_11_RADIOTAP:
      decodeRadiotap(v, errs, off, end);
      return;
    case LINKTYPE_PPI:
      decodePpi(v, errs, off, end);
      return;
    case LINKTYPE_IEEE802_11_PRISM:
      decodePrism(v, errs, off, end);
      return;
    case LINKTYPE_IEEE802_11_AVS:
      decodeAvs(v, errs, off, end);
      return;
    case LINKTYPE_PKTAP:
    case LINKTYPE_USER2:
      decodePktap(v, errs, off, end);
      return;
    case LINKTYPE_FDDI:
      decodeFddi(v, errs, off, end);
      return;
    case LINKTYPE_IEEE802_5:
      decodeTokenRing(v, errs, off, end);
      return;
    case LINKTYPE_IPNET:
      decodeIpnet(v, errs, off, end);
      return;
    case LINKTYPE_DSA_TAG_DSA:
      decodeSwitchTagged(v, errs, off, end, DSA_TAG_BYTES, 0);
      return;
    case LINKTYPE_DSA_TAG_EDSA:
      decodeSwitchTagged(v, errs, off, end, EDSA_TAG_BYTES, EDSA_DSA_AT);
      return;
    case LINKTYPE_DSA_TAG_BRCM:
      decodeSwitchTagged(v, errs, off, end, DSA_TAG_BYTES, -1);
      return;
    case LINKTYPE_DSA_TAG_BRCM_PREPEND:
      decodeSwitchTagged(v, errs, off, end, 0, -1, BRCM_PREPEND_BYTES);
      return;
    case LINKTYPE_FRELAY:
      decodeFrameRelay(v, errs, off, end);
      return;
    case LINKTYPE_ARCNET_BSD:
    case LINKTYPE_ARCNET_LINUX:
      decodeArcnet(v, errs, off, end, linkType === LINKTYPE_ARCNET_LINUX);
      return;
    case LINKTYPE_SLIP:
      decodeSlip(v, errs, off, end);
      return;
    case LINKTYPE_ATM_RFC1483:
      decodeAtmRfc1483(v, errs, off, end);
      return;
    default:
      errs.count('link.unsupported_type');
      return;
  }
}

export function decodeRawIp(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  if (off >= end) return countTruncated(v, errs, 'raw.truncated');
  const ver = v.buf[off]! >> 4;
  if (ver === 4) decodeIPv4(v, errs, off, end);
  else if (ver === 6) decodeIPv6(v, errs, off, end);
  else errs.count('raw.bad_ip_version');
}

export function decodeEthernet(v: PacketView, errs: DecodeErrors, off: number, end: number, depth = 0): void {
  if (end - off < 14) return countTruncated(v, errs, 'eth.truncated');
  const b = v.buf;
  v.macDst = mac48(b, off);
  v.macSrc = mac48(b, off + 6);
  decodeEtherType(v, errs, u16(b, off + 12), off + 14, end, depth);
}

/** Any 802.3 length: for decodeEtherType, an LLC header follows. */
const LLC_FOLLOWS = 0;

/**
 * An 802.2 LLC header at `off` (FDDI, Token Ring): a SNAP header gives the
 * EtherType and decoding goes on as on Ethernet; other LLC carries no IP.
 */
export function decodeLlc(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  decodeEtherType(v, errs, LLC_FOLLOWS, off, end, 0);
}

/** SNAP OUI 00-80-C2 (IEEE 802.1, bridged frames) and its PIDs for an 802.3 frame with and without the FCS. */
const OUI_BRIDGED = 0x0080c2;
const PID_8023_FCS = 0x0001;
const PID_8023 = 0x0007;
const FCS_BYTES = 4;

/**
 * What follows a SNAP header whose OUI and PID were read, at `off`: OUI 0
 * gives an EtherType (routed); OUI 00-80-C2 with PID 0x0007 (0x0001: the
 * FCS kept) a bridged 802.3 frame after `pad` bytes (RFC 2684 pads with 2,
 * RFC 2427 with none). Other payloads carry no IP.
 */
export function decodeSnapPayload(v: PacketView, errs: DecodeErrors, oui: number, pid: number, off: number, end: number, pad: number): void {
  if (oui === 0) {
    decodeEtherType(v, errs, pid, off, end, 0);
  } else if (oui === OUI_BRIDGED && (pid === PID_8023 || pid === PID_8023_FCS)) {
    const frame = off + pad;
    decodeEthernet(v, errs, frame, pid === PID_8023_FCS ? Math.max(frame, end - FCS_BYTES) : end);
  }
}

/** Dispatches on an EtherType (or an 802.3 length) at `off`. */
export function decodeEtherType(v: PacketView, errs: DecodeErrors, type: number, off: number, end: number, depth: number): void {
  const b = v.buf;
  for (;;) {
    if (depth++ > MAX_DEPTH) {
      errs.count('eth.too_many_tags');
      v.malformed = true;
      return;
    }
    if (type === ETH_VLAN || type === ETH_QINQ || type === ETH_QINQ_OLD) {
      if (end - off < 4) return countTruncated(v, errs, 'vlan.truncated');
      const vid = u16(b, off) & 0x0fff;
      if (v.vlanOuter < 0) v.vlanOuter = vid;
      v.vlan = vid;
      type = u16(b, off + 2);
      off += 4;
      continue;
    }
    if (type <= 1500) {
      // 802.3 length field: LLC follows; only SNAP carries an EtherType.
      if (end - off < 3) return countTruncated(v, errs, 'llc.truncated');
      if (b[off] === 0xaa && b[off + 1] === 0xaa && b[off + 2] === 0x03) {
        if (end - off < 8) return countTruncated(v, errs, 'snap.truncated');
        type = u16(b, off + 6);
        off += 8;
        continue;
      }
      v.etherType = 0;
      return; // STP, CDP over SNAP handled above, NetBEUI, ...: no IP inside
    }
    v.etherType = type;
    v.l2PayloadOff = off;
    switch (type) {
      case ETH_IPV4:
        decodeIPv4(v, errs, off, end);
        return;
      case ETH_IPV6:
        decodeIPv6(v, errs, off, end);
        return;
      case ETH_ARP:
        decodeArp(v, errs, off, end);
        return;
      case ETH_PBB: {
        // 802.1ah: 4-byte I-TAG, then the customer's Ethernet header.
        if (end - off < 18) return countTruncated(v, errs, 'pbb.truncated');
        v.macDst = mac48(b, off + 4);
        v.macSrc = mac48(b, off + 10);
        type = u16(b, off + 16);
        off += 18;
        continue;
      }
      case ETH_MPLS:
      case ETH_MPLS_MC:
        v.macSrc = -1; // the addresses seen belong to the label-switched path, not the hosts
        v.macDst = -1;
        decodeMpls(v, errs, off, end);
        return;
      case ETH_MACSEC:
        decodeMacsec(v, errs, off, end, depth);
        return;
      case ETH_NSH:
        decodeInnerNsh(v, errs, off, end);
        return;
      case ETH_VNTAG: {
        // Cisco VN-Tag: 4 bytes, then the real EtherType.
        if (end - off < 6) return countTruncated(v, errs, 'vntag.truncated');
        type = u16(b, off + 4);
        off += 6;
        continue;
      }
      case ETH_ARISTA: {
        // Subtype, then a version word whose bits 4-7 give the timestamp's
        // format (1: 64-bit, 2: 48-bit); the original EtherType follows it.
        if (end - off < 4) return countTruncated(v, errs, 'arista.truncated');
        const format = (b[off + 3]! >> 4) & 0x0f;
        const tsLen = format === 1 ? 8 : format === 2 ? 6 : -1;
        if (u16(b, off) !== ARISTA_SUBTYPE_TIMESTAMP || tsLen < 0) {
          errs.count('arista.unknown_header');
          return;
        }
        if (end - off < 4 + tsLen + 2) return countTruncated(v, errs, 'arista.truncated');
        type = u16(b, off + 4 + tsLen);
        off += 4 + tsLen + 2;
        continue;
      }
      case ETH_PPPOE_SESSION: {
        if (end - off < 8) return countTruncated(v, errs, 'pppoe.truncated');
        const version = pppIpVersion(u16(b, off + 6));
        if (version === 4) decodeIPv4(v, errs, off + 8, end);
        else if (version === 6) decodeIPv6(v, errs, off + 8, end);
        return;
      }
      default:
        return; // LLDP, Profinet, EAPOL, ...: recorded as etherType for later dissectors
    }
  }
}

/**
 * An MPLS label stack, down to the bottom-of-stack bit, then IP guessed by
 * the version nibble (on Ethernet, and inside GRE, UDP, IP and NSH).
 */
export function decodeMpls(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  for (;;) {
    if (end - off < 4) return countTruncated(v, errs, 'mpls.truncated');
    const bos = b[off + 2]! & 1;
    off += 4;
    if (bos) break;
  }
  decodeRawIp(v, errs, off, end);
}

/** Linux NFLOG: a 4-byte header, then TLVs in host byte order; type 9 holds the packet. */
function decodeNflog(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  if (end - off < 4) return countTruncated(v, errs, 'nflog.truncated');
  const family = b[off]!;
  let p = off + 4;
  while (end - p >= 4) {
    const len = u16le(b, p);
    const type = u16le(b, p + 2) & 0x7fff;
    if (len < 4) {
      errs.count('nflog.bad_tlv_length');
      v.malformed = true;
      return;
    }
    if (type === 9) {
      const pend = Math.min(end, p + len);
      if (family === 10) decodeIPv6(v, errs, p + 4, pend);
      else decodeIPv4(v, errs, p + 4, pend);
      return;
    }
    p += (len + 3) & ~3;
  }
  if (v.l3 === L3.None) errs.count('nflog.no_payload');
}
