/**
 * L2TPv2 (RFC 2661) over UDP port 1701, on either side: a PPP session
 * between an access concentrator and a network server (VPNs, broadband).
 *
 * Header: a flags word (T: control message, L: length present, S: Ns/Nr
 * present, O: offset present, P: priority, version in the low 4 bits),
 * then the length if L, tunnel id, session id, Ns and Nr if S, the offset
 * size and that many padding bytes if O. Data messages (T = 0) carry a PPP
 * frame, opened in ppp.ts; control messages stay plain UDP.
 *
 * A version other than 2, a reserved bit set, a length that does not fit
 * the datagram, or a port below 1024 on the side that is not 1701 (a reply
 * from a well-known service to a client that picked 1701): not L2TP, plain
 * UDP, not counted.
 */
import { u16 } from './bytes.js';
import { countTruncated, type DecodeErrors } from './errors.js';
import { decodePppInTunnel } from './ppp.js';
import type { PacketView } from './view.js';

const L2TP_T = 0x8000;
const L2TP_L = 0x4000;
const L2TP_S = 0x0800;
const L2TP_O = 0x0200;
const L2TP_RESERVED = 0x34f0;
const L2TP_VERSION = 0x000f;

/** The UDP payload at `off` (`end` its last captured byte). */
export function decodeL2tp(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  if (v.srcPort < 1024 || v.dstPort < 1024) return;
  const b = v.buf;
  if (end - off < 2) return;
  const flags = u16(b, off);
  if ((flags & (L2TP_T | L2TP_RESERVED | L2TP_VERSION)) !== 2) return;
  const hdr = 6 + (flags & L2TP_L ? 2 : 0) + (flags & L2TP_S ? 4 : 0) + (flags & L2TP_O ? 2 : 0);
  let msgEnd = end;
  if (flags & L2TP_L) {
    if (end - off < 4) return countTruncated(v, errs, 'l2tp.truncated');
    const len = u16(b, off + 2);
    if (len < hdr || len > v.payloadWireLen) return;
    if (off + len < end) msgEnd = off + len;
  }
  if (msgEnd - off < hdr) return countTruncated(v, errs, 'l2tp.truncated');
  let p = off + hdr;
  if (flags & L2TP_O) {
    p += u16(b, p - 2);
    if (p > msgEnd) return countTruncated(v, errs, 'l2tp.truncated');
  }
  decodePppInTunnel(v, errs, p, msgEnd);
}

