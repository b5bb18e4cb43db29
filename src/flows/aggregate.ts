/**
 * Folds ended connections into report rows keyed by (client, server, server
 * port, protocol) per reporting interval (SPEC §5.1), with addresses shown
 * after classification: External and Excluded endpoints collapse into one
 * label. Runs once per connection; keys are numeric hashes compared field by
 * field, and text (addresses, labels, Community IDs) is made only when the
 * report is built. The number of rows is bounded.
 */
import { AddrClass, type Classifier } from '../config/classify.js';
import { ip4Bytes, ip4ToString, ip6Bytes, ip6ToString } from '../inventory/addr-format.js';
import { applicationByPort, type Application } from './applications.js';
import { communityId } from './community-id.js';
import type { FlowTable } from './flow-table.js';

/** Community IDs kept per row: the first connections' (each costs a SHA-1 when the report is built). */
export const MAX_COMMUNITY_IDS = 4;

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
 * Keeps a row's Community ID samples as the MAX_COMMUNITY_IDS connections
 * that began first (ties: client port, then addresses), whatever order the
 * connections end or files are folded in. A sample is `step` numbers from
 * `src[at]`: the first packet's time, the client port, and when an endpoint
 * is collapsed 4 client and 4 server address words.
 */
function offerSample(samples: number[], src: ArrayLike<number>, at: number, step: number): void {
  const before = (i: number): boolean => {
    for (let j = 0; j < step; j++) {
      const a = src[at + j]!;
      const b = samples[i + j]!;
      if (a !== b) return a < b;
    }
    return false;
  };
  let i = samples.length;
  while (i > 0 && before(i - step)) i -= step;
  if (i >= MAX_COMMUNITY_IDS * step) return;
  // Same connection offered twice (a stitched one): keep one.
  if (i > 0) {
    let same = true;
    for (let j = 0; j < step && same; j++) same = samples[i - step + j] === src[at + j];
    if (same) return;
  }
  const group: number[] = [];
  for (let j = 0; j < step; j++) group.push(src[at + j]!);
  samples.splice(i, 0, ...group);
  if (samples.length > MAX_COMMUNITY_IDS * step) samples.length = MAX_COMMUNITY_IDS * step;
}

/** A row as plain data (see FlowAggregator.exportRows). */
export interface AggRowData extends AggRowKey {
  connections: number;
  clientPackets: number;
  serverPackets: number;
  clientBytes: number;
  serverBytes: number;
  first: number;
  last: number;
  samples: number[];
  app: Application | null;
}

export class AggRow {
  next: AggRow | null = null;
  connections = 0;
  clientPackets = 0;
  serverPackets = 0;
  clientBytes = 0;
  serverBytes = 0;
  first = Infinity;
  last = -Infinity;
  /**
   * Tuples of the connections that began first, for their Community IDs: the
   * first packet's time, the client port, then (only when an endpoint
   * collapses, so addresses vary) 4 client and 4 server address words.
   */
  readonly samples: number[] = [];
  /** The endpoints' addresses as text, made once when the report first asks. */
  texts: [string | null, string | null] | null = null;
  /** Application recognised from the payload of one of its connections (else the port decides). */
  app: Application | null = null;
  constructor(
    readonly hash: number,
    readonly interval: number,
    readonly ver: number,
    readonly proto: number,
    readonly port: number,
    readonly cCls: AddrClass,
    readonly sCls: AddrClass,
    /** Group of a monitored endpoint (its label), else -1. */
    readonly cGroup: number,
    readonly sGroup: number,
    readonly c0: number, readonly c1: number, readonly c2: number, readonly c3: number,
    readonly s0: number, readonly s1: number, readonly s2: number, readonly s3: number,
  ) {}
}

export class FlowAggregator {
  private readonly buckets = new Map<number, AggRow>();
  private count = 0;
  dropped = 0;
  private readonly c = new Uint32Array(4);
  private readonly handed = new Float64Array(4);
  private readonly s = new Uint32Array(4);
  /** Scratch for one Community ID sample. */
  private readonly group: number[] = new Array<number>(10).fill(0);

  constructor(
    private readonly classifier: Classifier,
    readonly intervalUs: number,
    readonly maxRows = 200_000,
    private readonly override: ClassOverride | null = null,
  ) {}

  /** Told of each connection folded and the row it went to (files analysed separately note their edges; see engine/partial.ts). */
  onAdded: ((t: FlowTable, slot: number, row: AggRow) => void) | null = null;

  /** Application a connection's payload was recognised as, when it differs from its port's (set by the engine). */
  payloadApp: ((t: FlowTable, slot: number) => Application | null) | null = null;

