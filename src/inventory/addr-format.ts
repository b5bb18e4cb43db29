/** Text forms of addresses kept as numbers by the engine (reporting only, never per packet). */

/** Character codes of the text being made (at most 15 for dotted IPv4). */
const codes: number[] = [];

/**
 * Dotted IPv4. Made from character codes, so the result is one flat string:
 * a template literal gives a tree of concatenations that V8 keeps as such
 * (about 56 bytes a string against 32; a report holds hundreds of thousands).
 */
export function ip4ToString(ip: number): string {
  codes.length = 0;
  for (let shift = 24; shift >= 0; shift -= 8) {
    const o = (ip >>> shift) & 255;
    if (o >= 100) codes.push(48 + ((o / 100) | 0), 48 + (((o / 10) | 0) % 10), 48 + (o % 10));
    else if (o >= 10) codes.push(48 + ((o / 10) | 0), 48 + (o % 10));
    else codes.push(48 + o);
    if (shift !== 0) codes.push(46);
  }
  return String.fromCharCode.apply(null, codes);
}

/** RFC 5952 form: lower case, longest run of zero groups (2 or more) as "::". */
export function ip6ToString(w: ArrayLike<number>): string {
  const g: number[] = [];
  for (let i = 0; i < 4; i++) {
    g.push((w[i]! >>> 16) & 0xffff, w[i]! & 0xffff);
  }
  // IPv4-mapped addresses keep the dotted tail.
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return ['::ffff', ip4ToString(w[3]! >>> 0)].join(':');
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLen).join(':');
  return [left, right].join('::');
}

export function macToString(mac: number): string {
  const hi = Math.floor(mac / 4294967296);
  const lo = mac >>> 0;
  const bytes = [hi >>> 8, hi & 255, lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Group (multicast/broadcast) bit of the first octet. */
export function isGroupMac(mac: number): boolean {
  return (Math.floor(mac / 1099511627776) & 1) === 1;
}

export function ip4Bytes(ip: number): Uint8Array {
  return Uint8Array.of(ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255);
}

export function ip6Bytes(w: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 4; i++) {
    const x = w[i]! >>> 0;
    out[i * 4] = x >>> 24;
    out[i * 4 + 1] = (x >>> 16) & 255;
    out[i * 4 + 2] = (x >>> 8) & 255;
    out[i * 4 + 3] = x & 255;
  }
  return out;
}

/** "aa:bb:cc:dd:ee:ff" (or with '-') as a 48-bit number, -1 when not a MAC. */
export function macFromString(s: string): number {
  if (s.length !== 17) return -1;
  let n = 0;
  for (let i = 0; i < 17; i++) {
    if (i % 3 === 2) {
      if (s[i] !== ':' && s[i] !== '-') return -1;
      continue;
    }
    const d = parseInt(s[i]!, 16);
    if (Number.isNaN(d)) return -1;
    n = n * 16 + d;
  }
  return n;
}

/** An address in text as four big-endian 32-bit words (IPv4 in word 0), or null when it does not parse. */
export function parseIpWords(ip: string, version: 4 | 6): number[] | null {
  if (version === 4) {
    const p = ip.split('.');
    if (p.length !== 4) return null;
    let n = 0;
    for (const x of p) {
      const v = Number(x);
      if (!Number.isInteger(v) || v < 0 || v > 255 || x === '') return null;
      n = n * 256 + v;
    }
    return [n >>> 0, 0, 0, 0];
  }
  let head = ip;
  let tail = '';
  const dbl = ip.indexOf('::');
  if (dbl >= 0) {
    head = ip.slice(0, dbl);
    tail = ip.slice(dbl + 2);
  }
  const hp = head === '' ? [] : head.split(':');
  const tp = tail === '' ? [] : tail.split(':');
  const groups: number[] = [];
  const parse = (parts: string[]): boolean => {
    for (const x of parts) {
      if (x.includes('.')) {
        const w = parseIpWords(x, 4);
        if (w === null) return false;
        groups.push(w[0]! >>> 16, w[0]! & 0xffff);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(x)) return false;
      groups.push(parseInt(x, 16));
    }
    return true;
  };
  if (!parse(hp)) return null;
  const headLen = groups.length;
  if (!parse(tp)) return null;
  if (dbl >= 0) {
    if (groups.length > 7) return null;
    groups.splice(headLen, 0, ...new Array(8 - groups.length).fill(0));
  }
  if (groups.length !== 8) return null;
  const w: number[] = [];
  for (let i = 0; i < 4; i++) w.push(((groups[2 * i]! << 16) | groups[2 * i + 1]!) >>> 0);
  return w;
}
