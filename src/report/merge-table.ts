/**
 * Merge decisions for a terminal (SPEC §7): one line per passive asset (or
 * group of duplicates) with its decision, and the reason wrapped beneath it,
 * then the managed assets no sensor saw.
 */
import type { ChalkInstance } from 'chalk';
import type { Json } from './build.js';
import { layout, wrap } from './table.js';

type Row = { [k: string]: Json };

export interface MergeTableOptions {
  width: number;
  color: ChalkInstance;
  /** merge: the decisions (default); managed: managed assets and what merged in; unmanaged: the passive assets left over. */
  view?: 'merge' | 'managed' | 'unmanaged';
}

const list = (v: Json | undefined): string[] => (Array.isArray(v) ? v.map(String) : []);
const joined = (v: Json | undefined, max = 2): string => {
  const l = list(v);
  return l.slice(0, max).join(', ') + (l.length > max ? ` +${l.length - max}` : '');
};

/** `managed` null: decisions only (analyze --managed), without the managed-side counts. */
export function renderMergeTable(records: Row[], managedRows: Row[] | null, opts: MergeTableOptions): string {
  const managed = managedRows ?? [];
  const c = opts.color;
  const out: string[] = [];
  const view = opts.view ?? 'merge';
  const merged = records.filter((r) => r.decision === 'merge').length;
  const seen = managed.filter((m) => m.seen === true).length;
  if (view === 'merge') {
    out.push(
      c.bold(
        `Merge decisions (${records.length} passive ${records.length === 1 ? 'asset' : 'assets'}: ${merged} merged, ${records.length - merged} unmanaged` +
          (managedRows === null ? ')' : `; ${managed.length} managed, ${managed.length - seen} not seen)`),
      ),
    );
    if (records.length === 0) out.push('  (none)');
    const headers = ['ASSET', 'IP', 'HOSTNAME', 'SENSORS', 'DECISION', 'MANAGED', 'RULE'];
    const rows = records.map((r) => [
      String(r.asset_id),
      joined(r.ips),
      joined(r.hostnames, 1),
      joined(r.sensors, 3),
      String(r.decision),
      r.managed_id === null ? '-' : String(r.managed_id),
      r.rule === null ? '-' : String(r.rule),
    ]);
    const lines = layout(headers, rows, opts.width, [3, 2, 1], [0, 2, 1]);
    if (records.length) out.push(c.dim(lines[0]!));
    records.forEach((r, i) => {
      const line = lines[i + 1]!;
      out.push(r.decision === 'merge' ? line : c.yellow(line));
      const reason = wrap(String(r.reason), Math.max(20, opts.width - 4));
      out.push(...reason.split('\n').map((l) => c.dim(`    ${l}`)));
      for (const j of (r.joined as Row[] | undefined) ?? []) {
        const w = j.asset as Row;
        const other = j.with as Row;
        const text = wrap(`${String(w.sensor)}/${String(w.id)} is the same machine as ${String(other.sensor)}/${String(other.id)} (${String(j.rule)}): ${String(j.reason)}`, Math.max(20, opts.width - 4));
        out.push(...text.split('\n').map((l) => c.dim(`    ${l}`)));
      }
    });
  } else if (view === 'managed') {
    out.push(c.bold(`Managed assets (${managed.length}: ${seen} seen by the sensors, ${managed.length - seen} not seen)`));
    const rows = managed.map((m) => [
      String(m.managed_id),
      String(m.network),
      joined(m.ips),
      joined(m.hostnames, 1),
      m.seen ? joined(m.passive) : '-',
      joined(m.sensors, 3),
      joined(m.rules, 3),
    ]);
    if (rows.length === 0) out.push('  (none)');
    else {
      const lines = layout(['MANAGED', 'NETWORK', 'IP', 'HOSTNAME', 'PASSIVE', 'SENSORS', 'RULES'], rows, opts.width, [1, 5, 3], [4, 0, 3]);
      out.push(c.dim(lines[0]!), ...lines.slice(1));
    }
  } else {
    const unmanaged = records.filter((r) => r.decision === 'no-merge');
    out.push(c.bold(`Unmanaged assets (${unmanaged.length})`));
    const rows = unmanaged.map((r) => [String(r.asset_id), joined(r.ips), joined(r.macs, 1), joined(r.hostnames, 1), joined(r.sensors, 3), String(r.last_seen).slice(0, 19).replace('T', ' ')]);
    if (rows.length === 0) out.push('  (none)');
    else {
      const lines = layout(['ASSET', 'IP', 'MAC', 'HOSTNAME', 'SENSORS', 'LAST SEEN'], rows, opts.width, [5, 4, 2], [0, 3, 1]);
      out.push(c.dim(lines[0]!), ...lines.slice(1));
    }
  }
  return out.join('\n') + '\n';
}
