import React from 'react';
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import chalk from 'chalk';
import { render } from 'ink-testing-library';
import type { Report } from '../../src/report/build.js';
import { App, type TuiSource } from '../../src/tui/app.js';
import { mutableSource, staticSource } from '../../src/tui/run.js';

// The test runner sets NO_COLOR/FORCE_COLOR=0: turn the styles back on so that
// the selection (inverse) and any colour would show in the frames.
chalk.level = 1;

const OT: Report = JSON.parse(readFileSync(new URL('../../samples/expected/ot-cell.json', import.meta.url), 'utf8'));

const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  enter: '\r',
  tab: '\t',
  shiftTab: '\u001B[Z',
  esc: '\u001B',
  pgUp: '\u001B[5~',
  pgDn: '\u001B[6~',
  home: '\u001B[H',
  end: '\u001B[F',
};

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));
// eslint-disable-next-line no-control-regex
const strip = (s: string) => s.replace(/\u001B\[[0-9;]*m/g, '');

interface Mounted {
  frame(): string;
  plain(): string[];
  press(k: string): Promise<void>;
  selected(): string;
  stdout: ReturnType<typeof render>['stdout'];
  stdin: ReturnType<typeof render>['stdin'];
  unmount(): void;
  resize(columns: number, rows: number): Promise<void>;
}

async function mount(source: TuiSource, o: { color?: boolean; columns?: number; rows?: number; onExit?: () => void } = {}): Promise<Mounted> {
  const r = render(<App source={source} color={o.color ?? false} onExit={o.onExit ?? (() => {})} />);
  await tick();
  const resize = async (columns: number, rows: number) => {
    Object.defineProperty(r.stdout, 'columns', { value: columns, configurable: true });
    Object.defineProperty(r.stdout, 'rows', { value: rows, configurable: true });
    r.stdout.emit('resize');
    await tick();
  };
  await resize(o.columns ?? 80, o.rows ?? 24);
  const frame = () => r.lastFrame() ?? '';
  return {
    frame,
    plain: () => strip(frame()).split('\n'),
    press: async (k: string) => {
      // Wait for the frame the key makes, not a fixed time: a loaded machine (CI) renders late.
      const before = frame();
      r.stdin.write(k);
      await tick();
      for (let waited = 0; frame() === before && waited < 300; waited += 20) await tick();
      for (let last = frame(), stable = 0, waited = 0; stable < 2 && waited < 1000; waited += 20) {
        await tick();
        if (frame() === last) stable++;
        else (last = frame()), (stable = 0);
      }
    },
    selected: () => strip(frame().split('\n').find((l) => l.includes('\u001B[7m') && !/Assets|Flows|Traffic/.test(strip(l))) ?? ''),
    stdout: r.stdout,
    stdin: r.stdin,
    unmount: () => r.unmount(),
    resize,
  };
}

/** The first IP of each data row shown (rows starting with an address). */
function ipsShown(lines: string[]): string[] {
  return lines.map((l) => /^(\d+\.\d+\.\d+\.\d+|[0-9a-f:]+:[0-9a-f:]*)\b/.exec(l)?.[1]).filter((x): x is string => x !== undefined);
}

function assertFits(m: Mounted, columns: number, rows: number) {
  const lines = m.plain();
  assert.ok(lines.length <= rows, `${lines.length} lines for ${rows} rows`);
  for (const l of lines) assert.ok(l.length <= columns, `line wider than ${columns}: ${JSON.stringify(l)}`);
}

function bigReport(n: number): Report {
  const assets = [];
  for (let i = 0; i < n; i++) {
    const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const mac = `02:00:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    assets.push({
      id: `mac:${mac}`,
      identity: 'mac',
      ips: [ip],
      ip_history: [{ ip, first_seen: '2026-01-01T00:00:00.000000Z', last_seen: '2026-01-01T01:00:00.000000Z' }],
      mac,
      mac_vendor: i % 2 ? 'Acme Networks' : 'Globex',
      mac_local: true,
      vlan: null,
      hostnames: [`host-${String(i).padStart(5, '0')}`],
      domain: null,
      os: i % 3 === 0 ? { name: 'Linux', version: null, family: 'Linux', confidence: 0.5, evidence: [], alternatives: [] } : null,
      device: null,
      ip_assignment: 'unknown',
      dhcp: null,
      open_ports: i % 5 === 0 ? [{ proto: 'tcp', port: 22, application: 'SSH' }] : [],
      applications: [],
      first_seen: '2026-01-01T00:00:00.000000Z',
      last_seen: `2026-01-01T00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000000Z`,
      traffic: { ingress_bytes: (i * 7919) % 100000, egress_bytes: 10, ingress_packets: 1, egress_packets: 1 },
      nat_suspected: false,
      attributes: {},
    });
  }
  return { ...OT, assets, flows: [], traffic: [], warnings: [] } as Report;
}

test('first render at 80 columns: the assets with IP, HOSTNAME and OS, fitting the terminal', async () => {
  const m = await mount(staticSource(OT, 'ot-cell.json'));
  const lines = m.plain();
  assert.match(lines[0]!, /ot-cell\.json/);
  assert.match(lines[0]!, /Assets\s+Flows\s+Traffic/);
  assert.match(lines[0]!, /7 assets/);
  const header = lines[1]!;
  for (const h of ['IP', 'HOSTNAME', 'OS', 'DEVICE', 'TRAFFIC']) assert.ok(header.includes(h), `column ${h} in ${header}`);
  assert.equal(ipsShown(lines), ['10.20.0.10', '10.20.0.20', '10.20.0.30', '10.20.0.40', '10.20.0.50', '10.20.0.60', '10.20.0.70']);
  assert.ok(lines.some((l) => l.includes('plc-line1')));
  assert.ok(lines.some((l) => l.includes('Windows (50%)')));
  assert.match(lines[lines.length - 1]!, /\? help {2}\/ filter {2}s sort/);
  assert.match(lines[lines.length - 1]!, /q quit/);
  assertFits(m, 80, 24);
  // The first row is selected (inverse).
  assert.match(m.selected(), /^10\.20\.0\.10/);
  m.unmount();
});

test('a wide terminal shows every asset column; resizing re-renders', async () => {
  const m = await mount(staticSource(OT), { columns: 200, rows: 30 });
  const header = m.plain()[1]!;
  for (const h of ['IP', 'MAC', 'VENDOR', 'HOSTNAME', 'OS', 'DEVICE', 'PORTS', 'LAST SEEN', 'TRAFFIC']) assert.ok(header.includes(h), `column ${h}`);
  assert.ok(m.plain().some((l) => l.includes('TELEMECANIQUE ELECTRIQUE') && l.includes('2026-01-14 06:00:01') && l.includes('502/tcp')));
  await m.resize(80, 24);
  assert.not.ok(m.plain()[1]!.includes('VENDOR'));
  assertFits(m, 80, 24);
  m.unmount();
});

test('s sorts by the next column, S reverses; empty cells stay last', async () => {
  const m = await mount(staticSource(OT));
  assert.match(m.plain()[1]!, /^IP \^/);
  await m.press('s'); // HOSTNAME (MAC and VENDOR are not shown at 80 columns)
  assert.match(m.plain()[1]!, /HOSTNAME \^/);
  assert.equal(ipsShown(m.plain()), ['10.20.0.30', '10.20.0.60', '10.20.0.20', '10.20.0.10', '10.20.0.40', '10.20.0.50', '10.20.0.70']);
  await m.press('S');
  assert.match(m.plain()[1]!, /HOSTNAME v/);
  assert.equal(ipsShown(m.plain()), ['10.20.0.20', '10.20.0.60', '10.20.0.30', '10.20.0.10', '10.20.0.40', '10.20.0.50', '10.20.0.70']);
  // On to TRAFFIC: bytes compared as numbers, largest first.
  for (let i = 0; i < 10 && !/TRAFFIC [v^]/.test(m.plain()[1]!); i++) await m.press('s');
  assert.match(m.plain()[1]!, /TRAFFIC v/);
  assert.equal(ipsShown(m.plain()), ['10.20.0.50', '10.20.0.70', '10.20.0.20', '10.20.0.40', '10.20.0.10', '10.20.0.30', '10.20.0.60']);
  assert.match(m.plain()[m.plain().length - 1]!, /sort TRAFFIC v/);
  await m.press('S');
  assert.equal(ipsShown(m.plain())[0], '10.20.0.60');
  m.unmount();
});

test('the selection follows its row when the sort changes', async () => {
  const m = await mount(staticSource(OT));
  await m.press(KEY.down);
  await m.press('j');
  assert.match(m.selected(), /^10\.20\.0\.30/);
  await m.press('S');
  assert.match(m.selected(), /^10\.20\.0\.30/);
  await m.press('k');
  assert.match(m.selected(), /^10\.20\.0\.40/);
  m.unmount();
});

test('filter: / opens the input, text filters live (hidden fields too), Enter keeps, Esc clears', async () => {
  const m = await mount(staticSource(OT));
  await m.press('/');
  await m.press('siem');
  let lines = m.plain();
  assert.equal(ipsShown(lines), ['10.20.0.20', '10.20.0.60']);
  assert.match(lines[0]!, /2 of 7/);
  assert.match(lines[lines.length - 1]!, /^\/siem/);
  await m.press(KEY.enter);
  lines = m.plain();
  assert.match(lines[lines.length - 1]!, /filter "siem"/);
  assert.match(lines[0]!, /2 of 7/);
  // Keys work on the filtered table again.
  await m.press(KEY.down);
  assert.match(m.selected(), /^10\.20\.0\.60/);
  // Esc clears the filter first (and does not quit).
  await m.press(KEY.esc);
  assert.match(m.plain()[0]!, /7 assets/);
  // The MAC vendor is not shown at 80 columns, but is searched; case-insensitive.
  await m.press('/');
  await m.press('telemecanique');
  assert.equal(ipsShown(m.plain()), ['10.20.0.10']);
  assert.match(m.plain()[0]!, /1 of 7/);
  // Backspace edits; Esc in the input clears it.
  await m.press('\u007F');
  assert.equal(ipsShown(m.plain()), ['10.20.0.10']);
  await m.press(KEY.esc);
  assert.match(m.plain()[0]!, /7 assets/);
  // Nothing matching.
  await m.press('/');
  await m.press('no-such-thing');
  assert.match(m.frame(), /nothing matches/);
  assert.match(m.plain()[0]!, /0 of 7/);
  m.unmount();
});

test('Enter opens the detail view of the Modbus PLC with its evidence; scrolling; Esc goes back', async () => {
  const m = await mount(staticSource(OT));
  await m.press(KEY.enter); // 10.20.0.10, the first row
  let f = strip(m.frame());
  assert.match(m.plain()[0]!, /Asset 10\.20\.0\.10/);
  assert.match(f, /id +mac:00:80:f4:10:00:10/);
  assert.match(f, /10\.20\.0\.10 {2}2026-01-14 06:00:00 \.\. 2026-01-14 06:00:01/);
  assert.match(f, /00:80:f4:10:00:10 {2}TELEMECANIQUE ELECTRIQUE/);
  assert.match(f, /industrial controller Schneider Electric BMX P34 2020; firmware v3\.10/);
  assert.match(f, /modbus +model +2026-01-14 06:00:01 +BMX P34 2020/);
  assert.match(f, /modbus +vendor +2026-01-14 06:00:01 +Schneider Electric/);
  assertFits(m, 80, 24);
  const firstLines = m.plain().slice(1, -1).join('\n');
  await m.press(KEY.pgDn);
  assert.not.equal(m.plain().slice(1, -1).join('\n'), firstLines);
  await m.press('G');
  f = strip(m.frame());
  assert.match(f, /Attributes/);
  assert.match(f, /modbus\.model +BMX P34 2020/);
  assert.match(f, /Modicon M340/);
  assert.match(f, /10\.20\.0\.50 -> 10\.20\.0\.10 +502\/tcp +Modbus +1 +413 B +306 B/); // its flow
  await m.press('g');
  assert.equal(m.plain().slice(1, -1).join('\n'), firstLines);
  await m.press(KEY.esc);
  assert.match(m.plain()[1]!, /^IP \^/);
  assert.match(m.selected(), /^10\.20\.0\.10/);
  m.unmount();
});

test('detail view: traffic by family and by peer, DHCP, OS', async () => {
  const m = await mount(staticSource(OT), { columns: 100, rows: 200 });
  await m.press('/');
  await m.press('10.20.0.50');
  await m.press(KEY.enter);
  await m.press(KEY.enter);
  const f = strip(m.frame());
  assert.match(f, /id +mac:00:1e:c9:50:00:50/);
  assert.match(f, /by family:/);
  assert.match(f, /by peer:/);
  assert.match(f, /10\.20\.0\.20 +in 781 B {2}out 611 B/);
  assert.match(f, /Windows/);
  assert.match(f, /DHCP/);
  assert.match(f, /Flows \(8\)/);
  await m.press('q');
  assert.match(m.plain()[0]!, /1 of 7/);
  m.unmount();
});

test('tab switches to Flows then Traffic; shift-tab goes back; Enter on a flow opens the client asset', async () => {
  const m = await mount(staticSource(OT));
  await m.press(KEY.tab);
  let lines = m.plain();
  for (const h of ['CLIENT', 'SERVER', 'PORT', 'APP', 'CONNS', 'SENT', 'RECEIVED']) assert.ok(lines[1]!.includes(h), `flows column ${h}`);
  assert.match(lines[0]!, /9 rows/);
  assert.ok(lines.some((l) => /10\.20\.0\.50 +10\.20\.0\.10 +502\/tcp +Modbus +1 +413 B +306 B/.test(l)));
  assertFits(m, 80, 24);
  await m.press(KEY.tab);
  lines = m.plain();
  for (const h of ['ASSET', 'ROLE', 'PEER', 'PORT', 'APP', 'IN', 'OUT']) assert.ok(lines[1]!.includes(h), `traffic column ${h}`);
  assert.match(lines[0]!, /16 rows/);
  await m.press(KEY.shiftTab);
  assert.match(m.plain()[1]!, /^CLIENT/);
  await m.press(KEY.down); // 10.20.0.50 -> 10.20.0.10
  await m.press(KEY.enter);
  assert.match(strip(m.frame()), /id +mac:00:1e:c9:50:00:50/);
  await m.press(KEY.esc);
  assert.match(m.plain()[1]!, /^CLIENT/);
  await m.press(KEY.tab);
  await m.press(KEY.tab);
  assert.match(m.plain()[1]!, /^IP/);
  m.unmount();
});

test('flows: sort by SENT compares bytes as numbers', async () => {
  const m = await mount(staticSource(OT), { columns: 120 });
  await m.press(KEY.tab);
  for (let i = 0; i < 5; i++) await m.press('s');
  assert.match(m.plain()[1]!, /SENT v/);
  const sent = m.plain().slice(2).map((l) => /(\d+) B +\d+ B/.exec(l)?.[1]).filter(Boolean).map(Number);
  assert.equal(sent, [...sent].sort((a, b) => b - a));
  assert.equal(sent.length, 9);
  m.unmount();
});

test('? shows the help; any key closes it', async () => {
  const m = await mount(staticSource(OT));
  await m.press('?');
  const f = strip(m.frame());
  assert.match(f, /Keys/);
  for (const k of ['tab / shift-tab', 'PgUp PgDn', 'Home End', '⏎ enter', 'S ', '/ ', 'esc', 'ctrl-c']) assert.ok(f.includes(k), `help lists ${k}`);
  assertFits(m, 80, 24);
  await m.press('x');
  assert.match(m.plain()[1]!, /^IP/);
  m.unmount();
});

test('keys arriving together are handled one after the other', async () => {
  let exits = 0;
  const m = await mount(staticSource(OT), { onExit: () => exits++ });
  await m.press('/Schneider\r');
  assert.match(m.plain()[0]!, /1 of 7/);
  assert.match(m.plain()[m.plain().length - 1]!, /filter "Schneider"/);
  await m.press('\r');
  assert.match(strip(m.frame()), /BMX P34 2020/);
  await m.press('q');
  await m.press('jjk');
  await m.press('\u001B');
  await m.press('?');
  await m.press('xq'); // closes the help, then quits
  assert.is(exits, 1);
  m.unmount();
});

test('q and Esc at the top call onExit', async () => {
  let exits = 0;
  const m = await mount(staticSource(OT), { onExit: () => exits++ });
  await m.press('q');
  assert.is(exits, 1);
  await m.press(KEY.esc);
  assert.is(exits, 2);
  // q in the detail view goes back, not out.
  await m.press(KEY.enter);
  await m.press('q');
  assert.is(exits, 2);
  m.unmount();
});

test('10,000 assets: PgDn/End move the window, only visible rows are rendered, keys stay fast', async () => {
  const report = bigReport(10_000);
  const m = await mount(staticSource(report), { columns: 100, rows: 24 });
  assert.match(m.plain()[0]!, /10000 assets/);
  assert.ok(m.plain().length <= 24);
  assert.equal(ipsShown(m.plain()).length, 20);
  assert.equal(ipsShown(m.plain())[0], '10.0.0.0');
  await m.press(KEY.pgDn);
  assert.equal(ipsShown(m.plain())[0], '10.0.0.20');
  assert.match(m.selected(), /^10\.0\.0\.20 /);
  // Time the work of a keypress: write, then the frame is there.
  const frames = () => (m.stdout as unknown as { frames: string[] }).frames.length;
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    const before = frames();
    const t0 = performance.now();
    m.stdin.write(i % 3 === 2 ? KEY.up : KEY.down);
    while (frames() === before) await new Promise((r) => setImmediate(r));
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[times.length >> 1]!;
  if (process.env.TUI_TIMES) console.log(`keypress median ${median.toFixed(2)} ms, max ${times[times.length - 1]!.toFixed(2)} ms`);
  assert.ok(median < 50, `median keypress ${median.toFixed(1)} ms`);
  assert.ok(times[times.length - 1]! < 100, `slowest keypress ${times[times.length - 1]!.toFixed(1)} ms`);
  await m.press(KEY.end);
  const last = ipsShown(m.plain());
  assert.equal(last[last.length - 1], '10.0.39.15'); // 9999 = 39*256 + 15
  assert.match(m.selected(), /^10\.0\.39\.15 /);
  assert.match(m.plain()[m.plain().length - 1]!, /10000\/10000/);
  await m.press(KEY.home);
  assert.equal(ipsShown(m.plain())[0], '10.0.0.0');
  // Sorting and filtering 10,000 rows.
  const t0 = performance.now();
  await m.press('/');
  await m.press('host-0999');
  assert.match(m.plain()[0]!, /10 of 10000/);
  await m.press(KEY.esc);
  await m.press('S');
  // The selection follows its row (10.0.0.0, now the last).
  assert.match(m.selected(), /^10\.0\.0\.0 /);
  assert.equal(ipsShown(m.plain()).pop(), '10.0.0.0');
  await m.press('g');
  assert.equal(ipsShown(m.plain())[0], '10.0.39.15');
  assert.ok(performance.now() - t0 < 2000);
  assertFits(m, 100, 24);
  m.unmount();
});

test('color off: no ANSI colour, only inverse for the selection and the current tab', async () => {
  const m = await mount(staticSource(OT), { color: false });
  const check = () => {
    const f = m.frame();
    // eslint-disable-next-line no-control-regex
    const codes = f.match(/\u001B\[[0-9;]*m/g) ?? [];
    for (const c of codes) assert.ok(c === '\u001B[7m' || c === '\u001B[27m' || c === '\u001B[39m' || c === '\u001B[49m', `unexpected code ${JSON.stringify(c)}`);
    // eslint-disable-next-line no-control-regex
    assert.not.match(f, /\u001B\[(3[0-8]|4[0-8]|9\d|10\d)[;m]/);
    assert.ok(f.includes('\u001B[7m'));
  };
  check();
  await m.press(KEY.enter);
  check();
  await m.press(KEY.esc);
  await m.press('/');
  await m.press('siem');
  check();
  await m.press(KEY.tab);
  check();
  await m.press('?');
  check();
  m.unmount();
  const c = await mount(staticSource(OT), { color: true });
  // eslint-disable-next-line no-control-regex
  assert.match(c.frame(), /\u001B\[36m/); // cyan column headers
  assert.ok(c.frame().includes('▲'));
  c.unmount();
});

test('loading screen: title, progress bar, packet count, q to quit; then the report', async () => {
  const src = mutableSource('capture.pcap');
  let exits = 0;
  const m = await mount(src, { onExit: () => exits++ });
  assert.match(m.frame(), /capture\.pcap/);
  assert.match(m.frame(), /q to quit/);
  src.setProgress({ label: 'analysing capture.pcap', fraction: 0.5, packets: 12345 });
  await tick(300);
  let f = m.frame();
  assert.match(f, /analysing capture\.pcap/);
  assert.match(f, /#{10,}\.{10,} +50%/);
  assert.match(f, /12,345 packets/);
  src.setProgress({ label: 'reading stdin', fraction: null, packets: 777 });
  await tick(300);
  f = m.frame();
  assert.match(f, /[|/\\-] 777 packets/);
  assertFits(m, 80, 24);
  src.setReport(OT);
  await tick(300);
  assert.match(m.plain()[1]!, /^IP/);
  assert.is(exits, 0);
  m.unmount();
  const q = await mount(mutableSource('x'), { onExit: () => exits++ });
  await q.press('q');
  assert.is(exits, 1);
  q.unmount();
});

test('mutableSource: at most 4 notifications a second, the last value always delivered', async () => {
  const src = mutableSource('t', true);
  assert.is(src.live, true);
  assert.is(src.title, 't');
  const seen: (number | null)[] = [];
  const off = src.subscribe(() => seen.push(src.progress()?.packets ?? null));
  for (let i = 1; i <= 50; i++) {
    src.setProgress({ label: 'x', fraction: null, packets: i });
    await tick(10);
  }
  await tick(400);
  // 500 ms of updates: the first at once, then one per 250 ms at most.
  assert.ok(seen.length >= 2 && seen.length <= 4, `${seen.length} notifications`);
  assert.is(seen[0], 1);
  assert.is(seen[seen.length - 1], 50);
  assert.is(src.progress()?.packets, 50);
  off();
  src.setReport(OT);
  await tick(300);
  assert.is(seen[seen.length - 1], 50);
  assert.is(src.report(), OT);
});

test('staticSource: the report, no progress, a no-op subscription', () => {
  const s = staticSource(OT, 'f.json');
  assert.is(s.report(), OT);
  assert.is(s.progress(), null);
  assert.is(s.title, 'f.json');
  s.subscribe(() => {})();
});

test('live: LIVE marker; an update keeps the selection on the same asset, the sort and the filter', async () => {
  const src = mutableSource('live: eth1', true);
  src.setReport(OT);
  const m = await mount(src, { columns: 100 });
  assert.match(m.plain()[0]!, /live: eth1/);
  assert.match(m.plain()[0]!, /LIVE \d\d:\d\d:\d\d/);
  await m.press(KEY.down);
  await m.press(KEY.down);
  assert.match(m.selected(), /^10\.20\.0\.30/);
  // A new asset sorts before the selected one.
  const extra = { ...OT.assets[4]!, id: 'mac:02:00:00:00:00:05', ips: ['10.20.0.5'], mac: '02:00:00:00:00:05', hostnames: ['newcomer'] };
  await tick(300);
  src.setReport({ ...OT, assets: [extra, ...OT.assets] });
  await tick(300);
  assert.match(m.plain()[0]!, /8 assets/);
  assert.equal(ipsShown(m.plain())[0], '10.20.0.5');
  assert.match(m.selected(), /^10\.20\.0\.30/);
  // Sort and filter survive updates.
  await m.press('S');
  await m.press('/');
  await m.press('10.20.0.');
  await m.press(KEY.enter);
  await tick(300);
  src.setReport({ ...OT, assets: [extra, ...OT.assets.slice(0, 6)] });
  await tick(300);
  assert.match(m.plain()[0]!, /7 of 7/);
  assert.match(m.plain()[1]!, /^IP v/);
  assert.match(m.selected(), /^10\.20\.0\.30/);
  // The selected asset disappears: the selection stays at its place.
  const gone = OT.assets.filter((a) => a.ips && (a.ips as string[])[0] !== '10.20.0.30');
  await tick(300);
  src.setReport({ ...OT, assets: gone });
  await tick(300);
  assert.ok(m.selected() !== '');
  m.unmount();
});

test.run();
