/**
 * Traffic summary per inventoried asset (SPEC §5.3), built at report time
 * from the aggregated flow rows: for each asset, ingress (received) and
 * egress (sent) by reporting interval, role (client or server), peer (another
 * asset, an address, External, Excluded or a monitored group), server port
 * and protocol, with the application and family; plus per-asset totals by
 * family, application and role.
 */
import { protoName } from '../flows/applications.js';
import type { FlowAggregator, RowId } from '../flows/aggregate.js';
import { isoUsRepeated } from './time.js';

/** Made with its keys in sorted order (the JSON writer then serialises it natively). */
export interface DirectionTotals {
  egress_bytes: number;
  ingress_bytes: number;
}

export interface AssetTrafficTotals {
  byFamily: Map<string, DirectionTotals>;
  byApplication: Map<string, DirectionTotals>;
  asClient: DirectionTotals;
  asServer: DirectionTotals;
}

function addTo(map: Map<string, DirectionTotals>, key: string, ingress: number, egress: number): void {
  let t = map.get(key);
  if (!t) map.set(key, (t = { egress_bytes: 0, ingress_bytes: 0 }));
  t.ingress_bytes += ingress;
  t.egress_bytes += egress;
}

/** Per-entry numbers, in this order. */
const CONNS = 0, IN_BYTES = 1, EG_BYTES = 2, IN_PKTS = 3, EG_PKTS = 4, NUMS = 5;
/** Per-entry integers: the asset, the first flow row grouped in (its key fields stand for the entry's), client side (1/0), hash, chain. */
const ASSET = 0, REP = 1, CLIENT = 2, HASH = 3, NEXT = 4, INTS = 5;

/**
 * The traffic summary: rows grouped by (asset, interval, role, peer, server
 * port, protocol), kept as columns (a long capture has a row per asset, peer
 * and 30-minute interval), in report order; `record(i)` makes row i's text.
 */
export class TrafficSummary {
  count = 0;
  private ints = new Int32Array(0);
  private nums = new Float64Array(0);
  private heads = new Int32Array(1024);
  /** Entry numbers in report order, and each entry's peer as shown. */
  private order = new Int32Array(0);
  private peers: string[] = [];
  readonly totals: AssetTrafficTotals[];

  constructor(
    private readonly agg: FlowAggregator,
    private readonly assetOfIp: Map<string, number>,
    private readonly assetIds: string[],
    /** Per-asset totals to add to (shared when a long capture is summarised interval by interval). */
    totals: AssetTrafficTotals[] = emptyTotals(assetIds.length),
  ) {
    this.totals = totals;
  }

  /** The asset (index) of the i-th row in report order. */
  assetOf(i: number): number {
    return this.ints[this.order[i]! * INTS + ASSET]!;
  }

  /** The peer's address as text for an entry made from row `r` (null when shown by label only). */
  private peerIp(r: RowId, client: boolean): string | null {
    return this.agg.addresses(r)[client ? 1 : 0];
  }

