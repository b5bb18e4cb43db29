/**
 * Classification of addresses by a configuration (SPEC §2.1), built once into
 * flat tables: every configured range is cut into disjoint segments, each
 * segment resolved to one class and group in the SPEC's order (excluded, then
 * the most specific internal range, then a monitored external group by IP,
 * else External). A lookup is a binary search over the segment starts: no
 * list scan and no allocation per packet.
 *
 * Monitored groups by name use addresses learned at run time from DNS
 * answers (`learn4`/`learn6`), held in a bounded table.
 */
import { AddrClass, special4, special6, type Classifier } from './classify.js';
import type { AddressRange, NpsConfig } from './types.js';

interface Candidate {
  first: bigint;
  last: bigint;
  kind: 'excluded' | 'internal' | 'external' | 'linklocal';
  cls: AddrClass;
  group: number;
  order: number;
}

function toBig(w: readonly number[], version: 4 | 6): bigint {
  if (version === 4) return BigInt(w[0]! >>> 0);
  return (BigInt(w[0]! >>> 0) << 96n) | (BigInt(w[1]! >>> 0) << 64n) | (BigInt(w[2]! >>> 0) << 32n) | BigInt(w[3]! >>> 0);
}

function fromBig6(x: bigint, out: Uint32Array, at: number): void {
  out[at] = Number((x >> 96n) & 0xffffffffn);
  out[at + 1] = Number((x >> 64n) & 0xffffffffn);
  out[at + 2] = Number((x >> 32n) & 0xffffffffn);
  out[at + 3] = Number(x & 0xffffffffn);
}

