/**
 * IEEE 802.11 (2020, clause 9) as monitor-mode captures hold it:
 * LINKTYPE_IEEE802_11 (105, the MAC frame alone, no FCS), and the frame
 * behind a radio header: radiotap (127), PPI (192), Prism (119) or AVS (163).
 *
 * Only data frames carry a packet. Their addresses are mapped by ToDS/FromDS
 * to the Ethernet-like destination and source (DA, SA), and an LLC/SNAP
 * header gives the EtherType, from which decoding goes on exactly as on
 * Ethernet (decodeEtherType): the rest of the engine sees an Ethernet frame.
 *
 * Which frames give a source MAC (an inventory fact, SPEC §4): only data
 * frames, protected or not, with their SA: the station or the host behind
 * the AP whose traffic it is, as an Ethernet frame's source would be.
 * Management and control frames give none: beacons and probe responses would
 * list every access point in radio range (neighbours' too), probe requests
 * come from randomised, locally administered addresses that change every
 * scan, and control frames (ACK, CTS) name only a receiver. None of these
 * shows a device on the monitored network, and all of them would flood the
 * MAC table. They are decoded no further, and that is no error.
 *
 * Protected (encrypted) data frames keep their SA and nothing else: the body
 * cannot be read (not counted as an error, as MACsec's encrypted frames).
 * Null-function frames and the other data subtypes without a body (CF-Ack,
 * CF-Poll, QoS Null) likewise. Fragments of an MSDU are not reassembled: a
 * fragmented MSDU keeps its addresses, its body is left alone (802.11
 * fragmentation is rarely used). Of an A-MSDU only the first subframe is
 * read (its own DA and SA then stand for the frame's). A mesh data frame's
 * Mesh Control field is not recognised: such a body is not SNAP, so nothing
 * is read from it.
 *
 * The same frames reach a wireless controller from its access points in
 * CAPWAP, LWAPP and Aruba's GRE (capwap.ts, lwapp.ts, tunnel.ts), some with
 * Cisco's byte order (decodeTunnelledIeee80211).
 *
 * Damaged frames are counted by reason: `wlan.truncated`, `wlan.bad_version`,
 * `wlan.bad_fcs` (the radio header says the FCS check failed: the frame is
 * skipped whole, its addresses may be the damaged bits), `radiotap.*`,
 * `ppi.*`, `avs.*`, `prism.truncated`.
 */
import { mac48, u16, u16le } from './bytes.js';
import { countTruncated, countMalformed, type DecodeErrors } from './errors.js';
import { decodeEtherType, decodeEthernet } from './link.js';
import type { PacketView } from './view.js';

// ---- radiotap (radiotap.org) ----
const RT_PRESENT_TSFT = 0x01;
const RT_PRESENT_FLAGS = 0x02;
/** Bit 31 of a present word: another present word follows. */
const RT_PRESENT_EXT = 0x80;
/** Flags field: the frame ends with its 4-byte FCS. */
const RT_FLAG_FCS = 0x10;
/** Flags field: the 802.11 header is padded to a multiple of 4 bytes. */
const RT_FLAG_DATAPAD = 0x20;
/** Flags field: the frame failed its FCS check. */
const RT_FLAG_BADFCS = 0x40;

// ---- PPI (CACE Per-Packet Information) ----
const PPI_HEADER_LEN = 8;
const PPI_FLAG_ALIGNED = 0x01;
const PPI_FIELD_80211_COMMON = 2;
const PPI_80211_COMMON_LEN = 20;
const PPI_COMMON_FLAG_FCS = 0x0001;
const PPI_COMMON_FLAG_BADFCS = 0x0004;
const PPI_DLT_ETHERNET = 1;
const PPI_DLT_IEEE802_11 = 105;

// ---- Prism and AVS (wlan-ng) ----
const PRISM_HEADER_LEN = 144;
/** AVS capture header version cookies (big-endian at offset 0): 0x80211001 and 0x80211002. */
const AVS_COOKIE_HI = 0x8021;
const AVS_COOKIE_V1 = 0x1001;
const AVS_COOKIE_V2 = 0x1002;

// ---- 802.11 MAC header ----
/** Frame Control, first byte: protocol version (bits 0-1) and type (bits 2-3). */
const FC0_VERSION = 0x03;
const FC0_TYPE = 0x0c;
const FC_TYPE_DATA = 2;
/** Subtype bit: QoS data subtypes (8-15) carry a QoS Control field. */
const SUBTYPE_QOS = 0x8;
/** Subtype bit: Null, CF-Ack, CF-Poll, QoS Null...: no frame body. */
const SUBTYPE_NO_BODY = 0x4;
const FC1_TO_DS = 0x01;
const FC1_FROM_DS = 0x02;
const FC1_MORE_FRAGMENTS = 0x04;
const FC1_PROTECTED = 0x40;
/** Order / +HTC: in a QoS data frame, a 4-byte HT Control field follows the QoS Control. */
const FC1_ORDER = 0x80;
/** QoS Control, first byte: the body is an A-MSDU. */
const QOS_AMSDU = 0x80;
const HDR_LEN = 24;
const HDR_LEN_4ADDR = 30;
const AMSDU_SUBFRAME_HEADER = 14;