  /** Adds flow row `r` to `asset`'s side of it (client or server). */
  add(r: RowId, asset: number, client: boolean): void {
    const agg = this.agg;
    const pCls = client ? agg.sCls(r) : agg.cCls(r);
    const pGroup = client ? agg.sGroup(r) : agg.cGroup(r);
    // The peer's address words (the other endpoint's: server for a client side).
    const p0 = agg.word(r, client, 0), p1 = agg.word(r, client, 1), p2 = agg.word(r, client, 2), p3 = agg.word(r, client, 3);
    // A peer shown by label only (External, Excluded, a group by name) is one peer for IPv4 and IPv6 alike.
    const ver = this.peerIp(r, client) === null ? 0 : agg.ver(r);
    const interval = agg.interval(r);
    const port = agg.port(r);
    const proto = agg.proto(r);
    let h = Math.imul(asset ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(interval ^ (client ? 0x40000000 : 0), 0xc2b2ae35);
    h = Math.imul(h ^ ((port << 8) | proto), 0x27d4eb2f) ^ Math.imul((pCls << 24) ^ pGroup ^ ver, 0x165667b1);
    h = Math.imul(h ^ p0, 0x9e3779b1) ^ Math.imul(p1 ^ p2 ^ p3, 0x85ebca77);
    h = (h ^ (h >>> 15)) & 0x3fffffff;
    const ints = this.ints;
    let e = this.heads[h & (this.heads.length - 1)]! - 1;
    while (e >= 0) {
      const a = e * INTS;
      const x = ints[a + REP]!;
      const xc = ints[a + CLIENT] === 1;
      if (
        ints[a + HASH] === h && ints[a + ASSET] === asset && xc === client && agg.interval(x) === interval && agg.port(x) === port && agg.proto(x) === proto &&
        (client ? agg.sCls(x) : agg.cCls(x)) === pCls && (client ? agg.sGroup(x) : agg.cGroup(x)) === pGroup &&
        (this.peerIp(x, xc) === null ? 0 : agg.ver(x)) === ver &&
        agg.word(x, xc, 0) === p0 && agg.word(x, xc, 1) === p1 && agg.word(x, xc, 2) === p2 && agg.word(x, xc, 3) === p3
      ) {
        break;
      }
      e = ints[a + NEXT]!;
    }
    if (e < 0) e = this.newEntry(h, asset, r, client);
    const ingressBytes = client ? agg.serverBytes(r) : agg.clientBytes(r);
    const egressBytes = client ? agg.clientBytes(r) : agg.serverBytes(r);
    const n = this.nums;
    const at = e * NUMS;
    n[at + CONNS] += agg.connections(r);
    n[at + IN_BYTES] += ingressBytes;
    n[at + EG_BYTES] += egressBytes;
    n[at + IN_PKTS] += client ? agg.serverPackets(r) : agg.clientPackets(r);
    n[at + EG_PKTS] += client ? agg.clientPackets(r) : agg.serverPackets(r);
    // The entry's application is its first row's.
    const app = agg.applicationOf(this.ints[e * INTS + REP]!);
    const tot = this.totals[asset]!;
    addTo(tot.byFamily, app.family, ingressBytes, egressBytes);
    addTo(tot.byApplication, app.application, ingressBytes, egressBytes);
    const sum = client ? tot.asClient : tot.asServer;
    sum.ingress_bytes += ingressBytes;
    sum.egress_bytes += egressBytes;
  }

  private newEntry(h: number, asset: number, r: RowId, client: boolean): number {
    const e = this.count++;
    if (this.count * INTS > this.ints.length) {
      const cap = Math.max(1024, Math.ceil(this.count * 1.25));
      const ints = new Int32Array(cap * INTS);
      ints.set(this.ints);
      this.ints = ints;
      const nums = new Float64Array(cap * NUMS);
      nums.set(this.nums);
      this.nums = nums;
    }
    if (this.count > this.heads.length >>> 1) {
      const heads = new Int32Array(this.heads.length * 2);
      const mask = heads.length - 1;
      for (let i = 0; i < e; i++) {
        const b = this.ints[i * INTS + HASH]! & mask;
        this.ints[i * INTS + NEXT] = heads[b]! - 1;
        heads[b] = i + 1;
      }
      this.heads = heads;
    }
    const a = e * INTS;
    this.ints[a + ASSET] = asset;
    this.ints[a + REP] = r;
    this.ints[a + CLIENT] = client ? 1 : 0;
    this.ints[a + HASH] = h;
    const b = h & (this.heads.length - 1);
    this.ints[a + NEXT] = this.heads[b]! - 1;
    this.heads[b] = e + 1;
    return e;
  }

  /** Puts the entries in report order: asset, interval, role, peer, server port, protocol. */
  sort(): void {
    const agg = this.agg;
    const ints = this.ints;
    const peers = (this.peers = new Array<string>(this.count));
    for (let e = 0; e < this.count; e++) {
      const r = ints[e * INTS + REP]!;
      const client = ints[e * INTS + CLIENT] === 1;
      peers[e] = agg.label(client ? agg.sCls(r) : agg.cCls(r), client ? agg.sGroup(r) : agg.cGroup(r), this.peerIp(r, client));
    }
    const order = (this.order = new Int32Array(this.count));
    for (let e = 0; e < this.count; e++) order[e] = e;
    order.sort((x, y) => {
      const a = x * INTS, b = y * INTS;
      const pa = peers[x]!, pb = peers[y]!;
      return (
        ints[a + ASSET]! - ints[b + ASSET]! ||
        agg.interval(ints[a + REP]!) - agg.interval(ints[b + REP]!) ||
        // 'client' before 'server'
        ints[b + CLIENT]! - ints[a + CLIENT]! ||
        (pa < pb ? -1 : pa > pb ? 1 : 0) ||
        agg.port(ints[a + REP]!) - agg.port(ints[b + REP]!) ||
        agg.proto(ints[a + REP]!) - agg.proto(ints[b + REP]!)
      );
    });
  }

  /** The i-th row in report order, as the report writes it (keys in sorted order). */
  record(i: number): Record<string, string | number | null> {
    const agg = this.agg;
    const e = this.order[i]!;
    const a = e * INTS;
    const r = this.ints[a + REP]!;
    const client = this.ints[a + CLIENT] === 1;
    const n = this.nums;
    const at = e * NUMS;
    const app = agg.applicationOf(r);
    const peerIp = this.peerIp(r, client);
    const peerIndex = peerIp !== null ? this.assetOfIp.get(peerIp) : undefined;
    const interval = agg.interval(r);
    return {
      application: app.application,
      asset_id: this.assetIds[this.ints[a + ASSET]!]!,
      connections: n[at + CONNS]!,
      egress_bytes: n[at + EG_BYTES]!,
      egress_packets: n[at + EG_PKTS]!,
      family: app.family,
      ingress_bytes: n[at + IN_BYTES]!,
      ingress_packets: n[at + IN_PKTS]!,
      interval_end: isoUsRepeated((interval + 1) * agg.intervalUs),
      interval_start: isoUsRepeated(interval * agg.intervalUs),
      peer: this.peers[e]!,
      peer_asset_id: peerIndex !== undefined ? this.assetIds[peerIndex]! : null,
      peer_ip: peerIp,
      protocol: protoName(agg.proto(r)),
      role: client ? 'client' : 'server',
      server_port: agg.port(r),
    };
  }
}

/** Zero totals for `n` assets. */
export function emptyTotals(n: number): AssetTrafficTotals[] {
  return Array.from({ length: n }, () => ({
    byFamily: new Map(),
    byApplication: new Map(),
    asClient: { egress_bytes: 0, ingress_bytes: 0 },
    asServer: { egress_bytes: 0, ingress_bytes: 0 },
  }));
}

/** The traffic summary of the flow rows `rows` (ids of `agg`, in report order), for the assets whose addresses `assetOfIp` maps. */
export function summariseTraffic(
  agg: FlowAggregator,
  rows: Int32Array,
  assetOfIp: Map<string, number>,
  assetIds: string[],
  totals?: AssetTrafficTotals[],
): TrafficSummary {
  const summary = new TrafficSummary(agg, assetOfIp, assetIds, totals);
  for (const row of rows) {
    const [cIp, sIp] = agg.addresses(row);
    const c = cIp !== null ? assetOfIp.get(cIp) : undefined;
    const s = sIp !== null ? assetOfIp.get(sIp) : undefined;
    if (c !== undefined) summary.add(row, c, true);
    if (s !== undefined) summary.add(row, s, false);
  }
  summary.sort();
  return summary;
}

export function totalsRecord(t: AssetTrafficTotals): Record<string, unknown> {
  const obj = (m: Map<string, DirectionTotals>) => Object.fromEntries([...m].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  return {
    as_client: t.asClient,
    as_server: t.asServer,
    by_application: obj(t.byApplication),
    by_family: obj(t.byFamily),
  };
}
