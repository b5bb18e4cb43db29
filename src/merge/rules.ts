/**
 * The merge rules of SPEC §7, one pair at a time: MAC first, then hostname,
 * then IP only (same network; static at once, dynamic inside the DHCP lease
 * the sensor saw, else within ip_inactivity of when the sensor saw it).
 * Every verdict carries a sentence naming the values and times compared.
 */
import { isoUs } from '../report/time.js';
import type { ManagedAsset, MergeRule, MergeSettings, PassiveAsset, PassiveIp } from './types.js';

/** Rank of a rule: lower wins when several managed assets qualify. */
export const RULE_RANK: Record<MergeRule, number> = { mac: 0, hostname: 1, 'ip-static': 2, 'ip-dhcp-lease': 3, 'ip-inactivity': 4 };

export interface Match {
  rule: MergeRule;
  reason: string;
  /** Time distance behind an IP match (0 for the others): the closer one wins a tie. */
  distanceUs: number;
}

/** Why a near candidate (one sharing an address or an excluded name) did not qualify. */
export interface Miss {
  reason: string;
  /** Lower is more telling, for choosing which miss to report. */
  rank: number;
}

const INFINITE_LEASE = 4294967295;

// ---------------------------------------------------------------------------
// Wording

/** "2026-01-14T06:00:00Z", with the fraction only when there is one. */
export function when(us: number): string {
  return isoUs(us).replace('.000000Z', 'Z');
}

/** "3d 2h", "45m 10s", "0s": the two largest units. */
export function span(us: number): string {
  let s = Math.round(Math.abs(us) / 1e6);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  return parts.length === 0 ? '0s' : parts.slice(0, 2).join(' ');
}

// ---------------------------------------------------------------------------
// Hostnames

export interface NameKey {
  /** What is compared: the whole name, or its first label with --hostname-match short. */
  key: string;
  /** The name as given. */
  name: string;
}

const IP_LITERAL = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)$/i;

export function normaliseHostname(name: string): string {
  const t = name.trim().toLowerCase();
  return t.endsWith('.') ? t.slice(0, -1) : t;
}

export function firstLabel(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}

/** A name never matches when it, or its first label, is in hostname_exclusions. */
export function isExcluded(name: string, settings: MergeSettings): boolean {
  const n = normaliseHostname(name);
  return settings.hostnameExclusions.includes(n) || settings.hostnameExclusions.includes(firstLabel(n));
}

/** The comparable keys of a list of names; excluded names and address literals are left out. */
export function nameKeys(names: readonly string[], settings: MergeSettings): NameKey[] {
  const out: NameKey[] = [];
  for (const name of names) {
    const n = normaliseHostname(name);
    if (n === '' || IP_LITERAL.test(n) || isExcluded(n, settings)) continue;
    const key = settings.hostnameMatch === 'short' ? firstLabel(n) : n;
    if (key !== '' && !out.some((k) => k.key === key)) out.push({ key, name });
  }
  return out;
}

function hostnameReason(a: NameKey, b: NameKey, other: string, settings: MergeSettings): string {
  if (settings.hostnameMatch === 'short') {
    return `first label "${a.key}" of hostname "${a.name}" equals that of "${b.name}" on ${other} (--hostname-match short)`;
  }
  return `hostname "${a.name}" equals "${b.name}" on ${other} (exact, case-insensitive)`;
}

/** The first shared name key, in the order of `a`. */
function sharedName(a: NameKey[], b: NameKey[]): [NameKey, NameKey] | null {
  for (const x of a) {
    const y = b.find((k) => k.key === x.key);
    if (y) return [x, y];
  }
  return null;
}

// ---------------------------------------------------------------------------
// IP windows

/** The lease window for `ip`: from the lease start (or from when the asset was first seen on the address, if earlier) to its end. */
export function leaseWindow(asset: PassiveAsset, seen: PassiveIp): { startUs: number; endUs: number } | null {
  const l = asset.lease;
  if (l === null || l.ip !== seen.ip || l.seconds === null) return null;
  const endUs = l.seconds >= INFINITE_LEASE ? Number.MAX_SAFE_INTEGER : l.startUs + l.seconds * 1e6;
  return { startUs: Math.min(l.startUs, seen.firstUs), endUs };
}

/** Distance from a time to an interval (0 inside it). */
function distance(t: number, first: number, last: number): number {
  return t < first ? first - t : t > last ? t - last : 0;
}

function leaseText(w: { startUs: number; endUs: number }): string {
  return `${when(w.startUs)} to ${w.endUs === Number.MAX_SAFE_INTEGER ? 'never (infinite lease)' : when(w.endUs)}`;
}

function staticWhy(asset: PassiveAsset): string {
  return asset.staticRange !== null
    ? `static on sensor ${asset.sensor}: range ${asset.staticRange} is configured with assignment static`
    : `static on sensor ${asset.sensor}: the asset was seen for a day or more without DHCP`;
}

// ---------------------------------------------------------------------------
// Passive asset against a managed asset

/**
 * One passive address against a managed asset that lists it. A Match when the
 * IP rules accept it, else a Miss saying why not.
 */
