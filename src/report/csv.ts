/**
 * CSV views of a report (SPEC §6.1): assets, flows, traffic and merge
 * decisions (with the managed and unmanaged lists of nps merge), one record
 * per row with a header row, quoted by csv-stringify so spreadsheets open
 * them cleanly. Lists inside a cell are joined with spaces.
 */
import { lazyModule } from '../util/lazy-module.js';
import type { Json } from './build.js';

export const CSV_VIEWS = ['assets', 'flows', 'traffic', 'merge', 'managed', 'unmanaged'] as const;
export type CsvView = (typeof CSV_VIEWS)[number];

type Row = Record<string, Json>;
type Column = [header: string, get: (r: Row) => unknown];

const list = (v: unknown) => (Array.isArray(v) ? v.join(' ') : v);
const field = (obj: unknown, key: string) => (obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : null);

const ASSET_COLUMNS: Column[] = [
  ['id', (r) => r.id],
  ['identity', (r) => r.identity],
  ['ips', (r) => list(r.ips)],
  ['mac', (r) => r.mac],
  ['mac_vendor', (r) => r.mac_vendor],
  ['mac_local', (r) => r.mac_local],
  ['vlan', (r) => r.vlan],
  ['hostnames', (r) => list(r.hostnames)],
  ['domain', (r) => r.domain],
  ['os_name', (r) => field(r.os, 'name')],
  ['os_version', (r) => field(r.os, 'version')],
  ['os_family', (r) => field(r.os, 'family')],
  ['os_confidence', (r) => field(r.os, 'confidence')],
  ['device_type', (r) => field(r.device, 'type')],
  ['device_vendor', (r) => field(r.device, 'vendor')],
  ['device_model', (r) => field(r.device, 'model')],
  ['ip_assignment', (r) => r.ip_assignment],
  ['open_ports', (r) => (Array.isArray(r.open_ports) ? r.open_ports.map((p) => `${field(p, 'port')}/${field(p, 'proto')}`).join(' ') : '')],
  ['applications', (r) => list(r.applications)],
  ['first_seen', (r) => r.first_seen],
  ['last_seen', (r) => r.last_seen],
  ['ingress_bytes', (r) => field(r.traffic, 'ingress_bytes')],
  ['egress_bytes', (r) => field(r.traffic, 'egress_bytes')],
  ['nat_suspected', (r) => r.nat_suspected],
];

const FLOW_COLUMNS: Column[] = [
  'interval_start', 'interval_end', 'client', 'client_ip', 'server', 'server_ip', 'server_port', 'protocol', 'ip_version',
  'application', 'family', 'connections', 'client_packets', 'server_packets', 'client_bytes', 'server_bytes',
  'first_seen', 'last_seen', 'community_id',
].map((k): Column => [k, (r) => r[k]]);
FLOW_COLUMNS.push(['community_ids', (r) => list(r.community_ids)]);

const TRAFFIC_COLUMNS: Column[] = [
  'asset_id', 'interval_start', 'interval_end', 'role', 'peer', 'peer_ip', 'peer_asset_id', 'server_port', 'protocol',
  'application', 'family', 'connections', 'ingress_bytes', 'egress_bytes', 'ingress_packets', 'egress_packets',
].map((k): Column => [k, (r) => r[k]]);

const refs = (v: unknown) => (Array.isArray(v) ? v.map((a) => `${field(a, 'sensor')}/${field(a, 'id')}`).join(' ') : '');

/** Merge decisions (SPEC §7): one row per passive asset or group of duplicates. */
const MERGE_COLUMNS: Column[] = [
  ['asset_id', (r) => r.asset_id],
  ['sensors', (r) => list(r.sensors)],
  ['assets', (r) => refs(r.assets)],
  ['macs', (r) => list(r.macs)],
  ['ips', (r) => list(r.ips)],
  ['hostnames', (r) => list(r.hostnames)],
  ['first_seen', (r) => r.first_seen],
  ['last_seen', (r) => r.last_seen],
  ['decision', (r) => r.decision],
  ['managed_id', (r) => r.managed_id],
  ['rule', (r) => r.rule],
  ['reason', (r) => r.reason],
];

const MANAGED_COLUMNS: Column[] = [
  'managed_id', 'network', 'macs', 'ips', 'hostnames', 'last_scan', 'seen', 'passive', 'sensors', 'rules',
].map((k): Column => [k, (r) => list(r[k])]);

const UNMANAGED_COLUMNS: Column[] = ['asset_id', 'sensors', 'assets', 'macs', 'ips', 'hostnames', 'first_seen', 'last_seen'].map(
  (k): Column => [k, (r) => (k === 'assets' ? refs(r[k]) : list(r[k]))],
);

const COLUMNS: Record<CsvView, Column[]> = {
  assets: ASSET_COLUMNS,
  flows: FLOW_COLUMNS,
  traffic: TRAFFIC_COLUMNS,
  merge: MERGE_COLUMNS,
  managed: MANAGED_COLUMNS,
  unmanaged: UNMANAGED_COLUMNS,
};

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

/** Writes a view as CSV through `emit`, 1,000 rows at a time. */
export function writeCsv(view: CsvView, rows: Iterable<Row>, emit: (text: string) => void): void {
  const { stringify } = lazyModule<typeof import('csv-stringify/sync')>('csv-stringify/sync');
  const cols = COLUMNS[view];
  emit(stringify([cols.map((c) => c[0])]));
  let batch: string[][] = [];
  for (const r of rows) {
    batch.push(cols.map((c) => cell(c[1](r))));
    if (batch.length >= 1000) {
      emit(stringify(batch));
      batch = [];
    }
  }
  if (batch.length) emit(stringify(batch));
}

export function csvHeader(view: CsvView): string[] {
  return COLUMNS[view].map((c) => c[0]);
}
