/**
 * The interactive inventory view (SPEC §9): assets, flows and traffic tables
 * that fit the terminal, with sorting, a live filter, an asset detail view
 * and a help panel. Only the visible window of rows is rendered, so ten
 * thousand assets stay fast.
 */
import React, { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { Box, Text, useInput, useStdout, type Key } from 'ink';
import type { Report } from '../report/build.js';
import { assetLabel, buildModels, filterRows, GAP, layoutColumns, naturalWidths, sortRows, VIEWS, VIEW_TITLES, type Row, type TableModel, type ViewName } from './rows.js';
import { detailLines, findAsset, wrapLines, type DetailLine, type LineStyle } from './detail.js';
import { clock, cut, fit, str } from './format.js';

export interface TuiProgress {
  label: string;
  fraction: number | null;
  packets: number;
}

export interface TuiSource {
  /** null while the first analysis runs. */
  report(): Report | null;
  /** Loading progress, null when none. */
  progress(): TuiProgress | null;
  /** Called when report() or progress() changes; returns unsubscribe. */
  subscribe(fn: () => void): () => void;
  /** Live capture: a LIVE marker and the time of the last refresh. */
  live?: boolean;
  title?: string;
}

export interface AppProps {
  source: TuiSource;
  color: boolean;
  onExit: () => void;
}

interface ViewState {
  sortCol: number;
  desc: boolean;
  filter: string;
  /** Identity of the selected row, kept across updates, sorting and filtering. */
  selKey: string | null;
  /** Its position, used when the row is gone. */
  selIndex: number;
  /** First row of the visible window. */
  top: number;
}

type Mode =
  | { kind: 'table' }
  | { kind: 'filter' }
  | { kind: 'help'; back: Mode }
  | { kind: 'detail'; assetId: string; scroll: number };

interface State {
  view: ViewName;
  views: Record<ViewName, ViewState>;
  mode: Mode;
}

/** Lines above and below the table body: the header, column headers, footer; and one left free at the bottom. */
const CHROME = 4;

export const KEY_HELP: [string, string][] = [
  ['tab / shift-tab', 'next / previous view: Assets, Flows, Traffic (or 1 2 3)'],
  ['↑ ↓  k j', 'move the selection'],
  ['PgUp PgDn', 'one page up / down (also space, ctrl-f / ctrl-b)'],
  ['Home End  g G', 'first / last row'],
  ['⏎ enter', 'open the asset (Flows: the client\'s; Traffic: the row\'s)'],
  ['s', 'sort by the next column (numbers and times largest first)'],
  ['S', 'reverse the sort'],
  ['/', 'filter on any field, hidden ones too; ⏎ keeps, esc clears'],
  ['esc', 'clear the filter; back from the detail; quit at the top'],
  ['?', 'this help (any key closes it)'],
  ['q', 'back from the detail view; quit at the top'],
  ['ctrl-c', 'quit'],
];

const HINTS = ['? help', '/ filter', 's sort', 'S reverse', '⏎ open', 'tab view', 'q quit'];
/** Hints left out first when the footer is short of room. */
const HINT_DROP = ['S reverse', '⏎ open', 's sort', 'tab view', '/ filter', 'g/G top/end', 'PgUp/PgDn page'];

function initialViews(): Record<ViewName, ViewState> {
  const v = (): ViewState => ({ sortCol: 0, desc: false, filter: '', selKey: null, selIndex: 0, top: 0 });
  return { assets: v(), flows: v(), traffic: v() };
}

/** The Key of one character taken out of a longer input. */
function charKey(ch: string, base: Key): Key {
  return {
    ...base,
    return: ch === '\r' || ch === '\n',
    tab: ch === '\t',
    backspace: ch === '\u007F' || ch === '\b',
    delete: false,
    escape: false,
    shift: /^[A-Z]$/.test(ch),
  };
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

/** Terminal size, re-read when the terminal is resized. */
function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const [, bump] = useReducer((x: number) => x + 1, 0);
  useEffect(() => {
    const on = () => bump();
    stdout.on('resize', on);
    return () => {
      stdout.off('resize', on);
    };
  }, [stdout]);
  return { columns: stdout.columns > 0 ? stdout.columns : 80, rows: stdout.rows > 0 ? stdout.rows : 24 };
}

/** Re-renders when the source says report() or progress() changed. */
function useSource(source: TuiSource): { report: Report | null; progress: TuiProgress | null } {
  const [, bump] = useReducer((x: number) => x + 1, 0);
  useEffect(() => {
    const off = source.subscribe(() => bump());
    // A change between the first render and the subscription.
    bump();
    return off;
  }, [source]);
  return { report: source.report(), progress: source.progress() };
}

/** Text styles: colours only when `color`; with colour off, at most inverse. */
function styleProps(color: boolean, style: LineStyle | 'header' | 'accent'): Record<string, unknown> {
  if (!color) return {};
  switch (style) {
    case 'title':
      return { bold: true };
    case 'head':
    case 'header':
      return { color: 'cyan', bold: true };
    case 'dim':
      return { dimColor: true };
    case 'warn':
      return { color: 'yellow' };
    case 'accent':
      return { color: 'green' };
    default:
      return {};
  }
}

function Line(props: { children: React.ReactNode } & Record<string, unknown>): React.JSX.Element {
  const { children, ...rest } = props;
  return (
    <Text wrap="truncate-end" {...rest}>
      {children}
    </Text>
  );
}

export function App({ source, color, onExit }: AppProps): React.JSX.Element {
  const { columns, rows } = useTerminalSize();
  const { report, progress } = useSource(source);
  const [state, setState] = useState<State>({ view: 'assets', views: initialViews(), mode: { kind: 'table' } });
  const refreshedAt = useMemo(() => new Date(), [report]);
  const spin = useRef(0);

  const models = useMemo(() => (report ? buildModels(report) : null), [report]);
  const model: TableModel | null = models ? models[state.view] : null;
  const vs = state.views[state.view];
  const natural = useMemo(() => (model ? naturalWidths(model) : []), [model]);
  const sorted = useMemo(() => (model ? sortRows(model.rows, vs.sortCol, vs.desc) : []), [model, vs.sortCol, vs.desc]);
  const shown = useMemo(() => filterRows(sorted, vs.filter), [sorted, vs.filter]);
  const colLayout = useMemo(() => (model ? layoutColumns(model, columns, natural) : { cols: [], widths: [] }), [model, columns, natural]);

  const bodyHeight = Math.max(1, rows - CHROME);
  let index = vs.selKey === null ? -1 : shown.findIndex((r) => r.key === vs.selKey);
  if (index < 0) index = clamp(vs.selIndex, 0, Math.max(0, shown.length - 1));
  const maxTop = Math.max(0, shown.length - bodyHeight);
  let top = clamp(vs.top, 0, maxTop);
  if (index < top) top = index;
  if (index >= top + bodyHeight) top = index - bodyHeight + 1;

  const detailMode = state.mode.kind === 'detail' ? state.mode : null;
  const detailAsset = useMemo(() => (report && detailMode ? findAsset(report, detailMode.assetId) : null), [report, detailMode?.assetId]);
  const detail = useMemo<DetailLine[]>(
    () => (report && detailAsset ? wrapLines(detailLines(report, detailAsset, columns), columns) : []),
    [report, detailAsset, columns],
  );

  const setView = (patch: Partial<ViewState>, extra: Partial<State> = {}) =>
    setState((s) => ({ ...s, ...extra, views: { ...s.views, [s.view]: { ...s.views[s.view], ...patch } } }));

  const moveTo = (i: number, newTop?: number) => {
    if (shown.length === 0) return;
    const n = clamp(i, 0, shown.length - 1);
    setView({ selKey: shown[n]!.key, selIndex: n, top: clamp(newTop ?? top, 0, maxTop) });
  };

  const openAsset = (row: Row | undefined) => {
    if (!row || !row.assetId || !report || !findAsset(report, row.assetId)) return;
    setState((s) => ({ ...s, mode: { kind: 'detail', assetId: row.assetId!, scroll: 0 } }));
  };

  const switchView = (v: ViewName) => setState((s) => ({ ...s, view: v, mode: { kind: 'table' } }));

  const handleMove = (input: string, key: Key, pos: number, page: number, last: number): number | null => {
    if (key.upArrow || input === 'k') return pos - 1;
    if (key.downArrow || input === 'j') return pos + 1;
    if (key.pageUp || (key.ctrl && input === 'b')) return pos - page;
    if (key.pageDown || (key.ctrl && input === 'f') || input === ' ') return pos + page;
    if (key.home || input === 'g') return 0;
    if (key.end || input === 'G') return last;
    return null;
  };

  // The handler of the latest render (its state and rows), read through a ref
  // so that a key right after an update never reaches a stale one.
  const onKey = useRef<(input: string, key: Key) => string>(() => '');
  const renders = useRef(0);
  renders.current++;
  const stableOnKey = useCallback((input: string, key: Key) => {
    // What one call leaves (keys typed fast or pasted arrive together) is
    // handled after the render of what it did.
    const step = (rest: string) => {
      if (rest === '') return;
      const before = renders.current;
      const wait = (tries: number) => {
        if (renders.current !== before || tries >= 50) step(onKey.current(rest, charKey([...rest][0]!, key)));
        else setTimeout(() => wait(tries + 1), 1);
      };
      setImmediate(() => wait(0));
    };
    step(onKey.current(input, key));
  }, []);
  useInput(stableOnKey);
  onKey.current = (input, key) => {
    if (state.mode.kind === 'filter') {
      // Text up to a line end goes into the filter at once; the line end leaves the input.
      const eol = /[\r\n]/.exec(input);
      if (eol && input.length > 1) {
        if (eol.index > 0) handleKey(input.slice(0, eol.index), { ...key, return: false });
        handleKey('\r', charKey('\r', key));
        return input.slice(eol.index + 1);
      }
      handleKey(input, key);
      return '';
    }
    const chars = [...input];
    if (chars.length > 1 && !key.ctrl && !key.meta) {
      handleKey(chars[0]!, charKey(chars[0]!, key));
      return chars.slice(1).join('');
    }
    handleKey(input, key);
    return '';
  };
  const handleKey = (input: string, key: Key): void => {
    const mode = state.mode;
    if (mode.kind === 'help') {
      setState((s) => ({ ...s, mode: mode.back }));
      return;
    }
    if (report === null || model === null) {
      if (input === 'q' || key.escape) onExit();
      return;
    }
    if (mode.kind === 'filter') {
      if (key.return || key.tab || key.upArrow || key.downArrow) {
        setState((s) => ({ ...s, mode: { kind: 'table' } }));
        return;
      }
      if (key.escape) {
        setView({ filter: '' }, { mode: { kind: 'table' } });
        return;
      }
      if (key.backspace || key.delete) {
        setView({ filter: vs.filter.slice(0, -1) });
        return;
      }
      if (key.ctrl && input === 'u') {
        setView({ filter: '' });
        return;
      }
      if (input && !key.ctrl && !key.meta) {
        // eslint-disable-next-line no-control-regex
        const text = input.replace(/[\u0000-\u001f\u007f]/g, '');
        if (text) setView({ filter: vs.filter + text });
      }
      return;
    }
    if (mode.kind === 'detail') {
      const page = Math.max(1, rows - 3);
      const last = Math.max(0, detail.length - page);
      if (input === 'q' || key.escape || key.leftArrow) {
        setState((s) => ({ ...s, mode: { kind: 'table' } }));
        return;
      }
      if (input === '?') {
        setState((s) => ({ ...s, mode: { kind: 'help', back: mode } }));
        return;
      }
      const to = handleMove(input, key, mode.scroll, page, last);
      if (to !== null) setState((s) => ({ ...s, mode: { ...mode, scroll: clamp(to, 0, last) } }));
      return;
    }
    // The table.
    if (input === '?') {
      setState((s) => ({ ...s, mode: { kind: 'help', back: mode } }));
      return;
    }
    if (input === 'q') {
      onExit();
      return;
    }
    if (key.escape) {
      if (vs.filter !== '') setView({ filter: '' });
      else onExit();
      return;
    }
    if (key.tab) {
      const i = VIEWS.indexOf(state.view);
      switchView(VIEWS[(i + (key.shift ? VIEWS.length - 1 : 1)) % VIEWS.length]!);
      return;
    }
    if (input === '1' || input === '2' || input === '3') {
      switchView(VIEWS[Number(input) - 1]!);
      return;
    }
    if (input === '/') {
      setState((s) => ({ ...s, mode: { kind: 'filter' } }));
      return;
    }
    if (input === 's') {
      // The next column shown at this width, numbers and times largest first.
      const cols = colLayout.cols;
      const next = cols.find((c) => c > vs.sortCol) ?? cols[0] ?? 0;
      setView({ sortCol: next, desc: model.columns[next]?.numeric === true });
      return;
    }
    if (input === 'S') {
      setView({ desc: !vs.desc });
      return;
    }
    if (key.return) {
      openAsset(shown[index]);
      return;
    }
    const to = handleMove(input, key, index, bodyHeight, shown.length - 1);
    if (to !== null) {
      let newTop = top;
      if (key.pageDown || key.pageUp || input === ' ' || (key.ctrl && (input === 'f' || input === 'b'))) newTop = top + (to - index);
      else if (key.home || input === 'g') newTop = 0;
      else if (key.end || input === 'G') newTop = maxTop;
      moveTo(to, newTop);
    }
  };

  const width = columns;
  const height = Math.max(3, rows - 1);
  const title = source.title ?? 'nps';
  const S = (s: LineStyle | 'header' | 'accent') => styleProps(color, s);
  const liveMark = source.live ? `LIVE ${clock(refreshedAt)}` : '';

  // Loading: the title, a progress bar, "q to quit".
  if (report === null || model === null) {
    spin.current++;
    const lines: React.JSX.Element[] = [];
    lines.push(
      <Line key="t" {...S('title')}>
        {cut(`nps  ${title}${liveMark ? `  ${liveMark}` : ''}`, width)}
      </Line>,
    );
    lines.push(<Line key="b1"> </Line>);
    if (progress) {
      lines.push(<Line key="l">{cut(progress.label, width)}</Line>);
      const count = `${progress.packets.toLocaleString('en-US')} packets`;
      if (progress.fraction !== null) {
        const f = clamp(progress.fraction, 0, 1);
        const barWidth = clamp(width - 8, 10, 50);
        const full = Math.round(f * barWidth);
        const [on, off] = color ? ['█', '░'] : ['#', '.'];
        lines.push(
          <Line key="p">
            <Text {...S('accent')}>{on.repeat(full)}</Text>
            <Text {...S('dim')}>{off.repeat(barWidth - full)}</Text>
            {` ${String(Math.floor(f * 100)).padStart(3)}%`}
          </Line>,
        );
        lines.push(<Line key="c" {...S('dim')}>{cut(count, width)}</Line>);
      } else {
        const frames = '|/-\\';
        lines.push(<Line key="p">{cut(`${frames[spin.current % frames.length]} ${count}`, width)}</Line>);
      }
    } else {
      lines.push(<Line key="l">{cut(source.live ? 'waiting for packets…' : 'loading…', width)}</Line>);
    }
    lines.push(<Line key="b2"> </Line>);
    lines.push(<Line key="q" {...S('dim')}>q to quit</Line>);
    return (
      <Box flexDirection="column" width={width} height={height}>
        {lines}
      </Box>
    );
  }

  // The header: title, view tabs, counts, LIVE.
  const counts =
    state.mode.kind === 'detail'
      ? `Asset ${detailAsset ? [assetLabel(detailAsset), str(Array.isArray(detailAsset.hostnames) ? detailAsset.hostnames[0] : null)].filter(Boolean).join(' ') : state.mode.assetId}`
      : vs.filter !== ''
        ? `${shown.length} of ${model.rows.length}`
        : `${model.rows.length} ${state.view === 'assets' ? (model.rows.length === 1 ? 'asset' : 'assets') : 'rows'}`;
  const warnings = report.warnings.length ? `${report.warnings.length} warning${report.warnings.length === 1 ? '' : 's'}` : '';
  const tabs = VIEWS.map((v) => ` ${VIEW_TITLES[v]} `);
  const right = [counts, warnings, liveMark].filter(Boolean);
  const fixed = tabs.join('').length + right.reduce((a, s) => a + 2 + s.length, 0);
  const titleText = cut(title, Math.max(0, width - fixed - 2));
  const header = (
    <Line key="header">
      <Text {...S('title')}>{titleText}</Text>
      {titleText ? '  ' : ''}
      {VIEWS.map((v, i) =>
        v === state.view ? (
          <Text key={v} inverse {...(color ? { bold: true } : {})}>
            {tabs[i]}
          </Text>
        ) : (
          <Text key={v} {...S('dim')}>
            {tabs[i]}
          </Text>
        ),
      )}
      {counts ? `  ${counts}` : ''}
      {warnings ? (
        <>
          {'  '}
          <Text {...S('warn')}>{warnings}</Text>
        </>
      ) : (
        ''
      )}
      {liveMark ? (
        <>
          {'  '}
          <Text {...(color ? { color: 'red', bold: true } : {})}>{liveMark}</Text>
        </>
      ) : (
        ''
      )}
    </Line>
  );

  const footerLine = (hints: string[], status: string) => {
    // The status first; the hints as far as they fit.
    const room = width - (status ? status.length + 2 : 0);
    // Hints left out, least useful first, until the rest fits.
    let kept = hints.slice();
    const join = (l: string[]) => l.join('  ');
    for (const h of HINT_DROP) {
      if (join(kept).length <= room) break;
      kept = kept.filter((x) => x !== h);
    }
    while (kept.length && join(kept).length > room) kept = kept.slice(0, -1);
    const text = join(kept);
    const gap = Math.max(status ? 2 : 0, width - text.length - status.length);
    return (
      <Line key="footer">
        <Text {...S('dim')}>{text}</Text>
        {' '.repeat(text ? gap : 0)}
        {cut(status, width)}
      </Line>
    );
  };

  // Help.
  if (state.mode.kind === 'help') {
    const body = [
      <Line key="h0" {...S('head')}>
        Keys
      </Line>,
      ...KEY_HELP.map(([k, d]) => <Line key={k}>{cut(`  ${k.padEnd(17)}${d}`, width)}</Line>),
      <Line key="hb"> </Line>,
      <Line key="hv" {...S('dim')}>
        {cut('Addresses sort numerically (IPv4, then IPv6); empty cells sort last.', width)}
      </Line>,
    ].slice(0, height - 2);
    return (
      <Box flexDirection="column" width={width} height={height}>
        {header}
        <Box flexDirection="column" height={height - 2}>
          {body}
        </Box>
        {footerLine(['any key closes this help'], '')}
      </Box>
    );
  }

  // Detail of one asset.
  if (state.mode.kind === 'detail') {
    const bodyLines = height - 2;
    const scroll = clamp(state.mode.scroll, 0, Math.max(0, detail.length - bodyLines));
    const visible = detailAsset
      ? detail.slice(scroll, scroll + bodyLines)
      : [{ text: `asset ${state.mode.assetId} is no longer in the report`, style: 'warn' as LineStyle }];
    const pos = detail.length > bodyLines ? `${scroll + 1}-${Math.min(detail.length, scroll + bodyLines)} of ${detail.length}` : '';
    return (
      <Box flexDirection="column" width={width} height={height}>
        {header}
        <Box flexDirection="column" height={bodyLines}>
          {visible.map((l, i) => (
            <Line key={i} {...S(l.style)}>
              {cut(l.text, width) || ' '}
            </Line>
          ))}
        </Box>
        {footerLine(['↑↓ scroll', 'PgUp/PgDn page', 'g/G top/end', 'q/esc back', '? help'], pos)}
      </Box>
    );
  }

  // The table.
  const { cols, widths } = colLayout;
  const mark = (c: number) => (c === vs.sortCol ? (vs.desc ? (color ? '▼' : 'v') : color ? '▲' : '^') : '');
  const cellText = (cells: string[], isHeader: boolean) =>
    cols
      .map((c, k) => {
        const w = widths[c]!;
        const col = model.columns[c]!;
        const text = isHeader ? (mark(c) ? `${col.header} ${mark(c)}` : col.header) : cells[c]!;
        const last = k === cols.length - 1;
        if (col.right) return text.length > w ? fit(text, w) : text.padStart(w);
        return last ? cut(text, w) : fit(text, w);
      })
      .join(' '.repeat(GAP));
  const windowRows = shown.slice(top, top + bodyHeight);
  const body: React.JSX.Element[] = windowRows.map((r, i) => {
    const selected = top + i === index;
    const text = cellText(r.cells, false);
    return selected ? (
      <Line key={r.key} inverse>
        {fit(text, width)}
      </Line>
    ) : (
      <Line key={r.key}>{text || ' '}</Line>
    );
  });
  if (shown.length === 0) {
    body.push(
      <Line key="empty" {...S('dim')}>
        {cut(model.rows.length === 0 ? '  (no rows)' : `  (nothing matches "${vs.filter}")`, width)}
      </Line>,
    );
  }
  const sortName = model.columns[vs.sortCol]?.header ?? '';
  const status = [
    vs.filter !== '' && state.mode.kind !== 'filter' ? `filter "${vs.filter}"` : '',
    `sort ${sortName} ${mark(vs.sortCol)}`,
    shown.length ? `${index + 1}/${shown.length}` : '',
  ]
    .filter(Boolean)
    .join('  ');
  const footer =
    state.mode.kind === 'filter' ? (
      <Line key="footer">
        {'/'}
        {cut(vs.filter, Math.max(0, width - 30))}
        <Text inverse> </Text>
        <Text {...S('dim')}>{'  ⏎ keep  esc clear'}</Text>
      </Line>
    ) : (
      footerLine(HINTS, status)
    );
  return (
    <Box flexDirection="column" width={width} height={height}>
      {header}
      <Line key="cols" {...S('header')}>
        {cellText([], true) || ' '}
      </Line>
      <Box flexDirection="column" height={bodyHeight}>
        {body}
      </Box>
      {footer}
    </Box>
  );
}
