/**
 * Human-readable tables for a terminal: the assets, the busiest flows, and a
 * one-paragraph summary. Widths fit the terminal; colour only when asked.
 */
import type { ChalkInstance } from 'chalk';
import type { Report } from './build.js';

export interface TableOptions {
  width: number;
  color: ChalkInstance;
  /** Which tables: all (assets and the busiest flows), or one view in full. */
  view?: 'all' | 'assets' | 'flows' | 'traffic';
  /** Flow rows shown (the busiest first). */
  maxFlows?: number;
  /** Flow rows in all, when `report.flows` holds only the busiest (see busiestFlows). */
  flowRows?: number;
}

/** Flow rows the tables show by default. */
export const TABLE_FLOWS = 25;

const rowBytes = (f: Record<string, unknown>) => (f.client_bytes as number) + (f.server_bytes as number);

/**
 * The `n` busiest of `rows` (most bytes first; ties in the order they came,
 * as a stable sort of them all would give) and how many there were, holding
 * no more than `n` at a time: a scan's half a million rows are not kept to
 * show 25.
 */
export function busiestFlows<T extends Record<string, unknown>>(rows: Iterable<T>, n = TABLE_FLOWS): { top: T[]; count: number } {
  const top: T[] = [];
  let count = 0;
  for (const f of rows) {
    count++;
    const b = rowBytes(f);
    if (top.length === n && (n === 0 || b <= rowBytes(top[n - 1]!))) continue;
    // After every kept row with at least as many bytes (ties keep arrival order).
    let i = top.length;
    while (i > 0 && rowBytes(top[i - 1]!) < b) i--;
    top.splice(i, 0, f);
    if (top.length > n) top.pop();
  }
  return { top, count };
}

type Cell = string;

