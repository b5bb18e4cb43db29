/**
 * Folds ended connections into report rows keyed by (client, server, server
 * port, protocol) per reporting interval (SPEC §5.1), with addresses shown
 * after classification: External and Excluded endpoints collapse into one
 * label. Runs once per connection; keys are numeric hashes compared field by
 * field, and text (addresses, labels, Community IDs) is made only when the
 * report is built. The number of rows is bounded.
 *
 * Rows live in typed-array columns, one index per row (a RowId), not in
 * objects: about 190 bytes a row instead of about 630, which is what a long
 * capture's report (a row per pair, port and 30-minute interval) or a
 * spoofing flood fills memory with.
 */
import { AddrClass, type Classifier } from '../config/classify.js';
import { ip4ToString, ip6ToString } from '../inventory/addr-format.js';
import { applicationByPort, type Application } from './applications.js';
import { communityId } from './community-id.js';
import type { FlowTable } from './flow-table.js';

/** Community IDs kept per row: the first connections' (each costs a SHA-1 when the report is built). */
export const MAX_COMMUNITY_IDS = 4;

/** A row of the aggregator: an index into its columns. */
export type RowId = number;

/** A report row as the report builder sees it. */
export interface FlowRow {
  intervalStart: number;
  intervalEnd: number;
  client: string;
  clientIp: string | null;
  server: string;
  serverIp: string | null;
  serverPort: number;
  proto: number;
  ipVersion: 4 | 6;
  application: string;
  family: string;
  connections: number;
  clientPackets: number;
  serverPackets: number;
  clientBytes: number;
  serverBytes: number;
  first: number;
  last: number;
  communityIds: string[];
}

/** Address bytes of a Community ID tuple (IPv4 source, destination, IPv6 source, destination), reused for every sample: communityId copies them. */
const CID_ADDR = [new Uint8Array(4), new Uint8Array(4), new Uint8Array(16), new Uint8Array(16)] as const;

/** The 4 (IPv4) or 16 address bytes of words `w[at..]`, as the source (`which` 0) or destination (1) of a tuple. */
function addrBytes(w: ArrayLike<number>, at: number, v4: boolean, which: 0 | 1): Uint8Array {
  const out = CID_ADDR[(v4 ? 0 : 2) + which]!;
  const n = v4 ? 1 : 4;
  for (let i = 0; i < n; i++) {
    const x = w[at + i]! >>> 0;
    out[i * 4] = x >>> 24;
    out[i * 4 + 1] = (x >>> 16) & 0xff;
    out[i * 4 + 2] = (x >>> 8) & 0xff;
    out[i * 4 + 3] = x & 0xff;
  }
  return out;
}

/** Endpoints shown by label only, without their address. */
function collapses(cls: AddrClass): boolean {
  return cls === AddrClass.External || cls === AddrClass.Excluded || cls === AddrClass.MonitoredByName;
}

/** Lets the engine override a class at fold time (an address owned by an excluded MAC). */
export type ClassOverride = (ver: number, w: Uint32Array, cls: AddrClass) => AddrClass;

/** What identifies a row, as plain data. */
export interface AggRowKey {
  interval: number;
  ver: number;
  proto: number;
  port: number;
  cCls: AddrClass;
  sCls: AddrClass;
  cGroup: number;
  sGroup: number;
  c: [number, number, number, number];
  s: [number, number, number, number];
}

/**
 * Per-row numbers, in this order, in `nums`. The interval number is a double:
 * as an Int32 it would overflow with short intervals (1 s ones in 2038) and
 * with far-future timestamps from a bad clock.
 */
const CONNS = 0, CPKTS = 1, SPKTS = 2, CBYTES = 3, SBYTES = 4, FIRST = 5, LAST = 6, IV = 7, NUMS = 8;
/** The numbers that add up when rows are folded together. */
const SUMMED: readonly number[] = [CONNS, CPKTS, SPKTS, CBYTES, SBYTES];
/** Fixed per-row integers, in this order, in `ints` (slot 0 unused: the interval is in `nums`). */
const META = 1, CGROUP = 2, SGROUP = 3, HASH = 4, NEXT = 5, APP = 6, WIDE = 7, INTS = 8;
/**
 * Address words a wide sample keeps, as positions in a sample's 4 client and
 * 4 server words: IPv4 needs word 0 of each (8 bytes a sample, not 32).
 */
const WIDE_V4: readonly number[] = [0, 4];
const WIDE_V6: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7];
const wideWords = (ver: number): readonly number[] => (ver === 4 ? WIDE_V4 : WIDE_V6);

/** Per-row widths of AggRowsData's ints, words and nums columns (what a spill file lays out). */
export const ROW_WIDTHS = { ints: INTS, words: 8, nums: NUMS } as const;

/**
 * Every row as columns, for merging into another aggregator (parallel
 * analysis): plain typed arrays, which cross a thread boundary as one copy.
 * Row i has ints[i*8..], words[i*8..] (client then server address), nums[i*8..],
 * sampleTs/samplePort[i*4..] (`nSamples[i]` used) and, for rows with a
 * collapsed endpoint, wide[i*32..] (8 address words per sample).
 */