// ---- LLC / SNAP ----
const SNAP_LEN = 8;
/** SNAP organisation codes after which the protocol id is an EtherType (RFC 1042, 802.1H bridge tunnel). */
const OUI_RFC1042 = 0x000000;
const OUI_BRIDGE_TUNNEL = 0x0000f8;
/** Cisco's: its protocol ids (CDP 0x2000...) are read as the 802.3 path reads them. */
const OUI_CISCO = 0x00000c;

/**
 * One past the last byte of a frame that ends with a 4-byte FCS: the FCS is
 * the last 4 bytes of the frame on the air, which a snap length may have cut
 * away already.
 */
function endBeforeFcs(v: PacketView, end: number): number {
  const fcs = v.frameOff + v.origLen - 4;
  return fcs < end ? fcs : end;
}

/**
 * A radiotap header (version 0; its length, little-endian, at offset 2; then
 * present words chained by bit 31), then the 802.11 frame. Only the Flags
 * field is needed: it is the second field of the first present word, after
 * the 8-byte, 8-aligned TSFT when present (alignment counted from the start
 * of the header, as every radiotap field's). Other namespaces and fields are
 * skipped by the header length.
 */
export function decodeRadiotap(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  if (end - off < 8) return countTruncated(v, errs, 'radiotap.truncated');
  if (b[off] !== 0) return countMalformed(v, errs, 'radiotap.bad_version');
  const len = u16le(b, off + 2);
  if (len < 8) return countMalformed(v, errs, 'radiotap.bad_length');
  if (len > end - off) return countTruncated(v, errs, 'radiotap.truncated');
  const hdrEnd = off + len;
  const present0 = b[off + 4]!;
  // Skip the chained present words; fields start after the last.
  let p = off + 4;
  while (b[p + 3]! & RT_PRESENT_EXT) {
    p += 4;
    if (hdrEnd - p < 4) return countMalformed(v, errs, 'radiotap.bad_length');
  }
  p += 4;
  let flags = 0;
  if (present0 & RT_PRESENT_FLAGS) {
    if (present0 & RT_PRESENT_TSFT) p = off + ((p - off + 7) & ~7) + 8;
    if (p >= hdrEnd) return countMalformed(v, errs, 'radiotap.bad_length');
    flags = b[p]!;
  }
  if (flags & RT_FLAG_BADFCS) return countMalformed(v, errs, 'wlan.bad_fcs');
  decodeIeee80211(v, errs, hdrEnd, flags & RT_FLAG_FCS ? endBeforeFcs(v, end) : end, (flags & RT_FLAG_DATAPAD) !== 0);
}

/**
 * A PPI header (version 0, flags, length and the inner link type, little
 * endian), then the inner frame: 802.11 (whose 802.11-Common field, if any,
 * says whether an FCS ends the frame and whether it failed) or Ethernet.
 */
export function decodePpi(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  if (end - off < PPI_HEADER_LEN) return countTruncated(v, errs, 'ppi.truncated');
  if (b[off] !== 0) return countMalformed(v, errs, 'ppi.bad_version');
  const aligned = (b[off + 1]! & PPI_FLAG_ALIGNED) !== 0;
  const len = u16le(b, off + 2);
  if (len < PPI_HEADER_LEN) return countMalformed(v, errs, 'ppi.bad_length');
  if (len > end - off) return countTruncated(v, errs, 'ppi.truncated');
  const hdrEnd = off + len;
  // The inner link type is a 32-bit number; only 1 and 105 are read (both below 2^16).
  const dlt = (b[off + 6]! | b[off + 7]!) !== 0 ? -1 : u16le(b, off + 4);
  if (dlt === PPI_DLT_ETHERNET) return decodeEthernet(v, errs, hdrEnd, end);
  if (dlt !== PPI_DLT_IEEE802_11) {
    errs.count('ppi.unsupported_link_type');
    return;
  }
  let flags = 0;
  let p = off + PPI_HEADER_LEN;
  while (hdrEnd - p >= 4) {
    const type = u16le(b, p);
    const dlen = u16le(b, p + 2);
    if (type === PPI_FIELD_80211_COMMON && dlen === PPI_80211_COMMON_LEN && hdrEnd - p >= 4 + dlen) {
      flags = u16le(b, p + 4 + 8);
      break;
    }
    p += 4 + (aligned ? (dlen + 3) & ~3 : dlen);
  }
  if (flags & PPI_COMMON_FLAG_BADFCS) return countMalformed(v, errs, 'wlan.bad_fcs');
  decodeIeee80211(v, errs, hdrEnd, flags & PPI_COMMON_FLAG_FCS ? endBeforeFcs(v, end) : end, false);
}

