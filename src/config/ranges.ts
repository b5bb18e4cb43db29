/**
 * `--internal` ranges given on the command line: CIDR blocks (IPv4 or IPv6)
 * that are internal and inventoried, replacing the built-in defaults.
 * The YAML configuration will build on the same classifier.
 */
import { AddrClass, special4, special6, type Classifier } from './classify.js';

export interface Cidr {
  version: 4 | 6;
  /** Address words (one for IPv4, four for IPv6) already masked. */
  words: number[];
  bits: number;
}

export function parseIPv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return null;
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}

export function parseIPv6(text: string): number[] | null {
  let s = text;
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':')) return null;
  if (s.includes('.')) {
    // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two groups.
    const i = s.lastIndexOf(':');
    const v4 = parseIPv4(s.slice(i + 1));
    if (v4 === null) return null;
    s = s.slice(0, i + 1) + (v4 >>> 16).toString(16) + ':' + (v4 & 0xffff).toString(16);
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parse = (h: string) => (h === '' ? [] : h.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const left = parse(halves[0]!);
  const right = halves.length === 2 ? parse(halves[1]!) : [];
  if (left.some(Number.isNaN) || right.some(Number.isNaN)) return null;
  const groups = left.length + right.length;
  let all: number[];
  if (halves.length === 2) {
    if (groups > 7) return null;
    all = [...left, ...new Array<number>(8 - groups).fill(0), ...right];
  } else {
    if (groups !== 8) return null;
    all = left;
  }
  const words: number[] = [];
  for (let i = 0; i < 4; i++) words.push(((all[i * 2]! << 16) | all[i * 2 + 1]!) >>> 0);
  return words;
}

function maskWord(word: number, bitsLeft: number): number {
  if (bitsLeft >= 32) return word >>> 0;
  if (bitsLeft <= 0) return 0;
  return (word & (0xffffffff << (32 - bitsLeft))) >>> 0;
}

/** Parses "10.0.0.0/8", "fd00::/8" or a single address; null when it is not one. */
export function parseCidr(text: string): Cidr | null {
  const [addr, len, extra] = text.trim().split('/');
  if (extra !== undefined || !addr) return null;
  const v4 = parseIPv4(addr);
  const words = v4 !== null ? [v4] : parseIPv6(addr);
  if (words === null) return null;
  const version = v4 !== null ? 4 : 6;
  const max = version === 4 ? 32 : 128;
  const bits = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(bits >= 0 && bits <= max)) return null;
  return { version, words: words.map((w, i) => maskWord(w, bits - 32 * i)), bits };
}

export function cidrContains(c: Cidr, w: ArrayLike<number>): boolean {
  for (let i = 0; i < c.words.length; i++) {
    if (maskWord(w[i]!, c.bits - 32 * i) !== c.words[i]) return false;
  }
  return true;
}

export class CidrClassifier implements Classifier {
  private readonly v4: Cidr[];
  private readonly v6: Cidr[];
  private readonly one = new Uint32Array(1);
  constructor(ranges: Cidr[]) {
    this.v4 = ranges.filter((r) => r.version === 4);
    this.v6 = ranges.filter((r) => r.version === 6);
  }
  classify4(ip: number): AddrClass {
    if (special4(ip)) return AddrClass.Special;
    this.one[0] = ip;
    for (const r of this.v4) if (cidrContains(r, this.one)) return AddrClass.Inventoried;
    return AddrClass.External;
  }
  classify6(w: ArrayLike<number>): AddrClass {
    if (special6(w)) return AddrClass.Special;
    for (const r of this.v6) if (cidrContains(r, w)) return AddrClass.Inventoried;
    return AddrClass.External;
  }
}
