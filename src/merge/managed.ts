/**
 * The managed inventory: the asset list a vulnerability scanner or endpoint
 * agent already manages, read from CSV, JSON or NDJSON so the merge can tell
 * which passively observed assets are the same machines.
 *
 * Fields of an asset (CSV headers and JSON keys; case-insensitive, spaces and
 * dashes count as underscores):
 *   id         required, unique in the file
 *   macs       aliases mac, mac_address, mac_addresses
 *   ips        aliases ip, ip_address, ip_addresses, addresses
 *   hostnames  aliases hostname, host_name, host_names, fqdn, fqdns
 *   network    optional, "default" when empty or missing
 *   last_scan  aliases lastscan, last_scanned, last_seen; optional, null when empty
 * An asset needs at least one MAC, IP address or host name.
 *
 * Values:
 *   MAC        00:11:22:33:44:55, 00-11-22-33-44-55, 0011.2233.4455 or
 *              001122334455 (any case) → "00:11:22:33:44:55".
 *   IP         strict dotted-quad IPv4 (no "10.1", no leading zeros / octal);
 *              IPv6 → RFC 5952 lower case, IPv4-mapped kept as ::ffff:a.b.c.d.
 *              A CIDR or a range is refused: managed assets list addresses.
 *   host name  trimmed, lower-cased, one trailing dot dropped; labels of
 *              letters, digits, "-" and "_" (NetBIOS names), 1–63 characters,
 *              253 characters in all.
 *   last_scan  ISO 8601: 2026-01-14T06:00:00Z, with fractional seconds (kept to
 *              the microsecond), with a +hh:mm, +hhmm or +hh offset (or "UTC"),
 *              with a space instead of "T", seconds optional. A date-time
 *              WITHOUT a zone is taken as UTC (scanners export UTC far more
 *              often than local time, and the sensor has no way to know the
 *              exporting machine's zone). A date alone is midnight UTC. A number
 *              is Unix epoch seconds (integer or fractional). → microseconds.
 *   multi-valued fields (macs, ips, hostnames): in a CSV cell or a JSON
 *              string, values are separated by ";", "|", "," or white space;
 *              in JSON an array of strings holds one value per element.
 *   JSON null counts as a missing value; a JSON integer id is taken as its
 *   decimal text.
 *
 * Unknown columns or keys are ignored with a note, unless they are within a
 * small edit distance of a known name (e.g. "hostnmes"): then they are an
 * error, since a typo would otherwise silently drop data.
 *
 * Every problem in the content is collected and thrown together as a
 * ManagedInventoryError (sorted by position, at most 100 listed).
 */

import { editDistance } from '../config/edit-distance.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type IpAddr from 'ipaddr.js';
import type { Document } from 'yaml';
import { lazyModule } from '../util/lazy-module.js';
import { parseMac } from '../config/load.js';
import { ip6ToString, macToString } from '../inventory/addr-format.js';

/** ipaddr.js, loaded when an address is first parsed (util/lazy-module.ts). */
const ipaddrLib = (): typeof IpAddr => lazyModule<typeof IpAddr>('ipaddr.js');
import { ManagedInventoryError, type ManagedAsset, type ManagedIssue } from './types.js';

export type ManagedFormat = 'csv' | 'json' | 'ndjson';

/** The inventory file could not be read at all (missing, a directory, no permission…). */
export class ManagedInputReadError extends Error {
  readonly path: string;
  readonly code: string | undefined;
  constructor(path: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | null)?.code;
    super(`cannot read the managed inventory "${path}": ${readReason(code, cause)}`, { cause });
    this.name = 'ManagedInputReadError';
    this.path = path;
    this.code = code;
  }
}

function readReason(code: string | undefined, cause: unknown): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory (ENOENT); check the path, or export the inventory from the scanner or agent as CSV, JSON or NDJSON first';
    case 'EISDIR':
      return 'it is a directory (EISDIR); give the path of the inventory file itself (.csv, .json or .ndjson)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code}); make the file readable by this user`;
    case 'ENOTDIR':
      return 'a part of the path is not a directory (ENOTDIR); check the path';
    default: {
      const msg = cause instanceof Error ? cause.message : String(cause);
      return `${msg}; check that the path names a readable file`;
    }
  }
}

// ---------------------------------------------------------------------------
// Public API

const MAX_ISSUES = 100;
const MAX_NOTES = 100;

/** Reads an inventory file; the format comes from the extension, else from the content. */
export function loadManagedInventory(path: string): { assets: ManagedAsset[]; notes: string[]; sha256: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new ManagedInputReadError(path, err);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const loose = new TextDecoder('utf-8').decode(bytes);
    const bad = Math.max(0, loose.indexOf('\uFFFD'));
    const where = new TextIndex(loose.charCodeAt(0) === 0xfeff ? loose.slice(1) : loose).pos(Math.max(0, bad - (loose.charCodeAt(0) === 0xfeff ? 1 : 0)));
    throw new ManagedInventoryError([
      { file: path, ...where, message: 'the file is not UTF-8 text; export or save the inventory as UTF-8' },
    ]);
  }
  const ext = extname(path).toLowerCase();
  const format: ManagedFormat | undefined =
    ext === '.csv' ? 'csv' : ext === '.json' ? 'json' : ext === '.ndjson' || ext === '.jsonl' ? 'ndjson' : undefined;
  return { ...parseManagedInventory(text, path, format), sha256 };
}

/**
 * Parses inventory text. `file` is only used in messages. Without `format`, the
 * content decides: "[" → JSON; "{" → JSON when the whole text is one object
 * holding "assets", else NDJSON; anything else → CSV.
 */