  /** A row's application: recognised from payload, else by its server port. */
  applicationOf(r: AggRow): Application {
    return r.app ?? applicationByPort(r.proto, r.port);
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

  get size(): number {
    return this.count;
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

    const row = this.rowFor(interval, ver, proto, port, cCls, sCls, cGroup, sGroup, c0, c1, c2, c3, s0, s1, s2, s3);
    if (row === null) return;
    if (row.app === null && this.payloadApp !== null) row.app = this.payloadApp(t, slot);
    // A live snapshot may have counted this connection already: only what came since is added.
    const before = this.handed;
    t.handedOn(slot, before);
    row.clientPackets += t.clientPackets(slot) - before[0]!;
    row.serverPackets += t.serverPackets(slot) - before[1]!;
    row.clientBytes += t.clientBytes(slot) - before[2]!;
    row.serverBytes += t.serverBytes(slot) - before[3]!;
    if (first < row.first) row.first = first;
    const last = t.lastTs[slot]!;
    if (last > row.last) row.last = last;
    if (t.checkpointed(slot)) return;
    row.connections++;
    if (this.onAdded !== null) this.onAdded(t, slot, row);
    const g = this.group;
    g[0] = first;
    g[1] = t.clientPort(slot);
    const step = cHide || sHide ? 10 : 2;
    if (step === 10) {
      for (let i = 0; i < 4; i++) {
        g[2 + i] = c[i]!;
        g[6 + i] = s[i]!;
      }
    }
    offerSample(row.samples, g, 0, step);
  }

  /** The row with this key, made when new (unless `create` is false); null (and counted) when the table is full. */
  private rowFor(
    interval: number, ver: number, proto: number, port: number, cCls: AddrClass, sCls: AddrClass, cGroup: number, sGroup: number,
    c0: number, c1: number, c2: number, c3: number, s0: number, s1: number, s2: number, s3: number, create = true,
  ): AggRow | null {
    let h = Math.imul(interval ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((port << 8) ^ proto ^ (ver << 24) ^ (cCls << 28) ^ (sCls << 30), 0xc2b2ae35);
    h ^= Math.imul(cGroup ^ (sGroup << 16), 0x7feb352d);
    h = Math.imul(h ^ c0, 0x27d4eb2f) ^ Math.imul(c1 ^ c2 ^ c3, 0x165667b1);
    h = Math.imul(h ^ s0, 0x9e3779b1) ^ Math.imul(s1 ^ s2 ^ s3, 0x85ebca77);
    h = (h ^ (h >>> 15)) & 0x3fffffff;

    const head = this.buckets.get(h) ?? null;
    let row = head;
    while (
      row !== null &&
      !(row.interval === interval && row.port === port && row.proto === proto && row.ver === ver && row.cCls === cCls && row.sCls === sCls &&
        row.cGroup === cGroup && row.sGroup === sGroup &&
        row.c0 === c0 && row.c1 === c1 && row.c2 === c2 && row.c3 === c3 && row.s0 === s0 && row.s1 === s1 && row.s2 === s2 && row.s3 === s3)
    ) {
      row = row.next;
    }
    if (row === null) {
      if (!create) return null;
      if (this.count >= this.maxRows) {
        this.dropped++;
        return null;
      }
      row = new AggRow(h, interval, ver, proto, port, cCls, sCls, cGroup, sGroup, c0, c1, c2, c3, s0, s1, s2, s3);
      row.next = head;
      this.buckets.set(h, row);
      this.count++;
    }
    return row;
  }

  /** The key of a row as plain data. */
  static keyOf(r: AggRow): AggRowKey {
    return {
      interval: r.interval, ver: r.ver, proto: r.proto, port: r.port, cCls: r.cCls, sCls: r.sCls, cGroup: r.cGroup, sGroup: r.sGroup,
      c: [r.c0, r.c1, r.c2, r.c3], s: [r.s0, r.s1, r.s2, r.s3],
    };
  }

  /** The existing row with this key, or null. */
  findRow(k: AggRowKey): AggRow | null {
    return this.rowFor(k.interval, k.ver, k.proto, k.port, k.cCls, k.sCls, k.cGroup, k.sGroup, k.c[0], k.c[1], k.c[2], k.c[3], k.s[0], k.s[1], k.s[2], k.s[3], false);
  }

  /** Takes a row out (it holds nothing any more). */
  removeRow(row: AggRow): void {
    let r = this.buckets.get(row.hash) ?? null;
    if (r === row) {
      if (row.next !== null) this.buckets.set(row.hash, row.next);
      else this.buckets.delete(row.hash);
    } else {
      while (r !== null && r.next !== row) r = r.next;
      if (r === null) return;
      r.next = row.next;
    }
    this.count--;
  }

  /** Every row as plain data, for merging into another aggregator (parallel analysis). */
  exportRows(): AggRowData[] {
    const out: AggRowData[] = [];
    for (const head of this.buckets.values()) {
      for (let r: AggRow | null = head; r !== null; r = r.next) {
        out.push({
          interval: r.interval, ver: r.ver, proto: r.proto, port: r.port, cCls: r.cCls, sCls: r.sCls, cGroup: r.cGroup, sGroup: r.sGroup,
          c: [r.c0, r.c1, r.c2, r.c3], s: [r.s0, r.s1, r.s2, r.s3],
          connections: r.connections, clientPackets: r.clientPackets, serverPackets: r.serverPackets,
          clientBytes: r.clientBytes, serverBytes: r.serverBytes, first: r.first, last: r.last, samples: r.samples, app: r.app,
        });
      }
    }
    return out;
  }

  /**
   * Adds rows made by another aggregator with the same classifier and
   * interval, as if their connections had ended after this one's: counts add
   * up, times widen, and the first connections' Community ID samples are kept.
   */
  absorbRows(rows: AggRowData[], dropped: number): void {
    for (const x of rows) {
      const [c0, c1, c2, c3] = x.c;
      const [s0, s1, s2, s3] = x.s;
      const row = this.rowFor(x.interval, x.ver, x.proto, x.port, x.cCls, x.sCls, x.cGroup, x.sGroup, c0, c1, c2, c3, s0, s1, s2, s3);
      if (row === null) continue;
      const step = collapses(x.cCls) || collapses(x.sCls) ? 10 : 2;
      for (let i = 0; i + step <= x.samples.length; i += step) offerSample(row.samples, x.samples, i, step);
      if (row.app === null) row.app = x.app;
      row.connections += x.connections;
      row.clientPackets += x.clientPackets;
      row.serverPackets += x.serverPackets;
      row.clientBytes += x.clientBytes;
      row.serverBytes += x.serverBytes;
      if (x.first < row.first) row.first = x.first;
      if (x.last > row.last) row.last = x.last;
    }
    this.dropped += dropped;
  }

  /**
   * Every row in report order: interval, first packet, client, server
   * (label class, then address numerically), server port, protocol.
   */
  sortedRows(): AggRow[] {
    const all: AggRow[] = [];
    for (const head of this.buckets.values()) for (let r: AggRow | null = head; r !== null; r = r.next) all.push(r);
    all.sort(
      (a, b) =>
        a.interval - b.interval || a.first - b.first || a.ver - b.ver ||
        a.cCls - b.cCls || a.cGroup - b.cGroup || a.c0 - b.c0 || a.c1 - b.c1 || a.c2 - b.c2 || a.c3 - b.c3 ||
        a.sCls - b.sCls || a.sGroup - b.sGroup || a.s0 - b.s0 || a.s1 - b.s1 || a.s2 - b.s2 || a.s3 - b.s3 ||
        a.port - b.port || a.proto - b.proto,
    );
    return all;
  }

  /** The rows with their text, in report order. */
  *rows(): IterableIterator<FlowRow> {
    for (const r of this.sortedRows()) yield this.render(r);
  }

  /** Client and server addresses of a row as text (null when collapsed). */
  addresses(r: AggRow): [string | null, string | null] {
    if (r.texts !== null) return r.texts;
    const v4 = r.ver === 4;
    return (r.texts = [
      collapses(r.cCls) ? null : v4 ? ip4ToString(r.c0) : ip6ToString([r.c0, r.c1, r.c2, r.c3]),
      collapses(r.sCls) ? null : v4 ? ip4ToString(r.s0) : ip6ToString([r.s0, r.s1, r.s2, r.s3]),
    ]);
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

  render(r: AggRow): FlowRow {
    const v4 = r.ver === 4;
    const cw = [r.c0, r.c1, r.c2, r.c3];
    const sw = [r.s0, r.s1, r.s2, r.s3];
    const [cIp, sIp] = this.addresses(r);
    const app = this.applicationOf(r);
    const icmp = r.proto === 1 || r.proto === 58;
    const ids: string[] = [];
    const wide = collapses(r.cCls) || collapses(r.sCls);
    const step = wide ? 10 : 2;
    for (let i = 0; i + step <= r.samples.length; i += step) {
      const cport = r.samples[i + 1]!;
      const cAddr = wide ? r.samples.slice(i + 2, i + 6) : cw;
      const sAddr = wide ? r.samples.slice(i + 6, i + 10) : sw;
      const id = communityId({
        src: v4 ? ip4Bytes(cAddr[0]!) : ip6Bytes(cAddr),
        dst: v4 ? ip4Bytes(sAddr[0]!) : ip6Bytes(sAddr),
        proto: r.proto,
        // ICMP: the requester's type stands in the server port slot, the code or reply type in the client's.
        srcPort: icmp ? r.port : cport,
        dstPort: icmp ? cport : r.port,
      });
      if (!ids.includes(id)) ids.push(id);
    }
    return {
      intervalStart: r.interval * this.intervalUs,
      intervalEnd: (r.interval + 1) * this.intervalUs,
      client: this.label(r.cCls, r.cGroup, cIp),
      clientIp: cIp,
      server: this.label(r.sCls, r.sGroup, sIp),
      serverIp: sIp,
      serverPort: r.port,
      proto: r.proto,
      ipVersion: r.ver as 4 | 6,
      application: app.application,
      family: app.family,
      connections: r.connections,
      clientPackets: r.clientPackets,
      serverPackets: r.serverPackets,
      clientBytes: r.clientBytes,
      serverBytes: r.serverBytes,
      first: r.first,
      last: r.last,
      communityIds: ids,
    };
  }
}