/**
 * LINKTYPE_IEEE802_11_PRISM (119): a 144-byte Prism monitor header, or,
 * when the frame starts with an AVS cookie, an AVS header; then 802.11.
 */
export function decodePrism(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  if (end - off >= 4 && isAvsCookie(v.buf, off)) return decodeAvs(v, errs, off, end);
  if (end - off < PRISM_HEADER_LEN) return countTruncated(v, errs, 'prism.truncated');
  decodeIeee80211(v, errs, off + PRISM_HEADER_LEN, end, false);
}

function isAvsCookie(b: Uint8Array, off: number): boolean {
  if (u16(b, off) !== AVS_COOKIE_HI) return false;
  const lo = u16(b, off + 2);
  return lo === AVS_COOKIE_V1 || lo === AVS_COOKIE_V2;
}

/** LINKTYPE_IEEE802_11_AVS (163): an AVS header (version cookie, then its length, big-endian), then 802.11. */
export function decodeAvs(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  if (end - off < 8) return countTruncated(v, errs, 'avs.truncated');
  if (!isAvsCookie(b, off)) return countMalformed(v, errs, 'avs.bad_version');
  // A 32-bit length; anything from 2^16 on is beyond any frame.
  const len = u16(b, off + 4) !== 0 ? -1 : u16(b, off + 6);
  if (len < 0 || len > end - off) return countTruncated(v, errs, 'avs.truncated');
  if (len < 8) return countMalformed(v, errs, 'avs.bad_length');
  decodeIeee80211(v, errs, off + len, end, false);
}

/**
 * An 802.11 MAC frame from `off` to `end` (FCS already excluded). `padded`:
 * the radio header says the MAC header is padded to a multiple of 4 bytes.
 */
export function decodeIeee80211(v: PacketView, errs: DecodeErrors, off: number, end: number, padded: boolean): void {
  if (end - off < 2) return countTruncated(v, errs, 'wlan.truncated');
  decodeMacFrame(v, errs, off, end, padded, v.buf[off]!, v.buf[off + 1]!, true);
}

/**
 * An 802.11 MAC frame that an access point and its controller exchange in a
 * tunnel (CAPWAP, LWAPP, Aruba's GRE), from `off` to `end`, without an FCS.
 *
 * Cisco's controllers and access points write the Frame Control field with
 * its two bytes swapped (Wireshark has a preference for it in CAPWAP, on by
 * default, and in LWAPP, off by default); other vendors follow 802.11. The
 * frames that matter tell the two apart: between an access point and its
 * controller a data frame goes to the DS (from a station) or comes from it
 * (to a station), so its flags byte has ToDS or FromDS set, and that byte
 * read as the first one of Frame Control gives a protocol version other
 * than 0 (version 1, 802.11ah's PV1, is not carried by these tunnels). So a
 * first byte with a nonzero version and a second byte with version 0 is a
 * swapped field. What stays ambiguous is a frame with neither ToDS nor
 * FromDS: management and control frames, which give nothing either way, and
 * a data frame within a BSS, which an access point does not forward. A
 * swapped management frame with Retry set reads as exactly such a data
 * frame, so one is left alone (no MAC, no error) rather than have a
 * management frame taken for a station's traffic.
 *
 * In a swapped frame the fragment number is not read, only More Fragments:
 * Cisco's LWAPP writes Sequence Control big-endian too (in tcpdump's
 * lwapp-data.pcap one station's sequence numbers only increase when read so,
 * and read as 802.11 says its frames would all be fragments 3 or 4), which
 * its CAPWAP may or may not do. The last fragment of an MSDU (More Fragments
 * clear, fragment number not 0) then has its body read: a body that begins
 * mid-packet has no LLC/SNAP header and gives no packet, and access points
 * defragment before tunnelling anyway (RFC 5416's split MAC). The QoS
 * Control field is read as 802.11 writes it (no capture shows Cisco's).
 */
export function decodeTunnelledIeee80211(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  if (end - off < 2) return countTruncated(v, errs, 'wlan.truncated');
  const x = b[off]!;
  const y = b[off + 1]!;
  const swapped = (x & FC0_VERSION) !== 0 && (y & FC0_VERSION) === 0;
  const fc0 = swapped ? y : x;
  const fc1 = swapped ? x : y;
  if ((fc0 & (FC0_VERSION | FC0_TYPE)) === FC_TYPE_DATA << 2 && (fc1 & (FC1_TO_DS | FC1_FROM_DS)) === 0) return;
  decodeMacFrame(v, errs, off, end, false, fc0, fc1, !swapped);
}

