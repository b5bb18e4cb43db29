/**
 * UDP ports that carry tunnels, in one 65,536-entry table: the UDP decoder
 * looks up both ports there, and only a hit comes here.
 *
 * Two kinds of carrier. Those addressed to a port (VXLAN 4789, VXLAN-GPE
 * 4790, Geneve 6081, MPLS over UDP 6635, LISP data 4341): the sender picks
 * its source port for entropy from the dynamic range (RFC 7348, 8926,
 * 7510), so a datagram from a port below 1024 is not one: a DNS answer from
 * port 53 to a client that happened to use 4789 was once read as VXLAN.
 * Those that use their port on either side (GTP-U 2152, Teredo 3544, L2TP
 * 1701, CAPWAP data 5247, LWAPP 12222 and 12223): their decoders check the
 * header itself (and L2TP, CAPWAP and LWAPP want the other side's port at
 * 1024 or above too). CAPWAP's control port, 5246, carries no frames and is
 * not in the table. A datagram that fails the checks stays plain UDP and is
 * not counted as an error.
 */
import { u16 } from './bytes.js';
import { CAPWAP_DATA_PORT, decodeCapwapData } from './capwap.js';
import type { DecodeErrors } from './errors.js';
import { decodeGtpU } from './gtp.js';
import { decodeL2tp } from './l2tp.js';
import { decodeLwapp, LWAPP_CONTROL_PORT, LWAPP_DATA_PORT } from './lwapp.js';
import { decodeTeredo } from './teredo.js';
import { decodeGeneve, decodeInnerIp, decodeInnerMpls, decodeVxlan, decodeVxlanGpe } from './tunnel.js';
import type { PacketView } from './view.js';

const VXLAN = 1;
const VXLAN_GPE = 2;
const GENEVE = 3;
const MPLS = 4;
const LISP = 5;
/** At or above: a carrier that may use its port on either side. */
const EITHER_SIDE = 16;
const GTP_U = 16;
const TEREDO = 17;
const L2TP = 18;
const CAPWAP = 19;
const LWAPP = 20;

/** Tunnel kind by UDP port, 0 for none. */
export const UDP_TUNNEL_PORTS = new Uint8Array(65536);
UDP_TUNNEL_PORTS[4789] = VXLAN;
UDP_TUNNEL_PORTS[4790] = VXLAN_GPE;
UDP_TUNNEL_PORTS[6081] = GENEVE;
UDP_TUNNEL_PORTS[6635] = MPLS;
UDP_TUNNEL_PORTS[4341] = LISP;
UDP_TUNNEL_PORTS[2152] = GTP_U;
UDP_TUNNEL_PORTS[3544] = TEREDO;
UDP_TUNNEL_PORTS[1701] = L2TP;
UDP_TUNNEL_PORTS[CAPWAP_DATA_PORT] = CAPWAP;
UDP_TUNNEL_PORTS[LWAPP_DATA_PORT] = LWAPP;
UDP_TUNNEL_PORTS[LWAPP_CONTROL_PORT] = LWAPP;

const LISP_HEADER = 8;
const LISP_N = 0x80; // nonce present
const LISP_V = 0x10; // map-version present: never with N

/** The UDP payload at `off` (`end` its last captured byte) of a datagram with a port in the table. */
export function decodeUdpTunnel(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const d = UDP_TUNNEL_PORTS[v.dstPort]!;
  const s = UDP_TUNNEL_PORTS[v.srcPort]!;
  // The destination port first; the source port only names a carrier that uses its port on either side.
  const kind = d !== 0 && (d >= EITHER_SIDE || v.srcPort >= 1024) ? d : s >= EITHER_SIDE ? s : 0;
  switch (kind) {
    case VXLAN:
      decodeVxlan(v, errs, off, end);
      return;
    case VXLAN_GPE:
      decodeVxlanGpe(v, errs, off, end);
      return;
    case GENEVE:
      decodeGeneve(v, errs, off, end);
      return;
    case MPLS: // RFC 7510: the label stack right after the UDP header
      decodeInnerMpls(v, errs, off, end);
      return;
    case LISP:
      decodeLispData(v, errs, off, end);
      return;
    case GTP_U:
      decodeGtpU(v, errs, off, end);
      return;
    case TEREDO:
      decodeTeredo(v, errs, off, end);
      return;
    case L2TP:
      decodeL2tp(v, errs, off, end);
      return;
    case CAPWAP:
      decodeCapwapData(v, errs, off, end);
      return;
    case LWAPP:
      decodeLwapp(v, errs, off, end);
      return;
    default:
      return;
  }
}

/**
 * LISP data plane (RFC 9300, UDP 4341): an 8-byte header (flags, nonce or
 * map-version, instance id or locator-status bits), then the endpoint's IP
 * packet. Nothing else names the payload, so the inner header must be IPv4
 * or IPv6 with a length that accounts for exactly the bytes left.
 */
function decodeLispData(v: PacketView, errs: DecodeErrors, off: number, end: number): void {
  const b = v.buf;
  const p = off + LISP_HEADER;
  if (end - p < 20) return;
  if ((b[off]! & (LISP_N | LISP_V)) === (LISP_N | LISP_V)) return;
  const left = off + v.payloadWireLen - p;
  const ver = b[p]! >> 4;
  if (ver === 4 && u16(b, p + 2) === left) decodeInnerIp(v, errs, 4, p, end);
  else if (ver === 6 && 40 + u16(b, p + 4) === left) decodeInnerIp(v, errs, 6, p, end);
}