export function parseManagedInventory(text: string, file: string, format?: ManagedFormat): { assets: ManagedAsset[]; notes: string[] } {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let parsed: { value: unknown } | undefined;
  if (format === undefined) {
    const detected = detectFormat(text);
    format = detected.format;
    parsed = detected.parsed;
  }
  if (format === 'csv') return parseCsvInventory(text, file);
  if (format === 'json') return parseJsonInventory(text, file, parsed);
  return parseNdjsonInventory(text, file);
}

function detectFormat(text: string): { format: ManagedFormat; parsed?: { value: unknown } } {
  const m = /\S/.exec(text);
  const first = m ? m[0] : '';
  if (first === '[') return { format: 'json' };
  if (first !== '{') return { format: 'csv' };
  try {
    const value: unknown = JSON.parse(text);
    if (isPlainObject(value) && !Object.keys(value).some((k) => normName(k) === 'assets')) return { format: 'ndjson' };
    return { format: 'json', parsed: { value } };
  } catch {
    // Not one JSON document: NDJSON when the first non-empty line is an object on its own.
    const start = m!.index;
    const nl = text.indexOf('\n', start);
    const line = text.slice(start, nl < 0 ? text.length : nl);
    try {
      if (isPlainObject(JSON.parse(line))) return { format: 'ndjson' };
    } catch {
      // fall through
    }
    return { format: 'json' };
  }
}

// ---------------------------------------------------------------------------
// Names

type Field = 'id' | 'macs' | 'ips' | 'hostnames' | 'network' | 'last_scan';
const MULTI = new Set<Field>(['macs', 'ips', 'hostnames']);

const NAMES: Record<string, Field> = {
  id: 'id',
  macs: 'macs',
  mac: 'macs',
  mac_address: 'macs',
  mac_addresses: 'macs',
  ips: 'ips',
  ip: 'ips',
  ip_address: 'ips',
  ip_addresses: 'ips',
  addresses: 'ips',
  hostnames: 'hostnames',
  hostname: 'hostnames',
  host_name: 'hostnames',
  host_names: 'hostnames',
  fqdn: 'hostnames',
  fqdns: 'hostnames',
  network: 'network',
  last_scan: 'last_scan',
  lastscan: 'last_scan',
  last_scanned: 'last_scan',
  last_seen: 'last_scan',
};
const KNOWN = Object.keys(NAMES);

const normCache = new Map<string, string>();
function normName(name: string): string {
  let n = normCache.get(name);
  if (n === undefined) {
    n = name.trim().toLowerCase().replace(/[\s-]+/g, '_');
    if (normCache.size < 10000) normCache.set(name, n);
  }
  return n;
}

/**
 * The known name an unknown one is probably a typo of: within 2 edits, or 1
 * edit when either name has 4 characters or fewer (so "os" or "tags" stay
 * unrelated to "ip" or "macs").
 */
