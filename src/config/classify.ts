/**
 * Address classes of SPEC §2.1 and the classifier interface; the
 * configuration's classifier is in classifier.ts. Checks are on numbers,
 * never strings, since the engine classifies on every packet.
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

/** Everything internal and inventoried (`--internal all`): useful on captures of public traffic. */
export class AllInternalClassifier implements Classifier {
  classify4(ip: number): AddrClass {
    return special4(ip) ? AddrClass.Special : AddrClass.Inventoried;
  }
  classify6(w: ArrayLike<number>): AddrClass {
    return special6(w) ? AddrClass.Special : AddrClass.Inventoried;
  }
}
