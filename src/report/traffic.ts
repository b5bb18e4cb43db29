/**
 * Traffic summary per inventoried asset (SPEC §5.3), built at report time
 * from the aggregated flow rows: for each asset, ingress (received) and
 * egress (sent) by reporting interval, role (client or server), peer (another
 * asset, an address, External, Excluded or a monitored group), server port
 * and protocol, with the application and family; plus per-asset totals by
 * family, application and role.
 */
import { applicationByPort, protoName } from '../flows/applications.js';
import type { AggRow, FlowAggregator } from '../flows/aggregate.js';
import { isoUs } from './time.js';

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
  const acc = new Map<string, TrafficAcc>();
  const side = (r: AggRow, cIp: string | null, sIp: string | null, asset: number, role: 'client' | 'server') => {
    const client = role === 'client';
    const peerIp = client ? sIp : cIp;
    const peer = client ? agg.label(r.sCls, r.sGroup, sIp) : agg.label(r.cCls, r.cGroup, cIp);
    const ingressBytes = client ? r.serverBytes : r.clientBytes;
    const egressBytes = client ? r.clientBytes : r.serverBytes;
    const key = `${asset}|${r.interval}|${role}|${peer}|${r.port}|${r.proto}`;
    let t = acc.get(key);
    if (!t) {
      const app = applicationByPort(r.proto, r.port);
      const peerIndex = peerIp !== null ? assetOfIp.get(peerIp) : undefined;
      t = {
        asset,
        interval: r.interval * agg.intervalUs,
        intervalEnd: (r.interval + 1) * agg.intervalUs,
        role,
        peer,
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
      acc.set(key, t);
    }
    t.connections += r.connections;
    t.ingressBytes += ingressBytes;
    t.egressBytes += egressBytes;
    t.ingressPackets += client ? r.serverPackets : r.clientPackets;
    t.egressPackets += client ? r.clientPackets : r.serverPackets;
    const tot = totals[asset]!;
    addTo(tot.byFamily, t.family, ingressBytes, egressBytes);
    addTo(tot.byApplication, t.application, ingressBytes, egressBytes);
    const sum = client ? tot.asClient : tot.asServer;
    sum.ingress_bytes += ingressBytes;
    sum.egress_bytes += egressBytes;
  };
  for (const row of rows) {
    const [cIp, sIp] = agg.addresses(row);
    const c = cIp !== null ? assetOfIp.get(cIp) : undefined;
    const s = sIp !== null ? assetOfIp.get(sIp) : undefined;
    if (c !== undefined) side(row, cIp, sIp, c, 'client');
    if (s !== undefined) side(row, cIp, sIp, s, 'server');
  }
  const out = [...acc.values()].sort(
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

// Interval boundaries repeat on every row: format each once.
const intervalTexts = new Map<number, string>();
function intervalText(us: number): string {
  let t = intervalTexts.get(us);
  if (t === undefined) {
    if (intervalTexts.size > 4096) intervalTexts.clear();
    intervalTexts.set(us, (t = isoUs(us)));
  }
  return t;
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
    interval_end: intervalText(t.intervalEnd),
    interval_start: intervalText(t.interval),
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
