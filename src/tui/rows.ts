/**
 * Row models of the three tables (assets, flows, traffic): display cells,
 * sort keys, a lower-cased search text (shown and hidden fields), a stable
 * identity for keeping the selection across live updates, and the column
 * layout that fits a terminal width.
 */
import type { Report } from '../report/build.js';
import {
  deviceCell,
  firstPlus,
  humanBytes,
  ipSortKey,
  num,
  obj,
  osCell,
  shortTime,
  str,
  strings,
  timeKey,
  type Obj,
} from './format.js';

export type ViewName = 'assets' | 'flows' | 'traffic';
export const VIEWS: ViewName[] = ['assets', 'flows', 'traffic'];
export const VIEW_TITLES: Record<ViewName, string> = { assets: 'Assets', flows: 'Flows', traffic: 'Traffic' };

export type SortKey = number | string | null;

export interface Column {
  header: string;
  /** Numbers (bytes, counts) and times: sorted descending first; numbers right-aligned. */
  numeric?: boolean;
  right?: boolean;
  /** Narrowest width when the column is shrunk. */
  min: number;
  /** Widest natural width (the rest is cut), unless the terminal has room. */
  max?: number;
}

export interface Row {
  /** Identity across report updates (asset id, flow key). */
  key: string;
  cells: string[];
  sort: SortKey[];
  /** Lower-cased text of every field, shown or not, for the filter. */
  search: string;
  /** The asset Enter opens, if any. */
  assetId: string | null;
}

export interface TableModel {
  view: ViewName;
  columns: Column[];
  rows: Row[];
  /** Columns left out first when the table is too wide, in order. */
  drop: number[];
  /** Columns cut (down to their `min`) when still too wide, in order. */
  shrink: number[];
  /** Column sorted by default, and its direction. */
  defaultSort: { col: number; desc: boolean };
}

const ASSET_COLUMNS: Column[] = [
  { header: 'IP', min: 15, max: 22 },
  { header: 'MAC', min: 17 },
  { header: 'VENDOR', min: 10, max: 24 },
  { header: 'HOSTNAME', min: 12, max: 30 },
  { header: 'OS', min: 14, max: 32 },
  { header: 'DEVICE', min: 12, max: 40 },
  { header: 'PORTS', min: 9, max: 30 },
  { header: 'LAST SEEN', min: 19, numeric: true },
  { header: 'TRAFFIC', min: 9, numeric: true, right: true },
];

const FLOW_COLUMNS: Column[] = [
  { header: 'CLIENT', min: 15, max: 39 },
  { header: 'SERVER', min: 15, max: 39 },
  { header: 'PORT', min: 9 },
  { header: 'APP', min: 8, max: 20 },
  { header: 'CONNS', min: 5, numeric: true, right: true },
  { header: 'SENT', min: 9, numeric: true, right: true },
  { header: 'RECEIVED', min: 9, numeric: true, right: true },
  { header: 'LAST SEEN', min: 19, numeric: true },
];

const TRAFFIC_COLUMNS: Column[] = [
  { header: 'ASSET', min: 15, max: 39 },
  { header: 'ROLE', min: 6 },
  { header: 'PEER', min: 15, max: 39 },
  { header: 'PORT', min: 9 },
  { header: 'APP', min: 8, max: 20 },
  { header: 'IN', min: 9, numeric: true, right: true },
  { header: 'OUT', min: 9, numeric: true, right: true },
];

const PROTO_ORDER: Record<string, number> = { tcp: 0.1, udp: 0.2, sctp: 0.3 };
function portKey(port: number, proto: string): number {
  return port + (PROTO_ORDER[proto] ?? 0.5);
}

type Parts = string | Parts[];
function searchText(parts: Parts[]): string {
  const flat: string[] = [];
  const walk = (p: Parts): void => {
    if (typeof p === 'string') flat.push(p);
    else for (const x of p) walk(x);
  };
  parts.forEach(walk);
  return flat
    .filter((x) => x !== '')
    .join('\u0001')
    .toLowerCase();
}

/** Keys made unique: a repeated key gets "#n". */
function uniqueKeys(rows: Row[]): void {
  const seen = new Map<string, number>();
  for (const r of rows) {
    const n = seen.get(r.key) ?? 0;
    seen.set(r.key, n + 1);
    if (n > 0) r.key = `${r.key}#${n}`;
  }
}

export function assetLabel(a: Obj): string {
  return strings(a.ips)[0] || str(a.mac) || str(a.id);
}