/** Flattens candidates into disjoint segments covering the whole space. */
function flatten(cands: Candidate[], max: bigint): { starts: bigint[]; cls: AddrClass[]; group: number[] } {
  const bounds = new Set<bigint>([0n]);
  for (const c of cands) {
    bounds.add(c.first);
    if (c.last < max) bounds.add(c.last + 1n);
  }
  const starts = [...bounds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const cls: AddrClass[] = [];
  const group: number[] = [];
  for (let i = 0; i < starts.length; i++) {
    const p = starts[i]!;
    let best: Candidate | null = null;
    for (const c of cands) {
      if (c.first > p || c.last < p) continue;
      if (best === null || better(c, best)) best = c;
    }
    cls.push(best ? best.cls : AddrClass.External);
    group.push(best ? best.group : -1);
  }
  // Merge neighbours with the same outcome.
  const s2: bigint[] = [];
  const c2: AddrClass[] = [];
  const g2: number[] = [];
  for (let i = 0; i < starts.length; i++) {
    if (i > 0 && cls[i] === c2[c2.length - 1] && group[i] === g2[g2.length - 1]) continue;
    s2.push(starts[i]!);
    c2.push(cls[i]!);
    g2.push(group[i]!);
  }
  return { starts: s2, cls: c2, group: g2 };
}

const KIND_RANK = { excluded: 0, internal: 1, linklocal: 2, external: 3 } as const;

/** SPEC §2.1 order: excluded first; among internal ranges the most specific; then external groups in order. */
function better(a: Candidate, b: Candidate): boolean {
  if (KIND_RANK[a.kind] !== KIND_RANK[b.kind]) return KIND_RANK[a.kind] < KIND_RANK[b.kind];
  if (a.kind === 'internal') {
    const sa = a.last - a.first;
    const sb = b.last - b.first;
    if (sa !== sb) return sa < sb;
  }
  return a.order < b.order;
}

const LINK_LOCAL_4: AddressRange = { version: 4, first: [0xa9fe0000, 0, 0, 0], last: [0xa9feffff, 0, 0, 0], text: '169.254.0.0/16' };
const LINK_LOCAL_6: AddressRange = {
  version: 6,
  first: [0xfe800000, 0, 0, 0],
  last: [0xfebfffff, 0xffffffff, 0xffffffff, 0xffffffff],
  text: 'fe80::/10',
};

export class ConfigClassifier implements Classifier {
  private readonly starts4: Float64Array;
  private readonly cls4: Uint8Array;
  /**
   * Segment of each /16 block of IPv4 when the whole block lies in one
   * segment, else -1 (then a binary search): one array read per address for
   * the usual ranges.
   */
  private readonly block16: Int32Array;
  private readonly group4s: Int32Array;
  private readonly starts6: Uint32Array;
  private readonly cls6: Uint8Array;
  private readonly group6s: Int32Array;
  private readonly n6: number;
  /**
   * Addresses learned from DNS answers for monitored names → external group,
   * at most `maxLearned` per family (`limits.dns_names`); Map order is oldest
   * learned (or re-learned) first, which is the order they are evicted in.
   */
  private readonly learned4 = new Map<number, number>();
  private readonly learned6 = new Map<string, number>();
  /** Learned addresses evicted, oldest first, to make room (a `table-limit` warning). */
  learnedEvicted = 0;
  private readonly excludedMacs: Set<number>;
  readonly hasNameGroups: boolean;

  constructor(
    readonly config: NpsConfig,
    /** Learned addresses kept per family (`limits.dns_names`). */
    readonly maxLearned = config.limits?.dnsNames ?? 65536,
  ) {
    // The range tables depend on the configuration alone: built once per configuration
    // (an analysis of many files makes an engine, and so a classifier, per file).
    let t = TABLES.get(config);
    if (t === undefined) TABLES.set(config, (t = buildTables(config)));
    this.starts4 = t.starts4;
    this.cls4 = t.cls4;
    this.group4s = t.group4s;
    this.block16 = t.block16;
    this.n6 = t.n6;
    this.starts6 = t.starts6;
    this.cls6 = t.cls6;
    this.group6s = t.group6s;
    this.excludedMacs = t.excludedMacs;
    this.hasNameGroups = t.hasNameGroups;
  }

  private seg4(ip: number): number {
    const direct = this.block16[ip >>> 16]!;
    if (direct >= 0) return direct;
    const s = this.starts4;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= ip) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private seg6(w: ArrayLike<number>): number {
    const s = this.starts6;
    let lo = 0;
    let hi = this.n6 - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const o = mid * 4;
      let c = 0;
      for (let i = 0; i < 4 && c === 0; i++) {
        const a = s[o + i]!;
        const b = w[i]! >>> 0;
        c = a < b ? -1 : a > b ? 1 : 0;
      }
      if (c <= 0) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  classify4(ip: number): AddrClass {
    if (special4(ip)) return AddrClass.Special;
    const c = this.cls4[this.seg4(ip)]! as AddrClass;
    if (c === AddrClass.External && this.learned4.size !== 0 && this.learned4.has(ip)) return AddrClass.MonitoredByName;
    return c;
  }

  classify6(w: ArrayLike<number>): AddrClass {
    if (special6(w)) return AddrClass.Special;
    // IPv4-mapped addresses follow the IPv4 rules.
    if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) return this.classify4(w[3]! >>> 0);
    const c = this.cls6[this.seg6(w)]! as AddrClass;
    if (c === AddrClass.External && this.learned6.size !== 0 && this.learned6.has(key6(w))) return AddrClass.MonitoredByName;
    return c;
  }

  group4(ip: number): number {
    const seg = this.seg4(ip);
    if (this.cls4[seg] === AddrClass.External) return this.learned4.get(ip) ?? -1;
    return this.group4s[seg]!;
  }

  group6(w: ArrayLike<number>): number {
    if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) return this.group4(w[3]! >>> 0);
    const seg = this.seg6(w);
    if (this.cls6[seg] === AddrClass.External) return this.learned6.get(key6(w)) ?? -1;
    return this.group6s[seg]!;
  }

  groupName(cls: AddrClass, index: number): string {
    if (cls === AddrClass.Monitored || cls === AddrClass.MonitoredByName) return this.config.external[index]?.name ?? 'External';
    if (cls === AddrClass.Excluded) return this.config.excluded[index]?.name ?? 'Excluded';
    return this.config.internal[index]?.name ?? '';
  }

  isExcludedMac(mac: number): boolean {
    return this.excludedMacs.size !== 0 && this.excludedMacs.has(mac);
  }

  get excludedMacCount(): number {
    return this.excludedMacs.size;
  }

  /** The external group whose names match `name` (lower case, no trailing dot), or -1. */
  groupForName(name: string): number {
    const groups = this.config.external;
    for (let i = 0; i < groups.length; i++) {
      for (const pattern of groups[i]!.fqdns) {
        if (pattern.startsWith('*.')) {
          if (name.endsWith(pattern.slice(1))) return i;
        } else if (name === pattern) return i;
      }
    }
    return -1;
  }

  /** Records that a DNS answer gave `ip` for a name of group `group`. */
  learn4(ip: number, group: number): void {
    if (this.learned4.has(ip)) this.learned4.delete(ip);
    else if (this.learned4.size >= this.maxLearned) {
      this.learned4.delete(this.learned4.keys().next().value!);
      this.learnedEvicted++;
    }
    this.learned4.set(ip, group);
  }

  learn6(w: ArrayLike<number>, group: number): void {
    const k = key6(w);
    if (this.learned6.has(k)) this.learned6.delete(k);
    else if (this.learned6.size >= this.maxLearned) {
      this.learned6.delete(this.learned6.keys().next().value!);
      this.learnedEvicted++;
    }
    this.learned6.set(k, group);
  }

  /** Why an address is classified as it is, for `nps config explain`. */
  explain4(ip: number): { cls: AddrClass; group: number } {
    return { cls: this.classify4(ip), group: this.group4(ip) };
  }
}

