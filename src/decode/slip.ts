/**
 * SLIP (LINKTYPE_SLIP, 8): a 16-byte pseudo-header written by the capturing
 * kernel (a direction byte, 0 received and 1 sent, then the compressed
 * TCP/IP header as it was on the line, for VJ-compressed packets), then the
 * IP datagram already uncompressed; its version nibble says IPv4 or IPv6,
 * as tcpdump reads it. There is no MAC.
 *
 * Counted: `slip.truncated`, `raw.bad_ip_version`.
 */
import { countTruncated, type DecodeErrors } from './errors.js';
import { decodeRawIp } from './link.js';
import type { PacketView } from './view.js';

const SLIP_HEADER = 16;

export function decodeSlip(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  if (end - off <= SLIP_HEADER) return countTruncated(v, errs, 'slip.truncated');
  decodeRawIp(v, errs, off + SLIP_HEADER, end);
}
