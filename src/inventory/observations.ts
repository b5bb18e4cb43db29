/**
 * What protocols said about hosts, kept for the inventory (SPEC §4: "each
 * attribute with the evidence that produced it"). An observation names its
 * subject by address and/or MAC; which asset it belongs to is decided when the
 * report is built, once identities are known. Identical observations (same
 * subject, kind, source and value) are kept once, with first and last time
 * and a count.
 *
 * Subjects are found by a numeric hash of the address and MAC, so a repeated
 * fact costs no text; a subject's facts are keyed by their value. Bounded: at
 * most MAX_PER_KIND values per subject and kind (a busy client's SNIs), and
 * `max` observations in all, past which the oldest-inserted are dropped and
 * counted.
 */
import type { ObservationData, ObservationKind } from '../dissect/types.js';
import { ip4ToString, ip6ToString, parseIpWords } from './addr-format.js';

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
/** Distinct values kept per subject and kind. */
export const MAX_PER_KIND = 64;

class Subject {
  next: Subject | null = null;
  readonly byValue = new Map<string, Observation[]>();
  readonly perKind = new Map<string, number>();
  constructor(
    readonly hash: number,
    /** 0 none, 4, 6 */
    readonly ver: number,
    readonly w0: number,
    readonly w1: number,
    readonly w2: number,
    readonly w3: number,
    readonly mac: number,
    readonly ip: string | null,
  ) {}
}