function suggestName(norm: string, known: readonly string[] = KNOWN): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const k of known) {
    const limit = Math.min(k.length, norm.length) <= 4 ? 1 : 2;
    const d = editDistance(norm, k, limit);
    if (d <= limit && d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

function typoMessage(kind: 'column' | 'key', raw: string, suggestion: string): string {
  return `unknown ${kind} "${raw}"; did you mean "${suggestion}"? Fix the name: an unknown ${kind} this close to a known one is refused so that a typo does not silently drop its data`;
}

function unusedNote(kind: 'column' | 'key', raw: string): string {
  return `${kind} "${raw}" is not used by merging; ignored`;
}

// ---------------------------------------------------------------------------
// Values

export type Check<T> = { ok: true; value: T } | { ok: false; message: string };
const ok = <T>(value: T): Check<T> => ({ ok: true, value });
const bad = <T>(message: string): Check<T> => ({ ok: false, message });

function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
}

/** Splits a multi-valued cell: ";", "|", "," or white space; empty items dropped. */
export function splitValues(s: string): string[] {
  return s.split(/[;|,\s]+/).filter((x) => x !== '');
}

const MAC_CANONICAL = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

export function normaliseMac(text: string): Check<string> {
  const t = text.trim();
  const lower = t.toLowerCase();
  if (MAC_CANONICAL.test(lower)) return ok(lower); // the common case, without a round trip
  const n = /^[0-9a-f]{12}$/i.test(t) ? parseInt(t, 16) : parseMac(t);
  if (n === null) {
    return bad(`${quote(t)} is not a MAC address; expected six hex pairs like 00:11:22:33:44:55 (also 00-11-22-33-44-55, 0011.2233.4455 or 001122334455)`);
  }
  return ok(macToString(n));
}

const V4_PART = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const V4 = new RegExp(`^${V4_PART}(?:\\.${V4_PART}){3}$`);
const IP_EXPECTED = 'expected a single IPv4 address like 10.0.0.1 or IPv6 address like fd00::1';

function looksLikeIp(s: string): boolean {
  return ipaddrLib().isValid(s.trim());
}

export function normaliseIp(text: string): Check<string> {
  const t = text.trim();
  if (t.includes('/')) {
    return bad(`${quote(t)} is a network (CIDR); a single address is expected; managed assets list their addresses`);
  }
  if (t.includes('-')) {
    const parts = t.split('-');
    if (parts.length === 2 && looksLikeIp(parts[0]!) && looksLikeIp(parts[1]!)) {
      return bad(`${quote(t)} is a range; a single address is expected; managed assets list their addresses`);
    }
    return bad(`${quote(t)} is not an IP address; ${IP_EXPECTED}`);
  }
  if (t.includes(':')) {
    if (t.includes('%')) return bad(`${quote(t)} has a zone index ("%…"); write the IPv6 address without it`);
    let six = t;
    const tail = t.includes('.') ? /^(.*:)([0-9.]+)$/.exec(t) : null;
    if (tail) {
      if (!V4.test(tail[2]!)) return bad(`${quote(t)} is not an IP address; the IPv4 part of an IPv6 address must be a dotted quad like ::ffff:10.0.0.1`);
      const [a, b, c, d] = tail[2]!.split('.').map(Number) as [number, number, number, number];
      six = `${tail[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    }
    const p = ipv6Groups(six);
    if (!p) return bad(`${quote(t)} is not an IP address; ${IP_EXPECTED}`);
    const words = [0, 1, 2, 3].map((i) => ((p[2 * i]! << 16) | p[2 * i + 1]!) >>> 0);
    return ok(ip6ToString(words));
  }
  if (V4.test(t)) return ok(t);
  if (ipaddrLib().IPv4.isValid(t)) {
    return bad(`${quote(t)} is not a dotted-quad IPv4 address; write four decimal parts 0-255 without leading zeros, like 10.0.0.1`);
  }
  return bad(`${quote(t)} is not an IP address; ${IP_EXPECTED}`);
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * The eight 16-bit groups of an IPv6 address in hex-group text form (RFC 4291
 * §2.2, the dotted tail already turned into groups), or null. Written out
 * rather than through ipaddr.js, which takes several times longer; strict: at
 * most one "::", 1-4 hex digits per group, exactly eight groups in all.
 */
function ipv6Groups(s: string): number[] | null {
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return null;
  const head = dbl >= 0 ? s.slice(0, dbl) : s;
  const tail = dbl >= 0 ? s.slice(dbl + 2) : '';
  const hp = head === '' ? [] : head.split(':');
  const tp = tail === '' ? [] : tail.split(':');
  if (dbl < 0 ? hp.length !== 8 : hp.length + tp.length > 7) return null;
  const out: number[] = [];
  for (const g of hp) {
    if (!HEX_GROUP.test(g)) return null;
    out.push(parseInt(g, 16));
  }
  for (let k = hp.length + tp.length; k < 8; k++) out.push(0);
  for (const g of tp) {
    if (!HEX_GROUP.test(g)) return null;
    out.push(parseInt(g, 16));
  }
  return out;
}

const HOST_EXPECTED = 'expected a DNS or NetBIOS name of letters, digits, "-" and "_", like web-01.corp.example';

const HOST_FAST = /^[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*$/;

export function normaliseHostname(text: string): Check<string> {
  const t = text.trim();
  let h = t.toLowerCase();
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (h.length <= 253 && HOST_FAST.test(h)) return ok(h);
  if (h.length === 0) return bad(`${quote(t)} is not a host name; ${HOST_EXPECTED}`);
  if (h.length > 253) return bad(`${quote(t)} is longer than 253 characters; ${HOST_EXPECTED}`);
  for (const label of h.split('.')) {
    if (label.length === 0) return bad(`${quote(t)} has an empty label (".." or a leading dot); ${HOST_EXPECTED}`);
    if (label.length > 63) return bad(`${quote(t)} has a label longer than 63 characters; ${HOST_EXPECTED}`);
    if (!/^[a-z0-9_-]+$/.test(label)) return bad(`${quote(t)} is not a host name; ${HOST_EXPECTED}`);
  }
  return ok(h);
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)? ?(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?)?$/;
const SCAN_EXPECTED =
  'expected an ISO 8601 date-time like 2026-01-14T06:00:00Z (also 2026-01-14 06:00:00+01:00, 2026-01-14T06:00:00.5Z, 2026-01-14) or Unix epoch seconds like 1768370400';
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function epochSeconds(sec: number, shown: string): Check<number> {
  if (!Number.isFinite(sec) || sec < 0) return bad(`${shown} is not a valid time: epoch seconds must not be negative; ${SCAN_EXPECTED}`);
  if (sec >= 1e11) return bad(`${shown} is too large for epoch seconds (milliseconds?); ${SCAN_EXPECTED}`);
  return ok(Math.round(sec * 1e6));
}

/** last_scan → microseconds since the epoch; strings and JSON numbers. */
export function parseLastScan(v: string | number): Check<number> {
  if (typeof v === 'number') return epochSeconds(v, String(v));
  const t = v.trim();
  const num = /^(\d+)(?:\.(\d+))?$/.exec(t);
  if (num) {
    const whole = Number(num[1]);
    const r = epochSeconds(whole, quote(t));
    if (!r.ok) return r;
    const frac = num[2] ? Number((num[2] + '000000').slice(0, 6)) : 0;
    return ok(whole * 1e6 + frac);
  }
  const m = ISO.exec(t);
  if (!m) return bad(`${quote(t)} is not a date-time; ${SCAN_EXPECTED}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [h, mi, s] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const fracUs = m[7] ? Number((m[7] + '000000').slice(0, 6)) : 0;
  if (mo < 1 || mo > 12) return bad(`${quote(t)} has month ${m[2]}; months are 01-12; ${SCAN_EXPECTED}`);
  if (h > 23 || mi > 59 || s > 59) return bad(`${quote(t)} has an impossible time of day; ${SCAN_EXPECTED}`);
  let offsetMin = 0;
  const zone = m[8];
  if (zone && zone !== 'Z' && zone !== 'z' && zone !== 'UTC') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (oh > 23 || om > 59) return bad(`${quote(t)} has an impossible UTC offset; ${SCAN_EXPECTED}`);
    offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    const days = new Date(Date.UTC(2000, mo, 0)).getUTCDate() - (mo === 2 && !isLeap(y) ? 1 : 0);
    return bad(`${quote(t)} is not a valid date: ${MONTHS[mo - 1]} ${y} has ${days} days; ${SCAN_EXPECTED}`);
  }
  const us = (date.getTime() - offsetMin * 60_000) * 1000 + fracUs;
  if (!Number.isSafeInteger(us)) return bad(`${quote(t)} is too far from today to be a scan time; ${SCAN_EXPECTED}`);
  return ok(us);
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'boolean') return `a boolean (${v})`;
  if (typeof v === 'number') return `a number (${v})`;
  if (typeof v === 'string') return 'a string';
  return typeof v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------
// Positions

/** Offsets → 1-based line and column (columns in code points). */
class TextIndex {
  private starts: number[] | null = null;
  constructor(private readonly text: string) {}
  pos(offset: number): { line: number; column: number } {
    if (!this.starts) {
      const s = [0];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) s.push(i + 1);
      this.starts = s;
    }
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: codePoints(this.text, s[lo]!, offset) + 1 };
  }
}

