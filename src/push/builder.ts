/**
 * What a sensor has told the endpoint so far, and the next push: assets not
 * sent yet (whole), assets whose fields changed (only those fields), assets
 * gone, and what each flow row grew by. Summing the pushes at the receiver
 * gives the sensor's report exactly, whatever the schedule.
 */
import type { Json, LazyReport } from '../report/build.js';
import { compactJson } from '../report/json.js';
import { isoUs } from '../report/time.js';
import { FLOW_COUNT_FIELDS, PUSH_SCHEMA, flowKey, idempotencyKey, type JsonObject, type PushDocument } from './types.js';

/** Flow row fields that a push carries (the report's community ids stay in the report). */
const FLOW_FIELDS = [
  'interval_start', 'interval_end', 'client', 'client_ip', 'server', 'server_ip', 'server_port', 'protocol', 'ip_version',
  'application', 'family', 'connections', 'client_packets', 'server_packets', 'client_bytes', 'server_bytes', 'first_seen', 'last_seen',
] as const;

export interface PushContent {
  /** Send assets new since the last push. */
  assets: boolean;
  /** Send changed and removed assets, and flow growth. */
  updates: boolean;
}

export class PushBuilder {
  /** Per asset sent: its fields as sent (compact JSON), to find what changed. */
  private readonly sentAssets = new Map<string, Map<string, string>>();
  /** Per flow row sent: its counts as sent, and the last build that still saw the row. */
  private readonly sentFlows = new Map<string, { counts: number[]; seen: number }>();
  private builds = 0;
  private sequence = 0;

  constructor(
    private readonly sensor: { name: string; network: string },
    private readonly generator: { name: string; version: string },
  ) {}

  get pushes(): number {
    return this.sequence;
  }

  /**
   * The push for [startUs, endUs) from a snapshot of the sensor's report, or
   * null when there is nothing to say (the final push is always made).
   */
  build(lazy: LazyReport, startUs: number, endUs: number, content: PushContent, final: boolean): PushDocument | null {
    const newAssets: JsonObject[] = [];
    const changed: JsonObject[] = [];
    const removed: string[] = [];
    const flows: JsonObject[] = [];
    const present = new Set<string>();
    for (const asset of lazy.report.assets) {
      const id = String(asset.id);
      present.add(id);
      const sent = this.sentAssets.get(id);
      if (sent === undefined) {
        if (!content.assets && !content.updates) continue;
        newAssets.push(asset);
        this.sentAssets.set(id, fieldsOf(asset));
      } else if (content.updates) {
        const diff: JsonObject = { id };
        let any = false;
        for (const [k, v] of Object.entries(asset)) {
          const text = compactJson(v);
          if (sent.get(k) !== text) {
            diff[k] = v as Json;
            sent.set(k, text);
            any = true;
          }
        }
        if (any) changed.push(diff);
      }
    }
    if (content.updates) {
      for (const id of this.sentAssets.keys()) {
        if (!present.has(id)) {
          removed.push(id);
          this.sentAssets.delete(id);
        }
      }
      const build = ++this.builds;
      for (const row of lazy.flows()) {
        const key = flowKey(row);
        const before = this.sentFlows.get(key);
        const now = FLOW_COUNT_FIELDS.map((f) => Number(row[f]));
        if (before !== undefined) before.seen = build;
        if (before !== undefined && now.every((v, i) => v === before.counts[i])) continue;
        // Counts only grow; smaller ones mean the row was evicted and made again since: all of it is new.
        const base = before === undefined || now.some((v, i) => v < before.counts[i]!) ? null : before.counts;
        const out: JsonObject = {};
        for (const f of FLOW_FIELDS) out[f] = row[f] ?? null;
        FLOW_COUNT_FIELDS.forEach((f, i) => (out[f] = now[i]! - (base?.[i] ?? 0)));
        flows.push(out);
        if (before !== undefined) before.counts = now;
        else this.sentFlows.set(key, { counts: now, seen: build });
      }
      // Rows the sensor no longer holds (evicted by limits.flow_rows) are forgotten too: what is kept stays bounded.
      for (const [key, sent] of this.sentFlows) if (sent.seen !== build) this.sentFlows.delete(key);
    }
    if (!final && newAssets.length === 0 && changed.length === 0 && removed.length === 0 && flows.length === 0) return null;
    this.sequence++;
    const start = isoUs(startUs);
    const end = isoUs(endUs);
    return {
      schema: PUSH_SCHEMA,
      generator: this.generator,
      sensor: this.sensor,
      sequence: this.sequence,
      idempotency_key: idempotencyKey(this.sensor.name, start, end, this.sequence),
      interval: { start, end },
      final,
      new_assets: newAssets,
      changed_assets: changed,
      removed_assets: removed.sort(),
      flows,
    };
  }
}

function fieldsOf(asset: JsonObject): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of Object.entries(asset)) m.set(k, compactJson(v));
  return m;
}

/**
 * Reporting boundaries (SPEC §8) on one clock, aligned on the epoch: the end
 * of each new_asset_interval (new assets) and of each update_interval
 * (changes and flows). `due(t)` lists the boundaries passed up to time t.
 */
export class PushSchedule {
  private nextNew: number;
  private nextUpdate: number;
  private lastEnd: number;

  constructor(
    startUs: number,
    private readonly newAssetUs: number,
    private readonly updateUs: number,
  ) {
    this.nextNew = (Math.floor(startUs / newAssetUs) + 1) * newAssetUs;
    this.nextUpdate = (Math.floor(startUs / updateUs) + 1) * updateUs;
    this.lastEnd = Math.floor(startUs / newAssetUs) * newAssetUs;
  }

  /** Boundaries at or before `nowUs`, oldest first; each with its interval and what it sends. */
  *due(nowUs: number): Generator<{ startUs: number; endUs: number; content: PushContent }> {
    while (Math.min(this.nextNew, this.nextUpdate) <= nowUs) {
      const end = Math.min(this.nextNew, this.nextUpdate);
      const content = { assets: this.nextNew === end, updates: this.nextUpdate === end };
      if (this.nextNew === end) this.nextNew += this.newAssetUs;
      if (this.nextUpdate === end) this.nextUpdate += this.updateUs;
      const start = this.lastEnd;
      this.lastEnd = end;
      yield { startUs: start, endUs: end, content };
    }
  }

  /** The final push's interval: from the last boundary to `endUs`. */
  finalInterval(endUs: number): { startUs: number; endUs: number } {
    return { startUs: this.lastEnd, endUs: Math.max(endUs, this.lastEnd) };
  }
}
