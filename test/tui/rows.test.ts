import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report } from '../../src/report/build.js';
import { assetRows, buildModels, filterRows, layoutColumns, naturalWidths, sortRows, GAP } from '../../src/tui/rows.js';
import { cut, fit, humanBytes, ipSortKey, osCell, timeKey } from '../../src/tui/format.js';
import { detailLines, findAsset, wrapLines } from '../../src/tui/detail.js';

const OT: Report = JSON.parse(readFileSync(new URL('../../samples/expected/ot-cell.json', import.meta.url), 'utf8'));

function withAssets(list: { ips: string[]; last_seen?: string; bytes?: number; hostnames?: string[] }[]): Report {
  const base = OT.assets[0]!;
  return {
    ...OT,
    assets: list.map((a, i) => ({
      ...base,
      id: `a${i}`,
      ips: a.ips,
      hostnames: a.hostnames ?? [],
      last_seen: a.last_seen ?? base.last_seen!,
      traffic: { ingress_bytes: a.bytes ?? 0, egress_bytes: 0 },
    })),
  } as Report;
}

test('addresses sort numerically: IPv4 by octets, then IPv6, then labels; empty is null', () => {
  const list = ['10.0.0.10', 'fe80::1', '10.0.0.9', 'External', '2001:db8::2', '9.255.255.255', '10.0.0.100', '::ffff:1.2.3.4', '2001:db8::10'];
  const sorted = [...list].sort((a, b) => (ipSortKey(a)! < ipSortKey(b)! ? -1 : 1));
  assert.equal(sorted, ['9.255.255.255', '10.0.0.9', '10.0.0.10', '10.0.0.100', '::ffff:1.2.3.4', '2001:db8::2', '2001:db8::10', 'fe80::1', 'External']);
  assert.is(ipSortKey(''), null);
  assert.is(ipSortKey('-'), null);
  assert.is(ipSortKey('300.1.1.1')!.startsWith('9'), true);
});

test('sortRows: IPs numerically, bytes as numbers, times as times, empty last both ways, ties in report order', () => {
  const r = withAssets([
    { ips: ['10.0.0.10'], bytes: 900, last_seen: '2026-01-01T00:00:00.000002Z', hostnames: ['b'] },
    { ips: ['10.0.0.9'], bytes: 10_000, last_seen: '2026-01-01T00:00:00.000001Z' },
    { ips: ['fd00::1'], bytes: 80, last_seen: '2025-12-31T23:59:59.999999Z', hostnames: ['a'] },
    { ips: [], bytes: 80, last_seen: '2026-01-02T00:00:00.000000Z' },
  ]);
  const rows = assetRows(r);
  const ip = (l: typeof rows) => l.map((x) => x.cells[0]);
  assert.equal(ip(sortRows(rows, 0, false)), ['10.0.0.9', '10.0.0.10', 'fd00::1', '-']);
  assert.equal(ip(sortRows(rows, 0, true)), ['fd00::1', '10.0.0.10', '10.0.0.9', '-']);
  assert.equal(ip(sortRows(rows, 8, true)), ['10.0.0.9', '10.0.0.10', 'fd00::1', '-']);
  assert.equal(ip(sortRows(rows, 8, false)), ['fd00::1', '-', '10.0.0.10', '10.0.0.9']);
  // Microseconds count.
  assert.equal(ip(sortRows(rows, 7, false)), ['fd00::1', '10.0.0.9', '10.0.0.10', '-']);
  assert.equal(ip(sortRows(rows, 3, false)), ['fd00::1', '10.0.0.10', '10.0.0.9', '-']);
  assert.equal(ip(sortRows(rows, 3, true)), ['10.0.0.10', 'fd00::1', '10.0.0.9', '-']);
  assert.ok(timeKey('2026-01-01T00:00:00.000002Z')! > timeKey('2026-01-01T00:00:00.000001Z')!);
});

test('asset cells follow the table format; +N for more IPs and hostnames', () => {
  const r = withAssets([{ ips: ['10.0.0.1', '10.0.0.2', '10.0.0.3'], hostnames: ['x', 'y'], bytes: 2048 }]);
  const [row] = assetRows(r);
  assert.is(row!.cells[0], '10.0.0.1 +2');
  assert.is(row!.cells[3], 'x +1');
  assert.is(row!.cells[5], 'industrial controller Schneider Electric BMX P34 2020');
  assert.is(row!.cells[6], '502/tcp');
  assert.is(row!.cells[8], '2.0 KiB');
  assert.is(humanBytes(1023), '1023 B');
  assert.is(osCell({ name: 'Windows 10/11', version: '10.0.19045', confidence: 0.9 }), 'Windows 10/11 10.0.19045 (90%)');
});