export interface AggRowsData {
  count: number;
  ints: Int32Array;
  words: Uint32Array;
  nums: Float64Array;
  sampleTs: Float64Array;
  samplePort: Int32Array;
  nSamples: Uint8Array;
  wide: Uint32Array;
  /** Applications recognised from payload: APP column values index this. */
  apps: Application[];
}

/** IP version (1 bit: 6 or 4), protocol (8), client and server class (3 each), server port (16) in one 31-bit word. */
function packMeta(ver: number, proto: number, cCls: number, sCls: number, port: number): number {
  return (ver === 6 ? 1 : 0) | ((proto & 0xff) << 1) | ((cCls & 7) << 9) | ((sCls & 7) << 12) | ((port & 0xffff) << 15);
}
const metaVer = (m: number): number => (m & 1 ? 6 : 4);
const metaProto = (m: number): number => (m >>> 1) & 0xff;
const metaCCls = (m: number): AddrClass => (m >>> 9) & 7;
const metaSCls = (m: number): AddrClass => (m >>> 12) & 7;
const metaPort = (m: number): number => (m >>> 15) & 0xffff;

export class FlowAggregator {
  private cap = 0;
  /** Rows in use (live ones; freed ones wait in `free`). */
  private count = 0;
  /** Row ids handed out so far (live or freed). */
  private used = 0;
  private free: number[] = [];
  private ints = new Int32Array(0);
  private words = new Uint32Array(0);
  private nums = new Float64Array(0);
  private sampleTs = new Float64Array(0);
  private samplePort = new Int32Array(0);
  private nSamples = new Uint8Array(0);
  /** Address words of wide samples, MAX_COMMUNITY_IDS * 8 per wide row, indexed by the WIDE column. */
  private widePool = new Uint32Array(0);
  private wideUsed = 0;
  /** Freed wide slots, by size: IPv4 (index 0) and IPv6 rows. */
  private readonly wideFree: [number[], number[]] = [[], []];
  /** Open hash of row chains: head row id + 1 per bucket (0: empty). */
  private heads = new Int32Array(0);
  private apps: Application[] = [];
  private appIndex = new Map<Application, number>();
  /** Addresses as text, made when the report first asks (per row: client, server). */
  private texts: (string | null | undefined)[] | null = null;
  private readonly text4 = new Map<number, string>();

  /** New rows refused: the table was full and no older interval could make room. */
  dropped = 0;
  /** Rows of the oldest intervals evicted to make room (not kept aside). */
  evicted = 0;
  /**
   * Where a full table first tries to put the rows of its oldest intervals
   * (the engine's spill file); true when it took them. Rows it does not take
   * are evicted.
   */
  keepAside: ((interval: number, rows: AggRowsData) => boolean) | null = null;
  /**
   * No row in use belongs to an interval before this one (a lower bound, kept
   * by newRow): a full table whose rows are all of one interval (a flood)
   * then refuses new rows at once instead of looking for older ones each time.
   */
  private noneBefore = -Infinity;
  /** Times a full table looked through its rows for older intervals (each frees an eighth, or finds none). */
  roomSearches = 0;
  private readonly c = new Uint32Array(4);
  private readonly handed = new Float64Array(4);
  private readonly s = new Uint32Array(4);
  /** Scratch for one Community ID sample: time, client port, 4 client and 4 server words. */
  private readonly group = new Float64Array(10);

  constructor(
    private readonly classifier: Classifier,
    readonly intervalUs: number,
    readonly maxRows = 200_000,
    private readonly override: ClassOverride | null = null,
  ) {}

  /** Told of each connection folded and the row it went to (files analysed separately note their edges; see engine/partial.ts). */
  onAdded: ((t: FlowTable, slot: number, row: RowId) => void) | null = null;

  /** Application a connection's payload was recognised as, when it differs from its port's (set by the engine). */
  payloadApp: ((t: FlowTable, slot: number, proto: number, serverPort: number) => Application | null) | null = null;

  get size(): number {
    return this.count;
  }

  // Column accessors for the report builder.
  interval(r: RowId): number {
    return this.nums[r * NUMS + IV]!;
  }
  ver(r: RowId): number {
    return metaVer(this.ints[r * INTS + META]!);
  }
  proto(r: RowId): number {
    return metaProto(this.ints[r * INTS + META]!);
  }
  cCls(r: RowId): AddrClass {
    return metaCCls(this.ints[r * INTS + META]!);
  }
  sCls(r: RowId): AddrClass {
    return metaSCls(this.ints[r * INTS + META]!);
  }
  port(r: RowId): number {
    return metaPort(this.ints[r * INTS + META]!);
  }
  cGroup(r: RowId): number {
    return this.ints[r * INTS + CGROUP]!;
  }
  sGroup(r: RowId): number {
    return this.ints[r * INTS + SGROUP]!;
  }
  /** Word i (0–3) of the client (`server` false) or server address; 0 when that endpoint is collapsed. */
  word(r: RowId, server: boolean, i: number): number {
    return this.words[r * 8 + (server ? 4 : 0) + i]!;
  }
  connections(r: RowId): number {
    return this.nums[r * NUMS + CONNS]!;
  }
  clientPackets(r: RowId): number {
    return this.nums[r * NUMS + CPKTS]!;
  }
  serverPackets(r: RowId): number {
    return this.nums[r * NUMS + SPKTS]!;
  }
  clientBytes(r: RowId): number {
    return this.nums[r * NUMS + CBYTES]!;
  }
  serverBytes(r: RowId): number {
    return this.nums[r * NUMS + SBYTES]!;
  }
  first(r: RowId): number {
    return this.nums[r * NUMS + FIRST]!;
  }
  last(r: RowId): number {
    return this.nums[r * NUMS + LAST]!;
  }

