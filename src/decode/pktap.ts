/**
 * Apple's PKTAP header (LINKTYPE_PKTAP, 258; and DLT_USER2, 149, which
 * macOS 10.9 wrote for it and tshark reads as PKTAP by default), as macOS
 * `tcpdump -i pktap` writes it. Little-endian, fields at fixed offsets:
 *
 *   0  pth_length       the header's own length (at least 108; longer ones
 *                       are extensions, skipped whole)
 *   4  pth_type_next    0: nothing follows, 1: a packet follows
 *   8  pth_dlt          the link type (a DLT) of that packet
 *  12  pth_ifname[24], flags, protocol family, frame pre/post lengths,
 *      process id and name, service class, interface type and unit,
 *      effective process id and name (not read)
 *
 * The packet at pth_length is decoded as a capture of its own link type
 * would be (usually Ethernet; also NULL, raw IP, 802.11...). Counted:
 * `pktap.truncated`, `pktap.bad_header_length` (below 108),
 * `pktap.unknown_record_type`, `pktap.nested` (a PKTAP packet inside one),
 * `pktap.unsupported_dlt`.
 */
import { u32le } from './bytes.js';
import { countTruncated, countMalformed, type DecodeErrors } from './errors.js';
import { decodeLinkAs, isKnownLinkType, LINKTYPE_PKTAP, LINKTYPE_USER2 } from './link.js';
import type { PacketView } from './view.js';

/** The header as Apple defines it (struct pktap_header): anything shorter is damaged. */
const PKTAP_MIN_HEADER = 108;
const OFF_LENGTH = 0;
const OFF_TYPE_NEXT = 4;
const OFF_DLT = 8;
const TYPE_NONE = 0;
const TYPE_PACKET = 1;

export function decodePktap(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  if (end - off < 12) return countTruncated(v, errs, 'pktap.truncated');
  const len = u32le(b, off + OFF_LENGTH);
  if (len < PKTAP_MIN_HEADER) {
    countMalformed(v, errs, 'pktap.bad_header_length');
    return;
  }
  const type = u32le(b, off + OFF_TYPE_NEXT);
  if (type === TYPE_NONE) return;
  if (type !== TYPE_PACKET) {
    errs.count('pktap.unknown_record_type');
    return;
  }
  if (end - off < len) return countTruncated(v, errs, 'pktap.truncated');
  const dlt = u32le(b, off + OFF_DLT);
  if (dlt === LINKTYPE_PKTAP || dlt === LINKTYPE_USER2) {
    countMalformed(v, errs, 'pktap.nested');
    return;
  }
  if (!isKnownLinkType(dlt)) {
    errs.count('pktap.unsupported_dlt');
    return;
  }
  decodeLinkAs(v, errs, dlt, off + len, end);
}