export function assetRows(report: Report): Row[] {
  const rows = report.assets.map((a): Row => {
    const ips = strings(a.ips);
    const hostnames = strings(a.hostnames);
    const os = obj(a.os);
    const device = obj(a.device);
    const ports = (Array.isArray(a.open_ports) ? a.open_ports : []).map((p) => obj(p)).filter((p): p is Obj => p !== null);
    const traffic = obj(a.traffic);
    const bytes = num(traffic?.ingress_bytes) + num(traffic?.egress_bytes);
    const portText = ports.map((p) => `${num(p.port)}/${str(p.proto)}`).join(' ');
    const cells = [
      firstPlus(ips) || '-',
      str(a.mac) || '-',
      str(a.mac_vendor),
      firstPlus(hostnames),
      osCell(os),
      deviceCell(device),
      portText,
      shortTime(a.last_seen),
      humanBytes(bytes),
    ];
    const minPort = ports.length ? Math.min(...ports.map((p) => portKey(num(p.port), str(p.proto)))) : null;
    const sort: SortKey[] = [
      ipSortKey(ips[0] ?? ''),
      str(a.mac).toLowerCase() || null,
      str(a.mac_vendor).toLowerCase() || null,
      (hostnames[0] ?? '').toLowerCase() || null,
      os ? cells[4]!.toLowerCase() : null,
      cells[5]!.toLowerCase() || null,
      minPort,
      timeKey(a.last_seen),
      bytes,
    ];
    const search = searchText([
      cells,
      str(a.id),
      ips,
      hostnames,
      str(a.domain),
      os ? [str(os.family), str(os.name), str(os.version)] : [],
      device ? [str(device.firmware), str(device.serial), strings(device.roles)] : [],
      ports.map((p) => str(p.application)),
      strings(a.applications),
      a.vlan === null || a.vlan === undefined ? '' : `vlan ${str(a.vlan)}`,
      str(a.ip_assignment),
    ]);
    return { key: str(a.id) || cells[0]!, cells, sort, search, assetId: str(a.id) || null };
  });
  uniqueKeys(rows);
  return rows;
}

/** Which asset holds each address. */
export function assetsByIp(report: Report): Map<string, string> {
  const m = new Map<string, string>();
  for (const a of report.assets) for (const ip of strings(a.ips)) if (!m.has(ip)) m.set(ip, str(a.id));
  return m;
}

export function flowKey(f: Obj): string {
  return [str(f.client_ip) || str(f.client), str(f.server_ip) || str(f.server), str(f.server_port), str(f.protocol), str(f.interval_start)].join('|');
}

export function flowRows(report: Report, byIp: Map<string, string>): Row[] {
  const rows = report.flows.map((f): Row => {
    const client = str(f.client);
    const server = str(f.server);
    const port = num(f.server_port);
    const proto = str(f.protocol);
    const cells = [
      client,
      server,
      `${port}/${proto}`,
      str(f.application),
      String(num(f.connections)),
      humanBytes(num(f.client_bytes)),
      humanBytes(num(f.server_bytes)),
      shortTime(f.last_seen),
    ];
    const sort: SortKey[] = [
      ipSortKey(str(f.client_ip) || client),
      ipSortKey(str(f.server_ip) || server),
      portKey(port, proto),
      str(f.application).toLowerCase() || null,
      num(f.connections),
      num(f.client_bytes),
      num(f.server_bytes),
      timeKey(f.last_seen),
    ];
    const clientAsset = byIp.get(str(f.client_ip)) ?? null;
    const serverAsset = byIp.get(str(f.server_ip)) ?? null;
    const search = searchText([cells, str(f.client_ip), str(f.server_ip), str(f.family), strings(f.community_ids), clientAsset ?? '', serverAsset ?? '']);
    return { key: flowKey(f), cells, sort, search, assetId: clientAsset ?? serverAsset };
  });
  uniqueKeys(rows);
  return rows;
}

export function trafficRows(report: Report): Row[] {
  const byId = new Map<string, Obj>();
  for (const a of report.assets) byId.set(str(a.id), a);
  const rows = report.traffic.map((t): Row => {
    const id = str(t.asset_id);
    const asset = byId.get(id);
    const assetIp = asset ? strings(asset.ips)[0] ?? '' : '';
    const port = num(t.server_port);
    const proto = str(t.protocol);
    const cells = [
      assetIp || id,
      str(t.role),
      str(t.peer),
      `${port}/${proto}`,
      str(t.application),
      humanBytes(num(t.ingress_bytes)),
      humanBytes(num(t.egress_bytes)),
    ];
    const sort: SortKey[] = [
      ipSortKey(assetIp || id),
      str(t.role).toLowerCase() || null,
      ipSortKey(str(t.peer_ip) || str(t.peer)),
      portKey(port, proto),
      str(t.application).toLowerCase() || null,
      num(t.ingress_bytes),
      num(t.egress_bytes),
    ];
    const search = searchText([
      cells,
      id,
      asset ? [strings(asset.ips), strings(asset.hostnames), str(asset.mac)] : [],
      str(t.peer_ip),
      str(t.peer_asset_id),
      str(t.family),
    ]);
    const key = [id, str(t.role), str(t.peer_ip) || str(t.peer), port, proto, str(t.application), str(t.interval_start)].join('|');
    return { key, cells, sort, search, assetId: id || null };
  });
  uniqueKeys(rows);
  return rows;
}