export function ipAgainstManaged(asset: PassiveAsset, seen: PassiveIp, m: ManagedAsset, settings: MergeSettings): Match | Miss {
  const on = `managed asset ${m.id}`;
  if (m.network !== asset.network) {
    return { rank: 3, reason: `${seen.ip} is also listed on ${on}, but in network "${m.network}", not the sensor's "${asset.network}" (IP-only matches need the same network)` };
  }
  const listed = `${seen.ip} is listed on ${on} in network "${m.network}"`;
  if (asset.assignment === 'static') {
    return { rule: 'ip-static', distanceUs: 0, reason: `${listed}, and the address is ${staticWhy(asset)}` };
  }
  if (m.lastScanUs === null) {
    return { rank: 2, reason: `${listed}, but the address is dynamic and ${on} has no last_scan to compare with when the sensor saw it` };
  }
  const scan = `its last_scan ${when(m.lastScanUs)}`;
  const lease = leaseWindow(asset, seen);
  if (lease !== null) {
    if (m.lastScanUs >= lease.startUs && m.lastScanUs <= lease.endUs) {
      return { rule: 'ip-dhcp-lease', distanceUs: 0, reason: `${listed}; ${scan} falls inside the DHCP lease the sensor saw for it (${leaseText(lease)})` };
    }
    return { rank: 1, reason: `${listed}, but ${scan} is outside the DHCP lease the sensor saw for it (${leaseText(lease)})` };
  }
  const d = distance(m.lastScanUs, seen.firstUs, seen.lastUs);
  const seenText = `${when(seen.firstUs)} to ${when(seen.lastUs)}`;
  const noLease = asset.assignment === 'dhcp' ? 'no DHCP lease for this address was seen' : 'no DHCP lease was seen';
  if (d <= settings.ipInactivityUs) {
    const gap = d === 0 ? 'falls inside the time' : `is ${span(d)} from the time`;
    return {
      rule: 'ip-inactivity',
      distanceUs: d,
      reason: `${listed}; ${noLease}, and ${scan} ${gap} the sensor saw the asset on it (${seenText}), within ip_inactivity ${span(settings.ipInactivityUs)}`,
    };
  }
  return {
    rank: 1,
    reason: `${listed}, but ${noLease} and ${scan} is ${span(d)} from the time the sensor saw the asset on it (${seenText}), beyond ip_inactivity ${span(settings.ipInactivityUs)}`,
  };
}

export function isMatch(v: Match | Miss): v is Match {
  return 'rule' in v;
}

/** MAC, then hostname: the rules that need no address or time. */
export function identityAgainstManaged(macs: readonly string[], names: NameKey[], m: ManagedAsset, settings: MergeSettings): Match | null {
  const mac = macs.find((x) => m.macs.includes(x));
  if (mac !== undefined) return { rule: 'mac', distanceUs: 0, reason: `MAC ${mac} is listed on managed asset ${m.id}` };
  const shared = sharedName(names, nameKeys(m.hostnames, settings));
  if (shared) return { rule: 'hostname', distanceUs: 0, reason: hostnameReason(shared[0], shared[1], `managed asset ${m.id}`, settings) };
  return null;
}

// ---------------------------------------------------------------------------
// Two passive assets (from different reports) for de-duplication

/** Two sightings of one address by the same sensor. */
function ipBetweenPassive(a: PassiveAsset, sa: PassiveIp, b: PassiveAsset, sb: PassiveIp, settings: MergeSettings): Match | null {
  const both = `${sa.ip} on sensor ${a.sensor}`;
  for (const [x, sx, y, sy] of [
    [a, sa, b, sb],
    [b, sb, a, sa],
  ] as const) {
    const lease = leaseWindow(x, sx);
    if (lease === null) continue;
    if (sy.lastUs >= lease.startUs && sy.firstUs <= lease.endUs) {
      return {
        rule: 'ip-dhcp-lease',
        distanceUs: 0,
        reason: `${both}: ${y.id} was seen on it (${when(sy.firstUs)} to ${when(sy.lastUs)}) inside the DHCP lease seen for ${x.id} (${leaseText(lease)})`,
      };
    }
  }
  if (leaseWindow(a, sa) !== null || leaseWindow(b, sb) !== null) return null;
  if (a.assignment === 'static' || b.assignment === 'static') {
    const s = a.assignment === 'static' ? a : b;
    return { rule: 'ip-static', distanceUs: 0, reason: `${both}: the address is ${staticWhy(s)}` };
  }
  const gap = Math.max(0, Math.max(sa.firstUs, sb.firstUs) - Math.min(sa.lastUs, sb.lastUs));
  if (gap > settings.ipInactivityUs) return null;
  return {
    rule: 'ip-inactivity',
    distanceUs: gap,
    reason: `${both}: no DHCP lease was seen, and ${a.id} (${when(sa.firstUs)} to ${when(sa.lastUs)}) and ${b.id} (${when(sb.firstUs)} to ${when(sb.lastUs)}) are ${span(gap)} apart, within ip_inactivity ${span(settings.ipInactivityUs)}`,
  };
}

/**
 * Whether two passive assets from different reports are one machine. The
 * relation is symmetric, so grouping does not depend on input order. IP-only
 * matches need the same sensor (and network): SPEC §7's "sensors" column.
 */
export function samePassive(a: PassiveAsset, b: PassiveAsset, settings: MergeSettings): Match | null {
  if (a.mac !== null && a.mac === b.mac) return { rule: 'mac', distanceUs: 0, reason: `both have MAC ${a.mac}` };
  const shared = sharedName(nameKeys(a.hostnames, settings), nameKeys(b.hostnames, settings));
  if (shared) return { rule: 'hostname', distanceUs: 0, reason: hostnameReason(shared[0], shared[1], `${b.sensor}/${b.id}`, settings) };
  if (a.sensor !== b.sensor || a.network !== b.network) return null;
  let best: Match | null = null;
  for (const sa of a.ips) {
    const sb = b.ips.find((x) => x.ip === sa.ip);
    if (sb === undefined) continue;
    const m = ipBetweenPassive(a, sa, b, sb, settings);
    if (m !== null && (best === null || RULE_RANK[m.rule] < RULE_RANK[best.rule] || (m.rule === best.rule && m.distanceUs < best.distanceUs))) best = m;
  }
  return best;
}
