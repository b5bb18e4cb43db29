/** The push document (`nps.push/v1`, docs/push.schema.json) and the key that makes a retry harmless. */
import type { Json } from '../report/build.js';

export const PUSH_SCHEMA = 'nps.push/v1';

export type JsonObject = { [k: string]: Json };

export interface PushDocument {
  schema: typeof PUSH_SCHEMA;
  generator: { name: string; version: string };
  sensor: { name: string; network: string };
  sequence: number;
  idempotency_key: string;
  interval: { start: string; end: string };
  final: boolean;
  new_assets: JsonObject[];
  changed_assets: JsonObject[];
  removed_assets: string[];
  flows: JsonObject[];
}

/** sensor (percent-encoded) / interval start / interval end / sequence. */
export function idempotencyKey(sensor: string, start: string, end: string, sequence: number): string {
  return `${encodeURIComponent(sensor)}/${start}/${end}/${sequence}`;
}

/** The fields that name a flow row; the receiver sums the counts of pushes with equal keys. */
export const FLOW_KEY_FIELDS = ['interval_start', 'client', 'client_ip', 'server', 'server_ip', 'server_port', 'protocol', 'ip_version'] as const;
export const FLOW_COUNT_FIELDS = ['connections', 'client_packets', 'server_packets', 'client_bytes', 'server_bytes'] as const;

export function flowKey(row: JsonObject): string {
  return FLOW_KEY_FIELDS.map((k) => String(row[k])).join('|');
}
