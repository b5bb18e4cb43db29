/**
 * LWAPP (RFC 5412, historic: Cisco's protocol before CAPWAP) over UDP: an
 * access point sends its controller data to port 12222 and control to
 * 12223; the controller answers from those ports, and sends stations' frames
 * from 12223 too (tcpdump's lwapp-data.pcap), so both ports are read on
 * either side and the header decides.
 *
 * Header, 6 bytes: flags (version, 2 bits, 0; radio id, 3 bits; C, control
 * message; F, fragment; L, not the last fragment), fragment id, length (of
 * the payload after these 6 bytes), status or WLANs. A data message (C
 * clear) carries an 802.11 frame, opened with decodeInnerIeee80211 (Cisco's
 * swapped Frame Control, which that capture has, is recognised there).
 * Cisco's access points put their 6-byte MAC address before the header of
 * what they send to port 12223 (Wireshark reads it so): there the header is
 * looked for after it when it is not at the start.
 *
 * The length must account for exactly the datagram's payload, with version
 * 0: anything else is not LWAPP (plain UDP, not counted), and as for L2TP
 * the side that is not the LWAPP port must use a port from 1024. Control
 * messages stay plain UDP. A fragment is counted (`lwapp.fragment_unsupported`)
 * and left as the outer flow, as CAPWAP's (capwap.ts); a header cut by the
 * snap length is `lwapp.truncated`. LWAPP directly over Ethernet (EtherType
 * 0x88bb) and the older 802.3-in-UDP form (port 12220) are not read.
 */
import { u16 } from './bytes.js';
import { countTruncated, type DecodeErrors } from './errors.js';
import { decodeInnerIeee80211 } from './tunnel.js';
import type { PacketView } from './view.js';

export const LWAPP_DATA_PORT = 12222;
export const LWAPP_CONTROL_PORT = 12223;
const LWAPP_HEADER = 6;
const AP_MAC = 6;
const VERSION = 0xc0;
const FLAG_C = 0x04;
const FLAG_F = 0x02;

/** The UDP payload at `off` (`end` one past its last captured byte) of a datagram to or from port 12222 or 12223. */
export function decodeLwapp(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  if (v.srcPort < 1024 || v.dstPort < 1024) return;
  const wire = v.payloadWireLen;
  let h = off;
  if (!isHeader(v, h, end, wire)) {
    h = off + AP_MAC;
    if (v.dstPort !== LWAPP_CONTROL_PORT || !isHeader(v, h, end, wire - AP_MAC)) return;
  }
  if (end - h < LWAPP_HEADER) {
    countTruncated(v, errs, 'lwapp.truncated');
    return;
  }
  const flags = v.buf[h]!;
  if (flags & FLAG_C) return; // a control message
  if (flags & FLAG_F) {
    errs.count('lwapp.fragment_unsupported');
    return;
  }
  decodeInnerIeee80211(v, errs, h + LWAPP_HEADER, end);
}

/**
 * Whether `h` starts an LWAPP header of a message `wire` bytes long: version
 * 0 and a length of exactly the rest. A header cut before its length field
 * passes on its version alone, or on nothing when not one byte of it was
 * captured (it is then counted as truncated).
 */
function isHeader(v: PacketView, h: number, end: number, wire: number): boolean {
  if (wire < LWAPP_HEADER) return false;
  if (end - h < 1) return true;
  if (v.buf[h]! & VERSION) return false;
  if (end - h < 4) return true;
  return u16(v.buf, h + 2) === wire - LWAPP_HEADER;
}
