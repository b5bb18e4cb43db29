/**
 * Classification of an address (SPEC §2.1). This issue ships the built-in
 * defaults; the YAML configuration plugs its own ranges into the same
 * interface later. Checks are on numbers, never strings, since the engine
 * classifies on every packet.
 */
export const enum AddrClass {
  External = 0,
  Inventoried = 1,
  /** Internal but not inventoried: traffic tracked per IP, no attributes. */
  Tracked = 2,
  Excluded = 3,
  /** Multicast, broadcast, unspecified, loopback: shown as is, never an asset. */
  Special = 4,
  /** In a monitored external group by IP range: shown as the group, with its address. */
  Monitored = 5,
  /** In a monitored external group by name (learned from DNS): shown as the group only. */
  MonitoredByName = 6,
}

/** Outside the internal ranges (External or a monitored group). */
export function isExternalClass(c: AddrClass): boolean {
  return c === AddrClass.External || c === AddrClass.Monitored || c === AddrClass.MonitoredByName;
}

export interface Classifier {
  classify4(ip: number): AddrClass;
  classify6(w: Uint32Array | ArrayLike<number>): AddrClass;
  /** The group (internal, excluded or external, by class) of an address; -1 when none. */
  group4?(ip: number): number;
  group6?(w: Uint32Array | ArrayLike<number>): number;
  /** Name of group `index` for a class (labels of monitored groups in flows). */
  groupName?(cls: AddrClass, index: number): string;
}

export interface Range4 {
  /** Network address and prefix length. */
  net: number;
  bits: number;
}

function mask4(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** Special-purpose addresses that are never assets, whatever the configuration says. */
export function special4(ip: number): boolean {
  return ip >>> 28 === 0xe /* 224/4 multicast */ || ip === 0xffffffff || ip === 0 || ip >>> 24 === 127;
}

export function special6(w: ArrayLike<number>): boolean {
  const w0 = w[0]!;
  if (w0 >>> 24 === 0xff) return true; // multicast
  if (w0 === 0 && w[1] === 0 && w[2] === 0 && (w[3] === 0 || w[3] === 1)) return true; // :: and ::1
  return false;
}

/**
 * The defaults of SPEC §2: RFC 1918, 100.64.0.0/10 and fc00::/7 internal and
 * inventoried. Link-local addresses (169.254/16, fe80::/10) are inventoried
 * too: they cannot be routed, so they always belong to the local segment.
 */
export class DefaultClassifier implements Classifier {
  private readonly ranges: Range4[] = [
    { net: 0x0a000000, bits: 8 },
    { net: 0xac100000, bits: 12 },
    { net: 0xc0a80000, bits: 16 },
    { net: 0x64400000, bits: 10 },
    { net: 0xa9fe0000, bits: 16 },
  ];
  private readonly masks = this.ranges.map((r) => mask4(r.bits));

  classify4(ip: number): AddrClass {
    if (special4(ip)) return AddrClass.Special;
    for (let i = 0; i < this.ranges.length; i++) {
      if (((ip & this.masks[i]!) >>> 0) === this.ranges[i]!.net) return AddrClass.Inventoried;
    }
    return AddrClass.External;
  }

  classify6(w: ArrayLike<number>): AddrClass {
    if (special6(w)) return AddrClass.Special;
    const w0 = w[0]!;
    if (w0 >>> 25 === 0x7e /* fc00::/7 */ || w0 >>> 22 === 0x3fa /* fe80::/10 */) return AddrClass.Inventoried;
    // IPv4-mapped ::ffff:a.b.c.d follows the IPv4 rules.
    if (w0 === 0 && w[1] === 0 && w[2] === 0xffff) return this.classify4(w[3]!);
    return AddrClass.External;
  }
}

/** Everything internal and inventoried (`--internal all`): useful on captures of public traffic. */
export class AllInternalClassifier implements Classifier {
  classify4(ip: number): AddrClass {
    return special4(ip) ? AddrClass.Special : AddrClass.Inventoried;
  }
  classify6(w: ArrayLike<number>): AddrClass {
    return special6(w) ? AddrClass.Special : AddrClass.Inventoried;
  }
}
