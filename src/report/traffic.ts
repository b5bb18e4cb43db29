/**
 * Traffic summary per inventoried asset (SPEC §5.3), built at report time
 * from the aggregated flow rows: for each asset, ingress (received) and
 * egress (sent) by reporting interval, role (client or server), peer (another
 * asset, an address, External, Excluded or a monitored group), server port
 * and protocol, with the application and family; plus per-asset totals by
 * family, application and role.
 */
import { protoName } from '../flows/applications.js';
import type { AggRow, FlowAggregator } from '../flows/aggregate.js';
import { isoUsRepeated } from './time.js';

export interface TrafficAcc {
  asset: number;
  interval: number;
  intervalEnd: number;
  role: 'client' | 'server';
  peer: string;
  peerIp: string | null;
  peerAsset: string | null;
  port: number;
  proto: number;
  application: string;
  family: string;
  connections: number;
  ingressBytes: number;
  egressBytes: number;
  ingressPackets: number;
  egressPackets: number;
}

/** A summary row while it is being grouped: the row plus its key fields. */
interface Entry extends TrafficAcc {
  next: Entry | null;
  intervalIndex: number;
  client: boolean;
  pCls: number;
  pGroup: number;
  ver: number;
  p0: number;
  p1: number;
  p2: number;
  p3: number;
}

export interface DirectionTotals {
  ingress_bytes: number;
  egress_bytes: number;
}

export interface AssetTrafficTotals {
  byFamily: Map<string, DirectionTotals>;
  byApplication: Map<string, DirectionTotals>;
  asClient: DirectionTotals;
  asServer: DirectionTotals;
}

function addTo(map: Map<string, DirectionTotals>, key: string, ingress: number, egress: number): void {
  let t = map.get(key);
  if (!t) map.set(key, (t = { ingress_bytes: 0, egress_bytes: 0 }));
  t.ingress_bytes += ingress;
  t.egress_bytes += egress;
}

export function summariseTraffic(
  agg: FlowAggregator,
  rows: AggRow[],
  assetOfIp: Map<string, number>,
  assetIds: string[],
): { rows: TrafficAcc[]; totals: AssetTrafficTotals[] } {
  const totals: AssetTrafficTotals[] = assetIds.map(() => ({
    byFamily: new Map(),
    byApplication: new Map(),
    asClient: { ingress_bytes: 0, egress_bytes: 0 },
    asServer: { ingress_bytes: 0, egress_bytes: 0 },
  }));
  // Rows are grouped by (asset, interval, role, peer, port, protocol): a numeric
  // hash over those fields, compared field by field, so no key strings are made.
  const acc = new Map<number, Entry>();
  const all: Entry[] = [];
  const side = (r: AggRow, cIp: string | null, sIp: string | null, asset: number, client: boolean) => {
    const pCls = client ? r.sCls : r.cCls;
    const pGroup = client ? r.sGroup : r.cGroup;
    const p0 = client ? r.s0 : r.c0, p1 = client ? r.s1 : r.c1, p2 = client ? r.s2 : r.c2, p3 = client ? r.s3 : r.c3;
    // A peer shown by label only (External, Excluded, a group by name) is one peer for IPv4 and IPv6 alike.
    const ver = (client ? sIp : cIp) === null ? 0 : r.ver;
    const ingressBytes = client ? r.serverBytes : r.clientBytes;
    const egressBytes = client ? r.clientBytes : r.serverBytes;
    let h = Math.imul(asset ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(r.interval ^ (client ? 0x40000000 : 0), 0xc2b2ae35);
    h = Math.imul(h ^ ((r.port << 8) | r.proto), 0x27d4eb2f) ^ Math.imul((pCls << 24) ^ pGroup ^ ver, 0x165667b1);
    h = Math.imul(h ^ p0, 0x9e3779b1) ^ Math.imul(p1 ^ p2 ^ p3, 0x85ebca77);
    h = (h ^ (h >>> 15)) & 0x3fffffff;
    const head = acc.get(h) ?? null;
    let e = head;
    while (
      e !== null &&
      !(e.asset === asset && e.intervalIndex === r.interval && e.client === client && e.port === r.port && e.proto === r.proto &&
        e.pCls === pCls && e.pGroup === pGroup && e.ver === ver && e.p0 === p0 && e.p1 === p1 && e.p2 === p2 && e.p3 === p3)
    ) {
      e = e.next;
    }
    if (e === null) {
      const app = agg.applicationOf(r);
      const peerIp = client ? sIp : cIp;
      const peerIndex = peerIp !== null ? assetOfIp.get(peerIp) : undefined;
      e = {
        next: head,
        intervalIndex: r.interval,
        client,
        pCls,
        pGroup,
        ver,
        p0, p1, p2, p3,
        asset,
        interval: r.interval * agg.intervalUs,
        intervalEnd: (r.interval + 1) * agg.intervalUs,
        role: client ? 'client' : 'server',
        peer: agg.label(pCls, pGroup, peerIp),
        peerIp,
        peerAsset: peerIndex !== undefined ? assetIds[peerIndex]! : null,
        port: r.port,
        proto: r.proto,
        application: app.application,
        family: app.family,
        connections: 0,
        ingressBytes: 0,
        egressBytes: 0,
        ingressPackets: 0,
        egressPackets: 0,
      };
      acc.set(h, e);
      all.push(e);
    }
    e.connections += r.connections;
    e.ingressBytes += ingressBytes;
    e.egressBytes += egressBytes;
    e.ingressPackets += client ? r.serverPackets : r.clientPackets;
    e.egressPackets += client ? r.clientPackets : r.serverPackets;
    const tot = totals[asset]!;
    addTo(tot.byFamily, e.family, ingressBytes, egressBytes);
    addTo(tot.byApplication, e.application, ingressBytes, egressBytes);
    const sum = client ? tot.asClient : tot.asServer;
    sum.ingress_bytes += ingressBytes;
    sum.egress_bytes += egressBytes;
  };
  for (const row of rows) {
    const [cIp, sIp] = agg.addresses(row);
    const c = cIp !== null ? assetOfIp.get(cIp) : undefined;
    const s = sIp !== null ? assetOfIp.get(sIp) : undefined;
    if (c !== undefined) side(row, cIp, sIp, c, true);
    if (s !== undefined) side(row, cIp, sIp, s, false);
  }
  const out: TrafficAcc[] = all.sort(
    (a, b) =>
      a.asset - b.asset ||
      a.interval - b.interval ||
      (a.role < b.role ? -1 : a.role > b.role ? 1 : 0) ||
      (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0) ||
      a.port - b.port ||
      a.proto - b.proto,
  );
  return { rows: out, totals };
}

/** A traffic row as the report writes it (keys in sorted order). */
export function trafficRecord(t: TrafficAcc, assetIds: string[]): Record<string, string | number | null> {
  return {
    application: t.application,
    asset_id: assetIds[t.asset]!,
    connections: t.connections,
    egress_bytes: t.egressBytes,
    egress_packets: t.egressPackets,
    family: t.family,
    ingress_bytes: t.ingressBytes,
    ingress_packets: t.ingressPackets,
    interval_end: isoUsRepeated(t.intervalEnd),
    interval_start: isoUsRepeated(t.interval),
    peer: t.peer,
    peer_asset_id: t.peerAsset,
    peer_ip: t.peerIp,
    protocol: protoName(t.proto),
    role: t.role,
    server_port: t.port,
  };
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
