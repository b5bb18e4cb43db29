/** Text forms of addresses kept as numbers by the engine (reporting only, never per packet). */

export function ip4ToString(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

/** RFC 5952 form: lower case, longest run of zero groups (2 or more) as "::". */
export function ip6ToString(w: ArrayLike<number>): string {
  const g: number[] = [];
  for (let i = 0; i < 4; i++) {
    g.push((w[i]! >>> 16) & 0xffff, w[i]! & 0xffff);
  }
  // IPv4-mapped addresses keep the dotted tail.
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${ip4ToString(w[3]! >>> 0)}`;
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
  return `${left}::${right}`;
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