  /** A row's application: recognised from payload, else by its server port. */
  applicationOf(r: RowId): Application {
    const a = this.ints[r * INTS + APP]!;
    return a >= 0 ? this.apps[a]! : applicationByPort(this.proto(r), this.port(r));
  }

  private classOf(ver: number, w: Uint32Array): AddrClass {
    const cls = ver === 4 ? this.classifier.classify4(w[0]!) : this.classifier.classify6(w);
    return this.override === null ? cls : this.override(ver, w, cls);
  }

  private groupOf(ver: number, w: Uint32Array, cls: AddrClass): number {
    if (cls !== AddrClass.Monitored && cls !== AddrClass.MonitoredByName) return -1;
    const g = ver === 4 ? this.classifier.group4?.(w[0]!) : this.classifier.group6?.(w);
    return g ?? -1;
  }

  private internApp(app: Application): number {
    let i = this.appIndex.get(app);
    if (i === undefined) {
      i = this.apps.length;
      this.apps.push(app);
      this.appIndex.set(app, i);
    }
    return i;
  }

  /** Adds the connection in `slot` of `t`. */
  add(t: FlowTable, slot: number): void {
    const ver = t.ver[slot]!;
    const clientIsA = t.clientIsA[slot] === 1;
    const o = slot * 4;
    const c = this.c;
    const s = this.s;
    const ca = clientIsA ? t.addrA : t.addrB;
    const sa = clientIsA ? t.addrB : t.addrA;
    for (let i = 0; i < 4; i++) {
      c[i] = ca[o + i]!;
      s[i] = sa[o + i]!;
    }
    const proto = t.proto[slot]!;
    const port = t.serverPort(slot);
    const cCls = this.classOf(ver, c);
    const sCls = this.classOf(ver, s);
    const cGroup = this.groupOf(ver, c, cCls);
    const sGroup = this.groupOf(ver, s, sCls);
    const cHide = collapses(cCls);
    const sHide = collapses(sCls);
    // A collapsed endpoint keys by its label (class), not its address.
    const c0 = cHide ? 0 : c[0]!, c1 = cHide ? 0 : c[1]!, c2 = cHide ? 0 : c[2]!, c3 = cHide ? 0 : c[3]!;
    const s0 = sHide ? 0 : s[0]!, s1 = sHide ? 0 : s[1]!, s2 = sHide ? 0 : s[2]!, s3 = sHide ? 0 : s[3]!;
    const first = t.firstTs[slot]!;
    const interval = Math.floor(first / this.intervalUs);

    const row = this.rowFor(interval, packMeta(ver, proto, cCls, sCls, port), cGroup, sGroup, c0, c1, c2, c3, s0, s1, s2, s3, true, true);
    if (row < 0) return;
    const ai = row * INTS + APP;
    if (this.ints[ai]! < 0 && this.payloadApp !== null) {
      const app = this.payloadApp(t, slot, proto, port);
      if (app !== null) this.ints[ai] = this.internApp(app);
    }
    // A live snapshot may have counted this connection already: only what came since is added.
    const before = this.handed;
    t.handedOn(slot, before);
    const n = this.nums;
    const at = row * NUMS;
    n[at + CPKTS] += t.clientPackets(slot) - before[0]!;
    n[at + SPKTS] += t.serverPackets(slot) - before[1]!;
    n[at + CBYTES] += t.clientBytes(slot) - before[2]!;
    n[at + SBYTES] += t.serverBytes(slot) - before[3]!;
    if (first < n[at + FIRST]!) n[at + FIRST] = first;
    const last = t.lastTs[slot]!;
    if (last > n[at + LAST]!) n[at + LAST] = last;
    if (t.checkpointed(slot)) return;
    n[at + CONNS]++;
    if (this.onAdded !== null) this.onAdded(t, slot, row);
    const g = this.group;
    g[0] = first;
    g[1] = t.clientPort(slot);
    if (cHide || sHide) {
      for (let i = 0; i < 4; i++) {
        g[2 + i] = c[i]!;
        g[6 + i] = s[i]!;
      }
    }
    this.offerSample(row, g, 0);
  }

  /**
   * Keeps a row's Community ID samples as the MAX_COMMUNITY_IDS connections
   * that began first (ties: client port, then addresses), whatever order the
   * connections end or files are folded in. A sample is the first packet's
   * time, the client port, and for a wide row (an endpoint collapsed, so
   * addresses vary) 4 client and 4 server address words: `src[at..at+10]`.
   */
  /** Sample k of a row compared with the offered one (`src[at..]`): negative when the offered one comes first. */
  private compareSample(row: RowId, k: number, src: ArrayLike<number>, at: number): number {
    const base = row * MAX_COMMUNITY_IDS;
    let d = src[at]! - this.sampleTs[base + k]!;
    if (d !== 0) return d;
    d = src[at + 1]! - this.samplePort[base + k]!;
    const wideAt = this.ints[row * INTS + WIDE]!;
    if (d !== 0 || wideAt < 0) return d;
    const map = wideWords(metaVer(this.ints[row * INTS + META]!));
    const ww = map.length;
    const w = wideAt + k * ww;
    for (let j = 0; j < ww; j++) {
      d = src[at + 2 + map[j]!]! - this.widePool[w + j]!;
      if (d !== 0) return d;
    }
    return 0;
  }