function subjectHash(ver: number, w0: number, w1: number, w2: number, w3: number, mac: number): number {
  let h = Math.imul(w0 ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(w1 ^ ver, 0xc2b2ae35);
  h = Math.imul(h ^ w2, 0x27d4eb2f) ^ Math.imul(w3, 0x165667b1);
  h = Math.imul(h ^ (mac >>> 0), 0x9e3779b1) ^ Math.floor(mac / 4294967296);
  return (h ^ (h >>> 15)) & 0x3fffffff;
}

export class ObservationStore {
  private readonly subjects = new Map<number, Subject>();
  /** Every observation in insertion order (with its subject), for oldest-first eviction. */
  private queue: { o: Observation; s: Subject }[] = [];
  private head = 0;
  private count = 0;
  evicted = 0;
  /** Values not kept because their subject already had MAX_PER_KIND of that kind. */
  capped = 0;

  constructor(readonly max = 65536) {}

  get size(): number {
    return this.count;
  }

  /** A fact about an IPv4 address (a number) and/or a MAC. */
  add4(ip: number, mac: number, macBound: boolean, kind: ObservationKind, source: string, value: string, ts: number, data: ObservationData | null): void {
    this.put(this.subject(4, ip >>> 0, 0, 0, 0, mac, null), macBound, kind, source, value, ts, data);
  }

  /** A fact about an IPv6 address (four words) and/or a MAC. */
  add6(w: ArrayLike<number>, mac: number, macBound: boolean, kind: ObservationKind, source: string, value: string, ts: number, data: ObservationData | null): void {
    this.put(this.subject(6, w[0]! >>> 0, w[1]! >>> 0, w[2]! >>> 0, w[3]! >>> 0, mac, null), macBound, kind, source, value, ts, data);
  }

  /** A fact about an address given as text (or null: the MAC alone). */
  add(ip: string | null, mac: number, macBound: boolean, kind: ObservationKind, source: string, value: string, ts: number, data: ObservationData | null): void {
    if (ip === null) {
      this.put(this.subject(0, 0, 0, 0, 0, mac, null), macBound, kind, source, value, ts, data);
      return;
    }
    const v6 = ip.includes(':');
    const w = parseIpWords(ip, v6 ? 6 : 4);
    if (w === null) return;
    if (v6) this.add6(w, mac, macBound, kind, source, value, ts, data);
    else this.add4(w[0]!, mac, macBound, kind, source, value, ts, data);
  }

  private subject(ver: number, w0: number, w1: number, w2: number, w3: number, mac: number, ip: string | null): Subject {
    const h = subjectHash(ver, w0, w1, w2, w3, mac);
    const head = this.subjects.get(h) ?? null;
    for (let s = head; s !== null; s = s.next) {
      if (s.ver === ver && s.w0 === w0 && s.w1 === w1 && s.w2 === w2 && s.w3 === w3 && s.mac === mac) return s;
    }
    const text = ip ?? (ver === 4 ? ip4ToString(w0) : ver === 6 ? ip6ToString([w0, w1, w2, w3]) : null);
    const s = new Subject(h, ver, w0, w1, w2, w3, mac, text);
    s.next = head;
    this.subjects.set(h, s);
    return s;
  }

  /** Removes a subject (left without observations) from its hash chain. */
  private unlink(s: Subject): void {
    const head = this.subjects.get(s.hash);
    if (head === undefined) return;
    if (head === s) {
      if (s.next !== null) this.subjects.set(s.hash, s.next);
      else this.subjects.delete(s.hash);
    } else {
      let p: Subject | null = head;
      while (p !== null && p.next !== s) p = p.next;
      if (p !== null) p.next = s.next;
    }
    s.next = null;
  }

  private put(s: Subject, macBound: boolean, kind: ObservationKind, source: string, value: string, ts: number, data: ObservationData | null): void {
    if (value.length === 0) {
      if (s.byValue.size === 0) this.unlink(s);
      return;
    }
    if (value.length > MAX_VALUE) value = value.slice(0, MAX_VALUE) + '…';
    let list = s.byValue.get(value);
    if (list !== undefined) {
      for (const o of list) {
        if (o.kind !== kind || o.source !== source) continue;
        if (ts < o.first) o.first = ts;
        if (ts > o.last) o.last = ts;
        o.count++;
        if (data !== null && o.data === null) o.data = data;
        if (macBound) o.macBound = true;
        return;
      }
    }
    const n = s.perKind.get(kind) ?? 0;
    if (n >= MAX_PER_KIND) {
      this.capped++;
      return;
    }
    s.perKind.set(kind, n + 1);
    if (this.count >= this.max) this.evictOldest(s);
    const o: Observation = { kind, source, value, ip: s.ip, mac: s.mac, macBound, first: ts, last: ts, count: 1, data };
    if (list === undefined) s.byValue.set(value, (list = []));
    list.push(o);
    this.queue.push({ o, s });
    this.count++;
  }

  /** Drops the oldest observation; `keep` is the subject about to receive one (it stays linked). */
  private evictOldest(keep: Subject): void {
    while (this.head < this.queue.length) {
      const { o, s } = this.queue[this.head]!;
      this.queue[this.head] = undefined as never;
      this.head++;
      const list = s.byValue.get(o.value);
      const i = list ? list.indexOf(o) : -1;
      if (i < 0) continue;
      list!.splice(i, 1);
      if (list!.length === 0) s.byValue.delete(o.value);
      s.perKind.set(o.kind, (s.perKind.get(o.kind) ?? 1) - 1);
      // A subject left without observations goes too, else a flood of
      // distinct subjects grows this table without bound.
      if (s.byValue.size === 0 && s !== keep) this.unlink(s);
      this.count--;
      this.evicted++;
      break;
    }
    // Compact the queue now and then.
    if (this.head > 65536 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Folds in observations made elsewhere (another file's engine), as if they
   * came after this store's: an identical one widens its times and adds its
   * count; a new one is kept within the same bounds as put().
   */
  absorb(list: Observation[], evicted: number, capped: number): void {
    for (const x of list) {
      const s = this.subjectOf(x.ip, x.mac);
      if (s === null) continue;
      const same = s.byValue.get(x.value)?.find((o) => o.kind === x.kind && o.source === x.source);
      if (same !== undefined) {
        if (x.first < same.first) same.first = x.first;
        if (x.last > same.last) same.last = x.last;
        same.count += x.count;
        if (same.data === null && x.data !== null) same.data = x.data;
        if (x.macBound) same.macBound = true;
        continue;
      }
      this.put(s, x.macBound, x.kind, x.source, x.value, x.first, x.data);
      const o = s.byValue.get(x.value)?.find((y) => y.kind === x.kind && y.source === x.source);
      if (o !== undefined) {
        o.last = x.last;
        o.count = x.count;
      }
    }
    this.evicted += evicted;
    this.capped += capped;
  }

  private subjectOf(ip: string | null, mac: number): Subject | null {
    if (ip === null) return this.subject(0, 0, 0, 0, 0, mac, null);
    const v6 = ip.includes(':');
    const w = parseIpWords(ip, v6 ? 6 : 4);
    if (w === null) return null;
    return v6 ? this.subject(6, w[0]! >>> 0, w[1]! >>> 0, w[2]! >>> 0, w[3]! >>> 0, mac, ip) : this.subject(4, w[0]! >>> 0, 0, 0, 0, mac, ip);
  }

  *values(): IterableIterator<Observation> {
    for (let i = this.head; i < this.queue.length; i++) {
      const e = this.queue[i];
      if (e !== undefined) yield e.o;
    }
  }
}