function codePoints(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

/** Sorts, then keeps the first 100 with one more issue telling how many were left out. */
function finishIssues(issues: ManagedIssue[], total = issues.length): ManagedIssue[] {
  issues.sort((a, b) => a.line - b.line || a.column - b.column);
  if (total <= MAX_ISSUES) return issues;
  const next = issues[MAX_ISSUES];
  const shown = issues.slice(0, MAX_ISSUES);
  const last = shown[shown.length - 1]!;
  shown.push({
    file: last.file,
    line: next ? next.line : last.line,
    column: next ? next.column : last.column,
    message: `${total - MAX_ISSUES} more issue${total - MAX_ISSUES === 1 ? '' : 's'} not shown; fix the ones above and run again`,
  });
  return shown;
}

function finishNotes(notes: { line: number; column: number; text: string }[], file: string): string[] {
  notes.sort((a, b) => a.line - b.line || a.column - b.column);
  const out = notes.slice(0, MAX_NOTES).map((n) => `${file}:${n.line}:${n.column}: ${n.text}`);
  if (notes.length > MAX_NOTES) {
    const n = notes[MAX_NOTES]!;
    out.push(`${file}:${n.line}:${n.column}: ${notes.length - MAX_NOTES} more unused columns or keys not listed`);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Assets (shared by the formats)

/** Builds one asset; `report(where, field, message)` records an issue at a format-specific place. */
class AssetDraft<L> {
  id: string | null = null;
  idWhere: L | null = null;
  idField = 'id';
  readonly macs: string[] = [];
  readonly ips: string[] = [];
  readonly hostnames: string[] = [];
  network: string | null = null;
  lastScanUs: number | null = null;
  rejectedMatch = false;
  idBad = false;

  constructor(
    readonly line: number,
    private readonly report: (where: L, field: string | undefined, message: string) => void,
  ) {}

  /** One text value of a multi-valued field (already split). */
  addValue(field: 'macs' | 'ips' | 'hostnames', text: string, where: L, name: string): void {
    const r = field === 'macs' ? normaliseMac(text) : field === 'ips' ? normaliseIp(text) : normaliseHostname(text);
    if (r.ok) this[field].push(r.value);
    else {
      this.rejectedMatch = true;
      this.report(where, name, r.message);
    }
  }

  setId(text: string, where: L, name: string): void {
    this.idField = name;
    const t = text.trim();
    this.idWhere = where;
    if (t === '') {
      this.idBad = true;
      this.report(where, name, 'id is empty; every asset needs its inventory identifier');
    } else this.id = t;
  }

  setNetwork(text: string): void {
    const t = text.trim();
    if (t !== '') this.network = t;
  }

  setLastScan(v: string | number, where: L, name: string): void {
    if (typeof v === 'string' && v.trim() === '') return;
    const r = parseLastScan(v);
    if (r.ok) this.lastScanUs = r.value;
    else this.report(where, name, r.message);
  }

  /** Final checks; null when the asset is not usable. */
  finish(seen: Map<string, number>, start: L): ManagedAsset | null {
    let usable = true;
    if (this.id === null) {
      usable = false;
      if (!this.idBad) this.report(start, 'id', 'this asset has no id; every asset needs its inventory identifier');
    } else {
      const first = seen.get(this.id);
      if (first !== undefined) {
        usable = false;
        this.report(this.idWhere ?? start, this.idField, `id ${quote(this.id)} is already used by the asset on line ${first}; ids must be unique`);
      } else seen.set(this.id, this.line);
    }
    if (this.macs.length === 0 && this.ips.length === 0 && this.hostnames.length === 0) {
      usable = false;
      if (!this.rejectedMatch) {
        const who = this.id !== null ? `asset ${quote(this.id)}` : 'this asset';
        this.report(start, undefined, `${who} has nothing to match on; give at least one MAC, IP address or host name`);
      }
    }
    if (!usable || this.rejectedMatch) return null;
    return {
      id: this.id!,
      macs: sorted(this.macs),
      ips: sorted(this.ips),
      hostnames: sorted(this.hostnames),
      network: this.network ?? 'default',
      lastScanUs: this.lastScanUs,
      line: this.line,
    };
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** Sorted, without duplicates (in place). */
function sorted(a: string[]): string[] {
  if (a.length < 2) return a;
  a.sort(cmp);
  let w = 1;
  for (let r = 1; r < a.length; r++) if (a[r] !== a[w - 1]) a[w++] = a[r]!;
  a.length = w;
  return a;
}

// ---------------------------------------------------------------------------
// CSV

interface Cell {
  value: string;
  line: number;
  column: number;
}

interface Row {
  cells: Cell[];
  line: number;
  /** An unterminated quote swallowed the rest of the file from this row on. */
  broken: boolean;
}

/**
 * RFC 4180 reader: "," separator, '"' quoting with '""' inside, quoted cells
 * may hold newlines; CRLF, LF or CR line ends. Blank lines and, before the
 * header, lines starting with "#" are skipped. Spaces before an opening quote
 * or after a closing one are allowed.
 */
function readCsv(text: string, onRow: (row: Row) => void, onIssue: (line: number, column: number, message: string) => void): void {
  const n = text.length;
  let i = 0;
  let line = 1;
  let col = 1;
  let headerSeen = false;
  const isEol = (c: number) => c === 10 || c === 13;
  const endLine = () => {
    // at \r, \n or \r\n
    if (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10) i += 2;
    else i += 1;
    line++;
    col = 1;
  };
  while (i < n) {
    // Comments before the header.
    if (!headerSeen && text.charCodeAt(i) === 35 /* # */) {
      while (i < n && !isEol(text.charCodeAt(i))) i++;
      if (i < n) endLine();
      continue;
    }
    const cells: Cell[] = [];
    const rowLine = line;
    let allBlank = true;
    let aborted = false;
    for (;;) {
      const cellLine = line;
      const cellCol = col;
      // Look past blanks for an opening quote.
      let j = i;
      let jc = col;
      while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) {
        j++;
        jc++;
      }
      let value: string;
      if (j < n && text.charCodeAt(j) === 34) {
        const qLine = line;
        const qCol = jc;
        i = j + 1;
        col = jc + 1;
        let buf = '';
        let closed = false;
        while (i < n) {
          const q = text.indexOf('"', i);
          const stop = q < 0 ? n : q;
          // Track line and column through the chunk.
          for (let k = i; k < stop; k++) {
            const c = text.charCodeAt(k);
            if (c === 10 || (c === 13 && text.charCodeAt(k + 1) !== 10)) {
              line++;
              col = 1;
            } else if (c !== 13 && (c < 0xdc00 || c > 0xdfff)) col++;
          }
          buf += text.slice(i, stop);
          i = stop;
          if (q < 0) break;
          if (text.charCodeAt(q + 1) === 34) {
            buf += '"';
            i = q + 2;
            col += 2;
            continue;
          }
          i = q + 1;
          col++;
          closed = true;
          break;
        }
        if (!closed) {
          onIssue(qLine, qCol, 'this quote is never closed; close the quoted cell with " (write "" for a quote inside it)');
          aborted = true;
          value = buf;
        } else {
          while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) {
            i++;
            col++;
          }
          if (i < n && text.charCodeAt(i) !== 44 && !isEol(text.charCodeAt(i))) {
            onIssue(line, col, 'unexpected text after a closing quote; quote the whole cell and write "" for a quote inside it');
            while (i < n && text.charCodeAt(i) !== 44 && !isEol(text.charCodeAt(i))) {
              i++;
              col++;
            }
          }
          value = buf;
        }
        allBlank = false;
      } else {
        const s = i;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === 44 || c === 10 || c === 13) break;
          if (c < 0xdc00 || c > 0xdfff) col++;
          i++;
        }
        value = text.slice(s, i);
        if (value.trim() !== '') allBlank = false;
      }
      cells.push({ value, line: cellLine, column: cellCol });
      if (aborted || i >= n) break;
      const c = text.charCodeAt(i);
      if (c === 44) {
        i++;
        col++;
        continue;
      }
      endLine();
      break;
    }
    if (!allBlank) {
      headerSeen = true;
      onRow({ cells, line: rowLine, broken: aborted });
    }
    if (aborted) return;
  }
}

function parseCsvInventory(text: string, file: string): { assets: ManagedAsset[]; notes: string[] } {
  const issues: ManagedIssue[] = [];
  const notes: { line: number; column: number; text: string }[] = [];
  const issue = (line: number, column: number, field: string | undefined, message: string) =>
    issues.push(field === undefined ? { file, line, column, message } : { file, line, column, field, message });

  let header: Row | null = null;
  let columns: { field: Field | null; name: string; typo?: boolean }[] = [];
  let hasId = false;
  let hasMatch = false;
  const assets: ManagedAsset[] = [];
  const seen = new Map<string, number>();

  const onHeader = (row: Row) => {
    header = row;
    const taken = new Map<Field, string>();
    columns = row.cells.map((cell, idx) => {
      const name = cell.value.trim();
      const norm = normName(name);
      const field = NAMES[norm];
      if (name === '') {
        notes.push({ line: cell.line, column: cell.column, text: `column ${idx + 1} has no name; ignored` });
        return { field: null, name: `column ${idx + 1}` };
      }
      if (field) {
        const before = taken.get(field);
        if (before !== undefined && !MULTI.has(field)) {
          issue(cell.line, cell.column, name, `column "${name}" repeats "${before}" (both are ${field}); keep one`);
          return { field: null, name };
        }
        taken.set(field, name);
        return { field, name };
      }
      const suggestion = suggestName(norm);
      if (suggestion) {
        issue(cell.line, cell.column, name, typoMessage('column', name, suggestion));
        return { field: null, name, typo: true };
      }
      notes.push({ line: cell.line, column: cell.column, text: unusedNote('column', name) });
      return { field: null, name };
    });
    const found = row.cells.map((c) => c.value.trim()).join(', ');
    hasId = columns.some((c) => c.field === 'id');
    hasMatch = columns.some((c) => c.field !== null && MULTI.has(c.field));
    if (!hasId) {
      issue(row.line, 1, undefined, `no "id" column; the header has: ${found}. Add an "id" column holding each asset's inventory identifier`);
    }
    if (!hasMatch) {
      issue(row.line, 1, undefined, `no column to match on; the header has: ${found}. Add at least one of "macs", "ips" or "hostnames"`);
    }
  };

  const onData = (row: Row) => {
    const draft = new AssetDraft<Cell>(row.line, (c, field, message) => issue(c.line, c.column, field, message));
    const width = columns.length;
    if (row.cells.length > width) {
      const extra = row.cells[width]!;
      issue(
        extra.line,
        extra.column,
        undefined,
        `this row has ${row.cells.length} cells but the header has ${width} columns; remove the extra cells or quote a value that contains a comma`,
      );
    }
    for (let k = 0; k < width && k < row.cells.length; k++) {
      const col = columns[k]!;
      const cell = row.cells[k]!;
      switch (col.field) {
        case null:
          // A misspelt column may hold the values to match on: do not also say "nothing to match on".
          if (col.typo && cell.value.trim() !== '') draft.rejectedMatch = true;
          break;
        case 'id':
          draft.setId(cell.value, cell, col.name);
          break;
        case 'network':
          draft.setNetwork(cell.value);
          break;
        case 'last_scan':
          draft.setLastScan(cell.value, cell, col.name);
          break;
        default:
          for (const v of splitValues(cell.value)) draft.addValue(col.field, v, cell, col.name);
      }
    }
    if (!hasId || !hasMatch || row.broken) return; // the header or quote issue says it all
    const start: Cell = { value: '', line: row.line, column: 1 };
    const idCol = columns.findIndex((c) => c.field === 'id');
    if (idCol >= row.cells.length) {
      draft.idBad = true;
      issue(row.line, 1, columns[idCol]!.name, `this row has no "${columns[idCol]!.name}" cell; every asset needs its inventory identifier`);
    }
    const asset = draft.finish(seen, start);
    if (asset) assets.push(asset);
  };

  readCsv(
    text,
    (row) => (header === null ? onHeader(row) : onData(row)),
    (line, column, message) => issue(line, column, undefined, message),
  );
  if (header === null && issues.length === 0) {
    issue(1, 1, undefined, 'the file is empty; expected a header line such as id,macs,ips,hostnames,network,last_scan and one row per asset');
  }
  if (issues.length > 0) throw new ManagedInventoryError(finishIssues(issues));
  return { assets, notes: finishNotes(notes, file) };
}

// ---------------------------------------------------------------------------
// JSON and NDJSON

type JsonPath = (string | number)[];

/** An issue inside one asset (element), located later only when needed. */
interface PendingIssue {
  elem: number;
  path: JsonPath;
  key: boolean;
  field: string | undefined;
  message: string;
}

interface Element {
  /** Offsets of the element's text in the whole file. */
  start: number;
  end: number;
  line: number;
}

/** Validates one JSON object as an asset. */
function jsonAsset(
  obj: unknown,
  elem: number,
  line: number,
  pending: PendingIssue[],
  unknownKeys: Map<string, number>,
  seen: Map<string, number>,
): ManagedAsset | null {
  const report = (where: { path: JsonPath; key?: boolean }, field: string | undefined, message: string) =>
    pending.push({ elem, path: where.path, key: where.key ?? false, field, message });
  if (!isPlainObject(obj)) {
    report({ path: [] }, undefined, `each asset must be a JSON object; found ${describeType(obj)}`);
    return null;
  }
  const draft = new AssetDraft<{ path: JsonPath; key?: boolean }>(line, report);
  const taken = new Map<Field, string>();
  for (const key of Object.keys(obj)) {
    const norm = normName(key);
    const field = NAMES[norm];
    const v = obj[key];
    if (!field) {
      const suggestion = suggestName(norm);
      if (suggestion) {
        report({ path: [key], key: true }, key, typoMessage('key', key, suggestion));
        if (v !== null && v !== '') draft.rejectedMatch = true;
      } else if (!unknownKeys.has(key)) unknownKeys.set(key, elem);
      continue;
    }
    const before = taken.get(field);
    if (before !== undefined && !MULTI.has(field)) {
      report({ path: [key], key: true }, key, `key "${key}" repeats "${before}" (both are ${field}); keep one`);
      continue;
    }
    taken.set(field, key);
    const at = { path: [key] };
    if (v === null || v === undefined) continue;
    switch (field) {
      case 'id':
        if (typeof v === 'string') draft.setId(v, at, key);
        else if (typeof v === 'number' && Number.isSafeInteger(v)) draft.setId(String(v), at, key);
        else {
          draft.idBad = true;
          draft.idWhere = at;
          report(at, key, `id must be a string (or an integer); found ${describeType(v)}`);
        }
        break;
      case 'network':
        if (typeof v === 'string') draft.setNetwork(v);
        else report(at, key, `network must be a string naming the address space; found ${describeType(v)}`);
        break;
      case 'last_scan':
        if (typeof v === 'string' || typeof v === 'number') draft.setLastScan(v, at, key);
        else report(at, key, `last_scan must be a date-time string or epoch seconds; found ${describeType(v)}`);
        break;
      default:
        if (typeof v === 'string') {
          for (const item of splitValues(v)) draft.addValue(field, item, at, key);
        } else if (Array.isArray(v)) {
          v.forEach((item: unknown, idx) => {
            const where = { path: [key, idx] };
            if (typeof item !== 'string') {
              draft.rejectedMatch = true;
              report(where, key, `${key} must hold strings; element ${idx} is ${describeType(item)}`);
            } else if (item.trim() !== '') draft.addValue(field, item, where, key);
          });
        } else {
          draft.rejectedMatch = true;
          report(at, key, `${key} must be a string or an array of strings; found ${describeType(v)}`);
        }
    }
  }
  return draft.finish(seen, { path: [] });
}

/** Where a path points inside one element's text (parsed with yaml, only when an issue needs it). */
class ElementLocator {
  private cache = new Map<number, Document.Parsed>();
  constructor(
    private readonly text: string,
    private readonly elements: Element[],
    private readonly index: TextIndex,
  ) {}

  locate(elem: number, path: JsonPath, key: boolean): { line: number; column: number } {
    const el = this.elements[elem];
    if (!el) return { line: 1, column: 1 };
    const { isMap, isPair, isScalar, parseDocument } = lazyModule<typeof import('yaml')>('yaml');
    let doc = this.cache.get(elem);
    if (!doc) {
      doc = parseDocument(this.text.slice(el.start, el.end), { uniqueKeys: false, prettyErrors: false });
      if (this.cache.size > 64) this.cache.clear();
      this.cache.set(elem, doc);
    }
    let offset = 0;
    if (key && path.length > 0) {
      const parent: unknown = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
      const name = path[path.length - 1];
      if (isMap(parent)) {
        for (const pair of parent.items) {
          if (isPair(pair) && isScalar(pair.key) && pair.key.value === name && pair.key.range) offset = pair.key.range[0];
        }
      }
    } else {
      for (let i = path.length; i >= 0; i--) {
        const node: unknown = i === 0 ? doc.contents : doc.getIn(path.slice(0, i), true);
        const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
        if (range) {
          offset = range[0];
          break;
        }
      }
    }
    return this.index.pos(el.start + offset);
  }
}

/** Issues of elements, located in element order until enough are known, then merged with the others. */
function resolvePending(
  file: string,
  pending: PendingIssue[],
  located: ManagedIssue[],
  locator: ElementLocator,
): ManagedIssue[] {
  pending.sort((a, b) => a.elem - b.elem);
  const total = pending.length + located.length;
  let done = 0;
  for (let k = 0; k < pending.length; k++) {
    const p = pending[k]!;
    if (done >= MAX_ISSUES + 1 && p.elem !== pending[k - 1]!.elem) break;
    const pos = locator.locate(p.elem, p.path, p.key);
    located.push(p.field === undefined ? { file, ...pos, message: p.message } : { file, ...pos, field: p.field, message: p.message });
    done++;
  }
  return finishIssues(located, total);
}

function jsonSyntaxIssue(file: string, text: string, err: unknown, base: number, index: TextIndex): ManagedIssue {
  const raw = err instanceof Error ? err.message : String(err);
  const m = / in JSON at position (\d+)/.exec(raw);
  let pos: number;
  if (m) pos = Number(m[1]);
  else if (/Unexpected end of JSON input/.test(raw)) pos = text.trimEnd().length;
  else pos = jsonErrorOffset(text);
  const what = raw.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '');
  return { file, ...index.pos(base + pos), message: `JSON syntax error: ${what}; fix the JSON (a missing comma, quote or bracket, or a stray character)` };
}

