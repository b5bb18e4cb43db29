/**
 * Merge decisions (SPEC §7): passive assets of several reports are first
 * grouped among themselves (one machine seen by several sensors, or in several
 * reports of one sensor), then each group is matched against the managed
 * inventory. Inputs are put in a canonical order first, so the result does not
 * depend on the order the reports were given in.
 */
import { isoUs } from '../report/time.js';
import type { SensorReport } from './passive.js';
import {
  RULE_RANK,
  identityAgainstManaged,
  ipAgainstManaged,
  isMatch,
  nameKeys,
  normaliseHostname,
  samePassive,
  type Match,
  type Miss,
} from './rules.js';
import type { ManagedAsset, MergeRule, MergeSettings, PassiveAsset } from './types.js';

export interface AssetRef {
  sensor: string;
  network: string;
  id: string;
}

export interface Join {
  asset: AssetRef;
  with: AssetRef;
  rule: MergeRule;
  reason: string;
}

/** The decision for one passive asset (or one group of duplicates). */
export interface MergeRecord {
  /** The group's representative: the first member by sensor, then id. */
  asset_id: string;
  sensors: string[];
  assets: AssetRef[];
  macs: string[];
  ips: string[];
  hostnames: string[];
  first_seen: string;
  last_seen: string;
  decision: 'merge' | 'no-merge';
  managed_id: string | null;
  rule: MergeRule | null;
  reason: string;
  /** How the members were found to be one machine (empty for a single asset). */
  joined: Join[];
}

/** A managed asset with what merged into it. */
export interface ManagedRow {
  managed_id: string;
  network: string;
  macs: string[];
  ips: string[];
  hostnames: string[];
  last_scan: string | null;
  seen: boolean;
  passive: string[];
  sensors: string[];
  rules: MergeRule[];
}

/** A passive asset (or group) that merged with nothing. */
export type UnmanagedRow = Pick<MergeRecord, 'asset_id' | 'sensors' | 'assets' | 'macs' | 'ips' | 'hostnames' | 'first_seen' | 'last_seen'>;

export interface MergeOutcome {
  records: MergeRecord[];
  managed: ManagedRow[];
  unmanaged: UnmanagedRow[];
}

const refOf = (a: PassiveAsset): AssetRef => ({ sensor: a.sensor, network: a.network, id: a.id });
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byAsset = (a: PassiveAsset, b: PassiveAsset) => cmp(a.sensor, b.sensor) || cmp(a.network, b.network) || cmp(a.id, b.id) || a.report - b.report;

/** Reports in a canonical order: by sensor, network, capture start, content. */
export function sortReports(reports: SensorReport[]): SensorReport[] {
  const sorted = [...reports].sort(
    (a, b) =>
      cmp(a.sensor, b.sensor) || cmp(a.network, b.network) || (a.firstUs ?? 0) - (b.firstUs ?? 0) || (a.lastUs ?? 0) - (b.lastUs ?? 0) || cmp(a.sha256, b.sha256),
  );
  sorted.forEach((r, i) => r.assets.forEach((a) => (a.report = i)));
  return sorted;
}

class UnionFind {
  private parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]!]!;
      i = this.parent[i]!;
    }
    return i;
  }
  /** Joins two sets, the smaller index as root; false when already one. */
  union(a: number, b: number): boolean {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return false;
    if (ra < rb) this.parent[rb] = ra;
    else this.parent[ra] = rb;
    return true;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** How many later assets sharing one key each asset is compared with. */
const PAIR_WINDOW = 64;

interface Group {
  members: PassiveAsset[];
  joins: Join[];
}

/**
 * Groups passive assets from different reports that the rules say are one
 * machine. Candidate pairs come from indexes on MAC, hostname key and IP; pairs
 * are tried in a fixed order so the joins recorded are stable.
 */
export function groupPassive(all: PassiveAsset[], settings: MergeSettings): Group[] {
  const assets = [...all].sort(byAsset);
  const index = new Map<string, number[]>();
  assets.forEach((a, i) => {
    if (a.mac !== null) push(index, `m ${a.mac}`, i);
    for (const k of nameKeys(a.hostnames, settings)) push(index, `h ${k.key}`, i);
    for (const s of a.ips) push(index, `i ${a.sensor}\u0000${a.network}\u0000${s.ip}`, i);
  });
  const pairs = new Set<number>();
  const n = assets.length;
  for (const list of index.values()) {
    if (list.length < 2) continue;
    for (let x = 0; x < list.length; x++) {
      // Bounded: an address or name shared by hundreds of assets (many reports of one subnet)
      // pairs each with its nearest PAIR_WINDOW neighbours in (sensor, id, report) order.
      for (let y = x + 1; y < list.length && y <= x + PAIR_WINDOW; y++) {
        const i = list[x]!;
        const j = list[y]!;
        if (assets[i]!.report !== assets[j]!.report) pairs.add(i * n + j);
      }
    }
  }
  const uf = new UnionFind(n);
  const joins: { root?: number; join: Join; i: number }[] = [];
  for (const p of [...pairs].sort((a, b) => a - b)) {
    const i = Math.floor(p / n);
    const j = p % n;
    const a = assets[i]!;
    const b = assets[j]!;
    const m = samePassive(a, b, settings);
    if (m === null) continue;
    if (uf.union(i, j)) joins.push({ i, join: { asset: refOf(b), with: refOf(a), rule: m.rule, reason: m.reason } });
  }
  const groups = new Map<number, Group>();
  assets.forEach((a, i) => {
    const root = uf.find(i);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = { members: [], joins: [] }));
    g.members.push(a);
  });
  for (const j of joins) groups.get(uf.find(j.i))!.joins.push(j.join);
  return [...groups.values()];
}

function uniqueSorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(cmp);
}

interface Decision {
  managed: ManagedAsset | null;
  rule: MergeRule | null;
  reason: string;
}

/** The best managed asset for a group: by rule rank, then time distance, then managed id. */
function decide(group: Group, index: ManagedIndex, settings: MergeSettings): Decision {
  const macs = uniqueSorted(group.members.flatMap((a) => (a.mac === null ? [] : [a.mac])));
  const names = nameKeys(
    group.members.flatMap((a) => a.hostnames),
    settings,
  );
  let best: { m: ManagedAsset; match: Match } | null = null;
  const consider = (m: ManagedAsset, match: Match) => {
    if (
      best === null ||
      RULE_RANK[match.rule] < RULE_RANK[best.match.rule] ||
      (match.rule === best.match.rule && (match.distanceUs < best.match.distanceUs || (match.distanceUs === best.match.distanceUs && cmp(m.id, best.m.id) < 0)))
    ) {
      best = { m, match };
    }
  };
  const identityCandidates = new Set<ManagedAsset>();
  for (const mac of macs) for (const m of index.byMac.get(mac) ?? []) identityCandidates.add(m);
  for (const k of names) for (const m of index.byName.get(k.key) ?? []) identityCandidates.add(m);
  for (const m of identityCandidates) {
    const match = identityAgainstManaged(macs, names, m, settings);
    if (match) consider(m, match);
  }
  const misses: Miss[] = [];
  if (best === null) {
    for (const a of group.members) {
      for (const seen of a.ips) {
        for (const m of index.byIp.get(seen.ip) ?? []) {
          const v = ipAgainstManaged(a, seen, m, settings);
          if (isMatch(v)) consider(m, v);
          else misses.push(v);
        }
      }
    }
  }
  if (best !== null) {
    const b = best as { m: ManagedAsset; match: Match };
    const others = ambiguity(group, b, index, settings);
    return { managed: b.m, rule: b.match.rule, reason: b.match.reason + others };
  }
  return { managed: null, rule: null, reason: noMergeReason(group, macs, misses, index, settings) };
}

/** " (managed assets X, Y also match by …)" when the choice was not the only one. */
function ambiguity(group: Group, best: { m: ManagedAsset; match: Match }, index: ManagedIndex, settings: MergeSettings): string {
  if (best.match.rule !== 'mac' && best.match.rule !== 'hostname') return '';
  const macs = uniqueSorted(group.members.flatMap((a) => (a.mac === null ? [] : [a.mac])));
  const names = nameKeys(
    group.members.flatMap((a) => a.hostnames),
    settings,
  );
  const others = new Set<string>();
  for (const mac of macs) for (const m of index.byMac.get(mac) ?? []) if (m !== best.m) others.add(m.id);
  if (best.match.rule === 'hostname') for (const k of names) for (const m of index.byName.get(k.key) ?? []) if (m !== best.m) others.add(m.id);
  if (others.size === 0) return '';
  const list = [...others].sort(cmp);
  return `; ${list.length === 1 ? 'managed asset' : 'managed assets'} ${list.slice(0, 5).join(', ')}${list.length > 5 ? ` and ${list.length - 5} more` : ''} also ${list.length === 1 ? 'matches' : 'match'} by ${best.match.rule === 'mac' ? 'MAC' : 'MAC or hostname'}; ${best.m.id} was chosen as the first by id`;
}

function noMergeReason(group: Group, macs: string[], misses: Miss[], index: ManagedIndex, settings: MergeSettings): string {
  // A generic name that a managed asset shares is worth saying: it is why there was no hostname match.
  const excludedShared: string[] = [];
  for (const a of group.members) {
    for (const h of a.hostnames) {
      const n = normaliseHostname(h);
      if (nameKeys([h], settings).length > 0) continue;
      if (index.rawNames.has(n) || index.rawFirstLabels.has(n.split('.')[0]!)) excludedShared.push(h);
    }
  }
  const parts: string[] = [];
  if (excludedShared.length > 0) {
    parts.push(`hostname "${excludedShared[0]}" is in merge.hostname_exclusions, so it matches nothing`);
  }
  if (misses.length > 0) {
    misses.sort((x, y) => x.rank - y.rank || cmp(x.reason, y.reason));
    parts.push(misses[0]!.reason + (misses.length > 1 ? ` (${misses.length - 1} more near ${misses.length === 2 ? 'match' : 'matches'} by address)` : ''));
  }
  if (parts.length > 0) return parts.join('; ');
  const ips = uniqueSorted(group.members.flatMap((a) => a.ips.map((s) => s.ip)));
  const names = uniqueSorted(group.members.flatMap((a) => a.hostnames));
  const what: string[] = [];
  if (macs.length) what.push(`MAC ${macs.join(', ')}`);
  if (names.length) what.push(`hostname ${names.join(', ')}`);
  if (ips.length) what.push(`address ${ips.slice(0, 4).join(', ')}${ips.length > 4 ? ', …' : ''}`);
  return what.length ? `no managed asset lists its ${what.join(', ')}` : 'the asset has no MAC, hostname or address to match on';
}

