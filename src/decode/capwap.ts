/**
 * CAPWAP data channel (RFC 5415 §4.3, with RFC 5416's 802.11 binding), UDP
 * port 5247 on either side: an access point (WTP) and its wireless
 * controller (AC) exchange the stations' frames in it. The control channel
 * (5246) carries configuration, no station's frame, and is left plain UDP.
 *
 * Preamble, one byte: version (4 bits, 0) and type (4 bits): 0, the CAPWAP
 * header follows; 1, a DTLS header and DTLS records (the data channel
 * encrypted). Then the header, HLEN 4-byte words counted from the preamble:
 *
 *   byte 1-3  HLEN (5 bits), RID (5), WBID (5), then the flags T, F, L, W,
 *             M, K and 3 reserved bits
 *   byte 4-5  fragment id
 *   byte 6-7  fragment offset (13 bits, in 8-byte units), 3 reserved bits
 *   then      the radio MAC address (M: length, address, padding to 4) and
 *             the wireless specific information (W: length, data, padding),
 *             both covered by HLEN, which alone says where the payload is
 *
 * The payload: with K (keep-alive) a session id, no frame; with T, a frame
 * in the native format of the binding WBID (1: IEEE 802.11, opened with
 * decodeInnerIeee80211, which also reads Cisco's swapped Frame Control);
 * without T, an IEEE 802.3 (Ethernet) frame.
 *
 * Not read, and what is counted: DTLS (type 1) cannot be read and is no
 * decode error (as ESP, MACsec and protected 802.11 frames): the datagram
 * stays the AP's and controller's UDP flow. A fragment (F) is counted
 * (`capwap.fragment_unsupported`) and left as that flow too: its payload is
 * part of a frame (the first fragment has the start of the frame, whose IP
 * header would claim bytes that are not there), and putting frames back
 * together would need state across packets that decoders do not keep. A
 * native frame of another binding than 802.11 is counted
 * (`capwap.unsupported_binding`: EPCglobal, 3, or Cisco's reserved 0). A
 * header length below the 8 fixed bytes or past the datagram is
 * `capwap.bad_header_length`; a header cut by the snap length (even before
 * the preamble) `capwap.truncated`. A preamble with another version or type
 * is not CAPWAP: plain UDP, not counted. As for L2TP, the side that is not
 * 5247 must use a port from 1024 (an access point's ephemeral port, or the
 * controller's 5247): a reply from a well-known service to a client that
 * picked 5247 is not CAPWAP.
 */
import { countTruncated, countMalformed, type DecodeErrors } from './errors.js';
import { decodeInnerEthernet, decodeInnerIeee80211 } from './tunnel.js';
import type { PacketView } from './view.js';

export const CAPWAP_DATA_PORT = 5247;
const CAPWAP_HEADER = 8;
const TYPE_CAPWAP = 0;
const TYPE_DTLS = 1;
/** Byte 2 (RID's low 2 bits, WBID, T): T, the payload is the binding's native frame. */
const FLAG_T = 0x01;
/** Byte 3: F (fragment), L (last fragment), W, M, K (keep-alive), 3 reserved bits. */
const FLAG_F = 0x80;
const FLAG_K = 0x08;
const WBID_IEEE80211 = 1;

/** The UDP payload at `off` (`end` one past its last captured byte) of a datagram to or from port 5247. */
export function decodeCapwapData(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  if (v.srcPort < 1024 || v.dstPort < 1024) return;
  const b = v.buf;
  const wire = v.payloadWireLen;
  if (wire === 0) return;
  if (end - off < 1) return countTruncated(v, errs, 'capwap.truncated');
  const preamble = b[off]!;
  if (preamble === TYPE_DTLS) return; // version 0, DTLS: encrypted, see above
  if (preamble !== TYPE_CAPWAP) return; // not CAPWAP
  if (wire < CAPWAP_HEADER) return countMalformed(v, errs, 'capwap.bad_header_length');
  if (end - off < CAPWAP_HEADER) return countTruncated(v, errs, 'capwap.truncated');
  const hlen = (b[off + 1]! >> 3) * 4;
  if (hlen < CAPWAP_HEADER || hlen > wire) return countMalformed(v, errs, 'capwap.bad_header_length');
  if (hlen > end - off) return countTruncated(v, errs, 'capwap.truncated');
  const flags = b[off + 3]!;
  if (flags & FLAG_K) return; // keep-alive: a session id, no frame
  if (flags & FLAG_F) {
    errs.count('capwap.fragment_unsupported');
    return;
  }
  const p = off + hlen;
  if ((b[off + 2]! & FLAG_T) === 0) return decodeInnerEthernet(v, errs, p, end, -1);
  if (((b[off + 2]! >> 1) & 0x1f) !== WBID_IEEE80211) {
    errs.count('capwap.unsupported_binding');
    return;
  }
  decodeInnerIeee80211(v, errs, p, end);
}
