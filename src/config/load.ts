/**
 * Loading and validation of the YAML configuration (SPEC §2).
 *
 * zod checks the shape (strict objects: unknown keys are errors) and the
 * leaves (ranges, MACs, durations, names); every issue is mapped back to the
 * node of the YAML document it concerns, so each message carries the file,
 * line and column of the exact key or list item. Every problem is collected
 * before anything is thrown.
 */
import { editDistance } from './edit-distance.js';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { domainToASCII } from 'node:url';
import type IpAddr from 'ipaddr.js';
import type { Document } from 'yaml';
import type { z } from 'zod';
import { lazyModule } from '../util/lazy-module.js';

/** ipaddr.js, loaded when an address is first parsed (util/lazy-module.ts). */
const ipaddrLib = (): typeof IpAddr => lazyModule<typeof IpAddr>('ipaddr.js');
import {
  ConfigError,
  type AddressRange,
  type ConfigIssue,
  type ConfigWarning,
  type ExcludedGroup,
  type ExternalGroup,
  type InternalGroup,
  type LoadedConfig,
  type NpsConfig,
  type TableLimits,
} from './types.js';

const SECOND_US = 1_000_000;
const MINUTE_US = 60 * SECOND_US;
const HOUR_US = 60 * MINUTE_US;

// ---------------------------------------------------------------------------
// Defaults

const DEFAULT_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'];

export function defaultConfig(): NpsConfig {
  return {
    sensor: { name: 'nps', network: 'default' },
    internal: [defaultInternalGroup()],
    excluded: [],
    external: [],
    merge: { hostnameExclusions: [], ipInactivityUs: 24 * HOUR_US },
    reporting: { newAssetIntervalUs: 5 * MINUTE_US, updateIntervalUs: 30 * MINUTE_US },
    limits: defaultLimits(),
  };
}

/**
 * The `limits:` keys: the field of TableLimits each sets, its default (the
 * bounds the engine always had) and the range accepted. The upper ends are
 * sanity limits against a typo costing all the memory of the machine.
 */
export const LIMITS: readonly { key: string; field: keyof TableLimits; def: number; min: number; max: number; powerOfTwo?: true }[] = [
  { key: 'flows', field: 'flows', def: 262_144, min: 16, max: 16_777_216 },
  { key: 'assets', field: 'assets', def: 32_768, min: 1, max: 16_777_216 },
  { key: 'macs', field: 'macs', def: 32_768, min: 1, max: 16_777_216 },
  { key: 'flow_rows', field: 'flowRows', def: 200_000, min: 1, max: 100_000_000 },
  { key: 'fragments', field: 'fragments', def: 8192, min: 1, max: 1_048_576 },
  { key: 'fragment_bytes', field: 'fragmentBytes', def: 32 * 1024 * 1024, min: 65_536, max: 4 * 1024 * 1024 * 1024 },
  { key: 'tcp_streams', field: 'tcpStreams', def: 4096, min: 1, max: 1_048_576 },
  { key: 'observations', field: 'observations', def: 65_536, min: 1, max: 16_777_216 },
  { key: 'dns_names', field: 'dnsNames', def: 65_536, min: 1, max: 16_777_216 },
  { key: 'duplicate_slots', field: 'duplicateSlots', def: 16_384, min: 1, max: 16_777_216, powerOfTwo: true },
];

export function defaultLimits(): TableLimits {
  const l = {} as TableLimits;
  for (const x of LIMITS) l[x.field] = x.def;
  return l;
}

function defaultInternalGroup(): InternalGroup {
  return {
    name: 'default',
    ranges: DEFAULT_RANGES.map((t) => parseRange(t)!),
    inventory: true,
    assignment: 'dhcp',
  };
}

// ---------------------------------------------------------------------------
// Leaf parsers

type Words = [number, number, number, number];
type Addr = { version: 4 | 6; words: Words };

const FOUR_PART_DECIMAL = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * The plain forms (dotted quad; IPv6 hex groups with at most one "::"), read
 * without ipaddr.js, whose loading is most of the cost of the default ranges
 * every run parses; null for anything else, which ipaddr.js then decides.
 */