interface ManagedIndex {
  byMac: Map<string, ManagedAsset[]>;
  byIp: Map<string, ManagedAsset[]>;
  byName: Map<string, ManagedAsset[]>;
  rawNames: Set<string>;
  rawFirstLabels: Set<string>;
}

function indexManaged(managed: ManagedAsset[], settings: MergeSettings): ManagedIndex {
  const byMac = new Map<string, ManagedAsset[]>();
  const byIp = new Map<string, ManagedAsset[]>();
  const names = new Map<string, ManagedAsset[]>();
  const rawNames = new Set<string>();
  const rawFirstLabels = new Set<string>();
  for (const m of managed) {
    for (const mac of m.macs) push(byMac, mac, m);
    for (const ip of m.ips) push(byIp, ip, m);
    for (const k of nameKeys(m.hostnames, settings)) push(names, k.key, m);
    for (const h of m.hostnames) {
      rawNames.add(normaliseHostname(h));
      rawFirstLabels.add(normaliseHostname(h).split('.')[0]!);
    }
  }
  return { byMac, byIp, byName: names, rawNames, rawFirstLabels };
}

/** Decisions for every passive asset of the reports against the managed inventory. */
export function mergeDecisions(reports: SensorReport[], managed: ManagedAsset[], settings: MergeSettings): MergeOutcome {
  const sorted = sortReports(reports);
  const groups = groupPassive(
    sorted.flatMap((r) => r.assets),
    settings,
  );
  const index = indexManaged(
    [...managed].sort((a, b) => cmp(a.id, b.id)),
    settings,
  );
  const records: MergeRecord[] = [];
  for (const g of groups) {
    const d = decide(g, index, settings);
    const rep = g.members[0]!;
    const refs = new Map<string, AssetRef>();
    for (const a of g.members) refs.set(`${a.sensor}\u0000${a.network}\u0000${a.id}`, refOf(a));
    records.push({
      asset_id: rep.id,
      sensors: uniqueSorted(g.members.map((a) => a.sensor)),
      assets: [...refs.values()],
      macs: uniqueSorted(g.members.flatMap((a) => (a.mac === null ? [] : [a.mac]))),
      ips: uniqueSorted(g.members.flatMap((a) => a.ips.map((s) => s.ip))),
      hostnames: uniqueSorted(g.members.flatMap((a) => a.hostnames)),
      first_seen: isoUs(Math.min(...g.members.map((a) => a.firstUs))),
      last_seen: isoUs(Math.max(...g.members.map((a) => a.lastUs))),
      decision: d.managed ? 'merge' : 'no-merge',
      managed_id: d.managed?.id ?? null,
      rule: d.rule,
      reason: d.reason,
      joined: g.joins,
    });
  }
  records.sort((a, b) => cmp(a.assets[0]!.sensor, b.assets[0]!.sensor) || cmp(a.asset_id, b.asset_id));
  return { records, managed: managedRows(managed, records), unmanaged: unmanagedRows(records) };
}

function managedRows(managed: ManagedAsset[], records: MergeRecord[]): ManagedRow[] {
  const into = new Map<string, MergeRecord[]>();
  for (const r of records) if (r.managed_id !== null) push(into, r.managed_id, r);
  return [...managed]
    .sort((a, b) => cmp(a.id, b.id))
    .map((m) => {
      const got = into.get(m.id) ?? [];
      return {
        managed_id: m.id,
        network: m.network,
        macs: m.macs,
        ips: m.ips,
        hostnames: m.hostnames,
        last_scan: m.lastScanUs === null ? null : isoUs(m.lastScanUs),
        seen: got.length > 0,
        passive: got.map((r) => r.asset_id),
        sensors: uniqueSorted(got.flatMap((r) => r.sensors)),
        rules: [...new Set(got.map((r) => r.rule!))].sort((a, b) => RULE_RANK[a] - RULE_RANK[b]),
      };
    });
}

function unmanagedRows(records: MergeRecord[]): UnmanagedRow[] {
  return records
    .filter((r) => r.decision === 'no-merge')
    .map((r) => ({
      asset_id: r.asset_id,
      sensors: r.sensors,
      assets: r.assets,
      macs: r.macs,
      ips: r.ips,
      hostnames: r.hostnames,
      first_seen: r.first_seen,
      last_seen: r.last_seen,
    }));
}
