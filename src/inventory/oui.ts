/**
 * MAC vendor from the IEEE registry (the `oui-data` package), looked up at
 * report time only: the engine never looks vendors up per packet.
 *
 * The registry is a 5.6 MB JSON object of prefix → "Organisation\nAddress…",
 * one entry per line. Parsing it whole cost about 90 ms and 10+ MB of heap
 * per run, and even indexing its lines cost 40-70 ms, most of a small
 * capture's analysis; instead the file is read as bytes and, its entries
 * being in order (by prefix length, then value), each lookup is a binary
 * search over its lines that decodes only the organisation (the text up to
 * the first "\n"). The order is checked at a sample of lines first; should a
 * release of the package not keep it, the lines are indexed, and should
 * the file not be one entry per line, it is parsed as JSON after all.
 *
 * Prefixes are 24-bit (MA-L), 28-bit (MA-M) and 36-bit (MA-S): the longest
 * one registered for a MAC names its organisation (a 24-bit block split
 * into smaller ones is registered to "IEEE Registration Authority").
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface Registry {
  /** Where each prefix's text starts in `text`, by prefix length in hex digits (6, 7, 9). */
  at: Map<number, number>[];
  text: Buffer;
}

/** Where the text of a prefix of `digits` hex digits starts in the registry file, or -1. */
export type RegistryLookup = (digits: number, prefix: number) => number;

const LENGTHS = [9, 7, 6] as const;
const REGISTRATION_AUTHORITY = 'IEEE Registration Authority';
let lookup: RegistryLookup | null = null;
let registryText: Buffer | null = null;
/** The registry parsed as JSON, when the file could not be read line by line. */
let parsed: Record<string, string> | null = null;
/** Lines whose order is checked before binary search is trusted. */
const ORDER_SAMPLES = 128;

function hexDigit(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  return -1;
}

/** Indexes lines of the form ` "XXXXXX": "…",`; null when a line of another form holds a prefix. */
export function indexRegistry(text: Buffer): Registry | null {
  const at = [new Map<number, number>(), new Map<number, number>(), new Map<number, number>()];
  let line = 0;
  while (line < text.length) {
    let end = text.indexOf(10, line);
    if (end < 0) end = text.length;
    let p = line;
    while (p < end && text[p] === 0x20) p++;
    if (text[p] === 0x22) {
      let key = 0;
      let n = 0;
      let q = p + 1;
      for (let d: number; q < end && (d = hexDigit(text[q]!)) >= 0; q++, n++) key = key * 16 + d;
      const which = n === 9 ? 0 : n === 7 ? 1 : n === 6 ? 2 : -1;
      // `"KEY": "` and then the text.
      if (which < 0 || text[q] !== 0x22 || text[q + 1] !== 0x3a || text[q + 2] !== 0x20 || text[q + 3] !== 0x22) return null;
      at[which]!.set(key, q + 4);
    } else if (p < end && text[p] !== 0x7b && text[p] !== 0x7d) {
      return null; // neither an entry nor a brace
    }
    line = end + 1;
  }
  return at[2]!.size > 0 ? { at, text } : null;
}

/**
 * The entry line starting at `s`, as its prefix length and value, compared
 * with (digits, prefix): negative when the line sorts first. Lines that are
 * no entry ("{" first, "}" or blank last) sort around every entry. `value`
 * is set to where the entry's text starts on a match.
 */
function compareLine(text: Buffer, s: number, digits: number, prefix: number, found: { value: number }): number {
  let p = s;
  while (text[p] === 0x20) p++;
  if (text[p] !== 0x22) return text[p] === 0x7b ? -1 : 1;
  let key = 0;
  let n = 0;
  let q = p + 1;
  for (let d: number; (d = hexDigit(text[q]!)) >= 0; q++, n++) key = key * 16 + d;
  if (n !== digits) return n - digits;
  if (key !== prefix) return key < prefix ? -1 : 1;
  found.value = q + 4; // past `": "`
  return 0;
}

/** Binary search over the lines of a registry whose entries are in (length, value) order. */
function searchLines(text: Buffer, digits: number, prefix: number): number {
  const found = { value: -1 };
  let lo = 0; // always a line start
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    let s = text.lastIndexOf(10, mid - 1) + 1;
    if (s < lo) s = lo;
    let end = text.indexOf(10, s);
    if (end < 0) end = text.length;
    const c = compareLine(text, s, digits, prefix, found);
    if (c === 0) return found.value;
    if (c < 0) lo = end + 1;
    else hi = s;
  }
  return -1;
}

