/**
 * Small cell formatters and sort keys for the interactive view. The cell
 * texts follow the table format (src/report/table.ts) so both read alike.
 */
import type { Json } from '../report/build.js';

export type Obj = { [k: string]: Json };

/** Bytes in binary units, as the table format writes them. */
export { humanBytes } from '../report/table.js';

/** Control characters (from the network: hostnames, banners) would move the cursor: shown as dots. */
export function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f-\u009f]/.test(s) ? s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '.') : s;
}

/** A value as display text (control characters made harmless). */
export function str(v: Json | undefined): string {
  if (v === null || v === undefined) return '';
  return clean(typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
}

export function num(v: Json | undefined): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

export function strings(v: Json | undefined): string[] {
  return Array.isArray(v) ? v.map((x) => str(x)).filter((x) => x !== '') : [];
}

export function obj(v: Json | undefined): Obj | null {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : null;
}

export function pct(v: Json | undefined): string {
  return typeof v === 'number' ? `${Math.round(v * 100)}%` : '';
}

/** "Windows 10/11 10.0.19045 (90%)": the chosen OS with its confidence. */
export function osCell(os: Obj | null): string {
  if (os === null) return '';
  const v = os.version ? ` ${str(os.version)}` : '';
  return `${str(os.name)}${v} (${pct(os.confidence)})`;
}

/** "printer HP LaserJet M404", or what of it is known. */
export function deviceCell(d: Obj | null): string {
  if (d === null) return '';
  return [d.type, d.vendor, d.model].filter((x) => typeof x === 'string' && x !== '').join(' ');
}

/** First of a list, "+N" when there are more. */
export function firstPlus(list: string[]): string {
  if (list.length === 0) return '';
  return list.length > 1 ? `${list[0]} +${list.length - 1}` : list[0]!;
}

/** "YYYY-MM-DD HH:MM:SS" of an ISO time. */
export function shortTime(iso: Json | undefined): string {
  return typeof iso === 'string' ? iso.slice(0, 19).replace('T', ' ') : '';
}

/** Milliseconds of an ISO time (NaN when not a time); microseconds kept as a fraction. */
export function timeKey(iso: Json | undefined): number | null {
  if (typeof iso !== 'string' || iso === '') return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  const frac = /\.(\d+)/.exec(iso);
  // Date.parse keeps milliseconds only: add the rest of the fraction back.
  const extra = frac && frac[1]!.length > 3 ? Number(`0.${frac[1]!.slice(3)}`) : 0;
  return ms + extra;
}

function v4Hex(s: string): string | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  let out = '';
  for (let i = 1; i <= 4; i++) {
    const n = Number(m[i]);
    if (n > 255) return null;
    out += n.toString(16).padStart(2, '0');
  }
  return out;
}

function v6Hex(s: string): string | null {
  if (!s.includes(':')) return null;
  let text = s.split('%')[0]!.toLowerCase();
  // An embedded IPv4 tail ("::ffff:10.0.0.1").
  const tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (tail) {
    const h = v4Hex(tail[1]!);
    if (h === null) return null;
    text = text.slice(0, -tail[1]!.length) + `${h.slice(0, 4)}:${h.slice(4)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return null;
  const words = [...head, ...Array<string>(Math.max(0, missing)).fill('0'), ...rest];
  if (words.length !== 8 || words.some((w) => !/^[0-9a-f]{1,4}$/.test(w))) return null;
  return words.map((w) => w.padStart(4, '0')).join('');
}

/**
 * A string that sorts addresses numerically: IPv4 by octets, then IPv6, then
 * anything else (labels such as "External") alphabetically. Empty: null.
 */
export function ipSortKey(s: string): string | null {
  if (s === '' || s === '-') return null;
  const h4 = v4Hex(s);
  if (h4 !== null) return `4${h4}`;
  const h6 = v6Hex(s);
  if (h6 !== null) return `6${h6}`;
  return `9${s.toLowerCase()}`;
}

/** Cuts or pads to exactly `n` columns, with "…" when cut. */
export function fit(s: string, n: number): string {
  if (n <= 0) return '';
  return s.length > n ? s.slice(0, Math.max(0, n - 1)) + '…' : s.padEnd(n);
}

/** Cuts to at most `n` columns, with "…" when cut. */
export function cut(s: string, n: number): string {
  if (n <= 0) return '';
  return s.length > n ? s.slice(0, Math.max(0, n - 1)) + '…' : s;
}

/** Local wall-clock "hh:mm:ss". */
export function clock(d: Date): string {
  const p = (x: number) => String(x).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
