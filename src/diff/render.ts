/**
 * `nps diff` output: the nps.diff/v1 JSON document, or text for a terminal or
 * a CI log (a summary line, then one section per kind of difference; readable
 * at 80 columns; green + and red − only when colour is on).
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Json } from '../report/build.js';
import { stableStringify } from '../report/json.js';
import { humanBytes, layout, wrap } from '../report/table.js';
import { differenceCount, flowKeyText, type AssetRow, type DiffResult, type DiffSummary, type FieldChange, type FlowKey } from './compare.js';

export type DiffFormat = 'table' | 'json';
export const DIFF_FORMATS: DiffFormat[] = ['table', 'json'];

export interface DiffRenderOptions {
  width: number;
  /** A chalk instance (as colorFor gives), or true/false. */
  color: ChalkInstance | boolean;
}

const MINUS = '−';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "±5%", "±2.5%". */
export function toleranceText(pct: number): string {
  return `±${pct}%`;
}

/** "3 differences: 1 asset added, 1 removed, 1 changed; 0 flows added, 0 removed; …", or "no differences". */
export function summaryLine(s: DiffSummary, tolerancePct: number): string {
  const n = differenceCount(s);
  if (n === 0) return `no differences${tolerancePct > 0 ? ` (traffic within ${toleranceText(tolerancePct)})` : ''}`;
  return (
    `${plural(n, 'difference', 'differences')}: ` +
    `${plural(s.assets_added, 'asset', 'assets')} added, ${s.assets_removed} removed, ${s.assets_changed} changed; ` +
    `${plural(s.flows_added, 'flow', 'flows')} added, ${s.flows_removed} removed; ` +
    `${plural(s.traffic_changed, 'traffic change', 'traffic changes')} beyond ${toleranceText(tolerancePct)}; ` +
    `${plural(s.warnings_added, 'warning', 'warnings')} added, ${s.warnings_removed} removed`
  );
}

export function renderDiff(result: DiffResult, format: DiffFormat, opts: DiffRenderOptions): string {
  if (format === 'json') return stableStringify(result) + '\n';
  return renderDiffTable(result, opts);
}

function chalkOf(color: ChalkInstance | boolean): ChalkInstance {
  if (typeof color === 'boolean') return new Chalk({ level: color ? 1 : 0 });
  return color;
}

/** Wraps `text` to `width`, continuation lines indented by `indent` spaces more than the first. */
function hanging(text: string, width: number, first: string, indent: number): string[] {
  const room = Math.max(20, width - first.length);
  const lines = wrap(text, room).split('\n');
  return lines.map((l, i) => (i === 0 ? first + l : ' '.repeat(first.length + indent) + l));
}

