/**
 * MAC vendor from the IEEE registry (the `oui-data` package), looked up at
 * report time only: the engine never looks vendors up per packet.
 *
 * The registry is a 5.6 MB JSON object of prefix → "Organisation\nAddress…".
 * Parsing it whole cost about 90 ms and 10+ MB of heap per run, for a few
 * thousand lookups at most; instead the file is read as bytes, and one pass
 * over its lines indexes where each prefix's text starts. A lookup decodes
 * only the organisation (the text up to the first "\n"). Should the file
 * ever not be one entry per line, it is parsed as JSON after all.
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

const LENGTHS = [9, 7, 6] as const;
let registry: Registry | null = null;
/** The registry parsed as JSON, when the file could not be indexed line by line. */
let parsed: Record<string, string> | null = null;

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

/** The organisation: the JSON string starting at `start`, up to its first "\n" (or its end). */
function organisation(text: Buffer, start: number): string {
  let p = start;
  while (p < text.length) {
    const b = text[p]!;
    if (b === 0x22) break;
    if (b === 0x5c) {
      if (text[p + 1] === 0x6e) break; // an escaped newline ends the first line
      p += 2;
      continue;
    }
    p++;
  }
  return (JSON.parse(`"${text.toString('utf8', start, p)}"`) as string).trim();
}

function load(): void {
  if (registry !== null || parsed !== null) return;
  const require = createRequire(import.meta.url);
  try {
    const path = require.resolve('oui-data');
    registry = indexRegistry(readFileSync(path));
    if (registry === null) parsed = require('oui-data') as Record<string, string>;
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
  for (const n of LENGTHS) {
    if (hex.length < n) continue;
    if (registry !== null) {
      const start = registry.at[n === 9 ? 0 : n === 7 ? 1 : 2]!.get(parseInt(hex.slice(0, n), 16));
      if (start !== undefined) return organisation(registry.text, start) || null;
    } else {
      const entry = parsed![hex.slice(0, n)];
      if (entry) return entry.split('\n', 1)[0]!.trim() || null;
    }
  }
  return null;
}
