/**
 * Ethernet frames as a switch chip's CPU port carries them, with the
 * switch's tag between the source MAC and the EtherType (Linux DSA,
 * OpenWrt and other embedded switches; tcpdump reads them, tshark 4.0 does
 * not): LINKTYPE_DSA_TAG_DSA (284, Marvell DSA, a 4-byte tag),
 * LINKTYPE_DSA_TAG_EDSA (285, Marvell EDSA: its own EtherType, two reserved
 * bytes, then the 4-byte DSA tag) and LINKTYPE_DSA_TAG_BRCM (281, Broadcom,
 * a 4-byte tag); LINKTYPE_DSA_TAG_BRCM_PREPEND (282) puts the Broadcom tag
 * before the destination MAC instead. The tag names the switch port; the
 * frame is decoded on as Ethernet. A Marvell tag stands in for an 802.1Q
 * tag: when its Tagged bit is set the frame carried that VLAN on the wire,
 * and the tag's VID is the frame's VLAN (an untagged frame's VID is only
 * the port's, and is not taken).
 *
 * Counted: `dsa.truncated`.
 */
import { mac48, u16 } from './bytes.js';
import { countTruncated, type DecodeErrors } from './errors.js';
import { decodeEtherType } from './link.js';
import type { PacketView } from './view.js';

/** Tag bytes after the source MAC: DSA and Broadcom 4, EDSA 8. */
export const DSA_TAG_BYTES = 4;
export const EDSA_TAG_BYTES = 8;
/** EDSA: its EtherType and two reserved bytes come before the DSA tag. */
export const EDSA_DSA_AT = 4;
/** Broadcom's prepended tag: 4 bytes before the destination MAC. */
export const BRCM_PREPEND_BYTES = 4;

/** Marvell tag, first byte: the frame was 802.1Q-tagged. */
const MARVELL_TAGGED = 0x20;

/**
 * A frame with `tagBytes` of switch tag after its source MAC (`prepend`:
 * that many bytes before the destination MAC instead); `marvellAt`: where
 * in the tag a Marvell DSA tag starts (-1 for a Broadcom tag).
 */
export function decodeSwitchTagged(v: PacketView, errs: DecodeErrors, off: number, end: number, tagBytes: number, marvellAt: number, prepend = 0): void {
  const start = off + prepend;
  if (end - start < 14 + tagBytes) {
    countTruncated(v, errs, 'dsa.truncated');
    return;
  }
  const b = v.buf;
  v.macDst = mac48(b, start);
  v.macSrc = mac48(b, start + 6);
  if (marvellAt >= 0) {
    const tag = start + 12 + marvellAt;
    if (b[tag]! & MARVELL_TAGGED) v.vlan = u16(b, tag + 2) & 0x0fff;
  }
  decodeEtherType(v, errs, u16(b, start + 12 + tagBytes), start + 14 + tagBytes, end, 0);
}
