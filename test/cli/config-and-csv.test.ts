/**
 * `nps config init|validate|explain`, `--config` errors with file:line:column
 * and exit 2, and CSV exports that agree with the JSON report row for row.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcapBytes } from '../../src/capture/writer.js';
import { main } from '../../src/cli/main.js';
import { csvHeader } from '../../src/report/csv.js';
import { fakeIO, type FakeIO } from '../helpers/cli-run.js';
import { variedTraffic } from '../helpers/traffic.js';

let tmp = '';
let cap = '';
test.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'nps-cfg-'));
  cap = join(tmp, 'traffic.pcap');
  writeFileSync(cap, pcapBytes(variedTraffic()));
});
test.after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; io: FakeIO }> {
  const io = fakeIO();
  const code = await main(argv, io);
  return { code, io };
}

/** RFC 4180 parser, enough to read back what we write. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else if (ch !== '\r') cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

test('a typo in a key: exit 2, file:line:column and a suggestion', async () => {
  const cfg = join(tmp, 'typo.yaml');
  writeFileSync(cfg, 'internal:\n  - name: lan\n    ranges: [10.0.0.0/8]\n    inventroy: true\n');
  const { code, io } = await run(['analyze', '-f', 'json', '--config', cfg, cap]);
  assert.is(code, 2);
  assert.match(io.stderr.text, /typo\.yaml:4:5: .*inventroy.*did you mean `inventory`/);
  assert.is(io.stdout.text, '');
});

test('a bad CIDR: exit 2 naming the item position', async () => {
  const cfg = join(tmp, 'cidr.yaml');
  writeFileSync(cfg, 'internal:\n  - name: lan\n    ranges: [10.0.0.0/8, 10.1.0.0/33]\n');
  const { code, io } = await run(['config', 'validate', cfg]);
  assert.is(code, 2);
  assert.match(io.stderr.text, /cidr\.yaml:3:26: .*10\.1\.0\.0\/33/);
});

test('config init writes a starter that validates; refuses to overwrite without --force', async () => {
  const file = join(tmp, 'nps.yaml');
  let r = await run(['config', 'init', file]);
  assert.is(r.code, 0);
  assert.ok(existsSync(file));
  assert.match(readFileSync(file, 'utf8'), /^#/m);
  r = await run(['config', 'validate', file]);
  assert.is(r.code, 0);
  assert.match(r.io.stdout.text, /valid/);
  r = await run(['config', 'init', file]);
  assert.is(r.code, 2);
  assert.match(r.io.stderr.text, /already exists.*--force/);
  r = await run(['config', 'init', '--force', file]);
  assert.is(r.code, 0);
});

test('config explain: defaults, a MAC, and a non-address', async () => {
  let r = await run(['config', 'explain', '--config', join(tmp, 'nps.yaml'), '192.168.7.7']);
  assert.is(r.code, 0);
  assert.match(r.io.stdout.text, /inventoried \(rule 2\)/);
  r = await run(['config', 'explain', '--config', join(tmp, 'nps.yaml'), '8.8.8.8']);
  assert.match(r.io.stdout.text, /External \(rule 5\)/);
  r = await run(['config', 'explain', '--config', join(tmp, 'nps.yaml'), '00:11:22:33:44:55']);
  assert.match(r.io.stdout.text, /not excluded/);
  r = await run(['config', 'explain', 'bogus']);
  assert.is(r.code, 2);
});

test('the report carries the sensor and the config path and hash', async () => {
  const cfg = join(tmp, 'sensor.yaml');
  writeFileSync(cfg, 'sensor: { name: s1, network: plant }\n');
  const { code, io } = await run(['analyze', '-f', 'json', '--deterministic', '--config', cfg, cap]);
  assert.is(code, 0);
  const doc = JSON.parse(io.stdout.text);
  assert.equal(doc.sensor, { name: 's1', network: 'plant' });
  assert.ok(String(doc.config.path).endsWith('sensor.yaml'));
  assert.match(doc.config.sha256, /^[0-9a-f]{64}$/);
});

test('CSV views agree with the JSON report row for row', async () => {
  const json = JSON.parse((await run(['analyze', '-f', 'json', '--deterministic', cap])).io.stdout.text);
  for (const view of ['assets', 'flows', 'traffic'] as const) {
    const { code, io } = await run(['analyze', '-f', 'csv', '--view', view, cap]);
    assert.is(code, 0);
    const rows = parseCsv(io.stdout.text);
    assert.equal(rows[0], csvHeader(view));
    const records = json[view] as Record<string, unknown>[];
    assert.is(rows.length - 1, records.length, `${view}: one CSV row per record`);
    assert.ok(records.length > 0, `${view} has rows`);
    const header = rows[0]!;
    rows.slice(1).forEach((row, i) => {
      assert.is(row.length, header.length, `${view} row ${i + 1} has every column`);
      const rec = records[i]!;
      const get = (k: string) => row[header.indexOf(k)];
      if (view === 'assets') {
        assert.is(get('id'), rec.id);
        assert.is(get('ips'), (rec.ips as string[]).join(' '));
        assert.is(get('ingress_bytes'), String((rec.traffic as Record<string, number>).ingress_bytes));
      } else {
        for (const k of header) {
          const v = rec[k];
          const want = v === null ? '' : Array.isArray(v) ? v.join(' ') : String(v);
          assert.is(get(k), want, `${view} row ${i + 1} ${k}`);
        }
      }
    });
  }
});

test('CSV into a directory: one file per view', async () => {
  const dir = join(tmp, 'out') + '/';
  const { code, io } = await run(['analyze', '-f', 'csv', '-o', dir, cap]);
  assert.is(code, 0);
  assert.is(io.stdout.text, '');
  for (const v of ['assets', 'flows', 'traffic']) {
    const text = readFileSync(join(dir, `${v}.csv`), 'utf8');
    assert.equal(parseCsv(text)[0], csvHeader(v as 'assets'));
  }
});

test('--view with json is a usage error; a bad view too', async () => {
  assert.is((await run(['analyze', '-f', 'json', '--view', 'flows', cap])).code, 2);
  assert.is((await run(['analyze', '-f', 'csv', '--view', 'nope', cap])).code, 2);
});

test('table views: traffic lists per-asset rows', async () => {
  const { code, io } = await run(['analyze', '-f', 'table', '--view', 'traffic', cap]);
  assert.is(code, 0);
  assert.match(io.stdout.text, /Traffic by asset/);
  assert.match(io.stdout.text, /ROLE/);
});

test.run();
