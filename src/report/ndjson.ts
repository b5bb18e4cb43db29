/**
 * NDJSON: one record per line with a `type` field (summary, asset, flow,
 * traffic, warning), for streaming into other tools.
 */
import type { Report } from './build.js';
import { stableStringify } from './json.js';

export function* ndjsonLines(report: Report, flowRows: Iterable<Record<string, unknown>> = report.flows): Generator<string> {
  const { assets, flows: _flows, traffic, warnings, ...summary } = report;
  yield stableStringify({ type: 'summary', ...summary }, 0);
  for (const a of assets) yield stableStringify({ type: 'asset', ...a }, 0);
  for (const f of flowRows) yield stableStringify({ type: 'flow', ...f }, 0);
  for (const t of (traffic as Record<string, unknown>[] | undefined) ?? []) yield stableStringify({ type: 'traffic', ...t }, 0);
  for (const w of warnings) yield stableStringify({ type: 'warning', ...w }, 0);
}
