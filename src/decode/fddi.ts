/**
 * FDDI (LINKTYPE_FDDI, 10): frame control, destination and source MACs,
 * then for LLC frames an 802.2 LLC header, whose SNAP header gives the
 * EtherType (RFC 1188), decoded on as Ethernet's (decodeLlc).
 *
 * Frame control is CLFFZZZZ: L set means 48-bit addresses (the only ones a
 * capture holds), FF = 01 an LLC frame (asynchronous or synchronous, by C).
 * SMT, MAC and implementor frames and tokens carry no packet and give no
 * MAC: decoded no further, and that is no error.
 *
 * Addresses are taken as the capture holds them. Whether a driver gave them
 * in canonical or in FDDI's bit-reversed wire order depends on the system
 * (tcpdump swaps on some, not on Linux, the BSDs, Ultrix or Digital UNIX);
 * Wireshark bit-reverses every byte by default. The FDDI captures seen
 * (Zeek's, from LBL) hold canonical ones: DECnet's aa:00:04:00:xx:xx, which
 * Wireshark's swap turns into 55:00:20:00:...
 *
 * Wireshark's `fddi.padding` (3 bytes before the frame control, off by
 * default, for some old BSD captures) is not guessed. Counted:
 * `fddi.truncated`, then the LLC and SNAP reasons (`llc.truncated`,
 * `snap.truncated`).
 */
import { mac48 } from './bytes.js';
import { countTruncated, type DecodeErrors } from './errors.js';
import { decodeLlc } from './link.js';
import type { PacketView } from './view.js';

const FDDI_HEADER = 13;
const OFF_FC = 0;
const OFF_DST = 1;
const OFF_SRC = 7;
/** Frame control: the L (48-bit addresses) and FF (frame format) bits, and their value for an LLC frame. */
const FC_L_FF = 0x70;
const FC_LLC = 0x50;

export function decodeFddi(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  if (end - off < 1) return countTruncated(v, errs, 'fddi.truncated');
  const b = v.buf;
  if ((b[off + OFF_FC]! & FC_L_FF) !== FC_LLC) return;
  if (end - off < FDDI_HEADER) return countTruncated(v, errs, 'fddi.truncated');
  v.macDst = mac48(b, off + OFF_DST);
  v.macSrc = mac48(b, off + OFF_SRC);
  decodeLlc(v, errs, off + FDDI_HEADER, end);
}

