/**
 * `nps diff` through runDiff: reports of the sample captures written to a
 * temp dir (JSON and NDJSON), mutated copies, the exit codes, the table and
 * the nps.diff/v1 JSON (checked against docs/diff.schema.json).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import { runDiff, diffReports, renderDiff, loadReport, type DiffOptions } from '../../src/cli/diff.js';
import { CliError } from '../../src/cli/errors.js';
import type { Report } from '../../src/report/build.js';
import { stableStringify } from '../../src/report/json.js';
import { ndjsonLines } from '../../src/report/ndjson.js';
import { analyzeFiles } from '../helpers/analyze.js';
import { fakeIO, type FakeIO } from '../helpers/cli-run.js';
import { projectRoot } from '../helpers/skip.js';

type Ajv2020Class = typeof Ajv2020Module.default;
const AjvClass = ((Ajv2020Module as unknown as { default?: Ajv2020Class }).default ?? Ajv2020Module) as Ajv2020Class;
const diffSchema = JSON.parse(readFileSync(join(projectRoot, 'docs', 'diff.schema.json'), 'utf8')) as Record<string, unknown>;
const validateDiff = new AjvClass({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true }).compile(diffSchema);

function schemaErrors(doc: unknown): string[] {
  if (validateDiff(doc)) return [];
  return (validateDiff.errors ?? []).slice(0, 5).map((e: ErrorObject) => `${e.instancePath} ${e.message}`);
}

let tmp = '';
let office: Report;
let ot: Report;
let officePath = '';
let otPath = '';

const clone = (r: object): Report => JSON.parse(JSON.stringify(r)) as Report;
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let n = 0;
function writeReport(r: Report | object, name = `r${++n}.json`): string {
  const p = join(tmp, name);
  writeFileSync(p, stableStringify(r) + '\n');
  return p;
}

interface Run {
  code: number;
  out: string;
  err: string;
  message: string;
  io: FakeIO;
}

/** runDiff as main would: a CliError becomes its exit code and message. */
async function diff(a: string | undefined, b: string | undefined, opts: DiffOptions = {}, io: FakeIO = fakeIO()): Promise<Run> {
  try {
    const code = await runDiff(a, b, opts, io);
    return { code, out: io.stdout.text, err: io.stderr.text, message: '', io };
  } catch (e) {
    if (e instanceof CliError) return { code: e.exitCode, out: io.stdout.text, err: io.stderr.text, message: e.message, io };
    throw e;
  }
}

async function diffJson(a: string, b: string, opts: DiffOptions = {}): Promise<{ code: number; doc: Obj }> {
  const r = await diff(a, b, { ...opts, format: 'json' });
  assert.ok(r.code === 0 || r.code === 1, r.message);
  const doc = JSON.parse(r.out) as Obj;
  assert.equal(schemaErrors(doc), [], 'the diff validates against docs/diff.schema.json');
  return { code: r.code, doc };
}

test.before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'nps-diff-'));
  office = (await analyzeFiles([join(projectRoot, 'samples', 'small-office.pcapng')])).report;
  ot = (await analyzeFiles([join(projectRoot, 'samples', 'ot-cell.pcapng')])).report;
  officePath = writeReport(office, 'office.json');
  otPath = writeReport(ot, 'ot.json');
});
test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('identical reports: exit 0, "no differences", equal JSON', async () => {
  const copy = writeReport(office);
  const r = await diff(officePath, copy);
  assert.is(r.code, 0, r.message);
  assert.is(r.out, 'no differences\n');
  assert.is(r.err, '');
  const { code, doc } = await diffJson(officePath, copy);
  assert.is(code, 0);
  assert.is(doc.equal, true);
  assert.is(doc.schema, 'nps.diff/v1');
  assert.is(doc.tolerance_pct, 0);
  assert.ok(Object.values(doc.summary as Obj).every((v) => v === 0));
});

