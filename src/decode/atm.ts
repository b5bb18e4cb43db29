/**
 * ATM with RFC 1483/2684 LLC encapsulation (LINKTYPE_ATM_RFC1483, 100): each
 * packet is an AAL5 payload starting with an 802.2 LLC header. SNAP
 * (AA-AA-03) with OUI 00-00-00 gives an EtherType (routed IPv4, IPv6, ARP);
 * OUI 00-80-C2 with PID 0x0007 (or 0x0001, with the FCS kept) a bridged
 * 802.3 frame after two bytes of padding. Other LLC payloads (OSI, LAN
 * emulation control) carry no IP.
 *
 * Counted: `atm.truncated`.
 */
import { u16 } from './bytes.js';
import { countTruncated, type DecodeErrors } from './errors.js';
import { decodeSnapPayload } from './link.js';
import type { PacketView } from './view.js';

const LLC_SNAP = 8;
const BRIDGED_PAD = 2;

export function decodeAtmRfc1483(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  if (end - off < 3) return countTruncated(v, errs, 'atm.truncated');
  if (b[off] !== 0xaa || b[off + 1] !== 0xaa || b[off + 2] !== 0x03) return;
  if (end - off < LLC_SNAP) return countTruncated(v, errs, 'atm.truncated');
  const oui = (b[off + 3]! << 16) | (b[off + 4]! << 8) | b[off + 5]!;
  const pid = u16(b, off + 6);
  decodeSnapPayload(v, errs, oui, pid, off + LLC_SNAP, end, BRIDGED_PAD);
}
