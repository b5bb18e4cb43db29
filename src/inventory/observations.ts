/**
 * What protocols said about hosts, kept for the inventory (SPEC §4: "each
 * attribute with the evidence that produced it"). An observation names its
 * subject by address and/or MAC; which asset it belongs to is decided when the
 * report is built, once identities are known. Identical observations (same
 * subject, kind, source and value) are kept once, with first and last time
 * and a count.
 *
 * Subjects are found by a numeric hash of the address and MAC, so a repeated
 * fact costs no text. Bounded: at most MAX_PER_KIND values per subject and
 * kind (a busy client's SNIs), and `max` observations in all, past which the
 * oldest-inserted are dropped and counted.
 *
 * Kept compact for a spoofing flood (a subject per forged address, most with
 * one to three facts): a subject holds its one observation, or a plain array
 * of them searched linearly, and gets a by-value index (with counts per kind)
 * only once it holds more than INDEX_AT; the subjects are chained in one
 * bucket array; the eviction queue is a ring of two parallel arrays
 * (observation, subject). No Map and no object per entry for the common case.
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

const START = /^/;

/**
 * The same text as one flat string. Values made by concatenation (a template
 * literal of seven fields for a TCP stack, names joined label by label) are
 * trees of pieces to V8, about 320 bytes for a 40-character value instead of
 * 64; a kept value is copied flat once (a replace that matches nothing but
 * the start builds a new string).
 */
function flat(value: string): string {
  return value.replace(START, '');
}

/** A subject holding more observations than this gets a by-value index. */
const INDEX_AT = 16;
/** The index goes again when the subject is down to this many. */
const UNINDEX_AT = 8;
/** Observation arrays up to this length are copied to exact size on insert (push would reserve 16 more slots). */
const EXACT_UP_TO = 8;

/** A busy subject's observations by value, and how many it holds of each kind. */
class SubjectIndex {
  readonly byValue = new Map<string, Observation[]>();
  readonly perKind = new Map<string, number>();

  add(o: Observation): void {
    const list = this.byValue.get(o.value);
    if (list === undefined) this.byValue.set(o.value, [o]);
    else list.push(o);
    this.perKind.set(o.kind, (this.perKind.get(o.kind) ?? 0) + 1);
  }

  remove(o: Observation): void {
    const list = this.byValue.get(o.value)!;
    if (list.length === 1) this.byValue.delete(o.value);
    else list.splice(list.indexOf(o), 1);
    this.perKind.set(o.kind, this.perKind.get(o.kind)! - 1);
  }
}

class Subject {
  next: Subject | null = null;
  /**
   * Its observations, oldest first: none, the one (most subjects of a flood
   * have a single fact, and an array costs more than the fact), or two or more.
   */
  obs: Observation | Observation[] | null = null;
  /** Only while the subject holds many observations. */
  index: SubjectIndex | null = null;
  constructor(
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

/** How many observations the subject holds. */
function obsCount(s: Subject): number {
  const x = s.obs;
  return x === null ? 0 : Array.isArray(x) ? x.length : 1;
}

/** The subject's observation with this kind, source and value. */
function findIn(s: Subject, kind: string, source: string, value: string): Observation | undefined {
  const x = s.obs;
  if (x === null) return undefined;
  if (!Array.isArray(x)) return x.kind === kind && x.value === value && x.source === source ? x : undefined;
  if (s.index !== null) {
    const list = s.index.byValue.get(value);
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const o = list[i]!;
        if (o.kind === kind && o.source === source) return o;
      }
    }
    return undefined;
  }
  for (let i = 0; i < x.length; i++) {
    const o = x[i]!;
    if (o.kind === kind && o.value === value && o.source === source) return o;
  }
  return undefined;
}