/** Three differences: one hostname changed, one new open port, one asset removed. */
function threeChanges(): { path: string; removed: string; renamed: string; ported: string } {
  const r = clone(office) as Obj;
  const renamed = r.assets.find((a: Obj) => a.ips.includes('192.168.10.5'));
  renamed.hostnames = ['ws-02'];
  const ported = r.assets.find((a: Obj) => a.ips.includes('192.168.10.20'));
  ported.open_ports.push({ application: 'HTTP', port: 8080, proto: 'tcp' });
  // The router carries only DNS: removing it removes its flows too, and the clients' traffic changes.
  const gone = r.assets.find((a: Obj) => a.ips.includes('192.168.10.1'));
  r.assets = r.assets.filter((a: Obj) => a !== gone);
  return { path: writeReport(r), removed: gone.id, renamed: renamed.id, ported: ported.id };
}

test('a changed hostname, a new open port and a removed asset: exit 1, each listed in the table', async () => {
  const base = clone(office) as Obj;
  base.assets.find((a: Obj) => a.ips.includes('192.168.10.5')).hostnames = ['ws-01'];
  const basePath = writeReport(base);
  const t = threeChanges();
  const r = await diff(basePath, t.path);
  assert.is(r.code, 1, r.message);
  const lines = r.out.split('\n');
  assert.is(lines[0], '3 differences: 0 assets added, 1 removed, 2 changed; 0 flows added, 0 removed; 0');
  assert.ok(r.out.includes('Assets removed (1)'), r.out);
  assert.ok(lines.some((l) => l.startsWith('  − ') && l.includes(t.removed) && l.includes('192.168.10.1')), r.out);
  assert.ok(r.out.includes('Assets changed (2)'), r.out);
  assert.ok(r.out.includes(`  ${t.renamed} (192.168.10.5, ws-02)\n      hostnames: ws-01 → ws-02\n`), r.out);
  assert.ok(r.out.includes(`  ${t.ported} (192.168.10.20)\n      open_ports: +8080/tcp\n`), r.out);
  assert.not.ok(r.out.includes('Assets added'), 'empty sections are left out');
  assert.not.ok(/\x1b\[/.test(r.out), 'no colour on a pipe');
});

test('the same three differences in JSON', async () => {
  const t = threeChanges();
  const { code, doc } = await diffJson(officePath, t.path);
  assert.is(code, 1);
  assert.is(doc.equal, false);
  assert.equal(doc.summary, {
    assets_added: 0,
    assets_removed: 1,
    assets_changed: 2,
    flows_added: 0,
    flows_removed: 0,
    traffic_changed: 0,
    warnings_added: 0,
    warnings_removed: 0,
  });
  assert.equal(doc.assets_removed, [{ hostnames: [], id: t.removed, ips: ['192.168.10.1'] }]);
  const byId = new Map((doc.assets_changed as Obj[]).map((a) => [a.id, a]));
  assert.equal(byId.get(t.renamed)!.changes, [{ added: ['ws-02'], field: 'hostnames', new: ['ws-02'], old: [], removed: [] }]);
  const ports = byId.get(t.ported)!.changes as Obj[];
  assert.is(ports.length, 1);
  assert.is(ports[0]!.field, 'open_ports');
  assert.equal(ports[0]!.added, ['8080/tcp']);
  assert.equal(ports[0]!.removed, []);
  assert.equal(ports[0]!.new, ['9100/tcp', '8080/tcp'].sort((a, b) => parseInt(a) - parseInt(b)));
  // Sorted keys: the text is what stableStringify makes of it.
  const r = await diff(officePath, t.path, { format: 'json' });
  assert.is(r.out, stableStringify(JSON.parse(r.out)) + '\n');
});

test('tolerance: a 5% traffic change is reported at 0 and not at 10', async () => {
  const r = clone(office) as Obj;
  const a = r.assets.find((x: Obj) => x.ips.includes('192.168.10.20'));
  const old = a.traffic.ingress_bytes + a.traffic.egress_bytes;
  a.traffic.ingress_bytes += Math.round(old * 0.05);
  const f = r.flows[0];
  const oldFlow = f.client_bytes + f.server_bytes;
  f.server_bytes += Math.round(oldFlow * 0.05);
  const p = writeReport(r);

  const at0 = await diffJson(officePath, p);
  assert.is(at0.code, 1);
  const rows = at0.doc.traffic_changed as Obj[];
  assert.is(rows.length, 2);
  assert.equal(rows[0], { change_pct: Math.round(((Math.round(old * 0.05)) / old) * 10000) / 100, key: a.id, kind: 'asset', new_bytes: old + Math.round(old * 0.05), old_bytes: old });
  assert.is(rows[1]!.kind, 'flow');
  assert.is(rows[1]!.key, `${f.client} -> ${f.server} ${f.server_port}/${f.protocol}`);
  assert.ok(Math.abs((rows[1]!.change_pct as number) - 5) < 0.6, String(rows[1]!.change_pct));

  const table = await diff(officePath, p, { tolerance: '0' });
  assert.is(table.code, 1);
  assert.ok(table.out.includes('Traffic beyond ±0% (2)'), table.out);
  assert.ok(table.out.includes(a.id), table.out);

  const at10 = await diff(officePath, p, { tolerance: '10' });
  assert.is(at10.code, 0, at10.out);
  assert.is(at10.out, 'no differences (traffic within ±10%)\n');
  const at10json = await diffJson(officePath, p, { tolerance: '10%' });
  assert.is(at10json.doc.equal, true);
  assert.is(at10json.doc.tolerance_pct, 10);
  // 4% is within 4.99 but not within 4.
  assert.is((await diff(officePath, p, { tolerance: 4 })).code, 1);
});

test('traffic from zero counts; a change within the tolerance does not', async () => {
  const base = clone(office) as Obj;
  const a = base.assets[0];
  a.traffic.ingress_bytes = 0;
  a.traffic.egress_bytes = 0;
  const basePath = writeReport(base);
  const { doc } = await diffJson(basePath, officePath, { tolerance: '50' });
  assert.is((doc.traffic_changed as Obj[]).length, 1);
  assert.is((doc.traffic_changed as Obj[])[0]!.change_pct, null);
  assert.is((doc.traffic_changed as Obj[])[0]!.old_bytes, 0);
});

test('paths, generated_at, generator.version and evidence times do not count', async () => {
  const r = clone(office) as Obj;
  r.generated_at = '2030-01-01T00:00:00.000000Z';
  r.generator.version = '9.9.9';
  r.capture.files[0].path = '/somewhere/else/small-office.pcapng';
  r.config.path = '/etc/nps/nps.yaml';
  for (const a of r.assets) for (const part of [a.os, a.device]) if (part) for (const e of part.evidence) e.time = '2030-01-01T00:00:00.000000Z';
  const p = writeReport(r);
  const res = await diff(officePath, p);
  assert.is(res.code, 0, res.out);
  assert.is(res.out, 'no differences\n');
  // Order of assets and flows in the file does not matter either.
  const shuffled = clone(office) as Obj;
  shuffled.assets.reverse();
  shuffled.flows.reverse();
  assert.is((await diff(officePath, writeReport(shuffled))).code, 0);
});

test('flows added and removed, warning codes added and removed, other attributes', async () => {
  const base = clone(office) as Obj;
  base.warnings = [{ code: 'duplicate-packets', count: 3, message: 'three', addresses: [] }];
  const cur = clone(office) as Obj;
  cur.warnings = [{ code: 'clock-jump', count: 1, message: 'back in time', largest_step_seconds: 2, first_packet: 3 }];
  const moved = cur.flows.pop();
  cur.flows.push({ ...moved, server_port: 8443 });
  const a = cur.assets[1];
  a.os = { ...(a.os ?? {}), name: 'Windows', version: '10', family: 'Windows', confidence: 0.9, evidence: [], alternatives: [] };
  a.vlan = 20;
  a.ips = [...a.ips, '192.168.10.250'];
  const { code, doc } = await diffJson(writeReport(base), writeReport(cur));
  assert.is(code, 1);
  assert.equal(doc.flows_added, [{ client: moved.client, protocol: moved.protocol, server: moved.server, server_port: 8443 }]);
  assert.equal(doc.flows_removed, [{ client: moved.client, protocol: moved.protocol, server: moved.server, server_port: moved.server_port }]);
  assert.equal(doc.warnings_added, ['clock-jump']);
  assert.equal(doc.warnings_removed, ['duplicate-packets']);
  const changes = (doc.assets_changed as Obj[]).find((x) => x.id === a.id)!.changes as Obj[];
  const fields = changes.map((c) => c.field);
  assert.ok(fields.includes('os.name') && fields.includes('vlan') && fields.includes('ips'), fields.join());
  assert.equal(changes.find((c) => c.field === 'vlan'), { field: 'vlan', new: 20, old: null });
  assert.equal(changes.find((c) => c.field === 'ips')!.added, ['192.168.10.250']);
  // A message-only warning change is not a difference.
  const same = clone(base) as Obj;
  same.warnings[0].message = 'other words';
  same.warnings[0].count = 7;
  assert.is((await diff(writeReport(base), writeReport(same))).code, 0);
});

test('the two sample networks: every section, 80 columns, deterministic', async () => {
  const r = await diff(officePath, otPath);
  assert.is(r.code, 1);
  for (const s of ['Assets added (7)', 'Assets removed (6)', 'Flows added', 'Flows removed']) assert.ok(r.out.includes(s), s);
  for (const l of r.out.split('\n')) assert.ok(l.length <= 80, `longer than 80: ${l}`);
  const a = await diffJson(officePath, otPath);
  const b = await diffJson(officePath, otPath);
  assert.equal(a, b);
  assert.is(a.doc.summary.assets_added, 7);
  // In-memory, as analyze --baseline uses it: the same document.
  const mem = renderDiff(diffReports(office, ot, { tolerancePct: 0 }), 'json', { width: 80, color: false });
  assert.is(mem, (await diff(officePath, otPath, { format: 'json' })).out);
});

test('long values wrap within the width', async () => {
  const cur = clone(office) as Obj;
  cur.assets[0].applications = Array.from({ length: 30 }, (_, i) => `Application number ${i}`);
  cur.assets[0].hostnames = Array.from({ length: 10 }, (_, i) => `very-long-host-name-${i}.corp.example.com`);
  const r = await diff(officePath, writeReport(cur), {}, fakeIO({ columns: 60 }));
  assert.is(r.code, 1);
  for (const l of r.out.split('\n')) assert.ok(l.length <= 60, `longer than 60: ${l}`);
  assert.ok(r.out.includes('+Application number 29'), 'a set member stays whole');
});

test('NDJSON reports are read as well', async () => {
  const nd = join(tmp, 'office.ndjson');
  writeFileSync(nd, [...ndjsonLines(office)].join('\n') + '\n');
  const same = await diff(officePath, nd);
  assert.is(same.code, 0, same.out + same.message);
  const t = threeChanges();
  const changed = loadReport(t.path);
  const nd2 = join(tmp, 'changed.ndjson');
  writeFileSync(nd2, [...ndjsonLines(changed)].join('\n') + '\n');
  const { code, doc } = await diffJson(nd, nd2);
  assert.is(code, 1);
  assert.is(doc.summary.assets_removed, 1);
  assert.is(doc.summary.assets_changed, 2);
  // Flows and warnings come from their records.
  const loaded = loadReport(nd);
  assert.is(loaded.flows.length, office.flows.length);
  assert.is(loaded.assets.length, office.assets.length);
  assert.not.ok('type' in loaded.assets[0]!);
});

test('usage errors exit 2', async () => {
  for (const [a, b, opts, pattern] of [
    [officePath, undefined, {}, /two reports/],
    [undefined, undefined, {}, /two reports/],
    [officePath, officePath, { tolerance: '-5' }, /--tolerance/],
    [officePath, officePath, { tolerance: 'abc' }, /--tolerance/],
    [officePath, officePath, { tolerance: '' }, /--tolerance/],
    [officePath, officePath, { tolerance: -1 }, /--tolerance/],
    [officePath, officePath, { format: 'csv' }, /-f\/--format must be one of table, json/],
  ] as [string | undefined, string | undefined, DiffOptions, RegExp][]) {
    const r = await diff(a, b, opts);
    assert.is(r.code, 2, `${JSON.stringify(opts)}: ${r.message}`);
    assert.match(r.message, pattern);
    assert.is(r.out, '');
  }
});

test('unreadable or foreign files exit 3, naming the file and the reason', async () => {
  const missing = join(tmp, 'nope.json');
  let r = await diff(missing, officePath);
  assert.is(r.code, 3);
  assert.match(r.message, new RegExp(`${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no such file`));
  r = await diff(officePath, tmp);
  assert.is(r.code, 3);
  assert.match(r.message, /is a directory/);
  const text = join(tmp, 'notes.txt');
  writeFileSync(text, 'hello\nworld\n');
  r = await diff(officePath, text);
  assert.is(r.code, 3);
  assert.match(r.message, /notes\.txt is not JSON/);
  const other = writeReport({ schema: 'nps.merge/v1', merge: [] });
  r = await diff(other, officePath);
  assert.is(r.code, 3);
  assert.match(r.message, /is not an nps report: its schema is "nps\.merge\/v1", expected "nps\.report\/v1"/);
  const arr = writeReport([1, 2]);
  assert.is((await diff(arr, officePath)).code, 3);
  const noId = clone(office) as Obj;
  delete noId.assets[2].id;
  r = await diff(officePath, writeReport(noId));
  assert.is(r.code, 3);
  assert.match(r.message, /asset 3 has no "id"/);
  const noFlows = clone(office) as Obj;
  delete noFlows.flows;
  r = await diff(officePath, writeReport(noFlows));
  assert.is(r.code, 3);
  assert.match(r.message, /no "flows" list/);
  const empty = join(tmp, 'empty.json');
  writeFileSync(empty, '');
  assert.is((await diff(empty, officePath)).code, 3);
  const badNd = join(tmp, 'bad.ndjson');
  writeFileSync(badNd, [...ndjsonLines(office)].slice(0, 3).join('\n') + '\n{oops\n');
  r = await diff(officePath, badNd);
  assert.is(r.code, 3);
  assert.match(r.message, /bad\.ndjson:4: not a JSON record/);
  const noSummary = join(tmp, 'nosummary.ndjson');
  writeFileSync(noSummary, [...ndjsonLines(office)].slice(1).join('\n') + '\n');
  r = await diff(officePath, noSummary);
  assert.is(r.code, 3);
  assert.match(r.message, /"summary" record/);
});

test('colour only on a terminal and never with NO_COLOR', async () => {
  const t = threeChanges();
  const tty = await diff(officePath, t.path, {}, fakeIO({ stdoutTTY: true, columns: 80 }));
  assert.ok(tty.out.includes('\x1b[32m+8080/tcp\x1b[39m'), JSON.stringify(tty.out));
  assert.ok(tty.out.includes('\x1b[31m'), 'removed in red');
  const noColor = await diff(officePath, t.path, {}, fakeIO({ stdoutTTY: true, columns: 80, env: { NO_COLOR: '1' } }));
  assert.not.ok(/\x1b\[/.test(noColor.out));
  const plain = await diff(officePath, t.path);
  assert.is(noColor.out, plain.out);
});

test('-o writes the file and says what it holds on stderr; -q keeps stderr quiet', async () => {
  const t = threeChanges();
  const out = join(tmp, 'diff.json');
  const r = await diff(officePath, t.path, { format: 'json', output: out });
  assert.is(r.code, 1);
  assert.is(r.out, '');
  assert.ok(existsSync(out));
  assert.equal(schemaErrors(JSON.parse(readFileSync(out, 'utf8'))), []);
  assert.match(r.err, /^nps: 3 differences: .*\(.*diff\.json\)\n$/);
  const q = await diff(officePath, t.path, { format: 'json', output: out, quiet: true });
  assert.is(q.code, 1);
  assert.is(q.err, '');
  const dash = await diff(officePath, officePath, { output: '-' });
  assert.is(dash.out, 'no differences\n');
});

test('reports of different sensors get a note', async () => {
  const other = clone(office) as Obj;
  other.sensor = { name: 'branch-b', network: 'default' };
  const r = await diff(officePath, writeReport(other));
  assert.is(r.code, 0);
  assert.match(r.err, /different sensors/);
  const q = await diff(officePath, writeReport(other), { quiet: true });
  assert.is(q.err, '');
});

test.run();