/** Offset of the first syntax error, for engine messages that do not say ("Unexpected token 'x', …"). */
function jsonErrorOffset(s: string): number {
  let i = 0;
  const n = s.length;
  const ws = () => {
    while (i < n && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const str = () => {
    i++;
    while (i < n && s[i] !== '"') {
      if (s.charCodeAt(i) < 32) fail();
      i += s[i] === '\\' ? 2 : 1;
    }
    if (i >= n) fail();
    i++;
  };
  const value = (depth: number): void => {
    ws();
    if (depth > 10000) fail();
    const c = s[i];
    if (c === '{') {
      i++;
      ws();
      if (s[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (s[i] !== '"') fail();
        str();
        ws();
        if (s[i] !== ':') fail();
        i++;
        value(depth + 1);
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === '}') {
          i++;
          return;
        }
        fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (s[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === ']') {
          i++;
          return;
        }
        fail();
      }
    } else if (c === '"') str();
    else {
      const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(s.slice(i, i + 400));
      if (!m) fail();
      i += m![0].length;
    }
  };
  try {
    value(0);
    ws();
    return i < n ? i : 0;
  } catch (e) {
    return typeof e === 'number' ? Math.min(e, n) : 0;
  }
}

interface Layout {
  rootStart: number;
  /** Raw top-level keys of an object root, with the offsets of key and value. */
  topKeys: { key: string; keyAt: number; valueAt: number }[];
  /** The asset elements (of the root array, or of the "assets" array). */
  elements: Element[];
}

/**
 * One linear pass over valid JSON: where each asset element starts and ends
 * (and its line), and where the top-level keys are. Cheap enough for 100,000
 * assets.
 */
function scanLayout(text: string): Layout {
  const n = text.length;
  const topKeys: Layout['topKeys'] = [];
  let elements: Element[] = [];
  let rootStart = 0;
  let depth = 0;
  let line = 1;
  let container = -1; // depth inside the asset array, -1 when not in it
  let expectElement = false;
  let current: Element | null = null;
  let rootIsObject = false;
  let expectKey = false;
  let lastKey: { key: string; keyAt: number } | null = null;
  let valueFor: { key: string; keyAt: number } | null = null;
  let started = false;

  const beginValue = (i: number) => {
    if (!started) {
      started = true;
      rootStart = i;
    }
    if (expectElement && depth === container) {
      current = { start: i, end: i, line };
      elements.push(current);
      expectElement = false;
    }
    if (valueFor && depth === 1) {
      topKeys.push({ ...valueFor, valueAt: i });
      if (normName(valueFor.key) === 'assets' && text.charCodeAt(i) === 91) {
        container = 2;
        expectElement = true;
        elements = [];
        current = null;
      }
      valueFor = null;
    }
  };
  const endElement = (i: number) => {
    if (current) current.end = i;
    current = null;
  };

  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) continue;
    if (c === 34) {
      const s = i;
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) {
          j = n;
          break;
        }
        let b = 0;
        for (let k = q - 1; k > s && text.charCodeAt(k) === 92; k--) b++;
        if (b % 2 === 0) {
          j = q;
          break;
        }
        j = q + 1;
      }
      if (rootIsObject && depth === 1 && expectKey) {
        lastKey = { key: JSON.parse(text.slice(s, j + 1)) as string, keyAt: s };
        expectKey = false;
      } else beginValue(s);
      i = j;
      continue;
    }
    switch (c) {
      case 123: // {
      case 91: // [
        beginValue(i);
        if (depth === 0) {
          rootIsObject = c === 123;
          if (!rootIsObject) {
            container = 1;
            expectElement = true;
          }
        }
        depth++;
        if (rootIsObject && depth === 1) expectKey = true;
        break;
      case 125: // }
      case 93: // ]
        if (depth === container) {
          endElement(i);
          expectElement = false;
          container = -1;
        }
        depth--;
        break;
      case 44: // ,
        if (depth === container) {
          endElement(i);
          expectElement = true;
        }
        if (rootIsObject && depth === 1) expectKey = true;
        break;
      case 58: // :
        if (rootIsObject && depth === 1) valueFor = lastKey;
        break;
      default: {
        // a number or literal
        beginValue(i);
        while (i + 1 < n && /[0-9a-zA-Z.+-]/.test(text[i + 1]!)) i++;
      }
    }
  }
  return { rootStart, topKeys, elements };
}

