/**
 * `nps diff`: what changed between two `nps.report/v1` reports of the same
 * network, as pure functions over parsed reports.
 *
 * Assets are matched by `id`; flows by (client, server, server port,
 * protocol) summed over every interval and row. Only the inventory's
 * meaning is compared, so fields that differ between two runs over the same
 * capture (generated_at, generator.version, capture.files[].path,
 * config.path, evidence times) never count.
 */
import type { Json, Report } from '../report/build.js';

export const DIFF_SCHEMA = 'nps.diff/v1';

/** One attribute of an asset present in both reports that differs. */
export interface FieldChange {
  field: string;
  old: Json;
  new: Json;
  /** Set-valued fields (ips, hostnames, open_ports, applications): what the current report adds. */
  added?: string[];
  /** Set-valued fields: what the current report no longer has. */
  removed?: string[];
}

export interface AssetRow {
  id: string;
  ips: string[];
  hostnames: string[];
}

export interface ChangedAsset extends AssetRow {
  changes: FieldChange[];
}

export interface FlowKey {
  client: string;
  server: string;
  server_port: number;
  protocol: string;
}

export interface TrafficChange {
  kind: 'asset' | 'flow';
  /** The asset id, or the flow as "client -> server port/protocol". */
  key: string;
  old_bytes: number;
  new_bytes: number;
  /** (new − old) / old in percent, two decimals; null when old is 0. */
  change_pct: number | null;
}

export interface DiffSummary {
  assets_added: number;
  assets_removed: number;
  assets_changed: number;
  flows_added: number;
  flows_removed: number;
  traffic_changed: number;
  warnings_added: number;
  warnings_removed: number;
}

/** The `nps.diff/v1` document (docs/diff.schema.json). */
export interface DiffResult {
  schema: typeof DIFF_SCHEMA;
  equal: boolean;
  tolerance_pct: number;
  summary: DiffSummary;
  assets_added: AssetRow[];
  assets_removed: AssetRow[];
  assets_changed: ChangedAsset[];
  flows_added: FlowKey[];
  flows_removed: FlowKey[];
  traffic_changed: TrafficChange[];
  warnings_added: string[];
  warnings_removed: string[];
}

export interface CompareOptions {
  /** Traffic changes of at most this percentage of the baseline's bytes are not reported. */
  tolerancePct: number;
}