/** The (length, value) key of the entry line holding byte `at`, or null when that line is no well-formed entry. */
function entryAround(text: Buffer, at: number): [number, number] | null {
  let p = text.lastIndexOf(10, at - 1) + 1;
  while (text[p] === 0x20) p++;
  if (text[p] !== 0x22) return null;
  let key = 0;
  let n = 0;
  let q = p + 1;
  for (let d: number; (d = hexDigit(text[q]!)) >= 0; q++, n++) key = key * 16 + d;
  if ((n !== 6 && n !== 7 && n !== 9) || text[q] !== 0x22 || text[q + 1] !== 0x3a || text[q + 2] !== 0x20 || text[q + 3] !== 0x22) return null;
  return [n, key];
}

/** True when lines sampled across the file, between its opening and closing lines, are entries in (length, value) order. */
function sampledInOrder(text: Buffer): boolean {
  const from = text.indexOf(10) + 1;
  const to = text.lastIndexOf(10, text.length - 2) + 1; // the closing brace's line
  if (from <= 0 || to <= from) return false;
  let last: [number, number] | null = null;
  for (let i = 0; i < ORDER_SAMPLES; i++) {
    const e = entryAround(text, from + Math.floor(((to - from) * i) / ORDER_SAMPLES));
    if (e === null) return false;
    if (last !== null && (e[0] < last[0] || (e[0] === last[0] && e[1] < last[1]))) return false;
    last = e;
  }
  return true;
}

/**
 * Lookups over a registry file's bytes: binary search when sampled lines are
 * in order, else a line index; null when the file is not one entry per line.
 */
export function openRegistry(text: Buffer): RegistryLookup | null {
  if (sampledInOrder(text)) return (digits, prefix) => searchLines(text, digits, prefix);
  const index = indexRegistry(text);
  if (index === null) return null;
  return (digits, prefix) => index.at[digits === 9 ? 0 : digits === 7 ? 1 : 2]!.get(prefix) ?? -1;
}

/** The organisation: the JSON string starting at `start`, up to its first "\n" (or its end). */
function organisation(text: Buffer, start: number): string {
  let p = start;
  let escaped = false;
  while (p < text.length) {
    const b = text[p]!;
    if (b === 0x22) break;
    if (b === 0x5c) {
      if (text[p + 1] === 0x6e) break; // an escaped newline ends the first line
      escaped = true;
      p += 2;
      continue;
    }
    p++;
  }
  const raw = text.toString('utf8', start, p);
  return (escaped ? (JSON.parse(`"${raw}"`) as string) : raw).trim();
}

function load(): void {
  if (lookup !== null || parsed !== null) return;
  const require = createRequire(import.meta.url);
  try {
    const path = require.resolve('oui-data');
    registryText = readFileSync(path);
    lookup = openRegistry(registryText);
    if (lookup === null) parsed = require('oui-data') as Record<string, string>;
  } catch {
    parsed = {};
  }
}

/** Organisation name for a MAC ("aa:bb:cc:dd:ee:ff"), or null (unknown, or locally administered). */
export function macVendor(mac: string): string | null {
  const first = parseInt(mac.slice(0, 2), 16);
  if (first & 0x02) return null; // locally administered: randomised or virtual, no registry entry
  const hex = mac.replace(/:/g, '').toUpperCase();
  load();
  if (lookup === null) {
    for (const n of LENGTHS) {
      const entry = hex.length >= n ? parsed![hex.slice(0, n)] : undefined;
      if (entry) return entry.split('\n', 1)[0]!.trim() || null;
    }
    return null;
  }
  // MA-M and MA-S blocks are carved from MA-L blocks the registration authority holds (or from none
  // registered): a MA-L block of anyone else is the answer, without looking for longer prefixes.
  const start = lookup(6, parseInt(hex.slice(0, 6), 16));
  const org = start >= 0 ? organisation(registryText!, start) : null;
  if (org !== null && org !== REGISTRATION_AUTHORITY) return org || null;
  for (const n of [9, 7]) {
    const at = hex.length >= n ? lookup(n, parseInt(hex.slice(0, n), 16)) : -1;
    if (at >= 0) return organisation(registryText!, at) || null;
  }
  return org || null;
}