function key6(w: ArrayLike<number>): string {
  return `${w[0]! >>> 0}:${w[1]! >>> 0}:${w[2]! >>> 0}:${w[3]! >>> 0}`;
}

/** A configuration's range tables (read-only once built). */
interface RangeTables {
  starts4: Float64Array;
  cls4: Uint8Array;
  group4s: Int32Array;
  block16: Int32Array;
  n6: number;
  starts6: Uint32Array;
  cls6: Uint8Array;
  group6s: Int32Array;
  excludedMacs: Set<number>;
  hasNameGroups: boolean;
}

const TABLES = new WeakMap<NpsConfig, RangeTables>();

function buildTables(config: NpsConfig): RangeTables {
  const c4: Candidate[] = [];
  const c6: Candidate[] = [];
  let order = 0;
  const add = (r: AddressRange, kind: Candidate['kind'], cls: AddrClass, group: number) => {
    const cand = { first: toBig(r.first, r.version), last: toBig(r.last, r.version), kind, cls, group, order: order++ };
    (r.version === 4 ? c4 : c6).push(cand);
  };
  config.excluded.forEach((g, i) => g.ranges.forEach((r) => add(r, 'excluded', AddrClass.Excluded, i)));
  config.internal.forEach((g, i) => g.ranges.forEach((r) => add(r, 'internal', g.inventory ? AddrClass.Inventoried : AddrClass.Tracked, i)));
  // Link-local addresses cannot be routed: they belong to the local segment unless a range says otherwise.
  add(LINK_LOCAL_4, 'linklocal', AddrClass.Inventoried, -1);
  add(LINK_LOCAL_6, 'linklocal', AddrClass.Inventoried, -1);
  config.external.forEach((g, i) => g.ranges.forEach((r) => add(r, 'external', AddrClass.Monitored, i)));

  const f4 = flatten(c4, 0xffffffffn);
  const starts4 = Float64Array.from(f4.starts, (x) => Number(x));
  const cls4 = Uint8Array.from(f4.cls);
  const group4s = Int32Array.from(f4.group);
  const block16 = new Int32Array(65536);
  for (let b = 0, seg = 0; b < 65536; b++) {
    const lo = b * 65536;
    const hi = lo + 65535;
    while (seg + 1 < starts4.length && starts4[seg + 1]! <= lo) seg++;
    block16[b] = seg + 1 < starts4.length && starts4[seg + 1]! <= hi ? -1 : seg;
  }
  const f6 = flatten(c6, (1n << 128n) - 1n);
  const n6 = f6.starts.length;
  const starts6 = new Uint32Array(n6 * 4);
  f6.starts.forEach((x, i) => fromBig6(x, starts6, i * 4));
  const cls6 = Uint8Array.from(f6.cls);
  const group6s = Int32Array.from(f6.group);
  const excludedMacs = new Set(config.excluded.flatMap((g) => g.macs));
  const hasNameGroups = config.external.some((g) => g.fqdns.length > 0);
  return { starts4, cls4, group4s, block16, n6, starts6, cls6, group6s, excludedMacs, hasNameGroups };
}
