/**
 * The `nps.merge/v1` document written by `nps merge`: the settings used, the
 * inputs (managed inventory and sensor reports, in canonical order), the
 * decisions, the resulting managed and unmanaged lists, and warnings.
 * Field names and row order are stable so the same inputs give the same bytes.
 */
import type { Json } from '../report/build.js';
import { isoUs } from '../report/time.js';
import type { MergeOutcome } from './decide.js';
import type { LintWarning } from './lint.js';
import type { SensorReport } from './passive.js';
import type { MergeSettings } from './types.js';

export const MERGE_SCHEMA = 'nps.merge/v1';

export interface MergeDocumentInput {
  generator: { name: string; version: string };
  deterministic?: boolean;
  now?: Date;
  settings: MergeSettings;
  managed: { path: string; sha256: string; assets: number };
  /** In canonical order (decide.ts sortReports). */
  reports: SensorReport[];
  outcome: MergeOutcome;
  warnings: LintWarning[];
}

export type MergeDocument = { [k: string]: Json } & {
  merge: { [k: string]: Json }[];
  managed: { [k: string]: Json }[];
  unmanaged: { [k: string]: Json }[];
  warnings: { [k: string]: Json }[];
};

export function settingsRecord(s: MergeSettings): { [k: string]: Json } {
  return {
    hostname_match: s.hostnameMatch,
    hostname_exclusions: [...s.hostnameExclusions].sort(),
    ip_inactivity_seconds: Math.round(s.ipInactivityUs / 1e6),
  };
}

export function mergeDocument(input: MergeDocumentInput): MergeDocument {
  const { outcome } = input;
  const merged = outcome.records.filter((r) => r.decision === 'merge').length;
  const doc: MergeDocument = {
    schema: MERGE_SCHEMA,
    generator: input.generator,
    settings: settingsRecord(input.settings),
    managed_inventory: { path: input.managed.path, sha256: input.managed.sha256, assets: input.managed.assets },
    reports: input.reports.map((r) => ({
      path: r.path,
      sha256: r.sha256,
      sensor: r.sensor,
      network: r.network,
      first_ts: r.firstUs === null ? null : isoUs(r.firstUs),
      last_ts: r.lastUs === null ? null : isoUs(r.lastUs),
      assets: r.assets.length,
    })),
    summary: {
      passive_assets: input.reports.reduce((n, r) => n + r.assets.length, 0),
      deduplicated: outcome.records.length,
      merged,
      unmanaged: outcome.records.length - merged,
      managed_assets: outcome.managed.length,
      managed_seen: outcome.managed.filter((m) => m.seen).length,
    },
    merge: outcome.records as unknown as { [k: string]: Json }[],
    managed: outcome.managed as unknown as { [k: string]: Json }[],
    unmanaged: outcome.unmanaged as unknown as { [k: string]: Json }[],
    warnings: input.warnings as unknown as { [k: string]: Json }[],
  };
  if (!input.deterministic) doc.generated_at = isoUs((input.now ?? new Date()).getTime() * 1000);
  return doc;
}
