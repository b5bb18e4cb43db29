/**
 * Frame Relay (LINKTYPE_FRELAY, 107): a Q.922 address of 2 to 4 bytes (its
 * last byte has the EA bit, 0x01, set), then either RFC 2427 multiprotocol
 * encapsulation (a UI control byte 0x03, an optional 0x00 pad, an NLPID:
 * 0xcc IPv4, 0x8e IPv6, 0x80 SNAP, whose OUI 00-00-00 gives an EtherType and
 * 00-80-C2 with PID 0x0001 or 0x0007 a bridged Ethernet frame; other NLPIDs,
 * OSI or Q.933 signalling, carry no IP), or Cisco's encapsulation, an
 * EtherType right after the address (as tcpdump and Wireshark tell them
 * apart: by the 0x03).
 *
 * Counted: `fr.truncated`, `fr.bad_address` (no EA bit in 4 bytes, or a
 * 1-byte address).
 */
import { u16 } from './bytes.js';
import { countTruncated, countMalformed, type DecodeErrors } from './errors.js';
import { decodeIPv4, decodeIPv6 } from './ip.js';
import { decodeEtherType, decodeSnapPayload } from './link.js';
import type { PacketView } from './view.js';

const EA = 0x01;
const MAX_ADDRESS = 4;
const UI = 0x03;
const NLPID_PAD = 0x00;
const NLPID_IPV4 = 0xcc;
const NLPID_IPV6 = 0x8e;
const NLPID_SNAP = 0x80;

export function decodeFrameRelay(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  let p = off;
  while (p < end && p - off < MAX_ADDRESS && (b[p]! & EA) === 0) p++;
  if (p >= end) return countTruncated(v, errs, 'fr.truncated');
  if ((b[p]! & EA) === 0 || p === off) {
    countMalformed(v, errs, 'fr.bad_address');
    return;
  }
  p++;
  if (end - p < 2) return countTruncated(v, errs, 'fr.truncated');
  if (b[p] !== UI) {
    decodeEtherType(v, errs, u16(b, p), p + 2, end, 0);
    return;
  }
  p++;
  if (b[p] === NLPID_PAD) p++;
  if (p >= end) return countTruncated(v, errs, 'fr.truncated');
  const nlpid = b[p++]!;
  if (nlpid === NLPID_IPV4) decodeIPv4(v, errs, p, end);
  else if (nlpid === NLPID_IPV6) decodeIPv6(v, errs, p, end);
  else if (nlpid === NLPID_SNAP) {
    if (end - p < 5) return countTruncated(v, errs, 'fr.truncated');
    const oui = (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
    const pid = u16(b, p + 3);
    decodeSnapPayload(v, errs, oui, pid, p + 5, end, 0);
  }
}

