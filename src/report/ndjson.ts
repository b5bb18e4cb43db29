/**
 * NDJSON: one record per line with a `type` field (summary, asset, flow,
 * traffic, merge, warning), for streaming into other tools.
 */
import type { Report } from './build.js';
import { compactJson } from './json.js';

export function* ndjsonLines(
  report: Report,
  flowRows: Iterable<Record<string, unknown>> = report.flows,
  trafficRows: Iterable<Record<string, unknown>> = report.traffic,
): Generator<string> {
  const { assets, flows: _flows, traffic: _traffic, warnings, merge, ...summary } = report;
  yield compactJson({ type: 'summary', ...summary });
  for (const a of assets) yield compactJson({ type: 'asset', ...a });
  for (const f of flowRows) yield compactJson({ type: 'flow', ...f });
  for (const t of trafficRows) yield compactJson({ type: 'traffic', ...t });
  if (Array.isArray(merge)) for (const m of merge) yield compactJson({ type: 'merge', ...(m as Record<string, unknown>) });
  for (const w of warnings) yield compactJson({ type: 'warning', ...w });
}