  private offerSample(row: RowId, src: ArrayLike<number>, at: number): void {
    const wideAt = this.ints[row * INTS + WIDE]!;
    const base = row * MAX_COMMUNITY_IDS;
    const ts = this.sampleTs;
    const ports = this.samplePort;
    const pool = this.widePool;
    const n = this.nSamples[row]!;
    const map = wideWords(metaVer(this.ints[row * INTS + META]!));
    const ww = map.length;
    let i = n;
    while (i > 0 && this.compareSample(row, i - 1, src, at) < 0) i--;
    if (i >= MAX_COMMUNITY_IDS) return;
    // Same connection offered twice (a stitched one): keep one.
    if (i > 0 && this.compareSample(row, i - 1, src, at) === 0) return;
    const keep = Math.min(n, MAX_COMMUNITY_IDS - 1);
    for (let k = keep; k > i; k--) {
      ts[base + k] = ts[base + k - 1]!;
      ports[base + k] = ports[base + k - 1]!;
      if (wideAt >= 0) pool.copyWithin(wideAt + k * ww, wideAt + (k - 1) * ww, wideAt + k * ww);
    }
    ts[base + i] = src[at]!;
    ports[base + i] = src[at + 1]!;
    if (wideAt >= 0) for (let j = 0; j < ww; j++) pool[wideAt + i * ww + j] = src[at + 2 + map[j]!]!;
    this.nSamples[row] = keep + 1;
  }