/** "1.2 KiB": bytes in binary units. */
export function humanBytes(n: number): string {
  if (!Number.isFinite(n)) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

export function shortTime(iso: unknown): string {
  return typeof iso === 'string' ? iso.slice(0, 19).replace('T', ' ') : '';
}

/**
 * Lays out rows in columns that fit `width`: columns in `drop` are left out,
 * in that order, while the table would be too wide even with the columns in
 * `shrink` cut to `minWidth`; then those are cut (with an ellipsis), in order,
 * as far as needed.
 */
export function layout(headers: string[], rows: Cell[][], width: number, drop: number[], shrink: number[], minWidth = 15): string[] {
  // A column empty in every row says nothing: left out (the first is always kept).
  let cols = headers.map((_, i) => i).filter((i) => i === 0 || rows.some((r) => r[i] !== ''));
  const natural = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const total = (c: number[], w: number[]) => c.reduce((a, i) => a + w[i]!, 0) + 2 * (c.length - 1);
  const w = natural.slice();
  // Columns are dropped only while the table would not fit even with the shrinkable ones cut to minWidth.
  const least = natural.map((n, i) => (shrink.includes(i) ? Math.min(minWidth, n) : n));
  for (const d of drop) {
    if (total(cols, least) <= width) break;
    cols = cols.filter((i) => i !== d);
  }
  for (const i of shrink) {
    const over = total(cols, w) - width;
    if (over <= 0) break;
    if (!cols.includes(i)) continue;
    w[i] = Math.max(Math.min(minWidth, natural[i]!), w[i]! - over);
  }
  const fit = (s: string, n: number) => (s.length > n ? s.slice(0, Math.max(0, n - 1)) + '…' : s.padEnd(n));
  const line = (cells: string[]) => cols.map((i) => fit(cells[i]!, w[i]!)).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** Wraps a sentence at spaces to `width`. */
export function wrap(text: string, width: number): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out.join('\n');
}

/** "Windows 10/11 10.0.19045 (90%)": the chosen OS with its confidence. */
function osCell(os: Record<string, unknown> | null): string {
  if (os === null) return '';
  const v = os.version ? ` ${os.version as string}` : '';
  return `${os.name as string}${v} (${Math.round((os.confidence as number) * 100)}%)`;
}

/** "printer HP LaserJet M404" or the vendor alone. */
function deviceCell(d: Record<string, unknown> | null): string {
  if (d === null) return '';
  return [d.type, d.vendor, d.model].filter((x) => typeof x === 'string' && x !== '').join(' ');
}

export function renderTable(report: Report, opts: TableOptions): string {
  const c = opts.color;
  const out: string[] = [];
  const cap = report.capture as Record<string, unknown>;
  const view = opts.view ?? 'all';
  const section = (title: string, headers: string[], rows: Cell[][], drop: number[], shrink: number[]) => {
    if (out.length) out.push('');
    out.push(c.bold(title));
    if (rows.length === 0) {
      out.push('  (none)');
      return;
    }
    const lines = layout(headers, rows, opts.width, drop, shrink);
    out.push(c.dim(lines[0]!), ...lines.slice(1));
  };
  if (view === 'all' || view === 'assets') {
    const assetRows = report.assets.map((a) => [
      (a.ips as string[]).join(', ') || '-',
      (a.mac as string | null) ?? '-',
      (a.mac_vendor as string | null) ?? '',
      ((a.hostnames as string[])[0] ?? '') + ((a.hostnames as string[]).length > 1 ? ` +${(a.hostnames as string[]).length - 1}` : ''),
      osCell(a.os as Record<string, unknown> | null),
      deviceCell(a.device as Record<string, unknown> | null),
      a.vlan === null ? '' : String(a.vlan),
      (a.open_ports as { proto: string; port: number }[]).map((p) => `${p.port}/${p.proto}`).join(' '),
      shortTime(a.last_seen),
      humanBytes(((a.traffic as Record<string, number>).ingress_bytes ?? 0) + ((a.traffic as Record<string, number>).egress_bytes ?? 0)),
    ]);
    section(
      `Assets (${report.assets.length})`,
      ['IP', 'MAC', 'VENDOR', 'HOSTNAME', 'OS', 'DEVICE', 'VLAN', 'OPEN PORTS', 'LAST SEEN', 'TRAFFIC'],
      assetRows,
      [2, 8, 6, 1, 9, 4, 5],
      [5, 7, 3, 4, 0],
    );
  }
  if (view === 'all' || view === 'flows') {
    const maxFlows = view === 'flows' ? Infinity : (opts.maxFlows ?? TABLE_FLOWS);
    const flows = [...report.flows].sort((x, y) => rowBytes(y) - rowBytes(x));
    const total = opts.flowRows ?? flows.length;
    const flowRows = flows.slice(0, maxFlows).map((f) => [
      String(f.client),
      String(f.server),
      `${f.server_port}/${f.protocol}`,
      String(f.application),
      String(f.connections),
      humanBytes(f.client_bytes as number),
      humanBytes(f.server_bytes as number),
    ]);
    const title = `Flows (${total} rows${total > maxFlows ? `, ${maxFlows} busiest shown; --view flows lists all` : ''})`;
    section(title, ['CLIENT', 'SERVER', 'PORT', 'APP', 'CONNS', 'SENT', 'RECEIVED'], flowRows, [4, 3], [0, 1]);
  }
  if (view === 'traffic') {
    const rows = report.traffic.map((t) => [
      String(t.asset_id),
      shortTime(t.interval_start),
      String(t.role),
      String(t.peer),
      `${t.server_port}/${t.protocol}`,
      String(t.application),
      humanBytes(t.ingress_bytes as number),
      humanBytes(t.egress_bytes as number),
    ]);
    section(`Traffic by asset (${rows.length} rows)`, ['ASSET', 'INTERVAL', 'ROLE', 'PEER', 'PORT', 'APP', 'IN', 'OUT'], rows, [1, 5], [0, 3]);
  }

  out.push(
    '',
    c.dim(
      wrap(`${cap.packets} packets, ${humanBytes(cap.bytes as number)}, ${cap.connections} connections` +
        (cap.first_ts ? `, ${shortTime(cap.first_ts)} to ${shortTime(cap.last_ts)} UTC` : '') +
        (report.warnings.length ? `; ${report.warnings.length} warning(s) (see -f json)` : ''), opts.width),
    ),
  );
  return out.join('\n') + '\n';
}