test('filter: case-insensitive over shown and hidden fields', () => {
  const m = buildModels(OT);
  const ips = (q: string) => filterRows(m.assets.rows, q).map((r) => r.cells[0]);
  assert.equal(ips('PLC-LINE'), ['10.20.0.20']);
  assert.equal(ips('00:80:f4'), ['10.20.0.10']); // MAC
  assert.equal(ips('modbus-server'), ['10.20.0.10']); // device role, not shown
  assert.equal(ips('mac:00:1e:c9'), ['10.20.0.50']); // id
  assert.is(filterRows(m.assets.rows, '  ').length, 7);
  // Flows: by application; traffic: by the asset's hostname.
  assert.is(filterRows(m.flows.rows, 'bacnet').length, 3);
  assert.ok(filterRows(m.traffic.rows, 'plc-line1').every((r) => r.cells[0] === '10.20.0.20'));
});

test('row keys are unique identities; Enter targets', () => {
  const m = buildModels(OT);
  for (const v of ['assets', 'flows', 'traffic'] as const) {
    const keys = m[v].rows.map((r) => r.key);
    assert.is(new Set(keys).size, keys.length, v);
  }
  assert.is(m.assets.rows[0]!.key, 'mac:00:80:f4:10:00:10');
  // A flow opens its client asset; a broadcast server is not an asset.
  const bacnet = m.flows.rows.find((r) => r.cells[1] === '10.20.0.255')!;
  assert.is(bacnet.assetId, m.assets.rows.find((r) => r.cells[0] === bacnet.cells[0])!.key);
});

test('layoutColumns: fits the width, keeps IP, HOSTNAME and OS at 80 columns', () => {
  const m = buildModels(OT);
  for (const width of [80, 100, 132, 200]) {
    const l = layoutColumns(m.assets, width, naturalWidths(m.assets));
    const total = l.cols.reduce((a, c) => a + l.widths[c]!, 0) + GAP * (l.cols.length - 1);
    assert.ok(total <= width, `${total} > ${width}`);
    for (const c of [0, 3, 4]) assert.ok(l.cols.includes(c), `column ${c} at ${width}`);
  }
  assert.is(layoutColumns(m.assets, 200, naturalWidths(m.assets)).cols.length, 9);
  const narrow = layoutColumns(m.flows, 40, naturalWidths(m.flows));
  assert.ok(narrow.cols.reduce((a, c) => a + narrow.widths[c]!, 0) + GAP * (narrow.cols.length - 1) <= 40);
});

test('fit and cut use an ellipsis', () => {
  assert.is(fit('abcdef', 4), 'abc…');
  assert.is(fit('ab', 4), 'ab  ');
  assert.is(cut('abcdef', 4), 'abc…');
  assert.is(cut('ab', 4), 'ab');
});

test('detail lines: identity, evidence, alternatives, flows, attributes; wrapped to the width', () => {
  const a = findAsset(OT, 'mac:00:1e:c9:50:00:50')!;
  const lines = detailLines(OT, a, 80).map((l) => l.text);
  const text = lines.join('\n');
  assert.match(text, /Identity/);
  assert.match(text, /OS\n {2}Windows/);
  assert.match(text, /evidence:/);
  assert.match(text, /Flows \(8\)/);
  assert.match(text, /by peer:/);
  assert.match(text, /Attributes/);
  assert.is(findAsset(OT, 'nope'), null);
  const wrapped = wrapLines([{ text: 'x'.repeat(50), style: 'plain' }], 20);
  assert.is(wrapped.length, 3);
  assert.match(wrapped[1]!.text, /^ {4}x/);
  assert.ok(wrapped.every((l) => l.text.length <= 20));
  // Control characters from the network never reach the terminal.
  const evil = { ...a, hostnames: ['bad\u001b[31mname'] };
  assert.not.match(detailLines(OT, evil).map((l) => l.text).join('\n'), /\u001b/);
});

test.run();
