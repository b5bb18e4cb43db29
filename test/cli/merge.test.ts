/**
 * `nps merge` and `nps analyze --managed` end to end on the merge example
 * (samples/merge: two sensors, their configurations, a managed CSV): every
 * decision, the formats, order independence, the cross-sensor lint, and the
 * error paths with their exit codes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { pcapngBytes } from '../../src/capture/writer.js';
import { branchAPackets, branchBPackets } from '../../scripts/make-merge-sample.js';
import { fakeIO, type FakeIO } from '../helpers/cli-run.js';
import { mergeSchemaErrors, reportSchemaErrors } from '../helpers/schema.js';
import { projectRoot } from '../helpers/skip.js';

const S = join(projectRoot, 'samples', 'merge');
const MANAGED = join(S, 'managed.csv');
let tmp = '';
let reportA = '';
let reportB = '';

async function run(argv: string[], cwd?: string): Promise<{ code: number; io: FakeIO }> {
  const io = fakeIO();
  const before = process.cwd();
  if (cwd) process.chdir(cwd);
  try {
    return { code: await main(argv, io), io };
  } finally {
    process.chdir(before);
  }
}

test.before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'nps-merge-'));
  reportA = join(tmp, 'branch-a.json');
  reportB = join(tmp, 'branch-b.json');
  for (const [s, out] of [
    ['a', reportA],
    ['b', reportB],
  ] as const) {
    const r = await run(['analyze', '-q', '--deterministic', '-f', 'json', '--config', join(S, `branch-${s}.yaml`), '-o', out, join(S, `branch-${s}.pcapng`)]);
    assert.is(r.code, 0, r.io.stderr.text);
  }
});
test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('the sample captures rebuild byte for byte', () => {
  assert.ok(Buffer.from(pcapngBytes(branchAPackets())).equals(readFileSync(join(S, 'branch-a.pcapng'))), 'branch-a.pcapng differs: npm run sample:merge');
  assert.ok(Buffer.from(pcapngBytes(branchBPackets())).equals(readFileSync(join(S, 'branch-b.pcapng'))), 'branch-b.pcapng differs: npm run sample:merge');
});

type Rec = { asset_id: string; decision: string; managed_id: string | null; rule: string | null; reason: string; sensors: string[]; joined: unknown[] };

async function mergeJson(extra: string[] = [], reports = [reportA, reportB]): Promise<{ doc: Record<string, unknown>; text: string; stderr: string }> {
  const r = await run(['merge', '--deterministic', '-f', 'json', '--config', join(S, 'branch-a.yaml'), '--managed', MANAGED, ...extra, ...reports]);
  assert.is(r.code, 0, r.io.stderr.text);
  return { doc: JSON.parse(r.io.stdout.text) as Record<string, unknown>, text: r.io.stdout.text, stderr: r.io.stderr.text };
}

test('every decision of the example, with its rule and a reason naming the values', async () => {
  const { doc } = await mergeJson();
  assert.equal(mergeSchemaErrors(doc), []);
  const recs = doc.merge as Rec[];
  const by = (id: string) => recs.find((r) => r.asset_id === id)!;
  const expect: [string, string | null, string | null, RegExp][] = [
    ['mac:3c:52:82:11:01:01', 'M-1001', 'mac', /MAC 3c:52:82:11:01:01 is listed on managed asset M-1001/],
    ['mac:00:e0:4c:68:00:07', 'M-1002', 'hostname', /hostname "jdoe-laptop" equals "jdoe-laptop" on managed asset M-1002/],
    ['mac:f8:1a:67:00:00:33', null, null, /hostname "android" is in merge.hostname_exclusions/],
    ['mac:00:1b:a9:50:50:50', 'M-1004', 'ip-dhcp-lease', /last_scan 2026-01-14T10:30:00Z falls inside the DHCP lease the sensor saw for it \(2026-01-14T07:00:00.002000Z to 2026-01-14T15:00:00.002000Z\)/],
    ['mac:00:25:90:60:60:60', null, null, /last_scan 2026-01-11T09:00:00Z is 2d 23h from the time the sensor saw the asset on it .* beyond ip_inactivity 1d/],
    ['mac:00:15:5d:0a:10:10', 'M-2001', 'ip-static', /range branch-b-servers \(10.20.20.0\/28\) is configured with assignment static/],
    ['mac:00:15:5d:0a:11:11', null, null, /in network "lab", not the sensor's "corp"/],
  ];
  for (const [id, managed, rule, reason] of expect) {
    const r = by(id);
    assert.ok(r, id);
    assert.is(r.managed_id, managed, id);
    assert.is(r.rule, rule, id);
    assert.is(r.decision, managed ? 'merge' : 'no-merge', id);
    assert.match(r.reason, reason, id);
  }
  // WS-0042 was seen by both sensors: one row, both sensors, joined by MAC.
  const ws = by('mac:3c:52:82:11:01:01');
  assert.equal(ws.sensors, ['branch-a', 'branch-b']);
  assert.is(ws.joined.length, 1);
  assert.is(recs.length, 9);
  const managed = doc.managed as { managed_id: string; seen: boolean }[];
  assert.equal(
    managed.filter((m) => !m.seen).map((m) => m.managed_id),
    ['M-1003', 'M-1005', 'M-3001', 'M-9001'],
  );
  assert.is((doc.unmanaged as unknown[]).length, 5);
  assert.equal(doc.warnings, [], 'the example configurations follow the recommended layout');
});

test('the result is byte-identical whatever the order of the reports', async () => {
  const ab = await mergeJson([], [reportA, reportB]);
  const ba = await mergeJson([], [reportB, reportA]);
  assert.is(ba.text, ab.text);
});

test('--hostname-match short matches first labels; --ip-inactivity widens the window', async () => {
  const managed = join(tmp, 'short.csv');
  writeFileSync(managed, 'id,hostnames\nM-1,jdoe-laptop.corp.example\n');
  const exact = await run(['merge', '-f', 'json', '--managed', managed, reportA]);
  const short = await run(['merge', '-f', 'json', '--hostname-match', 'short', '--managed', managed, reportA]);
  const rec = (io: FakeIO) => (JSON.parse(io.stdout.text).merge as Rec[]).find((r) => r.asset_id === 'mac:00:e0:4c:68:00:07')!;
  assert.is(rec(exact.io).decision, 'no-merge');
  assert.is(rec(short.io).managed_id, 'M-1');
  const wide = await mergeJson(['--ip-inactivity', '4d']);
  const quiet = (wide.doc.merge as Rec[]).find((r) => r.asset_id === 'mac:00:25:90:60:60:60')!;
  assert.is(quiet.rule, 'ip-inactivity');
  assert.is(quiet.managed_id, 'M-1005');
});

test('formats: table with reasons, NDJSON records, CSV files into a directory', async () => {
  const table = await run(['merge', '-f', 'table', '--config', join(S, 'branch-a.yaml'), '--managed', MANAGED, reportA, reportB]);
  assert.is(table.code, 0);
  assert.match(table.io.stdout.text, /Merge decisions \(9 passive assets: 4 merged, 5 unmanaged; 8 managed, 4 not seen\)/);
  assert.match(table.io.stdout.text, /branch-b\/mac:3c:52:82:11:01:01 is the same machine as branch-a\/mac:3c:52:82:11:01:01 \(mac\): both have MAC/);
  const managedView = await run(['merge', '-f', 'table', '--view', 'managed', '--managed', MANAGED, reportA, reportB]);
  assert.match(managedView.io.stdout.text, /Managed assets \(8: /);
  const nd = await run(['merge', '-f', 'ndjson', '--managed', MANAGED, reportA, reportB]);
  const types = nd.io.stdout.text.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type);
  assert.is(types[0], 'summary');
  assert.is(types.filter((t) => t === 'merge').length, 9);
  assert.is(types.filter((t) => t === 'managed').length, 8);
  const dir = join(tmp, 'csv') + '/';
  const csv = await run(['merge', '-f', 'csv', '-o', dir, '--managed', MANAGED, reportA, reportB]);
  assert.is(csv.code, 0);
  for (const v of ['merge', 'managed', 'unmanaged']) assert.ok(existsSync(join(dir, `${v}.csv`)), v);
  const lines = readFileSync(join(dir, 'merge.csv'), 'utf8').trim().split('\n');
  assert.is(lines[0], 'asset_id,sensors,assets,macs,ips,hostnames,first_seen,last_seen,decision,managed_id,rule,reason');
  assert.is(lines.length, 10);
});

test('NDJSON reports merge like JSON ones', async () => {
  const nd = join(tmp, 'branch-a.ndjson');
  const r = await run(['analyze', '-q', '--deterministic', '-f', 'ndjson', '--config', join(S, 'branch-a.yaml'), '-o', nd, join(S, 'branch-a.pcapng')]);
  assert.is(r.code, 0);
  const fromJson = await mergeJson([], [reportA]);
  const fromNd = await mergeJson([], [nd]);
  assert.equal((fromNd.doc.merge as Rec[]).map((x) => [x.asset_id, x.rule]), (fromJson.doc.merge as Rec[]).map((x) => [x.asset_id, x.rule]));
});

test('sensors inventorying the same range: a warning from the reports, from --sensor-config, and from config validate', async () => {
  const overlapping = join(tmp, 'branch-c.yaml');
  writeFileSync(overlapping, 'sensor:\n  name: branch-c\n  network: corp\ninternal:\n  - name: everything\n    ranges: [10.0.0.0/8]\n    inventory: true\n');
  const reportC = join(tmp, 'branch-c.json');
  assert.is((await run(['analyze', '-q', '-f', 'json', '--config', overlapping, '-o', reportC, join(S, 'branch-a.pcapng')])).code, 0);
  const { doc, stderr } = await mergeJson([], [reportA, reportB, reportC]);
  const warnings = doc.warnings as { code: string; sensors: string[]; message: string }[];
  assert.equal(
    warnings.map((w) => w.sensors),
    [
      ['branch-a', 'branch-c'],
      ['branch-b', 'branch-c'],
    ],
  );
  assert.match(warnings[0]!.message, /10.10.10.0\/24 \(branch-a\/branch-a-lan\) and 10.0.0.0\/8 \(branch-c\/everything\)/);
  assert.match(stderr, /warning: sensors branch-a and branch-c both inventory addresses on network "corp"/);
  const viaConfig = await mergeJson(['--sensor-config', overlapping], [reportA]);
  assert.is((viaConfig.doc.warnings as unknown[]).length, 1);
  const validate = await run(['config', 'validate', join(S, 'branch-a.yaml'), join(S, 'branch-b.yaml'), overlapping]);
  assert.is(validate.code, 0);
  assert.is(validate.io.stderr.text.match(/both inventory addresses/g)?.length, 2);
  const clean = await run(['config', 'validate', join(S, 'branch-a.yaml'), join(S, 'branch-b.yaml')]);
  assert.is(clean.io.stderr.text, '');
});

test('analyze --managed adds merge rows to the report, NDJSON and CSV, and a table section', async () => {
  const cfg = join(S, 'branch-a.yaml');
  const cap = join(S, 'branch-a.pcapng');
  const json = await run(['analyze', '-q', '-f', 'json', '--config', cfg, '--managed', MANAGED, cap]);
  assert.is(json.code, 0);
  const report = JSON.parse(json.io.stdout.text);
  assert.equal(reportSchemaErrors(report), []);
  assert.is(report.merge.length, report.assets.length);
  assert.is((report.merge as Rec[]).find((r) => r.asset_id === 'mac:3c:52:82:11:01:01')!.rule, 'mac');
  const nd = await run(['analyze', '-q', '-f', 'ndjson', '--config', cfg, '--managed', MANAGED, cap]);
  const ndTypes = nd.io.stdout.text.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type);
  assert.is(ndTypes.filter((t) => t === 'merge').length, report.assets.length);
  const csv = await run(['analyze', '-q', '-f', 'csv', '--view', 'merge', '--config', cfg, '--managed', MANAGED, cap]);
  assert.match(csv.io.stdout.text, /^asset_id,sensors,assets,/);
  const table = await run(['analyze', '-q', '-f', 'table', '--config', cfg, '--managed', MANAGED, cap]);
  assert.match(table.io.stdout.text, /Assets \(6\)[\s\S]*Merge decisions \(6 passive assets: 3 merged, 3 unmanaged\)/);
  const without = await run(['analyze', '-q', '-f', 'json', '--config', cfg, cap]);
  assert.not.ok('merge' in JSON.parse(without.io.stdout.text));
});

test('errors: exit 2 for usage and an invalid inventory (file:line:column), exit 3 for unreadable input', async () => {
  const r1 = await run(['merge', reportA]);
  assert.is(r1.code, 2);
  assert.match(r1.io.stderr.text, /--managed FILE is required/);
  assert.is((await run(['merge', '--managed', MANAGED])).code, 2);
  assert.is((await run(['merge', '--hostname-match', 'fuzzy', '--managed', MANAGED, reportA])).code, 2);
  const badDur = await run(['merge', '--ip-inactivity', 'soon', '--managed', MANAGED, reportA]);
  assert.is(badDur.code, 2);
  assert.match(badDur.io.stderr.text, /--ip-inactivity takes a duration such as 24h/);
  const bad = join(tmp, 'bad.csv');
  writeFileSync(bad, 'id,macs,ips\nM-1,00:11:22:33:44:zz,10.0.0.1\nM-2,,10.0.0.300\n');
  const r2 = await run(['merge', '--managed', bad, reportA]);
  assert.is(r2.code, 2);
  assert.match(r2.io.stderr.text, /bad\.csv:2:5: macs: /);
  assert.match(r2.io.stderr.text, /bad\.csv:3:6: ips: /);
  const r3 = await run(['merge', '--managed', join(tmp, 'missing.csv'), reportA]);
  assert.is(r3.code, 3);
  assert.match(r3.io.stderr.text, /missing\.csv/);
  const notReport = join(tmp, 'not-report.json');
  writeFileSync(notReport, '{"schema":"something/else"}');
  const r4 = await run(['merge', '--managed', MANAGED, notReport]);
  assert.is(r4.code, 3);
  assert.match(r4.io.stderr.text, /is not an nps report: its schema is "something\/else", expected "nps.report\/v1"/);
  const r5 = await run(['merge', '--managed', MANAGED, join(tmp, 'nope.json')]);
  assert.is(r5.code, 3);
  assert.match(r5.io.stderr.text, /cannot read the report .*nope\.json: no such file/);
  const r6 = await run(['analyze', '-f', 'csv', '--view', 'merge', join(S, 'branch-a.pcapng')]);
  assert.is(r6.code, 2);
  assert.match(r6.io.stderr.text, /--view merge needs --managed FILE/);
  const r7 = await run(['analyze', '--hostname-match', 'short', join(S, 'branch-a.pcapng')]);
  assert.is(r7.code, 2);
});

test.run();