/** How many observations of this kind the subject holds. */
function kindCount(s: Subject, kind: string): number {
  if (s.index !== null) return s.index.perKind.get(kind) ?? 0;
  const x = s.obs;
  if (x === null) return 0;
  if (!Array.isArray(x)) return x.kind === kind ? 1 : 0;
  let n = 0;
  for (const o of x) if (o.kind === kind) n++;
  return n;
}

/** Appends a new observation to its subject. */
function attach(s: Subject, o: Observation): void {
  const x = s.obs;
  if (x === null) {
    s.obs = o;
    return;
  }
  if (!Array.isArray(x)) {
    s.obs = [x, o];
    return;
  }
  const all = x.length < EXACT_UP_TO ? x.concat(o) : x;
  if (all === x) x.push(o);
  else s.obs = all;
  if (s.index !== null) s.index.add(o);
  else if (all.length > INDEX_AT) {
    const index = new SubjectIndex();
    for (const y of all) index.add(y);
    s.index = index;
  }
}

/** Takes an observation off its subject; false when the subject does not hold it. */
function detach(s: Subject, o: Observation): boolean {
  const x = s.obs;
  if (x === null) return false;
  if (!Array.isArray(x)) {
    if (x !== o) return false;
    s.obs = null;
    return true;
  }
  // Eviction is oldest first, so it is nearly always the first.
  const i = x[0] === o ? 0 : x.indexOf(o);
  if (i < 0) return false;
  if (x.length === 2) {
    // Back to the single form (which never has an index).
    s.obs = x[1 - i]!;
    s.index = null;
    return true;
  }
  x.splice(i, 1);
  if (s.index !== null) {
    if (x.length <= UNINDEX_AT) s.index = null;
    else s.index.remove(o);
  }
  return true;
}