type Obj = { [k: string]: Json };
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Compares strings with their digit runs as numbers: "10.0.0.9" before "10.0.0.10". Locale-independent. */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const xs = a.match(re) ?? [];
  const ys = b.match(re) ?? [];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (x === y) continue;
    const dx = x.charCodeAt(0) >= 48 && x.charCodeAt(0) <= 57;
    const dy = y.charCodeAt(0) >= 48 && y.charCodeAt(0) <= 57;
    if (dx && dy) {
      const nx = x.replace(/^0+/, '');
      const ny = y.replace(/^0+/, '');
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return nx < ny ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  if (xs.length !== ys.length) return xs.length - ys.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Asset ids: MAC identities in plain order (fixed-width hex), the others with their numbers compared as numbers. */
export function idCompare(a: string, b: string): number {
  if (a.startsWith('mac:') && b.startsWith('mac:')) return a < b ? -1 : a > b ? 1 : 0;
  return naturalCompare(a, b);
}

const str = (v: Json | undefined): string | null => (typeof v === 'string' ? v : null);
const num = (v: Json | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const strings = (v: Json | undefined): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
const scalar = (v: Json | undefined): Json => (v === undefined || isObj(v) || Array.isArray(v) ? null : v);

/** "443/tcp" for each open port, sorted by port then protocol. */
function openPorts(v: Json | undefined): string[] {
  if (!Array.isArray(v)) return [];
  const ports = v.filter(isObj).map((p) => `${num(p.port)}/${str(p.proto) ?? '?'}`);
  return [...new Set(ports)].sort(naturalCompare);
}

/** The sorted, de-duplicated members of a set-valued field. */
function setOf(values: string[]): string[] {
  return [...new Set(values)].sort(naturalCompare);
}

/** A set-valued field that differs: old and new as the reports list them, and what was added and removed. */
function setChange(field: string, oldList: string[], newList: string[], sorted: boolean): FieldChange | null {
  const o = new Set(oldList);
  const n = new Set(newList);
  const added = setOf(newList.filter((x) => !o.has(x)));
  const removed = setOf(oldList.filter((x) => !n.has(x)));
  if (added.length === 0 && removed.length === 0) return null;
  const shown = (l: string[]) => (sorted ? setOf(l) : [...new Set(l)]);
  return { field, old: shown(oldList), new: shown(newList), added, removed };
}

function scalarChange(field: string, oldV: Json, newV: Json): FieldChange | null {
  return oldV === newV ? null : { field, old: oldV, new: newV };
}

/** The attribute changes of one asset present in both reports, in a fixed field order. */
export function assetChanges(oldA: Obj, newA: Obj): FieldChange[] {
  const out: (FieldChange | null)[] = [];
  out.push(setChange('ips', strings(oldA.ips), strings(newA.ips), true));
  out.push(scalarChange('mac', scalar(oldA.mac), scalar(newA.mac)));
  // Host names keep the report's order (most trusted first); only the set is compared.
  out.push(setChange('hostnames', strings(oldA.hostnames), strings(newA.hostnames), false));
  out.push(scalarChange('domain', scalar(oldA.domain), scalar(newA.domain)));
  const oldOs = isObj(oldA.os) ? oldA.os : {};
  const newOs = isObj(newA.os) ? newA.os : {};
  for (const k of ['name', 'version', 'family']) out.push(scalarChange(`os.${k}`, scalar(oldOs[k]), scalar(newOs[k])));
  const oldDev = isObj(oldA.device) ? oldA.device : {};
  const newDev = isObj(newA.device) ? newA.device : {};
  for (const k of ['type', 'vendor', 'model', 'firmware']) out.push(scalarChange(`device.${k}`, scalar(oldDev[k]), scalar(newDev[k])));
  out.push(setChange('open_ports', openPorts(oldA.open_ports), openPorts(newA.open_ports), true));
  out.push(setChange('applications', strings(oldA.applications), strings(newA.applications), true));
  out.push(scalarChange('ip_assignment', scalar(oldA.ip_assignment), scalar(newA.ip_assignment)));
  out.push(scalarChange('vlan', scalar(oldA.vlan), scalar(newA.vlan)));
  out.push(scalarChange('nat_suspected', scalar(oldA.nat_suspected), scalar(newA.nat_suspected)));
  return out.filter((c): c is FieldChange => c !== null);
}

function assetRow(a: Obj): AssetRow {
  return { id: str(a.id) ?? '', ips: strings(a.ips), hostnames: strings(a.hostnames) };
}

function assetsById(report: Report): Map<string, Obj> {
  const m = new Map<string, Obj>();
  for (const a of report.assets) {
    const id = isObj(a) ? str(a.id) : null;
    if (id !== null && !m.has(id)) m.set(id, a);
  }
  return m;
}

function assetBytes(a: Obj): number {
  const t = isObj(a.traffic) ? a.traffic : {};
  return num(t.ingress_bytes) + num(t.egress_bytes);
}

/** "10.0.0.5 -> 10.0.0.1 53/udp": a flow key as one string. */
export function flowKeyText(k: FlowKey): string {
  return `${k.client} -> ${k.server} ${k.server_port}/${k.protocol}`;
}

function compareFlowKeys(a: FlowKey, b: FlowKey): number {
  return naturalCompare(a.client, b.client) || naturalCompare(a.server, b.server) || a.server_port - b.server_port || naturalCompare(a.protocol, b.protocol);
}

/** Flow rows summed by (client, server, server_port, protocol) over every interval and row. */
export function flowTotals(report: Report): Map<string, { key: FlowKey; bytes: number }> {
  const m = new Map<string, { key: FlowKey; bytes: number }>();
  for (const f of report.flows) {
    if (!isObj(f)) continue;
    const key: FlowKey = {
      client: String(f.client ?? ''),
      server: String(f.server ?? ''),
      server_port: num(f.server_port),
      protocol: String(f.protocol ?? ''),
    };
    const text = JSON.stringify([key.client, key.server, key.server_port, key.protocol]);
    const bytes = num(f.client_bytes) + num(f.server_bytes);
    const had = m.get(text);
    if (had) had.bytes += bytes;
    else m.set(text, { key, bytes });
  }
  return m;
}

/** |new − old| > tolerance% × old: with tolerance 0 any change, and any growth from 0. */
export function beyondTolerance(oldBytes: number, newBytes: number, tolerancePct: number): boolean {
  return Math.abs(newBytes - oldBytes) * 100 > tolerancePct * oldBytes;
}

function trafficChange(kind: 'asset' | 'flow', key: string, oldBytes: number, newBytes: number): TrafficChange {
  const pct = oldBytes === 0 ? null : Math.round(((newBytes - oldBytes) / oldBytes) * 10000) / 100;
  return { kind, key, old_bytes: oldBytes, new_bytes: newBytes, change_pct: pct };
}

function warningCodes(report: Report): Set<string> {
  const out = new Set<string>();
  for (const w of report.warnings ?? []) if (isObj(w) && typeof w.code === 'string') out.add(w.code);
  return out;
}

/** Everything that differs between `baseline` and `current`, as the nps.diff/v1 document. */
export function compareReports(baseline: Report, current: Report, opts: CompareOptions): DiffResult {
  const tol = opts.tolerancePct;
  const before = assetsById(baseline);
  const after = assetsById(current);
  const byId = (a: { id: string }, b: { id: string }) => idCompare(a.id, b.id);

  const assetsAdded = [...after.entries()].filter(([id]) => !before.has(id)).map(([, a]) => assetRow(a)).sort(byId);
  const assetsRemoved = [...before.entries()].filter(([id]) => !after.has(id)).map(([, a]) => assetRow(a)).sort(byId);
  const assetsChanged: ChangedAsset[] = [];
  const traffic: TrafficChange[] = [];
  for (const [id, oldA] of before) {
    const newA = after.get(id);
    if (newA === undefined) continue;
    const changes = assetChanges(oldA, newA);
    if (changes.length > 0) assetsChanged.push({ ...assetRow(newA), changes });
    const o = assetBytes(oldA);
    const n = assetBytes(newA);
    if (o !== n && beyondTolerance(o, n, tol)) traffic.push(trafficChange('asset', id, o, n));
  }
  assetsChanged.sort(byId);

  const flowsBefore = flowTotals(baseline);
  const flowsAfter = flowTotals(current);
  const flowsAdded = [...flowsAfter.entries()].filter(([k]) => !flowsBefore.has(k)).map(([, f]) => f.key).sort(compareFlowKeys);
  const flowsRemoved = [...flowsBefore.entries()].filter(([k]) => !flowsAfter.has(k)).map(([, f]) => f.key).sort(compareFlowKeys);
  const flowChanges: { key: FlowKey; change: TrafficChange }[] = [];
  for (const [k, o] of flowsBefore) {
    const n = flowsAfter.get(k);
    if (n === undefined || o.bytes === n.bytes || !beyondTolerance(o.bytes, n.bytes, tol)) continue;
    flowChanges.push({ key: o.key, change: trafficChange('flow', flowKeyText(o.key), o.bytes, n.bytes) });
  }
  flowChanges.sort((a, b) => compareFlowKeys(a.key, b.key));
  traffic.sort((a, b) => idCompare(a.key, b.key));
  traffic.push(...flowChanges.map((f) => f.change));

  const warnBefore = warningCodes(baseline);
  const warnAfter = warningCodes(current);
  const warningsAdded = [...warnAfter].filter((c) => !warnBefore.has(c)).sort();
  const warningsRemoved = [...warnBefore].filter((c) => !warnAfter.has(c)).sort();

  const summary: DiffSummary = {
    assets_added: assetsAdded.length,
    assets_removed: assetsRemoved.length,
    assets_changed: assetsChanged.length,
    flows_added: flowsAdded.length,
    flows_removed: flowsRemoved.length,
    traffic_changed: traffic.length,
    warnings_added: warningsAdded.length,
    warnings_removed: warningsRemoved.length,
  };
  return {
    schema: DIFF_SCHEMA,
    equal: differenceCount(summary) === 0,
    tolerance_pct: tol,
    summary,
    assets_added: assetsAdded,
    assets_removed: assetsRemoved,
    assets_changed: assetsChanged,
    flows_added: flowsAdded,
    flows_removed: flowsRemoved,
    traffic_changed: traffic,
    warnings_added: warningsAdded,
    warnings_removed: warningsRemoved,
  };
}

/** All differences counted: assets added, removed and changed, flows, traffic changes and warning codes. */
export function differenceCount(s: DiffSummary): number {
  return s.assets_added + s.assets_removed + s.assets_changed + s.flows_added + s.flows_removed + s.traffic_changed + s.warnings_added + s.warnings_removed;
}