function parsePlainAddress(text: string): Addr | null {
  const m = FOUR_PART_DECIMAL.exec(text);
  if (m !== null) {
    let v = 0;
    for (let i = 1; i <= 4; i++) {
      const octet = Number(m[i]);
      if (octet > 255) return null;
      v = v * 256 + octet;
    }
    return { version: 4, words: [v, 0, 0, 0] };
  }
  if (!text.includes(':') || text.includes('.') || text.includes('%')) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (h: string): string[] | null => {
    if (h === '') return [];
    const g = h.split(':');
    return g.every((x) => HEX_GROUP.test(x)) ? g : null;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (head === null || tail === null) return null;
  const n = head.length + tail.length;
  if (halves.length === 2 ? n > 7 : n !== 8) return null;
  const groups = [...head, ...new Array<string>(8 - n).fill('0'), ...tail].map((g) => parseInt(g, 16));
  const words = [0, 0, 0, 0] as Words;
  for (let i = 0; i < 4; i++) words[i] = (groups[i * 2]! * 0x10000 + groups[i * 2 + 1]!) >>> 0;
  return { version: 6, words };
}

export function parseAddress(text: string): Addr | null {
  const plain = parsePlainAddress(text);
  if (plain !== null) return plain;
  if (ipaddrLib().IPv4.isValidFourPartDecimal(text)) {
    const b = ipaddrLib().IPv4.parse(text).toByteArray();
    return { version: 4, words: [((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0, 0, 0, 0] };
  }
  // Zone ids (fe80::1%eth0) mean nothing in a range; ipaddr's IPv6 parser only takes ':' forms here.
  if (text.includes(':') && !text.includes('%') && ipaddrLib().IPv6.isValid(text)) {
    const b = ipaddrLib().IPv6.parse(text).toByteArray();
    const words = [0, 0, 0, 0] as Words;
    for (let i = 0; i < 4; i++) {
      words[i] = ((b[i * 4]! << 24) | (b[i * 4 + 1]! << 16) | (b[i * 4 + 2]! << 8) | b[i * 4 + 3]!) >>> 0;
    }
    return { version: 6, words };
  }
  return null;
}

function compareWords(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

function wordMask(bitsLeft: number): number {
  if (bitsLeft >= 32) return 0xffffffff;
  if (bitsLeft <= 0) return 0;
  return (0xffffffff << (32 - bitsLeft)) >>> 0;
}

/** Parses a range and says what is wrong with it when it is not one. */
function checkRange(raw: string): { range: AddressRange } | { error: string } {
  const text = raw.trim();
  const notAddr = (s: string) => `"${s}" is not an IPv4 or IPv6 address`;
  if (text.includes('/')) {
    const bad = (why: string) => ({ error: `bad CIDR "${raw}": ${why}` });
    const parts = text.split('/');
    if (parts.length !== 2) return bad('more than one "/"');
    const [addrText, lenText] = [parts[0]!.trim(), parts[1]!.trim()];
    const addr = parseAddress(addrText);
    if (!addr) return bad(notAddr(addrText));
    const max = addr.version === 4 ? 32 : 128;
    const bits = /^\d{1,3}$/.test(lenText) ? Number(lenText) : NaN;
    if (!(bits >= 0 && bits <= max)) return bad(`prefix length must be 0-${max}`);
    const first = [0, 0, 0, 0] as Words;
    const last = [0, 0, 0, 0] as Words;
    const n = addr.version === 4 ? 1 : 4;
    for (let i = 0; i < n; i++) {
      const m = wordMask(bits - 32 * i);
      first[i] = (addr.words[i]! & m) >>> 0;
      last[i] = (addr.words[i]! | ~m) >>> 0;
    }
    return { range: { version: addr.version, first, last, text: raw } };
  }
  if (text.includes('-')) {
    const bad = (why: string) => ({ error: `bad range "${raw}": ${why}` });
    const parts = text.split('-');
    if (parts.length !== 2) return bad('expected "first-last", e.g. 10.0.0.5-10.0.0.99');
    const [aText, bText] = [parts[0]!.trim(), parts[1]!.trim()];
    const a = parseAddress(aText);
    if (!a) return bad(notAddr(aText));
    const b = parseAddress(bText);
    if (!b) return bad(notAddr(bText));
    if (a.version !== b.version) return bad('mixes IPv4 and IPv6');
    if (compareWords(a.words, b.words) > 0) return bad('first address is after the last');
    return { range: { version: a.version, first: a.words, last: b.words, text: raw } };
  }
  const addr = parseAddress(text);
  if (!addr) {
    return { error: `bad address "${raw}": not an IPv4 or IPv6 address, CIDR block (10.0.0.0/8) or range (10.0.0.5-10.0.0.99)` };
  }
  return { range: { version: addr.version, first: addr.words, last: [...addr.words] as Words, text: raw } };
}

/**
 * A CIDR block ("10.0.0.0/8", "fd00::/8"; host bits are masked off), an
 * inclusive "first-last" range of one family, or a single address.
 */
export function parseRange(text: string): AddressRange | null {
  const r = checkRange(text);
  return 'range' in r ? r.range : null;
}

/** "00:11:22:33:44:55", "00-11-22-33-44-55" or "0011.2233.4455" (any case) → a 48-bit integer. */
export function parseMac(text: string): number | null {
  const t = text.trim();
  let hex: string;
  if (/^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i.test(t)) hex = t.replace(/[:-]/g, '');
  else if (/^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i.test(t)) hex = t.replace(/\./g, '');
  else return null;
  return parseInt(hex, 16);
}

function macText(mac: number): string {
  return mac
    .toString(16)
    .padStart(12, '0')
    .replace(/(..)(?!$)/g, '$1:');
}

const UNIT_US: Record<string, number> = {
  us: 1,
  µs: 1,
  ms: 1000,
  s: SECOND_US,
  m: MINUTE_US,
  h: HOUR_US,
  d: 24 * HOUR_US,
  w: 7 * 24 * HOUR_US,
};

/**
 * "30s", "5m", "24h", "7d", "1h30m", "500ms" → microseconds; a bare number
 * (or numeric string) is seconds. null when it is not a duration (or negative).
 */
export function parseDuration(text: string | number): number | null {
  let us: number;
  if (typeof text === 'number') {
    us = text * SECOND_US;
  } else {
    const t = text.trim();
    if (/^\d+(\.\d+)?$/.test(t)) {
      us = Number(t) * SECOND_US;
    } else {
      if (!/^(\d+(\.\d+)?\s*(us|µs|ms|s|m|h|d|w)\s*)+$/.test(t)) return null;
      us = 0;
      for (const m of t.matchAll(/(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|h|d|w)/g)) us += Number(m[1]) * UNIT_US[m[2]!]!;
    }
  }
  if (!Number.isFinite(us) || us < 0) return null;
  us = Math.round(us);
  return us <= Number.MAX_SAFE_INTEGER ? us : null;
}

/** Lower case, no trailing dot; "*.example.com" allowed. Says what is wrong otherwise. */
function checkFqdn(raw: string): { fqdn: string } | { error: string } {
  const bad = (why: string) => ({ error: `bad FQDN "${raw}": ${why}` });
  let t = raw.trim().toLowerCase();
  if (t.endsWith('.')) t = t.slice(0, -1);
  let wildcard = false;
  if (t.startsWith('*.')) {
    wildcard = true;
    t = t.slice(2);
  }
  if (t === '') return bad('empty name');
  if (t.includes('*')) return bad('"*" is only allowed as the whole first label ("*.example.com")');
  if (/[^\x00-\x7f]/.test(t)) {
    const ascii = domainToASCII(t);
    if (!ascii) return bad('not a valid internationalised domain name');
    t = ascii;
  }
  if (t.length > 253) return bad('longer than 253 characters');
  for (const label of t.split('.')) {
    if (label === '') return bad('empty label (two dots in a row?)');
    if (label.length > 63) return bad(`label "${label}" is longer than 63 characters`);
    if (!/^[a-z0-9_-]+$/.test(label)) return bad(`label "${label}" may only hold letters, digits, "-" and "_"`);
    if (label.startsWith('-') || label.endsWith('-')) return bad(`label "${label}" starts or ends with "-"`);
  }
  return { fqdn: wildcard ? `*.${t}` : t };
}

// ---------------------------------------------------------------------------
// Helpers for messages

type Path = (string | number)[];

function fmtPath(path: readonly (string | number)[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s;
}

/** The closest candidate within two edits (ignoring case, "_" and "-"), or a known confusion. */
function suggest(word: string, candidates: readonly string[], aliases: Record<string, string> = {}): string | null {
  if (aliases[word] && candidates.includes(aliases[word]!)) return aliases[word]!;
  const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  let best: string | null = null;
  let bestD = 3;
  for (const c of candidates) {
    const dist = norm(word) === norm(c) ? 0 : editDistance(word.toLowerCase(), c);
    if (dist < bestD) {
      bestD = dist;
      best = c;
    }
  }
  return best;
}

const didYouMean = (s: string | null) => (s ? ` (did you mean \`${s}\`?)` : '');

/** Keys commonly written in the wrong section. */
const KEY_ALIASES: Record<string, string> = {
  ranges: 'ips',
  ips: 'ranges',
  cidrs: 'ranges',
  networks: 'ranges',
  addresses: 'ips',
  mac: 'macs',
  fqdn: 'fqdns',
  domains: 'fqdns',
  hostnames: 'fqdns',
};

// ---------------------------------------------------------------------------
// Parsing

type Located = { line: number; column: number };

// Loaded when a configuration file is parsed, not by every run (util/lazy-module.ts).
const yaml = (): typeof import('yaml') => lazyModule<typeof import('yaml')>('yaml');
const zod = (): typeof z => lazyModule<typeof import('zod')>('zod').z;

export function parseConfig(text: string, file: string): LoadedConfig {
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number): Located => {
    const p = lineCounter.linePos(offset);
    return { line: Math.max(1, p.line), column: Math.max(1, p.col) };
  };
  const issues: ConfigIssue[] = [];
  const issue = (loc: Located, message: string) => issues.push({ file, ...loc, message });

  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const message =
        e.code === 'MULTIPLE_DOCS'
          ? 'YAML: the file holds more than one document ("---"); keep a single one'
          : e.code === 'DUPLICATE_KEY'
            ? 'YAML: this key appears twice in the same mapping; keep one'
            : `YAML syntax error: ${e.message}`;
      issue(at(e.pos[0]), message);
    }
    throw new ConfigError(sortIssues(issues));
  }

  const locate = (path: Path): Located => locateNode(doc, path, at);
  const schema = buildSchema(locate);
  const raw: unknown = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  const result = schema.safeParse(raw);

  if (!result.success) {
    for (const zi of result.error.issues) reportZodIssue(zi, doc, raw, locate, at, issue);
  }
  checkDuplicateNames(raw, locate, issue);
  if (issues.length > 0 || !result.success) throw new ConfigError(sortIssues(dedupe(issues)));

  const config = build(result.data);
  const warnings = overlapWarnings(config, file);
  return { config, path: null, sha256: null, warnings };
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.line}:${i.column}:${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The position of the deepest existing node along `path`. */
function locateNode(doc: Document, path: Path, at: (o: number) => Located): Located {
  for (let i = path.length; i >= 0; i--) {
    const node: unknown = i === 0 ? doc.contents : doc.getIn(path.slice(0, i), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return at(range[0]);
  }
  return { line: 1, column: 1 };
}

/** The position of the key `name` in the mapping at `path`. */
function locateKey(doc: Document, path: Path, name: string, at: (o: number) => Located): Located | null {
  const node: unknown = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (!yaml().isMap(node)) return null;
  for (const pair of node.items) {
    if (!yaml().isPair(pair)) continue;
    const key: unknown = pair.key;
    const keyText = yaml().isScalar(key) ? String(key.value) : String(key);
    if (keyText === name) {
      const range = (key as { range?: [number, number, number] } | null)?.range;
      if (range) return at(range[0]);
    }
  }
  return null;
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  return 'a mapping';
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  number: 'a number',
};

function valueAt(raw: unknown, path: Path): unknown {
  let v = raw;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

function reportZodIssue(
  zi: z.ZodIssue,
  doc: Document,
  raw: unknown,
  locate: (p: Path) => Located,
  at: (o: number) => Located,
  issue: (loc: Located, message: string) => void,
): void {
  const path = zi.path;
  const where = (p: Path) => (p.length ? `${fmtPath(p)}: ` : '');
  switch (zi.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(path);
      for (const key of zi.keys) {
        const loc = locateKey(doc, path, key, at) ?? locate(path);
        const hint = didYouMean(suggest(key, known, KEY_ALIASES));
        const tail = hint || ` (expected one of: ${known.join(', ')})`;
        issue(loc, `${where(path)}unknown key \`${key}\`${tail}`);
      }
      return;
    }
    case 'invalid_type': {
      if (zi.received === 'undefined') {
        const parent = path.slice(0, -1);
        issue(locate(parent), `${where(parent)}missing \`${String(path[path.length - 1])}\``);
        return;
      }
      const expected = EXPECTED[zi.expected] ?? zi.expected;
      const got = describeValue(valueAt(raw, path));
      const hint =
        zi.expected === 'string' && (typeof valueAt(raw, path) === 'number' || typeof valueAt(raw, path) === 'boolean')
          ? ' (put it in quotes)'
          : '';
      issue(locate(path), `${where(path)}expected ${expected}, got ${got}${hint}`);
      return;
    }
    case 'too_small':
      issue(locate(path), `${where(path)}${zi.type === 'array' ? 'must list at least one item' : 'must not be empty'}`);
      return;
    default:
      issue(locate(path), `${where(path)}${zi.message}`);
  }
}

// ---------------------------------------------------------------------------
// Schema

const SENSOR_KEYS = ['name', 'network'] as const;
const INTERNAL_KEYS = ['name', 'ranges', 'inventory', 'assignment'] as const;
const EXCLUDED_KEYS = ['name', 'ips', 'macs'] as const;
const EXTERNAL_KEYS = ['name', 'fqdns', 'ips'] as const;
const MERGE_KEYS = ['hostname_exclusions', 'ip_inactivity'] as const;
const REPORTING_KEYS = ['new_asset_interval', 'update_interval'] as const;
const LIMITS_KEYS = LIMITS.map((l) => l.key);
const ROOT_KEYS = ['sensor', 'internal', 'excluded', 'external', 'merge', 'reporting', 'limits'] as const;

function knownKeys(path: Path): readonly string[] {
  const shape = path.map((p) => (typeof p === 'number' ? '[]' : p)).join('.');
  switch (shape) {
    case '':
      return ROOT_KEYS;
    case 'sensor':
      return SENSOR_KEYS;
    case 'internal.[]':
      return INTERNAL_KEYS;
    case 'excluded.[]':
      return EXCLUDED_KEYS;
    case 'external.[]':
      return EXTERNAL_KEYS;
    case 'merge':
      return MERGE_KEYS;
    case 'reporting':
      return REPORTING_KEYS;
    case 'limits':
      return LIMITS_KEYS;
    default:
      return [];
  }
}

/** A leaf checked and converted by `fn`; its error goes to the leaf's own position. */
function leaf<T>(fn: (v: unknown, path: Path) => { ok: T } | { error: string }) {
  const z = zod();
  return z.unknown().transform((v, ctx): T => {
    const r = fn(v, ctx.path);
    if ('error' in r) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: r.error });
      return z.NEVER;
    }
    return r.ok;
  });
}

function buildSchema(locate: (p: Path) => Located) {
  const z = zod();
  const groupName = z.string().trim().min(1);
  const range = leaf<AddressRange>((v, path) => {
    if (typeof v !== 'string') {
      return { error: `expected an address, CIDR block or range as a string, got ${describeValue(v)}` };
    }
    const r = checkRange(v);
    if ('error' in r) return r;
    return { ok: { ...r.range, ...locate(path) } };
  });
  const mac = leaf<number>((v) => {
    if (typeof v !== 'string') {
      return { error: `expected a MAC address in quotes ("00:11:22:33:44:55"), got ${describeValue(v)}` };
    }
    const m = parseMac(v);
    return m === null
      ? { error: `bad MAC "${v}": expected six hex bytes like 00:11:22:33:44:55, 00-11-22-33-44-55 or 0011.2233.4455` }
      : { ok: m };
  });
  const fqdn = leaf<string>((v) => {
    if (typeof v !== 'string') return { error: `expected a DNS name, got ${describeValue(v)}` };
    const r = checkFqdn(v);
    return 'error' in r ? r : { ok: r.fqdn };
  });
  /** A duration of at least `min` µs (`minText` says it in the message; else "greater than 0"). */
  const duration = (min: number, minText?: string) =>
    leaf<number>((v) => {
      if (typeof v !== 'string' && typeof v !== 'number') {
        return { error: `expected a duration such as 30s, 5m, 24h or 1h30m, got ${describeValue(v)}` };
      }
      const us = parseDuration(v);
      if (us === null) {
        return { error: `bad duration ${describeValue(v)}: use a number with a unit (ms, s, m, h, d), e.g. 30s, 5m, 24h, 1h30m` };
      }
      if (us < min) return { error: `bad duration ${describeValue(v)}: must be ${minText === undefined ? 'greater than 0' : `at least ${minText}`}` };
      return { ok: us };
    });
  const assignment = leaf<'dhcp' | 'static'>((v) => {
    if (v === 'dhcp' || v === 'static') return { ok: v };
    const hint = typeof v === 'string' ? didYouMean(suggest(v, ['dhcp', 'static'])) : '';
    return { error: `expected dhcp or static, got ${describeValue(v)}${hint}` };
  });
  const count = (spec: (typeof LIMITS)[number]) =>
    leaf<number>((v) => {
      const range = `a whole number from ${spec.min} to ${spec.max}`;
      if (typeof v !== 'number') {
        const hint = typeof v === 'string' && /^\s*[\d_]+\s*$/.test(v) ? ' (write the digits without quotes or "_")' : '';
        return { error: `expected ${range}, got ${describeValue(v)}${hint}` };
      }
      if (!Number.isInteger(v) || v < spec.min || v > spec.max) return { error: `expected ${range}, got ${v}` };
      if (spec.powerOfTwo && (v & (v - 1)) !== 0) {
        const lo = 2 ** Math.floor(Math.log2(v));
        return { error: `must be a power of two (such as ${lo} or ${lo * 2}), got ${v}` };
      }
      return { ok: v };
    });
  const limits = z.object(Object.fromEntries(LIMITS.map((l) => [l.key, count(l).optional()]))).strict();
  const hostname = z
    .string()
    .trim()
    .min(1)
    .transform((s) => s.toLowerCase());

  const internal = z
    .object({
      name: groupName,
      ranges: z.array(range).min(1),
      inventory: z.boolean().optional(),
      assignment: assignment.optional(),
    })
    .strict();
  const excluded = z
    .object({ name: groupName, ips: z.array(range).nullish(), macs: z.array(mac).nullish() })
    .strict();
  const external = z
    .object({ name: groupName, fqdns: z.array(fqdn).nullish(), ips: z.array(range).nullish() })
    .strict();

  return z
    .object({
      sensor: z.object({ name: groupName.optional(), network: groupName.optional() }).strict().nullish(),
      internal: z.array(internal).nullish(),
      excluded: z.array(excluded).nullish(),
      external: z.array(external).nullish(),
      merge: z
        .object({ hostname_exclusions: z.array(hostname).nullish(), ip_inactivity: duration(0).optional() })
        .strict()
        .nullish(),
      reporting: z
        .object({ new_asset_interval: duration(1).optional(), update_interval: duration(MIN_UPDATE_INTERVAL_US, '1s').optional() })
        .strict()
        .nullish(),
      limits: limits.nullish(),
    })
    .strict();
}

/**
 * Shortest reporting interval: a row per pair, port and interval, pushed each
 * interval; below a second that is all overhead (live tests push every 2 s).
 */
const MIN_UPDATE_INTERVAL_US = 1e6;

type Parsed = z.output<ReturnType<typeof buildSchema>>;

function build(p: Parsed): NpsConfig {
  const d = defaultConfig();
  const internal: InternalGroup[] =
    p.internal == null
      ? d.internal
      : p.internal.map((g) => ({
          name: g.name,
          ranges: g.ranges,
          inventory: g.inventory ?? true,
          assignment: g.assignment ?? 'dhcp',
        }));
  const excluded: ExcludedGroup[] = (p.excluded ?? []).map((g) => {
    const macs = g.macs ?? [];
    return { name: g.name, ranges: g.ips ?? [], macs, macTexts: macs.map(macText) };
  });
  const external: ExternalGroup[] = (p.external ?? []).map((g) => ({
    name: g.name,
    fqdns: g.fqdns ?? [],
    ranges: g.ips ?? [],
  }));
  return {
    sensor: { name: p.sensor?.name ?? d.sensor.name, network: p.sensor?.network ?? d.sensor.network },
    internal,
    excluded,
    external,
    merge: {
      hostnameExclusions: p.merge?.hostname_exclusions ?? d.merge.hostnameExclusions,
      ipInactivityUs: p.merge?.ip_inactivity ?? d.merge.ipInactivityUs,
    },
    reporting: {
      newAssetIntervalUs: p.reporting?.new_asset_interval ?? d.reporting.newAssetIntervalUs,
      updateIntervalUs: p.reporting?.update_interval ?? d.reporting.updateIntervalUs,
    },
    limits: buildLimits(p.limits, d.limits),
  };
}

function buildLimits(p: Record<string, unknown> | null | undefined, d: TableLimits): TableLimits {
  const l = { ...d };
  for (const x of LIMITS) {
    const v = p?.[x.key];
    if (typeof v === 'number') l[x.field] = v;
  }
  return l;
}

/** Group names are unique (ignoring case) within each list; checked on the raw data so it runs alongside zod. */
function checkDuplicateNames(raw: unknown, locate: (p: Path) => Located, issue: (loc: Located, message: string) => void): void {
  if (raw === null || typeof raw !== 'object') return;
  for (const list of ['internal', 'excluded', 'external'] as const) {
    const items = (raw as Record<string, unknown>)[list];
    if (!Array.isArray(items)) continue;
    const seen = new Map<string, number>();
    items.forEach((item: unknown, i) => {
      const name = item !== null && typeof item === 'object' ? (item as Record<string, unknown>).name : undefined;
      if (typeof name !== 'string' || name.trim() === '') return;
      const key = name.trim().toLowerCase();
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, i);
        return;
      }
      const firstLoc = locate([list, first, 'name']);
      issue(
        locate([list, i, 'name']),
        `${list}[${i}].name: duplicate group name "${name}" (already used by ${list}[${first}] at line ${firstLoc.line}); give each group its own name`,
      );
    });
  }
}