export class ObservationStore {
  /** Subjects chained by hash; the table doubles when it holds more than two subjects a bucket. */
  private table: (Subject | null)[] = new Array<Subject | null>(256).fill(null);
  private subjectCount = 0;
  /**
   * Every observation in insertion order with its subject, for oldest-first
   * eviction: a ring of `queued` entries from `head`, capacity a power of two.
   */
  private qo: (Observation | undefined)[] = new Array<Observation | undefined>(256).fill(undefined);
  private qs: (Subject | undefined)[] = new Array<Subject | undefined>(256).fill(undefined);
  private head = 0;
  private queued = 0;
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
    const table = this.table;
    const b = h & (table.length - 1);
    const first = table[b];
    for (let s = first; s !== null; s = s.next) {
      if (s.ver === ver && s.w0 === w0 && s.w1 === w1 && s.w2 === w2 && s.w3 === w3 && s.mac === mac) return s;
    }
    const text = ip ?? (ver === 4 ? ip4ToString(w0) : ver === 6 ? ip6ToString([w0, w1, w2, w3]) : null);
    const s = new Subject(ver, w0, w1, w2, w3, mac, text);
    s.next = first;
    table[b] = s;
    if (++this.subjectCount > 2 * table.length) this.growTable();
    return s;
  }

  private growTable(): void {
    const old = this.table;
    const table = new Array<Subject | null>(old.length * 2).fill(null);
    const mask = table.length - 1;
    for (let i = 0; i < old.length; i++) {
      for (let s = old[i]; s !== null; ) {
        const next: Subject | null = s.next;
        const b = subjectHash(s.ver, s.w0, s.w1, s.w2, s.w3, s.mac) & mask;
        s.next = table[b];
        table[b] = s;
        s = next;
      }
    }
    this.table = table;
  }

  /** Removes a subject (left without observations) from its hash chain. */
  private unlink(s: Subject): void {
    const table = this.table;
    const b = subjectHash(s.ver, s.w0, s.w1, s.w2, s.w3, s.mac) & (table.length - 1);
    let p = table[b];
    if (p === s) table[b] = s.next;
    else {
      while (p !== null && p.next !== s) p = p.next;
      if (p === null) return;
      p.next = s.next;
    }
    s.next = null;
    this.subjectCount--;
  }

  private put(s: Subject, macBound: boolean, kind: ObservationKind, source: string, value: string, ts: number, data: ObservationData | null): void {
    if (value.length === 0) {
      if (s.obs === null) this.unlink(s);
      return;
    }
    if (value.length > MAX_VALUE) value = value.slice(0, MAX_VALUE) + '…';
    // findIn(), written out: this is the hot path, and V8 does not inline it here.
    let same: Observation | undefined;
    const x = s.obs;
    if (x === null) {
      // A subject without observations yet.
    } else if (!Array.isArray(x)) {
      if (x.kind === kind && x.value === value && x.source === source) same = x;
    } else if (s.index !== null) {
      const list = s.index.byValue.get(value);
      if (list !== undefined) {
        for (let i = 0; i < list.length; i++) {
          const o = list[i]!;
          if (o.kind === kind && o.source === source) {
            same = o;
            break;
          }
        }
      }
    } else {
      for (let i = 0; i < x.length; i++) {
        const o = x[i]!;
        if (o.kind === kind && o.value === value && o.source === source) {
          same = o;
          break;
        }
      }
    }
    if (same !== undefined) {
      if (ts < same.first) same.first = ts;
      if (ts > same.last) same.last = ts;
      same.count++;
      if (data !== null && same.data === null) same.data = data;
      if (macBound) same.macBound = true;
      return;
    }
    // Fewer observations than the cap in all: no kind can be at it.
    if (obsCount(s) >= MAX_PER_KIND && kindCount(s, kind) >= MAX_PER_KIND) {
      this.capped++;
      return;
    }
    if (this.count >= this.max) this.evictOldest(s);
    const o: Observation = { kind, source, value: flat(value), ip: s.ip, mac: s.mac, macBound, first: ts, last: ts, count: 1, data };
    attach(s, o);
    this.enqueue(o, s);
    this.count++;
  }

  private enqueue(o: Observation, s: Subject): void {
    let cap = this.qo.length;
    if (this.queued === cap) {
      // Full: double, oldest first from slot 0.
      const qo = new Array<Observation | undefined>(cap * 2).fill(undefined);
      const qs = new Array<Subject | undefined>(cap * 2).fill(undefined);
      for (let i = 0; i < cap; i++) {
        const j = (this.head + i) & (cap - 1);
        qo[i] = this.qo[j];
        qs[i] = this.qs[j];
      }
      this.qo = qo;
      this.qs = qs;
      this.head = 0;
      cap *= 2;
    }
    const t = (this.head + this.queued) & (cap - 1);
    this.qo[t] = o;
    this.qs[t] = s;
    this.queued++;
  }

  /** Drops the oldest observation; `keep` is the subject about to receive one (it stays linked). */
  private evictOldest(keep: Subject): void {
    while (this.queued > 0) {
      const h = this.head;
      const o = this.qo[h]!;
      const s = this.qs[h]!;
      this.qo[h] = undefined;
      this.qs[h] = undefined;
      this.head = (h + 1) & (this.qo.length - 1);
      this.queued--;
      if (!detach(s, o)) continue;
      // A subject left without observations goes too, else a flood of
      // distinct subjects grows the table without bound.
      if (s.obs === null && s !== keep) this.unlink(s);
      this.count--;
      this.evicted++;
      break;
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
      const same = findIn(s, x.kind, x.source, x.value);
      if (same !== undefined) {
        if (x.first < same.first) same.first = x.first;
        if (x.last > same.last) same.last = x.last;
        same.count += x.count;
        if (same.data === null && x.data !== null) same.data = x.data;
        if (x.macBound) same.macBound = true;
        continue;
      }
      this.put(s, x.macBound, x.kind, x.source, x.value, x.first, x.data);
      const o = findIn(s, x.kind, x.source, x.value);
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
    for (let i = 0; i < this.queued; i++) {
      const o = this.qo[(this.head + i) & (this.qo.length - 1)];
      if (o !== undefined) yield o;
    }
  }
}