/** The three table models of a report. */
export function buildModels(report: Report): Record<ViewName, TableModel> {
  const byIp = assetsByIp(report);
  return {
    assets: {
      view: 'assets',
      columns: ASSET_COLUMNS,
      rows: assetRows(report),
      drop: [2, 7, 1, 6, 8, 5],
      shrink: [5, 6, 2, 3, 4, 0],
      defaultSort: { col: 0, desc: false },
    },
    flows: {
      view: 'flows',
      columns: FLOW_COLUMNS,
      rows: flowRows(report, byIp),
      drop: [7, 4, 3],
      shrink: [3, 0, 1],
      defaultSort: { col: 0, desc: false },
    },
    traffic: {
      view: 'traffic',
      columns: TRAFFIC_COLUMNS,
      rows: trafficRows(report),
      drop: [1, 4],
      shrink: [4, 0, 2],
      defaultSort: { col: 0, desc: false },
    },
  };
}

function compareKeys(a: SortKey, b: SortKey): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a! < b! ? -1 : a! > b! ? 1 : 0;
}

/**
 * Rows sorted by a column (numbers as numbers, addresses numerically, times
 * as times); empty values last in either direction; ties keep report order.
 */
export function sortRows(rows: Row[], col: number, desc: boolean): Row[] {
  const idx = rows.map((_, i) => i);
  idx.sort((i, j) => {
    const a = rows[i]!.sort[col] ?? null;
    const b = rows[j]!.sort[col] ?? null;
    if (a === null || b === null) {
      if (a === b) return i - j;
      return a === null ? 1 : -1;
    }
    const c = compareKeys(a, b);
    return c === 0 ? i - j : desc ? -c : c;
  });
  return idx.map((i) => rows[i]!);
}

/** Rows whose text (any field) holds `query`, case-insensitively. */
export function filterRows(rows: Row[], query: string): Row[] {
  const q = query.trim().toLowerCase();
  if (q === '') return rows;
  return rows.filter((r) => r.search.includes(q));
}

export interface ColumnLayout {
  /** Shown columns, in order. */
  cols: number[];
  widths: number[];
}

export const GAP = 2;

/**
 * Column widths that fit `width`: natural widths (header with room for the
 * sort mark, longest cell, capped at `max`); columns in `drop` are left out,
 * in order, while the table would not fit even with the `shrink` ones at
 * their `min`; then those are cut as far as needed.
 */
export function layoutColumns(model: TableModel, width: number, natural: number[]): ColumnLayout {
  const { columns } = model;
  const capped = natural.map((n, i) => Math.min(n, columns[i]!.max ?? Infinity));
  const least = capped.map((n, i) => (model.shrink.includes(i) ? Math.min(n, columns[i]!.min) : n));
  const total = (cols: number[], w: number[]) => cols.reduce((a, i) => a + w[i]!, 0) + GAP * Math.max(0, cols.length - 1);
  let cols = columns.map((_, i) => i);
  for (const d of model.drop) {
    if (total(cols, least) <= width) break;
    cols = cols.filter((i) => i !== d);
  }
  const w = capped.slice();
  for (const i of model.shrink) {
    const over = total(cols, w) - width;
    if (over <= 0) break;
    if (!cols.includes(i)) continue;
    w[i] = Math.max(least[i]!, w[i]! - over);
  }
  // Still too wide (a very narrow terminal): cut from the right.
  for (let k = cols.length - 1; k >= 0 && total(cols, w) > width; k--) {
    const i = cols[k]!;
    const over = total(cols, w) - width;
    if (w[i]! - over >= 3) w[i] = w[i]! - over;
    else if (cols.length > 1) cols = cols.filter((c) => c !== i);
    else w[i] = Math.max(1, width);
  }
  // Room left: give capped columns back their natural width.
  let room = width - total(cols, w);
  for (const i of cols) {
    if (room <= 0) break;
    const want = natural[i]! - w[i]!;
    if (want > 0) {
      const add = Math.min(want, room);
      w[i] = w[i]! + add;
      room -= add;
    }
  }
  return { cols, widths: w };
}

/** Natural width of each column over all rows (header plus 2 for the sort mark). */
export function naturalWidths(model: TableModel): number[] {
  const w = model.columns.map((c) => c.header.length + 2);
  for (const r of model.rows) {
    for (let i = 0; i < w.length; i++) {
      const n = r.cells[i]!.length;
      if (n > w[i]!) w[i] = n;
    }
  }
  return w;
}
