/**
 * GTPv1-U (3GPP TS 29.281), UDP port 2152 on either side: the user plane of
 * mobile networks, between base stations and gateways. Only G-PDUs (message
 * type 255) carry a user's packet.
 *
 * Mandatory header, 8 bytes: flags (version 3 bits = 1, PT = 1, a spare
 * bit, E, S, PN), message type, length (of what follows these 8 bytes),
 * TEID. When any of E, S, PN is set, 4 more bytes: sequence number, N-PDU
 * number and the type of the first extension header (used when E is set).
 * Each extension header: a length in 4-byte units, its content, and the
 * next type in its last byte; type 0 ends the chain. Then the T-PDU, an IP
 * packet told by its version nibble (an Ethernet or unstructured PDU
 * session's payload is left alone).
 *
 * Either side may use 2152, so the header itself decides: version, PT, type
 * and a length matching the datagram's; anything else stays plain UDP.
 */
import { u16 } from './bytes.js';
import { countTruncated, countMalformed, type DecodeErrors } from './errors.js';
import { decodeInnerIp, ipVersionAt } from './tunnel.js';
import type { PacketView } from './view.js';

const GTP_FLAGS_MASK = 0xf0;
const GTP_V1_PT = 0x30; // version 1, protocol type GTP (not GTP')
const GTP_E = 0x04;
const GTP_OPTIONAL = 0x07; // E, S, PN: the optional 4 bytes are present
const GTP_G_PDU = 0xff;
const MAX_EXTENSION_HEADERS = 16;

/** A G-PDU at `off` (the UDP payload, `end` its last captured byte). */
export function decodeGtpU(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  if (end - off < 8) return;
  const flags = b[off]!;
  if ((flags & GTP_FLAGS_MASK) !== GTP_V1_PT || b[off + 1] !== GTP_G_PDU) return;
  const len = u16(b, off + 2);
  if (8 + len !== v.payloadWireLen) return;
  const wireEnd = off + 8 + len;
  const pduEnd = wireEnd < end ? wireEnd : end;
  let p = off + 8;
  if (flags & GTP_OPTIONAL) {
    if (pduEnd - off < 12) return short(v, errs, off + 12, wireEnd);
    let next = flags & GTP_E ? b[off + 11]! : 0;
    p = off + 12;
    for (let i = 0; next !== 0; i++) {
      if (i === MAX_EXTENSION_HEADERS) {
        countMalformed(v, errs, 'gtp.too_many_extension_headers');
        return;
      }
      if (p >= pduEnd) return short(v, errs, p + 1, wireEnd);
      const extLen = b[p]! * 4;
      if (extLen === 0) {
        countMalformed(v, errs, 'gtp.bad_extension_length');
        return;
      }
      if (pduEnd - p < extLen) return short(v, errs, p + extLen, wireEnd);
      next = b[p + extLen - 1]!;
      p += extLen;
    }
  }
  const version = ipVersionAt(v, p, pduEnd);
  if (version !== 0) decodeInnerIp(v, errs, version, p, pduEnd);
}

/** A header running to `need`: past the message's own length it is malformed, else cut by the capture. */
function short(v: PacketView, errs: DecodeErrors, need: number, wireEnd: number): void {
  if (need > wireEnd) {
    countMalformed(v, errs, 'gtp.bad_length');
  } else {
    countTruncated(v, errs, 'gtp.truncated');
  }
}