function valueText(v: Json): string {
  if (v === null) return '(none)';
  if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.map((x) => valueText(x)).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** "mac:00:11:22:33:44:55 (10.0.0.5, ws-01)". */
function assetLabel(a: AssetRow): string {
  const extra = [a.ips[0], a.hostnames[0]].filter((x): x is string => x !== undefined && x !== '');
  return extra.length ? `${a.id} (${extra.join(', ')})` : a.id;
}

/** Fields whose old and new values read better side by side than as + and − (the example: hostnames: ws-01 → ws-02). */
const SHOWN_AS_TRANSITION = new Set(['hostnames']);

interface Token {
  text: string;
  paint: (t: string) => string;
}

/** "open_ports: +8080/tcp −22/tcp" or "hostnames: ws-01 → ws-02" as tokens: each set member stays whole; values break at spaces. */
function changeTokens(c: FieldChange, color: ChalkInstance): Token[] {
  const plain = (t: string) => t;
  const head: Token = { text: `${c.field}:`, paint: plain };
  if (c.added !== undefined && c.removed !== undefined && !SHOWN_AS_TRANSITION.has(c.field)) {
    return [head, ...c.added.map((x) => ({ text: `+${x}`, paint: color.green })), ...c.removed.map((x) => ({ text: `${MINUS}${x}`, paint: color.red }))];
  }
  const words = (v: Json, paint: (t: string) => string) => valueText(v).split(' ').map((w) => ({ text: w, paint }));
  return [head, ...words(c.old, color.red), { text: '→', paint: plain }, ...words(c.new, color.green)];
}

/**
 * Lays tokens out greedily, one space apart, in lines of at most `width`
 * visible characters: the first after `first`, the others after `cont`. The
 * width counts the plain text, so colour never shortens a line. A token
 * longer than a whole line stands alone.
 */
function wrapTokens(tokens: Token[], width: number, first: string, cont: string): string[] {
  const lines: string[] = [];
  let prefix = first;
  let used = prefix.length;
  let parts: string[] = [];
  for (const t of tokens) {
    const need = (parts.length ? 1 : 0) + t.text.length;
    if (parts.length && used + need > width) {
      lines.push(prefix + parts.join(' '));
      prefix = cont;
      used = prefix.length;
      parts = [];
    }
    used += (parts.length ? 1 : 0) + t.text.length;
    parts.push(t.paint(t.text));
  }
  if (parts.length) lines.push(prefix + parts.join(' '));
  return lines;
}

function bytesPair(o: number, n: number): [string, string] {
  const ho = humanBytes(o);
  const hn = humanBytes(n);
  return ho === hn ? [`${o} B`, `${n} B`] : [ho, hn];
}

function pctText(p: number | null): string {
  if (p === null) return 'new';
  return `${p > 0 ? '+' : p < 0 ? MINUS : ''}${Math.abs(p).toFixed(1)}%`;
}

export function renderDiffTable(result: DiffResult, opts: DiffRenderOptions): string {
  const c = chalkOf(opts.color);
  const width = Math.max(40, opts.width);
  const out: string[] = [];
  const s = result.summary;
  const head = summaryLine(s, result.tolerance_pct);
  out.push(...wrap(head, width).split('\n').map((l) => (result.equal ? c.green(l) : c.bold(l))));
  const section = (title: string, count: number) => {
    out.push('', c.bold(`${title} (${count})`));
  };
  // Wrapping happens before colouring, so escape codes never count towards the width.
  const colored = (lines: string[], paint: (t: string) => string) => lines.map((l) => paint(l));

  const assetList = (title: string, rows: AssetRow[], sign: string, paint: (t: string) => string) => {
    if (rows.length === 0) return;
    section(title, rows.length);
    const cells = rows.map((a) => [`  ${sign} ${a.id}`, a.ips.join(', '), a.hostnames.join(', ')]);
    const lines = layout(['    ID', 'IP', 'HOSTNAME'], cells, width, [], [2, 1, 0], 15);
    out.push(c.dim(lines[0]!), ...colored(lines.slice(1), paint));
  };
  assetList('Assets added', result.assets_added, '+', c.green);
  assetList('Assets removed', result.assets_removed, MINUS, c.red);

  if (result.assets_changed.length > 0) {
    section('Assets changed', result.assets_changed.length);
    for (const a of result.assets_changed) {
      out.push(...hanging(assetLabel(a), width, '  ', 2));
      for (const ch of a.changes) out.push(...wrapTokens(changeTokens(ch, c), width, '      ', '        '));
    }
  }

  const flowList = (title: string, rows: FlowKey[], sign: string, paint: (t: string) => string) => {
    if (rows.length === 0) return;
    section(title, rows.length);
    const cells = rows.map((f) => [`  ${sign} ${f.client}`, f.server, `${f.server_port}/${f.protocol}`]);
    const lines = layout(['    CLIENT', 'SERVER', 'PORT'], cells, width, [], [0, 1], 15);
    out.push(c.dim(lines[0]!), ...colored(lines.slice(1), paint));
  };
  flowList('Flows added', result.flows_added, '+', c.green);
  flowList('Flows removed', result.flows_removed, MINUS, c.red);

  if (result.traffic_changed.length > 0) {
    section(`Traffic beyond ${toleranceText(result.tolerance_pct)}`, result.traffic_changed.length);
    const cells = result.traffic_changed.map((t) => {
      const [o, n] = bytesPair(t.old_bytes, t.new_bytes);
      return [`  ${t.kind}`, t.key, o, n, pctText(t.change_pct)];
    });
    const lines = layout(['  KIND', 'ASSET / FLOW', 'BEFORE', 'AFTER', 'CHANGE'], cells, width, [], [1], 20);
    out.push(c.dim(lines[0]!));
    lines.slice(1).forEach((l, i) => {
      const t = result.traffic_changed[i]!;
      out.push(t.new_bytes > t.old_bytes ? c.green(l) : c.red(l));
    });
  }

  if (result.warnings_added.length + result.warnings_removed.length > 0) {
    section('Warnings', result.warnings_added.length + result.warnings_removed.length);
    for (const w of result.warnings_added) out.push(c.green(`  + ${w}`));
    for (const w of result.warnings_removed) out.push(c.red(`  ${MINUS} ${w}`));
  }
  return out.join('\n') + '\n';
}
