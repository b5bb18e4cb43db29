/**
 * IEEE 802.5 Token Ring (LINKTYPE_IEEE802_5, 6): access control, frame
 * control, destination and source MACs, the routing information field
 * when the source's first bit (the route bit) is set, then for LLC frames
 * an 802.2 LLC header whose SNAP header gives the EtherType (RFC 1042),
 * decoded on as Ethernet's (decodeLlc).
 *
 * Addresses are taken in the order the frame holds them, as tcpdump and
 * Wireshark show them; the route bit is cleared from the source. The RIF's
 * length is the low 5 bits of its first byte and counts the whole field
 * (2 to 30 bytes, even). Frame control's top two bits are the frame type:
 * 01 an LLC frame; MAC frames (00) carry no packet and give no MAC, and
 * that is no error. Counted: `tr.truncated`, `tr.bad_rif_length`, then the
 * LLC and SNAP reasons.
 */
import { mac48 } from './bytes.js';
import { countTruncated, countMalformed, type DecodeErrors } from './errors.js';
import { decodeLlc } from './link.js';
import type { PacketView } from './view.js';

const TR_HEADER = 14;
const OFF_FC = 1;
const OFF_DST = 2;
const OFF_SRC = 8;
const FC_FRAME_TYPE = 0xc0;
const FC_LLC = 0x40;
/** First bit of the source address: a routing information field follows it. */
const SRC_ROUTE_BIT = 0x80;
const RIF_LENGTH = 0x1f;
/** The route bit's weight in the 48-bit address as a number. */
const ROUTE_BIT_VALUE = 0x80 * 2 ** 40;

export function decodeTokenRing(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  if (end - off < 2) return countTruncated(v, errs, 'tr.truncated');
  const b = v.buf;
  if ((b[off + OFF_FC]! & FC_FRAME_TYPE) !== FC_LLC) return;
  if (end - off < TR_HEADER) return countTruncated(v, errs, 'tr.truncated');
  let p = off + TR_HEADER;
  if (b[off + OFF_SRC]! & SRC_ROUTE_BIT) {
    if (end - p < 1) return countTruncated(v, errs, 'tr.truncated');
    const rifLen = b[p]! & RIF_LENGTH;
    if (rifLen < 2 || rifLen & 1) {
      countMalformed(v, errs, 'tr.bad_rif_length');
      return;
    }
    if (end - p < rifLen) return countTruncated(v, errs, 'tr.truncated');
    p += rifLen;
  }
  v.macDst = mac48(b, off + OFF_DST);
  const src = mac48(b, off + OFF_SRC);
  v.macSrc = b[off + OFF_SRC]! & SRC_ROUTE_BIT ? src - ROUTE_BIT_VALUE : src;
  decodeLlc(v, errs, p, end);
}