/** Whether two ranges share at least one address. */
export function rangesOverlap(a: AddressRange, b: AddressRange): boolean {
  return a.version === b.version && compareWords(a.first, b.last) <= 0 && compareWords(b.first, a.last) <= 0;
}

/** SPEC §2: two inventoried ranges that overlap are a warning, at the second range. */
function overlapWarnings(config: NpsConfig, file: string): ConfigWarning[] {
  const all: { group: string; range: AddressRange }[] = [];
  for (const g of config.internal) if (g.inventory) for (const r of g.ranges) all.push({ group: g.name, range: r });
  const warnings: ConfigWarning[] = [];
  for (let j = 1; j < all.length; j++) {
    const b = all[j]!;
    for (let i = 0; i < j; i++) {
      const a = all[i]!;
      if (!rangesOverlap(a.range, b.range)) continue;
      const where = (x: AddressRange) => (x.line !== undefined ? ` (line ${x.line})` : '');
      warnings.push({
        code: 'overlapping-inventory-ranges',
        message:
          `inventoried range ${b.range.text} of group "${b.group}" overlaps ${a.range.text} of group "${a.group}"${where(a.range)}; ` +
          'the most specific range wins — remove one or set `inventory: false` on one of them',
        file,
        ...(b.range.line !== undefined ? { line: b.range.line, column: b.range.column } : {}),
      });
    }
  }
  return warnings;
}