const TOP_IGNORED = ['schema', 'generated_at', 'source'];

function parseJsonInventory(text: string, file: string, parsed?: { value: unknown }): { assets: ManagedAsset[]; notes: string[] } {
  const index = new TextIndex(text);
  let root: unknown;
  if (parsed) root = parsed.value;
  else {
    try {
      root = JSON.parse(text);
    } catch (err) {
      throw new ManagedInventoryError([jsonSyntaxIssue(file, text, err, 0, index)]);
    }
  }
  const layout = scanLayout(text);
  const located: ManagedIssue[] = [];
  const issueAt = (offset: number, field: string | undefined, message: string) =>
    located.push(field === undefined ? { file, ...index.pos(offset), message } : { file, ...index.pos(offset), field, message });

  let list: unknown[] | null = null;
  if (Array.isArray(root)) list = root;
  else if (isPlainObject(root)) {
    let assetsKey: string | null = null;
    for (const key of Object.keys(root)) {
      const norm = normName(key);
      const at = layout.topKeys.filter((k) => k.key === key).pop();
      const keyAt = at ? at.keyAt : layout.rootStart;
      if (norm === 'assets') {
        if (assetsKey !== null) {
          issueAt(keyAt, key, `key "${key}" repeats "${assetsKey}"; keep one "assets" array`);
          continue;
        }
        assetsKey = key;
        const v = root[key];
        if (Array.isArray(v)) list = v;
        else issueAt(at ? at.valueAt : layout.rootStart, key, `"assets" must be an array of asset objects; found ${describeType(v)}`);
      } else if (!TOP_IGNORED.includes(norm)) {
        const suggestion = suggestName(norm, ['assets', ...TOP_IGNORED]);
        issueAt(
          keyAt,
          key,
          `unknown top-level key "${key}"${suggestion ? `; did you mean "${suggestion}"?` : ''}; the top level holds "assets" (and optionally ${TOP_IGNORED.map((k) => `"${k}"`).join(', ')})`,
        );
      }
    }
    if (assetsKey === null) {
      issueAt(layout.rootStart, undefined, 'no "assets" key; expected an array of asset objects, or an object with an "assets" array');
    }
  } else {
    issueAt(layout.rootStart, undefined, `expected an array of asset objects, or an object with an "assets" array; found ${describeType(root)}`);
  }

  const pending: PendingIssue[] = [];
  const unknownKeys = new Map<string, number>();
  const assets: ManagedAsset[] = [];
  const seen = new Map<string, number>();
  const elements = layout.elements;
  if (list) {
    if (elements.length !== list.length) {
      // Should not happen for valid JSON; fall back to the root position.
      elements.length = 0;
      for (let k = 0; k < list.length; k++) elements.push({ start: layout.rootStart, end: text.length, line: index.pos(layout.rootStart).line });
    }
    for (let k = 0; k < list.length; k++) {
      const a = jsonAsset(list[k], k, elements[k]!.line, pending, unknownKeys, seen);
      if (a) assets.push(a);
    }
  }
  const locator = new ElementLocator(text, elements, index);
  if (pending.length > 0 || located.length > 0) throw new ManagedInventoryError(resolvePending(file, pending, located, locator));
  return { assets, notes: keyNotes(file, unknownKeys, locator) };
}

