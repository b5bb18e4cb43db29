/**
 * TCP/IP stack fingerprints (SPEC §4): the TTL, window, MSS, window scale,
 * option order and DF bit of a SYN or SYN-ACK sent by an inventoried
 * address become a `tcp_stack` observation. A host repeats the same
 * fingerprint on every connection, so a numeric hash of the fields is kept
 * per address and only a change makes text.
 */
import { AddrClass, type Classifier } from '../config/classify.js';
import { L3, TCP_ACK, type PacketView } from '../decode/view.js';
import { isGroupMac } from '../inventory/addr-format.js';
import type { HostTable } from '../inventory/hosts.js';
import { initialTtl, tcpOptionString } from '../inventory/infer/tcp-stack.js';
import type { ObservationStore } from '../inventory/observations.js';

export class TcpStackTracker {
  constructor(private readonly store: ObservationStore) {}

  /** The current packet is a SYN or SYN-ACK (already decoded into `v`). */
  syn(v: PacketView, hosts: HostTable, classifier: Classifier): void {
    const v4 = v.l3 === L3.IPv4;
    if (v4 ? classifier.classify4(v.src4) !== AddrClass.Inventoried : classifier.classify6(v.src6) !== AddrClass.Inventoried) return;
    const h = v4 ? hosts.find4(v.src4) : hosts.find6(v.src6);
    if (h === null) return;
    const synAck = (v.tcpFlags & TCP_ACK) !== 0;
    const ttl = initialTtl(v.ttl);
    let sig = Math.imul(ttl ^ (v.tcpWindow << 8) ^ (synAck ? 0x40000000 : 0) ^ (v.dontFragment ? 0x20000000 : 0), 0x9e3779b1);
    sig = Math.imul(sig ^ v.tcpMss ^ (v.tcpWscale << 20), 0x85ebca6b);
    const end = v.tcpOptOff + v.tcpOptLen;
    for (let i = v.tcpOptOff; i < end && i < v.capEnd; i++) sig = Math.imul(sig ^ v.buf[i]!, 0xc2b2ae35);
    sig = (sig ^ (sig >>> 15)) | 1;
    if (h.stackSig === sig) return;
    h.stackSig = sig;
    const options = tcpOptionString(v.buf, v.tcpOptOff, Math.min(v.tcpOptLen, v.capEnd - v.tcpOptOff));
    const value = `${ttl}:${v.tcpWindow}:${v.tcpMss}:${v.tcpWscale}:${options}:${v.dontFragment ? 'df' : '-'}:${synAck ? 'syn-ack' : 'syn'}`;
    const mac = v.macSrc >= 0 && !isGroupMac(v.macSrc) ? v.macSrc : -1;
    const data = {
      ttl: v.ttl,
      initial_ttl: ttl,
      window: v.tcpWindow,
      mss: v.tcpMss,
      wscale: v.tcpWscale,
      options,
      df: v.dontFragment,
      syn_ack: synAck,
      ipv6: !v4,
    };
    if (v4) this.store.add4(v.src4, mac, false, 'tcp_stack', 'tcp', value, v.tsUs, data);
    else this.store.add6(v.src6, mac, false, 'tcp_stack', 'tcp', value, v.tsUs, data);
  }
}