// ---------------------------------------------------------------------------
// Files

export function loadConfig(opts: { path?: string; cwd?: string }): LoadedConfig {
  const cwd = opts.cwd ?? process.cwd();
  let display: string;
  let full: string;
  if (opts.path !== undefined) {
    display = opts.path;
    full = isAbsolute(opts.path) ? opts.path : resolve(cwd, opts.path);
  } else {
    full = resolve(cwd, 'nps.yaml');
    if (!existsSync(full)) return { config: defaultConfig(), path: null, sha256: null, warnings: [] };
    display = 'nps.yaml';
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(full);
  } catch (err) {
    throw new ConfigError([{ file: display, line: 1, column: 1, message: readFailure(err) }]);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError([{ file: display, line: 1, column: 1, message: 'cannot read: not UTF-8 text; save the file as UTF-8' }]);
  }
  const loaded = parseConfig(text, display);
  return { ...loaded, path: full, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function readFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'cannot read: no such file; create one with `nps config init`, or leave out --config to use the built-in defaults';
    case 'EISDIR':
      return 'cannot read: this is a directory; give the path of a YAML file';
    case 'EACCES':
    case 'EPERM':
      return 'cannot read: permission denied; check the file permissions';
    default:
      return `cannot read: ${(err as Error).message}`;
  }
}