  private hashOf(interval: number, meta: number, cGroup: number, sGroup: number, c0: number, c1: number, c2: number, c3: number, s0: number, s1: number, s2: number, s3: number): number {
    let h = Math.imul(interval ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(meta, 0xc2b2ae35);
    h ^= Math.imul(cGroup ^ (sGroup << 16), 0x7feb352d);
    h = Math.imul(h ^ c0, 0x27d4eb2f) ^ Math.imul(c1 ^ c2 ^ c3, 0x165667b1);
    h = Math.imul(h ^ s0, 0x9e3779b1) ^ Math.imul(s1 ^ s2 ^ s3, 0x85ebca77);
    return (h ^ (h >>> 15)) & 0x3fffffff;
  }

  /**
   * The row with this key, made when new (if `create`); -1 when absent or the
   * table is full (counted). With `mayMakeRoom`, a full table first moves
   * out rows of older intervals (the caller holds no other row id).
   */
  private rowFor(
    interval: number, meta: number, cGroup: number, sGroup: number,
    c0: number, c1: number, c2: number, c3: number, s0: number, s1: number, s2: number, s3: number, create: boolean,
    mayMakeRoom = false,
  ): RowId {
    const h = this.hashOf(interval, meta, cGroup, sGroup, c0, c1, c2, c3, s0, s1, s2, s3);
    const ints = this.ints;
    const w = this.words;
    const mask = this.heads.length - 1;
    let r = mask < 0 ? -1 : this.heads[h & mask]! - 1;
    while (r >= 0) {
      const a = r * INTS;
      const b = r * 8;
      if (
        ints[a + HASH] === h && this.nums[r * NUMS + IV] === interval && ints[a + META] === meta && ints[a + CGROUP] === cGroup && ints[a + SGROUP] === sGroup &&
        w[b] === c0 && w[b + 1] === c1 && w[b + 2] === c2 && w[b + 3] === c3 && w[b + 4] === s0 && w[b + 5] === s1 && w[b + 6] === s2 && w[b + 7] === s3
      ) {
        return r;
      }
      r = ints[a + NEXT]!;
    }
    if (!create) return -1;
    if (this.count >= this.maxRows && mayMakeRoom) this.makeRoom(interval);
    if (this.count >= this.maxRows) {
      this.dropped++;
      return -1;
    }
    return this.newRow(h, interval, meta, cGroup, sGroup, c0, c1, c2, c3, s0, s1, s2, s3);
  }

  private newRow(h: number, interval: number, meta: number, cGroup: number, sGroup: number, c0: number, c1: number, c2: number, c3: number, s0: number, s1: number, s2: number, s3: number): RowId {
    // Rehash first: the row about to be taken holds stale fields until set below.
    if (this.count + 1 > this.heads.length >>> 1) this.rehash(Math.max(1024, this.heads.length * 2));
    let r = this.free.pop();
    if (r === undefined) {
      if (this.used === this.cap) this.grow();
      r = this.used++;
    }
    const a = r * INTS;
    const ints = this.ints;
    if (interval < this.noneBefore) this.noneBefore = interval;
    ints[a + META] = meta;
    ints[a + CGROUP] = cGroup;
    ints[a + SGROUP] = sGroup;
    ints[a + HASH] = h;
    ints[a + APP] = -1;
    const wide = collapses(metaCCls(meta)) || collapses(metaSCls(meta));
    ints[a + WIDE] = wide ? this.wideSlot(metaVer(meta)) : -1;
    const b = r * 8;
    const w = this.words;
    w[b] = c0; w[b + 1] = c1; w[b + 2] = c2; w[b + 3] = c3;
    w[b + 4] = s0; w[b + 5] = s1; w[b + 6] = s2; w[b + 7] = s3;
    const n = r * NUMS;
    this.nums.fill(0, n, n + NUMS);
    this.nums[n + FIRST] = Infinity;
    this.nums[n + LAST] = -Infinity;
    this.nums[n + IV] = interval;
    this.nSamples[r] = 0;
    if (this.texts !== null) {
      this.texts[r * 2] = undefined;
      this.texts[r * 2 + 1] = undefined;
    }
    const bucket = h & (this.heads.length - 1);
    ints[a + NEXT] = this.heads[bucket]! - 1;
    this.heads[bucket] = r + 1;
    this.count++;
    return r;
  }

  /** Room for one wide row's sample addresses. */
  private wideSlot(ver: number): number {
    const at = this.wideFree[ver === 4 ? 0 : 1].pop();
    if (at !== undefined) return at;
    const size = MAX_COMMUNITY_IDS * wideWords(ver).length;
    if (this.wideUsed + size > this.widePool.length) {
      const next = new Uint32Array(Math.max(MAX_COMMUNITY_IDS * 8 * 256, this.widePool.length * 2));
      next.set(this.widePool);
      this.widePool = next;
    }
    const slot = this.wideUsed;
    this.wideUsed += size;
    return slot;
  }

  /** Grows the columns (up to maxRows, plus room for rows freed and made again). */
  private grow(atLeast = 0): void {
    // A quarter more each time, not double: a long capture's rows are most of what stays in memory, and doubling leaves up to half of it unused.
    const cap = Math.max(1024, atLeast, Math.min(Math.ceil(this.cap * 1.25), Math.max(this.maxRows, this.cap + 1)));
    const more = <T extends Int32Array | Uint32Array | Float64Array | Uint8Array>(old: T, per: number, make: (n: number) => T): T => {
      const next = make(cap * per);
      next.set(old);
      return next;
    };
    this.ints = more(this.ints, INTS, (n) => new Int32Array(n));
    this.words = more(this.words, 8, (n) => new Uint32Array(n));
    this.nums = more(this.nums, NUMS, (n) => new Float64Array(n));
    this.sampleTs = more(this.sampleTs, MAX_COMMUNITY_IDS, (n) => new Float64Array(n));
    this.samplePort = more(this.samplePort, MAX_COMMUNITY_IDS, (n) => new Int32Array(n));
    this.nSamples = more(this.nSamples, 1, (n) => new Uint8Array(n));
    this.cap = cap;
  }

  private rehash(buckets: number): void {
    const heads = new Int32Array(buckets);
    const mask = buckets - 1;
    const ints = this.ints;
    for (let r = 0; r < this.used; r++) {
      const a = r * INTS;
      if (ints[a + HASH]! < 0) continue;
      const b = ints[a + HASH]! & mask;
      ints[a + NEXT] = heads[b]! - 1;
      heads[b] = r + 1;
    }
    this.heads = heads;
  }

  /** The key of a row as plain data. */
  keyOf(r: RowId): AggRowKey {
    const b = r * 8;
    const w = this.words;
    return {
      interval: this.interval(r), ver: this.ver(r), proto: this.proto(r), port: this.port(r), cCls: this.cCls(r), sCls: this.sCls(r),
      cGroup: this.cGroup(r), sGroup: this.sGroup(r),
      c: [w[b]!, w[b + 1]!, w[b + 2]!, w[b + 3]!], s: [w[b + 4]!, w[b + 5]!, w[b + 6]!, w[b + 7]!],
    };
  }

  /** The existing row with this key, or -1; with `create`, an empty row made when there is none (-1 only when the table is full). */
  findRow(k: AggRowKey, create = false): RowId {
    const meta = packMeta(k.ver, k.proto, k.cCls, k.sCls, k.port);
    return this.rowFor(k.interval, meta, k.cGroup, k.sGroup, k.c[0] >>> 0, k.c[1] >>> 0, k.c[2] >>> 0, k.c[3] >>> 0, k.s[0] >>> 0, k.s[1] >>> 0, k.s[2] >>> 0, k.s[3] >>> 0, create);
  }

  /**
   * Moves one connection's share from one row to another (a connection
   * stitched across files): counts given as the `from` row's client and
   * server; `sameClient` false swaps them. `from` goes when left empty.
   */
  moveCounts(from: RowId, to: RowId, counts: readonly [number, number, number, number, number], sameClient: boolean): void {
    const [cp, sp, cb, sb, last] = counts;
    const n = this.nums;
    const f = from * NUMS;
    const t = to * NUMS;
    n[f + CPKTS] -= cp;
    n[f + SPKTS] -= sp;
    n[f + CBYTES] -= cb;
    n[f + SBYTES] -= sb;
    n[t + CPKTS] += sameClient ? cp : sp;
    n[t + SPKTS] += sameClient ? sp : cp;
    n[t + CBYTES] += sameClient ? cb : sb;
    n[t + SBYTES] += sameClient ? sb : cb;
    if (last > n[t + LAST]!) n[t + LAST] = last;
    // A row just made for counts whose own row was spilled: it needs a first time, and the spilled row's is earlier.
    if (n[t + FIRST] === Infinity) n[t + FIRST] = last;
    if (n[f + CONNS] === 0 && n[f + CPKTS] === 0 && n[f + SPKTS] === 0) this.removeRow(from);
  }

  /** Counts one connection fewer in a row (the second part of a stitched connection). */
  uncount(r: RowId): void {
    this.nums[r * NUMS + CONNS]--;
  }

  /** Takes a row out (it holds nothing any more). */
  removeRow(r: RowId): void {
    const ints = this.ints;
    const a = r * INTS;
    const h = ints[a + HASH]!;
    if (h < 0) return;
    const bucket = h & (this.heads.length - 1);
    let p = this.heads[bucket]! - 1;
    if (p === r) this.heads[bucket] = ints[a + NEXT]! + 1;
    else {
      while (p >= 0 && ints[p * INTS + NEXT] !== r) p = ints[p * INTS + NEXT]!;
      if (p < 0) return;
      ints[p * INTS + NEXT] = ints[a + NEXT]!;
    }
    ints[a + HASH] = -1;
    if (ints[a + WIDE]! >= 0) this.wideFree[metaVer(ints[a + META]!) === 4 ? 0 : 1].push(ints[a + WIDE]!);
    this.free.push(r);
    this.count--;
  }

  /** An empty aggregator with this one's classifier, interval and class override, and no row bound. */
  emptyLike(): FlowAggregator {
    return new FlowAggregator(this.classifier, this.intervalUs, Infinity, this.override);
  }

  /** Applications recognised from payload so far: what the APP column of exported rows indexes. */
  get applications(): readonly Application[] {
    return this.apps;
  }

  /** The reporting intervals that rows in use belong to, in order. */
  intervals(): number[] {
    const seen = new Set<number>();
    for (let r = 0; r < this.used; r++) if (this.ints[r * INTS + HASH]! >= 0) seen.add(this.nums[r * NUMS + IV]!);
    return [...seen].sort((a, b) => a - b);
  }

  /**
   * Takes out every row of an interval before `interval`, handing each
   * interval's rows to `keep` (oldest interval first); rows whose `keep`
   * returns false stay. Frees their room for the intervals still open.
   */
  sealBefore(interval: number, keep: (interval: number, rows: AggRowsData) => boolean): void {
    this.takeOldest(interval, Infinity, (iv, ids) => keep(iv, this.exportRows(ids)));
  }

  /**
   * The table is full: the oldest intervals before `interval` (the new row's)
   * give up their rows, oldest first, until an eighth of the bound is free,
   * so that a sensor running for weeks keeps its latest rows (oldest-first,
   * SPEC §10). Each interval's rows go to `keepAside` when it takes them,
   * else they are evicted and counted.
   */
  private makeRoom(interval: number): void {
    if (interval <= this.noneBefore) return;
    this.roomSearches++;
    const last = this.takeOldest(interval, Math.max(1, this.maxRows >>> 3), (iv, ids) => {
      if (this.keepAside === null || !this.keepAside(iv, this.exportRows(ids))) this.evicted += ids.length;
      return true;
    });
    // Every row of an interval up to the last one taken is gone (or, when none was, of any before `interval`).
    this.noneBefore = last === null ? interval : last + 1;
  }

  /**
   * Removes the rows of intervals before `before`, oldest interval first,
   * until `atLeast` went; `take` may keep an interval's rows in place (false).
   * Returns the last interval looked at (null: none was before `before`).
   */
  private takeOldest(before: number, atLeast: number, take: (interval: number, ids: Int32Array) => boolean): number | null {
    const byInterval = new Map<number, number[]>();
    for (const r of this.liveRows()) {
      const iv = this.nums[r * NUMS + IV]!;
      if (iv >= before) continue;
      let list = byInterval.get(iv);
      if (list === undefined) byInterval.set(iv, (list = []));
      list.push(r);
    }
    let taken = 0;
    let last: number | null = null;
    for (const iv of [...byInterval.keys()].sort((a, b) => a - b)) {
      if (taken >= atLeast) break;
      last = iv;
      const ids = Int32Array.from(byInterval.get(iv)!);
      if (!take(iv, ids)) continue;
      for (const r of ids) this.removeRow(r);
      taken += ids.length;
    }
    return last;
  }

  /** Gives back the columns' memory when no row is in use (all moved out, say): the next row starts them again. */
  releaseIfEmpty(): void {
    if (this.count > 0) return;
    this.forgetRows();
    this.cap = 0;
    this.ints = new Int32Array(0);
    this.words = new Uint32Array(0);
    this.nums = new Float64Array(0);
    this.sampleTs = new Float64Array(0);
    this.samplePort = new Int32Array(0);
    this.nSamples = new Uint8Array(0);
    this.widePool = new Uint32Array(0);
    this.heads = new Int32Array(0);
  }

  /** No row in use, none handed out: what is in the columns is garbage from here on. */
  private forgetRows(): void {
    this.count = this.used = 0;
    this.noneBefore = -Infinity;
    this.free = [];
    this.wideUsed = 0;
    this.wideFree[0].length = 0;
    this.wideFree[1].length = 0;
    this.texts = null;
    this.text4.clear();
  }

  /**
   * Empties the aggregator but keeps its columns, with room for at least
   * `rows` rows: reused interval after interval, it allocates once.
   */
  clear(rows = 0): void {
    if (this.cap < rows) this.grow(rows);
    this.forgetRows();
    const buckets = Math.max(1024, 1 << Math.ceil(Math.log2(Math.max(1, rows) * 2 + 2)));
    if (this.heads.length < buckets) this.heads = new Int32Array(buckets);
    else this.heads.fill(0);
  }

  /** The rows of one interval as columns (`exportRows` of just those). */
  exportInterval(interval: number): AggRowsData {
    const ids = this.liveRows().filter((r) => this.nums[r * NUMS + IV] === interval);
    return this.exportRows(ids);
  }

  /** Rows as columns (every row in use unless `ids` names some), for merging into another aggregator. */
  exportRows(ids: Int32Array = this.liveRows()): AggRowsData {
    const m = ids.length;
    const out: AggRowsData = {
      count: m,
      ints: new Int32Array(m * INTS),
      words: new Uint32Array(m * 8),
      nums: new Float64Array(m * NUMS),
      sampleTs: new Float64Array(m * MAX_COMMUNITY_IDS),
      samplePort: new Int32Array(m * MAX_COMMUNITY_IDS),
      nSamples: new Uint8Array(m),
      wide: new Uint32Array(0),
      apps: this.apps.slice(),
    };
    const wideSize = (r: RowId): number => MAX_COMMUNITY_IDS * wideWords(this.ver(r)).length;
    let wideTotal = 0;
    for (let i = 0; i < m; i++) if (this.ints[ids[i]! * INTS + WIDE]! >= 0) wideTotal += wideSize(ids[i]!);
    out.wide = new Uint32Array(wideTotal);
    let wideAt = 0;
    for (let i = 0; i < m; i++) {
      const r = ids[i]!;
      out.ints.set(this.ints.subarray(r * INTS, r * INTS + INTS), i * INTS);
      out.words.set(this.words.subarray(r * 8, r * 8 + 8), i * 8);
      out.nums.set(this.nums.subarray(r * NUMS, r * NUMS + NUMS), i * NUMS);
      out.sampleTs.set(this.sampleTs.subarray(r * MAX_COMMUNITY_IDS, (r + 1) * MAX_COMMUNITY_IDS), i * MAX_COMMUNITY_IDS);
      out.samplePort.set(this.samplePort.subarray(r * MAX_COMMUNITY_IDS, (r + 1) * MAX_COMMUNITY_IDS), i * MAX_COMMUNITY_IDS);
      out.nSamples[i] = this.nSamples[r]!;
      const w = this.ints[r * INTS + WIDE]!;
      if (w >= 0) {
        out.wide.set(this.widePool.subarray(w, w + wideSize(r)), wideAt);
        out.ints[i * INTS + WIDE] = wideAt;
        wideAt += wideSize(r);
      }
    }
    return out;
  }

  /**
   * Adds rows made by another aggregator with the same classifier and
   * interval, as if their connections had ended after this one's: counts add
   * up, times widen, and the first connections' Community ID samples are kept.
   */
  absorbRows(x: AggRowsData, dropped: number, evicted = 0): void {
    const g = this.group;
    const appMap = x.apps.map((a) => {
      for (const mine of this.apps) if (mine.application === a.application && mine.family === a.family) return this.appIndex.get(mine)!;
      return this.internApp(a);
    });
    for (let i = 0; i < x.count; i++) {
      const a = i * INTS;
      const b = i * 8;
      const w = x.words;
      const row = this.rowFor(
        x.nums[i * NUMS + IV]!, x.ints[a + META]!, x.ints[a + CGROUP]!, x.ints[a + SGROUP]!,
        w[b]!, w[b + 1]!, w[b + 2]!, w[b + 3]!, w[b + 4]!, w[b + 5]!, w[b + 6]!, w[b + 7]!, true, true,
      );
      if (row < 0) continue;
      const wideAt = x.ints[a + WIDE]!;
      const map = wideWords(metaVer(x.ints[a + META]!));
      g.fill(0);
      for (let k = 0; k < x.nSamples[i]!; k++) {
        g[0] = x.sampleTs[i * MAX_COMMUNITY_IDS + k]!;
        g[1] = x.samplePort[i * MAX_COMMUNITY_IDS + k]!;
        if (wideAt >= 0) for (let j = 0; j < map.length; j++) g[2 + map[j]!] = x.wide[wideAt + k * map.length + j]!;
        this.offerSample(row, g, 0);
      }
      const app = x.ints[a + APP]!;
      if (this.ints[row * INTS + APP]! < 0 && app >= 0) this.ints[row * INTS + APP] = appMap[app]!;
      const n = this.nums;
      const to = row * NUMS;
      const from = i * NUMS;
      for (const k of SUMMED) n[to + k] += x.nums[from + k]!;
      if (x.nums[from + FIRST]! < n[to + FIRST]!) n[to + FIRST] = x.nums[from + FIRST]!;
      if (x.nums[from + LAST]! > n[to + LAST]!) n[to + LAST] = x.nums[from + LAST]!;
    }
    this.dropped += dropped;
    this.evicted += evicted;
  }

  /** Ids of the rows in use, in id order. */
  private liveRows(): Int32Array {
    const out = new Int32Array(this.count);
    let k = 0;
    for (let r = 0; r < this.used; r++) if (this.ints[r * INTS + HASH]! >= 0) out[k++] = r;
    return out;
  }

  /**
   * Every row in report order: interval, first packet, client, server
   * (label class, then address numerically), server port, protocol.
   */
  sortedRows(): Int32Array {
    const ids = this.liveRows();
    const ints = this.ints;
    const w = this.words;
    const n = this.nums;
    const words = (a: number, b: number, from: number): number => {
      for (let j = from; j < from + 4; j++) {
        const d = w[a * 8 + j]! - w[b * 8 + j]!;
        if (d !== 0) return d;
      }
      return 0;
    };
    ids.sort((a, b) => {
      const ma = ints[a * INTS + META]!, mb = ints[b * INTS + META]!;
      return (
        n[a * NUMS + IV]! - n[b * NUMS + IV]! || n[a * NUMS + FIRST]! - n[b * NUMS + FIRST]! || metaVer(ma) - metaVer(mb) ||
        metaCCls(ma) - metaCCls(mb) || ints[a * INTS + CGROUP]! - ints[b * INTS + CGROUP]! || words(a, b, 0) ||
        metaSCls(ma) - metaSCls(mb) || ints[a * INTS + SGROUP]! - ints[b * INTS + SGROUP]! || words(a, b, 4) ||
        metaPort(ma) - metaPort(mb) || metaProto(ma) - metaProto(mb)
      );
    });
    return ids;
  }

  /** The rows with their text, in report order. */
  *rows(): IterableIterator<FlowRow> {
    for (const r of this.sortedRows()) yield this.render(r);
  }

  private ipText(r: RowId, server: boolean): string | null {
    if (collapses(server ? this.sCls(r) : this.cCls(r))) return null;
    const b = r * 8 + (server ? 4 : 0);
    const w = this.words;
    if (this.ver(r) === 4) {
      let s = this.text4.get(w[b]!);
      if (s === undefined) this.text4.set(w[b]!, (s = ip4ToString(w[b]!)));
      return s;
    }
    return ip6ToString([w[b]!, w[b + 1]!, w[b + 2]!, w[b + 3]!]);
  }

  /** Client and server addresses of a row as text (null when collapsed). */
  addresses(r: RowId): [string | null, string | null] {
    if (this.texts === null) this.texts = new Array<string | null | undefined>(this.used * 2);
    const t = this.texts;
    let c = t[r * 2];
    if (c === undefined) t[r * 2] = c = this.ipText(r, false);
    let s = t[r * 2 + 1];
    if (s === undefined) t[r * 2 + 1] = s = this.ipText(r, true);
    return [c, s];
  }

  /** What a flow shows for an endpoint: its address, `External`, `Excluded`, or a monitored group's name. */
  label(cls: AddrClass, group: number, ip: string | null): string {
    if (cls === AddrClass.Monitored || cls === AddrClass.MonitoredByName) {
      return group >= 0 && this.classifier.groupName ? this.classifier.groupName(cls, group) : 'External';
    }
    if (cls === AddrClass.Excluded) return 'Excluded';
    if (cls === AddrClass.External) return 'External';
    return ip ?? '';
  }

  /** The Community IDs of a row's sampled connections, first ones first, without repeats. */
  communityIds(r: RowId): string[] {
    const v4 = this.ver(r) === 4;
    const proto = this.proto(r);
    const port = this.port(r);
    const icmp = proto === 1 || proto === 58;
    const ids: string[] = [];
    const wideAt = this.ints[r * INTS + WIDE]!;
    const b = r * 8;
    const w = this.words;
    for (let k = 0; k < this.nSamples[r]!; k++) {
      const cport = this.samplePort[r * MAX_COMMUNITY_IDS + k]!;
      const src = wideAt >= 0 ? this.widePool : w;
      // A wide IPv4 sample is [client word 0, server word 0]; IPv6, 4 + 4 words; else the row's own.
      const ca = wideAt >= 0 ? wideAt + k * (v4 ? 2 : 8) : b;
      const sa = wideAt >= 0 && v4 ? ca + 1 : ca + 4;
      const id = communityId({
        src: addrBytes(src, ca, v4, 0),
        dst: addrBytes(src, sa, v4, 1),
        proto,
        // ICMP: the requester's type stands in the server port slot, the code or reply type in the client's.
        srcPort: icmp ? port : cport,
        dstPort: icmp ? cport : port,
      });
      if (!ids.includes(id)) ids.push(id);
    }
    return ids;
  }

  render(r: RowId): FlowRow {
    const [cIp, sIp] = this.addresses(r);
    const app = this.applicationOf(r);
    const interval = this.interval(r);
    return {
      intervalStart: interval * this.intervalUs,
      intervalEnd: (interval + 1) * this.intervalUs,
      client: this.label(this.cCls(r), this.cGroup(r), cIp),
      clientIp: cIp,
      server: this.label(this.sCls(r), this.sGroup(r), sIp),
      serverIp: sIp,
      serverPort: this.port(r),
      proto: this.proto(r),
      ipVersion: this.ver(r) as 4 | 6,
      application: app.application,
      family: app.family,
      connections: this.connections(r),
      clientPackets: this.clientPackets(r),
      serverPackets: this.serverPackets(r),
      clientBytes: this.clientBytes(r),
      serverBytes: this.serverBytes(r),
      first: this.first(r),
      last: this.last(r),
      communityIds: this.communityIds(r),
    };
  }
}
