/**
 * Per-address and per-MAC evidence gathered on every packet. Records are keyed
 * by numeric hashes (never strings) and bounded: when a table is full the
 * least recently seen eighth is evicted and counted. Each table keeps its
 * records on a list in the order they were last seen (`touchHost`/`touchMac`
 * move a record to the young end), so eviction takes records from the old end
 * instead of walking and sorting the whole table: a flood of new addresses
 * evicts in time proportional to what it evicts.
 *
 * Assets are assembled from these records at report time (see assets.ts),
 * because whether a MAC is a host's own or a router's is only known once the
 * whole capture has been seen.
 */
import type { AddrClass } from '../config/classify.js';

/** A record on a least-recently-seen list. */
interface Aged<T> {
  older: T | null;
  younger: T | null;
}

/** Records in the order they were last seen: touching one moves it to the young end, eviction takes from the old end. */
class LastSeenList<T extends Aged<T>> {
  oldest: T | null = null;
  youngest: T | null = null;

  touch(r: T): void {
    const young = this.youngest;
    if (young === r) return;
    // Unlink (a new record has no neighbours and is not the oldest).
    const older = r.older;
    const younger = r.younger;
    if (younger !== null) younger.older = older;
    if (older !== null) older.younger = younger;
    else if (this.oldest === r) this.oldest = younger;
    r.older = young;
    r.younger = null;
    if (young !== null) young.younger = r;
    else this.oldest = r;
    this.youngest = r;
  }

  /** Takes the oldest record off the list (null when empty). */
  popOldest(): T | null {
    const r = this.oldest;
    if (r === null) return null;
    this.oldest = r.younger;
    if (r.younger !== null) r.younger.older = null;
    else this.youngest = null;
    r.younger = null;
    return r;
  }
}

export class HostRecord {
  chain: HostRecord | null = null;
  /** Neighbours on the table's least-recently-seen list. */
  older: HostRecord | null = null;
  younger: HostRecord | null = null;
  first = 0;
  last = 0;
  pktsOut = 0;
  bytesOut = 0;
  pktsIn = 0;
  bytesIn = 0;
  /** The address sent something (it exists), as opposed to only being addressed. */
  sent = false;
  /** Distinct source MACs seen for this address (at most MAX_MACS kept). */
  readonly macs: number[] = [];
  macOverflow = false;
  /** MAC bound by ARP or neighbour discovery (the address's own), -1 if none. */
  boundMac = -1;
  boundBy = '';
  vlan = -1;
  /** Open ports as (proto << 16 | port). */
  ports: Set<number> | null = null;
  /** Hash of the last TCP stack fingerprint seen from this address (0: none), to skip repeats cheaply. */
  stackSig = 0;
  constructor(
    readonly ver: 4 | 6,
    readonly v4: number,
    readonly v6: Uint32Array | null,
    readonly cls: AddrClass,
  ) {}
}

export class MacRecord {
  chain: MacRecord | null = null;
  older: MacRecord | null = null;
  younger: MacRecord | null = null;
  first = 0;
  last = 0;
  pktsOut = 0;
  bytesOut = 0;
  vlan = -1;
  /** It sent IP packets from External addresses: it forwards for others (a router). */
  routesExternal = false;
  /** Distinct internal IPv4 sources seen behind this MAC (bounded; null until the first). */
  v4Sources: Set<number> | null = null;
  ipSent = false;
  constructor(readonly mac: number) {}
}

/** An address record as plain data (see HostTable.exportRecords). */
export interface HostData {
  ver: 4 | 6;
  v4: number;
  v6: Uint32Array | null;
  cls: AddrClass;
  first: number;
  last: number;
  pktsOut: number;
  bytesOut: number;
  pktsIn: number;
  bytesIn: number;
  sent: boolean;
  macs: number[];
  macOverflow: boolean;
  boundMac: number;
  boundBy: string;
  vlan: number;
  ports: number[] | null;
}

export interface MacData {
  mac: number;
  first: number;
  last: number;
  pktsOut: number;
  bytesOut: number;
  vlan: number;
  routesExternal: boolean;
  v4Sources: number[];
  ipSent: boolean;
}

const MAX_MACS = 4;
const MAX_V4_SOURCES = 64;
const MAX_PORTS = 1024;
const CACHE_MASK = 63;

