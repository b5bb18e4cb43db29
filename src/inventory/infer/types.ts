/**
 * What the inference tables return: a guess about an operating system or a
 * device, with a confidence in [0, 1]. The tables are pure functions of the
 * raw values protocols carry (a User-Agent, a DHCP parameter list, a TCP SYN);
 * the inventory weighs the guesses against each other.
 */

/** Operating-system families, coarse enough to compare evidence from different protocols. */
export type OsFamily =
  | 'Windows'
  | 'macOS'
  | 'iOS'
  | 'Android'
  | 'Linux'
  | 'ChromeOS'
  | 'BSD'
  | 'Unix'
  | 'Network OS'
  | 'Embedded'
  | 'Printer OS'
  | 'Game console'
  | 'Other';

export interface OsGuess {
  /** Product name as people say it: 'Windows 10', 'macOS', 'Ubuntu', 'Cisco IOS'. */
  name: string;
  /** Version when the evidence carries one ('10.0.19045', '14.2', '15.0(2)SE'), else null. */
  version: string | null;
  family: OsFamily;
  /** 0..1: how sure the table is. */
  confidence: number;
}

export type DeviceType =
  | 'workstation'
  | 'laptop'
  | 'server'
  | 'phone'
  | 'tablet'
  | 'printer'
  | 'network device'
  | 'wireless access point'
  | 'firewall'
  | 'voip phone'
  | 'media device'
  | 'smart tv'
  | 'game console'
  | 'camera'
  | 'storage'
  | 'iot'
  | 'virtual machine'
  | 'industrial controller'
  | 'hmi/engineering station'
  | 'field device'
  | 'building controller';

export interface DeviceGuess {
  /** null when the evidence names a vendor or model but not what kind of device it is. */
  type: DeviceType | null;
  vendor: string | null;
  model: string | null;
  firmware: string | null;
  /** 0..1 */
  confidence: number;
}

/** Fields of a TCP SYN or SYN-ACK that make up a stack fingerprint. */
export interface TcpStackSample {
  /** TTL as seen (the table estimates the initial TTL: 32, 64, 128 or 255). */
  ttl: number;
  /** IPv6 hop limit when `ipv6` (same meaning as ttl). */
  ipv6: boolean;
  window: number;
  /** -1 when absent. */
  mss: number;
  /** Window scale shift, -1 when absent. */
  wscale: number;
  /** Option kinds in order, as letters: M=MSS, N=NOP, W=window scale, S=SACK permitted, T=timestamps, E=end, ?N=other kind N; joined with ','. */
  options: string;
  df: boolean;
  /** true for a SYN-ACK (a server answering), false for a SYN. */
  synAck: boolean;
}

/** An OsGuess, written short in the tables. */
export function osGuess(name: string, version: string | null, family: OsFamily, confidence: number): OsGuess {
  return { name, version, family, confidence };
}

/** A DeviceGuess, written short in the tables. */
export function deviceGuess(type: DeviceType | null, vendor: string | null, model: string | null, confidence: number, firmware: string | null = null): DeviceGuess {
  return { type, vendor, model, firmware, confidence };
}