function keyNotes(file: string, unknownKeys: Map<string, number>, locator: ElementLocator): string[] {
  const notes: { line: number; column: number; text: string }[] = [];
  let k = 0;
  for (const [key, elem] of unknownKeys) {
    // Beyond the cap only the count matters; avoid locating them.
    const pos = k < MAX_NOTES + 1 ? locator.locate(elem, [key], true) : { line: Number.MAX_SAFE_INTEGER, column: 0 };
    notes.push({ ...pos, text: unusedNote('key', key) });
    k++;
  }
  return finishNotes(notes, file);
}

function parseNdjsonInventory(text: string, file: string): { assets: ManagedAsset[]; notes: string[] } {
  const index = new TextIndex(text);
  const located: ManagedIssue[] = [];
  const pending: PendingIssue[] = [];
  const unknownKeys = new Map<string, number>();
  const elements: Element[] = [];
  const assets: ManagedAsset[] = [];
  const seen = new Map<string, number>();
  let lineNo = 0;
  for (let start = 0; start <= text.length; ) {
    lineNo++;
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    let body = text.slice(start, end);
    if (body.endsWith('\r')) body = body.slice(0, -1);
    const lineStart = start;
    start = end + 1;
    if (body.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (err) {
      if (located.length <= MAX_ISSUES) located.push(jsonSyntaxIssue(file, body, err, lineStart, index));
      else located.push({ file, line: lineNo, column: 1, message: 'JSON syntax error' });
      continue;
    }
    const elem = elements.length;
    elements.push({ start: lineStart, end: lineStart + body.length, line: lineNo });
    if (!isPlainObject(value)) {
      const first = body.search(/\S/);
      located.push({ file, ...index.pos(lineStart + first), message: `each line must hold one JSON object (an asset); found ${describeType(value)}` });
      continue;
    }
    const a = jsonAsset(value, elem, lineNo, pending, unknownKeys, seen);
    if (a) assets.push(a);
    if (nl < 0) break;
  }
  const locator = new ElementLocator(text, elements, index);
  if (pending.length > 0 || located.length > 0) throw new ManagedInventoryError(resolvePending(file, pending, located, locator));
  return { assets, notes: keyNotes(file, unknownKeys, locator) };
}