function hash6(w: ArrayLike<number>): number {
  let h = Math.imul(w[0]! ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(w[1]! ^ 0x7f4a7c15, 0xc2b2ae35);
  h ^= Math.imul(w[2]! ^ 0x165667b1, 0x27d4eb2f) ^ Math.imul(w[3]!, 0x9e3779b1);
  h ^= h >>> 15;
  return h & 0x3fffffff;
}

function hashMac(mac: number): number {
  const lo = mac >>> 0;
  const hi = Math.floor(mac / 4294967296);
  let h = Math.imul(lo ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(hi ^ 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 15;
  return h & 0x3fffffff;
}

export interface HostTableOptions {
  maxHosts?: number;
  maxMacs?: number;
}

export class HostTable {
  private readonly v4 = new Map<number, HostRecord>();
  private readonly v6 = new Map<number, HostRecord>();
  private readonly macs = new Map<number, MacRecord>();
  private hostCount = 0;
  private macCount = 0;
  /** Records in last-seen order: eviction starts at the oldest. */
  private readonly hostAge = new LastSeenList<HostRecord>();
  private readonly macAge = new LastSeenList<MacRecord>();
  private readonly maxHosts: number;
  private readonly maxMacs: number;
  hostEvictions = 0;
  macEvictions = 0;
  private readonly cacheMac: (MacRecord | null)[] = new Array<MacRecord | null>(CACHE_MASK + 1).fill(null);
  private readonly cache4: (HostRecord | null)[] = new Array<HostRecord | null>(CACHE_MASK + 1).fill(null);

  /** Addresses tracked (IPv4 and IPv6), for a live status line. */
  get addressCount(): number {
    return this.hostCount;
  }

  constructor(opts: HostTableOptions = {}) {
    this.maxHosts = opts.maxHosts ?? 32768;
    this.maxMacs = opts.maxMacs ?? 32768;
  }

  host4(ip: number, cls: AddrClass, ts: number): HostRecord {
    // A packet's two ends, and the next packets of the same conversations,
    // ask for the same few addresses: a small direct-mapped cache first.
    const ci = (ip ^ (ip >>> 7) ^ (ip >>> 15)) & CACHE_MASK;
    const cached = this.cache4[ci]!;
    if (cached !== null && cached.v4 === ip) return cached;
    const r = this.lookup4(ip, cls, ts);
    this.cache4[ci] = r;
    return r;
  }

  private lookup4(ip: number, cls: AddrClass, ts: number): HostRecord {
    const key = ip & 0x3fffffff;
    let r = this.v4.get(key) ?? null;
    let head = r;
    while (r !== null && r.v4 !== ip) r = r.chain;
    if (r !== null) return r;
    if (this.hostCount >= this.maxHosts) {
      this.evictHosts();
      head = this.v4.get(key) ?? null;
    }
    r = new HostRecord(4, ip, null, cls);
    r.first = ts;
    r.chain = head;
    this.v4.set(key, r);
    this.hostCount++;
    this.touchHost(r, ts);
    return r;
  }

  host6(w: Uint32Array, cls: AddrClass, ts: number): HostRecord {
    const key = hash6(w);
    let r = this.v6.get(key) ?? null;
    let head = r;
    while (r !== null) {
      const a = r.v6!;
      if (a[0] === w[0] && a[1] === w[1] && a[2] === w[2] && a[3] === w[3]) return r;
      r = r.chain;
    }
    if (this.hostCount >= this.maxHosts) {
      this.evictHosts();
      head = this.v6.get(key) ?? null;
    }
    r = new HostRecord(6, 0, Uint32Array.from(w), cls);
    r.first = ts;
    r.chain = head;
    this.v6.set(key, r);
    this.hostCount++;
    this.touchHost(r, ts);
    return r;
  }

  /** Existing record only (no creation). */
  find4(ip: number): HostRecord | null {
    let r = this.v4.get(ip & 0x3fffffff) ?? null;
    while (r !== null && r.v4 !== ip) r = r.chain;
    return r;
  }

  find6(w: ArrayLike<number>): HostRecord | null {
    let r = this.v6.get(hash6(w)) ?? null;
    while (r !== null) {
      const a = r.v6!;
      if (a[0] === w[0] && a[1] === w[1] && a[2] === w[2] && a[3] === w[3]) return r;
      r = r.chain;
    }
    return null;
  }

  mac(mac: number, ts: number): MacRecord {
    // Small direct-mapped cache: the low 32 bits (ToUint32) pick the slot.
    const ci = ((mac >>> 0) ^ ((mac >>> 0) >>> 11)) & CACHE_MASK;
    const cached = this.cacheMac[ci]!;
    if (cached !== null && cached.mac === mac) return cached;
    const r = this.lookupMac(mac, ts);
    this.cacheMac[ci] = r;
    return r;
  }

  private lookupMac(mac: number, ts: number): MacRecord {
    const key = hashMac(mac);
    let r = this.macs.get(key) ?? null;
    let head = r;
    while (r !== null && r.mac !== mac) r = r.chain;
    if (r === null) {
      if (this.macCount >= this.maxMacs) {
        this.evictMacs();
        head = this.macs.get(key) ?? null;
      }
      r = new MacRecord(mac);
      r.first = ts;
      r.chain = head;
      this.macs.set(key, r);
      this.macCount++;
      this.touchMac(r, ts);
    }
    return r;
  }

  /** Notes that the address was seen at `ts`: its last time, and the young end of the eviction order. */
  touchHost(h: HostRecord, ts: number): void {
    h.last = ts;
    this.hostAge.touch(h);
  }

  /** As touchHost, for a MAC. */
  touchMac(m: MacRecord, ts: number): void {
    m.last = ts;
    this.macAge.touch(m);
  }

  /** Notes that `mac` sent a packet from this address. */
  static noteSourceMac(h: HostRecord, m: MacRecord): void {
    const macs = h.macs;
    // Almost every packet repeats the pairing already known: check that first.
    if (macs.length !== 0 && macs[macs.length - 1] === m.mac) return;
    if (!macs.includes(m.mac)) {
      if (macs.length < MAX_MACS) macs.push(m.mac);
      else h.macOverflow = true;
      if (h.ver === 4) HostTable.addV4Source(m, h.v4);
    }
  }

  private static addV4Source(m: MacRecord, ip: number): void {
    if (m.v4Sources === null) m.v4Sources = new Set();
    if (m.v4Sources.size < MAX_V4_SOURCES) m.v4Sources.add(ip);
  }

  static addPort(h: HostRecord, proto: number, port: number): void {
    if (h.ports === null) h.ports = new Set();
    if (h.ports.size < MAX_PORTS) h.ports.add((proto << 16) | port);
  }

  *hosts(): IterableIterator<HostRecord> {
    for (const head of this.v4.values()) for (let r: HostRecord | null = head; r; r = r.chain) yield r;
    for (const head of this.v6.values()) for (let r: HostRecord | null = head; r; r = r.chain) yield r;
  }

  *macRecords(): IterableIterator<MacRecord> {
    for (const head of this.macs.values()) for (let r: MacRecord | null = head; r; r = r.chain) yield r;
  }

  findMac(mac: number): MacRecord | null {
    let r = this.macs.get(hashMac(mac)) ?? null;
    while (r !== null && r.mac !== mac) r = r.chain;
    return r;
  }

  /** Address and MAC records as plain data, for merging one file's state into another (parallel analysis). */
  exportRecords(): { hosts: HostData[]; macs: MacData[] } {
    // Oldest first, so that the receiving table's eviction order follows this one's.
    const hosts: HostData[] = [];
    for (let h = this.hostAge.oldest; h !== null; h = h.younger) {
      hosts.push({
        ver: h.ver, v4: h.v4, v6: h.v6, cls: h.cls, first: h.first, last: h.last,
        pktsOut: h.pktsOut, bytesOut: h.bytesOut, pktsIn: h.pktsIn, bytesIn: h.bytesIn, sent: h.sent,
        macs: h.macs, macOverflow: h.macOverflow, boundMac: h.boundMac, boundBy: h.boundBy, vlan: h.vlan,
        ports: h.ports === null ? null : [...h.ports],
      });
    }
    const macs: MacData[] = [];
    for (let m = this.macAge.oldest; m !== null; m = m.younger) {
      macs.push({
        mac: m.mac, first: m.first, last: m.last, pktsOut: m.pktsOut, bytesOut: m.bytesOut, vlan: m.vlan,
        routesExternal: m.routesExternal, v4Sources: m.v4Sources === null ? [] : [...m.v4Sources], ipSent: m.ipSent,
      });
    }
    return { hosts, macs };
  }

  /**
   * Folds another table's records into this one, as if its packets had come
   * after this table's: counts add up, first/last widen, sets join (within
   * their bounds), and a later binding, VLAN or evidence replaces an earlier one.
   */
  absorbRecords(d: { hosts: HostData[]; macs: MacData[]; hostEvictions: number; macEvictions: number }): void {
    for (const x of d.macs) {
      const m = this.lookupMac(x.mac, x.first);
      if (x.first < m.first) m.first = x.first;
      if (x.last > m.last) this.touchMac(m, x.last);
      m.pktsOut += x.pktsOut;
      m.bytesOut += x.bytesOut;
      if (x.vlan >= 0) m.vlan = x.vlan;
      if (x.routesExternal) m.routesExternal = true;
      if (x.ipSent) m.ipSent = true;
      for (const ip of x.v4Sources) HostTable.addV4Source(m, ip);
    }
    for (const x of d.hosts) {
      const known = (x.ver === 4 ? this.find4(x.v4) : this.find6(x.v6!)) !== null;
      const h = x.ver === 4 ? this.lookup4(x.v4, x.cls, x.first) : this.host6(x.v6!, x.cls, x.first);
      if (x.first < h.first) h.first = x.first;
      // A record's last time moves only when the address sends; one that only
      // received in its file holds the time it was first addressed, which is
      // not news for an address already known.
      if (x.last > h.last && (x.sent || !known)) this.touchHost(h, x.last);
      h.pktsOut += x.pktsOut;
      h.bytesOut += x.bytesOut;
      h.pktsIn += x.pktsIn;
      h.bytesIn += x.bytesIn;
      if (x.sent) h.sent = true;
      for (const mac of x.macs) {
        if (h.macs.includes(mac)) continue;
        if (h.macs.length < MAX_MACS) h.macs.push(mac);
        else h.macOverflow = true;
      }
      if (x.macOverflow) h.macOverflow = true;
      if (x.boundMac >= 0) {
        h.boundMac = x.boundMac;
        h.boundBy = x.boundBy;
      }
      if (x.vlan >= 0) h.vlan = x.vlan;
      if (x.ports !== null) for (const p of x.ports) HostTable.addPort(h, p >>> 16, p & 0xffff);
    }
    this.cache4.fill(null);
    this.cacheMac.fill(null);
    this.hostEvictions += d.hostEvictions;
    this.macEvictions += d.macEvictions;
  }

  /** Drops the least recently seen eighth of the address records. */
  private evictHosts(): void {
    const n = Math.max(1, this.hostCount >> 3);
    for (let i = 0; i < n; i++) {
      const h = this.hostAge.popOldest();
      if (h === null) break;
      this.unchainHost(h);
      this.hostEvictions++;
    }
    this.cache4.fill(null);
  }

  /** Takes `h` out of its hash chain. */
  private unchainHost(h: HostRecord): void {
    const map = h.ver === 4 ? this.v4 : this.v6;
    const key = h.ver === 4 ? h.v4 & 0x3fffffff : hash6(h.v6!);
    let r = map.get(key) ?? null;
    if (r === h) {
      if (h.chain) map.set(key, h.chain);
      else map.delete(key);
    } else {
      while (r !== null && r.chain !== h) r = r.chain;
      if (r !== null) r.chain = h.chain;
    }
    h.chain = null;
    this.hostCount--;
  }

  private evictMacs(): void {
    const n = Math.max(1, this.macCount >> 3);
    for (let i = 0; i < n; i++) {
      const m = this.macAge.popOldest();
      if (m === null) break;
      const key = hashMac(m.mac);
      let r = this.macs.get(key) ?? null;
      if (r === m) {
        if (m.chain) this.macs.set(key, m.chain);
        else this.macs.delete(key);
      } else {
        while (r !== null && r.chain !== m) r = r.chain;
        if (r !== null) r.chain = m.chain;
      }
      m.chain = null;
      this.macCount--;
      this.macEvictions++;
    }
    this.cacheMac.fill(null);
  }
}
