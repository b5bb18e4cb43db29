/**
 * NDJSON: one record per line with a `type` field (summary, asset, flow,
 * traffic, merge, warning), for streaming into other tools.
 */
import type { Report } from './build.js';
import { compactJson } from './json.js';

export function* ndjsonLines(
  report: Report,
  flowRows: Iterable<Record<string, unknown>> = report.flows,
  /** Traffic rows as objects, or as compact JSON text with sorted keys (the report builder's spilled rows). */
  trafficRows: Iterable<Record<string, unknown> | string> = report.traffic,
): Generator<string> {
  const { assets, flows: _flows, traffic: _traffic, warnings, merge, ...summary } = report;
  yield compactJson({ type: 'summary', ...summary });
  for (const a of assets) yield compactJson({ type: 'asset', ...a });
  yield* typedRows(flowRows, 'flow');
  yield* typedRows(trafficRows, 'traffic');
  if (Array.isArray(merge)) for (const m of merge) yield compactJson({ type: 'merge', ...(m as Record<string, unknown>) });
  for (const w of warnings) yield compactJson({ type: 'warning', ...w });
}

/**
 * Rows with their `type`, as compactJson({ type, ...row }) prints them.
 * Flow and traffic rows are built with their keys in sorted order, all
 * before "type" (test/report/rows-sorted.test.ts): their text is then the
 * row's own JSON with the type added at the end, which spares copying and
 * sorting every row (a scan's report has half a million). Checked on the
 * first row; rows of another shape go the general way.
 */
function* typedRows(rows: Iterable<Record<string, unknown> | string>, type: string): Generator<string> {
  const tail = `,"type":${JSON.stringify(type)}}`;
  let fast: boolean | undefined;
  for (const row of rows) {
    const text = typeof row === 'string' ? row : null;
    if (fast === undefined) {
      const obj = text === null ? (row as Record<string, unknown>) : (JSON.parse(text) as Record<string, unknown>);
      const keys = Object.keys(obj);
      fast = keys.length > 0 && keys.every((k) => k < 'type') && compactJson(obj) === (text ?? JSON.stringify(obj));
    }
    if (fast) yield (text ?? JSON.stringify(row)).slice(0, -1) + tail;
    else yield compactJson({ type, ...(text === null ? (row as Record<string, unknown>) : (JSON.parse(text) as Record<string, unknown>)) });
  }
}
