/**
 * What protocols said about hosts, kept for the inventory (SPEC §4: "each
 * attribute with the evidence that produced it"). An observation names its
 * subject by address and/or MAC; which asset it belongs to is decided when the
 * report is built, once identities are known. Identical observations (same
 * subject, kind, source and value) are kept once, with first and last time
 * and a count. The store is bounded: past `max` distinct observations the
 * oldest-inserted are dropped and counted.
 */
import type { ObservationData, ObservationKind } from '../dissect/types.js';

export interface Observation {
  kind: ObservationKind;
  source: string;
  value: string;
  /** Subject address as text, null when only the MAC is known. */
  ip: string | null;
  /** Subject MAC (48-bit), -1 when unknown. */
  mac: number;
  /** The fact belongs to the device with this MAC whatever address it used (DHCP, LLDP). */
  macBound: boolean;
  first: number;
  last: number;
  count: number;
  data: ObservationData | null;
}

/** Longest value kept; longer ones are cut with a marker. */
export const MAX_VALUE = 512;

export class ObservationStore {
  private readonly map = new Map<string, Observation>();
  evicted = 0;

  constructor(readonly max = 262144) {}

  get size(): number {
    return this.map.size;
  }

  add(ip: string | null, mac: number, macBound: boolean, kind: ObservationKind, source: string, value: string, ts: number, data: ObservationData | null): void {
    if (value.length === 0) return;
    if (value.length > MAX_VALUE) value = value.slice(0, MAX_VALUE) + '…';
    const key = `${ip ?? ''}|${mac}|${kind}|${source}|${value}`;
    const o = this.map.get(key);
    if (o !== undefined) {
      if (ts < o.first) o.first = ts;
      if (ts > o.last) o.last = ts;
      o.count++;
      if (data !== null && o.data === null) o.data = data;
      if (macBound) o.macBound = true;
      return;
    }
    if (this.map.size >= this.max) {
      // Oldest inserted first: Map keeps insertion order.
      this.map.delete(this.map.keys().next().value!);
      this.evicted++;
    }
    this.map.set(key, { kind, source, value, ip, mac, macBound, first: ts, last: ts, count: 1, data });
  }

  values(): IterableIterator<Observation> {
    return this.map.values();
  }
}