/**
 * The MAC frame at `off` whose Frame Control bytes are `fc0`, `fc1`;
 * `fragmentNumber`: a nonzero fragment number in Sequence Control marks a
 * fragment (as well as More Fragments).
 */
function decodeMacFrame(v: PacketView, errs: DecodeErrors, off: number, end: number, padded: boolean, fc0: number, fc1: number, fragmentNumber: boolean): void {
  const b = v.buf;
  if (fc0 & FC0_VERSION) return countMalformed(v, errs, 'wlan.bad_version');
  if ((fc0 & FC0_TYPE) >> 2 !== FC_TYPE_DATA) return; // management, control, extension: see above
  const subtype = fc0 >> 4;
  const ds = fc1 & (FC1_TO_DS | FC1_FROM_DS);
  let hdr = ds === (FC1_TO_DS | FC1_FROM_DS) ? HDR_LEN_4ADDR : HDR_LEN;
  if (end - off < hdr) return countTruncated(v, errs, 'wlan.truncated');
  // Address 1 at 4, 2 at 10, 3 at 16, 4 (WDS / mesh) at 24.
  switch (ds) {
    case 0: // within one BSS (or IBSS): A1 DA, A2 SA, A3 BSSID
      v.macDst = mac48(b, off + 4);
      v.macSrc = mac48(b, off + 10);
      break;
    case FC1_TO_DS: // to the AP: A1 BSSID, A2 SA, A3 DA
      v.macDst = mac48(b, off + 16);
      v.macSrc = mac48(b, off + 10);
      break;
    case FC1_FROM_DS: // from the AP: A1 DA, A2 BSSID, A3 SA
      v.macDst = mac48(b, off + 4);
      v.macSrc = mac48(b, off + 16);
      break;
    default: // between APs or mesh stations: A1 RA, A2 TA, A3 DA, A4 SA
      v.macDst = mac48(b, off + 16);
      v.macSrc = mac48(b, off + 24);
      break;
  }
  if (subtype & SUBTYPE_NO_BODY) return;
  if (fc1 & FC1_PROTECTED) return;
  let amsdu = false;
  if (subtype & SUBTYPE_QOS) {
    if (end - off < hdr + 2) return countTruncated(v, errs, 'wlan.truncated');
    amsdu = (b[off + hdr]! & QOS_AMSDU) !== 0;
    hdr += fc1 & FC1_ORDER ? 6 : 2;
  }
  if (padded) hdr = (hdr + 3) & ~3;
  // Sequence Control at 22: fragment number in its low 4 bits (little-endian).
  if ((fc1 & FC1_MORE_FRAGMENTS) !== 0 || (fragmentNumber && (b[off + 22]! & 0x0f) !== 0)) return;
  let p = off + hdr;
  if (p > end) return countTruncated(v, errs, 'wlan.truncated');
  if (amsdu) {
    // First A-MSDU subframe: DA, SA, length (big-endian), then its MSDU.
    if (end - p < AMSDU_SUBFRAME_HEADER) return countTruncated(v, errs, 'wlan.truncated');
    v.macDst = mac48(b, p);
    v.macSrc = mac48(b, p + 6);
    const msduEnd = p + AMSDU_SUBFRAME_HEADER + u16(b, p + 12);
    p += AMSDU_SUBFRAME_HEADER;
    if (msduEnd < end) end = msduEnd;
  }
  decodeLlc(v, errs, p, end);
}

/** An MSDU's LLC header: SNAP with an EtherType continues as Ethernet would; other LLC carries no packet. */
function decodeLlc(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  const n = end - off;
  if (n === 0) {
    // An empty body: legal when the frame is whole, a cut frame otherwise.
    if (v.capLen < v.origLen) countTruncated(v, errs, 'wlan.truncated');
    return;
  }
  if (n < 3) return countTruncated(v, errs, 'llc.truncated');
  if (b[off] !== 0xaa || b[off + 1] !== 0xaa || b[off + 2] !== 0x03) return; // not SNAP: STP, NetBEUI, ...
  if (n < SNAP_LEN) return countTruncated(v, errs, 'snap.truncated');
  const oui = (b[off + 3]! << 16) | (b[off + 4]! << 8) | b[off + 5]!;
  if (oui !== OUI_RFC1042 && oui !== OUI_BRIDGE_TUNNEL && oui !== OUI_CISCO) return;
  decodeEtherType(v, errs, u16(b, off + 6), off + SNAP_LEN, end, 0);
}
