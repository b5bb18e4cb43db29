/**
 * Which dissector looks at a connection, in a fixed order (as Wireshark and
 * Suricata do): the dissector already tied to the connection, then the one
 * registered for the lower port, then the higher port, then the payload
 * probes in registration order. Port tables have 65,536 entries so that a
 * lookup is one array read.
 */
import type { Dissector } from './types.js';

/** No dissector registered for the port. */
export const NONE = 255;

export class DissectorRegistry {
  readonly list: Dissector[] = [];
  /** Index into `list` per port, NONE when unregistered. */
  readonly tcp = new Uint8Array(65536).fill(NONE);
  readonly udp = new Uint8Array(65536).fill(NONE);
  /** Indexes of dissectors with a probe, in registration order. */
  readonly probes: number[] = [];

  constructor(dissectors: readonly Dissector[]) {
    // Connections store index + 1 in a byte, 255 meaning none: at most 254.
    if (dissectors.length >= NONE) throw new Error('too many dissectors');
    for (const d of dissectors) {
      const i = this.list.length;
      if (this.list.some((x) => x.id === d.id)) throw new Error(`dissector ${d.id} registered twice`);
      this.list.push(d);
      for (const p of d.tcpPorts ?? []) if (this.tcp[p] === NONE) this.tcp[p] = i;
      for (const p of d.udpPorts ?? []) if (this.udp[p] === NONE) this.udp[p] = i;
      if (d.probe) this.probes.push(i);
    }
  }

  /** Candidates for a connection's first payload, best first, into `out` (cleared); returns the count. */
  candidates(proto: number, portA: number, portB: number, out: number[]): number {
    if (out.length !== 0) out.length = 0;
    const table = proto === 6 ? this.tcp : this.udp;
    const lo = portA <= portB ? portA : portB;
    const hi = portA <= portB ? portB : portA;
    const a = table[lo]!;
    if (a !== NONE) out.push(a);
    const b = table[hi]!;
    if (b !== NONE && b !== a) out.push(b);
    return out.length;
  }
}

